/**
 * What a booking does to a follow-up (CONTRACT §14): the claim and the other
 * bookkeeping (not versions), and the versions: Junction's answer written as a
 * fact, a booking made with the lab recorded, its cancel. Like person-action.ts,
 * each returns the next follow-up and its history entries; the store writes them
 * on what it read, and a lost race asks again of what is stored then.
 */
import { canonicalInstant, instantMillis } from '../instant';
import { addVersion, endSnooze, recordedAt, type FollowUpAction, type LastEntry } from '../follow-up/history';
import { acknowledgedOwner, type Caller } from '../follow-up/person-action';
import type { FollowUp } from '../follow-up/states';
import type { AppointmentPayload } from '../schemas';
import { attemptKeyHash, bookingOf, bookingSnoozeUntil, sameBooking, type Booking, type BookingAttempt } from './record';

/** An appointment as Junction answered it, as much as the follow-up keeps. */
export interface AnsweredAppointment {
  id: string;
  start_at: string | null;
  end_at: string | null;
  iana_timezone: string | null;
  status: string;
}

/** Junction's appointment (an answer or a read) as the follow-up keeps it. */
export function answeredOf(payload: AppointmentPayload): AnsweredAppointment {
  return { id: payload.id, start_at: payload.start_at ?? null, end_at: payload.end_at ?? null, iana_timezone: payload.iana_timezone ?? null, status: payload.status };
}

export type BookingChange =
  | { kind: 'changed'; followUp: FollowUp; entries: FollowUpAction[]; last: LastEntry }
  | { kind: 'bookkeeping'; followUp: FollowUp }
  | { kind: 'unchanged' };

const ACTIVE = new Set(['pending', 'reserved', 'confirmed']);

/** The claim (§14): `attempt` on the booking and `unknown_since`, no version. */
export function claimAttempt(followUp: FollowUp, attempt: BookingAttempt): FollowUp {
  return { ...followUp, booking: { ...bookingOf(followUp), attempt, unknown_since: attempt.at } };
}

/** The `seq` an attempt was sent with (the idempotency key's middle part). */
export function attemptSeq(attempt: BookingAttempt): number {
  const parts = attempt.key.split(':');
  return Number(parts[parts.length - 2]);
}

/**
 * The bookkeeping once `attempt`'s outcome is known: the attempt and
 * `unknown_since` cleared when it is still the stored one, and `seq` past the
 * attempt's when Junction answered (`answered`; a call never sent advances nothing).
 */
export function settled(booking: Booking, attempt: BookingAttempt, answered: boolean): Booking {
  const own = booking.attempt?.key === attempt.key;
  return {
    ...booking,
    attempt: own ? null : booking.attempt,
    unknown_since: own ? null : booking.unknown_since,
    seq: answered ? Math.max(booking.seq, attemptSeq(attempt) + 1) : booking.seq,
  };
}

/** The follow-up after Junction refused `attempt` (nothing booked), or after it was never sent: bookkeeping only. */
export function applyRefusal(followUp: FollowUp, attempt: BookingAttempt, answered: boolean): BookingChange {
  const booking = bookingOf(followUp);
  const next = settled(booking, attempt, answered);
  return sameBooking(next, booking) ? { kind: 'unchanged' } : { kind: 'bookkeeping', followUp: { ...followUp, booking: next } };
}

/** Who acts and with what, when Junction's answer is written: the caller (or the attempt's claimer), the owner a book names, the reason a cancel gave. */
export interface AnswerContext {
  caller: Caller;
  owner?: string | undefined;
  reasonId?: string | null;
  graceHours: number;
  now: Date;
}

/**
 * Junction's answer to `attempt` written as a fact (§14), on the follow-up as
 * it is now: a book sets `booking` and snoozes until the start plus the grace
 * (the acknowledgement from `new`; a closed follow-up stays closed); a
 * reschedule moves both; a cancel ends the snooze. One version and its entry.
 */
export function applyJunctionAnswer(stored: FollowUp, last: LastEntry | null, attempt: BookingAttempt, appointment: AnsweredAppointment, context: AnswerContext): BookingChange {
  if (recordedAlready(bookingOf(stored), attempt, appointment)) return { kind: 'unchanged' };
  const ended = endSnooze({ followUp: stored, entries: [], last }, context.now);
  const current = ended.followUp;
  const at = recordedAt(context.now, ended.last);
  const before = bookingOf(current);
  const kept = settled(before, attempt, true);
  const moved = { appointment_id: appointment.id, start_at: canonicalOr(appointment.start_at), end_at: canonicalOr(appointment.end_at), iana_timezone: appointment.iana_timezone, status: appointment.status };
  let booking: Booking;
  let fields: Record<string, unknown>;
  if (attempt.kind === 'cancel') {
    booking = { ...kept, status: appointment.status };
    fields = { appointment_id: appointment.id, cancellation_reason_id: context.reasonId ?? null, appointment_status: appointment.status, booked_with: 'junction' };
  } else {
    const site = attempt.site_code ?? before.site_code;
    booking = { ...kept, ...moved, site_code: site, booked_with: 'junction', key_hash: attemptKeyHash(attempt), booked_by: attempt.kind === 'book' ? attempt.by : before.booked_by, booked_at: attempt.kind === 'book' ? at : before.booked_at };
    fields = { appointment_id: appointment.id, site_code: site, start_at: booking.start_at, end_at: booking.end_at, iana_timezone: booking.iana_timezone, appointment_status: appointment.status, booked_with: 'junction' };
    if (attempt.kind === 'reschedule') fields = { from: placeOf(before), to: placeOf(booking), appointment_status: appointment.status };
  }
  const held = heldBy(current, booking, context);
  const action = attempt.kind === 'book' ? 'book' : attempt.kind === 'reschedule' ? 'reschedule_booking' : 'cancel_booking';
  const draft = addVersion(ended, { ...held.followUp, booking }, { actor: context.caller.actor, action, ...fields, ...held.fields }, context.now);
  return { kind: 'changed', followUp: draft.followUp, entries: draft.entries, last: draft.last! };
}

