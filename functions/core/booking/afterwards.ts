/**
 * Afterwards (CONTRACT §14): Junction's webhooks for the redraw order's
 * appointment act on the follow-up. "That appointment" is the booking's
 * (`booking.appointment_id`); for a follow-up snoozed with `appointment_booked`
 * that has no booking, any appointment of its redraw order. Its cancel wakes the
 * follow-up (`snooze_ended`, `why`), a new start moves the snooze
 * (`snooze_moved`), a confirmation and a completion are the tracker's versions
 * (`appointment_confirmed`, `appointment_completed`); an appointment the tracker
 * did not book is kept as booked elsewhere, changing no state. Every other
 * change of `booking` is not a version. While a booking action is in flight
 * (`booking.attempt`), the action writes what Junction answered: nothing here.
 */
import { isActiveAppointment, NO_EVENT_TIME, rankTime, type Appointment } from '../appointment';
import { addVersion, TRACKER_ACTOR, type Draft } from '../follow-up/history';
import type { FollowUp } from '../follow-up/states';
import { bookingOf, bookingSnoozeUntil, NO_BOOKING, sameBooking, type Booking } from './record';

/** Why a booking's cancel woke the follow-up (the `snooze_ended` entry's `why`). */
export type WakeReason = 'appointment_cancelled' | 'not_confirmed';

/** `draft` after what the redraw order's `appointment` (as stored, §10) says at `now`; `graceHours`: APPOINTMENT_GRACE_HOURS. */
export function afterAppointment(draft: Draft, appointment: Appointment | null, graceHours: number, now: Date): Draft {
  if (appointment === null) return draft;
  const followUp = draft.followUp;
  const booking = bookingOf(followUp);
  if (booking.attempt !== null) return draft;
  const ours = booking.booked_with === 'junction' && booking.appointment_id !== null;
  if (ours && appointment.id !== booking.appointment_id) return draft;
  if (!ours) return notBookedHere(draft, booking, appointment, now);
  return thatAppointment(draft, booking, appointment, graceHours, now);
}

/** The appointment's newest event time, as the entries' `fact_time` (absent when it had none). */
function factTime(appointment: Appointment): { fact_time?: string } {
  const time = rankTime(appointment.rank);
  return time === NO_EVENT_TIME ? {} : { fact_time: time };
}

function snoozedForBooking(followUp: FollowUp): boolean {
  return followUp.state === 'snoozed' && followUp.snooze_reason === 'appointment_booked';
}

/** The booking with the appointment's place and status. */
function withAppointment(booking: Booking, appointment: Appointment): Booking {
  return { ...booking, appointment_id: appointment.id, start_at: appointment.start_at, end_at: appointment.end_at, iana_timezone: appointment.iana_timezone, status: appointment.status };
}

/** An appointment the tracker did not book (the patient, after Junction's text): kept as booked elsewhere; its cancel wakes a follow-up snoozed for it. */
function notBookedHere(draft: Draft, booking: Booking, appointment: Appointment, now: Date): Draft {
  const followUp = draft.followUp;
  // A booking made with the lab and still ahead stays the follow-up's.
  if (booking.booked_with === 'lab' && booking.status === 'recorded') return draft;
  if (isActiveAppointment(appointment)) {
    const next: Booking = { ...NO_BOOKING, ...withAppointment(booking, appointment), booked_with: 'junction', booked_by: null, booked_at: null, key_hash: null, seq: booking.seq };
    return sameBooking(booking, next) ? draft : { ...draft, followUp: { ...followUp, booking: next } };
  }
  if (appointment.status === 'cancelled' && snoozedForBooking(followUp) && booking.appointment_id === null) return wake(draft, booking, appointment, 'appointment_cancelled', now);
  return draft;
}

/** The booking's own appointment: its cancel, its move, its confirmation, its completion. */
function thatAppointment(draft: Draft, booking: Booking, appointment: Appointment, graceHours: number, now: Date): Draft {
  const followUp = draft.followUp;
  const next = withAppointment(booking, appointment);
  if (sameBooking(booking, next)) return draft;
  const open = followUp.state !== 'closed';
  const id = { appointment_id: appointment.id, ...factTime(appointment) };
  if (appointment.status === 'cancelled' && booking.status !== 'cancelled') {
    if (snoozedForBooking(followUp)) return wake(draft, booking, appointment, booking.status === 'pending' ? 'not_confirmed' : 'appointment_cancelled', now);
    return { ...draft, followUp: { ...followUp, booking: next } };
  }
  if (open && appointment.status === 'completed' && booking.status !== 'completed') {
    return addVersion(draft, { ...followUp, booking: next }, { actor: TRACKER_ACTOR, action: 'appointment_completed', ...id }, now);
  }
  if (open && booking.status === 'pending' && appointment.status === 'confirmed') {
    draft = addVersion(draft, { ...followUp, booking: { ...booking, status: 'confirmed' } }, { actor: TRACKER_ACTOR, action: 'appointment_confirmed', ...id }, now);
  }
  const current = draft.followUp;
  if (snoozedForBooking(current) && isActiveAppointment(appointment) && appointment.start_at !== null && appointment.start_at !== booking.start_at) {
    const until = bookingSnoozeUntil(appointment.start_at, graceHours);
    return addVersion(draft, { ...current, snoozed_until: until, booking: next }, { actor: TRACKER_ACTOR, action: 'snooze_moved', from_until: current.snoozed_until, until, ...id }, now);
  }
  return { ...draft, followUp: { ...current, booking: next } };
}

/** The tracker's `snooze_ended` for a cancelled appointment: acknowledged again, with why (unlike the clock's, an expected_version behind it is a conflict). */
function wake(draft: Draft, booking: Booking, appointment: Appointment, why: WakeReason, now: Date): Draft {
  const followUp = draft.followUp;
  const next: FollowUp = { ...followUp, state: 'acknowledged', snoozed_until: null, snooze_reason: null, booking: withAppointment(booking, appointment) };
  return addVersion(draft, next, { actor: TRACKER_ACTOR, action: 'snooze_ended', why, appointment_id: appointment.id, ...factTime(appointment) }, now);
}
