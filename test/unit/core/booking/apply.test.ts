import { describe, expect, it } from 'vitest';
import { applyJunctionAnswer, applyLabCancel, applyRecordBooking, applyRefusal, claimAttempt, settled, type AnswerContext } from '../../../../functions/core/booking/apply';
import { bookingKeyHash } from '../../../../functions/core/booking/idempotency';
import { NO_BOOKING, type BookingAttempt } from '../../../../functions/core/booking/record';
import { openFollowUp } from '../../../../functions/core/follow-up/states';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString().replace('Z', '000Z');
const DAY = 86_400_000;
const opened = openFollowUp({ id: 'f-1', transactionId: 'f-1', initialOrderId: 'i-1', redrawOrderId: 'r-1', openedAt: at(-DAY) });
const attempt: BookingAttempt = { kind: 'book', at: at(-2000), key: `f-1:0:${bookingKeyHash('key-A')}`, by: 'sam', slot_start: at(3 * DAY), site_code: 'S1' };
const appointment = { id: 'a-1', start_at: at(3 * DAY), end_at: at(3 * DAY + 900_000), iana_timezone: 'America/Phoenix', status: 'confirmed' };
const context: AnswerContext = { caller: { actor: 'sam', kind: 'console' }, graceHours: 48, now: NOW };
const claimed = claimAttempt(opened, attempt);

