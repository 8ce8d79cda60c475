/**
 * Reports (CONTRACT §11) as plain data: the document `GET /reports/redraws`
 * answers, the window it covers, and the arithmetic (percentiles, aging
 * buckets). The store (store/reports.ts) gathers what these read from what the
 * tracker maintains as facts arrive; nothing here reads storage.
 */
import { ATTENTIONS, type Attention } from './attention';
import { addDays, calendarDateOf, shiftWeeks, startOfDay, weekStart, type CalendarDate } from './calendar';
import { canonicalFromDate, canonicalInstant, instantMillis } from './instant';
import {
  addReportCounts,
  EMPTY_SPREAD,
  emptyCounts,
  emptyLabCounts,
  labKey,
  parseLabKey,
  spreadOf,
  spreadPercentile,
  type EndedMissing,
  type LabCounts,
  type ReportCounts,
  type Spread,
} from './report-counts';

/** `n` values and their 50th and 90th percentiles in hours (null when n is 0). */
export interface Durations {
  n: number;
  p50: number | null;
  p90: number | null;
}

/** One lab and collection method's row of a report (CONTRACT §11). */
export interface ByLab {
  /** lab_test.lab.slug of the initial order; "unknown" when Junction gave none. */
  lab: string;
  /** The collection method (walk_in_test, testkit, at_home_phlebotomy, ...); "unknown" when not known. */
  method: string;
  completed: number;
  /** Of the completed, those that had a redraw. */
  with_redraw: number;
  /** with_redraw per 100 completed, one decimal; null with none completed. */
  redraw_rate: number | null;
  /** Of the transactions that ended, those without all their results. */
  ended_missing: number;
  /** redraw_available to the redraw order's first completed event. */
  time_to_redraw_results_hours: Durations;
  /** Summed over their follow-ups' causing order's missing results, the largest first. */
  failure_types: Record<string, number>;
}

/** Open follow-ups by days since they opened (CONTRACT §11). */
export interface AgingBuckets {
  '0_7': number;
  '8_14': number;
  '15_30': number;
  over_30: number;
}

/** The document of `GET /reports/redraws` (CONTRACT §11), in the contract's field order. */
export interface RedrawReport {
  from: string;
  to: string;
  /** Follow-ups opened in the window. */
  opened: number;
  /** Follow-ups closed in the window, and by disposition. */
  closed: number;
  by_disposition: Record<string, number>;
  /** Open follow-ups now (new, acknowledged or snoozed). */
  open_now: number;
  /** Open follow-ups whose open redraw order is flagged stale now. */
  stale_now: number;
  /** Open follow-ups without an owner now. */
  unassigned_now: number;
  aging_now: AgingBuckets;
  /** Over follow-ups closed in the window: opened_at to the redraw order's creation (those with one). */
  time_to_redraw_order_hours: Durations;
  /** Over follow-ups closed in the window: opened_at to acknowledged_at (those a person acknowledged). */
  time_to_acknowledge_hours: Durations;
  /** Over follow-ups closed in the window: opened_at to closed_at. */
  time_to_close_hours: Durations;
  /** Walk-in transactions that ended completed in the window. */
  walk_in_completed: number;
  /** Of those, the ones that had a redraw: with_redraw / walk_in_completed is the redraw rate. */
  with_redraw: number;
  /** Transactions that ended in the window without all their results, by how (their follow-up's attention). */
  ended_missing: Record<EndedMissing, number>;
  /** Transactions that ended in the window, by lab and collection method. */
  by_lab: ByLab[];
  // Extensions of §11's document (docs/openapi.json):
  /** The zone whose days and Monday-to-Sunday weeks the window's dates are (DIGEST_TIMEZONE, default UTC). */
  time_zone: string;
  /** Of `closed`: those a person closed (their dispositions), and those the tracker closed from Junction's facts (redraw_completed, cancelled, results_received). */
  closed_by_people: number;
  closed_by_tracker: number;
  /** Open follow-ups now whose redraw failed (`attention: "redraw_failed"`): each waits for a person's decision. */
  redraw_failed_now: number;
  /**
   * Open follow-ups now per attention (CONTRACT §9: each waits for a person's
   * decision); `redraw_failed` equals `redraw_failed_now`. Always in the route's
   * answer; optional here for a report from before it.
   */
  attention_now?: Record<Attention, number>;
}

