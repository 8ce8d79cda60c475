import { describe, expect, it } from 'vitest';
import { slotsAnswer, type JunctionAvailability } from '../../../../functions/core/booking/slots';

const slot = (start: string, key: string | null = `key-${start}`) => ({ booking_key: key, start, end: start.replace(':00:00', ':15:00'), expires_at: '2026-12-01T00:10:00Z' });
const phoenix = { code: '23070', name: 'Quest Phoenix', iana_timezone: 'America/Phoenix' };

describe('the slots answer (CONTRACT §14)', () => {
  it('groups by the sites asked and their days, times in UTC, slots without a booking key left out', () => {
    const availability: JunctionAvailability = {
      timezone: null,
      slots: [
        { location: phoenix, date: '2026-12-02', slots: [slot('2026-12-02T16:00:00Z'), slot('2026-12-02T15:00:00Z')] },
        { location: phoenix, date: '2026-12-01', slots: [slot('2026-12-01T15:00:00+00:00'), slot('2026-12-01T16:00:00Z', null)] },
      ],
    };
    const answer = slotsAnswer(availability, ['23070', '99999'], false);
    expect(answer.days_left_out).toBe(0);
    expect(answer.sites).toEqual([
      {
        site_code: '23070',
        name: 'Quest Phoenix',
        iana_timezone: 'America/Phoenix',
        days: [
          { date: '2026-12-01', slots: [{ booking_key: 'key-2026-12-01T15:00:00+00:00', start: '2026-12-01T15:00:00.000000Z', end: '2026-12-01T15:15:00.000000Z', expires_at: '2026-12-01T00:10:00.000000Z', bookable: true }] },
          { date: '2026-12-02', slots: [expect.objectContaining({ start: '2026-12-02T15:00:00.000000Z' }), expect.objectContaining({ start: '2026-12-02T16:00:00.000000Z' })] },
        ],
      },
      // A site that does not book here, or has nothing open: empty days.
      { site_code: '99999', name: null, iana_timezone: null, days: [] },
    ]);
  });

  it("takes the answer's zone where the location has none, else none", () => {
    const noZone = { ...phoenix, iana_timezone: null };
    expect(slotsAnswer({ timezone: 'America/Denver', slots: [{ location: noZone, date: '2026-12-01', slots: [slot('2026-12-01T15:00:00Z')] }] }, ['23070'], false).sites[0]!.iana_timezone).toBe('America/Denver');
    expect(slotsAnswer({ timezone: null, slots: [{ location: noZone, date: '2026-12-01', slots: [slot('2026-12-01T15:00:00Z')] }] }, ['23070'], false).sites[0]!.iana_timezone).toBeNull();
  });

  it('keeps a day without a location when one site was asked, and leaves it out, counted, among several', () => {
    const availability: JunctionAvailability = { slots: [{ location: null, date: '2026-12-01', slots: [slot('2026-12-01T15:00:00Z')] }] };
    expect(slotsAnswer(availability, ['23070'], false).sites[0]!.days).toHaveLength(1);
    const several = slotsAnswer(availability, ['23070', '23071'], false);
    expect(several.days_left_out).toBe(1);
    expect(several.sites.every((site) => site.days.length === 0)).toBe(true);
  });

  it('marks slots read from the cache as not bookable', () => {
    const answer = slotsAnswer({ slots: [{ location: phoenix, date: '2026-12-01', slots: [slot('2026-12-01T15:00:00Z')] }] }, ['23070'], true);
    expect(answer.sites[0]!.days[0]!.slots[0]!.bookable).toBe(false);
  });

  it("answers Junction's \"No slots found\" (an empty availability) with empty days", () => {
    expect(slotsAnswer({ slots: [] }, ['A', 'B'], false)).toEqual({ sites: [expect.objectContaining({ site_code: 'A', days: [] }), expect.objectContaining({ site_code: 'B', days: [] })], days_left_out: 0 });
  });
});
