/**
 * One Query reads a whole transaction: its member orders (sorted by created_at)
 * and the transaction item, which sorts last in the same partition. Used by the
 * transaction function (recompute) and the query API (GET /transactions/{id}).
 * The index is eventually consistent: callers that recompute merge in what they
 * know from the stream, and write with optimistic concurrency on `version`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseOrderItem, type StoredOrder } from './order-items';
import { queryItems } from './query-pages';
import { keys, TABLE, TRANSACTION_ITEM_GSI1SK } from './table';
import { parseTransactionItem, type TransactionItem } from './transaction-items';

export interface TransactionPartition {
  transaction: TransactionItem | null;
  /** Ascending created_at. */
  orders: StoredOrder[];
}

export async function readTransactionPartition(
  doc: DynamoDBDocumentClient,
  tableName: string,
  transactionId: string,
): Promise<TransactionPartition> {
  const partition: TransactionPartition = { transaction: null, orders: [] };
  for await (const item of queryItems(doc, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.transactionPartition(transactionId) },
  })) {
    if (item[TABLE.byTransaction.sortKey] === TRANSACTION_ITEM_GSI1SK) partition.transaction = parseTransactionItem(item);
    else partition.orders.push(parseOrderItem(item));
  }
  return partition;
}