/** The dispositions only the tracker closes with (CONTRACT §9); every other one is a person's. */
const TRACKER_CLOSES: ReadonlySet<string> = new Set(['redraw_completed', 'cancelled', 'results_received']);

/**
 * The most overdue open follow-ups, as the weekly digest lists them: ids,
 * owners and times only. Those with `attention` (a failed redraw, CONTRACT
 * §9) come first, whatever their due time (none, usually: nothing is open to
 * wait for), then those whose due time passed.
 */
export interface OverdueFollowUp {
  id: string;
  owner: string | null;
  state: 'new' | 'acknowledged' | 'snoozed';
  /** When the sweep flags it if nothing moves; null for one listed for its attention alone. */
  due_at: string | null;
  opened_at: string;
  /** `redraw_failed`: its redraw order ended other than completed, and a person decides what next (CONTRACT §9). */
  attention?: Attention | null;
}

// ---------------------------------------------------------------------------
// The window (GET /reports/redraws?from&to)

/** Longest window a report covers (CONTRACT §11). */
export const MAX_REPORT_DAYS = 366;
/** The window without `from`: this many days up to `to`. */
export const DEFAULT_REPORT_DAYS = 7;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** What a report covers: from (inclusive) to (exclusive). */
export interface ReportWindow {
  from: Date;
  to: Date;
}

export type ParsedWindow = { kind: 'ok'; window: ReportWindow } | { kind: 'invalid'; message: string };

/** Most whole weeks `?weeks=N` may ask for (52 weeks fit MAX_REPORT_DAYS). */
export const MAX_REPORT_WEEKS = 52;

/**
 * The window of `?from=D&to=D` or `?weeks=N`. Dates are days in `timeZone`
 * (DIGEST_TIMEZONE, CONTRACT §11): a date `from` is 00:00 of that day there, a
 * date `to` the end of that day (so `from=2026-11-16&to=2026-11-22` is the
 * whole week); date-times are what they say. Without `to`, now; without
 * `from`, DEFAULT_REPORT_DAYS before `to`. `weeks=N` (1-52, alone) is the N
 * whole Monday-to-Sunday weeks before the current one. At most
 * MAX_REPORT_DAYS, ending at most a year after today (latestReportEnd). Messages
 * name the field, never echo it.
 */
export function parseReportWindow(query: { from?: string | undefined; to?: string | undefined; weeks?: string | undefined }, now: Date, timeZone = 'UTC'): ParsedWindow {
  if (query.weeks !== undefined) {
    if (query.from !== undefined || query.to !== undefined) return { kind: 'invalid', message: 'weeks cannot be combined with from or to' };
    if (!/^\d{1,2}$/.test(query.weeks) || Number(query.weeks) < 1 || Number(query.weeks) > MAX_REPORT_WEEKS) {
      return { kind: 'invalid', message: `weeks must be a whole number from 1 to ${MAX_REPORT_WEEKS}` };
    }
    return { kind: 'ok', window: wholeWeeksBefore(now, Number(query.weeks), timeZone) };
  }
  const to = query.to === undefined ? now : parseBound(query.to, 'end', timeZone);
  if (to === null) return { kind: 'invalid', message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  if (to.getTime() > latestReportEnd(now, timeZone).getTime()) return { kind: 'invalid', message: 'to must be at most a year after today' };
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_REPORT_DAYS * DAY_MS) : parseBound(query.from, 'start', timeZone);
  if (from === null) return { kind: 'invalid', message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  if (from.getTime() >= to.getTime()) return { kind: 'invalid', message: 'from must be before to' };
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) return { kind: 'invalid', message: `the window from..to must be at most ${MAX_REPORT_DAYS} days` };
  return { kind: 'ok', window: { from, to } };
}

/**
 * The latest end a window may have (CONTRACT §11: one ending more than a year
 * after today is refused): the end of the same day next year in `timeZone`
 * (29 February's next year is 1 March). Nothing is kept that late; and past
 * year 9999 an instant's ISO 8601 form (`+010000-...`) sorts before every
 * earlier one, so the report rows' key range would run backwards (DynamoDB
 * refuses such a BETWEEN: the 500 this rule ended).
 */
