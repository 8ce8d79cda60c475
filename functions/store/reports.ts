/**
 * Reports (CONTRACT §11): the rows the tracker keeps as facts arrive, and the
 * report read from them, never from a Scan.
 *
 * Rows. Each follow-up and each transaction contributes tallies that are a
 * function of its current state alone (core/report.ts: opened, closed with its
 * durations, a walk-in transaction ended). The transaction function derives them
 * from the stream record of every follow-up item and transaction item write
 * (`tallyWritesOf`, from the record's old and new images) and keeps one row per
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
 *
 * Privacy and retention. Rows hold times, numbers and enums, and a token (a
 * hash of the id) instead of the id: they outlive the follow-up and transaction
 * they count (RETENTION_DAYS may be shorter than a report's 366 days) without
 * keeping what those were about. They expire REPORT_ROW_DAYS after their time.
 * An item that expired and came back is counted once: see "Lives" below.
 *
 * The report reads the window's counts from its built and trusted hours and
 * days (store/report-units.ts), and the rows of what is left (one Query per
 * kind and month of each such span: the window's edges inside an hour, the
 * hours not built yet, marked ones); and, for what is true now, the worklist's
 * open partition (store/follow-ups/) and the keys of the stale partition of
 * the open-redraws index.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Attention } from '../core/attention';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { digestProblems, mostOverdue, type DigestProblems, type OverdueFollowUp, type ProblemFollowUp, type ProblemList } from '../core/digest-lists';
import { assembleReport, type OpenFollowUpFacts, type RedrawReport } from '../core/report';
import { countsOfTallies, followUpTallies, transactionTallies, TALLY_KINDS, type Tally, type TallyKind } from '../core/report-tallies';
import { stateAt } from '../core/follow-up/states';
import { talliedTransaction } from '../core/transaction-report';
import type { ReportCounts } from '../core/report-counts';
import { isFollowUpItem, parseFollowUpItem } from './follow-ups/item';
import { markLateUnits, unitStart, windowCounts, type Span } from './report-units';
import { openFollowUps } from './follow-ups/reads';
import { getOrderWithAppointment } from './appointments';
import { queryItems } from './query-pages';
import { keys, OPEN_REDRAW_PARTITIONS, TABLE } from './table';
import type { TableClient } from './table-client';
import { isTransactionItem, parseTransactionItem } from './transaction-items';

/** Days a report row is kept after its time: a report reaches 366 days back, and a little more for late facts. */
export const REPORT_ROW_DAYS = 400;
const DAY_SECONDS = 86_400;

/** Attribute names of a report row (besides the table keys). */
const A = { version: 'v', gone: 'gone', tally: 'tally' } as const;

/** One row write: put `tally` (null: a tombstone) at `key`, if the stored row is older than `version`. */
export interface TallyWrite {
  key: { pk: string; sk: string };
  version: number;
  tally: Tally | null;
  /** Epoch seconds: DynamoDB's TTL of the row. */
  expiresAt: number;
}

/** The id's token in row keys: a hash, so a row does not name what it counts. */
export function reportToken(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 20);
}

type Item = Record<string, unknown>;

/** The tallies of an item and the version they are at, or null for items reports do not count. */
function talliesOf(item: Item): { id: string; version: number; tallies: Tally[] } | null {
  if (isFollowUpItem(item)) {
    const stored = parseFollowUpItem(item);
    const failures = { ended: stored.transactionEnd ?? null, failure_types: stored.causingResults?.failure_types ?? null };
    return { id: stored.followUp.id, version: stored.revision, tallies: followUpTallies(stored.followUp, stored.redrawOrderedAt ?? null, failures) };
  }
  if (isTransactionItem(item)) {
    const transaction = parseTransactionItem(item);
    const tallied = talliedTransaction({ status: transaction.status, updated_at: transaction.updated_at, collection_method: transaction.collection_method ?? null }, Object.values(transaction.members));
    // Every transaction counts once it ends (CONTRACT §11 by_lab: completed or not, any method).
    return { id: transaction.id, version: transaction.version, tallies: transactionTallies(tallied) };
  }
  return null;
}

function rowKey(id: string, tally: Tally): { pk: string; sk: string } {
  return keys.reportRow(tally.kind, tally.at, reportToken(id));
}

function rowExpiry(tally: Tally): number {
  return Math.floor(instantMillis(tally.at) / 1000) + REPORT_ROW_DAYS * DAY_SECONDS;
}

