/**
 * An attempt whose outcome is unknown (CONTRACT §14): Junction's answer never
 * came (a timeout, a 5xx, a lost connection), so the booking may have happened.
 * The next book or reschedule first reads the order's appointment: 404, or an
 * appointment cancelled, completed or past its start, is none; an active one
 * whose start is the attempt's slot is the attempt's result; another active
 * one was booked elsewhere (the patient, after Junction's text), or, for a
 * reschedule, is the booking still at its old time.
 */
import { canonicalInstant, instantMillis } from '../instant';
import type { AnsweredAppointment } from './apply';
import { bookingOf, type BookingAttempt } from './record';
import type { FollowUp } from '../follow-up/states';

export type ReadOutcome =
  /** The attempt booked (or moved) this appointment: write it as the attempt's answer. */
  | { kind: 'booked'; appointment: AnsweredAppointment }
  /** Nothing of the attempt's: the new call goes ahead (the read advances nothing). */
  | { kind: 'none' }
  /** An active appointment the tracker did not book: kept as booked elsewhere, and a book is 409 already_booked. */
  | { kind: 'elsewhere'; appointment: AnsweredAppointment };

const ACTIVE = new Set(['pending', 'reserved', 'confirmed']);

/** What the read of the order's appointment (`found`; null: 404) says of `attempt` at `now`; `bookedId`: the booking's appointment id before it. */
export function outcomeOfRead(attempt: BookingAttempt, found: AnsweredAppointment | null, bookedId: string | null, now: Date): ReadOutcome {
  if (found === null || !ACTIVE.has(found.status) || found.start_at === null || instantMillis(found.start_at) <= now.getTime()) return { kind: 'none' };
  if (attempt.slot_start !== null && canonicalInstant(found.start_at) === canonicalInstant(attempt.slot_start)) return { kind: 'booked', appointment: found };
  // A reschedule's appointment still at its old time: the reschedule did not happen.
  if (attempt.kind === 'reschedule' && found.id === bookedId) return { kind: 'none' };
  return { kind: 'elsewhere', appointment: found };
}

/**
 * An appointment of the redraw order the tracker did not book (§14, "Afterwards"):
 * `booking` with `booked_by` null, no state changed, not a version. The attempt
 * the read settled is cleared (its outcome is known: not this one).
 */
export function applyBookedElsewhere(followUp: FollowUp, appointment: AnsweredAppointment, settledAttempt: BookingAttempt | null): FollowUp {
  const booking = bookingOf(followUp);
  const own = settledAttempt !== null && booking.attempt?.key === settledAttempt.key;
  return {
    ...followUp,
    booking: {
      ...booking,
      appointment_id: appointment.id,
      site_code: null,
      start_at: appointment.start_at === null ? null : (canonicalInstant(appointment.start_at) ?? appointment.start_at),
      end_at: appointment.end_at === null ? null : (canonicalInstant(appointment.end_at) ?? appointment.end_at),
      iana_timezone: appointment.iana_timezone,
      status: appointment.status,
      booked_by: null,
      booked_at: null,
      booked_with: 'junction',
      key_hash: null,
      attempt: own ? null : booking.attempt,
      unknown_since: own ? null : booking.unknown_since,
    },
  };
}