export function latestReportEnd(now: Date, timeZone: string): Date {
  const today = calendarDateOf(now.getTime(), timeZone);
  const sameDayNextYear = addDays({ year: today.year + 1, month: today.month, day: 1 }, today.day - 1);
  return startOfDay(addDays(sameDayNextYear, 1), timeZone);
}

/** The `weeks` whole Monday-to-Sunday weeks in `timeZone` before the one `now` is in. */
export function wholeWeeksBefore(now: Date, weeks: number, timeZone: string): ReportWindow {
  const thisMonday = weekStart(now.getTime(), timeZone);
  return { from: shiftWeeks(thisMonday, -weeks, timeZone), to: thisMonday };
}

/** One week of a window cut at Mondays in its zone; `partial` when the window cuts it (its start or end is not a Monday 00:00). */
export interface ReportWeek extends ReportWindow {
  partial: boolean;
}

/** The window's weeks, oldest first: cut at each Monday 00:00 in `timeZone`, the first and last cut at the window's own bounds. */
export function weeksOf(window: ReportWindow, timeZone: string): ReportWeek[] {
  const weeks: ReportWeek[] = [];
  let start = window.from;
  let monday = weekStart(window.from.getTime(), timeZone);
  while (start.getTime() < window.to.getTime()) {
    const next = shiftWeeks(monday, 1, timeZone);
    const end = new Date(Math.min(next.getTime(), window.to.getTime()));
    weeks.push({ from: start, to: end, partial: start.getTime() !== monday.getTime() || end.getTime() !== next.getTime() });
    start = end;
    monday = next;
  }
  return weeks;
}

