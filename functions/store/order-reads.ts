/** Order reads by key (the webhook never reads: store/orders.ts writes). */
import { BATCH_GET_MAX_KEYS, getItems, type TableClient } from './table-client';
import { parseOrderItem, type StoredOrder } from './order-items';
import { keys } from './keys';

/** The stored orders of these ids that exist (by key, a few at a time: getItems), strongly consistent or not. */
export async function getOrders(db: TableClient, tableName: string, orderIds: readonly string[], consistent: boolean): Promise<StoredOrder[]> {
  const items = await getItems(db, tableName, orderIds.map((orderId) => keys.order(orderId)), consistent);
  return items.flatMap((item) => (item ? [parseOrderItem(item)] : []));
}

/**
 * The stored orders of these ids that exist, by id, in one BatchGetItem per 100
 * (UnprocessedKeys asked again: TableClient.batchGet): a worklist page's redraw
 * orders in one read, not one per row. A single id is one GetItem (the same
 * units), so a function that reads one follow-up's view needs no BatchGetItem.
 */
export async function getOrdersById(db: TableClient, tableName: string, orderIds: readonly string[], consistent: boolean): Promise<Map<string, StoredOrder>> {
  const ids = [...new Set(orderIds)];
  const found = new Map<string, StoredOrder>();
  if (ids.length === 1) {
    const item = await db.get({ TableName: tableName, Key: keys.order(ids[0]!), ConsistentRead: consistent });
    if (item) found.set(ids[0]!, parseOrderItem(item));
    return found;
  }
  for (let start = 0; start < ids.length; start += BATCH_GET_MAX_KEYS) {
    const chunk = ids.slice(start, start + BATCH_GET_MAX_KEYS);
    const answer = await db.batchGet({ RequestItems: { [tableName]: { Keys: chunk.map((id) => keys.order(id)), ConsistentRead: consistent } } });
    for (const item of answer[tableName] ?? []) {
      const order = parseOrderItem(item);
      found.set(order.record.id, order);
    }
  }
  return found;
}

/** The stored order, or null. Strongly consistent: it answers right after a webhook. */
export async function getOrder(db: TableClient, tableName: string, orderId: string): Promise<StoredOrder | null> {
  const Item = await db.get({ TableName: tableName, Key: keys.order(orderId), ConsistentRead: true });
  return Item ? parseOrderItem(Item) : null;
}
