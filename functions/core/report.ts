/**
 * Reports (CONTRACT §11) as plain data: the document `GET /reports/redraws`
 * answers, the window it covers, and the arithmetic (percentiles, aging
 * buckets). The store (store/reports.ts) gathers what these read from what the
 * tracker maintains as facts arrive; nothing here reads storage.
 */
import { ATTENTIONS, type Attention } from './attention';
import { addDays, calendarDateOf, shiftWeeks, startOfDay, weekStart, type CalendarDate } from './calendar';
import { canonicalFromDate, canonicalInstant, instantMillis } from './instant';

/** `n` values and their 50th and 90th percentiles in hours (null when n is 0). */
export interface Durations {
  n: number;
  p50: number | null;
  p90: number | null;
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
  /** A walk-in transaction that ended completed at `at` (its newest status time), and whether it had a redraw. */
  | { kind: 'ended'; at: string; with_redraw: boolean };
export type TallyKind = Tally['kind'];
export const TALLY_KINDS = ['opened', 'closed', 'ended'] as const satisfies readonly TallyKind[];

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

/** A follow-up's tallies: opened, and closed when it is. `redrawOrderedAt`: its redraw order's creation time, if known. */
export function followUpTallies(followUp: TalliedFollowUp, redrawOrderedAt: string | null): Tally[] {
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
  return tallies;
}

/** What a transaction's tally reads: its status, its newest status time, its collection method and whether it had a redraw. */
export interface TalliedTransaction {
  status: string;
  updated_at: string;
  /** Its orders' collection method (details.type), or null when unknown. */
  collection_method: string | null;
  had_redraw: boolean;
}

/**
 * A transaction's tally: one `ended` when it is completed and walk-in (redraws
 * exist only for walk-in orders, DOMAIN: one with a redraw is walk-in whatever
 * else is known), at its newest status time; none otherwise (active, cancelled).
 */
export function transactionTallies(transaction: TalliedTransaction): Tally[] {
  if (transaction.status !== 'completed') return [];
  if (transaction.collection_method !== 'walk_in_test' && !transaction.had_redraw) return [];
  return [{ kind: 'ended', at: transaction.updated_at, with_redraw: transaction.had_redraw }];
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

/** The report (CONTRACT §11) from the tallies whose time is in the window and the follow-ups open now. */
export function assembleReport(input: { window: ReportWindow; now: Date; tallies: readonly Tally[]; open: readonly OpenFollowUpFacts[]; timeZone?: string }): RedrawReport {
  const closed = input.tallies.filter((tally) => tally.kind === 'closed');
  const ended = input.tallies.filter((tally) => tally.kind === 'ended');
  const byDisposition: Record<string, number> = {};
  for (const tally of [...closed].sort((a, b) => (a.disposition < b.disposition ? -1 : 1))) byDisposition[tally.disposition] = (byDisposition[tally.disposition] ?? 0) + 1;
  const aging: AgingBuckets = { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 0 };
  for (const followUp of input.open) aging[agingBucket(followUp.opened_at, input.now)]++;
  const hours = (pick: (hours: ClosedHours) => number | null) => durations(closed.map((tally) => pick(tally.hours)).filter((value): value is number => value !== null));
  return {
    from: canonicalFromDate(input.window.from),
    to: canonicalFromDate(input.window.to),
    opened: input.tallies.filter((tally) => tally.kind === 'opened').length,
    closed: closed.length,
    by_disposition: byDisposition,
    open_now: input.open.length,
    stale_now: input.open.filter((followUp) => followUp.stale).length,
    unassigned_now: input.open.filter((followUp) => followUp.owner === null).length,
    aging_now: aging,
    time_to_redraw_order_hours: hours((h) => h.redraw_order),
    time_to_acknowledge_hours: hours((h) => h.acknowledge),
    time_to_close_hours: hours((h) => h.close),
    walk_in_completed: ended.length,
    with_redraw: ended.filter((tally) => tally.with_redraw).length,
    time_zone: input.timeZone ?? 'UTC',
    closed_by_people: closed.filter((tally) => !TRACKER_CLOSES.has(tally.disposition)).length,
    closed_by_tracker: closed.filter((tally) => TRACKER_CLOSES.has(tally.disposition)).length,
    redraw_failed_now: input.open.filter((followUp) => followUp.redraw_failed).length,
    attention_now: attentionCounts(input.open),
  };
}
