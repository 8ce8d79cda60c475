/**
 * The bench's report section (bench/report-scale.ts, section l), small: a
 * 30-day report at two sizes ten times apart, on the suite's DynamoDB Local.
 * The report with `closes_by_person` counted (issue 73: each close carries its
 * actor; counting began at the window's start) reads as many requests and items
 * at both sizes, the same as from every row of the window, and a sliver of the
 * read units. The full section (1,000 and 100,000) is `BENCH_ONLY=report-scale npm run bench`.
 *
 * Why it takes its time (issue 87): it writes a 30-day window of ended
 * transactions at two sizes ten times apart (300 and 3,000) to DynamoDB Local
 * and reads the report of each. That the tracker's reads stay flat while the
 * common approach's grow more than fivefold is a count of real requests, items
 * and read units, and needs both windows written.
 */
import { describe, expect, it } from 'vitest';
import { CLOSERS, measureReportScale } from '../../bench/report-scale';
import { localEndpoint } from '../support/dynamodb';

describe('bench section l: the report as ended transactions grow', () => {
  it('counts closes by person from the built days, in reads flat across sizes', async () => {
    const result = await measureReportScale(localEndpoint(), { sizes: [300, 3_000], runs: 1 });
    const [small, large] = result.cases;
    // The tracker's read: the hour marks, 30 days' units, the open partition, the stale flags, and when counting began.
    expect(small!.tracker.requests).toBe(large!.tracker.requests);
    expect(small!.tracker.items).toBe(large!.tracker.items);
    // 30 days' units and the one item of when counting began.
    expect(large!.tracker.items).toBe(31);
    // The common approach reads every row: it grows with what the window holds.
    expect(large!.common.items).toBeGreaterThan(5 * small!.common.items);
    // Both answered closes_by_person (measureReportScale checks it is counted and the same from the rows alone).
    expect(large!.closers).toBe(CLOSERS.length);
    expect(small!.closers).toBeGreaterThan(0);
  }, 180_000);
});
