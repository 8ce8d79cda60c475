/**
 * The stale flags' notifications (CONTRACT §4): a flag is written with a
 * "notification pending" marker, removed once the notifier accepted the
 * message; a notification that fails stays pending (the flag stays, so no
 * `redraw.stale_cleared`/`redraw.stale` pair), and every sweep sends what is
 * pending, oldest first. A flag that clears before its notification went out
 * is not notified: it no longer asks for action.
 */
import type { StaleReason } from '../../core/staleness';
import { markNotified, type IndexedOrder } from '../../store/redraws';
import { clearIfOver } from './clear';
import { alertClaimKey, leftPending, notificationOf, type PublishOutcome } from './notices';
import type { StaleRules } from './rules';

/** Oldest flag first (its `since`), then by order id. */
export function bySince(a: Pick<IndexedOrder, 'record' | 'stale'>, b: Pick<IndexedOrder, 'record' | 'stale'>): number {
  const [ka, kb] = [`${a.stale?.since ?? ''}#${a.record.id}`, `${b.stale?.since ?? ''}#${b.record.id}`];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The flags of earlier sweeps whose notification is pending, oldest first. */
export function pendingFlags<T extends Pick<IndexedOrder, 'record' | 'stale' | 'notificationPending'>>(flaggedBefore: readonly T[]): T[] {
  return flaggedBefore.filter((order) => order.notificationPending).sort(bySince);
}

/**
 * Sends the notification of the flag set at `flagSince` under its claim, then
 * records it sent (removes the flag's pending marker). Not sent (a failure, or
 * another sweep's fresh claim) leaves it pending (counted). A crash between the
 * notifier's acceptance and the claim's mark is the one way it can go out
 * twice: the first sweep 15 minutes after the claim sends it again, once. A
 * crash between the claim's mark and the marker's removal sends nothing again:
 * the next sweep finds it `already` sent and removes the marker.
 */
export async function notifyFlag(rules: StaleRules, order: IndexedOrder, reason: StaleReason, flagSince: string): Promise<void> {
  const { ctx, view, sender } = rules;
  const { db, tableName, now, logger, tally } = ctx;
  if (sender.stopped || !ctx.gate.mayStart('notification')) {
    tally.pendingAfter++;
    return;
  }
  let outcome: PublishOutcome;
  try {
    outcome = await sender.publish(alertClaimKey(order.record.id, flagSince), notificationOf(order.record, reason, flagSince, now, view.followUpOf(order)?.followUp ?? null, view.appointmentOf(order)));
  } catch (error) {
    tally.pendingAfter++; // still flagged, still pending
    throw error;
  }
  if (leftPending(outcome)) {
    tally.pendingAfter++;
    return;
  }
  if (outcome === 'sent') tally.notified++;
  try {
    if ((await markNotified(db, tableName, order.record.id, flagSince)) === 'lost') {
      logger.debug('notification sent for a flag that cleared meanwhile', { order_id: order.record.id });
    }
  } catch (error) {
    tally.pendingAfter++;
    throw error;
  }
}

/** A flag of an earlier sweep whose notification has not gone out: sent if the flag still holds. */
export async function sendPending(rules: StaleRules, order: IndexedOrder): Promise<void> {
  const { ctx } = rules;
  if (!ctx.gate.mayStart('notification')) {
    ctx.tally.pendingAfter++;
    return;
  }
  if (order.stale === null) return;
  let over: boolean;
  try {
    over = await clearIfOver(rules, order);
  } catch (error) {
    ctx.tally.pendingAfter++; // still flagged, still pending
    throw error;
  }
  if (over) return;
  await notifyFlag(rules, order, order.stale.reason, order.stale.since);
}
