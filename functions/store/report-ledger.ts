/**
 * Report lives (CONTRACT §8, §11): counting once across an expiry and a return.
 *
 * A follow-up or transaction that expired (DynamoDB's TTL deleted it) can come
 * back: a late `corrected` result recreates the transaction and its follow-up
 * under the same ids. Their versions then start again at 1, and their tallies'
 * times may have moved (the new end is the correction's time): without more,
 * the new rows would be refused where the old ones stand (a lower version) and
 * put beside them where the key moved (counted twice).
 *
 * So each counted item has a small ledger (keys.reportLedger, by token):
 * - the expiry's REMOVE record (userIdentity dynamodb.amazonaws.com) records,
 *   from its old image, the keys of the rows the expired life left live, as a
 *   pending end (idempotent by the record's id);
 * - the first record of the item with row writes after that starts the next
 *   life: it tombstones every one of those rows its state no longer has, puts
 *   every tally of its state, and only then moves the ledger to the new life
 *   (a crash in between does it all again, the same writes);
 * - every row write carries `life × LIFE_SPAN + version`, so a new life's rows
 *   win over every row of an older one, and within a life the order is the
 *   item's versions as before.
 * A follow-up that returns while its expired item is still stored (DynamoDB's TTL
 * deletes up to days late, and an expired item counts as absent, CONTRACT §9) is
 * written over it at revision 1, with no REMOVE record: its first record (a write
 * whose version is not above its old image's) carries the expired life's end
 * itself (`replaced`, by the old image's id, revision and expiry) and starts the
 * next life as above.
 * An item that never expired has no ledger: life 0, the versions as they were.
 * Each record with row writes reads the ledger (one strongly consistent
 * GetItem: 1 RU); an expiry writes it (1 WU), and so does a return. The
 * ledger keeps the life number while a returned item lives (no TTL) and a
 * pending end REPORT_ROW_DAYS after the expiry (by then the rows it names are
 * gone too). A transaction reports never count (not walk-in, no redraw) writes
 * no ledger when it expires. Assumed: no record of an expired life is applied
 * after its return's first rows (the stream keeps a record 24 hours; parked
 * work is redone within hours, an expiry comes RETENTION_DAYS after the end).
 */
import * as z from 'zod/mini';
import type { LedgerRef, LifeEnd, ReportWork, TallyWrite } from './report-work';
import { applyTallyWrite, countedOf, DAY_SECONDS, expiryOfKey, REPORT_ROW_DAYS, rowExpiry, rowWrites, type Counted } from './report-rows';
import { keys, reportToken, rowKey } from './keys';
import type { StreamItem } from './stream-items';
import { TABLE } from './table';
import type { TableClient } from './table-client';

/** Versions of one item's life stay below this: a row's version is `life × LIFE_SPAN + version`. */
export const LIFE_SPAN = 1_000_000;

function ledgerOf(counted: { id: string; item: LedgerRef['item'] }): LedgerRef {
  return { token: reportToken(counted.id), item: counted.item };
}

/**
 * The report work of one stored write (the items before and after it): its
 * row writes with the state's tallies, or null when it changes no row.
 */
export function reportWorkOf(before: StreamItem | undefined, after: StreamItem | undefined): ReportWork | null {
  const next = countedOf(after);
  if (next === null) return null;
  const previous = countedOf(before);
  const writes = rowWrites(previous, next);
  const ledger = ledgerOf(next);
  const current = next.tallies.map((tally) => ({ key: rowKey(next.id, tally), version: next.version, tally, expiresAt: rowExpiry(tally) }));
  const replaced = replacedLife(before, previous, next.version);
  if (replaced !== null) return { kind: 'rows', ledger, version: next.version, writes, current, replaced };
  if (writes.length === 0) return null;
  return { kind: 'rows', ledger, version: next.version, writes, current };
}

/**
 * The end of the life of follow-up `before` when a write at `version`
 * replaced it: its revision never goes back but when it is written over an
 * expired item (CONTRACT §9), which carries its `expires_at` (`last`: its
 * tallies, counted). Null otherwise.
 */
