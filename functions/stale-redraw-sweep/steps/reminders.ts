/**
 * The not_acknowledged reminder of a follow-up (CONTRACT §9,
 * FOLLOW_UP_ACK_HOURS): read again strongly consistently (the worklist index
 * may lag a person's acknowledgement), sent under its claim, then marked. The
 * marker is written only after the notifier accepted it, so a failed
 * notification is tried again by the next sweep; a lost race on the marker
 * (another write to the follow-up) reads it again and marks it while it is
 * still new and unmarked. The one way a reminder goes out twice: the sweep
 * stops (or DynamoDB fails) between the notifier's acceptance and the marker.
 */
import { stateAt } from '../../core/follow-up/states';
import { canonicalFromDate } from '../../core/instant';
import { getAppointment } from '../../store/appointments';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { markReminded } from '../../store/follow-ups/tracker';
import { getOrder } from '../../store/order-reads';
import { leftPending, markFollowUpNoticed, notificationOf, reminderClaimKey } from './notices';
import type { StaleRules } from './rules';

const HOUR_MS = 3_600_000;

/** The opening time before which a follow-up still new is reminded of (FOLLOW_UP_ACK_HOURS before now), or null when reminders are off. */
export function reminderOpenedBefore(now: Date, ackHours: number | null): string | null {
  return ackHours === null ? null : canonicalFromDate(new Date(now.getTime() - ackHours * HOUR_MS));
}

/** Whether the follow-up as read now still awaits its reminder: new at `now`, not reminded, opened before `openedBefore`. */
export function reminderDue(stored: StoredFollowUp | null, now: Date, openedBefore: string): stored is StoredFollowUp {
  return stored !== null && stateAt(stored.followUp, now).state === 'new' && stored.remindedAt === null && stored.followUp.opened_at < openedBefore;
}

/** The order a reminder names: the follow-up's open redraw, else its redraw order, else its initial order. */
export function reminderOrderId(stored: Pick<StoredFollowUp, 'followUp' | 'redraw'>): string | null {
  return stored.redraw?.orderId ?? stored.followUp.redraw_order_id ?? stored.followUp.initial_order_id;
}

/** Sends one follow-up's not_acknowledged reminder, if it is still due. */
export async function remind(rules: StaleRules, listed: StoredFollowUp, openedBefore: string): Promise<void> {
  const { ctx, reads, view, sender } = rules;
  const { db, tableName, now, since, logger, tally } = ctx;
  if (sender.stopped || !ctx.gate.mayStart('notification')) return;
  const due = (stored: StoredFollowUp | null): stored is StoredFollowUp => reminderDue(stored, now, openedBefore);
  const stored = await getFollowUp(db, tableName, listed.followUp.id, now);
  if (!due(stored)) return;
  const { followUp } = stored;
  const orderId = reminderOrderId(stored);
  const order = orderId === null ? null : await getOrder(db, tableName, orderId);
  if (order === null) {
    logger.debug('follow-up without a stored order: no reminder', { follow_up_id: followUp.id });
    return;
  }
  // The reminder names the redraw order's appointment too: as this sweep read it, else one read.
  const appointment =
    order.record.origin !== 'redraw' ? null : reads.appointments.has(order.record.id) ? view.appointmentOf(order) : await getAppointment(db, tableName, order.record.id);
  const outcome = await sender.publish(reminderClaimKey(followUp.id), notificationOf(order.record, 'not_acknowledged', since, now, followUp, appointment));
  if (leftPending(outcome)) return;
  if (outcome === 'sent') {
    tally.notified++;
    tally.reminded++;
  }
  if (!(await markFollowUpNoticed(ctx, stored, due, (current) => markReminded(db, tableName, current, since)))) {
    logger.warn('reminder sent but not marked: the next sweep may send it again', { follow_up_id: followUp.id });
  }
}
