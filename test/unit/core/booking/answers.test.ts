import { describe, expect, it } from 'vitest';
import { bookingRefusal, readRefusal } from '../../../../functions/core/booking/answers';
import type { PscFailure } from '../../../../functions/core/booking/junction-failure';

const refused = (status: number, detail: string | null, field: string | null = null): PscFailure => ({ kind: 'refused', status, detail, field });

describe("Junction's answers to a booking, in words (CONTRACT §14's table)", () => {
  it('reads an order not in a state that allows booking as not_bookable, quoting Junction and pointing to its dashboard', () => {
    const answer = bookingRefusal(refused(400, 'Order is not in a state that allows booking. Contact support.'), 'book');
    expect(answer).toEqual({ status: 409, code: 'not_bookable', message: 'Junction says: "Order is not in a state that allows booking. Contact support.": check the order in Junction\'s dashboard' });
  });

  it('names booking_key for an invalid key format', () => {
    expect(bookingRefusal(refused(400, 'Invalid booking key format'), 'book')).toMatchObject({ status: 400, code: 'invalid_request', field: 'booking_key' });
  });

  it('says a past slot is no longer available, and a taken one (400 in the sandbox, 404 in production) was just taken', () => {
    expect(bookingRefusal(refused(400, 'This appointment slot is no longer available. Please select a new time.'), 'book')).toEqual({
      status: 409,
      code: 'slot_unavailable',
      message: 'That time is no longer available: choose another',
      reloadSlots: true,
    });
    for (const status of [400, 404]) {
      expect(bookingRefusal(refused(status, 'Appointment time is already booked by another patient'), 'reschedule')).toEqual({
        status: 409,
        code: 'slot_unavailable',
        message: 'That time was just taken: choose another',
        reloadSlots: true,
      });
    }
    expect(bookingRefusal(refused(404, null), 'book')).toMatchObject({ code: 'slot_unavailable' });
  });

  it('reads a 404 saying the order was not found as not_bookable, not as a taken slot', () => {
    expect(bookingRefusal(refused(404, 'Order 1234 not found'), 'book')).toMatchObject({ status: 409, code: 'not_bookable' });
  });

  it('reads a reschedule or cancel of an appointment Junction no longer has as invalid_transition, not as a taken slot or a bad reason', () => {
    for (const call of ['reschedule', 'cancel'] as const) {
      expect(bookingRefusal(refused(404, 'Appointment not found'), call)).toMatchObject({ status: 409, code: 'invalid_transition', message: expect.stringContaining('book it again') });
    }
  });

  it('reads a book refused because the patient already holds an appointment as already_booked, not as a taken slot', () => {
    expect(bookingRefusal(refused(400, 'Patient already has an active appointment with this provider'), 'book')).toMatchObject({ status: 409, code: 'already_booked' });
  });

  it('names the field a 422 reports', () => {
    expect(bookingRefusal(refused(422, 'Field required', 'booking_key'), 'book')).toMatchObject({ status: 400, code: 'invalid_request', field: 'booking_key', message: 'Junction refused booking_key: "Field required"' });
    expect(bookingRefusal(refused(422, null, null), 'cancel')).toMatchObject({ field: 'cancellation_reason_id' });
  });

  it("answers a cancel's 4xx as a 400 naming the cancellation reason", () => {
    expect(bookingRefusal(refused(400, 'Invalid cancellation reason'), 'cancel')).toMatchObject({ status: 400, code: 'invalid_request', field: 'cancellation_reason_id' });
  });

  it("answers 401 and 403 as junction_unavailable, alarmed, with nothing booked", () => {
    for (const status of [401, 403] as const) {
      expect(bookingRefusal({ kind: 'unauthorized', status }, 'book')).toEqual({ status: 502, code: 'junction_unavailable', message: "Junction refused the tracker's API key", retryAfter: null, alarm: 'api_key_refused', unknown: false });
    }
  });

  it('keeps a 429, a 5xx, a timeout or an unreadable answer as an unknown outcome, Retry-After passed on', () => {
    const answer = bookingRefusal({ kind: 'unavailable', reason: 'status 503', retryAfter: '7', sent: true }, 'book');
    expect(answer).toEqual({ status: 502, code: 'junction_unavailable', message: 'Nothing was booked that the tracker knows of; trying again books at most once', retryAfter: '7', alarm: null, unknown: true });
    expect(bookingRefusal({ kind: 'unavailable', reason: 'timeout after 20000 ms', retryAfter: null, sent: true }, 'cancel')).toMatchObject({ unknown: true, message: expect.stringContaining('cancels at most once') });
  });

  it('says a call that was never sent booked nothing, and is no unknown outcome', () => {
    expect(bookingRefusal({ kind: 'unavailable', reason: 'deadline reached before the request', retryAfter: null, sent: false }, 'book')).toMatchObject({ status: 502, unknown: false, message: 'Junction was not asked: deadline reached before the request; nothing was booked' });
  });

  it('leaves a read route its 4xx, and answers what Junction could not answer as 502', () => {
    expect(readRefusal(refused(404, 'No slots found'))).toBeNull();
    expect(readRefusal({ kind: 'unavailable', reason: 'status 500', retryAfter: '3', sent: true })).toMatchObject({ status: 502, retryAfter: '3' });
    expect(readRefusal({ kind: 'unauthorized', status: 401 })).toMatchObject({ status: 502, alarm: 'api_key_refused' });
  });
});
