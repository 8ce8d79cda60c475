/**
 * Report units (CONTRACT §11: a report's read cost grows with its window's
 * length, never with how many transactions it holds): the counts of every
 * report row of one UTC hour and of one UTC day, added up once and kept, so a
 * report reads a day's or an hour's counts instead of its rows.
 *
 * The rows (store/report-rows.ts) stay the truth: each moves exactly once under
 * redelivery, reopen and expiry-and-return, by its version. A unit is built
 * from them (the sweep, reportUnitsStep) and is only a sum of what they held
 * when it was built, so the one question is when a unit may be trusted:
 *
 * - A unit is built only once it ended SETTLE_MS ago; a row write that could
 *   land in it after that (its writer's clock says the unit ended more than
 *   SETTLE_MS - MAX_WRITE_MS ago) marks it first, then writes the row
 *   (markLateUnits, from store/report-rows.ts applyTallyWrite): one small item per
 *   unit, its mark count `g` and the latest writer's time `m`. A build that
 *   read the rows after the row landed counted it; one before is distrusted by
 *   the mark, which stands before the row does. So when either write fails, no
 *   report trusts a built hour that lacks a stored row; a redelivered late row
 *   marks again, which only keeps the hour untrusted until its next build. A
 *   writer that does not mark lands before any build: a write lands within
 *   MAX_WRITE_MS of its writer's clock (a Lambda runs at most 15 minutes).
 * - A unit with a mark is not trusted by a report (its rows are read instead).
 *   The sweep rebuilds it once its latest mark is MAX_WRITE_MS old (every write
 *   that marked has landed), then removes the mark if its count is still the one
 *   it read: a mark made during the build keeps it untrusted until the next.
 *
 * So a report sums trusted units and reads rows for the rest (the window's
 * edges inside an hour, the last hour or so not built yet, a marked unit):
 * the same counts as the rows alone (core/report-counts.ts adds them the same
 * way), and test/integration/report-units.test.ts shows it for any delivery
 * order, replay and expiry-and-return. A fact that arrives on time writes no
 * mark: its row is all it costs, as before; a late one (a day-old retry, a
 * correction, a reopen's tombstone) writes a mark before each of its rows.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as z from 'zod/mini';
import { addReportCounts, emptyCounts, type ReportCounts } from '../core/report-counts';
import { queryItems } from './query-pages';
import { parseUnitSort, unitKeys, unitSort, type UnitLevel } from './keys';
import { TABLE } from './table';
import type { TableClient } from './table-client';

export type { UnitLevel };
export const UNIT_LEVELS: readonly UnitLevel[] = ['day', 'hour'];
export const UNIT_MS: Record<UnitLevel, number> = { hour: 3_600_000, day: 86_400_000 };
/** A unit is built this long after it ended, at the earliest. */
export const SETTLE_MS = 30 * 60_000;
/** A row write lands at most this long after its writer read its clock (15 minutes of a Lambda, 1 of clock skew). */
export const MAX_WRITE_MS = 16 * 60_000;
/** Units, like the rows they sum, are kept this many days after their start (store/report-rows.ts REPORT_ROW_DAYS). */
const UNIT_DAYS = 400;
const DAY_S = 86_400;

/** A unit's start from its sort key as read. */
function unitStartOf(sk: string): number {
  const startMs = parseUnitSort(sk);
  if (startMs === null) throw new Error('not a report unit key');
  return startMs;
}

export function unitStart(level: UnitLevel, ms: number): number {
  return Math.floor(ms / UNIT_MS[level]) * UNIT_MS[level];
}

/** Whether a row written now into the unit starting at `startMs` must mark it: a build may come before the write lands. */
export function mustMark(level: UnitLevel, startMs: number, nowMs: number): boolean {
  return startMs + UNIT_MS[level] + SETTLE_MS <= nowMs + MAX_WRITE_MS;
}

/** Whether an hour may be built now (it ended SETTLE_MS ago, and every write that marked it has landed). */
export function mayBuild(startMs: number, nowMs: number, markedAtMs: number | null): boolean {
  return startMs + UNIT_MS.hour + SETTLE_MS <= nowMs && (markedAtMs === null || markedAtMs + MAX_WRITE_MS <= nowMs);
}

