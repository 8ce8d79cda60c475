import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReportWindow } from '../../../functions/core/report-window';
import {
  apiQuery,
  choiceWords,
  datesProblem,
  formDates,
  parseDate,
  parseWindowSearch,
  presets,
  reportRoute,
  sameChoice,
  type WindowChoice,
} from '../../../console/src/report/report-window';

const search = (query: string) => new URLSearchParams(query);

describe('parseWindowSearch', () => {
  it('reads from and to dates', () => {
    expect(parseWindowSearch(search('from=2026-11-01&to=2026-11-30'))).toEqual({ choice: { kind: 'dates', from: '2026-11-01', to: '2026-11-30' }, notice: null });
  });

  it('reads a number of weeks', () => {
    expect(parseWindowSearch(search('weeks=12'))).toEqual({ choice: { kind: 'weeks', weeks: 12 }, notice: null });
  });

  it('gives the default quietly when the address names no window', () => {
    expect(parseWindowSearch(search(''))).toEqual({ choice: { kind: 'default' }, notice: null });
    expect(parseWindowSearch(search('unrelated=1'))).toEqual({ choice: { kind: 'default' }, notice: null });
  });

  it.each([
    ['from=2026-02-30&to=2026-03-01', /From date is not a real date/],
    ['from=2026-11-01&to=soon', /To date is not a real date/],
    ['from=2026-11-30&to=2026-11-01', /same as or after the From date/],
    ['from=2025-01-01&to=2026-11-30', /at most 366 days/],
    ['from=2026-11-01', /From date without a To date/],
    ['to=2026-11-01', /To date without a From date/],
    ['weeks=0', /whole number from 1 to 52/],
    ['weeks=53', /whole number from 1 to 52/],
    ['weeks=4.5', /whole number from 1 to 52/],
    ['weeks=4&from=2026-11-01&to=2026-11-30', /both a number of weeks and dates/],
  ])('falls back to the default and says why for %s', (query, why) => {
    const parsed = parseWindowSearch(search(query));
    expect(parsed.choice).toEqual({ kind: 'default' });
    expect(parsed.notice).toMatch(why);
    expect(parsed.notice).toMatch(/Showing the 28 days up to now instead\.$/);
  });

  it('never echoes what the address said in its notice', () => {
    const parsed = parseWindowSearch(search('from=<script>&to=2026-11-01'));
    expect(parsed.notice).not.toContain('<script>');
  });

  it('accepts one whole day (From equal to To) and exactly 366 days, and refuses 367', () => {
    expect(parseWindowSearch(search('from=2026-11-16&to=2026-11-16')).notice).toBeNull();
    expect(parseWindowSearch(search('from=2026-01-01&to=2027-01-01')).notice).toBeNull();
    expect(parseWindowSearch(search('from=2026-01-01&to=2027-01-02')).notice).toMatch(/at most 366 days/);
  });

  it('accepts exactly the date windows the API accepts (property, against core/report parseReportWindow)', () => {
    const day = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (from, to) => {
        const ours = parseWindowSearch(search(`from=${from}&to=${to}`)).notice === null;
        const api = parseReportWindow({ from, to }, new Date('2031-01-01T00:00:00Z'), 'UTC').kind === 'ok';
        expect(ours).toBe(api);
      }),
    );
  });
});

