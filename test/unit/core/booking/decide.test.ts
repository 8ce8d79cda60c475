import { describe, expect, it } from 'vitest';
import type { BookingActionBody } from '../../../../functions/core/booking/action-body';
import { decideBooking, type BookingRequest } from '../../../../functions/core/booking/decide';
import { bookingKeyHash } from '../../../../functions/core/booking/idempotency';
import type { BookingFacts } from '../../../../functions/core/booking/options';
import { NO_BOOKING, type Booking } from '../../../../functions/core/booking/record';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString().replace('Z', '000Z');
const facts: BookingFacts = { followUpOpen: true, redrawOrderId: 'r-1', redraw: { status: 'received', method: 'walk_in_test', lab: 'quest' }, initial: { method: 'walk_in_test', lab: 'quest' }, junctionKeySet: true };
const opened = openFollowUp({ id: 'f-1', transactionId: 'f-1', initialOrderId: 'i-1', redrawOrderId: 'r-1', openedAt: at(-86_400_000) });
const slot = { booking_key: 'key-A', site_code: 'S1', slot_start: at(3 * 86_400_000) };
const book: BookingActionBody = { action: 'book', ...slot };
const booked: Booking = { ...NO_BOOKING, appointment_id: 'a-1', site_code: 'S1', start_at: slot.slot_start, end_at: null, iana_timezone: null, status: 'confirmed', booked_by: 'sam', booked_at: at(-1000), booked_with: 'junction', key_hash: bookingKeyHash('key-A'), seq: 1 };

function decide(followUp: FollowUp, action: BookingActionBody, overrides: Partial<BookingRequest> = {}) {
  return decideBooking({ followUp, last: null, action, caller: { actor: 'sam', kind: 'console' }, facts, now: NOW, ...overrides });
}

