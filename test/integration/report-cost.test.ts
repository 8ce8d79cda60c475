/**
 * What reports (CONTRACT §11) cost in DynamoDB units, as AWS bills them on
 * demand (bench/meter.ts over DynamoDB Local's consumed capacity): a report row
 * is one write unit when it is put (under 1 KB), and a report reads the rows of
 * its window (one Query per kind and month, eventually consistent: 0.5 RU per
 * 4 KB) plus the follow-ups open now and the stale flags' keys. The figures
 * scale with what the window holds, never with the table: no Scan.
 * docs/reports.md quotes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter, type Meter } from '../../bench/meter';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { documentTable } from '../../functions/store/document-table';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { applyTallyWrite } from '../../functions/store/report-rows';
import { keys, reportToken, rowKey } from '../../functions/store/keys';
import { readRedrawReport, readRowCountsByHour } from '../../functions/store/reports';
import { buildReportUnits } from '../../functions/store/report-unit-builds';
import { MAX_WRITE_MS } from '../../functions/store/report-units';
import type { Tally } from '../../functions/core/report-tallies';
import { createTestTable, testClient, testDocumentClient, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

let table: TestTable;
const client = testClient();
let meter: Meter;
beforeAll(async () => {
  table = await createTestTable('report-cost');
  meter = attachMeter(client);
});
afterAll(async () => {
  meter?.detach();
  client.destroy();
  await table?.drop();
});

const canonical = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

describe('report cost', () => {
  it('writes a row for one write unit, and reads a week of 1,000 orders a day (400 rows, 60 open follow-ups) for a few read units', async () => {
    const db = documentTable(testDocumentClient(client));
    const weekStart = Date.parse('2026-06-01T00:00:00Z');
    const markedHours = new Set<number>();
    const put = async (tally: Tally, id = freshId()) => {
      if (Date.parse(tally.at) < weekStart + 7 * 86_400_000) markedHours.add(Math.floor(Date.parse(tally.at) / 3_600_000));
      const outcome = await applyTallyWrite(db, table.tableName, {
        key: keys.reportRow(tally.kind, tally.at, reportToken(id)),
        version: 1,
        tally,
        expiresAt: Math.floor(weekStart / 1000) + 400 * 86_400,
      });
      expect(outcome).toBe('written');
    };
    // A week at 1,000 orders a day, about 300 walk-in transactions a day at a 5% redraw rate (the cost
    // model of docs/deploy.md): 15 redraws a day opened and about as many closed; all of them ended.
    // A fact on time: its row, one write unit (store/report-units.ts: its hour is built after it lands).
    meter.reset();
    await put({ kind: 'closed', at: canonical(Date.now()), disposition: 'redraw_completed', hours: { redraw_order: 1.5, acknowledge: 20.25, close: 170.5 } });
    const onTime = meter.reading();
    expect({ write: onTime.write, refused: onTime.refused }).toEqual({ write: 1, refused: 0 });
    // A late one (its hour may be built already): its hour's mark, then its row.
    meter.reset();
    const lateId = freshId();
    const lateTally: Tally = { kind: 'closed', at: canonical(weekStart + 3_600_000), disposition: 'redraw_completed', hours: { redraw_order: 1.5, acknowledge: 20.25, close: 170.5 } };
    await put(lateTally, lateId);
    const late = meter.reading();
    expect({ write: late.write, refused: late.refused, byCommand: late.byCommand }).toEqual({ write: 2, refused: 0, byCommand: { UpdateItemCommand: 1, PutItemCommand: 1 } });
    // Delivered again: the mark again (the hour stays untrusted until its next build), the row refused.
    meter.reset();
    expect(
      await applyTallyWrite(db, table.tableName, { key: keys.reportRow(lateTally.kind, lateTally.at, reportToken(lateId)), version: 1, tally: lateTally, expiresAt: Math.floor(weekStart / 1000) + 400 * 86_400 }),
    ).toBe('stale');
    const again = meter.reading();
    expect({ write: again.write, refused: again.refused, byCommand: again.byCommand }).toEqual({ write: 1, refused: 1, byCommand: { UpdateItemCommand: 1, PutItemCommand: 1 } });
    for (let index = 0; index < 104; index++) {
      const at = canonical(weekStart + index * 5_800_000);
      await put({ kind: 'opened', at });
      await put({ kind: 'closed', at, disposition: index % 3 === 0 ? 'patient_unreachable' : 'redraw_completed', hours: { redraw_order: 1.5, acknowledge: index % 2 ? 20.25 : null, close: 170.5 } });
    }
    for (let index = 0; index < 190; index++) await put({ kind: 'ended', at: canonical(weekStart + index * 3_100_000), with_redraw: index % 20 === 0 });
    for (let index = 0; index < 60; index++) {
      const id = freshId();
      const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: canonical(weekStart - index * 86_400_000) });
      const redraw = { kind: 'awaiting_redraw' as const, statusTime: followUp.opened_at, orderId: followUp.initial_order_id! };
      expect(await writeStoredFollowUp(db, table.tableName, null, { followUp, redraw, dueAt: canonical(weekStart + index * 60_000), applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
    }

    const window = { from: new Date(weekStart), to: new Date(weekStart + 7 * 86_400_000), now: new Date(weekStart + 7 * 86_400_000) };
    meter.reset();
    const fromRows = await readRedrawReport(db, table.tableName, window);
    const rowsReading = meter.reading();
    expect(fromRows).toMatchObject({ opened: 104, closed: 105, walk_in_completed: 190, with_redraw: 10, open_now: 60 });
    // Before any unit is built: the hours' marks, the days' and hours' units (none), four Queries of rows
    // (one per kind: one month; none of `failures` here), the worklist's open partition, the stale flags' keys; and one
    // of when counting closes by person began (issue 73, none stored here: a Query of its key, as the digest may only Query).
    expect(rowsReading.byCommand).toEqual({ QueryCommand: 10 });
    // 14 RU (about $0.000004; the Query of when counting closes by person began finds nothing here: DynamoDB Local
    // reports 0 for it, DynamoDB bills 0.5): the rows are about 100-200 bytes, the open follow-ups about 0.45 KB each (0.8 KB
    // and 16.5 RU before issue 76's compact follow-up item), and each hour a late row was written to has its mark (written
    // days late, all of them here).
    expect({ read: rowsReading.read, items: rowsReading.queryItems }).toEqual({ read: 14, items: 104 + 105 + 190 + 60 + markedHours.size });

    // The sweep builds the week's hours and days once the late rows' writes have landed (MAX_WRITE_MS after their marks).
    const run = await buildReportUnits(db, table.tableName, {
      nowMs: Date.now() + MAX_WRITE_MS,
      readRows: (span) => readRowCountsByHour(db, table.tableName, span, true),
      mayContinue: () => true,
      firstHourMs: weekStart,
      maxBuilds: 7 * 24,
    });
    expect(run).toEqual({ built: 7 * 24 + 7, rebuilt: 0, marked: 0 });
    meter.reset();
    const fromUnits = await readRedrawReport(db, table.tableName, window);
    const unitsReading = meter.reading();
    // The same report, from seven days' counts: the marks (none), the days, the open partition, the stale flags; and
    // when counting closes by person began. 3.5 RU: the open partition's follow-ups are about 0.45 KB each (6 RU before
    // issue 76's compact follow-up item).
    expect(fromUnits).toEqual(fromRows);
    expect(unitsReading.byCommand).toEqual({ QueryCommand: 5 });
    expect({ read: unitsReading.read, items: unitsReading.queryItems }).toEqual({ read: 3.5, items: 7 + 60 });
  });

  it('reads bookings in no request more: a week whose opened rows carry them, and its old hours re-marked by late bookings until the sweep builds them again (issue 85)', async () => {
    // A table of its own: the sweep's build starts where the last one stopped (the test above's week).
    const own = await createTestTable('report-cost-bookings');
    const table = own;
    const db = documentTable(testDocumentClient(client));
    const weekStart = Date.parse('2026-08-03T00:00:00Z');
    const expiresAt = Math.floor(weekStart / 1000) + 400 * 86_400;
    const booking = (booked: boolean) => ({ lab: 'quest', booked_hours: booked ? 30 : null, here: booked, drawn: false, missed: false });
    const ids = Array.from({ length: 104 }, () => freshId());
    const at = (index: number) => canonical(weekStart + index * 5_800_000);
    for (const [index, id] of ids.entries()) {
      expect(await applyTallyWrite(db, table.tableName, { key: rowKey(id, { kind: 'opened', at: at(index) }), version: 1, tally: { kind: 'opened', at: at(index), booking: booking(false) }, expiresAt })).toBe('written');
    }
    const window = { from: new Date(weekStart), to: new Date(weekStart + 7 * 86_400_000), now: new Date(weekStart + 7 * 86_400_000) };
    const build = () =>
      buildReportUnits(db, table.tableName, { nowMs: Date.now() + MAX_WRITE_MS, readRows: (span) => readRowCountsByHour(db, table.tableName, span, true), mayContinue: () => true, firstHourMs: weekStart, maxBuilds: 7 * 24 });
    await build();
    meter.reset();
    const built = await readRedrawReport(db, table.tableName, window);
    const builtReading = meter.reading();
    expect(built.bookings_by_lab).toEqual([expect.objectContaining({ lab: 'quest', redraws: 104, booked: 0 }), expect.objectContaining({ lab: null, redraws: 104, booked: 0 })]);
    // As a week without bookings reads (the test above): the marks, the days, the open partition, the stale flags, the closes record.
    expect(builtReading.byCommand).toEqual({ QueryCommand: 5 });

    // Ten of them booked now: each opened row written again in its old hour (its mark, then the row: a late fact, 2 WU),
    // and its first booking's row now, beside this month's opened rows (on time, 1 WU).
    meter.reset();
    for (const index of Array.from({ length: 10 }, (_, tenth) => tenth * 10)) {
      const id = ids[index]!;
      const opened: Tally = { kind: 'opened', at: at(index), booking: booking(true) };
      expect(await applyTallyWrite(db, table.tableName, { key: rowKey(id, opened), version: 2, tally: opened, expiresAt })).toBe('written');
      const first: Tally = { kind: 'booked', at: canonical(Date.now()), lab: 'quest', hours: 30 };
      expect(await applyTallyWrite(db, table.tableName, { key: rowKey(id, first), version: 2, tally: first, expiresAt })).toBe('written');
    }
    const bookingWrites = meter.reading();
    expect({ write: bookingWrites.write, refused: bookingWrites.refused }).toEqual({ write: 10 * (2 + 1), refused: 0 });
    meter.reset();
    const remarked = await readRedrawReport(db, table.tableName, window);
    const remarkedReading = meter.reading();
    expect(remarked.bookings_by_lab).toEqual([expect.objectContaining({ lab: 'quest', redraws: 104, booked: 10 }), expect.objectContaining({ lab: null, redraws: 104, booked: 10 })]);
    // Until the sweep builds them again, the ten re-marked hours are read from their rows (a Query per kind each) and
    // their days from their other hours, as late closes' would be: 46 Queries, 12 RU (195 items), against 5 Queries
    // once built. The bookings add no Query of their own (their rows are the opened rows, and the first
    // bookings' rows sit beside them).
    expect(remarkedReading.byCommand).toEqual({ QueryCommand: 46 });
    expect({ read: remarkedReading.read, items: remarkedReading.queryItems }).toEqual({ read: 12, items: 195 });
    // Built again by the sweep: as before the bookings.
    await build();
    meter.reset();
    expect(await readRedrawReport(db, table.tableName, window)).toEqual(remarked);
    expect(meter.reading().byCommand).toEqual({ QueryCommand: 5 });
    await own.drop();
  });
});