/**
 * One Query reads a whole transaction: its member orders (sorted by created_at)
 * and the transaction item, which sorts last in the same partition. Used by the
 * transaction function (recompute) and the query API (GET /transactions/{id}).
 * The index is eventually consistent: callers that recompute merge in what they
 * know from the stream, and write with optimistic concurrency on `version`.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseOrderItem, type StoredOrder } from './order-items';
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
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE.byTransaction.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.transactionPartition(transactionId) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item[TABLE.byTransaction.sortKey] === TRANSACTION_ITEM_GSI1SK) partition.transaction = parseTransactionItem(item);
      else partition.orders.push(parseOrderItem(item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return partition;
}
