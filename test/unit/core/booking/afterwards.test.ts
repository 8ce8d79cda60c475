import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../../../functions/core/appointment';
import { afterAppointment } from '../../../../functions/core/booking/afterwards';
import { NO_BOOKING, type Booking } from '../../../../functions/core/booking/record';
import type { Draft } from '../../../../functions/core/follow-up/history';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString().replace('Z', '000Z');
const DAY = 86_400_000;
const booking: Booking = { ...NO_BOOKING, appointment_id: 'a-1', site_code: 'S1', start_at: at(2 * DAY), end_at: at(2 * DAY + 900_000), iana_timezone: 'America/Phoenix', status: 'confirmed', booked_by: 'sam', booked_at: at(-DAY), booked_with: 'junction', key_hash: '0123456789abcdef', seq: 1 };
const snoozed: FollowUp = { ...openFollowUp({ id: 'f-1', transactionId: 'f-1', initialOrderId: 'i-1', redrawOrderId: 'r-1', openedAt: at(-3 * DAY) }), state: 'snoozed', snoozed_until: at(4 * DAY), snooze_reason: 'appointment_booked', acknowledged_at: at(-DAY), version: 3, booking };
const appointment = (overrides: Partial<Appointment> = {}): Appointment => ({ id: 'a-1', order_id: 'r-1', transaction_id: 'f-1', start_at: booking.start_at, end_at: booking.end_at, iana_timezone: 'America/Phoenix', status: 'confirmed', type: 'phlebotomy', provider: 'getlabs', rank: `${at(-60_000)}|0001|abc`, ...overrides });
const draft = (followUp: FollowUp): Draft => ({ followUp, entries: [], last: { at: at(-DAY), action: 'book' } });
const after = (followUp: FollowUp, found: Appointment | null) => afterAppointment(draft(followUp), found, 48, NOW);

describe("the booking's appointment afterwards (CONTRACT §14)", () => {
  it('does nothing for the appointment as booked, another id, or while a booking is in flight', () => {
    expect(after(snoozed, appointment())).toEqual(draft(snoozed));
    expect(after(snoozed, appointment({ id: 'a-9', status: 'cancelled' }))).toEqual(draft(snoozed));
    const inFlight = { ...snoozed, booking: { ...booking, attempt: { kind: 'reschedule' as const, at: at(-1000), key: 'f-1:1:x', by: 'sam', slot_start: at(3 * DAY), site_code: 'S1' } } };
    expect(after(inFlight, appointment({ start_at: at(3 * DAY) }))).toEqual(draft(inFlight));
  });

  it("wakes the follow-up when that appointment is cancelled, with why and the cancel's time; a pending one was not confirmed", () => {
    const woken = after(snoozed, appointment({ status: 'cancelled', rank: `${at(-5000)}|0001|c` }));
    expect(woken.followUp).toMatchObject({ state: 'acknowledged', snoozed_until: null, snooze_reason: null, version: 4, booking: { status: 'cancelled' } });
    expect(woken.entries).toEqual([{ at: at(0), actor: 'tracker', action: 'snooze_ended', from_state: 'snoozed', to_state: 'acknowledged', why: 'appointment_cancelled', appointment_id: 'a-1', fact_time: at(-5000) }]);
    expect(woken.last).toEqual({ at: at(0), action: 'snooze_ended', why: 'appointment_cancelled' });
    const pending = { ...snoozed, booking: { ...booking, status: 'pending' } };
    expect(after(pending, appointment({ status: 'cancelled' })).entries[0]).toMatchObject({ why: 'not_confirmed' });
    // Not snoozed for it: the booking's status only, no version.
    const acknowledged = { ...snoozed, state: 'acknowledged' as const, snoozed_until: null, snooze_reason: null };
    expect(after(acknowledged, appointment({ status: 'cancelled' }))).toMatchObject({ entries: [], followUp: { version: 3, booking: { status: 'cancelled' } } });
  });

  it('moves the snooze with a start moved elsewhere, and records a confirmation and a completion as versions', () => {
    const moved = after(snoozed, appointment({ start_at: at(5 * DAY) }));
    expect(moved.followUp).toMatchObject({ snoozed_until: at(7 * DAY), booking: { start_at: at(5 * DAY) }, version: 4 });
    expect(moved.entries[0]).toMatchObject({ action: 'snooze_moved', from_until: at(4 * DAY), until: at(7 * DAY), appointment_id: 'a-1', fact_time: at(-60_000) });
    const pending = { ...snoozed, booking: { ...booking, status: 'pending' } };
    expect(after(pending, appointment()).entries.map((entry) => entry.action)).toEqual(['appointment_confirmed']);
    expect(after(pending, appointment({ start_at: at(5 * DAY) })).entries.map((entry) => entry.action)).toEqual(['appointment_confirmed', 'snooze_moved']);
    expect(after(snoozed, appointment({ status: 'completed' }))).toMatchObject({ followUp: { state: 'snoozed', booking: { status: 'completed' } }, entries: [{ action: 'appointment_completed', appointment_id: 'a-1' }] });
  });

  it('keeps an appointment the tracker did not book as booked elsewhere, changing no state, and never over a lab booking', () => {
    const plain = { ...snoozed, state: 'new' as const, snoozed_until: null, snooze_reason: null, booking: null };
    const elsewhere = after(plain, appointment({ id: 'p-1' }));
    expect(elsewhere).toMatchObject({ entries: [], followUp: { state: 'new', version: 3, booking: { appointment_id: 'p-1', booked_by: null, booked_with: 'junction', status: 'confirmed', seq: 0 } } });
    const lab = { ...snoozed, booking: { ...NO_BOOKING, booked_with: 'lab' as const, status: 'recorded', start_at: at(DAY) } };
    expect(after(lab, appointment({ id: 'p-1' }))).toEqual(draft(lab));
    // Snoozed for an appointment without a booking: any cancel of the redraw order's wakes it.
    const snoozedBare = { ...snoozed, booking: null };
    expect(after(snoozedBare, appointment({ id: 'p-2', status: 'cancelled' })).entries[0]).toMatchObject({ action: 'snooze_ended', why: 'appointment_cancelled' });
  });
});
