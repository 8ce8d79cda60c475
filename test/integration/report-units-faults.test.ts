/**
 * The sweep's report-unit step under DynamoDB's faults, through the real
 * code on DynamoDB Local: its writes refused (throttled) mid-build. The
 * sweep reports the failure (its SweepError, alarmed on AWS), no unit it
 * could not finish is trusted, the report meanwhile reads rows and answers
 * the same, and the next sweep builds what is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { runSweep, SweepError } from '../../functions/stale-redraw-sweep/app';
import { documentTable } from '../../functions/store/document-table';
import { buildReportUnits } from '../../functions/store/report-unit-builds';
import { builtThrough, MAX_WRITE_MS, readMarks } from '../../functions/store/report-units';
import { applyTallyWrite, readRedrawReport, readRowCountsByHour, tallyWrite } from '../../functions/store/reports';
import type { TableClient } from '../../functions/store/table-client';
import { createTestTable, testDocumentClient, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('report-units-faults');
});
afterAll(async () => {
  await table?.drop();
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The table, with every write of a report unit refused as DynamoDB refuses a throttled request, after `allowed` of them. */
function throttlingUnits(db: TableClient, allowed: number): TableClient {
  let seen = 0;
  return {
    ...db,
    put: async (input) => {
      if (String(input.Item?.pk).startsWith('REPORT#unit-') && ++seen > allowed) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client' });
      }
      return db.put(input);
    },
  };
}

describe('report units under faults', () => {
  it('a throttled build fails the sweep, trusts nothing half-built, the report stays right, and the next sweep builds the rest', async () => {
    const db = documentTable(testDocumentClient());
    const hours = ['2026-10-05T10:15:00.000000Z', '2026-10-05T12:40:00.000000Z', '2026-10-05T15:05:00.000000Z'];
    for (const [index, at] of hours.entries()) {
      const tally = { kind: 'ended' as const, at, with_redraw: index === 0, completed: true, walk_in: true, lab: 'quest', method: 'walk_in_test', missing: null, redraw_results_hours: null };
      expect(await applyTallyWrite(db, table.tableName, tallyWrite(freshId(), tally))).toBe('written');
    }
    const window = { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-06T00:00:00Z'), now: new Date() };
    const fromRows = await readRedrawReport(db, table.tableName, { ...window, units: false });
    expect(fromRows.by_lab).toEqual([expect.objectContaining({ lab: 'quest', completed: 3, with_redraw: 1 })]);
    const marks = () => readMarks(db, table.tableName, 'hour', window.from.getTime(), window.to.getTime(), true);
    expect((await marks()).size).toBe(3);

    // Late rows' hours are built once their marks' writes landed: the sweep's wall clock MAX_WRITE_MS on.
    const sweep = (on: TableClient) =>
      runSweep({ db: on, tableName: table.tableName, now: new Date(), wallClock: () => Date.now() + MAX_WRITE_MS, thresholds: DEFAULT_THRESHOLDS, notifier: createInMemoryNotifier(), logger: silent, metrics: { addMetric: () => undefined } });
    // One hour written, then DynamoDB throttles: the sweep fails, every mark still stands (none is removed before its day is done).
    await expect(sweep(throttlingUnits(db, 1))).rejects.toBeInstanceOf(SweepError);
    expect((await marks()).size).toBe(3);
    expect(await readRedrawReport(db, table.tableName, window)).toEqual(fromRows);

    // DynamoDB is back: the next sweep builds the marked hours and removes their marks; the report reads them, the same.
    await sweep(db);
    expect((await marks()).size).toBe(0);
    expect(await readRedrawReport(db, table.tableName, window)).toEqual(fromRows);
  });

  it("stops a backlog's build where the sweep's time runs out, keeps what it built, and the next sweep goes on from there", async () => {
    const db = documentTable(testDocumentClient());
    const start = (await builtThrough(db, table.tableName, 'hour'))!;
    const build = (mayContinue: () => boolean) =>
      buildReportUnits(db, table.tableName, { nowMs: start + 3 * 86_400_000 + 2 * 3_600_000, readRows: (span) => readRowCountsByHour(db, table.tableName, span, true), mayContinue, maxBuilds: 48 });
    // Time for one read of a day's hours, then none: the sweep's gate says no before the next.
    let asked = 0;
    const cut = await build(() => ++asked === 1);
    expect(cut.built).toBe(24);
    expect(await builtThrough(db, table.tableName, 'hour')).toBe(start + 24 * 3_600_000);
    const rest = await build(() => true);
    // Its 48 hours (its budget), and the days they complete.
    expect(rest.built).toBeGreaterThanOrEqual(48);
    expect(await builtThrough(db, table.tableName, 'hour')).toBe(start + 72 * 3_600_000);
  });
});
