/**
 * A follow-up's history (CONTRACT §9): one item per version, `HIST#<version>`
 * in the follow-up's partition, read oldest first; its stream records are the
 * `follow_up.changed` facts. Entries an expired follow-up left are not its.
 */
import type { FollowUpAction } from '../../core/follow-up/history';
import { queryItems } from '../query-pages';
import type { TableClient } from '../table-client';
import { TABLE } from '../table';
import { HISTORY_PREFIX, keys, parseHistoryKey } from '../keys';
import { expired } from './item';

/** Whether an item (by its keys) is a follow-up's history entry: its stream record is a `follow_up.changed`. */
export function isFollowUpHistoryItem(item: Record<string, unknown>): boolean {
  return parseHistoryKey(item) !== null;
}

/** A history item's parts: the follow-up, its transaction, the version and the entry. */
export function parseHistoryItem(item: Record<string, unknown>): { followUpId: string; transactionId: string | null; version: number; entry: FollowUpAction } {
  const key = parseHistoryKey(item);
  if (key === null) throw new Error('not a history item');
  return {
    followUpId: key.followUpId,
    transactionId: typeof item.tx === 'string' ? item.tx : null,
    version: key.version,
    entry: item.entry as FollowUpAction,
  };
}

/** The history of follow-up `id` as of `now`, oldest first. */
export async function readHistory(db: TableClient, tableName: string, id: string, now: Date): Promise<FollowUpAction[]> {
  const history: FollowUpAction[] = [];
  for await (const item of historyItems(db, tableName, id, now)) history.push(item.entry as FollowUpAction);
  return history;
}

/** The history items of follow-up `id` as of `now` (entries an expired follow-up left are not its). */
async function* historyItems(db: TableClient, tableName: string, id: string, now: Date, projection?: string): AsyncGenerator<Record<string, unknown>> {
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :history)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, ...(projection === undefined ? {} : { '#ttl': TABLE.ttlAttribute }) },
    ExpressionAttributeValues: { ':pk': keys.followUp(id).pk, ':history': HISTORY_PREFIX },
    ConsistentRead: true,
    ...(projection === undefined ? {} : { ProjectionExpression: `${projection}, #ttl` }),
  })) {
    if (!expired(item, now)) yield item;
  }
}

/** Sets (or clears) the expiry of every history item of follow-up `id` as of `now` (never of one an expired follow-up left); the writes made. */
export async function expireHistory(db: TableClient, tableName: string, id: string, expiresAt: number | null, now: Date): Promise<number> {
  let writes = 0;
  for await (const item of historyItems(db, tableName, id, now, '#pk, #sk')) {
    await db.update({
      TableName: tableName,
      Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
      ...(expiresAt === null
        ? { UpdateExpression: 'REMOVE #ttl', ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute } }
        : { UpdateExpression: 'SET #ttl = :ttl', ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute }, ExpressionAttributeValues: { ':ttl': expiresAt } }),
    });
    writes++;
  }
  return writes;
}
