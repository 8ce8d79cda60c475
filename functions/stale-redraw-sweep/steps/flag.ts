/**
 * The due candidates (CONTRACT §4, §9): each one not held back by its
 * follow-up (snoozed or closed: not flagged, not even verified) and still stale
 * once its transaction's redraw order is known is verified with Junction
 * (verify.ts), flagged, then notified at once (flag-notices.ts).
 */
import { flagStale, refileOpenRedraw, type IndexedOrder } from '../../store/redraws';
import { notifyFlag } from './flag-notices';
import { seenOf, type StaleRules } from './rules';
import { verifyCandidate } from './verify';

/** Sweeps one due candidate. */
export async function sweepCandidate(rules: StaleRules, candidate: IndexedOrder): Promise<void> {
  const { ctx, view, known, flagsNow } = rules;
  const { db, tableName, since, logger, tally } = ctx;
  // A person is on it (snoozed until a date) or closed it: not flagged (CONTRACT §9), not even verified.
  if (view.heldBy(candidate) !== null) {
    tally.heldBack++;
    return;
  }
  const hasRedraw = await known.of(candidate);
  const candidateReason = view.reasonOf(candidate, hasRedraw);
  if (candidateReason === null) {
    // Not stale after all: its redraw order is known by now (the index was not updated yet).
    if (hasRedraw && (await refileOpenRedraw(db, tableName, seenOf(candidate), candidate.record, hasRedraw)) === 'written') tally.cleared++;
    return;
  }
  const verified = await verifyCandidate(rules, candidate, candidateReason, hasRedraw);
  if (verified === null) return;
  const { order, reason } = verified;
  if ((await flagStale(db, tableName, seenOf(order), { since, reason })) === 'lost') {
    logger.debug('stale flag not set: the order moved on or is flagged already', { order_id: order.record.id });
    return;
  }
  tally.flagged++;
  flagsNow.set(order.record.id, { since, reason });
  await notifyFlag(rules, order, reason, since);
}
