/**
 * Clearing a flag that no longer holds (CONTRACT §4, §9): the order is no
 * longer stale, or its follow-up is closed or snoozed (an order of a snoozed
 * follow-up is not flagged before the snooze ends, so a flag from before the
 * snooze clears too, and the order is flagged again, as a new episode, if
 * nothing moved by then).
 */
import type { FollowUpState } from '../../core/follow-up/states';
import type { StaleReason } from '../../core/staleness';
import type { StaleFlag } from '../../core/order-view';
import { refileOpenRedraw, type IndexedOrder } from '../../store/redraws';
import { followUpIdOf } from './read';
import { seenOf, type StaleRules } from './rules';

type Holding = Extract<FollowUpState, 'closed' | 'snoozed'>;

/** Whether a flag still holds: its follow-up does not hold the order back, and the order is still stale. */
export function flagHolds(held: Holding | null, reason: StaleReason | null): boolean {
  return held === null && reason !== null;
}

/** The note a flag cleared for its follow-up leaves on the item, so that redraw.stale_cleared says why (CONTRACT §7 cleared_by). */
export function clearedNoteOf(held: Holding | null, stale: StaleFlag | null): { since: string; by: Holding } | undefined {
  return held !== null && stale !== null ? { since: stale.since, by: held } : undefined;
}

/** Clears the order's flag if it no longer holds; true when it no longer holds. */
export async function clearIfOver(rules: StaleRules, order: IndexedOrder): Promise<boolean> {
  const { ctx, view, known, flagsNow } = rules;
  const { db, tableName, logger, tally } = ctx;
  const hasRedraw = await known.of(order);
  const held = view.heldBy(order);
  if (flagHolds(held, view.reasonOf(order, hasRedraw))) return false;
  // Cleared now, or by whatever moved the order meanwhile (the refile then loses its race).
  flagsNow.set(order.record.id, null);
  if ((await refileOpenRedraw(db, tableName, seenOf(order), order.record, hasRedraw, clearedNoteOf(held, order.stale))) === 'written') {
    tally.cleared++;
    tally.staleCleared++;
    if (held !== null) {
      if (held === 'closed') tally.clearedClosed++;
      else tally.clearedSnoozed++;
      logger.info('stale flag cleared', { order_id: order.record.id, follow_up_id: followUpIdOf(order), reason: `follow_up_${held}` });
    }
  }
  return true;
}