describe('a booking written onto its follow-up (CONTRACT §14)', () => {
  it('claims without a version, and settles the attempt: cleared, seq past it when Junction answered', () => {
    expect(claimed).toMatchObject({ version: 1, booking: { attempt, unknown_since: attempt.at, seq: 0 } });
    expect(settled(claimed.booking!, attempt, true)).toMatchObject({ attempt: null, unknown_since: null, seq: 1 });
    expect(settled(claimed.booking!, attempt, false)).toMatchObject({ attempt: null, seq: 0 });
    // Another attempt claimed since is left alone; seq never goes back.
    const other = { ...attempt, key: 'f-1:4:abc' };
    expect(settled({ ...claimed.booking!, attempt: other, seq: 4 }, attempt, true)).toMatchObject({ attempt: other, seq: 4 });
    expect(applyRefusal(claimed, attempt, true)).toMatchObject({ kind: 'bookkeeping', followUp: { version: 1, booking: { attempt: null, seq: 1 } } });
    expect(applyRefusal(opened, attempt, false)).toEqual({ kind: 'unchanged' });
  });

  it('writes a book as one version: snoozed until the start plus the grace, acknowledged from new, the console user the owner, the entry with its fields', () => {
    const change = applyJunctionAnswer(claimed, null, attempt, appointment, context);
    if (change.kind !== 'changed') throw new Error('expected a version');
    expect(change.followUp).toMatchObject({ state: 'snoozed', snoozed_until: at(5 * DAY), snooze_reason: 'appointment_booked', acknowledged_at: at(0), owner: 'sam', version: 2 });
    expect(change.followUp.booking).toEqual({ ...NO_BOOKING, appointment_id: 'a-1', site_code: 'S1', start_at: appointment.start_at, end_at: appointment.end_at, iana_timezone: 'America/Phoenix', status: 'confirmed', booked_by: 'sam', booked_at: at(0), booked_with: 'junction', key_hash: bookingKeyHash('key-A'), seq: 1 });
    expect(change.entries).toEqual([
      { at: at(0), actor: 'sam', action: 'book', from_state: 'new', to_state: 'snoozed', appointment_id: 'a-1', site_code: 'S1', start_at: appointment.start_at, end_at: appointment.end_at, iana_timezone: 'America/Phoenix', appointment_status: 'confirmed', booked_with: 'junction', until: at(5 * DAY), reason: 'appointment_booked', owner: 'sam' },
    ]);
  });

  it('keeps a follow-up closed meanwhile closed, and records an ended snooze first', () => {
    const closed = { ...claimed, state: 'closed' as const, disposition: 'tested_elsewhere' as const, closed_at: at(-1000), closed_by: 'kim', version: 2 };
    const change = applyJunctionAnswer(closed, null, attempt, appointment, context);
    expect(change).toMatchObject({ kind: 'changed', followUp: { state: 'closed', version: 3, booking: { appointment_id: 'a-1' } }, entries: [{ action: 'book', from_state: 'closed', to_state: 'closed' }] });
    const snoozedOver = { ...claimed, state: 'snoozed' as const, snoozed_until: at(-1), snooze_reason: 'other' as const };
    expect(applyJunctionAnswer(snoozedOver, null, attempt, appointment, context)).toMatchObject({ entries: [{ action: 'snooze_ended' }, { action: 'book', from_state: 'acknowledged', to_state: 'snoozed' }] });
  });

  it('moves the booking and its snooze on a reschedule, with from and to', () => {
    const first = applyJunctionAnswer(claimed, null, attempt, appointment, context);
    if (first.kind !== 'changed') throw new Error('expected a version');
    const move: BookingAttempt = { ...attempt, kind: 'reschedule', key: `f-1:1:${bookingKeyHash('key-B')}`, slot_start: at(6 * DAY), site_code: 'S2' };
    const change = applyJunctionAnswer(claimAttempt(first.followUp, move), first.last, move, { ...appointment, id: 'a-2', start_at: at(6 * DAY), end_at: null }, context);
    expect(change).toMatchObject({
      followUp: { state: 'snoozed', snoozed_until: at(8 * DAY), booking: { appointment_id: 'a-2', site_code: 'S2', start_at: at(6 * DAY), key_hash: bookingKeyHash('key-B'), booked_by: 'sam', seq: 2 } },
      entries: [{ action: 'reschedule_booking', from: { appointment_id: 'a-1', site_code: 'S1', start_at: at(3 * DAY) }, to: { appointment_id: 'a-2', site_code: 'S2', start_at: at(6 * DAY), end_at: null }, until: at(8 * DAY) }],
    });
  });

  it("ends the booking's snooze on a cancel, naming the reason's id", () => {
    const first = applyJunctionAnswer(claimed, null, attempt, appointment, context);
    if (first.kind !== 'changed') throw new Error('expected a version');
    const cancel: BookingAttempt = { ...attempt, kind: 'cancel', key: 'f-1:1:x', slot_start: null, site_code: null };
    const change = applyJunctionAnswer(first.followUp, first.last, cancel, { ...appointment, status: 'cancelled' }, { ...context, reasonId: 'r-9' });
    expect(change).toMatchObject({ followUp: { state: 'acknowledged', snoozed_until: null, snooze_reason: null, booking: { status: 'cancelled', seq: 2 } }, entries: [{ action: 'cancel_booking', appointment_id: 'a-1', cancellation_reason_id: 'r-9', to_state: 'acknowledged' }] });
  });

  it('records a lab booking, replaces it with from and to, and cancels it', () => {
    const recorded = applyRecordBooking(opened, null, { start_at: at(2 * DAY), site_code: 'LC-1' }, { ...context, caller: { actor: 'arn:aws:iam::1:user/x', kind: 'iam' } });
    if (recorded.kind !== 'changed') throw new Error('expected a version');
    expect(recorded.followUp).toMatchObject({ state: 'snoozed', owner: null, snoozed_until: at(4 * DAY), booking: { booked_with: 'lab', status: 'recorded', site_code: 'LC-1', appointment_id: null } });
    expect(recorded.entries[0]).toMatchObject({ action: 'record_booking', start_at: at(2 * DAY), site_code: 'LC-1', booked_with: 'lab', until: at(4 * DAY) });
    const again = applyRecordBooking(recorded.followUp, recorded.last, { start_at: at(3 * DAY), site_code: null }, context);
    expect(again).toMatchObject({ entries: [{ from: { start_at: at(2 * DAY), site_code: 'LC-1' }, to: { start_at: at(3 * DAY), site_code: null } }] });
    if (again.kind !== 'changed') throw new Error('expected a version');
    expect(applyLabCancel(again.followUp, again.last, context)).toMatchObject({ followUp: { state: 'acknowledged', booking: { status: 'cancelled' } }, entries: [{ action: 'cancel_booking', booked_with: 'lab' }] });
  });
});
