/**
 * The report's additive counts (core/report-counts.ts) and its by-lab rows
 * (CONTRACT §11): durations exact while few and within 5% or 0.1 h of the
 * exact percentiles when many, whatever the grouping; rows in §11's order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addReportCounts, addSpreads, EXACT_VALUES, spreadOf, spreadPercentile } from '../../../functions/core/report-counts';
import { assembleReport, byLabRows, durations, spreadDurations } from '../../../functions/core/report';
import { countsOfTallies, type Tally } from '../../../functions/core/report-tallies';

const hours = fc.double({ min: 0, max: 9000, noNaN: true }).map((value) => Math.round(value * 100) / 100);

function exactPercentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('spreads', () => {
  it('are exact while they hold at most EXACT_VALUES values', () => {
    fc.assert(
      fc.property(fc.array(hours, { minLength: 1, maxLength: EXACT_VALUES }), (values) => {
        expect(spreadDurations(spreadOf(values))).toEqual(durations(values));
      }),
    );
  });

  it('give p50 and p90 within 5% or 0.1 h of the exact values (whichever is larger) when they hold more', () => {
    fc.assert(
      fc.property(fc.array(hours, { minLength: EXACT_VALUES + 1, maxLength: 400 }), (values) => {
        const spread = spreadOf(values);
        expect(spread.values).toBeNull();
        for (const q of [0.5, 0.9]) {
          const exact = exactPercentile(values, q);
          expect(Math.abs(spreadPercentile(spread, q)! - exact)).toBeLessThanOrEqual(Math.max(0.05 * exact, 0.1) + 1e-9);
        }
      }),
    );
  });

  it('add up to the same spread however the values were grouped', () => {
    fc.assert(
      fc.property(fc.array(hours, { maxLength: 80 }), fc.array(fc.nat(79), { maxLength: 6 }), (values, cuts) => {
        const bounds = [0, ...[...new Set(cuts)].filter((cut) => cut < values.length).sort((a, b) => a - b), values.length];
        const groups = bounds.slice(1).map((end, index) => values.slice(bounds[index], end));
        const added = groups.map(spreadOf).reduce(addSpreads, spreadOf([]));
        expect(spreadDurations(added)).toEqual(spreadDurations(spreadOf(values)));
        expect(added.n).toBe(values.length);
      }),
    );
  });
});

const ended = (overrides: Partial<Extract<Tally, { kind: 'ended' }>>): Tally => ({
  kind: 'ended',
  at: '2026-11-17T09:00:00.000000Z',
  with_redraw: false,
  completed: true,
  walk_in: true,
  lab: 'quest',
  method: 'walk_in_test',
  missing: null,
  redraw_results_hours: null,
  ...overrides,
});

describe('by_lab rows', () => {
  it('come highest redraw rate first, nulls last, then by lab and method; a lab and method with nothing completed keeps its row', () => {
    const tallies: Tally[] = [
      ended({ lab: 'labcorp', with_redraw: true, redraw_results_hours: 50 }),
      ended({ lab: 'labcorp' }),
      ended({ lab: 'quest', with_redraw: true, redraw_results_hours: 72.5 }),
      ended({ lab: 'quest', with_redraw: true, missing: 'results_still_missing', redraw_results_hours: 100 }),
      ended({ lab: 'quest' }),
      ended({ lab: 'bioreference' }),
      ended({ lab: 'aardvark' }),
      ended({ lab: null, method: 'testkit', walk_in: false, completed: false, missing: 'no_redraw' }),
      { kind: 'failures', at: '2026-11-17T09:00:00.000000Z', lab: 'quest', method: 'walk_in_test', failure_types: { internal_lab_failure: 1, quantity_not_sufficient_failure: 3 } },
      { kind: 'failures', at: '2026-11-17T09:00:00.000000Z', lab: null, method: 'testkit', failure_types: { quantity_not_sufficient_failure: 2 } },
      // Failure types of a lab and method with no transaction ended in the window give no row.
      { kind: 'failures', at: '2026-11-17T09:00:00.000000Z', lab: 'sonora_quest', method: 'walk_in_test', failure_types: { unknown_failure: 1 } },
    ];
    const rows = byLabRows(countsOfTallies(tallies).by_lab);
    expect(rows.map((row) => [row.lab, row.method, row.completed, row.with_redraw, row.redraw_rate, row.ended_missing])).toEqual([
      ['quest', 'walk_in_test', 3, 2, 66.7, 1],
      ['labcorp', 'walk_in_test', 2, 1, 50, 0],
      ['aardvark', 'walk_in_test', 1, 0, 0, 0],
      ['bioreference', 'walk_in_test', 1, 0, 0, 0],
      ['unknown', 'testkit', 0, 0, null, 1],
    ]);
    expect(rows[0]!.time_to_redraw_results_hours).toEqual({ n: 2, p50: 72.5, p90: 100 });
    // Largest first.
    expect(Object.entries(rows[0]!.failure_types)).toEqual([['quantity_not_sufficient_failure', 3], ['internal_lab_failure', 1]]);
    expect(rows[4]!.failure_types).toEqual({ quantity_not_sufficient_failure: 2 });
  });

  it('the report counts ended_missing by attention and walk-in completions apart from the other methods', () => {
    const report = assembleReport({
      window: { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') },
      now: new Date('2026-11-23T10:00:00Z'),
      tallies: [
        ended({ with_redraw: true, missing: 'redraw_failed' }),
        ended({ method: 'testkit', walk_in: false, missing: 'no_redraw' }),
        ended({ completed: false }),
        ended({}),
      ],
      open: [],
    });
    expect(report.walk_in_completed).toBe(2);
    expect(report.with_redraw).toBe(1);
    expect(report.ended_missing).toEqual({ results_still_missing: 0, no_redraw: 1, redraw_failed: 1 });
  });

  it('adding counts is the counts of the tallies together, in any order', () => {
    const tally = fc.oneof(
      fc.record({ lab: fc.constantFrom('quest', 'labcorp', null), method: fc.constantFrom('walk_in_test', 'testkit'), completed: fc.boolean(), with_redraw: fc.boolean(), h: fc.option(hours) }).map((f) =>
        ended({ lab: f.lab, method: f.method, completed: f.completed, with_redraw: f.with_redraw, redraw_results_hours: f.h }),
      ),
      hours.map((close): Tally => ({ kind: 'closed', at: '2026-11-17T09:00:00.000000Z', disposition: 'other', hours: { redraw_order: null, acknowledge: null, close } })),
    );
    fc.assert(
      fc.property(fc.array(tally, { maxLength: 60 }), fc.nat(60), (tallies, cut) => {
        const window = { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') };
        const now = new Date('2026-11-23T10:00:00Z');
        const split = addReportCounts(countsOfTallies(tallies.slice(cut)), countsOfTallies(tallies.slice(0, cut)));
        expect(assembleReport({ window, now, counts: split, open: [] })).toEqual(assembleReport({ window, now, tallies, open: [] }));
      }),
    );
  });
});
