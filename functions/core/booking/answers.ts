/**
 * Junction's answers to a booking, in words (CONTRACT §14's table, DOMAIN's
 * error list): several share 400, so Junction's message decides where its
 * status does not. Nothing of Junction's is echoed whole: only its words cut
 * to a line (psc.ts), quoted where the table says so.
 */
import type { PscFailure } from './junction-failure';

export type BookingCall = 'book' | 'reschedule' | 'cancel';

/** What the tracker answers instead. `unknown`: the booking may have happened (the attempt is kept as unknown). */
export type BookingRefusal =
  | { status: 409; code: 'not_bookable'; message: string }
  | { status: 409; code: 'slot_unavailable'; message: string; reloadSlots: boolean }
  | { status: 409; code: 'already_booked' | 'invalid_transition'; message: string }
  | { status: 400; code: 'invalid_request'; message: string; field: string }
  | { status: 502; code: 'junction_unavailable'; message: string; retryAfter: string | null; alarm: 'api_key_refused' | null; unknown: boolean };

const NOT_IN_STATE = /not in a state that allows booking/i;
const BAD_KEY = /invalid booking key format/i;
const NO_LONGER = /no longer available/i;
const ORDER_NOT_FOUND = /order\b.*\bnot found|not found\b.*\border/i;
const NO_APPOINTMENT = /appointment\b.*\bnot found|no (active )?appointment/i;
// Junction's docs do not give its words for a second active appointment of one patient (DOMAIN: "cannot hold two").
const ALREADY_BOOKED = /already (has|have) an? (active )?appointment|active appointment already/i;

/** The tracker's answer to a failed book, reschedule or cancel. */
export function bookingRefusal(failure: PscFailure, call: BookingCall): BookingRefusal {
  if (failure.kind === 'unauthorized') {
    return { status: 502, code: 'junction_unavailable', message: "Junction refused the tracker's API key", retryAfter: null, alarm: 'api_key_refused', unknown: false };
  }
  if (failure.kind === 'unavailable') return unavailable(failure, call);
  const words = failure.detail ?? '';
  if (failure.status === 422) return { status: 400, code: 'invalid_request', field: failure.field ?? requestField(call), message: `Junction refused ${failure.field ?? requestField(call)}${quoted(failure.detail)}` };
  if (NOT_IN_STATE.test(words)) return { status: 409, code: 'not_bookable', message: `Junction says${quoted(failure.detail)}: check the order in Junction's dashboard` };
  if (failure.status === 404 && ORDER_NOT_FOUND.test(words)) return { status: 409, code: 'not_bookable', message: "Junction does not know the redraw order: check the order in Junction's dashboard" };
  // The appointment was cancelled elsewhere since the tracker last heard: nothing to move or cancel.
  if (call !== 'book' && NO_APPOINTMENT.test(words)) return { status: 409, code: 'invalid_transition', message: 'Junction has no active appointment for the redraw order any more (cancelled elsewhere?): book it again' };
  // The patient holds an appointment the tracker does not know of (booked after Junction's text): another time would fail the same way.
  if (call === 'book' && ALREADY_BOOKED.test(words)) return { status: 409, code: 'already_booked', message: `Junction says the patient already has an appointment${quoted(failure.detail)}: reschedule or cancel that one instead` };
  if (call === 'cancel') return { status: 400, code: 'invalid_request', field: 'cancellation_reason_id', message: `Junction refused the cancellation reason${quoted(failure.detail)}: choose one of GET /booking/cancellation-reasons` };
  if (failure.status === 400 && BAD_KEY.test(words)) return { status: 400, code: 'invalid_request', field: 'booking_key', message: 'Junction refused booking_key: its format is not one of Junction\'s; read the slots again' };
  if (failure.status === 400 && NO_LONGER.test(words)) return { status: 409, code: 'slot_unavailable', message: 'That time is no longer available: choose another', reloadSlots: true };
  if (failure.status === 400 || failure.status === 404) return { status: 409, code: 'slot_unavailable', message: 'That time was just taken: choose another', reloadSlots: true };
  // Another 4xx (409, 410, ...): Junction's words, and nothing booked.
  return { status: 409, code: 'not_bookable', message: `Junction answered ${failure.status}${quoted(failure.detail)}: check the order in Junction's dashboard` };
}

function unavailable(failure: Extract<PscFailure, { kind: 'unavailable' }>, call: BookingCall): BookingRefusal {
  const what = call === 'cancel' ? 'Nothing was cancelled that the tracker knows of; trying again cancels at most once' : 'Nothing was booked that the tracker knows of; trying again books at most once';
  const message = failure.sent ? what : `Junction was not asked: ${failure.reason}; nothing was ${call === 'cancel' ? 'cancelled' : 'booked'}`;
  return { status: 502, code: 'junction_unavailable', message, retryAfter: failure.retryAfter, alarm: null, unknown: failure.sent };
}

function requestField(call: BookingCall): string {
  return call === 'cancel' ? 'cancellation_reason_id' : 'booking_key';
}

function quoted(detail: string | null): string {
  return detail === null ? '' : `: "${detail}"`;
}

/** The tracker's answer to a failed read (sites, slots, reasons): 502 for what Junction could not answer, else null (the route decides). */
export function readRefusal(failure: PscFailure): Extract<BookingRefusal, { status: 502 }> | null {
  if (failure.kind === 'unauthorized') return { status: 502, code: 'junction_unavailable', message: "Junction refused the tracker's API key", retryAfter: null, alarm: 'api_key_refused', unknown: false };
  if (failure.kind === 'unavailable') return { status: 502, code: 'junction_unavailable', message: `Junction did not answer: ${failure.reason}; try again`, retryAfter: failure.retryAfter, alarm: null, unknown: false };
  return null;
}
