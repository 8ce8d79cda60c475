/**
 * The redraw_failed notice of a follow-up (CONTRACT §9): its redraw order
 * ended otherwise than completed, it stays open with `attention`, and a person
 * decides what happens next. Read again strongly consistently (the worklist
 * may lag a person's close), sent under its claim (one per follow-up and
 * failed redraw order), then marked on the follow-up, as the reminder is. The
 * claim also covers a marker that a later write of the follow-up did not keep:
 * the next sweep finds the claim sent and only marks it again. The one way it
 * goes out twice: a crash between the notifier's acceptance and the claim's
 * mark (sent again 15 minutes later, once).
 */
import { stateAt, type FollowUp } from '../../core/follow-up';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { awaitsRedrawFailedNotice, markAttentionNotified } from '../../store/follow-ups/tracker';
import { getOrder } from '../../store/order-reads';
import { leftPending, markFollowUpNoticed, notificationOf, redrawFailedClaimKey } from './notices';
import type { StaleRules } from './rules';

/** The order that failed: the redraw order, or (a transaction that ended without one) the initial order. */
export function failedOrderId(followUp: Pick<FollowUp, 'redraw_order_id' | 'initial_order_id'>): string | null {
  return followUp.redraw_order_id ?? followUp.initial_order_id;
}

/** Sends one follow-up's redraw_failed notice, if it is still due. */
export async function noticeFailedRedraw(rules: StaleRules, listed: StoredFollowUp): Promise<void> {
  const { ctx, sender } = rules;
  const { db, tableName, now, since, logger, tally } = ctx;
  if (sender.stopped || !ctx.gate.mayStart('notification')) return;
  const due = (stored: StoredFollowUp | null): stored is StoredFollowUp => stored !== null && awaitsRedrawFailedNotice(stored, now);
  const stored = await getFollowUp(db, tableName, listed.followUp.id, now);
  if (!due(stored)) return;
  const followUp = stateAt(stored.followUp, now);
  const orderId = failedOrderId(followUp);
  const order = orderId === null ? null : await getOrder(db, tableName, orderId);
  if (orderId === null || order === null) {
    logger.debug('follow-up without a stored order: no redraw_failed notice', { follow_up_id: followUp.id });
    return;
  }
  const outcome = await sender.publish(redrawFailedClaimKey(followUp.id, orderId), notificationOf(order.record, 'redraw_failed', since, now, followUp, null));
  if (leftPending(outcome)) return;
  if (outcome === 'sent') {
    tally.notified++;
    tally.redrawFailedNotified++;
  }
  if (!(await markFollowUpNoticed(ctx, stored, due, (current) => markAttentionNotified(db, tableName, current, since)))) {
    logger.warn('redraw_failed notice sent but not marked: the next sweep marks it (its claim says it went out)', { follow_up_id: followUp.id });
  }
}
