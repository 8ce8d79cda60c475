/**
 * Reports (CONTRACT §11): the report read from the rows the tracker keeps as
 * facts arrive (store/report-rows.ts, store/report-ledger.ts), never from a Scan.
 *
 * Privacy and retention. Rows hold times, numbers and enums, and a token (a
 * hash of the id) instead of the id: they outlive the follow-up and transaction
 * they count (RETENTION_DAYS may be shorter than a report's 366 days) without
 * keeping what those were about. They expire REPORT_ROW_DAYS after their time.
 * An item that expired and came back is counted once (store/report-ledger.ts).
 *
 * The report reads the window's counts from its built and trusted hours and
 * days (store/report-units.ts), and the rows of what is left (one Query per
 * kind and month of each such span: the window's edges inside an hour, the
 * hours not built yet, marked ones); and, for what is true now, the worklist's
 * open partition (store/follow-ups/) and the keys of the stale partition of
 * the open-redraws index; and when closes by person began to be counted
 * (store/report-closers.ts: one Query of its key).
 */
import * as z from 'zod/mini';
import type { Attention } from '../core/attention';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { digestProblems, mostOverdue, type DigestProblems, type OverdueFollowUp, type ProblemFollowUp, type ProblemList } from '../core/digest-lists';
import { assembleReport, type OpenFollowUpFacts, type RedrawReport } from '../core/report';
import { countsOfTallies, TALLY_KINDS, type Tally, type TallyKind } from '../core/report-tallies';
import { stateAt } from '../core/follow-up/states';
import type { ReportCounts } from '../core/report-counts';
import { closesCountedSince } from './report-closers';
import { REPORT_ROW_ATTRIBUTES as A } from './report-rows';
import { unitStart, windowCounts, type Span } from './report-units';
import { openFollowUps } from './follow-ups/reads';
import { getOrderWithAppointment } from './appointments';
import { indexPartition, queryItems } from './query-pages';
import { TABLE } from './table';
import { keys, OPEN_REDRAW_PARTITIONS, orderIdOfPartition } from './keys';
import type { TableClient } from './table-client';

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
  for await (const item of queryItems(db, indexPartition(tableName, TABLE.openRedraws, OPEN_REDRAW_PARTITIONS.stale))) {
    const id = orderIdOfPartition(item[TABLE.partitionKey]);
    if (id !== null) ids.add(id);
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
  const [counts, stale, open, since] = await Promise.all([
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
    closesCountedSince(db, tableName),
  ]);
  const facts: OpenFollowUpFacts[] = open.map(({ owner, opened_at, orderId, attention }) => ({
    owner,
    opened_at,
    stale: orderId !== null && stale.has(orderId),
    redraw_failed: attention === 'redraw_failed',
    attention,
  }));
  return assembleReport({ window: { from, to }, now, counts, open: facts, closesCountedSince: since, ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone }) });
}

/**
 * The `limit` most overdue open follow-ups at `now` (core/digest-lists.ts
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
    open.push({ id: current.id, owner: current.owner, state: current.state, due_at: stored.dueAt, opened_at: current.opened_at, attention: current.attention, snoozed_until: current.snoozed_until });
  }
  return mostOverdue(open, input.now, input.limit);
}

/**
 * The follow-ups the weekly digest names (core/digest-lists.ts digestProblems): the
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