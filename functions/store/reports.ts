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
 *
 * The report reads the rows of the window's months (one Query per kind and
 * month, rows of the window only) and, for what is true now, the worklist's open
 * partition (store/follow-ups.ts) and the keys of the stale partition of the
 * open-redraws index.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { canonicalFromDate, instantMillis } from '../core/instant';
import {
  assembleReport,
  followUpTallies,
  transactionTallies,
  type OpenFollowUpFacts,
  type OverdueFollowUp,
  type RedrawReport,
  type Tally,
  type TallyKind,
} from '../core/report';
import { stateAt } from '../core/follow-up';
import { mostOverdue } from '../core/digest';
import { isFollowUpItem, parseFollowUpItem } from './follow-ups';
import { queryItems } from './query-pages';
import { FOLLOW_UP_LISTING_PARTITIONS, keys, OPEN_REDRAW_PARTITIONS, TABLE } from './table';
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
    return { id: stored.followUp.id, version: stored.revision, tallies: followUpTallies(stored.followUp, stored.redrawOrderedAt ?? null) };
  }
  if (isTransactionItem(item)) {
    const transaction = parseTransactionItem(item);
    const members = Object.values(transaction.members);
    return {
      id: transaction.id,
      version: transaction.version,
      tallies: transactionTallies({
        status: transaction.status,
        updated_at: transaction.updated_at,
        collection_method: transaction.collection_method ?? null,
        had_redraw: members.some((member) => member.origin === 'redraw' || member.low_level_status === 'redraw_available'),
      }),
    };
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

/** Applies one row write: `stale` when the stored row is as new or newer (a redelivery, or older work redone late). */
export async function applyTallyWrite(db: TableClient, tableName: string, write: TallyWrite): Promise<'written' | 'stale'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: {
      [TABLE.partitionKey]: write.key.pk,
      [TABLE.sortKey]: write.key.sk,
      [A.version]: write.version,
      ...(write.tally === null ? { [A.gone]: true } : { [A.tally]: write.tally }),
      [TABLE.ttlAttribute]: write.expiresAt,
    },
    ConditionExpression: 'attribute_not_exists(#pk) OR #v < :v',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#v': A.version },
    ExpressionAttributeValues: { ':v': write.version },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'stale';
}

/** A TallyWrite as parked work keeps it (store/parked-work.ts): checked when read back. */
export const TallyWriteSchema = z.object({
  key: z.object({ pk: z.string(), sk: z.string() }),
  version: z.number(),
  tally: z.nullable(z.custom<Tally>((value) => typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string')),
  expiresAt: z.number(),
});

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
async function readTallies(db: TableClient, tableName: string, kind: TallyKind, from: Date, to: Date): Promise<Tally[]> {
  const [start, end] = [canonicalFromDate(from), canonicalFromDate(to)];
  const tallies: Tally[] = [];
  for (const month of monthsOf(from, to)) {
    for await (const item of queryItems(db, {
      TableName: tableName,
      // `<time>#<token>`: every row at or after `start`, and before `end` (`end#...` sorts after `end`).
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :start AND :end',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': keys.reportRow(kind, `${month}-01`, '').pk, ':start': start, ':end': end },
    })) {
      const row = Row.parse(item);
      const tally = row[A.tally];
      if (row[A.gone] !== true && tally !== undefined) tallies.push(tally);
    }
  }
  return tallies;
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

/** Every follow-up open now (the worklist's open partition, by due time), with its state as of `now`. */
async function* openFollowUps(db: TableClient, tableName: string) {
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    yield parseFollowUpItem(item);
  }
}

/**
 * The report of [from, to) as of `now` (CONTRACT §11): the window's rows, the
 * follow-ups open now and the stale flags now. Eventually consistent reads: a
 * fact of the last second may be missing.
 */
export async function readRedrawReport(db: TableClient, tableName: string, input: { from: Date; to: Date; now: Date }): Promise<RedrawReport> {
  const { from, to, now } = input;
  const [tallies, stale, open] = await Promise.all([
    Promise.all((['opened', 'closed', 'ended'] as const).map((kind) => readTallies(db, tableName, kind, from, to))).then((lists) => lists.flat()),
    staleOrderIds(db, tableName),
    (async () => {
      const found: { owner: string | null; opened_at: string; orderId: string | null }[] = [];
      for await (const stored of openFollowUps(db, tableName)) {
        if (stored.followUp.state === 'closed') continue;
        found.push({ owner: stored.followUp.owner, opened_at: stored.followUp.opened_at, orderId: stored.redraw?.orderId ?? null });
      }
      return found;
    })(),
  ]);
  const facts: OpenFollowUpFacts[] = open.map(({ owner, opened_at, orderId }) => ({ owner, opened_at, stale: orderId !== null && stale.has(orderId) }));
  return assembleReport({ window: { from, to }, now, tallies, open: facts });
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
  for await (const stored of openFollowUps(db, tableName)) {
    const current = stateAt(stored.followUp, input.now);
    if (current.state === 'closed') continue;
    open.push({ id: current.id, owner: current.owner, state: current.state, due_at: stored.dueAt, opened_at: current.opened_at, attention: current.attention });
  }
  return mostOverdue(open, input.now, input.limit);
}
