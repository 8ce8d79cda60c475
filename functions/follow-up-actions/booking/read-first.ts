/**
 * The read before a new booking after an unknown outcome (CONTRACT §14): GET the
 * redraw order's appointment once. What it finds is a fact, written before
 * anything else is decided: the old attempt's booking (the attempt's answer),
 * or an appointment booked elsewhere (bookkeeping); nothing found lets the new
 * call go ahead. A read Junction could not answer is the action's 502.
 */
import { readRefusal } from '../../core/booking/answers';
import { answeredOf, applyJunctionAnswer, type AnsweredAppointment, type BookingChange } from '../../core/booking/apply';
import { bookingOf, sameBooking, type BookingAttempt } from '../../core/booking/record';
import { applyBookedElsewhere, outcomeOfRead } from '../../core/booking/unknown-outcome';
import type { PscApi } from '../../junction/psc';
import { settleBooking } from '../../store/follow-ups/booking';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { putBookedAppointment } from './appointment';
import { FUNCTION_RESERVE_MS, type BookingDeps, type BookingInput, type BookingResult } from './result';

export type ReadFirst = { kind: 'answered'; result: BookingResult } | { kind: 'none' } | { kind: 'written' };

export async function readFirst(deps: BookingDeps, psc: PscApi, stored: StoredFollowUp, attempt: BookingAttempt, input: BookingInput): Promise<ReadFirst> {
  const orderId = stored.followUp.redraw_order_id!;
  const outcome = await psc.withDeadline(input.now.getTime() + input.remainingMs - FUNCTION_RESERVE_MS).activeAppointment(orderId);
  if (outcome.kind !== 'ok') {
    const refusal = readRefusal(outcome) ?? { status: 502 as const, code: 'junction_unavailable', message: 'Junction did not answer the read of the redraw order\'s appointment: try again', retryAfter: null, alarm: null };
    if (refusal.alarm !== null) deps.metrics?.addMetric('JunctionUnauthorized', 'Count', 1);
    deps.logger.warn('booking read first failed', { follow_up_id: input.id, outcome: outcome.kind });
    return { kind: 'answered', result: { kind: 'refused', status: 502, code: refusal.code, message: `${refusal.message} (a booking tried before may have happened; the tracker reads it before booking again)`, stored, retryAfter: refusal.retryAfter } };
  }
  const found = outcome.value;
  const read = outcomeOfRead(attempt, found === null ? null : answeredOf(found), stored.followUp.booking?.appointment_id ?? null, input.now);
  deps.logger.info('booking read first', { follow_up_id: input.id, found: read.kind });
  if (read.kind === 'none') return { kind: 'none' };
  const apply = (current: StoredFollowUp): BookingChange =>
    read.kind === 'booked'
      ? applyJunctionAnswer(current.followUp, current.last ?? null, attempt, read.appointment, { caller: { actor: attempt.by, kind: 'iam' }, graceHours: deps.graceHours, now: input.now })
      : elsewhere(current, read.appointment, attempt);
  if (found !== null) await putBookedAppointment(deps, found, outcome.date, input.now);
  const settled = await settleBooking(deps.db, deps.tableName, input.id, apply, deps.thresholds, input.now);
  if (settled.kind === 'not_found') return { kind: 'answered', result: { kind: 'not_found' } };
  return { kind: 'written' };
}

/** An appointment booked elsewhere kept on the booking: bookkeeping, or nothing when it is there already. */
function elsewhere(current: StoredFollowUp, appointment: AnsweredAppointment, attempt: BookingAttempt): BookingChange {
  const next = applyBookedElsewhere(current.followUp, appointment, attempt);
  return sameBooking(bookingOf(next), bookingOf(current.followUp)) ? { kind: 'unchanged' } : { kind: 'bookkeeping', followUp: next };
}
