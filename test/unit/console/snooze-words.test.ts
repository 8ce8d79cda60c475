import { describe, expect, it } from 'vitest';
import { calendarDays, comingWords, snoozeUntilWords } from '../../../console/src/lib/snooze-words';

const NY = 'America/New_York';
const DAY = 86_400_000;

describe('snoozeUntilWords (issue 72 item 4)', () => {
  it('reads a 3-day snooze as the person chose it: local day and clock, named, UTC beside it once, in 3 days', () => {
    // Friday 27 Nov 2026, 09:00 EST; a 3-day snooze from a minute later ends 71 h 59 min on, on Monday.
    const now = new Date('2026-11-27T14:01:00Z');
    expect(snoozeUntilWords('2026-11-30T14:00:00Z', now, NY)).toBe('Mon 30 Nov, 09:00 EST (14:00 UTC), in 3 days');
    expect(snoozeUntilWords(new Date(now.getTime() + 3 * DAY).toISOString(), now, NY)).toBe('Mon 30 Nov, 09:01 EST (14:01 UTC), in 3 days');
  });

  it('reads a 1-day snooze as tomorrow, never "in 23 hours"', () => {
    const now = new Date('2026-11-27T14:00:30Z');
    expect(snoozeUntilWords(new Date(now.getTime() + DAY - 60_000).toISOString(), now, NY)).toBe('Sat 28 Nov, 08:59 EST (13:59 UTC), tomorrow');
  });

  it('counts calendar days on the person’s clock, not 24-hour spans: late tonight to early on the day after tomorrow is 2 days', () => {
    const now = new Date('2026-11-28T04:30:00Z'); // 23:30 EST on Friday 27 Nov
    expect(comingWords(new Date('2026-11-29T14:00:00Z'), now, NY)).toBe('in 2 days');
    expect(comingWords(new Date('2026-11-28T13:00:00Z'), now, NY)).toBe('tomorrow');
  });

  it('says hours or minutes within today, and "now" once it has passed', () => {
    const now = new Date('2026-11-27T14:00:00Z');
    expect(comingWords(new Date('2026-11-27T19:30:00Z'), now, NY)).toBe('in 5 hours');
    expect(comingWords(new Date('2026-11-27T14:20:00Z'), now, NY)).toBe('in 20 minutes');
    expect(comingWords(new Date('2026-11-27T13:00:00Z'), now, NY)).toBe('now');
  });

  it('names UTC’s day beside its clock when it is another day, and the year when it is not this one', () => {
    const now = new Date('2026-12-30T15:00:00Z');
    expect(snoozeUntilWords('2027-01-02T02:30:00Z', now, NY)).toBe('Fri 1 Jan 2027, 21:30 EST (Sat 2 Jan 2027, 02:30 UTC), in 2 days');
  });

  it('shows one clock in UTC, and counts across a daylight-saving change in days', () => {
    expect(snoozeUntilWords('2026-11-30T14:00:00Z', new Date('2026-11-27T14:01:00Z'), 'UTC')).toBe('Mon 30 Nov, 14:00 UTC, in 3 days');
    // New York falls back on Sunday 1 Nov 2026: Friday 09:00 EDT to Monday 09:00 EST is 3 days (and 73 hours).
    expect(snoozeUntilWords('2026-11-02T14:00:00Z', new Date('2026-10-30T13:00:00Z'), NY)).toBe('Mon 2 Nov, 09:00 EST (14:00 UTC), in 3 days');
  });

  it('counts whole calendar days between two wall dates, across months and years', () => {
    expect(calendarDays('2026-11-27', '2026-11-30')).toBe(3);
    expect(calendarDays('2026-12-31', '2027-01-01')).toBe(1);
    expect(calendarDays('2026-03-07', '2026-03-09')).toBe(2);
  });

  it('gives the text itself when it is no time', () => {
    expect(snoozeUntilWords('soon', new Date(), NY)).toBe('soon');
  });
});
