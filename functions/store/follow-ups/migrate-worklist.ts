/**
 * The one-off step that gives follow-ups written before the worklist index
 * (TABLE.worklist, issue 45) its sort key and entry: run once after the deploy
 * that adds the index (docs/deploy.md; `redraw-tracker migrate worklist-index`).
 * Every write of a follow-up since that deploy carries them (item.ts itemOf);
 * this writes them onto the items nobody has written since.
 *
 * It pages through both listing partitions of the by-transaction index (never a
 * Scan) and, for each follow-up item whose worklist attributes are missing or
 * not what its state says, sets them with one UpdateItem on the condition that
 * its revision (`rev`) is unchanged: a follow-up written meanwhile got them from
 * that write (a lost race is a result, counted). Safe to run twice, and
 * resumable: a second run finds the items already done and writes only the rest.
 */
import { isDeepStrictEqual } from 'node:util';
import { indexPartition, queryPages } from '../query-pages';
import type { TableClient } from '../table-client';
import { FOLLOW_UP_LISTING_PARTITIONS, TABLE } from '../table';
import { A, expired, isFollowUpItem, parseStored, worklistAttributesOf } from './item';

export interface WorklistMigration {
  /** Follow-up items read. */
  read: number;
  /** Given their worklist attributes now. */
  written: number;
  /** Had them already (written since the deploy, or by an earlier run). */
  current: number;
  /** Written by someone else between this read and this write (they carry the attributes from that write). */
  raced: number;
  /** Expired (absent, CONTRACT §9): left for DynamoDB's TTL. */
  expired: number;
}

/** Writes the worklist index's attributes onto every follow-up item that lacks them or has others; `onPage` hears the tally after each page. */
export async function migrateWorklistIndex(
  db: TableClient,
  tableName: string,
  options: { now: Date; onPage?: (tally: WorklistMigration) => void },
): Promise<WorklistMigration> {
  const tally: WorklistMigration = { read: 0, written: 0, current: 0, raced: 0, expired: 0 };
  for (const partition of [FOLLOW_UP_LISTING_PARTITIONS.open, FOLLOW_UP_LISTING_PARTITIONS.closed]) {
    for await (const page of queryPages(db, indexPartition(tableName, TABLE.byTransaction, partition))) {
      for (const item of page.Items) {
        if (!isFollowUpItem(item)) continue;
        tally.read++;
        tally[await migrateOne(db, tableName, item, options.now)]++;
      }
      options.onPage?.({ ...tally });
    }
  }
  return tally;
}

async function migrateOne(db: TableClient, tableName: string, item: Record<string, unknown>, now: Date): Promise<'written' | 'current' | 'raced' | 'expired'> {
  if (expired(item, now)) return 'expired';
  const wanted = worklistAttributesOf(parseStored(item));
  if (Object.entries(wanted).every(([name, value]) => isDeepStrictEqual(item[name], value))) return 'current';
  const revision = item[A.revision];
  const outcome = await db.update({
    TableName: tableName,
    Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
    UpdateExpression: 'SET #sk = :sk, #wq = :wq',
    // Items written before revisions (none today) carry no `rev`: then its absence is the condition.
    ConditionExpression: revision === undefined ? 'attribute_exists(#pk) AND attribute_not_exists(#rev)' : '#rev = :rev',
    ExpressionAttributeNames: { '#sk': TABLE.worklist.sortKey, '#wq': A.worklist, '#rev': A.revision, ...(revision === undefined ? { '#pk': TABLE.partitionKey } : {}) },
    ExpressionAttributeValues: { ':sk': wanted[TABLE.worklist.sortKey], ':wq': wanted[A.worklist], ...(revision === undefined ? {} : { ':rev': revision }) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'raced';
}