function replacedLife(before: StreamItem | undefined, last: Counted | null, version: number): LifeEnd | null {
  // Only a follow-up is created over an expired item (store/follow-ups/write.ts); a transaction item moves on from what is stored.
  if (before?.kind !== 'follow_up') return null;
  const expiredAt = before.item.expiresAt;
  if (last === null || last.version < version || expiredAt === null) return null;
  // The same on every redelivery of the record, and no other life's: its item, its last version and its expiry.
  return { by: `replaced:${reportToken(last.id)}:${last.version}:${expiredAt}`, keys: last.tallies.map((tally) => rowKey(last.id, tally)), at: expiredAt };
}

/**
 * The report work of an expiry (TTL's REMOVE record `recordId` at `at`, epoch
 * seconds, of the item `before`): the keys of the rows it left live. Null for
 * an item reports do not count.
 */
export function reportEndOf(before: StreamItem | undefined, recordId: string, at: number): ReportWork | null {
  const last = countedOf(before);
  if (last === null) return null;
  return { kind: 'end', ledger: ledgerOf(last), by: recordId, keys: last.tallies.map((tally) => rowKey(last.id, tally)), at };
}

/** Attribute names of a ledger. */
const L = { life: 'life', end: 'end', lastEnd: 'last_end' } as const;
const StoredLedger = z.object({
  [L.life]: z.optional(z.number()),
  [L.end]: z.optional(z.object({ by: z.string(), keys: z.array(z.object({ pk: z.string(), sk: z.string() })) })),
  [L.lastEnd]: z.optional(z.string()),
});

/** Applies one record's report work at `nowMs` (the writer's wall clock); resolves with the rows written (refused ones, redeliveries, not counted). */
export async function applyReportWork(db: TableClient, tableName: string, work: ReportWork, nowMs = Date.now()): Promise<number> {
  const key = keys.reportLedger(work.ledger.token, work.ledger.item);
  if (work.kind === 'end') {
    await recordEnd(db, tableName, key, work);
    return 0;
  }
  if (work.replaced !== undefined) await recordEnd(db, tableName, key, work.replaced);
  const stored = await db.get({ TableName: tableName, Key: key, ConsistentRead: true });
  const ledger = StoredLedger.parse(stored ?? {});
  const life = ledger[L.life] ?? 0;
  const end = ledger[L.end];
  const versioned = (write: TallyWrite, inLife: number): TallyWrite => ({ ...write, version: inLife * LIFE_SPAN + write.version });
  if (end === undefined) return countWritten(await Promise.all(work.writes.map((write) => applyTallyWrite(db, tableName, versioned(write, life), nowMs))));

  // The first rows after an expiry: a new life. Its state's rows all put, the expired life's rows it no longer has tombstoned.
  const next = life + 1;
  const current = new Set(work.current.map((write) => JSON.stringify(write.key)));
  const gone = end.keys
    .filter((row) => !current.has(JSON.stringify({ pk: row.pk, sk: row.sk })))
    .map((row): TallyWrite => ({ key: { pk: row.pk, sk: row.sk }, version: work.version, tally: null, expiresAt: expiryOfKey(row) }));
  const written = countWritten(await Promise.all([...work.current, ...gone].map((write) => applyTallyWrite(db, tableName, versioned(write, next), nowMs))));
  await db.update({
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #life = :next REMOVE #end, #ttl',
    ConditionExpression: '#end.#by = :by',
    ExpressionAttributeNames: { '#life': L.life, '#end': L.end, '#by': 'by', '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':next': next, ':by': end.by },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return written;
}

/** Records an item's life's end in its ledger, once per end: a redelivered one (the same `by`) records nothing again. */
async function recordEnd(db: TableClient, tableName: string, key: { pk: string; sk: string }, end: LifeEnd): Promise<void> {
  await db.update({
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #end = :end, #lastEnd = :by, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(#lastEnd) OR #lastEnd <> :by',
    ExpressionAttributeNames: { '#end': L.end, '#lastEnd': L.lastEnd, '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':end': { by: end.by, keys: end.keys }, ':by': end.by, ':ttl': end.at + REPORT_ROW_DAYS * DAY_SECONDS },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
}

function countWritten(outcomes: readonly ('written' | 'stale')[]): number {
  return outcomes.filter((outcome) => outcome === 'written').length;
}

