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
import { openFollowUp, openingEntry } from '../../functions/core/follow-up';
import { documentTable } from '../../functions/store/document-table';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { applyTallyWrite, readRedrawReport, reportToken } from '../../functions/store/reports';
import { keys } from '../../functions/store/table';
import type { Tally } from '../../functions/core/report';
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
    const put = async (tally: Tally, id = freshId()) => {
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
    meter.reset();
    await put({ kind: 'closed', at: canonical(weekStart + 3_600_000), disposition: 'redraw_completed', hours: { redraw_order: 1.5, acknowledge: 20.25, close: 170.5 } });
    const oneRow = meter.reading();
    expect({ write: oneRow.write, refused: oneRow.refused }).toEqual({ write: 1, refused: 0 });
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

    meter.reset();
    const report = await readRedrawReport(db, table.tableName, { from: new Date(weekStart), to: new Date(weekStart + 7 * 86_400_000), now: new Date(weekStart + 7 * 86_400_000) });
    const reading = meter.reading();
    expect(report).toMatchObject({ opened: 104, closed: 105, walk_in_completed: 190, with_redraw: 10, open_now: 60 });
    // Four Queries of rows (one per kind: one month; none of `failures` here), one of the worklist's open partition, one of the stale flags' keys.
    expect(reading.byCommand).toEqual({ QueryCommand: 6 });
    // 14.5 RU (about $0.000004): the rows are about 100-200 bytes, the open follow-ups about 0.8 KB each (14 before the
    // worklist index's sort key and entry joined the follow-up item, issue 45). Ten times
    // the orders, ten times the units: still a fraction of a cent per report, weekly digest included.
    expect({ read: reading.read, items: reading.queryItems }).toEqual({ read: 14.5, items: 104 + 105 + 190 + 60 });
  });
});
