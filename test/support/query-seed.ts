/**
 * What the query function's tests read, written as the tracker writes it but
 * without its functions' plumbing: a flow's webhooks stored as the webhook
 * function stores them, a transaction recomputed as the transaction function
 * does when the stream brings it its orders; and a GET of the query function as
 * API Gateway sends it, its answer checked against docs/openapi.json.
 */
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import type { QueryEvent, QueryResponse } from '../../functions/query/app';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import type { TableClient } from '../../functions/store/table-client';
import { recomputeTransaction } from '../../functions/store/transactions';
import { buildDeliveries, type FlowSpec } from '../../local/junction-flows';
import type { openApiValidator } from './openapi';

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

/** GET `path` of the query function `handle()` answers with, `assertDocumented` checking the answer for `template`. */
export function documentedGet(handle: () => (event: QueryEvent) => Promise<QueryResponse>, assertDocumented: ReturnType<typeof openApiValidator>) {
  return async (path: string, template: string, query?: Record<string, string>): Promise<QueryResponse> => {
    const event: QueryEvent = { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, ...(query ? { queryStringParameters: query } : {}) };
    const response = await handle()(event);
    assertDocumented('GET', template, response);
    return response;
  };
}