describe('the URL and the API query of a window', () => {
  const choices: WindowChoice[] = [{ kind: 'dates', from: '2026-11-01', to: '2026-11-30' }, { kind: 'weeks', weeks: 4 }, { kind: 'default' }];

  it('asks the API for exactly the window the URL names', () => {
    const now = new Date('2026-11-27T06:00:00.000Z');
    expect(apiQuery(choices[0]!, now)).toBe('from=2026-11-01&to=2026-11-30');
    expect(apiQuery(choices[1]!, now)).toBe('weeks=4');
    // The default is the 28 days up to now: `from` 28 days back, no `to` (the API's now).
    expect(apiQuery(choices[2]!, now)).toBe('from=2026-10-30T06%3A00%3A00.000Z');
    const asked = parseReportWindow({ from: '2026-10-30T06:00:00.000Z' }, now);
    expect(asked.kind === 'ok' && asked.window.to.getTime() - asked.window.from.getTime()).toBe(28 * 86_400_000);
  });

  it('writes each window into the page route and reads it back unchanged (round trip)', () => {
    for (const choice of choices) {
      const route = reportRoute(choice);
      expect(route.startsWith('/report')).toBe(true);
      const query = route.includes('?') ? route.slice(route.indexOf('?') + 1) : '';
      expect(parseWindowSearch(search(query))).toEqual({ choice, notice: null });
    }
  });

  it('round-trips any valid window (property)', () => {
    const choice: fc.Arbitrary<WindowChoice> = fc.oneof(
      fc.integer({ min: 1, max: 52 }).map((weeks): WindowChoice => ({ kind: 'weeks', weeks })),
      fc
        .tuple(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 365 }))
        .map(([start, days]): WindowChoice => ({ kind: 'dates', from: start.toISOString().slice(0, 10), to: new Date(start.getTime() + days * 86_400_000).toISOString().slice(0, 10) })),
    );
    fc.assert(
      fc.property(choice, (c) => {
        const route = reportRoute(c);
        expect(parseWindowSearch(search(route.slice(route.indexOf('?') + 1)))).toEqual({ choice: c, notice: null });
      }),
    );
  });

  it('says the window in words', () => {
    expect(choiceWords(choices[0]!)).toBe('2026-11-01 to 2026-11-30');
    expect(choiceWords({ kind: 'dates', from: '2026-11-16', to: '2026-11-16' })).toBe('2026-11-16');
    expect(choiceWords(choices[1]!)).toBe('the 4 whole weeks before this one (Monday to Sunday)');
    expect(choiceWords({ kind: 'weeks', weeks: 1 })).toBe('the whole week before this one (Monday to Sunday)');
    expect(choiceWords(choices[2]!)).toBe('the 28 days up to now');
  });
});

describe('presets', () => {
  it('offers the last 7 days (today and the 6 before, in the report\'s zone), the last 28 days to now (the default) and the 4 and 12 whole weeks before this one', () => {
    const now = new Date('2026-11-24T07:00:00Z');
    expect(presets(now, 'UTC')).toEqual([
      { label: 'Last 7 days', choice: { kind: 'dates', from: '2026-11-18', to: '2026-11-24' } },
      { label: 'Last 28 days', choice: { kind: 'default' } },
      { label: '4 whole weeks before this one', choice: { kind: 'weeks', weeks: 4 } },
      { label: '12 whole weeks before this one', choice: { kind: 'weeks', weeks: 12 } },
    ]);
    expect(reportRoute(presets(now, 'UTC')[1]!.choice)).toBe('/report');
  });

  it('takes today in the report\'s zone, not UTC', () => {
    // 07:00Z on the 24th is still the 23rd in Los Angeles.
    expect(presets(new Date('2026-11-24T07:00:00Z'), 'America/Los_Angeles')[0]!.choice).toEqual({ kind: 'dates', from: '2026-11-17', to: '2026-11-23' });
  });

  it('tells a preset that is the current window from one that is not', () => {
    expect(sameChoice({ kind: 'weeks', weeks: 4 }, { kind: 'weeks', weeks: 4 })).toBe(true);
    expect(sameChoice({ kind: 'weeks', weeks: 4 }, { kind: 'weeks', weeks: 12 })).toBe(false);
    expect(sameChoice({ kind: 'default' }, { kind: 'weeks', weeks: 4 })).toBe(false);
  });
});

describe('dates', () => {
  it('reads real dates only', () => {
    expect(parseDate('2026-11-16')).toEqual({ year: 2026, month: 11, day: 16 });
    expect(parseDate('2028-02-29')).not.toBeNull();
    expect(parseDate('2026-02-29')).toBeNull();
    expect(parseDate('16/11/2026')).toBeNull();
    expect(parseDate('')).toBeNull();
  });

  it('names the field a form problem is in', () => {
    expect(datesProblem('', '2026-11-01')).toEqual({ field: 'from', message: 'Enter a From date.' });
    expect(datesProblem('2026-11-01', '')).toEqual({ field: 'to', message: 'Enter a To date.' });
    expect(datesProblem('2026-11-02', '2026-11-01')?.field).toBe('to');
    expect(datesProblem('2026-11-01', '2026-11-02')).toBeNull();
  });

  it('shows the dates of an answered window, a window to Monday 00:00 ending on the Sunday', () => {
    expect(formDates({ from: '2026-11-16T00:00:00.000000Z', to: '2026-11-23T00:00:00.000000Z' }, 'UTC')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(formDates({ from: '2026-11-16T08:00:00.000000Z', to: '2026-11-23T08:00:00.000000Z' }, 'America/Los_Angeles')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(formDates({ from: 'x', to: '2026-11-23T00:00:00Z' }, 'UTC')).toBeNull();
  });
});