/**
 * The row writes of one stored write (a stream record's images; `after`
 * absent: a removal, which changes no report: what expired was counted and
 * stays counted). Writes only what differs: a redelivery of the same state
 * writes nothing new.
 */
export function tallyWritesOf(before: Item | undefined, after: Item | undefined): TallyWrite[] {
  if (after === undefined) return [];
  const next = talliesOf(after);
  if (next === null) return [];
  const previous = before === undefined ? null : talliesOf(before);
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
 * until it is built again.
 */
export async function applyTallyWrite(db: TableClient, tableName: string, write: TallyWrite): Promise<'written' | 'stale'> {
  await markLateUnits(db, tableName, instantMillis(timeOfKey(write.key)), Date.now());
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

/** A TallyWrite as parked work keeps it (store/parked-work.ts): checked when read back. */
export const TallyWriteSchema = z.object({
  key: z.object({ pk: z.string(), sk: z.string() }),
  version: z.number(),
  tally: z.nullable(z.custom<Tally>((value) => typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string')),
  expiresAt: z.number(),
});

// ---------------------------------------------------------------------------
// Lives: counting once across an expiry and a return (CONTRACT §8, §11)
//
// A follow-up or transaction that expired (DynamoDB's TTL deleted it) can come
// back: a late `corrected` result recreates the transaction and its follow-up
// under the same ids. Their versions then start again at 1, and their tallies'
// times may have moved (the new end is the correction's time): without more,
// the new rows would be refused where the old ones stand (a lower version) and
// put beside them where the key moved (counted twice).
//
// So each counted item has a small ledger (keys.reportLedger, by token):
// - the expiry's REMOVE record (userIdentity dynamodb.amazonaws.com) records,
//   from its old image, the keys of the rows the expired life left live, as a
//   pending end (idempotent by the record's id);
// - the first record of the item with row writes after that starts the next
//   life: it tombstones every one of those rows its state no longer has, puts
//   every tally of its state, and only then moves the ledger to the new life
//   (a crash in between does it all again, the same writes);
// - every row write carries `life × LIFE_SPAN + version`, so a new life's rows
//   win over every row of an older one, and within a life the order is the
//   item's versions as before.
// A follow-up that returns while its expired item is still stored (DynamoDB's TTL
// deletes up to days late, and an expired item counts as absent, CONTRACT §9) is
// written over it at revision 1, with no REMOVE record: its first record (a write
// whose version is not above its old image's) carries the expired life's end
// itself (`replaced`, by the old image's id, revision and expiry) and starts the
// next life as above.
// An item that never expired has no ledger: life 0, the versions as they were.
// Each record with row writes reads the ledger (one strongly consistent
// GetItem: 1 RU); an expiry writes it (1 WU), and so does a return. The
// ledger keeps the life number while a returned item lives (no TTL) and a
// pending end REPORT_ROW_DAYS after the expiry (by then the rows it names are
// gone too). A transaction reports never count (not walk-in, no redraw) writes
// no ledger when it expires. Assumed: no record of an expired life is applied
// after its return's first rows (the stream keeps a record 24 hours; parked
// work is redone within hours, an expiry comes RETENTION_DAYS after the end).

/** Versions of one item's life stay below this: a row's version is `life × LIFE_SPAN + version`. */
export const LIFE_SPAN = 1_000_000;

/** Which ledger a counted item's rows belong to: its token and whether it is a follow-up or a transaction. */
export interface LedgerRef {
  token: string;
  item: 'follow_up' | 'transaction';
}

/** The report work of one stream record of a counted item. */
export type ReportWork =
  /**
   * Rows a write changes (`writes`), and every tally of the new state (`current`: what a new life puts);
   * `replaced`: the write replaced an expired item, whose life ends first (as an expiry's `end` would).
   */
  | { kind: 'rows'; ledger: LedgerRef; version: number; writes: TallyWrite[]; current: TallyWrite[]; replaced?: LifeEnd }
  /** An expiry (TTL's REMOVE record `by`): the rows its last state left live, `at` epoch seconds. */
  | { kind: 'end'; ledger: LedgerRef; by: string; keys: { pk: string; sk: string }[]; at: number };

/** The end of an item's life: what ended it (`by`), the rows it left live, when (epoch seconds). */
interface LifeEnd {
  by: string;
  keys: { pk: string; sk: string }[];
  at: number;
}

const KeySchema = z.object({ pk: z.string(), sk: z.string() });
const LedgerRefSchema = z.object({ token: z.string(), item: z.enum(['follow_up', 'transaction']) });

/** ReportWork as parked work keeps it (store/parked-work.ts): checked when read back. */
export const ReportWorkSchema = z.union([
  z.object({
    kind: z.literal('rows'),
    ledger: LedgerRefSchema,
    version: z.number(),
    writes: z.array(TallyWriteSchema),
    current: z.array(TallyWriteSchema),
    replaced: z.optional(z.object({ by: z.string(), keys: z.array(KeySchema), at: z.number() })),
  }),
  z.object({ kind: z.literal('end'), ledger: LedgerRefSchema, by: z.string(), keys: z.array(KeySchema), at: z.number() }),
]);

function ledgerOf(item: Item): LedgerRef | null {
  const counted = talliesOf(item);
  return counted === null ? null : { token: reportToken(counted.id), item: isFollowUpItem(item) ? 'follow_up' : 'transaction' };
}

/**
 * The report work of one stored write (a stream record's images): its row
 * writes with the state's tallies, or null when it changes no row.
 */
export function reportWorkOf(before: Item | undefined, after: Item | undefined): ReportWork | null {
  if (after === undefined) return null;
  const writes = tallyWritesOf(before, after);
  const next = talliesOf(after);
  const ledger = ledgerOf(after);
  if (next === null || ledger === null) return null;
  const current = next.tallies.map((tally) => ({ key: rowKey(next.id, tally), version: next.version, tally, expiresAt: rowExpiry(tally) }));
  const replaced = replacedLife(before, next.version);
  if (replaced !== null) return { kind: 'rows', ledger, version: next.version, writes, current, replaced };
  if (writes.length === 0) return null;
  return { kind: 'rows', ledger, version: next.version, writes, current };
}

/**
 * The end of the life of follow-up `before` when a write at `version`
 * replaced it: its revision never goes back but when it is written over an
 * expired item (CONTRACT §9), which carries its `expires_at`. Null otherwise.
 */
function replacedLife(before: Item | undefined, version: number): LifeEnd | null {
  // Only a follow-up is created over an expired item (store/follow-ups/write.ts); a transaction item moves on from what is stored.
  if (before === undefined || !isFollowUpItem(before)) return null;
  const last = talliesOf(before);
  const expiredAt = before[TABLE.ttlAttribute];
  if (last === null || last.version < version || typeof expiredAt !== 'number') return null;
  // The same on every redelivery of the record, and no other life's: its item, its last version and its expiry.
  return { by: `replaced:${reportToken(last.id)}:${last.version}:${expiredAt}`, keys: last.tallies.map((tally) => rowKey(last.id, tally)), at: expiredAt };
}

/**
 * The report work of an expiry (TTL's REMOVE record `recordId` at `at`, epoch
 * seconds, of the item `before`): the keys of the rows it left live. Null for
 * an item reports do not count.
 */
export function reportEndOf(before: Item | undefined, recordId: string, at: number): ReportWork | null {
  if (before === undefined) return null;
  const last = talliesOf(before);
  const ledger = ledgerOf(before);
  if (last === null || ledger === null) return null;
  return { kind: 'end', ledger, by: recordId, keys: last.tallies.map((tally) => rowKey(last.id, tally)), at };
}

/** Attribute names of a ledger. */
const L = { life: 'life', end: 'end', lastEnd: 'last_end' } as const;
const StoredLedger = z.object({
  [L.life]: z.optional(z.number()),
  [L.end]: z.optional(z.object({ by: z.string(), keys: z.array(KeySchema) })),
  [L.lastEnd]: z.optional(z.string()),
});

/** Applies one record's report work; resolves with the rows written (refused ones, redeliveries, not counted). */
export async function applyReportWork(db: TableClient, tableName: string, work: ReportWork): Promise<number> {
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
  if (end === undefined) return countWritten(await Promise.all(work.writes.map((write) => applyTallyWrite(db, tableName, versioned(write, life)))));

  // The first rows after an expiry: a new life. Its state's rows all put, the expired life's rows it no longer has tombstoned.
  const next = life + 1;
  const current = new Set(work.current.map((write) => JSON.stringify(write.key)));
  const gone = end.keys
    .filter((row) => !current.has(JSON.stringify({ pk: row.pk, sk: row.sk })))
    .map((row): TallyWrite => ({ key: { pk: row.pk, sk: row.sk }, version: work.version, tally: null, expiresAt: expiryOfKey(row) }));
  const written = countWritten(await Promise.all([...work.current, ...gone].map((write) => applyTallyWrite(db, tableName, versioned(write, next)))));
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

/** A row's time, from its key (`<time>#<token>`). */
function timeOfKey(key: { sk: string }): string {
  return key.sk.slice(0, key.sk.lastIndexOf('#'));
}

/** A tombstone's expiry, from its key's time: as long as the row it replaces. */
function expiryOfKey(key: { sk: string }): number {
  return Math.floor(instantMillis(timeOfKey(key)) / 1000) + REPORT_ROW_DAYS * DAY_SECONDS;
}

// ---------------------------------------------------------------------------
// Reading

const Row = z.object({ [A.tally]: z.optional(z.custom<Tally>()), [A.gone]: z.optional(z.boolean()) });

/** The months (YYYY-MM) a window touches. */
function monthsOf(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor.getTime() < to.getTime()) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** The live tallies of one kind whose time is in [from, to). */
async function readTallies(db: TableClient, tableName: string, kind: TallyKind, from: Date, to: Date, consistent = false): Promise<Tally[]> {
  const [start, end] = [canonicalFromDate(from), canonicalFromDate(to)];
  const tallies: Tally[] = [];
  for (const month of monthsOf(from, to)) {
    for await (const item of queryItems(db, {
      TableName: tableName,
      // `<time>#<token>`: every row at or after `start`, and before `end` (`end#...` sorts after `end`).
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :start AND :end',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': keys.reportRow(kind, `${month}-01`, '').pk, ':start': start, ':end': end },
      ...(consistent ? { ConsistentRead: true } : {}),
    })) {
      const row = Row.parse(item);
      const tally = row[A.tally];
      if (row[A.gone] !== true && tally !== undefined) tallies.push(tally);
    }
  }
  return tallies;
}

/** The live tallies of every kind whose time is in a span. */
async function readSpanTallies(db: TableClient, tableName: string, span: Span, consistent: boolean): Promise<Tally[]> {
  const from = new Date(span.fromMs);
  const to = new Date(span.toMs);
  return (await Promise.all(TALLY_KINDS.map((kind) => readTallies(db, tableName, kind, from, to, consistent)))).flat();
}

/** The counts of the rows whose time is in a span (every kind): what a report unit holds, or a report's rest. */
export async function readRowCounts(db: TableClient, tableName: string, span: Span, consistent = false): Promise<ReportCounts> {
  return countsOfTallies(await readSpanTallies(db, tableName, span, consistent));
}

/**
 * The counts of the rows of a run of whole hours, by the hour they fall in
 * (its start, epoch ms; an hour without a row is absent): one read of the span
 * for all its hours, as a build of a backlog wants (store/report-unit-builds.ts).
 */
export async function readRowCountsByHour(db: TableClient, tableName: string, span: Span, consistent = false): Promise<Map<number, ReportCounts>> {
  const byHour = new Map<number, Tally[]>();
  for (const tally of await readSpanTallies(db, tableName, span, consistent)) {
    const hour = unitStart('hour', instantMillis(tally.at));
    const tallies = byHour.get(hour);
    if (tallies === undefined) byHour.set(hour, [tally]);
    else tallies.push(tally);
  }
  return new Map([...byHour].map(([hour, tallies]) => [hour, countsOfTallies(tallies)]));
}

/** The order ids flagged stale now: the keys of the open-redraws index's stale partition. */
async function staleOrderIds(db: TableClient, tableName: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey },
    ExpressionAttributeValues: { ':pk': OPEN_REDRAW_PARTITIONS.stale },
  })) {
    ids.add(String(item[TABLE.partitionKey]).slice(keys.order('').pk.length));
  }
  return ids;
}