function parseBound(value: string, side: 'start' | 'end', timeZone: string): Date | null {
  const date = DATE.exec(value);
  if (date) {
    const day: CalendarDate = { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
    const check = new Date(Date.UTC(day.year, day.month - 1, day.day));
    // 2026-02-30 is no date: Date.UTC would roll it over.
    if (check.getUTCFullYear() !== day.year || check.getUTCMonth() !== day.month - 1 || check.getUTCDate() !== day.day) return null;
    return startOfDay(side === 'start' ? day : addDays(day, 1), timeZone);
  }
  const instant = canonicalInstant(value);
  return instant === null ? null : new Date(instantMillis(instant));
}

// ---------------------------------------------------------------------------
// Tallies: what one follow-up or transaction adds to reports

/**
 * What one follow-up or one transaction contributes to reports, as a function of
 * its current state alone: the store keeps one row per tally and replaces them
 * when the state changes, so a report is the same whatever order and however
 * often the facts arrived. Ids, times, numbers and enums only.
 */
export type Tally =
  /** A follow-up opened at `at` (its opened_at). */
  | { kind: 'opened'; at: string }
  /** A follow-up closed at `at`, how, and how long its steps took (hours). */
  | { kind: 'closed'; at: string; disposition: string; hours: ClosedHours }
  /**
   * A transaction that ended (completed or cancelled) at `at` (its newest status
   * time). Rows written before issue 48 carry only `with_redraw`: they were kept
   * for completed walk-in transactions alone (see endedFacts).
   */
  | ({ kind: 'ended'; at: string; with_redraw: boolean } & Partial<Omit<EndedFacts, 'with_redraw'>>)
  /** The failure types of the order that caused a follow-up, counted where its transaction ended (`at`, its lab and method). */
  | { kind: 'failures'; at: string; lab: string | null; method: string | null; failure_types: Record<string, number> };
export type TallyKind = Tally['kind'];
export const TALLY_KINDS = ['opened', 'closed', 'ended', 'failures'] as const satisfies readonly TallyKind[];

/** What an ended transaction tells a report (CONTRACT §11). */
export interface EndedFacts {
  /** Ended completed (not cancelled). */
  completed: boolean;
  /** A walk-in transaction (one with a redraw is walk-in whatever else is known, DOMAIN). */
  walk_in: boolean;
  /** Had a redraw: an initial order that was ever in redraw_available, or a redraw order. */
  with_redraw: boolean;
  /** Its initial order's lab slug and its collection method; null when unknown (the report says "unknown"). */
  lab: string | null;
  method: string | null;
  /** Ended without all its results: how (its follow-up's attention); null when it has them (or was cancelled). */
  missing: EndedMissing | null;
  /** Hours from the initial order's redraw_available to the redraw order's first completed event; null without both. */
  redraw_results_hours: number | null;
}

/** An `ended` tally's facts, a row from before issue 48 read as what it was kept for: a completed walk-in transaction. */
export function endedFacts(tally: Extract<Tally, { kind: 'ended' }>): EndedFacts {
  return {
    completed: tally.completed ?? true,
    walk_in: tally.walk_in ?? true,
    with_redraw: tally.with_redraw,
    lab: tally.lab ?? null,
    method: tally.method === undefined ? 'walk_in_test' : tally.method,
    missing: tally.missing ?? null,
    redraw_results_hours: tally.redraw_results_hours ?? null,
  };
}

export interface ClosedHours {
  /** opened_at to the redraw order's creation; null without a redraw order. */
  redraw_order: number | null;
  /** opened_at to acknowledged_at; null when nobody acknowledged it. */
  acknowledge: number | null;
  /** opened_at to closed_at. */
  close: number;
}

/** The follow-up's fields tallies read (CONTRACT §9's FollowUp). */
export interface TalliedFollowUp {
  state: string;
  opened_at: string;
  acknowledged_at: string | null;
  closed_at: string | null;
  disposition: string | null;
}

/** Where a follow-up's transaction ended (its end time, lab and method), and the failure types of its causing order. */
export interface FollowUpFailures {
  ended: { at: string; lab: string | null; method: string | null } | null;
  failure_types: Record<string, number> | null;
}

/**
 * A follow-up's tallies: opened, and closed when it is. `redrawOrderedAt`: its
 * redraw order's creation time, if known. `failures`: its causing order's
 * failure types, counted once its transaction ended (none before, or without any).
 */
export function followUpTallies(followUp: TalliedFollowUp, redrawOrderedAt: string | null, failures: FollowUpFailures | null = null): Tally[] {
  if (followUp.opened_at === '') return [];
  const tallies: Tally[] = [{ kind: 'opened', at: followUp.opened_at }];
  if (followUp.state === 'closed' && followUp.closed_at !== null) {
    tallies.push({
      kind: 'closed',
      at: followUp.closed_at,
      disposition: followUp.disposition ?? 'other',
      hours: {
        redraw_order: redrawOrderedAt === null ? null : hoursBetween(followUp.opened_at, redrawOrderedAt),
        acknowledge: followUp.acknowledged_at === null ? null : hoursBetween(followUp.opened_at, followUp.acknowledged_at),
        close: hoursBetween(followUp.opened_at, followUp.closed_at),
      },
    });
  }
  const ended = failures?.ended ?? null;
  const types = failures?.failure_types ?? null;
  if (ended !== null && types !== null && Object.keys(types).length > 0) {
    tallies.push({ kind: 'failures', at: ended.at, lab: ended.lab, method: ended.method, failure_types: types });
  }
  return tallies;
}

/** What a transaction's tally reads: its status, its newest status time, its method, lab and how it ended. */
export interface TalliedTransaction {
  status: string;
  updated_at: string;
  /** Its orders' collection method (details.type), or null when unknown. */
  collection_method: string | null;
  had_redraw: boolean;
  /** Its initial order's lab slug, or null when unknown. */
  lab?: string | null;
  missing?: EndedMissing | null;
  redraw_results_hours?: number | null;
}

/** A transaction's tally: one `ended` once it is completed or cancelled, at its newest status time; none while active. */
export function transactionTallies(transaction: TalliedTransaction): Tally[] {
  if (transaction.status !== 'completed' && transaction.status !== 'cancelled') return [];
  return [
    {
      kind: 'ended',
      at: transaction.updated_at,
      with_redraw: transaction.had_redraw,
      completed: transaction.status === 'completed',
      walk_in: transaction.collection_method === 'walk_in_test' || transaction.had_redraw,
      lab: transaction.lab ?? null,
      method: transaction.collection_method,
      missing: transaction.missing ?? null,
      redraw_results_hours: transaction.redraw_results_hours ?? null,
    },
  ];
}

/** The counts a set of tallies adds up to (core/report-counts.ts). */
export function countsOfTallies(tallies: readonly Tally[]): ReportCounts {
  return tallies.reduce((counts, tally) => addReportCounts(counts, countsOfTally(tally)), emptyCounts());
}

/** The lab and method a report names a transaction by: its codes, `unknown` for what is not known. */
export function labAndMethod(lab: string | null, method: string | null): string {
  return labKey(lab ?? UNKNOWN, method ?? UNKNOWN);
}

/** What a report says for a lab or method Junction never gave (CONTRACT §11). */
export const UNKNOWN = 'unknown';

function countsOfTally(tally: Tally): ReportCounts {
  const counts = emptyCounts();
  switch (tally.kind) {
    case 'opened':
      return { ...counts, opened: 1 };
    case 'closed': {
      const one = (hours: number | null) => (hours === null ? EMPTY_SPREAD : spreadOf([hours]));
      return {
        ...counts,
        by_disposition: { [tally.disposition]: 1 },
        redraw_order: one(tally.hours.redraw_order),
        acknowledge: one(tally.hours.acknowledge),
        close: one(tally.hours.close),
      };
    }
    case 'ended': {
      const facts = endedFacts(tally);
      const completedWithRedraw = facts.completed && facts.with_redraw;
      const lab: LabCounts = {
        ended: 1,
        completed: facts.completed ? 1 : 0,
        with_redraw: completedWithRedraw ? 1 : 0,
        ended_missing: facts.missing === null ? 0 : 1,
        redraw_results: facts.redraw_results_hours === null ? EMPTY_SPREAD : spreadOf([facts.redraw_results_hours]),
        failure_types: {},
      };
      const walkInCompleted = facts.completed && facts.walk_in;
      return {
        ...counts,
        walk_in_completed: walkInCompleted ? 1 : 0,
        with_redraw: walkInCompleted && facts.with_redraw ? 1 : 0,
        ended_missing: { ...counts.ended_missing, ...(facts.missing === null ? {} : { [facts.missing]: 1 }) },
        by_lab: { [labAndMethod(facts.lab, facts.method)]: lab },
      };
    }
    case 'failures':
      return { ...counts, by_lab: { [labAndMethod(tally.lab, tally.method)]: { ...emptyLabCounts(), failure_types: { ...tally.failure_types } } } };
  }
}

/** Hours from `from` to `to` (canonical instants), to the hundredth, never negative. */
export function hoursBetween(from: string, to: string): number {
  return Math.max(0, Math.round(((instantMillis(to) - instantMillis(from)) / HOUR_MS) * 100) / 100);
}

// ---------------------------------------------------------------------------
// The report, from the tallies of the window and the open follow-ups now

/** What the report reads of an open follow-up now. */
export interface OpenFollowUpFacts {
  owner: string | null;
  opened_at: string;
  /** Its open redraw order is flagged stale. */
  stale: boolean;
  /** Its redraw failed and waits for a person (`attention: "redraw_failed"`). */
  redraw_failed: boolean;
  /** Its attention, if any (CONTRACT §9): a person decides what happens next. */
  attention?: Attention | null;
}

/** The open follow-ups per attention: every attention counted, 0 when none has it. */
export function attentionCounts(open: ReadonlyArray<{ attention?: Attention | null }>): Record<Attention, number> {
  const counts = Object.fromEntries(ATTENTIONS.map((attention) => [attention, 0])) as Record<Attention, number>;
  for (const followUp of open) if (followUp.attention != null && Object.hasOwn(counts, followUp.attention)) counts[followUp.attention]++;
  return counts;
}

/** n, and the 50th and 90th percentiles (nearest rank) to a tenth of an hour. */
export function durations(values: readonly number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number | null => (sorted.length === 0 ? null : Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! * 10) / 10);
  return { n: sorted.length, p50: at(0.5), p90: at(0.9) };
}

