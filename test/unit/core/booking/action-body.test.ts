import { describe, expect, it } from 'vitest';
import { parseBookingAction } from '../../../../functions/core/booking/action-body';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const slot = { booking_key: 'eyJzIjoxfQ==', site_code: 'S-1', slot_start: '2026-12-01T15:30:00Z' };

describe('the booking actions\' bodies (CONTRACT §14)', () => {
  it('takes the four actions, times made canonical', () => {
    expect(parseBookingAction({ action: 'book', ...slot, owner: 'team.a' }, NOW)).toEqual({ kind: 'ok', action: { action: 'book', ...slot, slot_start: '2026-12-01T15:30:00.000000Z', owner: 'team.a' } });
    expect(parseBookingAction({ action: 'reschedule_booking', ...slot, expected_version: 3 }, NOW).kind).toBe('ok');
    expect(parseBookingAction({ action: 'cancel_booking' }, NOW).kind).toBe('ok');
    expect(parseBookingAction({ action: 'record_booking', start_at: '2026-12-02T09:00:00+01:00' }, NOW)).toEqual({ kind: 'ok', action: { action: 'record_booking', start_at: '2026-12-02T08:00:00.000000Z' } });
  });

  it('names the field and what it may hold, never what was sent, and takes no note', () => {
    const canary = 'Jane Doe 1980-01-01';
    const refused = [
      parseBookingAction({ action: 'book', ...slot, booking_key: `${canary} ` }, NOW),
      parseBookingAction({ action: 'book', ...slot, site_code: canary }, NOW),
      parseBookingAction({ action: 'book', ...slot, note: canary }, NOW),
      parseBookingAction({ action: 'cancel_booking', cancellation_reason_id: canary }, NOW),
      parseBookingAction({ action: 'record_booking', start_at: canary }, NOW),
    ];
    expect(refused.map((parsed) => (parsed.kind === 'invalid' ? parsed.message.split(' ')[0] : 'ok'))).toEqual(['booking_key', 'site_code', 'unknown', 'cancellation_reason_id', 'start_at']);
    expect(refused.find((parsed) => parsed.kind === 'invalid' && parsed.message.startsWith('unknown'))).toEqual({ kind: 'invalid', message: 'unknown field: book takes only action, booking_key, site_code, slot_start, owner, expected_version' });
    for (const parsed of refused) expect(JSON.stringify(parsed)).not.toContain('Jane');
    expect(parseBookingAction({ action: 'book', ...slot, booking_key: 'x'.repeat(2049) }, NOW).kind).toBe('invalid');
  });

  it('keeps a recorded booking in the future and within 90 days', () => {
    expect(parseBookingAction({ action: 'record_booking', start_at: '2026-11-28T09:59:59Z' }, NOW)).toEqual({ kind: 'invalid', message: 'start_at must be in the future' });
    expect(parseBookingAction({ action: 'record_booking', start_at: '2027-02-27T10:00:01Z' }, NOW)).toEqual({ kind: 'invalid', message: 'start_at must be at most 90 days ahead' });
  });
});
