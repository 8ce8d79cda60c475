/**
 * What the transaction function's `EndedWithoutExpiry` metric counts (CONTRACT §8, issue 55),
 * read from a whole table instead: an ended transaction, or an ended order without one, that
 * has no `expires_at` and no open follow-up to hold it, and an order of an expiring
 * transaction without the transaction's expiry. For e2e runs, whose metrics stay local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { isEnding } from '../../functions/core/status';
import { isFollowUpItem, parseFollowUpItem } from '../../functions/store/follow-ups/item';
import { isOrderItem, parseOrderItem } from '../../functions/store/order-items';
import { isTransactionItem, parseTransactionItem } from '../../functions/store/transaction-items';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';

/** Every item of a local table (a test's Scan: the tracker itself never scans). */
export async function scanLocalTable(endpoint: string, tableName: string): Promise<Record<string, unknown>[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(localDynamoDbClientConfig(endpoint)));
  const items: Record<string, unknown>[] = [];
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
  return items;
}

/** What a table's retention left: how many ended things it checked, and those kept forever (by kind and id). */
export function keptForeverIn(items: readonly Record<string, unknown>[]): { ended: number; keptForever: string[] } {
  const openFollowUps = new Set(items.filter(isFollowUpItem).map(parseFollowUpItem).filter((stored) => stored.followUp.state !== 'closed').map((stored) => stored.followUp.id));
  const transactions = new Map(items.filter(isTransactionItem).map(parseTransactionItem).map((transaction) => [transaction.id, transaction]));
  const keptForever: string[] = [];
  let ended = 0;
  for (const transaction of transactions.values()) {
    if (transaction.status === 'active') continue;
    ended++;
    if ((transaction.expires_at ?? null) === null && !openFollowUps.has(transaction.id)) keptForever.push(`transaction ${transaction.id}`);
  }
  for (const order of items.filter(isOrderItem).map(parseOrderItem)) {
    const { record } = order;
    if (record.transaction_id === null) {
      if (!isEnding(record.low_level_status)) continue;
      ended++;
      if (order.expiresAt === null && !openFollowUps.has(record.id)) keptForever.push(`order ${record.id}`);
      continue;
    }
    const expiry = transactions.get(record.transaction_id)?.expires_at ?? null;
    if (expiry !== null && order.expiresAt !== expiry) keptForever.push(`order ${record.id} of transaction ${record.transaction_id}`);
  }
  return { ended, keptForever };
}
