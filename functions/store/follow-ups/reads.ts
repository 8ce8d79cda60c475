/**
 * Reads of follow-up items by id, and of the worklist's open partition for the
 * sweep (CONTRACT §9): an item whose `expires_at` has passed is absent.
 */
import { indexPartition, queryItems } from '../query-pages';
import { getItems, type TableClient } from '../table-client';
import { TABLE } from '../table';
import { FOLLOW_UP_LISTING_PARTITIONS, keys } from '../keys';
import { expired, parseStored, type StoredFollowUp } from './item';

/** The follow-up `id` as of `now`, or null (strongly consistent). */
export async function getFollowUp(db: TableClient, tableName: string, id: string, now: Date): Promise<StoredFollowUp | null> {
  const item = await getFollowUpItem(db, tableName, id, now);
  return item === null ? null : parseStored(item);
}

/** The item of follow-up `id` as stored, or null when absent at `now` (strongly consistent): for what reads more of it than the follow-up. */
export async function getFollowUpItem(db: TableClient, tableName: string, id: string, now: Date): Promise<Record<string, unknown> | null> {
  const item = await db.get({ TableName: tableName, Key: keys.followUp(id), ConsistentRead: true });
  return item === undefined || expired(item, now) ? null : item;
}

/**
 * The follow-ups of these ids that exist at `now`, by id (eventually consistent reads, READS_IN_FLIGHT at a time):
 * also what `follow_up_id` on orders, transactions and /redraws items says exists.
 */
export async function getFollowUps(db: TableClient, tableName: string, ids: readonly string[], now: Date): Promise<Map<string, StoredFollowUp>> {
  const unique = [...new Set(ids)];
  const items = await getItems(db, tableName, unique.map((id) => keys.followUp(id)), false);
  const found = new Map<string, StoredFollowUp>();
  for (const item of items) {
    if (item === undefined || expired(item, now)) continue;
    const stored = parseStored(item);
    found.set(stored.followUp.id, stored);
  }
  return found;
}

/**
 * Every follow-up in the worklist's open partition (new, acknowledged,
 * snoozed), as stored, that has not expired at `now`: one Query of the by-transaction index (never a Scan),
 * eventually consistent. The sweep reads it once and finds both its notices
 * in it (awaitsReminder; the attentions' notices, stale-redraw-sweep/steps/attention-notices.ts).
 */
export async function openFollowUps(db: TableClient, tableName: string, now: Date): Promise<StoredFollowUp[]> {
  const found: StoredFollowUp[] = [];
  for await (const item of queryItems(db, indexPartition(tableName, TABLE.byTransaction, FOLLOW_UP_LISTING_PARTITIONS.open))) {
    if (!expired(item, now)) found.push(parseStored(item));
  }
  return found;
}
