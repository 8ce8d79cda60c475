/**
 * Report rows (CONTRACT §11): the rows the tracker keeps as facts arrive, which
 * the report is read from (store/reports.ts), never from a Scan.
 *
 * Rows. Each follow-up and each transaction contributes tallies that are a
 * function of its current state alone (core/report-tallies.ts: opened, closed with its
 * durations, a walk-in transaction ended). The transaction function derives them
 * from the stream record of every follow-up item and transaction item write
 * (`tallyWritesOf`, from the items before and after the write) and keeps one row per
 * tally, in a partition per kind and month, sorted by time: a tally the new
 * state no longer has becomes a tombstone, a new or changed one is put.
 *
 * Order. Every row write carries the version of the item it came from (the
 * follow-up's write revision, the transaction's version) and is conditional on
 * the stored row's being older: a redelivered record, or parked work redone
 * after newer records, is refused (a stale write, a result). Whatever order the
 * records are applied in, each row ends as the highest version that touched it
 * says, which is the current state's: the version after the last one to put a
 * row is the one that tombstoned it. So the same facts in any order, any number
 * of times, give the same report (test/integration/report-properties.test.ts).
 */
import { instantMillis } from '../core/instant';
import { followUpTallies, transactionTallies, type Tally } from '../core/report-tallies';
import { talliedTransaction } from '../core/transaction-report';
import { parseReportRowSort, rowKey } from './keys';
import { markLateUnits } from './report-units';
import type { TallyWrite } from './report-work';
import type { StreamItem } from './stream-items';
import { TABLE } from './table';
import type { TableClient } from './table-client';

/** Days a report row is kept after its time: a report reaches 366 days back, and a little more for late facts. */
export const REPORT_ROW_DAYS = 400;
export const DAY_SECONDS = 86_400;

/** Attribute names of a report row (besides the table keys). */
export const REPORT_ROW_ATTRIBUTES = { version: 'v', gone: 'gone', tally: 'tally' } as const;
const A = REPORT_ROW_ATTRIBUTES;

/** A counted item's tallies, the version they are at, and which ledger they belong to (store/report-ledger.ts). */
export interface Counted {
  id: string;
  version: number;
  tallies: Tally[];
  item: 'follow_up' | 'transaction';
}

/** The tallies of an item, or null for items reports do not count. */
export function countedOf(read: StreamItem | undefined): Counted | null {
  if (read?.kind === 'follow_up') {
    const stored = read.item;
    const failures = { ended: stored.transactionEnd ?? null, failure_types: stored.causingResults?.failure_types ?? null };
    return { id: stored.followUp.id, version: stored.revision, tallies: followUpTallies(stored.followUp, stored.redrawOrderedAt ?? null, failures, stored.bookingFacts ?? null), item: 'follow_up' };
  }
  if (read?.kind === 'transaction') {
    const transaction = read.item;
    const tallied = talliedTransaction({ status: transaction.status, updated_at: transaction.updated_at, collection_method: transaction.collection_method ?? null }, Object.values(transaction.members));
    // Every transaction counts once it ends (CONTRACT §11 by_lab: completed or not, any method).
    return { id: transaction.id, version: transaction.version, tallies: transactionTallies(tallied), item: 'transaction' };
  }
  return null;
}

export function rowExpiry(tally: Tally): number {
  return Math.floor(instantMillis(tally.at) / 1000) + REPORT_ROW_DAYS * DAY_SECONDS;
}

/**
 * The row writes of one stored write (the items before and after it; `after`
 * absent: a removal, which changes no report: what expired was counted and
 * stays counted). Writes only what differs: a redelivery of the same state
 * writes nothing new.
 */
export function tallyWritesOf(before: StreamItem | undefined, after: StreamItem | undefined): TallyWrite[] {
  const next = countedOf(after);
  return next === null ? [] : rowWrites(countedOf(before), next);
}

/** The row writes from one counted state to the next (tallyWritesOf, with both already counted). */
export function rowWrites(previous: Counted | null, next: Counted): TallyWrite[] {
  const keyOf = (tally: Tally) => JSON.stringify(rowKey(next.id, tally));
  const nextByKey = new Map(next.tallies.map((tally) => [keyOf(tally), tally]));
  const writes: TallyWrite[] = [];
  for (const tally of previous?.tallies ?? []) {
    if (!nextByKey.has(keyOf(tally))) writes.push({ key: rowKey(next.id, tally), version: next.version, tally: null, expiresAt: rowExpiry(tally) });
  }
  const previousByKey = new Map((previous?.tallies ?? []).map((tally) => [keyOf(tally), JSON.stringify(tally)]));
  for (const [key, tally] of nextByKey) {
    if (previousByKey.get(key) !== JSON.stringify(tally)) writes.push({ key: rowKey(next.id, tally), version: next.version, tally, expiresAt: rowExpiry(tally) });
  }
  return writes;
}

/**
 * Applies one row write: `stale` when the stored row is as new or newer (a
 * redelivery, or older work redone late). A row of an hour the sweep may have
 * built before this write lands marks that hour first, then writes the row
 * (store/report-units.ts): a build that read the rows after the row landed
 * counted it, and one before it is distrusted by the mark, so whichever of the
 * two writes fails, no report trusts a built hour without a stored row. A
 * redelivered late row marks again: harmless, the hour only stays untrusted
 * until it is built again. `nowMs`: the writer's wall clock, which the mark
 * records (the sweep's builds wait on it).
 */
export async function applyTallyWrite(db: TableClient, tableName: string, write: TallyWrite, nowMs = Date.now()): Promise<'written' | 'stale'> {
  await markLateUnits(db, tableName, instantMillis(timeOfKey(write.key)), nowMs);
  const outcome = await db.put({
    TableName: tableName,
    Item: rowItem(write),
    ConditionExpression: 'attribute_not_exists(#pk) OR #v < :v',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#v': A.version },
    ExpressionAttributeValues: { ':v': write.version },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'stale';
}

export function rowItem(write: TallyWrite): Record<string, unknown> {
  return {
    [TABLE.partitionKey]: write.key.pk,
    [TABLE.sortKey]: write.key.sk,
    [A.version]: write.version,
    ...(write.tally === null ? { [A.gone]: true } : { [A.tally]: write.tally }),
    [TABLE.ttlAttribute]: write.expiresAt,
  };
}

/** A row write of `tally` for the item `id` at `version` (its key, its expiry). */
export function tallyWrite(id: string, tally: Tally, version = 1): TallyWrite {
  return { key: rowKey(id, tally), version, tally, expiresAt: rowExpiry(tally) };
}

/** A row's time, from its key (`<time>#<token>`). */
function timeOfKey(key: { sk: string }): string {
  const sort = parseReportRowSort(key.sk);
  if (sort === null) throw new Error('not a report row key');
  return sort.at;
}

/** A tombstone's expiry, from its key's time: as long as the row it replaces. */
export function expiryOfKey(key: { sk: string }): number {
  return Math.floor(instantMillis(timeOfKey(key)) / 1000) + REPORT_ROW_DAYS * DAY_SECONDS;
}

