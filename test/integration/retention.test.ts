/**
 * Retention (CONTRACT §8) of a transaction's recompute on DynamoDB Local, when
 * one stream batch carries several images of the same order: the expiry reaches
 * every member's item, including members the batch does not show.
 *
 * Found through `npm start` (test/e2e/events.test.ts): a batch with the redraw
 * order's `appointment_scheduled` and `completed` images took the older one as
 * "still in progress", skipped reading the other members, and left the initial
 * order of a finished transaction without `expires_at`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryAfter } from '../../functions/core/retention';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import type { StoredOrder } from '../../functions/store/order-items';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { keys } from '../../functions/store/keys';
import { recomputeTransaction } from '../../functions/store/transactions';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';

const RETENTION_DAYS = 30;
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('retention');
});
afterAll(async () => {
  await table?.drop();
});

/** Stores one webhook as the webhook function does; returns the order's item as the stream's new image shows it. */
async function store(delivery: Delivery): Promise<StoredOrder> {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'order') throw new Error('test body not readable');
  await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
  return (await getOrder(table.db, table.tableName, delivery.orderId))!;
}

async function expiresAt(key: { pk: string; sk: string }): Promise<unknown> {
  return (await table.db.get({ TableName: table.tableName, Key: key, ConsistentRead: true }))?.expires_at;
}

describe('retention of a finished transaction', () => {
  it("sets every member's expiry when one batch carries an order's older in-progress image beside its ending one", async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed', new Date('2026-03-02T09:00:00Z')));
    // Everything but the redraw order's last two webhooks, seen by the transaction function batch by batch.
    const early = deliveries.slice(0, -2);
    for (const delivery of early) {
      const image = await store(delivery);
      await recomputeTransaction(table.db, table.tableName, ids.transactionId, { orders: [image], listings: [] }, { retentionDays: RETENTION_DAYS });
    }
    expect(await expiresAt(keys.order(ids.initialId))).toBeUndefined();

    // One batch: the redraw order's appointment_scheduled image, then its completed one.
    const batch = [await store(deliveries.at(-2)!), await store(deliveries.at(-1)!)];
    expect(batch.map((image) => image.record.low_level_status)).toEqual(['appointment_scheduled', 'completed']);
    const result = await recomputeTransaction(table.db, table.tableName, ids.transactionId, { orders: batch, listings: [] }, { retentionDays: RETENTION_DAYS });
    expect(result.transaction.status).toBe('completed');

    const expected = expiryAfter(batch[1]!.record.status_time, RETENTION_DAYS);
    expect(await expiresAt(keys.transaction(ids.transactionId))).toBe(expected);
    expect(await expiresAt(keys.order(ids.redrawId))).toBe(expected);
    expect(await expiresAt(keys.order(ids.initialId))).toBe(expected);
  });
});
