import { describe, expect, it } from 'vitest';
import { NO_BOOKING, type BookingAttempt } from '../../../../functions/core/booking/record';
import { applyBookedElsewhere, outcomeOfRead } from '../../../../functions/core/booking/unknown-outcome';
import { openFollowUp } from '../../../../functions/core/follow-up/states';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString().replace('Z', '000Z');
const attempt: BookingAttempt = { kind: 'book', at: at(-120_000), key: 'f-1:0:abc', by: 'sam', slot_start: at(86_400_000), site_code: 'S1' };
const found = { id: 'a-1', start_at: '2026-11-29T10:00:00Z', end_at: null, iana_timezone: null, status: 'confirmed' };

describe("the read of Junction's appointment after an unknown outcome (CONTRACT §14)", () => {
  it("takes an active appointment at the attempt's slot as its result (Junction's time in any ISO form)", () => {
    expect(outcomeOfRead(attempt, found, null, NOW)).toEqual({ kind: 'booked', appointment: found });
  });

  it('finds none in a 404, a cancelled, completed or past appointment', () => {
    expect(outcomeOfRead(attempt, null, null, NOW)).toEqual({ kind: 'none' });
    for (const status of ['cancelled', 'completed', 'in_progress']) expect(outcomeOfRead(attempt, { ...found, status }, null, NOW)).toEqual({ kind: 'none' });
    expect(outcomeOfRead(attempt, { ...found, start_at: at(-1000) }, null, NOW)).toEqual({ kind: 'none' });
  });

  it('tells an appointment booked elsewhere from a reschedule that did not happen', () => {
    const other = { ...found, start_at: at(2 * 86_400_000) };
    expect(outcomeOfRead(attempt, other, null, NOW)).toEqual({ kind: 'elsewhere', appointment: other });
    expect(outcomeOfRead({ ...attempt, kind: 'reschedule' }, other, 'a-1', NOW)).toEqual({ kind: 'none' });
    expect(outcomeOfRead({ ...attempt, kind: 'reschedule' }, { ...other, id: 'a-9' }, 'a-1', NOW).kind).toBe('elsewhere');
  });

  it('keeps an appointment booked elsewhere without a version, booked_by null, the attempt it settled cleared', () => {
    const followUp = { ...openFollowUp({ id: 'f-1', transactionId: 'f-1', initialOrderId: 'i', redrawOrderId: 'r', openedAt: at(-1) }), booking: { ...NO_BOOKING, attempt, unknown_since: attempt.at } };
    const kept = applyBookedElsewhere(followUp, found, attempt);
    expect(kept).toMatchObject({ state: 'new', version: 1, booking: { appointment_id: 'a-1', start_at: '2026-11-29T10:00:00.000000Z', booked_by: null, booked_with: 'junction', attempt: null, unknown_since: null, seq: 0 } });
  });
});
