/**
 * The one-off step that gives follow-ups the index keys their state says today
 * (item.ts worklistAttributesOf): run once after a deploy that adds or changes
 * them (docs/deploy.md; `redraw-tracker migrate follow-up-keys`, also known by
 * its first name, `worklist-index`). It gave follow-ups written before the
 * worklist index (TABLE.worklist, issue 45) its sort key and entry, and it moves
 * snoozed ones written before issue 72 after every live one (CONTRACT §9: their
 * listing and worklist keys by `snoozed_until`), and it flags open ones whose
 * FHIR Task needed a person before issue 84 (`ea`, CONTRACT §12 "Needs
 * attention": read from their confirmation records, core/ehr-attention.ts
 * ehrAttentionOfRecord; the writer's next delivery of each sets the exact flag). Every write of a follow-up since
 * such a deploy carries them (item.ts itemOf); this writes them onto the items
 * nobody has written since.
 *
 * It pages through both listing partitions of the by-transaction index (never a
 * Scan) and, for each follow-up item whose keys or worklist entry are missing or
 * not what its state says, sets them with one UpdateItem on the condition that
 * its revision (`rev`) is unchanged: a follow-up written meanwhile got them from
 * that write (a lost race is a result, counted). An item it re-keys may move
 * ahead of its own read in the partition: it is read there again and skipped
 * (counted once). Safe to run twice, and resumable: a second run finds the items
 * already done and writes only the rest.
 */
import { isDeepStrictEqual } from 'node:util';
import { indexPartition, queryPages } from '../query-pages';
import type { TableClient } from '../table-client';
import { TABLE } from '../table';
import { FOLLOW_UP_LISTING_PARTITIONS } from '../keys';
import { readConfirmedHolds } from '../fhir-records';
import { ehrAttentionOfRecord, type EhrAttentionFlag } from '../../core/ehr-attention';
import { canonicalFromDate } from '../../core/instant';
import { A, expired, isFollowUpItem, parseStored, worklistAttributesOf } from './item';

export interface WorklistMigration {
  /** Follow-up items read. */
  read: number;
  /** Given their keys and worklist entry now. */
  written: number;
  /** Had them already (written since the deploy, or by an earlier run). */
  current: number;
  /** Written by someone else between this read and this write (they carry the attributes from that write). */
  raced: number;
  /** Expired (absent, CONTRACT §9): left for DynamoDB's TTL. */
  expired: number;
}

/** Writes the index keys and worklist entry onto every follow-up item that lacks them or has others; `onPage` hears the tally after each page. */
export async function migrateWorklistIndex(
  db: TableClient,
  tableName: string,
  options: { now: Date; onPage?: (tally: WorklistMigration) => void },
): Promise<WorklistMigration> {
  const tally: WorklistMigration = { read: 0, written: 0, current: 0, raced: 0, expired: 0 };
  // The follow-ups seen (their partition keys): a re-keyed one can come again later in the same walk.
  const seen = new Set<unknown>();
  for (const partition of [FOLLOW_UP_LISTING_PARTITIONS.open, FOLLOW_UP_LISTING_PARTITIONS.closed]) {
    for await (const page of queryPages(db, indexPartition(tableName, TABLE.byTransaction, partition))) {
      const items = page.Items.filter((item) => isFollowUpItem(item) && !seen.has(item[TABLE.partitionKey]));
      const flags = partition === FOLLOW_UP_LISTING_PARTITIONS.open ? await ehrFlagsOf(db, tableName, items, options.now) : new Map<unknown, EhrAttentionFlag>();
      for (const item of items) {
        seen.add(item[TABLE.partitionKey]);
        tally.read++;
        tally[await migrateOne(db, tableName, item, options.now, flags.get(item[TABLE.partitionKey]) ?? null)]++;
      }
      options.onPage?.({ ...tally });
    }
  }
  return tally;
}

/**
 * The EHR flags the open follow-ups of a page lack (those without one), by partition key: one read of
 * each one's confirmation record (store/fhir-records.ts readConfirmedHolds).
 */
async function ehrFlagsOf(db: TableClient, tableName: string, items: readonly Record<string, unknown>[], now: Date): Promise<Map<unknown, EhrAttentionFlag>> {
  const unflagged = items.filter((item) => !expired(item, now) && !(A.ehrAttention in item)).map((item) => ({ key: item[TABLE.partitionKey], stored: parseStored(item) }));
  const holds = await readConfirmedHolds(db, tableName, unflagged.map(({ stored }) => stored.followUp.id));
  const flags = new Map<unknown, EhrAttentionFlag>();
  for (const { key, stored } of unflagged) {
    const kind = ehrAttentionOfRecord(holds.get(stored.followUp.id) ?? null, stored.followUp.version);
    if (kind !== null) flags.set(key, { kind, since: canonicalFromDate(now) });
  }
  return flags;
}

async function migrateOne(db: TableClient, tableName: string, item: Record<string, unknown>, now: Date, flag: EhrAttentionFlag | null): Promise<'written' | 'current' | 'raced' | 'expired'> {
  if (expired(item, now)) return 'expired';
  const stored = parseStored(item);
  const wanted: Record<string, unknown> = { ...worklistAttributesOf(flag === null ? stored : { ...stored, ehrAttention: flag }), ...(flag === null ? {} : { [A.ehrAttention]: flag }) };
  if (Object.entries(wanted).every(([name, value]) => isDeepStrictEqual(item[name], value))) return 'current';
  const revision = item[A.revision];
  const outcome = await db.update({
    TableName: tableName,
    Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
    UpdateExpression: `SET #lsk = :lsk, #sk = :sk, #wq = :wq${flag === null ? '' : ', #ea = :ea'}`,
    // Items written before revisions (none today) carry no `rev`: then its absence is the condition.
    ConditionExpression: revision === undefined ? 'attribute_exists(#pk) AND attribute_not_exists(#rev)' : '#rev = :rev',
    ExpressionAttributeNames: {
      ...{ '#lsk': TABLE.byTransaction.sortKey, '#sk': TABLE.worklist.sortKey, '#wq': A.worklist, '#rev': A.revision },
      ...(revision === undefined ? { '#pk': TABLE.partitionKey } : {}),
      ...(flag === null ? {} : { '#ea': A.ehrAttention }),
    },
    ExpressionAttributeValues: {
      ...{ ':lsk': wanted[TABLE.byTransaction.sortKey], ':sk': wanted[TABLE.worklist.sortKey], ':wq': wanted[A.worklist] },
      ...(revision === undefined ? {} : { ':rev': revision }),
      ...(flag === null ? {} : { ':ea': flag }),
    },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'raced';
}
