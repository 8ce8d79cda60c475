import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chartWeeks as cliChartWeeks } from '../../../cli/report-views';
import { chartWeekCount, chartWeeks, DEFAULT_CHART_WEEKS, mapLimited, MAX_IN_FLIGHT, readWeeks, weekLabel, weekQuery } from '../../../console/src/report/report-weeks';
import { propertyRuns } from '../../support/property-runs';

describe('chartWeeks', () => {
  it('gives the 8 whole Monday-to-Sunday weeks before this one, then this one (current), oldest first', () => {
    const weeks = chartWeeks(new Date('2026-11-25T10:00:00Z'), DEFAULT_CHART_WEEKS, 'UTC');
    expect(weeks).toHaveLength(9);
    expect(weeks[0]!.from.toISOString()).toBe('2026-09-28T00:00:00.000Z');
    expect(weeks.at(-2)!.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(weeks.at(-1)).toEqual({ from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z'), current: true });
    expect(weeks.slice(0, -1).every((week) => !week.current)).toBe(true);
  });

  it('cuts weeks at Monday 00:00 in the report\'s zone, across a DST change', () => {
    // Europe/Berlin leaves summer time on 2026-10-25: that week is 169 hours long.
    const weeks = chartWeeks(new Date('2026-11-03T12:00:00Z'), 2, 'Europe/Berlin');
    expect(weeks.map((week) => [week.from.toISOString(), week.to.toISOString()])).toEqual([
      ['2026-10-18T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ['2026-10-25T23:00:00.000Z', '2026-11-01T23:00:00.000Z'],
      ['2026-11-01T23:00:00.000Z', '2026-11-08T23:00:00.000Z'],
    ]);
    expect(weeks.map((week) => weekLabel(week.from, 'Europe/Berlin'))).toEqual(['2026-10-19', '2026-10-26', '2026-11-02']);
  });

  it('gives just this week for 0 whole weeks, and on a Monday at 00:00 that Monday\'s week', () => {
    expect(chartWeeks(new Date('2026-11-23T00:00:00Z'), 0, 'UTC')).toEqual([{ from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z'), current: true }]);
  });

  it('has the same whole weeks as the CLI\'s chart (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 52 }),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'),
        (now, whole, zone) => {
          const ours = chartWeeks(now, whole, zone);
          const cli = cliChartWeeks({ weeks: whole, end: now }, zone);
          // The CLI ends its current week at `now` (partial); ours asks for the whole week.
          expect(ours.slice(0, -1).map((w) => [w.from.getTime(), w.to.getTime()])).toEqual(cli.filter((w) => !w.partial).map((w) => [w.from.getTime(), w.to.getTime()]));
          expect(ours).toHaveLength(whole + 1);
          for (let i = 1; i < ours.length; i++) expect(ours[i]!.from.getTime()).toBe(ours[i - 1]!.to.getTime());
        },
      ),
      { numRuns: propertyRuns(60) },
    );
  });

  it('charts N weeks for a weeks=N window and 8 otherwise', () => {
    expect(chartWeekCount({ kind: 'weeks', weeks: 12 })).toBe(12);
    expect(chartWeekCount({ kind: 'default' })).toBe(8);
    expect(chartWeekCount({ kind: 'dates', from: '2026-01-01', to: '2026-02-01' })).toBe(8);
  });

  it('asks the API for a week by its two instants', () => {
    expect(weekQuery({ from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') })).toBe('from=2026-11-16T00%3A00%3A00.000Z&to=2026-11-23T00%3A00%3A00.000Z');
  });
});

describe('mapLimited', () => {
  it('never runs more than the limit at once and keeps the items\' order', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimited([50, 10, 30, 0, 20, 40, 5, 15, 25], MAX_IN_FLIGHT, async (delay, index) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running--;
      return index * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
    expect(most).toBe(MAX_IN_FLIGHT);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapLimited([0, 1, 2, 3, 4, 5, 6, 7], 2, async (item) => {
        started.push(item);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (item === 1) throw new Error('week 1 failed');
        return item;
      }),
    ).rejects.toThrow('week 1 failed');
    expect(started.length).toBeLessThan(8);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});

describe('readWeeks', () => {
  it('reads each week once, in order, with the counts the API answered', async () => {
    const weeks = chartWeeks(new Date('2026-11-25T10:00:00Z'), 3, 'UTC');
    const asked: string[] = [];
    const counts = await readWeeks(weeks, async (query) => {
      asked.push(query);
      const params = new URLSearchParams(query);
      const from = params.get('from')!;
      return { from, to: params.get('to')!, opened: Number(from.slice(8, 10)), closed: 1 };
    });
    expect(asked).toHaveLength(4);
    expect(counts.map((week) => [week.from.slice(0, 10), week.opened, week.closed, week.current])).toEqual([
      ['2026-11-02', 2, 1, false],
      ['2026-11-09', 9, 1, false],
      ['2026-11-16', 16, 1, false],
      ['2026-11-23', 23, 1, true],
    ]);
  });
});
