/**
 * The window a report covers (CONTRACT §11; functions/core/report-window.ts):
 * ?from&to as days in DIGEST_TIMEZONE or date-times, ?weeks=N, and its weeks.
 */
import { describe, expect, it } from 'vitest';
import { digestWeek } from '../../../functions/core/digest';
import { parseReportWindow, weeksOf, wholeWeeksBefore, type ParsedWindow } from '../../../functions/core/report-window';

const NOW = new Date('2026-11-23T10:30:00Z');

describe('parseReportWindow', () => {
  it('takes dates as whole days: from at 00:00Z, to through the end of its day', () => {
    expect(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW)).toEqual({
      kind: 'ok',
      window: { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') },
    });
  });

  it('takes date-times as given, in any offset', () => {
    expect(parseReportWindow({ from: '2026-11-16T08:00:00+01:00', to: '2026-11-16T12:00:00Z' }, NOW)).toEqual({
      kind: 'ok',
      window: { from: new Date('2026-11-16T07:00:00Z'), to: new Date('2026-11-16T12:00:00Z') },
    });
  });

  it('defaults to the 28 days up to now, or before `to` (CONTRACT §11: the console\'s default too)', () => {
    expect(parseReportWindow({}, NOW)).toEqual({ kind: 'ok', window: { from: new Date('2026-10-26T10:30:00Z'), to: NOW } });
    expect(parseReportWindow({ to: '2026-01-07' }, NOW)).toEqual({ kind: 'ok', window: { from: new Date('2025-12-11T00:00:00Z'), to: new Date('2026-01-08T00:00:00Z') } });
  });

  it('refuses what is not a date, days that do not exist, a backwards window and one over 366 days, naming the field', () => {
    expect(parseReportWindow({ from: 'last week' }, NOW)).toEqual({ kind: 'invalid', message: expect.stringMatching(/^from must be a date/) });
    expect(parseReportWindow({ to: '2026-02-29' }, NOW)).toEqual({ kind: 'invalid', message: expect.stringMatching(/^to must be a date/) });
    expect(parseReportWindow({ from: '2026-11-20', to: '2026-11-19' }, NOW)).toEqual({ kind: 'invalid', message: 'from must be before to' });
    expect(parseReportWindow({ from: '2025-11-21', to: '2026-11-22' }, NOW)).toMatchObject({ kind: 'invalid' });
    // 366 days exactly (a leap year's) is allowed.
    expect(parseReportWindow({ from: '2024-01-01', to: '2024-12-31' }, NOW)).toMatchObject({ kind: 'ok' });
  });

  it('refuses a window ending more than a year after today (CONTRACT §11), the end of the same day next year being the last allowed', () => {
    const now = new Date('2026-11-25T15:00:00Z');
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-25' }, now)).toEqual({ kind: 'ok', window: { from: new Date('2027-11-20T00:00:00Z'), to: new Date('2027-11-26T00:00:00Z') } });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26T00:00:00.001Z' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    // The report that answered 500: past year 9999 no instant has an ISO 8601 form the store's keys could hold.
    expect(parseReportWindow({ from: '9999-01-01', to: '9999-12-31' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    // 29 February's year after is 1 March; in a zone, its day there.
    expect(parseReportWindow({ from: '2029-02-25', to: '2029-03-01' }, new Date('2028-02-29T12:00:00Z'))).toMatchObject({ kind: 'ok' });
    expect(parseReportWindow({ from: '2029-02-25', to: '2029-03-02' }, new Date('2028-02-29T12:00:00Z'))).toMatchObject({ kind: 'invalid' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-25' }, new Date('2026-11-26T02:00:00Z'), 'America/New_York')).toMatchObject({ kind: 'ok' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26' }, new Date('2026-11-26T02:00:00Z'), 'America/New_York')).toMatchObject({ kind: 'invalid' });
  });
});

describe("the report's window in DIGEST_TIMEZONE (CONTRACT §11: dates are days there, weeks Monday to Sunday)", () => {
  const NOW = new Date('2026-11-25T10:00:00Z'); // a Wednesday
  const at = (window: ParsedWindow) => (window.kind === 'ok' ? [window.window.from.toISOString(), window.window.to.toISOString()] : window.message);

  it('reads a date as that day in the zone: from its 00:00, to its end', () => {
    expect(at(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW))).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(at(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW, 'Europe/Berlin'))).toEqual(['2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z']);
    expect(at(parseReportWindow({ from: '2026-07-01', to: '2026-07-01' }, NOW, 'America/New_York'))).toEqual(['2026-07-01T04:00:00.000Z', '2026-07-02T04:00:00.000Z']);
    // A date-time is what it says, whatever the zone.
    expect(at(parseReportWindow({ from: '2026-11-16T12:00:00Z', to: '2026-11-17T12:00:00Z' }, NOW, 'Europe/Berlin'))).toEqual(['2026-11-16T12:00:00.000Z', '2026-11-17T12:00:00.000Z']);
  });

  it('takes weeks=N as the N whole weeks before the current one, the digest\'s weeks', () => {
    expect(at(parseReportWindow({ weeks: '2' }, NOW))).toEqual(['2026-11-09T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(at(parseReportWindow({ weeks: '1' }, NOW, 'Europe/Berlin'))).toEqual([digestWeek(NOW, 'Europe/Berlin').from.toISOString(), digestWeek(NOW, 'Europe/Berlin').to.toISOString()]);
    for (const bad of ['0', '53', 'two', '1.5', '']) expect(at(parseReportWindow({ weeks: bad }, NOW))).toBe('weeks must be a whole number from 1 to 52');
    expect(at(parseReportWindow({ weeks: '2', from: '2026-11-01' }, NOW))).toBe('weeks cannot be combined with from or to');
  });

  it('cuts a window into its weeks at Mondays 00:00, marking the ones it cuts partial', () => {
    const weeks = weeksOf({ from: new Date('2026-11-12T00:00:00Z'), to: new Date('2026-11-25T10:00:00Z') }, 'UTC');
    expect(weeks.map((week) => [week.from.toISOString().slice(0, 10), week.to.toISOString().slice(0, 13), week.partial])).toEqual([
      ['2026-11-12', '2026-11-16T00', true],
      ['2026-11-16', '2026-11-23T00', false],
      ['2026-11-23', '2026-11-25T10', true],
    ]);
    // A week with a DST change is 169 hours long in its zone, and still whole.
    const autumn = weeksOf(wholeWeeksBefore(new Date('2026-10-28T12:00:00Z'), 1, 'Europe/Berlin'), 'Europe/Berlin');
    expect(autumn).toHaveLength(1);
    expect(autumn[0]!.partial).toBe(false);
    expect((autumn[0]!.to.getTime() - autumn[0]!.from.getTime()) / 3_600_000).toBe(169);
  });
});
