/**
 * When a report unit may be built and when a row write must mark it
 * (store/report-units.ts): the one timing rule the units' trust rests on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WRITE_MS, mayBuild, mergeSpans, mustMark, SETTLE_MS, UNIT_MS, unitStart } from '../../functions/store/report-units';

const HOUR = UNIT_MS.hour;

describe('report unit timing', () => {
  it('a write its writer did not mark lands before the first moment its hour may be built', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 24 * HOUR }), fc.integer({ min: -2 * 24 * HOUR, max: 2 * 24 * HOUR }), fc.integer({ min: 0, max: MAX_WRITE_MS }), (writerNow, offset, delay) => {
        const start = unitStart('hour', writerNow + offset);
        if (mustMark('hour', start, writerNow)) return;
        // Unmarked: it lands within MAX_WRITE_MS of its writer's clock, before any build may begin.
        expect(mayBuild(start, writerNow + delay, null)).toBe(false);
      }),
    );
  });

  it('waits SETTLE_MS after an hour ends, and MAX_WRITE_MS after its latest mark', () => {
    const start = Date.UTC(2026, 10, 20, 9);
    expect(mayBuild(start, start + HOUR + SETTLE_MS - 1, null)).toBe(false);
    expect(mayBuild(start, start + HOUR + SETTLE_MS, null)).toBe(true);
    const marked = start + 5 * HOUR;
    expect(mayBuild(start, marked + MAX_WRITE_MS - 1, marked)).toBe(false);
    expect(mayBuild(start, marked + MAX_WRITE_MS, marked)).toBe(true);
    // A write to an hour that ended 20 minutes ago marks it; 10 minutes ago, not yet.
    expect(mustMark('hour', start, start + HOUR + 20 * 60_000)).toBe(true);
    expect(mustMark('hour', start, start + HOUR + 10 * 60_000)).toBe(false);
  });

  it('merges touching spans and keeps apart ones', () => {
    expect(mergeSpans([{ fromMs: 5, toMs: 7 }, { fromMs: 0, toMs: 2 }, { fromMs: 2, toMs: 3 }])).toEqual([{ fromMs: 0, toMs: 3 }, { fromMs: 5, toMs: 7 }]);
  });
});
