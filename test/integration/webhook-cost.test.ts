/**
 * What the webhook's one write costs, in capacity units as AWS bills them
 * (bench/meter.ts over DynamoDB Local's consumed capacity; refused writes priced
 * by the stored item's size): one write unit per delivery, applied or refused,
 * plus an index write only when an order enters or leaves the open-redraws
 * index. A redraw moving on within it, or any order's status change, touches no index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter } from '../../bench/meter';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { documentTable } from '../../functions/store/document-table';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { getOrder } from '../../functions/store/order-reads';
import { flagStale } from '../../functions/store/redraws';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, type Delivery } from '../support/junction';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('webhook-cost');
});
afterAll(async () => {
  await table?.drop();
});

/**
 * Metered through the document client (bench/meter.ts is client middleware): it
 * sends the very request the functions' own table client sends (test/integration/table-client.test.ts).
 */
function deliver(delivery: Delivery) {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'order') throw new Error('test delivery not readable');
  return putOrderFromWebhook(documentTable(table.doc), table.tableName, projectOrder(read.order));
}

describe('webhook write cost', () => {
  it('is one write unit per delivery, refused or not, and an index write only when an order enters or leaves open redraws', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    // Initial: 5 steps, the last one redraw_available (enters REDRAW#awaiting). Redraw: ordered,
    // requisition_created, appointment_scheduled (in progress: enters, then moves twice), completed (leaves).
    const redraw = buildDeliveries(redrawFlow(ids, 'completed'));
    const plain = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 7));
    const meter = attachMeter(table.client);
    const results: string[] = [];
    for (const delivery of [...redraw, ...plain]) results.push(await deliver(delivery));
    // Svix retries of each, and every late delivery of an older event.
    for (const delivery of [...redraw, ...plain]) results.push(await deliver(delivery));
    for (const delivery of [...redraw].reverse()) results.push(await deliver(delivery));
    const reading = meter.reading();
    meter.detach();

    const deliveries = results.length;
    const applied = results.filter((result) => result === 'applied').length;
    expect(applied).toBe(redraw.length + plain.length);
    expect(reading.requests).toBe(deliveries);
    expect(reading.refusedWrites).toBe(deliveries - applied);
    expect(reading.refused).toBe(deliveries - applied);
    expect(reading.write - reading.index).toBe(applied);
    expect(reading.byIndex).toEqual({ 'open-redraws': 3 });
    expect(reading.write + reading.refused).toBe(deliveries + 3);
  });

  it('costs a flagged order touched by a newer copy of the same state its refused put and one update: 2 write units, no index unit', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
    for (const delivery of deliveries) await deliver(delivery);
    const db = documentTable(table.doc);
    const stored = await getOrder(db, table.tableName, ids.redrawId);
    expect(await flagStale(db, table.tableName, { orderId: ids.redrawId, rank: stored!.record.rank, partition: stored!.openRedraw! }, { since: '2026-03-20T00:00:00.000000Z', reason: 'no_progress' })).toBe('written');
    const last = deliveries.at(-1)!;
    const data = last.body.data as Record<string, unknown>;
    const touched = { ...last, body: { ...last.body, data: { ...data, updated_at: '2026-03-21T00:00:00.000Z', has_missing_results: true } } };

    const meter = attachMeter(table.client);
    expect(await deliver(touched)).toBe('applied');
    const reading = meter.reading();
    meter.detach();
    expect(reading.requests).toBe(2);
    expect(reading.refusedWrites).toBe(1);
    expect(reading.refused).toBe(1);
    expect(reading.write).toBe(1);
    expect(reading.index).toBe(0);
    expect((await getOrder(db, table.tableName, ids.redrawId))?.stale?.since).toBe('2026-03-20T00:00:00.000000Z');
  });
});
