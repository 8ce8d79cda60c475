/**
 * Catch-up reads (CONTRACT §6): the transactions with a member whose own state
 * is behind what a listing showed for it, found through the sparse
 * `RECONCILE#behind` partition of the open-redraws index (see
 * transaction-items.ts), never a Scan.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryPages } from './query-pages';
import { RECONCILE_PARTITION, TABLE } from './table';
import { parseTransactionItem, type TransactionItem } from './transaction-items';

/**
 * Up to `limit` transactions behind since before `before` (a canonical
 * instant), the longest behind first. The sort key is `<behind status
 * time>#<transaction id>`, so `gsi2sk < before` selects exactly those whose
 * earliest behind status time is before `before`. Eventually consistent (a GSI).
 */
export async function readBehindTransactions(
  doc: DynamoDBDocumentClient,
  tableName: string,
  before: string,
  limit: number,
): Promise<TransactionItem[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const transactions: TransactionItem[] = [];
  for await (const page of queryPages(doc, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':pk': RECONCILE_PARTITION, ':before': before },
    Limit: limit,
  })) {
    for (const item of page.Items ?? []) {
      transactions.push(parseTransactionItem(item));
      if (transactions.length >= limit) return transactions;
    }
  }
  return transactions;
}