/** The aging bucket of an open follow-up: whole days since it opened. */
export function agingBucket(openedAt: string, now: Date): keyof AgingBuckets {
  const days = Math.floor((now.getTime() - instantMillis(openedAt)) / DAY_MS);
  return days <= 7 ? '0_7' : days <= 14 ? '8_14' : days <= 30 ? '15_30' : 'over_30';
}

/** Durations (CONTRACT §11) of a spread: n, and p50 and p90 to a tenth of an hour (exact while few values, else from the histogram). */
export function spreadDurations(spread: Spread): Durations {
  const at = (q: number) => {
    const value = spreadPercentile(spread, q);
    return value === null ? null : Math.round(value * 10) / 10;
  };
  return { n: spread.n, p50: at(0.5), p90: at(0.9) };
}

/** with_redraw per 100 completed, to one decimal; null with none completed. */
export function redrawRate(withRedraw: number, completed: number): number | null {
  return completed === 0 ? null : Math.round((1000 * withRedraw) / completed) / 10;
}

/**
 * The `by_lab` rows (CONTRACT §11): one per lab and method with a transaction
 * that ended in the window, highest redraw rate first (nulls last), then by lab
 * and method.
 */
export function byLabRows(byLab: Readonly<Record<string, LabCounts>>): ByLab[] {
  return Object.entries(byLab)
    .filter(([, counts]) => counts.ended > 0)
    .map(([key, counts]) => ({
      ...parseLabKey(key),
      completed: counts.completed,
      with_redraw: counts.with_redraw,
      redraw_rate: redrawRate(counts.with_redraw, counts.completed),
      ended_missing: counts.ended_missing,
      time_to_redraw_results_hours: spreadDurations(counts.redraw_results),
      failure_types: sortedCounts(counts.failure_types),
    }))
    .sort((a, b) => {
      if (a.redraw_rate !== b.redraw_rate) return a.redraw_rate === null ? 1 : b.redraw_rate === null ? -1 : b.redraw_rate - a.redraw_rate;
      return a.lab < b.lab ? -1 : a.lab > b.lab ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0;
    });
}

