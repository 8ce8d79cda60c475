/**
 * The one call to Junction that books, moves or cancels (CONTRACT §14), made
 * after its claim is written and never again: Junction's answer is written as a
 * fact whatever races it (store/follow-ups/booking.ts settleBooking), a refusal
 * that booked nothing settles the attempt, and an answer that never came leaves
 * the attempt as an unknown outcome for the next try to read first.
 */
import { bookingRefusal } from '../../core/booking/answers';
import type { BookingActionBody } from '../../core/booking/action-body';
import { answeredOf, applyJunctionAnswer, applyRefusal } from '../../core/booking/apply';
import type { BookingStep } from '../../core/booking/decide';
import type { Caller } from '../../core/follow-up/person-action';
import type { PscApi, PscOutcome } from '../../junction/psc';
import type { AppointmentAnswer } from '../../junction/psc-schemas';
import { BOOKING_METRICS } from '../../shared/metric-names';
import { errorName } from '../../shared/observability';
import { settleBooking } from '../../store/follow-ups/booking';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { putBookedAppointment } from './appointment';
import { FUNCTION_RESERVE_MS, type BookingDeps, type BookingResult } from './result';

export interface CallInput {
  id: string;
  caller: Caller;
  now: Date;
  remainingMs: number;
  action: BookingActionBody;
}

type CallStep = Extract<BookingStep, { kind: 'call' }>;

/** Sends the claimed call once (`claimed`: the follow-up with its claim written) and writes what came of it. */
export async function callJunction(deps: BookingDeps, psc: PscApi, claimed: StoredFollowUp, step: CallStep, input: CallInput): Promise<BookingResult> {
  const outcome = await send(deps, psc.withDeadline(input.now.getTime() + input.remainingMs - FUNCTION_RESERVE_MS), claimed.followUp.redraw_order_id!, step);
  if (outcome.kind === 'ok') return recordAnswer(deps, step, outcome.value, outcome.date, input);
  const call = step.attempt.kind;
  const refusal = bookingRefusal(outcome, call);
  deps.logger.warn('booking call refused', { follow_up_id: input.id, call, outcome: outcome.kind, code: refusal.code });
  if (refusal.status === 502 && refusal.unknown) {
    deps.metrics?.addMetric(BOOKING_METRICS.unknownOutcomes, 'Count', 1);
    return { kind: 'refused', status: 502, code: refusal.code, message: refusal.message, stored: claimed, retryAfter: refusal.retryAfter };
  }
  if (refusal.status === 502 && refusal.alarm !== null) deps.metrics?.addMetric(BOOKING_METRICS.unauthorized, 'Count', 1);
  // Known: nothing was booked (a call never sent advances nothing).
  const answered = outcome.kind !== 'unavailable';
  const settled = await settleBooking(deps.db, deps.tableName, input.id, (current) => applyRefusal(current.followUp, step.attempt, answered), deps.thresholds, input.now);
  const stored = settled.kind === 'settled' ? settled.stored : null;
  return { kind: 'refused', status: refusal.status, code: refusal.code, message: refusal.message, stored, retryAfter: refusal.status === 502 ? refusal.retryAfter : null };
}

function send(deps: BookingDeps, api: PscApi, orderId: string, step: CallStep): Promise<PscOutcome<AppointmentAnswer>> {
  const idempotencyKey = step.attempt.key;
  switch (step.attempt.kind) {
    case 'book':
      return api.book(orderId, { bookingKey: step.bookingKey!, idempotencyKey, asyncConfirmation: deps.bookingAsync });
    case 'reschedule':
      return api.reschedule(orderId, { bookingKey: step.bookingKey!, idempotencyKey });
    case 'cancel':
      return api.cancel(orderId, { reasonId: step.reasonId!, idempotencyKey });
  }
}

/** Junction's answer written as a fact, then kept on the redraw order (§10's item). */
async function recordAnswer(deps: BookingDeps, step: CallStep, answer: AppointmentAnswer, date: string | null, input: CallInput): Promise<BookingResult> {
  const appointment = answeredOf(answer);
  const owner = input.action.action === 'book' ? input.action.owner : undefined;
  const context = { caller: input.caller, owner, reasonId: step.reasonId, graceHours: deps.graceHours, now: input.now };
  // The order's appointment first: a recompute meanwhile then sees Junction's answer (and leaves the booking to this action while its attempt is on).
  await putBookedAppointment(deps, answer, date, input.now);
  let settled;
  try {
    settled = await settleBooking(deps.db, deps.tableName, input.id, (current) => applyJunctionAnswer(current.followUp, current.last ?? null, step.attempt, appointment, context), deps.thresholds, input.now);
  } catch (error) {
    // Junction acted; the attempt stays on the follow-up, and the next try reads Junction's appointment first and records it.
    deps.metrics?.addMetric(BOOKING_METRICS.unrecorded, 'Count', 1);
    deps.logger.error('booking answered but not recorded', { follow_up_id: input.id, error: errorName(error) });
    return { kind: 'refused', status: 500, code: 'internal_error', message: 'Junction answered, but the tracker could not record it yet: look again in a minute (trying again records it, and never books twice)', stored: null };
  }
  deps.metrics?.addMetric(BOOKING_METRICS.answered, 'Count', 1);
  deps.logger.info('booking answered', { follow_up_id: input.id, call: step.attempt.kind, appointment_status: appointment.status });
  if (settled.kind === 'not_found') return { kind: 'not_found' };
  return { kind: 'ok', stored: settled.stored, message: meanwhile(settled.stored, step, appointment.status) };
}

/** What the answer says besides the follow-up: a close meanwhile, or a booking Quest has yet to confirm. */
function meanwhile(stored: StoredFollowUp, step: CallStep, status: string): string | null {
  const { followUp } = stored;
  if (step.attempt.kind !== 'cancel' && followUp.state === 'closed') return `Booked; ${followUp.closed_by ?? 'someone'} closed the follow-up meanwhile`;
  if (status === 'pending') return 'Booked, waiting for Quest to confirm';
  return null;
}
