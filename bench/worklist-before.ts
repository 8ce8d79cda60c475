/**
 * The worklist's reads as they were before issue 45, kept for section j's
 * "before" column: a filtered page walked the by-transaction listing 100 whole
 * copies per Query until it had a page, a page's orders were one GetItem each,
 * and the counts read every whole copy of the open partition. Copied from
 * functions/store/follow-ups/worklist.ts at a4b2769, cut down to what the bench
 * runs (an owner or a queue of one owner, no cursor).
 */
import { stateAt } from '../functions/core/follow-up/states';
import { inQueue, queueCounts, type QueueCounts, type QueueFacts } from '../functions/core/queues';
import { A, expired, parseStored, type StoredFollowUp } from '../functions/store/follow-ups/item';
import { getOrders } from '../functions/store/order-reads';
import { queryItems } from '../functions/store/query-pages';
import { TABLE } from '../functions/store/table';
import { FOLLOW_UP_LISTING_PARTITIONS } from '../functions/store/keys';
import type { TableClient } from '../functions/store/table-client';

/** One page of follow-ups of `owner` (Mine: `queue` mine and its actor; Unassigned: queue unassigned), the old walk. */
export async function listBefore(
  db: TableClient,
  tableName: string,
  input: { closed: boolean; owner: string | null; queue: 'mine' | 'unassigned' | null; actor: string; limit: number; now: Date },
): Promise<StoredFollowUp[]> {
  const { limit, now } = input;
  const found: StoredFollowUp[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      TableName: tableName,
      IndexName: TABLE.byTransaction.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
      ExpressionAttributeValues: { ':pk': input.closed ? FOLLOW_UP_LISTING_PARTITIONS.closed : FOLLOW_UP_LISTING_PARTITIONS.open },
      ScanIndexForward: !input.closed,
      ExclusiveStartKey: startKey,
      Limit: 100,
    });
    for (const item of page.Items) {
      if (found.length > limit) break;
      if (expired(item, now)) continue;
      const stored = parseStored(item);
      const { followUp } = stored;
      const current = stateAt(followUp, now).state;
      const wanted =
        (input.closed ? current === 'closed' : current !== 'closed') &&
        (input.owner === null || followUp.owner === input.owner) &&
        (input.queue === null || inQueue(input.queue, { followUp, stale: (stored.staleFlag ?? null) !== null, ehr: null }, input.actor, now));
      if (wanted) found.push(stored);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && found.length <= limit);
  return found.slice(0, limit);
}

/** A page's orders, the old way: one GetItem each (getItems, 16 at a time). */
export async function ordersBefore(db: TableClient, tableName: string, stored: readonly StoredFollowUp[]): Promise<number> {
  const ids = stored.flatMap((one) => (one.redraw === null || one.followUp.state === 'closed' ? [] : [one.redraw.orderId]));
  return (await getOrders(db, tableName, [...new Set(ids)], false)).length;
}

/** GET /follow-ups/counts, the old way: every whole copy of the open partition. */
export async function countBefore(db: TableClient, tableName: string, actor: string, now: Date): Promise<QueueCounts> {
  const open: QueueFacts[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    // The item's own keys too: `fu` is read with them (follow-up-attribute.ts); a Query's units count whole items either way.
    ProjectionExpression: '#tk, #ts, #fu, #sf, #ttl',
    ExpressionAttributeNames: {
      '#pk': TABLE.byTransaction.partitionKey,
      '#tk': TABLE.partitionKey,
      '#ts': TABLE.sortKey,
      '#fu': A.followUp,
      '#sf': A.staleFlag,
      '#ttl': TABLE.ttlAttribute,
    },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    if (expired(item, now)) continue;
    const stored = parseStored(item);
    open.push({ followUp: stored.followUp, stale: (stored.staleFlag ?? null) !== null, ehr: null });
  }
  return queueCounts(open, actor, now);
}