/** Counts by key, the largest first (then by key): the order a reader scans them in. */
function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
}

/**
 * The report (CONTRACT §11) from the counts of the window (or the tallies whose
 * time is in it) and the follow-ups open now.
 */
export function assembleReport(input: { window: ReportWindow; now: Date; tallies?: readonly Tally[]; counts?: ReportCounts; open: readonly OpenFollowUpFacts[]; timeZone?: string }): RedrawReport {
  const counts = input.counts ?? countsOfTallies(input.tallies ?? []);
  const byDisposition = Object.fromEntries(Object.entries(counts.by_disposition).filter(([, count]) => count !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
  const closed = Object.values(byDisposition).reduce((sum, count) => sum + count, 0);
  const byTracker = Object.entries(byDisposition).reduce((sum, [disposition, count]) => sum + (TRACKER_CLOSES.has(disposition) ? count : 0), 0);
  const aging: AgingBuckets = { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 0 };
  for (const followUp of input.open) aging[agingBucket(followUp.opened_at, input.now)]++;
  return {
    from: canonicalFromDate(input.window.from),
    to: canonicalFromDate(input.window.to),
    opened: counts.opened,
    closed,
    by_disposition: byDisposition,
    open_now: input.open.length,
    stale_now: input.open.filter((followUp) => followUp.stale).length,
    unassigned_now: input.open.filter((followUp) => followUp.owner === null).length,
    aging_now: aging,
    time_to_redraw_order_hours: spreadDurations(counts.redraw_order),
    time_to_acknowledge_hours: spreadDurations(counts.acknowledge),
    time_to_close_hours: spreadDurations(counts.close),
    walk_in_completed: counts.walk_in_completed,
    with_redraw: counts.with_redraw,
    ended_missing: { ...counts.ended_missing },
    by_lab: byLabRows(counts.by_lab),
    time_zone: input.timeZone ?? 'UTC',
    closed_by_people: closed - byTracker,
    closed_by_tracker: byTracker,
    redraw_failed_now: input.open.filter((followUp) => followUp.redraw_failed).length,
    attention_now: attentionCounts(input.open),
  };
}
