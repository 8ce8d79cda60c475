/**
 * Reports (CONTRACT §11) when DynamoDB refuses the report rows' writes, through
 * the transaction function on DynamoDB Local's real stream (its requests pass a
 * proxy that throttles only the rows' PutItems): a few minutes of throttling are
 * ridden out by the stream's retries, and a record still failing past the park
 * age has its rows parked with its work and written when the parked work is
 * redone. Either way the report ends as if nothing had failed.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listParkedWork } from '../../functions/store/parked-work';
import { readRedrawReport } from '../../functions/store/reports';
import { METRIC } from '../../functions/transaction-status/app';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

/** Report-row PutItems still to refuse (Infinity: all of them). */
let refuse = 0;
let refused = 0;
const isReportRow = (body: Record<string, unknown>) => {
  const item = body.Item as Record<string, { S?: string }> | undefined;
  return item?.pk?.S?.startsWith('REPORT#') ?? false;
};

let rig: TransactionRig;
/** The transaction function's clock while Junction's past is replayed (its closes are recorded then, CONTRACT §9); null: now. */
let trackerClock: number | null = null;
beforeAll(async () => {
  rig = await startTransactionRig('report-faults', {
    retentionDays: 365,
    now: () => trackerClock ?? Date.now(),
    maxAttempts: 4,
    fault: (operation, body) => {
      if (operation !== 'PutItem' || refuse <= 0 || !isReportRow(body)) return null;
      refuse--;
      refused++;
      return { kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException', message: 'throttled' };
    },
  });
});
afterAll(async () => {
  await rig?.close();
});

const DAY_MS = 86_400_000;

async function weekReport(start: Date) {
  return readRedrawReport(rig.table.db, rig.table.tableName, { from: start, to: new Date(start.getTime() + 7 * DAY_MS), now: new Date() });
}

describe('report rows when DynamoDB refuses their writes', () => {
  it('rides out throttled row writes with the stream’s retries: the report ends as if nothing had failed', async () => {
    const start = new Date('2026-07-06T09:00:00Z');
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    refuse = 3;
    refused = 0;
    trackerClock = start.getTime() + DAY_MS;
    for (const delivery of buildDeliveries(redrawFlow(ids, 'completed', start))) await rig.webhook(delivery);
    await rig.settle();
    trackerClock = null;
    expect(refused).toBe(3);
    expect(rig.batches.some(({ response }) => response.batchItemFailures.length > 0)).toBe(true);
    expect(rig.deadLetters).toEqual([]);
    expect(await weekReport(start)).toMatchObject({ opened: 1, closed: 1, by_disposition: { redraw_completed: 1 }, walk_in_completed: 1, with_redraw: 1 });
  });

  it('parks the rows of a record still failing past the park age, and writes them when the parked work is redone', async () => {
    const start = new Date('2026-07-13T09:00:00Z');
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    refuse = Infinity;
    const lettersBefore = rig.deadLetters.length;
    trackerClock = start.getTime() + DAY_MS;
    for (const delivery of buildDeliveries(redrawFlow(ids, 'completed', start))) await rig.webhook(delivery);
    await rig.settle();
    // The park age is measured on the real clock from here on.
    trackerClock = null;
    // The local stream reader gives up after 4 deliveries; on AWS the record would be retried for an hour.
    const failing = rig.deadLetters.slice(lettersBefore).flatMap((letter) => letter.records);
    expect(failing.length).toBeGreaterThan(0);
    expect(await weekReport(start)).toMatchObject({ opened: 0, closed: 0, walk_in_completed: 0 });

    // Delivered again an hour and more after their writes, still failing: their work is parked, and they are acknowledged.
    const aged = failing.map((record) => ({ ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: Math.floor(Date.now() / 1000) - 2 * 3600 } }));
    const parkedBefore = rig.metrics.get(METRIC.parked) ?? 0;
    expect((await rig.handle({ Records: aged } as DynamoDBStreamEvent)).batchItemFailures).toEqual([]);
    expect((rig.metrics.get(METRIC.parked) ?? 0) - parkedBefore).toBeGreaterThan(0);
    const parked = await listParkedWork(rig.table.db, rig.table.tableName);
    expect(parked.some((item) => (item.tallies ?? []).length > 0 && item.redoneAt === null)).toBe(true);

    // DynamoDB answers again: the parked items' own stream records redo the work, rows included.
    refuse = 0;
    await rig.settle();
    expect(await weekReport(start)).toMatchObject({ opened: 1, closed: 1, by_disposition: { redraw_completed: 1 }, walk_in_completed: 1, with_redraw: 1 });
    expect((await listParkedWork(rig.table.db, rig.table.tableName)).filter((item) => item.redoneAt === null)).toEqual([]);
  });
});
