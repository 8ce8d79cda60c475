/**
 * The continuous sync's state (CONTRACT §6): one item, like a backfill's
 * checkpoint, holding the end of the last window read and applied whole and the
 * walk of the window in progress, and the orders that could not be applied
 * (their tries, and those skipped after the last). Saved after each page is
 * applied, never before, so the sync's end moves only over what was applied. The save is
 * conditional on the version the sweep read: two sweeps at once (a retried
 * schedule) cannot both advance it; the second stops its sync. Stream consumers
 * skip this item (it is neither an order nor a transaction).
 */
import * as z from 'zod/mini';
import type { SyncState } from '../core/sync-window';
import { SYNC_STATE_KEY } from './keys';
import { TABLE } from './table';
import type { TableClient } from './table-client';

const StateItem = z.object({
  synced_until: z.nullable(z.string()),
  cursor: z.nullable(
    z.object({
      since: z.string(),
      until: z.string(),
      next_page: z.nullable(z.int().check(z.positive())),
      total: z.nullable(z.int().check(z.nonnegative())),
      /** The window's end while its settled part is read (absent: `until` is). */
      end: z.optional(z.string()),
    }),
  ),
  /** Orders that could not be applied yet and their tries; orders skipped after their last (ids and times: no PHI). */
  failing: z.optional(z.array(z.object({ id: z.string(), updated_at: z.string(), attempts: z.int().check(z.positive()) }))),
  skipped: z.optional(z.array(z.object({ id: z.string(), updated_at: z.string() }))),
  version: z.int().check(z.nonnegative()),
});

/** The state as read, with the version a save must still find. */
export interface StoredSyncState {
  state: SyncState;
  /** Null: no item yet. */
  version: number | null;
}

/** Reads the sync's state (strongly consistent: it was written by the previous sweep). */
export async function loadSyncState(db: TableClient, tableName: string): Promise<StoredSyncState> {
  const item = await db.get({ TableName: tableName, Key: SYNC_STATE_KEY, ConsistentRead: true });
  if (!item) return { state: { syncedUntil: null, cursor: null }, version: null };
  const parsed = StateItem.parse(item);
  const cursor = parsed.cursor;
  return {
    state: {
      syncedUntil: parsed.synced_until,
      cursor:
        cursor === null
          ? null
          : { since: cursor.since, until: cursor.until, nextPage: cursor.next_page, total: cursor.total, ...(cursor.end === undefined ? {} : { end: cursor.end }) },
      ...(parsed.failing?.length ? { failing: parsed.failing.map((order) => ({ id: order.id, updatedAt: order.updated_at, attempts: order.attempts })) } : {}),
      ...(parsed.skipped?.length ? { skipped: parsed.skipped.map((order) => ({ id: order.id, updatedAt: order.updated_at })) } : {}),
    },
    version: parsed.version,
  };
}

/** Saves `state` if the stored version is still `seen`; answers the new version, or `lost` when another sweep saved first. */
export async function saveSyncState(db: TableClient, tableName: string, state: SyncState, seen: number | null, now: Date): Promise<number | 'lost'> {
  const version = (seen ?? 0) + 1;
  const { cursor } = state;
  const item: z.input<typeof StateItem> & Record<string, unknown> = {
    ...SYNC_STATE_KEY,
    synced_until: state.syncedUntil,
    cursor:
      cursor === null
        ? null
        : { since: cursor.since, until: cursor.until, next_page: cursor.nextPage, total: cursor.total, ...(cursor.end === undefined ? {} : { end: cursor.end }) },
    // Absent when empty: the item stays as small as before while every order applies.
    ...(state.failing?.length ? { failing: state.failing.map((order) => ({ id: order.id, updated_at: order.updatedAt, attempts: order.attempts })) } : {}),
    ...(state.skipped?.length ? { skipped: state.skipped.map((order) => ({ id: order.id, updated_at: order.updatedAt })) } : {}),
    version,
    updated_at: now.toISOString(),
  };
  const outcome = await db.put({
    TableName: tableName,
    Item: item,
    ...(seen === null
      ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
      : { ConditionExpression: '#version = :seen', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':seen': seen } }),
  });
  return outcome.written ? version : 'lost';
}
