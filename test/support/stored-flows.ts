/**
 * A flow's orders written as the tracker writes them, without its functions'
 * plumbing (no stream, no handler): its webhooks stored as the webhook function
 * stores them, and its transaction recomputed as the transaction function does
 * when the stream brings it their items. For the tests that read what is stored.
 */
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import type { TableClient } from '../../functions/store/table-client';
import { recomputeTransaction } from '../../functions/store/transactions';
import { buildDeliveries, type FlowSpec } from '../../local/junction/flows';

interface Table {
  db: TableClient;
  tableName: string;
}

/** Stores each of the flow's webhooks as the webhook function does; answers the orders' ids, in the order they first came. */
export async function storeFlowWebhooks(table: Table, spec: FlowSpec): Promise<string[]> {
  const ids = new Set<string>();
  for (const delivery of buildDeliveries(spec)) {
    const read = readWebhookBody(JSON.stringify(delivery.body));
    if (read.kind !== 'order') throw new Error('test body not readable');
    await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
    ids.add(delivery.orderId);
  }
  return [...ids];
}

/** What the transaction function does when the stream brings it these orders' items (their recompute). */
export async function recomputeFromStored(table: Table, transactionId: string, orderIds: readonly string[]): Promise<void> {
  const orders = await Promise.all(orderIds.map(async (orderId) => (await getOrder(table.db, table.tableName, orderId))!));
  await recomputeTransaction(table.db, table.tableName, transactionId, { orders, listings: [] });
}