/**
 * The report of [from, to) as of `now` (CONTRACT §11): the window's rows, the
 * follow-ups open now and the stale flags now. Eventually consistent reads: a
 * fact of the last second may be missing.
 */
export async function readRedrawReport(
  db: TableClient,
  tableName: string,
  input: { from: Date; to: Date; now: Date; timeZone?: string; /** false: every row of the window, no unit (the bench's common approach). */ units?: boolean },
): Promise<RedrawReport> {
  const { from, to, now } = input;
  const window = { fromMs: from.getTime(), toMs: to.getTime() };
  const [counts, stale, open] = await Promise.all([
    input.units === false ? readRowCounts(db, tableName, window) : windowCounts(db, tableName, window, (span) => readRowCounts(db, tableName, span)),
    staleOrderIds(db, tableName),
    (async () => {
      const found: { owner: string | null; opened_at: string; orderId: string | null; attention: Attention | null }[] = [];
      for (const stored of await openFollowUps(db, tableName, now)) {
        if (stored.followUp.state === 'closed') continue;
        found.push({ owner: stored.followUp.owner, opened_at: stored.followUp.opened_at, orderId: stored.redraw?.orderId ?? null, attention: stored.followUp.attention });
      }
      return found;
    })(),
  ]);
  const facts: OpenFollowUpFacts[] = open.map(({ owner, opened_at, orderId, attention }) => ({
    owner,
    opened_at,
    stale: orderId !== null && stale.has(orderId),
    redraw_failed: attention === 'redraw_failed',
    attention,
  }));
  return assembleReport({ window: { from, to }, now, counts, open: facts, ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone }) });
}

