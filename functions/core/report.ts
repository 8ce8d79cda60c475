/**
 * The report (CONTRACT §11) as plain data: the document `GET /reports/redraws`
 * answers, and how it is assembled from the counts of its window
 * (core/report-counts.ts, or the tallies themselves: core/report-tallies.ts)
 * and the follow-ups open now: percentiles, aging buckets, rates and the
 * by-lab rows. The store (store/reports.ts) gathers what these read; nothing
 * here reads storage.
 */
import { ATTENTIONS, type Attention } from './attention';
import { TRACKER_DISPOSITIONS } from './follow-up/states';
import { canonicalFromDate, instantMillis } from './instant';
import { closesByPerson, type CloserRow } from './report-closers';
import { allLabs } from './report-bookings';
import { parseLabKey, spreadPercentile, type BookingCounts, type EndedMissing, type LabCounts, type ReportCounts, type Spread } from './report-counts';
import { countsOfTallies, type Tally } from './report-tallies';
import type { ReportWindow } from './report-window';

const DAY_MS = 86_400_000;

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

/**
 * One lab's bookings (CONTRACT §14 "The report"), over the redraw follow-ups
 * opened in the window, as of now; `lab` null is the row for all labs (last).
 */
export interface BookingsByLab {
  /** The initial order's lab slug, "unknown" when Junction gave none; null: all labs. */
  lab: string | null;
  /** Redraw follow-ups opened in the window. */
  redraws: number;
  /** Of them, booked: a first book or record_booking, or an appointment known by webhook (a pending one once confirmed). */
  booked: number;
  /** Of the booked, through Junction (by the tracker or elsewhere). */
  booked_here: number;
  /** Of the booked, whose redraw order's first status after the first booking was a draw. */
  booked_then_drawn: number;
  /** Of the booked through Junction, whose redraw order was flagged appointment_missed after the first booking. */
  appointment_missed: number;
  /** The initial order's redraw_available status time (else opened_at) to the first booking, over the booked. */
  time_to_booking_hours: Durations;
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
  /**
   * People's closes in the window by `closed_by`, most first (ties by actor), each
   * with the name an EHR gave that person; the tracker's own not counted. What was
   * counted in the window: `closes_partial` says whether that is all of it; null
   * when the tracker never counted one (core/report-closers.ts). Always in the
   * route's answer; optional here for a report from before it (read as null).
   */
  closes_by_person?: CloserRow[] | null;
  /**
   * Whether `closes_by_person` misses some of the window's people's closes: it starts
   * before `closes_counted_since`, or holds a close counted without its actor; null
   * with `closes_by_person`. Optional here for a report from before it (read as
   * "starts before `closes_counted_since`").
   */
  closes_partial?: boolean | null;
  // Extensions of §11's document (docs/openapi.json):
  /** When the tracker began counting closes by person (CONTRACT §11: beside `closes_by_person`); null: not yet. */
  closes_counted_since?: string | null;
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
  /**
   * The bookings of the redraws opened in the window, by lab, and a last row for
   * all labs (CONTRACT §14 "The report"); figures as of the read (the console
   * says "as of" the time it read them). Always in the
   * route's answer; optional here for a report from before it.
   */
  bookings_by_lab?: BookingsByLab[];
  /** Extension: first bookings made in the window (by their time, any follow-up) and the hours from the redraw offer to each: the digest's line. */
  first_bookings?: Durations;
}

/** The dispositions only the tracker closes with (CONTRACT §9); every other one is a person's. */
const TRACKER_CLOSES: ReadonlySet<string> = new Set(TRACKER_DISPOSITIONS);

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

/** The open follow-ups per attention: the report's, or (a report from before them) its redraw_failed_now alone. */
export function attentionNow(report: Pick<RedrawReport, 'attention_now' | 'redraw_failed_now'>): Record<Attention, number> {
  const given = report.attention_now;
  return Object.fromEntries(ATTENTIONS.map((attention) => [attention, given?.[attention] ?? (attention === 'redraw_failed' ? report.redraw_failed_now : 0)])) as Record<Attention, number>;
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

/**
 * The `bookings_by_lab` rows (CONTRACT §14 "The report"): one per lab with a
 * redraw follow-up opened in the window, sorted by lab, then the row for all
 * labs (`lab` null), there even when no redraw opened.
 */
export function bookingsByLabRows(bookings: Readonly<Record<string, BookingCounts>>): BookingsByLab[] {
  const row = (lab: string | null, counts: BookingCounts): BookingsByLab => ({
    lab,
    redraws: counts.redraws,
    booked: counts.booked,
    booked_here: counts.booked_here,
    booked_then_drawn: counts.booked_then_drawn,
    appointment_missed: counts.appointment_missed,
    time_to_booking_hours: spreadDurations(counts.to_booking),
  });
  const labs = Object.entries(bookings)
    .filter(([, counts]) => counts.redraws > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [...labs.map(([lab, counts]) => row(lab, counts)), row(null, allLabs(bookings))];
}

/** Counts by key, the largest first (then by key): the order a reader scans them in. */
function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
}

/**
 * The report (CONTRACT §11) from the counts of the window (or the tallies whose
 * time is in it) and the follow-ups open now.
 */
export function assembleReport(input: {
  window: ReportWindow;
  now: Date;
  tallies?: readonly Tally[];
  counts?: ReportCounts;
  open: readonly OpenFollowUpFacts[];
  timeZone?: string;
  /** When the tracker began counting closes by person (store/report-closers.ts); absent or null: not yet. */
  closesCountedSince?: string | null;
}): RedrawReport {
  const counts = input.counts ?? countsOfTallies(input.tallies ?? []);
  const byDisposition = Object.fromEntries(Object.entries(counts.by_disposition).filter(([, count]) => count !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
  const closed = Object.values(byDisposition).reduce((sum, count) => sum + count, 0);
  const byTracker = Object.entries(byDisposition).reduce((sum, [disposition, count]) => sum + (TRACKER_CLOSES.has(disposition) ? count : 0), 0);
  const aging: AgingBuckets = { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 0 };
  for (const followUp of input.open) aging[agingBucket(followUp.opened_at, input.now)]++;
  const since = input.closesCountedSince ?? null;
  const closers = closesByPerson({ fromMs: input.window.from.getTime(), since, byActor: counts.closed_by, names: counts.closer_names, peopleCloses: closed - byTracker });
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
    closes_by_person: closers.rows,
    closes_counted_since: since,
    closes_partial: closers.partial,
    time_zone: input.timeZone ?? 'UTC',
    closed_by_people: closed - byTracker,
    closed_by_tracker: byTracker,
    redraw_failed_now: input.open.filter((followUp) => followUp.redraw_failed).length,
    attention_now: attentionCounts(input.open),
    bookings_by_lab: bookingsByLabRows(counts.bookings),
    first_bookings: spreadDurations(counts.first_bookings),
  };
}
