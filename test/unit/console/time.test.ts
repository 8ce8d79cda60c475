/** Times in the browser's zone, named, beside UTC (CONTRACT §12, "Working a shift"). */
import { describe, expect, it } from 'vitest';
import { timeWords, zonedParts } from '../../../console/src/lib/time';

describe('timeWords', () => {
  it('names the local zone and gives UTC beside it', () => {
    expect(timeWords('2026-11-13T14:05:00Z', 'America/New_York')).toBe('2026-11-13 09:05 EST (14:05 UTC)');
    expect(timeWords('2026-07-13T14:05:00Z', 'America/New_York')).toBe('2026-07-13 10:05 EDT (14:05 UTC)');
  });

  it('repeats the UTC date when it is another day', () => {
    expect(timeWords('2026-11-14T02:30:00Z', 'America/New_York')).toBe('2026-11-13 21:30 EST (2026-11-14 02:30 UTC)');
    expect(timeWords('2026-11-13T23:30:00Z', 'Asia/Tokyo')).toBe('2026-11-14 08:30 GMT+9 (2026-11-13 23:30 UTC)');
  });

  it('shows one clock in UTC, and passes what is no time through', () => {
    expect(timeWords('2026-11-13T14:05:59.999Z', 'UTC')).toBe('2026-11-13 14:05 UTC');
    expect(timeWords('2026-11-13T14:05:00Z', 'Etc/UTC')).toBe('2026-11-13 14:05 UTC');
    expect(timeWords(null, 'UTC')).toBe('');
    expect(timeWords('soon', 'America/New_York')).toBe('soon');
  });

  it('reads the wall clock of a zone', () => {
    expect(zonedParts(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toEqual({ date: '2026-03-08', time: '03:30', zoneName: 'EDT' });
    expect(zonedParts(new Date('2026-11-13T00:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-11-13', time: '01:00', zoneName: 'GMT+1' });
  });
});