/**
 * Marks the hour a row at `atMs` belongs to, where a build may come before
 * this write lands (mustMark): before the row's write, never after. Its day
 * needs no mark of its own: a day is trusted only while none of its hours is
 * marked, and is built from its hours once they all are built.
 */
export async function markLateUnits(db: TableClient, tableName: string, atMs: number, nowMs: number): Promise<void> {
  const start = unitStart('hour', atMs);
  if (mustMark('hour', start, nowMs)) await markUnit(db, tableName, 'hour', start, nowMs);
}

async function markUnit(db: TableClient, tableName: string, level: UnitLevel, startMs: number, nowMs: number): Promise<void> {
  const key = unitKeys.mark(level, startMs);
  const expiry = Math.floor(startMs / 1000) + UNIT_DAYS * DAY_S;
  const names = { '#g': 'g', '#m': 'm', '#ttl': TABLE.ttlAttribute };
  // The latest writer's time is kept (the sweep waits MAX_WRITE_MS after it); a writer whose clock is behind only counts.
  const latest = await db.update({
    TableName: tableName,
    Key: { [TABLE.partitionKey]: key.pk, [TABLE.sortKey]: key.sk },
    UpdateExpression: 'SET #m = :m, #ttl = :ttl ADD #g :one',
    ConditionExpression: 'attribute_not_exists(#m) OR #m <= :m',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':m': nowMs, ':one': 1, ':ttl': expiry },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  if (latest.written) return;
  await db.update({
    TableName: tableName,
    Key: { [TABLE.partitionKey]: key.pk, [TABLE.sortKey]: key.sk },
    UpdateExpression: 'ADD #g :one',
    ExpressionAttributeNames: { '#g': 'g' },
    ExpressionAttributeValues: { ':one': 1 },
  });
}

const Mark = z.object({ sk: z.string(), g: z.number(), m: z.number() });
export interface UnitMark {
  startMs: number;
  count: number;
  markedAtMs: number;
}

/** The marks of one level whose unit starts in [fromMs, toMs). */
export async function readMarks(db: TableClient, tableName: string, level: UnitLevel, fromMs: number, toMs: number, consistent = false): Promise<Map<number, UnitMark>> {
  const marks = new Map<number, UnitMark>();
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': unitKeys.mark(level, 0).pk, ':from': unitSort(fromMs), ':to': unitSort(toMs - 1) },
    ConsistentRead: consistent,
  })) {
    const mark = Mark.parse({ sk: item[TABLE.sortKey], g: item.g, m: item.m });
    const startMs = unitStartOf(mark.sk);
    marks.set(startMs, { startMs, count: mark.g, markedAtMs: mark.m });
  }
  return marks;
}

