/**
 * A follow-up's history (CONTRACT §9): one item per version, `HIST#<version>`
 * in the follow-up's partition, read oldest first; its stream records are the
 * `follow_up.changed` facts. Entries an expired follow-up left are not its.
 * The tracker's newest entries ride on the follow-up item until their items
 * are written (pending-history.ts); readHistory reads both.
 */
import type { FollowUpAction } from '../../core/follow-up/history';
import { queryItems } from '../query-pages';
import { BATCH_GET_MAX_KEYS, type TableClient } from '../table-client';
import { TABLE } from '../table';
import { HISTORY_PREFIX, keys, parseHistoryKey } from '../keys';
import { expired, isFollowUpItem, parseStored, type StoredFollowUp } from './item';
import { pendingEntriesOf, pendingOfWrite, pendingVersions, writePendingHistory, type HistoryWriteOutcome, type PendingHistory } from './pending-history';

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

/**
 * The history of follow-up `id` as of `now`, oldest first: its history items,
 * and the entries its item carries whose items are not written yet
 * (pending-history.ts: the tracker writes them just after the item, or its
 * stream record does). One Query of the follow-up's partition, which holds its
 * item and its history only.
 */
export async function readHistory(db: TableClient, tableName: string, id: string, now: Date): Promise<FollowUpAction[]> {
  const byVersion = new Map<number, FollowUpAction>();
  let pending: PendingHistory | null = null;
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.followUp(id).pk },
    ConsistentRead: true,
  })) {
    if (expired(item, now)) continue;
    const history = parseHistoryKey(item);
    if (history !== null) byVersion.set(history.version, item.entry as FollowUpAction);
    else if (isFollowUpItem(item)) pending = pendingOfItem(item);
  }
  for (const { version, entry } of pending === null ? [] : pendingVersions(pending)) if (!byVersion.has(version)) byVersion.set(version, entry);
  return [...byVersion.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** The entries a follow-up item carries, as pending history (null: none). */
function pendingOfItem(item: Record<string, unknown>): PendingHistory | null {
  const stored = parseStored(item);
  return pendingOfWrite(null, { followUpId: stored.followUp.id, transactionId: stored.followUp.transaction_id, version: stored.followUp.version, expiresAt: stored.expiresAt, entries: pendingEntriesOf(item) });
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

/**
 * The entry of each follow-up's own version (its newest), by follow-up id: undefined when
 * that history item is missing or expired. One BatchGetItem per 100, eventually consistent
 * (the sweep compares follow-ups whose newest entry settled: issue 82).
 */
export async function newestEntries(db: TableClient, tableName: string, followUps: readonly StoredFollowUp[], now: Date): Promise<Map<string, FollowUpAction | undefined>> {
  const found = new Map<string, FollowUpAction | undefined>(followUps.map((stored) => [stored.followUp.id, undefined]));
  const itemKeys = followUps.map((stored) => keys.followUpHistory(stored.followUp.id, stored.followUp.version));
  for (let start = 0; start < itemKeys.length; start += BATCH_GET_MAX_KEYS) {
    const answer = await db.batchGet({ RequestItems: { [tableName]: { Keys: itemKeys.slice(start, start + BATCH_GET_MAX_KEYS), ConsistentRead: false } } });
    for (const item of answer[tableName] ?? []) {
      if (expired(item, now)) continue;
      const history = parseHistoryItem(item);
      found.set(history.followUpId, history.entry);
    }
  }
  return found;
}

/** Writes the history items `stored` carries (StoredFollowUp.pending) that are missing, each read first, with the follow-up's expiry as it is now. */
export async function repairCarried(db: TableClient, tableName: string, stored: StoredFollowUp, now: Date): Promise<HistoryWriteOutcome> {
  const entries = stored.pending ?? [];
  const pending: PendingHistory = {
    followUpId: stored.followUp.id,
    transactionId: stored.followUp.transaction_id,
    firstVersion: stored.followUp.version - entries.length + 1,
    entries,
    expiresAt: stored.expiresAt,
    openedAt: stored.followUp.opened_at,
  };
  return writePendingHistory(db, tableName, pending, now, { check: true, current: true });
}