describe('what a booking action does first (CONTRACT §14)', () => {
  it('claims a book with the key from booking.seq and the booking key, and the slot it asks for', () => {
    expect(decide(opened, book)).toEqual({
      kind: 'call',
      bookingKey: 'key-A',
      reasonId: null,
      attempt: { kind: 'book', at: at(0), key: `f-1:0:${bookingKeyHash('key-A')}`, by: 'sam', slot_start: slot.slot_start, site_code: 'S1' },
    });
    const seq3 = { ...opened, booking: { ...NO_BOOKING, seq: 3 } };
    expect(decide(seq3, book)).toMatchObject({ attempt: { key: `f-1:3:${bookingKeyHash('key-A')}` } });
  });

  it('answers the booking made again (same key, or same site and start) with the follow-up as it is, whatever expected_version; another slot is already_booked', () => {
    const withBooking = { ...opened, version: 5, booking: booked };
    expect(decide(withBooking, { ...book, expected_version: 2 })).toEqual({ kind: 'unchanged' });
    expect(decide(withBooking, { ...book, booking_key: 'key-renewed' })).toEqual({ kind: 'unchanged' });
    expect(decide(withBooking, { ...book, booking_key: 'key-B', slot_start: at(4 * 86_400_000) })).toMatchObject({ kind: 'refused', code: 'already_booked' });
    // A booking whose start has passed is not active: a new one may be made.
    expect(decide({ ...withBooking, booking: { ...booked, start_at: at(-1) } }, book).kind).toBe('call');
  });

  it('is booking_in_progress for another key under a minute after a claim, 200 for the same key, and reads first after the minute', () => {
    const claimed = { ...opened, booking: { ...NO_BOOKING, attempt: { kind: 'book' as const, at: at(-59_000), key: `f-1:0:${bookingKeyHash('key-A')}`, by: 'kim', slot_start: slot.slot_start, site_code: 'S1' }, unknown_since: at(-59_000) } };
    expect(decide(claimed, { ...book, booking_key: 'key-B' })).toMatchObject({ kind: 'refused', status: 409, code: 'booking_in_progress', message: expect.stringContaining('someone is booking this redraw now') });
    expect(decide(claimed, book)).toEqual({ kind: 'unchanged' });
    expect(decide(claimed, { action: 'cancel_booking', cancellation_reason_id: '8f1cb7e2-9a0e-4c43-9a55-2c6e1f1f3a10' })).toMatchObject({ code: 'booking_in_progress' });
    expect(decide(claimed, { action: 'record_booking', start_at: at(86_400_000) })).toMatchObject({ code: 'booking_in_progress' });
    const old = { ...claimed, booking: { ...claimed.booking, attempt: { ...claimed.booking.attempt, at: at(-60_000) } } };
    expect(decide(old, { ...book, booking_key: 'key-B' })).toEqual({ kind: 'read_first', attempt: old.booking.attempt });
  });

  it('checks expected_version once, before the call', () => {
    expect(decide({ ...opened, version: 3 }, { ...book, expected_version: 2 })).toEqual({ kind: 'conflict' });
    expect(decide({ ...opened, version: 3 }, { ...book, expected_version: 3 }).kind).toBe('call');
  });

  it('refuses what cannot be booked here in words: the rule, no key, another lab, a lab booking recorded, an owner named over another', () => {
    expect(decide(opened, book, { facts: { ...facts, redrawOrderId: null } })).toMatchObject({ code: 'not_bookable', message: expect.stringMatching(/^Junction has not created the redraw order yet/) });
    expect(decide(opened, book, { facts: { ...facts, junctionKeySet: false } })).toMatchObject({ code: 'not_bookable', message: expect.stringMatching(/^Junction's API key is not set/) });
    expect(decide(opened, book, { facts: { ...facts, redraw: { ...facts.redraw!, lab: 'labcorp' } } })).toMatchObject({ code: 'not_bookable', message: expect.stringContaining('labcorp PSCs are booked with the lab') });
    const lab = { ...opened, booking: { ...NO_BOOKING, booked_with: 'lab' as const, status: 'recorded', start_at: at(86_400_000) } };
    expect(decide(lab, book)).toMatchObject({ code: 'already_booked', message: expect.stringContaining('cancel it first') });
    expect(decide({ ...opened, owner: 'kim' }, { ...book, owner: 'lee' })).toMatchObject({ code: 'invalid_transition' });
  });

  it('moves only an active Junction booking, and cancels a Junction booking with a reason and a lab booking without a call', () => {
    expect(decide(opened, { action: 'reschedule_booking', ...slot })).toMatchObject({ code: 'invalid_transition' });
    const withBooking = { ...opened, booking: booked };
    const move = { action: 'reschedule_booking' as const, booking_key: 'key-B', site_code: 'S2', slot_start: at(5 * 86_400_000) };
    expect(decide(withBooking, move)).toMatchObject({ kind: 'call', attempt: { kind: 'reschedule', key: `f-1:1:${bookingKeyHash('key-B')}`, site_code: 'S2' } });
    const reason = '8F1CB7E2-9A0E-4C43-9A55-2C6E1F1F3A10';
    expect(decide(withBooking, { action: 'cancel_booking', cancellation_reason_id: reason })).toMatchObject({ kind: 'call', reasonId: reason.toLowerCase(), attempt: { kind: 'cancel', slot_start: null } });
    expect(decide(withBooking, { action: 'cancel_booking' })).toMatchObject({ kind: 'refused', status: 400 });
    expect(decide(withBooking, { action: 'cancel_booking', cancellation_reason_id: reason }, { facts: { ...facts, junctionKeySet: false } })).toMatchObject({ code: 'not_bookable' });
    const lab = { ...opened, booking: { ...NO_BOOKING, booked_with: 'lab' as const, status: 'recorded', start_at: at(86_400_000) } };
    expect(decide(lab, { action: 'cancel_booking' })).toEqual({ kind: 'record' });
    expect(decide(lab, { action: 'cancel_booking', cancellation_reason_id: reason })).toMatchObject({ kind: 'refused', status: 400 });
    expect(decide(opened, { action: 'cancel_booking' })).toMatchObject({ code: 'invalid_transition' });
  });

  it('records a lab booking without a key, unless a Junction booking is active or nothing can be booked', () => {
    const record: BookingActionBody = { action: 'record_booking', start_at: at(86_400_000) };
    expect(decide(opened, record, { facts: { ...facts, junctionKeySet: false } })).toEqual({ kind: 'record' });
    expect(decide({ ...opened, booking: booked }, record)).toMatchObject({ code: 'already_booked' });
    expect(decide(opened, record, { facts: { ...facts, followUpOpen: false } })).toMatchObject({ code: 'not_bookable' });
  });
});
