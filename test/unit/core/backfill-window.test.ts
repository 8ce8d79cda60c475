import { describe, expect, it } from 'vitest';
import { addCounts, backfillWindow, countsLine, NO_COUNTS, windowBound } from '../../../functions/core/backfill-window';

const NOW = new Date('2026-11-22T10:30:00.000Z');

describe('backfill window (CONTRACT §6, backfill dates)', () => {
  it('reads a date without a time as 00:00:00 UTC for --since and the end of that day for --until', () => {
    expect(windowBound('2026-01-31', 'since')).toBe('2026-01-31T00:00:00.000000Z');
    expect(windowBound('2026-01-31', 'until')).toBe('2026-01-31T23:59:59.999999Z');
  });

  it('takes date-times with an offset, in canonical UTC', () => {
    expect(windowBound('2026-01-31T10:00:00+02:00', 'since')).toBe('2026-01-31T08:00:00.000000Z');
    expect(windowBound('2026-01-31T10:00:00.5Z', 'until')).toBe('2026-01-31T10:00:00.500000Z');
  });

  it('rejects what is neither a date nor a date-time, and impossible dates', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '31/01/2026', '']) {
      expect(windowBound(bad, 'since')).toBeNull();
    }
  });

  it('closes an open end at now', () => {
    expect(backfillWindow('2026-11-01', undefined, NOW)).toEqual({
      ok: true,
      window: { since: '2026-11-01T00:00:00.000000Z', until: '2026-11-22T10:30:00.000000Z' },
    });
  });

  it('says what is wrong: missing --since, bad values, an end before the start', () => {
    expect(backfillWindow(undefined, undefined, NOW)).toMatchObject({ ok: false, message: expect.stringContaining('--since is required') });
    expect(backfillWindow('soon', undefined, NOW)).toMatchObject({ ok: false, message: expect.stringContaining('--since must be') });
    expect(backfillWindow('2026-11-01', 'later', NOW)).toMatchObject({ ok: false, message: expect.stringContaining('--until must be') });
    expect(backfillWindow('2026-11-02', '2026-11-01', NOW)).toMatchObject({ ok: false, message: '--until is before --since' });
  });

  it('a one-day window (--since D --until D) covers that whole day', () => {
    expect(backfillWindow('2026-11-01', '2026-11-01', NOW)).toEqual({
      ok: true,
      window: { since: '2026-11-01T00:00:00.000000Z', until: '2026-11-01T23:59:59.999999Z' },
    });
  });

  it('prints the counts line with the contract\'s keys in order', () => {
    const counts = addCounts({ ...NO_COUNTS, read: 3, applied: 2, failed: 1 }, { ...NO_COUNTS, read: 1, duplicate: 1 });
    expect(countsLine(counts)).toBe('{"read":4,"applied":2,"duplicate":1,"stale":0,"failed":1}');
  });
});
