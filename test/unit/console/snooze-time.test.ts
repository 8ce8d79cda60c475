import { describe, expect, it } from 'vitest';
import { sendsWords, snoozeInstant, tomorrowAt, tomorrowIn, wallTimeToUtc, zoneOffset } from '../../../console/src/lib/snooze-time';

const NY = 'America/New_York';

describe('wallTimeToUtc', () => {
  it('reads a winter wall clock in New York as EST (UTC-5)', () => {
    expect(wallTimeToUtc('2026-11-26', '09:00', NY)?.toISOString()).toBe('2026-11-26T14:00:00.000Z');
  });

  it('reads a summer wall clock in New York as EDT (UTC-4)', () => {
    expect(wallTimeToUtc('2026-07-01', '09:00', NY)?.toISOString()).toBe('2026-07-01T13:00:00.000Z');
  });

  it('gets the days either side of the spring and autumn changes right', () => {
    expect(wallTimeToUtc('2026-03-07', '09:00', NY)?.toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(wallTimeToUtc('2026-03-08', '09:00', NY)?.toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(wallTimeToUtc('2026-10-31', '23:30', NY)?.toISOString()).toBe('2026-11-01T03:30:00.000Z');
    expect(wallTimeToUtc('2026-11-01', '09:00', NY)?.toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });

  it('reads a time skipped in spring as the same clock in the offset before, and a doubled autumn time as its first', () => {
    expect(wallTimeToUtc('2026-03-08', '02:30', NY)?.toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(wallTimeToUtc('2026-11-01', '01:30', NY)?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('handles zones east of UTC, half-hour offsets and UTC itself', () => {
    expect(wallTimeToUtc('2026-11-26', '09:00', 'Europe/Berlin')?.toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(wallTimeToUtc('2026-11-26', '09:00', 'Asia/Kolkata')?.toISOString()).toBe('2026-11-26T03:30:00.000Z');
    expect(wallTimeToUtc('2026-11-26', '09:00', 'UTC')?.toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(wallTimeToUtc('2026-03-29', '02:30', 'Europe/London')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('refuses malformed or impossible dates and times', () => {
    expect(wallTimeToUtc('2026-02-30', '09:00', NY)).toBeNull();
    expect(wallTimeToUtc('2026-11-26', '24:00', NY)).toBeNull();
    expect(wallTimeToUtc('', '09:00', NY)).toBeNull();
    expect(wallTimeToUtc('2026-11-26', '9am', NY)).toBeNull();
  });
});

describe('zoneOffset', () => {
  it('gives New York -5 h in winter and -4 h in summer', () => {
    expect(zoneOffset(Date.parse('2026-01-15T12:00:00Z'), NY)).toBe(-5 * 3_600_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), NY)).toBe(-4 * 3_600_000);
  });
});

describe('tomorrow 09:00', () => {
  it('is the next local day, not the next UTC day, late in a New York evening', () => {
    // 22:30 EST on 25 November is already 26 November in UTC.
    const now = new Date('2026-11-26T03:30:00Z');
    expect(tomorrowIn(now, NY)).toBe('2026-11-26');
    expect(tomorrowAt(now, NY).toISOString()).toBe('2026-11-26T14:00:00.000Z');
  });

  it('lands on 09:00 EDT the morning after the spring change', () => {
    expect(tomorrowAt(new Date('2026-03-07T20:00:00Z'), NY).toISOString()).toBe('2026-03-08T13:00:00.000Z');
  });
});

describe('sendsWords', () => {
  it('says the UTC instant sent, with its clock', () => {
    expect(sendsWords(new Date('2026-11-26T14:00:00Z'))).toBe('2026-11-26T14:00:00Z (14:00 UTC)');
  });
});

describe('snoozeInstant', () => {
  const now = new Date('2026-11-25T22:05:00Z');
  const days = { '1d': { days: 1 }, '1w': { days: 7 } };
  it('adds a day preset’s days to now', () => {
    expect(snoozeInstant({ preset: '1w', date: '', time: '' }, days, now, NY)?.toISOString()).toBe('2026-12-02T22:05:00.000Z');
  });
  it('adds calendar days on the local clock across a daylight-saving change, seconds kept (issue 72)', () => {
    // Friday 30 Oct 2026, 09:00:30 EDT; New York falls back on Sunday: 3 days on is Monday 09:00:30 EST, 73 hours later.
    const friday = new Date('2026-10-30T13:00:30Z');
    expect(snoozeInstant({ preset: '3d', date: '', time: '' }, { '3d': { days: 3 } }, friday, NY)?.toISOString()).toBe('2026-11-02T14:00:30.000Z');
    expect(snoozeInstant({ preset: '3d', date: '', time: '' }, { '3d': { days: 3 } }, friday, 'UTC')?.toISOString()).toBe('2026-11-02T13:00:30.000Z');
  });
  it('reads "tomorrow" as 09:00 tomorrow on the local clock', () => {
    expect(snoozeInstant({ preset: 'tomorrow', date: '', time: '' }, days, now, NY)?.toISOString()).toBe('2026-11-26T14:00:00.000Z');
  });
  it('reads a chosen date and time on the local clock, and nothing until both are there', () => {
    expect(snoozeInstant({ preset: 'until', date: '2026-11-27', time: '16:30' }, days, now, NY)?.toISOString()).toBe('2026-11-27T21:30:00.000Z');
    expect(snoozeInstant({ preset: 'until', date: '2026-11-27', time: '' }, days, now, NY)).toBeNull();
    expect(snoozeInstant({ preset: 'nonsense', date: '', time: '' }, days, now, NY)).toBeNull();
  });
});
