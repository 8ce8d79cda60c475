/**
 * The notice of a follow-up with an `attention` (CONTRACT §9): a person must
 * decide what happens next (its redraw order failed, came back incomplete, or
 * the transaction ended with results missing and no redraw), so it is notified
 * once per attention and episode, the reason being the attention's value, with
 * what is missing and why as the follow-up's `missing` says it (counts and
 * codes only). Read again strongly consistently (the worklist may lag a
 * person's close), sent under its claim (one per attention, follow-up and
 * order), then marked on the follow-up, as the reminder is. The claim also
 * covers a marker that a later write of the follow-up did not keep: the next
 * sweep finds the claim sent and only marks it again. The one way it goes out
 * twice: a crash between the notifier's acceptance and the claim's mark (sent
 * again 15 minutes later, once).
 *
 * It reads `missing` as stored: a step before it may have read Junction's
 * results for it in the same sweep (then its counts are in the notice).
 */
import type { Attention } from '../../core/attention';
import { stateAt, type FollowUp } from '../../core/follow-up/states';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { markAttentionNotified } from '../../store/follow-ups/tracker';
import { getOrder } from '../../store/order-reads';
import { attentionClaimKey, leftPending, markFollowUpNoticed, notificationOf } from './notices';
import type { StaleRules } from './rules';

/** The order that failed: the redraw order, or (a transaction that ended without one) the initial order. */
export function failedOrderId(followUp: Pick<FollowUp, 'redraw_order_id' | 'initial_order_id'>): string | null {
  return followUp.redraw_order_id ?? followUp.initial_order_id;
}

/**
 * The order a notice is about: a failed redraw's order (its `missing` names
 * the initial order, whose results the redraw was for), else the one whose
 * results are missing, else the failed order.
 */
export function noticeOrderId(followUp: Pick<FollowUp, 'redraw_order_id' | 'initial_order_id' | 'missing' | 'attention'>): string | null {
  if (followUp.attention === 'redraw_failed') return failedOrderId(followUp);
  return followUp.missing?.order_id ?? failedOrderId(followUp);
}

/**
 * Whether a follow-up's attention notice is due (CONTRACT §9): it is open at
 * `now` (a snoozed one too: the news is for whoever snoozed it), it has an
 * `attention`, and no notice went out in this episode (the tracker clears the
 * marker with the attention).
 */
export function awaitsAttentionNotice(stored: StoredFollowUp, now: Date): boolean {
  return stateAt(stored.followUp, now).state !== 'closed' && stored.followUp.attention !== null && (stored.attentionNotifiedAt ?? null) === null;
}

/** Sends one follow-up's attention notice, if it is still due. */
export async function noticeAttention(rules: StaleRules, listed: StoredFollowUp): Promise<void> {
  const { ctx, sender } = rules;
  const { db, tableName, now, since, logger, tally } = ctx;
  if (sender.stopped || !ctx.gate.mayStart('notification')) return;
  const due = (stored: StoredFollowUp | null): stored is StoredFollowUp => stored !== null && awaitsAttentionNotice(stored, now);
  const stored = await getFollowUp(db, tableName, listed.followUp.id, now);
  if (!due(stored)) return;
  const followUp = stateAt(stored.followUp, now);
  const attention: Attention | null = followUp.attention;
  const orderId = noticeOrderId(followUp);
  const order = orderId === null ? null : await getOrder(db, tableName, orderId);
  if (attention === null || orderId === null || order === null) {
    logger.debug('follow-up without a stored order: no attention notice', { follow_up_id: followUp.id, attention });
    return;
  }
  const notification = { ...notificationOf(order.record, attention, since, now, followUp, null), missing: followUp.missing };
  const outcome = await sender.publish(attentionClaimKey(attention, followUp.id, orderId), notification);
  if (leftPending(outcome)) return;
  if (outcome === 'sent') {
    tally.notified++;
    tally.attentionNotified[attention]++;
  }
  // The alert's chat-button marker (notices.ts) wrote the follow-up after the read above: mark the item as it is
  // now, rather than lose a conditional write to that revision first (measured: one PutItem request per notice saved).
  const current = await getFollowUp(db, tableName, followUp.id, now);
  if (!due(current)) return;
  if (!(await markFollowUpNoticed(ctx, current, due, (latest) => markAttentionNotified(db, tableName, latest, since)))) {
    logger.warn('attention notice sent but not marked: the next sweep marks it (its claim says it went out)', { follow_up_id: followUp.id, attention });
  }
}
