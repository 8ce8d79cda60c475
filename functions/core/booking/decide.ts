/**
 * What a booking action does before anything is written or sent (CONTRACT §14):
 * answer at once (a double click, a retry, a refusal), read Junction's
 * appointment first (an attempt whose outcome is unknown), claim and call
 * Junction, or record a version now (a booking made with the lab, its cancel).
 * Plain data in, a step out: the actions function reads, decides, acts.
 */
import { canonicalFromDate } from '../instant';
import { acknowledgedOwner, expectedVersionHolds, type Caller } from '../follow-up/person-action';
import type { LastEntry } from '../follow-up/history';
import { stateAt, type FollowUp } from '../follow-up/states';
import type { BookingActionBody } from './action-body';
import { bookingKeyHash, idempotencyKey } from './idempotency';
import { APPOINTMENT_PSC_LABS, bookingLab, notBookable, type BookingFacts } from './options';
import { attemptInProgress, attemptKeyHash, bookingOf, hasActiveJunctionBooking, hasActiveLabBooking, type Booking, type BookingAttempt, type BookingCallKind } from './record';

export interface BookingRequest {
  followUp: FollowUp;
  last: LastEntry | null;
  action: BookingActionBody;
  caller: Caller;
  facts: BookingFacts;
  now: Date;
}

export type BookingStep =
  /** 200 with the follow-up as it is. */
  | { kind: 'unchanged' }
  /** `expected_version` is not the follow-up's: 409 conflict. */
  | { kind: 'conflict' }
  | { kind: 'refused'; status: 400 | 409; code: 'not_bookable' | 'already_booked' | 'invalid_transition' | 'booking_in_progress' | 'invalid_request'; message: string }
  /** An attempt older than ATTEMPT_HOLD_MS has no known outcome: read Junction's appointment before anything else. */
  | { kind: 'read_first'; attempt: BookingAttempt }
  /** Claim `attempt` (not a version), then make the call once. */
  | { kind: 'call'; attempt: BookingAttempt; bookingKey: string | null; reasonId: string | null }
  /** A version now, without Junction: record_booking, or the cancel of a booking made with the lab. */
  | { kind: 'record' };

const IN_PROGRESS = 'someone is booking this redraw now: wait a minute, then look again';

/** The step for `request` (see the module comment). */
export function decideBooking(request: BookingRequest): BookingStep {
  const { action, now } = request;
  const followUp = stateAt(request.followUp, now);
  const booking = bookingOf(followUp);
  const slot = action.action === 'book' || action.action === 'reschedule_booking' ? action : null;
  const hash = slot === null ? null : bookingKeyHash(slot.booking_key);
  // A double click or a retry of what was booked, or of what is being booked: the follow-up as it is, whatever its expected_version.
  if (slot !== null && hash !== null && sameSlot(booking, slot, hash, now)) return { kind: 'unchanged' };
  if (attemptInProgress(booking, now)) {
    return hash !== null && booking.attempt !== null && attemptKeyHash(booking.attempt) === hash ? { kind: 'unchanged' } : refuse(409, 'booking_in_progress', IN_PROGRESS);
  }
  if (!expectedVersionHolds(action.expected_version, request.followUp, request.last)) return { kind: 'conflict' };
  switch (action.action) {
    case 'book':
    case 'reschedule_booking':
      return slotStep(request, booking, hash!);
    case 'cancel_booking':
      return cancelStep(request, booking);
    case 'record_booking':
      return recordStep(request, booking);
  }
}

/** Whether a book or reschedule asks for what is booked already: the same booking key, or the same site and start. */
function sameSlot(booking: Booking, action: Extract<BookingActionBody, { slot_start: string }>, hash: string, now: Date): boolean {
  if (!hasActiveJunctionBooking(booking, now)) return false;
  return booking.key_hash === hash || (booking.site_code === action.site_code && booking.start_at === action.slot_start);
}

