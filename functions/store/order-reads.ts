/** Order reads by key (the webhook never reads: store/orders.ts writes). */
import { getItems, type TableClient } from './table-client';
import { parseOrderItem, type StoredOrder } from './order-items';
import { keys } from './table';

/** The stored orders of these ids that exist (by key, a few at a time: getItems), strongly consistent or not. */
export async function getOrders(db: TableClient, tableName: string, orderIds: readonly string[], consistent: boolean): Promise<StoredOrder[]> {
  const items = await getItems(db, tableName, orderIds.map((orderId) => keys.order(orderId)), consistent);
  return items.flatMap((item) => (item ? [parseOrderItem(item)] : []));
}

/** The stored order, or null. Strongly consistent: it answers right after a webhook. */
export async function getOrder(db: TableClient, tableName: string, orderId: string): Promise<StoredOrder | null> {
  const Item = await db.get({ TableName: tableName, Key: keys.order(orderId), ConsistentRead: true });
  return Item ? parseOrderItem(Item) : null;
}
