/**
 * Reading a whole transaction: its item (the members, by id) and then each
 * member's order item, all by key. The transaction item is written only when
 * something changes that the order items cannot tell (transaction-items.ts), so
 * the answer is the merge of both, recomputed here by the same pure rules the
 * transaction function uses (planRecompute): status, updated_at, Junction's
 * reported status and the members' own states are as fresh as the order items.
 *
 * Used by the query API (GET /transactions/{id}) and the sweep. Strongly
 * consistent: one read unit per item up to 4 KB (the transaction and each member).
 */
import { canonicalInstant } from '../core/instant';
import { newestRecords, planRecompute } from '../core/members';
import type { StoredOrder } from './order-items';
import { getOrders } from './order-reads';
import { keys } from './keys';
import type { TableClient } from './table-client';
import { parseTransactionItem, type TransactionItem } from './transaction-items';

export interface TransactionPartition {
  /** The transaction as of now (null before the transaction function has seen any of its orders). */
  transaction: TransactionItem | null;
  /** The member orders that have an order item, in ascending created_at. */
  orders: StoredOrder[];
}

/** The stored transaction item, or null. */
export async function getTransactionItem(db: TableClient, tableName: string, transactionId: string, consistent: boolean): Promise<TransactionItem | null> {
  const Item = await db.get({ TableName: tableName, Key: keys.transaction(transactionId), ConsistentRead: consistent });
  return Item ? parseTransactionItem(Item) : null;
}

/** Ascending created_at (canonical), then id: the order of a transaction's members. */
export function byCreatedAt(a: StoredOrder, b: StoredOrder): number {
  const key = (order: StoredOrder) => `${canonicalInstant(order.record.created_at) ?? order.record.created_at}#${order.record.id}`;
  const [ka, kb] = [key(a), key(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export async function readTransactionPartition(
  db: TableClient,
  tableName: string,
  transactionId: string,
): Promise<TransactionPartition> {
  const stored = await getTransactionItem(db, tableName, transactionId, true);
  if (stored === null) return { transaction: null, orders: [] };
  const orders = (await getOrders(db, tableName, Object.keys(stored.members), true)).sort(byCreatedAt);
  const { transaction } = planRecompute({
    transactionId,
    stored,
    known: newestRecords(orders.map((order) => ({ record: order.record, inOpenRedraws: order.openRedraw !== null }))),
    listings: orders.flatMap((order) => (order.listing === null ? [] : [order.listing])),
  });
  return { transaction: { ...transaction, version: stored.version }, orders };
}