/**
 * The `limit` most overdue open follow-ups at `now` (core/digest.ts
 * mostOverdue): those with attention (a failed redraw) first, then those whose
 * due time passed, earliest first; ids, owners and times only. The whole open
 * partition is read (the report reads it too): a follow-up with attention may
 * sort anywhere by its due time.
 */
export async function overdueFollowUps(db: TableClient, tableName: string, input: { now: Date; limit: number }): Promise<OverdueFollowUp[]> {
  const open: OverdueFollowUp[] = [];
  for (const stored of await openFollowUps(db, tableName, input.now)) {
    const current = stateAt(stored.followUp, input.now);
    if (current.state === 'closed') continue;
    open.push({ id: current.id, owner: current.owner, state: current.state, due_at: stored.dueAt, opened_at: current.opened_at, attention: current.attention });
  }
  return mostOverdue(open, input.now, input.limit);
}

/**
 * The follow-ups the weekly digest names (core/digest.ts digestProblems): the
 * open ones whose redraw failed, whose order is flagged stale and without an
 * owner; each list counted whole and cut at `limit`. Queries only (the digest
 * function may Query, nothing else): the worklist, the open-redraws index, and
 * for each stuck follow-up it names, its order's partition for the flag's
 * reason and time. Never a Scan.
 */