function slotStep(request: BookingRequest, booking: Booking, hash: string): BookingStep {
  const action = request.action as Extract<BookingActionBody, { slot_start: string }>;
  const why = junctionRefusal(request.facts);
  if (why !== null) return refuse(409, 'not_bookable', why);
  const active = hasActiveJunctionBooking(booking, request.now);
  if (action.action === 'book') {
    if (active) return refuse(409, 'already_booked', 'The redraw is booked already: reschedule_booking moves it to another time');
    if (hasActiveLabBooking(booking, request.now)) return refuse(409, 'already_booked', 'A booking made with the lab is recorded: cancel it first (cancel_booking), then book here');
    const owner = acknowledgedOwner(request.followUp.owner, action.owner, request.caller);
    if (owner.kind === 'refused') return refuse(409, 'invalid_transition', owner.message);
  } else if (!active) {
    return refuse(409, 'invalid_transition', 'There is no active booking made through Junction to move: book the redraw instead');
  }
  if (booking.attempt !== null && booking.attempt.kind !== 'cancel') return { kind: 'read_first', attempt: booking.attempt };
  const kind: BookingCallKind = action.action === 'book' ? 'book' : 'reschedule';
  return call(request, booking, kind, { bookingKey: action.booking_key, reasonId: null, slotStart: action.slot_start, siteCode: action.site_code, hash });
}

function cancelStep(request: BookingRequest, booking: Booking): BookingStep {
  const action = request.action as Extract<BookingActionBody, { action: 'cancel_booking' }>;
  if (hasActiveLabBooking(booking, request.now)) {
    if (action.cancellation_reason_id !== undefined) return refuse(400, 'invalid_request', 'cancellation_reason_id is for a booking made through Junction: a booking made with the lab is cancelled with the lab, and recorded here without one');
    return { kind: 'record' };
  }
  if (!hasActiveJunctionBooking(booking, request.now)) return refuse(409, 'invalid_transition', 'There is no active booking to cancel');
  if (!request.facts.junctionKeySet) return refuse(409, 'not_bookable', KEY_NOT_SET);
  if (action.cancellation_reason_id === undefined) return refuse(400, 'invalid_request', 'cancellation_reason_id is required to cancel a booking made through Junction: one of GET /booking/cancellation-reasons');
  const reasonId = action.cancellation_reason_id.toLowerCase();
  return call(request, booking, 'cancel', { bookingKey: null, reasonId, slotStart: null, siteCode: null, hash: bookingKeyHash(reasonId) });
}

function recordStep(request: BookingRequest, booking: Booking): BookingStep {
  const action = request.action as Extract<BookingActionBody, { action: 'record_booking' }>;
  const why = notBookable(request.facts);
  if (why !== null) return refuse(409, 'not_bookable', why);
  if (hasActiveJunctionBooking(booking, request.now)) return refuse(409, 'already_booked', 'The redraw is booked through Junction: reschedule_booking moves it, cancel_booking cancels it');
  const owner = acknowledgedOwner(request.followUp.owner, action.owner, request.caller);
  if (owner.kind === 'refused') return refuse(409, 'invalid_transition', owner.message);
  return { kind: 'record' };
}

const KEY_NOT_SET = "Junction's API key is not set: record a booking made with the lab, or see docs/reconcile.md";

/** Why nothing can be booked through Junction for these facts (§14's rule, the key, the lab), or null. */
function junctionRefusal(facts: BookingFacts): string | null {
  const why = notBookable(facts);
  if (why !== null) return why;
  if (!facts.junctionKeySet) return KEY_NOT_SET;
  const lab = bookingLab(facts);
  if (lab !== null && !APPOINTMENT_PSC_LABS.includes(lab)) return `${lab} PSCs are booked with the lab: call the PSC, then record the booking`;
  return null;
}

function call(
  request: BookingRequest,
  booking: Booking,
  kind: BookingCallKind,
  slot: { bookingKey: string | null; reasonId: string | null; slotStart: string | null; siteCode: string | null; hash: string },
): BookingStep {
  const key = idempotencyKey(request.followUp.id, booking.seq, slot.bookingKey ?? slot.reasonId ?? '');
  const attempt: BookingAttempt = { kind, at: canonicalFromDate(request.now), key, by: request.caller.actor, slot_start: slot.slotStart, site_code: slot.siteCode };
  return { kind: 'call', attempt, bookingKey: slot.bookingKey, reasonId: slot.reasonId };
}

function refuse(status: 400 | 409, code: Extract<BookingStep, { kind: 'refused' }>['code'], message: string): BookingStep {
  return { kind: 'refused', status, code, message };
}
