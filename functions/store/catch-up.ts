/**
 * Catch-up reads (CONTRACT §6): the transactions with a member whose own state
 * is behind what a listing showed for it, found through the sparse
 * `RECONCILE#behind` partition of the open-redraws index (see
 * transaction-items.ts), never a Scan. The index holds keys only: the
 * transaction items themselves are read by key.
 */
import type { TableClient } from './table-client';
import { queryPages } from './query-pages';
import { keys, RECONCILE_PARTITION, TABLE } from './table';
import type { TransactionItem } from './transaction-items';
import { getTransactionItem } from './transaction-partition';

/**
 * Up to `limit` transactions behind since before `before` (a canonical
 * instant), the longest behind first. The sort key is `<behind status
 * time>#<transaction id>`, so `gsi2sk < before` selects exactly those whose
 * earliest behind status time is before `before`. Eventually consistent (a GSI).
 */
export async function readBehindTransactions(
  db: TableClient,
  tableName: string,
  before: string,
  limit: number,
): Promise<TransactionItem[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const ids: string[] = [];
  for await (const page of queryPages(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':pk': RECONCILE_PARTITION, ':before': before },
    Limit: limit,
  })) {
    for (const item of page.Items ?? []) if (ids.length < limit) ids.push(String(item[TABLE.partitionKey]).slice(keys.transaction('').pk.length));
    if (ids.length >= limit) break;
  }
  // Still behind as stored now (the index may lag behind the item).
  const transactions = await Promise.all(ids.map((id) => getTransactionItem(db, tableName, id, false)));
  return transactions.filter((transaction): transaction is TransactionItem => transaction !== null && transaction.behind_status_time !== null && transaction.behind_status_time < before);
}