export async function problemFollowUps(db: TableClient, tableName: string, input: { now: Date; limit: number }): Promise<DigestProblems> {
  const [stored, stale] = await Promise.all([openFollowUps(db, tableName, input.now), staleOrderIds(db, tableName)]);
  const open: ProblemFollowUp[] = stored.flatMap((item) => {
    const current = stateAt(item.followUp, input.now);
    if (current.state === 'closed') return [];
    const flagged = item.redraw !== null && stale.has(item.redraw.orderId);
    return [
      {
        id: current.id,
        owner: current.owner,
        state: current.state,
        opened_at: current.opened_at,
        // A lone failed order (no_redraw) may name no initial order: its missing results' order is the one to paste.
        order_id: item.redraw?.orderId ?? current.redraw_order_id ?? current.initial_order_id ?? current.missing?.order_id ?? null,
        // The reason and since are read below for the ones named; the order's status time orders the list.
        stale: flagged && item.redraw !== null ? { reason: '', since: '', status_time: item.redraw.statusTime } : null,
        attention: current.attention,
      },
    ];
  });
  const problems = digestProblems(open, input.limit);
  const named = [...problems.attention.items, ...problems.stuck.items, ...problems.unowned.items].filter((item) => item.stale !== null && item.order_id !== null);
  const flags = new Map<string, { reason: string; since: string }>();
  for (const orderId of new Set(named.map((item) => item.order_id!))) {
    const { order } = await getOrderWithAppointment(db, tableName, orderId);
    if (order?.stale) flags.set(orderId, { reason: order.stale.reason, since: order.stale.since });
  }
  const withFlag = (item: ProblemFollowUp): ProblemFollowUp => {
    if (item.stale === null || item.order_id === null) return item;
    const flag = flags.get(item.order_id);
    // Cleared between the two reads: named without a reason it no longer has.
    return flag === undefined ? { ...item, stale: null } : { ...item, stale: { ...item.stale, ...flag } };
  };
  const fill = (list: ProblemList): ProblemList => ({ total: list.total, items: list.items.map(withFlag) });
  return { attention: fill(problems.attention), stuck: fill(problems.stuck), unowned: fill(problems.unowned) };
}
