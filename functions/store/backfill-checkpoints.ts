/**
 * Backfill checkpoints: one item per backfill window, saved after every page,
 * so a stopped backfill continues where it stopped. The save is conditional on
 * the version the run last saw: two runs of the same window cannot both advance
 * it (the second one stops with `conflict`). `next_page` is a step of the walk
 * from the last page back to page 1 (core/sync-window.ts). Stream consumers skip these items
 * (they are neither orders nor transactions).
 */
import * as z from 'zod/mini';
import type { BackfillCounts, BackfillWindow } from '../core/backfill-window';
import { backfillKeys } from './keys';
import { TABLE } from './table';
import type { TableClient } from './table-client';

/** Which backfill a checkpoint belongs to: the user's window, with an open end kept open. */
export interface BackfillKey {
  since: string;
  /** The canonical `--until`, or null when none was given (the end is then fixed at the first start). */
  until: string | null;
}

export interface BackfillCheckpoint {
  key: BackfillKey;
  window: BackfillWindow;
  /** The next page of the walk to read; null: the first request (page 1, for the total) is still to be made. */
  nextPage: number | null;
  counts: BackfillCounts;
  /** Orders in the window as the last answer said (the walk's total). */
  total: number | null;
  status: 'running' | 'done';
  /** Increases by one on every save: two runs of one window never both advance it. */
  version: number;
}

export interface CheckpointStore {
  load(key: BackfillKey): Promise<BackfillCheckpoint | null>;
  /** Saves `checkpoint` if the stored one is still at `seenVersion` (null: none stored); `lost` otherwise. */
  save(checkpoint: BackfillCheckpoint, seenVersion: number | null): Promise<'written' | 'lost'>;
}

/** The walk from the last page back to page 1, sorted by creation. */
const WALK = 'created_at_back';

const Counts = z.object({
  read: z.int().check(z.nonnegative()),
  applied: z.int().check(z.nonnegative()),
  duplicate: z.int().check(z.nonnegative()),
  stale: z.int().check(z.nonnegative()),
  failed: z.int().check(z.nonnegative()),
});

const CheckpointItem = z.object({
  key_since: z.string(),
  key_until: z.nullable(z.string()),
  window_since: z.string(),
  window_until: z.string(),
  /** Null: the walk's first request (page 1, for the total) is still to be made. */
  next_page: z.nullable(z.int().check(z.positive())),
  counts: Counts,
  total: z.nullable(z.int().check(z.nonnegative())),
  status: z.enum(['running', 'done']),
  /** How `next_page` walks (core/sync-window.ts); absent on checkpoints that paged forwards, which are not continued. */
  walk: z.optional(z.literal(WALK)),
  version: z.int().check(z.nonnegative()),
});

export function createCheckpointStore(db: TableClient, tableName: string, now: () => Date = () => new Date()): CheckpointStore {
  return {
    async load(key) {
      const Item = await db.get({ TableName: tableName, Key: backfillKeys(key), ConsistentRead: true });
      if (!Item) return null;
      const item = CheckpointItem.parse(Item);
      return {
        key: { since: item.key_since, until: item.key_until },
        window: { since: item.window_since, until: item.window_until },
        nextPage: item.next_page,
        counts: item.counts,
        total: item.total,
        // A run that paged forwards cannot be continued by the walk: the window starts again (harmlessly).
        status: item.walk === WALK ? item.status : 'done',
        version: item.version,
      } satisfies BackfillCheckpoint;
    },
    async save(checkpoint, seenVersion) {
      const item: z.input<typeof CheckpointItem> & Record<string, unknown> = {
        ...backfillKeys(checkpoint.key),
        key_since: checkpoint.key.since,
        key_until: checkpoint.key.until,
        window_since: checkpoint.window.since,
        window_until: checkpoint.window.until,
        next_page: checkpoint.nextPage,
        counts: checkpoint.counts,
        total: checkpoint.total,
        status: checkpoint.status,
        walk: WALK,
        version: checkpoint.version,
        updated_at: now().toISOString(),
      };
      const outcome = await db.put({
        TableName: tableName,
        Item: item,
        ...(seenVersion === null
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
          : {
              ConditionExpression: '#version = :seen',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':seen': seenVersion },
            }),
      });
      return outcome.written ? 'written' : 'lost';
    },
  };
}