/**
 * Whether the answer to `attempt` is on the booking already: the attempt is no
 * longer the stored one and the booking holds this appointment as answered (two
 * reads after one unknown outcome both found it: the second records nothing).
 */
function recordedAlready(booking: Booking, attempt: BookingAttempt, appointment: AnsweredAppointment): boolean {
  if (booking.attempt?.key === attempt.key) return false;
  return booking.appointment_id === appointment.id && booking.status === appointment.status && booking.start_at === canonicalOr(appointment.start_at);
}

/** A booking's place, as a reschedule's entry names it (`from`, `to`). */
function placeOf(booking: Booking): { appointment_id: string | null; site_code: string | null; start_at: string | null; end_at: string | null } {
  return { appointment_id: booking.appointment_id, site_code: booking.site_code, start_at: booking.start_at, end_at: booking.end_at };
}

function canonicalOr(value: string | null): string | null {
  return value === null ? null : (canonicalInstant(value) ?? value);
}

/**
 * The state a booking leaves (§14): snoozed until its start plus the grace while
 * it is active and ahead (from `new` the acknowledgement, the owner by
 * acknowledge's rule), its snooze ended when it is not (a cancel); a closed
 * follow-up stays closed. The entry's `until`, `reason` and `owner` as they apply.
 */
function heldBy(current: FollowUp, booking: Booking, context: AnswerContext): { followUp: FollowUp; fields: Record<string, unknown> } {
  if (current.state === 'closed') return { followUp: current, fields: {} };
  const at = context.now.getTime();
  const ahead = booking.start_at !== null && instantMillis(booking.start_at) > at && booking.status !== null && (ACTIVE.has(booking.status) || booking.status === 'recorded');
  if (!ahead) {
    const wasBooked = current.state === 'snoozed' && current.snooze_reason === 'appointment_booked';
    return { followUp: wasBooked ? { ...current, state: 'acknowledged', snoozed_until: null, snooze_reason: null } : current, fields: {} };
  }
  const until = bookingSnoozeUntil(booking.start_at!, context.graceHours);
  const owner = acknowledgedOwner(current.owner, context.owner, context.caller);
  // A fact is written whatever happened meanwhile: an owner named that now differs keeps the one there is.
  const ownerNow = owner.kind === 'ok' ? owner.owner : current.owner;
  const acknowledgedAt = current.acknowledged_at ?? recordedAt(context.now, null);
  const followUp: FollowUp = { ...current, state: 'snoozed', snoozed_until: until, snooze_reason: 'appointment_booked', acknowledged_at: acknowledgedAt, owner: ownerNow };
  return { followUp, fields: { until, reason: 'appointment_booked', ...(ownerNow !== current.owner || context.owner !== undefined ? { owner: ownerNow } : {}) } };
}

/** record_booking (§14): a booking made with the lab, replacing one recorded before (the entry's `from` and `to`). */
export function applyRecordBooking(stored: FollowUp, last: LastEntry | null, booked: { start_at: string; site_code: string | null }, context: AnswerContext): BookingChange {
  const ended = endSnooze({ followUp: stored, entries: [], last }, context.now);
  const current = ended.followUp;
  const before = bookingOf(current);
  const booking: Booking = {
    ...before,
    appointment_id: null,
    site_code: booked.site_code,
    start_at: booked.start_at,
    end_at: null,
    iana_timezone: null,
    status: 'recorded',
    booked_by: context.caller.actor,
    booked_at: recordedAt(context.now, ended.last),
    booked_with: 'lab',
    key_hash: null,
  };
  const replaced = before.booked_with === 'lab' && before.status === 'recorded';
  const place = { start_at: booking.start_at, site_code: booking.site_code, booked_with: 'lab' };
  const fields = replaced ? { from: placeOf(before), to: placeOf(booking), booked_with: 'lab' } : place;
  const held = heldBy(current, booking, context);
  const draft = addVersion(ended, { ...held.followUp, booking }, { actor: context.caller.actor, action: 'record_booking', ...fields, ...held.fields }, context.now);
  return { kind: 'changed', followUp: draft.followUp, entries: draft.entries, last: draft.last! };
}

/** cancel_booking of a booking made with the lab (§14): no call; the booking cancelled, the snooze ended. */
export function applyLabCancel(stored: FollowUp, last: LastEntry | null, context: AnswerContext): BookingChange {
  const ended = endSnooze({ followUp: stored, entries: [], last }, context.now);
  const current = ended.followUp;
  const booking: Booking = { ...bookingOf(current), status: 'cancelled' };
  const held = heldBy(current, booking, context);
  const entry = { actor: context.caller.actor, action: 'cancel_booking', appointment_id: null, site_code: booking.site_code, start_at: booking.start_at, booked_with: 'lab', ...held.fields };
  const draft = addVersion(ended, { ...held.followUp, booking }, entry, context.now);
  return { kind: 'changed', followUp: draft.followUp, entries: draft.entries, last: draft.last! };
}