/** Removes a unit's mark if no write marked it again since it was read (`count`): resolves with whether it was removed. */
export async function clearMark(db: TableClient, tableName: string, level: UnitLevel, mark: UnitMark): Promise<boolean> {
  const key = unitKeys.mark(level, mark.startMs);
  try {
    await db.delete({
      TableName: tableName,
      Key: { [TABLE.partitionKey]: key.pk, [TABLE.sortKey]: key.sk },
      ConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': 'g' },
      ExpressionAttributeValues: { ':g': mark.count },
    });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * Stores a unit's counts (built from its rows), deflated: a busy day's
 * histograms and labs are a few KB of JSON, a third of that deflated, and a
 * report reads every unit of its window (DynamoDB bills reads by size).
 */
export async function putUnit(db: TableClient, tableName: string, level: UnitLevel, startMs: number, counts: ReportCounts): Promise<void> {
  const key = unitKeys.counts(level, startMs);
  await db.put({
    TableName: tableName,
    Item: {
      [TABLE.partitionKey]: key.pk,
      [TABLE.sortKey]: key.sk,
      z: deflateRawSync(JSON.stringify(counts)),
      [TABLE.ttlAttribute]: Math.floor(startMs / 1000) + UNIT_DAYS * DAY_S,
    },
  });
}

const StoredUnit = z.object({ sk: z.string(), z: z.instanceof(Uint8Array) });

/**
 * The units of one level that start in [fromMs, toMs), as built (one Query
 * per month of units), and trusted: none of their hours is marked (`marks`,
 * the hour marks by start).
 */
export async function trustedUnits(
  db: TableClient,
  tableName: string,
  level: UnitLevel,
  span: Span,
  marks: ReadonlyMap<number, UnitMark>,
  consistent = false,
): Promise<Map<number, ReportCounts>> {
  const units = new Map<number, ReportCounts>();
  const { fromMs, toMs } = span;
  if (fromMs >= toMs) return units;
  for (let cursor = fromMs; cursor < toMs; cursor = nextMonth(cursor)) {
    for await (const item of queryItems(db, {
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: {
        ':pk': unitKeys.counts(level, cursor).pk,
        ':from': unitSort(cursor),
        ':to': unitSort(Math.min(toMs, nextMonth(cursor)) - 1),
      },
      ...(consistent ? { ConsistentRead: true } : {}),
    })) {
      const unit = StoredUnit.parse({ sk: item[TABLE.sortKey], z: item.z });
      units.set(unitStartOf(unit.sk), { ...emptyCounts(), ...(JSON.parse(inflateRawSync(unit.z).toString('utf8')) as ReportCounts) });
    }
  }
  for (const mark of marks.keys()) units.delete(unitStart(level, mark));
  return units;
}

/** The first instant of the month after the one `ms` is in (UTC). */
function nextMonth(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** A span [fromMs, toMs) of a window. */
export interface Span {
  fromMs: number;
  toMs: number;
}

/**
 * The counts of [fromMs, toMs): the trusted days it holds whole, then the
 * trusted hours of what is left, then `readRows` for the rest (spans merged,
 * oldest first). Never a Scan; the rows read are those of the window's edges
 * inside an hour, of hours not built yet and of marked units.
 */
export async function windowCounts(
  db: TableClient,
  tableName: string,
  window: Span,
  readRows: (span: Span) => Promise<ReportCounts>,
): Promise<ReportCounts> {
  let counts = emptyCounts();
  let rest: Span[] = [window];
  const marks = await readMarks(db, tableName, 'hour', unitStart('hour', window.fromMs), window.toMs);
  for (const level of UNIT_LEVELS) {
    const next: Span[] = [];
    for (const span of rest) {
      const first = Math.ceil(span.fromMs / UNIT_MS[level]) * UNIT_MS[level];
      const last = Math.floor(span.toMs / UNIT_MS[level]) * UNIT_MS[level];
      if (first >= last) {
        next.push(span);
        continue;
      }
      const units = await trustedUnits(db, tableName, level, { fromMs: first, toMs: last }, marks);
      if (span.fromMs < first) next.push({ fromMs: span.fromMs, toMs: first });
      for (let start = first; start < last; start += UNIT_MS[level]) {
        const unit = units.get(start);
        if (unit === undefined) next.push({ fromMs: start, toMs: start + UNIT_MS[level] });
        else counts = addReportCounts(counts, unit);
      }
      if (last < span.toMs) next.push({ fromMs: last, toMs: span.toMs });
    }
    rest = mergeSpans(next);
  }
  for (const span of rest) counts = addReportCounts(counts, await readRows(span));
  return counts;
}

/** Spans sorted, touching ones joined. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && last.toMs >= span.fromMs) last.toMs = Math.max(last.toMs, span.toMs);
    else merged.push({ ...span });
  }
  return merged;
}

const Built = z.object({ through: z.number() });

/** Where the sweep has built a level up to (the first unit not built), or null: never. */
export async function builtThrough(db: TableClient, tableName: string, level: UnitLevel): Promise<number | null> {
  const key = unitKeys.built(level);
  const item = await db.get({ TableName: tableName, Key: { [TABLE.partitionKey]: key.pk, [TABLE.sortKey]: key.sk }, ConsistentRead: true });
  return item === undefined ? null : Built.parse({ through: item.through }).through;
}

export async function recordBuiltThrough(db: TableClient, tableName: string, level: UnitLevel, throughMs: number): Promise<void> {
  const key = unitKeys.built(level);
  await db.put({ TableName: tableName, Item: { [TABLE.partitionKey]: key.pk, [TABLE.sortKey]: key.sk, through: throughMs } });
}
