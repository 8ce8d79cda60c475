/**
 * The sweep's report-unit step under DynamoDB's faults, through the real
 * code on DynamoDB Local: its writes refused (throttled) mid-build. The
 * sweep reports the failure (its SweepError, alarmed on AWS), no unit it
 * could not finish is trusted, the report meanwhile reads rows and answers
 * the same, and the next sweep builds what is left. And a late row's two
 * writes (its hour's mark, then the row), either one refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { runSweep, SweepError } from '../../functions/stale-redraw-sweep/app';
import { documentTable } from '../../functions/store/document-table';
import { buildReportUnits } from '../../functions/store/report-unit-builds';
import { builtThrough, MAX_WRITE_MS, readMarks } from '../../functions/store/report-units';
import { applyTallyWrite, tallyWrite } from '../../functions/store/report-rows';
import { readRedrawReport, readRowCountsByHour } from '../../functions/store/reports';
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

const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client' });

/** The table, with the next write that `matches` refused as DynamoDB refuses a throttled request. */
function refusingNext(db: TableClient, matches: { put?: (pk: string) => boolean; update?: (pk: string) => boolean }): TableClient {
  let refused = false;
  const refuse = (test: ((pk: string) => boolean) | undefined, pk: unknown) => {
    if (refused || test === undefined || !test(String(pk))) return false;
    return (refused = true);
  };
  return {
    ...db,
    put: async (input) => {
      if (refuse(matches.put, input.Item?.pk)) throw throttled();
      return db.put(input);
    },
    update: async (input) => {
      if (refuse(matches.update, input.Key?.pk)) throw throttled();
      return db.update(input);
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

  it('a late row marks its hour before it is written: whichever write is refused, no report trusts a built hour without a stored row', async () => {
    const db = documentTable(testDocumentClient());
    const tally = (at: string) => ({ kind: 'ended' as const, at, with_redraw: false, completed: true, walk_in: true, lab: 'labcorp', method: 'walk_in_test', missing: null, redraw_results_hours: null });
    const window = { from: new Date('2026-10-08T00:00:00Z'), to: new Date('2026-10-09T00:00:00Z'), now: new Date() };
    const report = () => readRedrawReport(db, table.tableName, window);
    const fromRows = () => readRedrawReport(db, table.tableName, { ...window, units: false });
    const completed = async () => (await report()).by_lab.find((lab) => lab.lab === 'labcorp')?.completed ?? 0;
    const marks = () => readMarks(db, table.tableName, 'hour', window.from.getTime(), window.to.getTime(), true);
    const sweep = () =>
      runSweep({ db, tableName: table.tableName, now: new Date(), wallClock: () => Date.now() + MAX_WRITE_MS, thresholds: DEFAULT_THRESHOLDS, notifier: createInMemoryNotifier(), logger: silent, metrics: { addMetric: () => undefined } });
    // One late row; the sweep builds its hour and removes the mark: the report reads the hour's unit.
    expect(await applyTallyWrite(db, table.tableName, tallyWrite(freshId(), tally('2026-10-08T10:15:00.000000Z')))).toBe('written');
    await sweep();
    expect((await marks()).size).toBe(0);
    expect(await completed()).toBe(1);

    // Another late row of that hour: its mark refused, so the row is not written either (the stream retries the record).
    const second = tallyWrite(freshId(), tally('2026-10-08T10:40:00.000000Z'));
    const isMark = (pk: string) => pk.startsWith('REPORT#unit-mark');
    await expect(applyTallyWrite(refusingNext(db, { update: isMark }), table.tableName, second)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await report()).toEqual(await fromRows());
    expect(await completed()).toBe(1);
    // Retried: its mark, then its row refused. The hour is marked, so the report reads its rows: 1, as they hold.
    const isRow = (pk: string) => pk.startsWith('REPORT#') && !pk.startsWith('REPORT#unit-');
    await expect(applyTallyWrite(refusingNext(db, { put: isRow }), table.tableName, second)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect((await marks()).size).toBe(1);
    expect(await report()).toEqual(await fromRows());
    // Retried again and written: the marked hour is read from its rows, 2.
    expect(await applyTallyWrite(db, table.tableName, second)).toBe('written');
    expect(await report()).toEqual(await fromRows());
    expect(await completed()).toBe(2);
    // The next sweep builds the hour again and removes its mark: the report reads the unit, 2.
    await sweep();
    expect((await marks()).size).toBe(0);
    expect(await completed()).toBe(2);
    expect(await report()).toEqual(await fromRows());
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
