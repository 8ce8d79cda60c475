/**
 * What a report adds up (CONTRACT §11), as one additive value: the counts of
 * any set of tallies, merged with those of any other set by adding. The store
 * keeps such counts per hour and per day as well as the tallies themselves,
 * so that a report reads a number of items that grows with its window's length,
 * never with how many transactions it holds; and the report is the same
 * whether its counts came from tallies or from those pre-added units, since
 * both are this one value.
 *
 * Durations are kept as a Spread: the values themselves while there are at
 * most EXACT_VALUES of them (a report over a few follow-ups is exact), and
 * always a fixed histogram, whose percentiles are within 5% or 0.1 h of the
 * exact ones (§11). Adding two spreads adds their histograms and keeps the
 * values only when the sum still has at most EXACT_VALUES: so the answer
 * depends on the values alone, never on how they were grouped.
 */
import { addFields } from './fields';
import { addCloserNames, type CloserName } from './report-closers';

/** Up to this many values a spread keeps them all, and its percentiles are exact. */
export const EXACT_VALUES = 32;
/** The histogram: bin 0 is [0, FIRST_BIN_HOURS); bin k ≥ 1 is [FIRST_BIN_HOURS·RATIO^(k-1), FIRST_BIN_HOURS·RATIO^k). */
export const FIRST_BIN_HOURS = 0.2;
export const BIN_RATIO = 1.1;

/** Values (hours) as a report keeps them: their count, the values while few, and their histogram (bin index to count). */
export interface Spread {
  n: number;
  /** Sorted ascending; null once there are more than EXACT_VALUES. */
  values: number[] | null;
  bins: Record<string, number>;
}

export const EMPTY_SPREAD: Spread = { n: 0, values: [], bins: {} };

/** The bin of a value in hours (never negative). */
export function binOf(hours: number): number {
  if (hours < FIRST_BIN_HOURS) return 0;
  return 1 + Math.floor(Math.log(hours / FIRST_BIN_HOURS) / Math.log(BIN_RATIO) + 1e-12);
}

/** The value a bin stands for: the middle of bin 0, the geometric middle of any other (within 4.9% of every value in it). */
export function binValue(bin: number): number {
  return bin === 0 ? FIRST_BIN_HOURS / 2 : FIRST_BIN_HOURS * BIN_RATIO ** (bin - 0.5);
}

export function spreadOf(values: readonly number[]): Spread {
  return values.reduce<Spread>((spread, value) => addSpreads(spread, { n: 1, values: [value], bins: { [binOf(value)]: 1 } }), EMPTY_SPREAD);
}

export function addSpreads(a: Spread, b: Spread): Spread {
  const n = a.n + b.n;
  const values = a.values !== null && b.values !== null && n <= EXACT_VALUES ? [...a.values, ...b.values].sort((x, y) => x - y) : null;
  return { n, values, bins: addCounts(a.bins, b.bins) };
}

/** The value at nearest rank `q` (0-1): exact while the values are kept, else the value of the bin that holds that rank. */
export function spreadPercentile(spread: Spread, q: number): number | null {
  if (spread.n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * spread.n));
  if (spread.values !== null) return spread.values[rank - 1]!;
  let seen = 0;
  for (const bin of Object.keys(spread.bins).map(Number).sort((x, y) => x - y)) {
    seen += spread.bins[bin]!;
    if (seen >= rank) return binValue(bin);
  }
  return null;
}

/** Counts by key, added (keys in the order first seen). */
export function addCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [key, count] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + count;
  return sum;
}

/** How a transaction ended without all its results (CONTRACT §11 `ended_missing`, the follow-up's attention). */
export const ENDED_MISSING = ['results_still_missing', 'no_redraw', 'redraw_failed'] as const;
export type EndedMissing = (typeof ENDED_MISSING)[number];

/** One lab and collection method's counts (CONTRACT §11 ByLab, before its rate and percentiles). */
export interface LabCounts {
  /** Transactions that ended, completed or not. */
  ended: number;
  completed: number;
  /** Of the completed ones, those that had a redraw. */
  with_redraw: number;
  /** Of the ended ones, those without all their results. */
  ended_missing: number;
  /** redraw_available to the redraw order's first completed event (hours). */
  redraw_results: Spread;
  /** Summed over their follow-ups' causing order's missing results. */
  failure_types: Record<string, number>;
}

/** One lab's booking counts, before the percentiles. */
export interface BookingCounts {
  redraws: number;
  booked: number;
  booked_here: number;
  booked_then_drawn: number;
  appointment_missed: number;
  /** Offer to first booking, hours, over the booked. */
  to_booking: Spread;
}

const BOOKING_COUNT_FIELDS = ['redraws', 'booked', 'booked_here', 'booked_then_drawn', 'appointment_missed'] as const;

/** A redraw follow-up's counts start here. */
export function emptyBookingCounts(): BookingCounts {
  return { redraws: 0, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, to_booking: EMPTY_SPREAD };
}

export function addBookingCounts(a: BookingCounts, b: BookingCounts): BookingCounts {
  return { ...addFields(a, b, BOOKING_COUNT_FIELDS), to_booking: addSpreads(a.to_booking, b.to_booking) };
}

/** By lab, added. */
export function addBookingsByLab(a: Readonly<Record<string, BookingCounts>>, b: Readonly<Record<string, BookingCounts>>): Record<string, BookingCounts> {
  const sum: Record<string, BookingCounts> = { ...a };
  for (const [lab, counts] of Object.entries(b)) sum[lab] = addBookingCounts(sum[lab] ?? emptyBookingCounts(), counts);
  return sum;
}

/** Everything of a report that its window's facts add up to. */
export interface ReportCounts {
  opened: number;
  by_disposition: Record<string, number>;
  /**
   * People's closes by actor (`closed_by`; the tracker's own left out). Counted
   * from the release that added it: a unit built before it reads as {} (see
   * core/report-closers.ts for when the count may be claimed).
   */
  closed_by: Record<string, number>;
  /** The name an EHR gave each of them on their latest close (core/report-closers.ts); a unit built before issue 84 reads as {}. */
  closer_names: Record<string, CloserName>;
  redraw_order: Spread;
  acknowledge: Spread;
  close: Spread;
  walk_in_completed: number;
  with_redraw: number;
  ended_missing: Record<EndedMissing, number>;
  /** By `labKey(lab, method)`. */
  by_lab: Record<string, LabCounts>;
  /**
   * The redraw follow-ups opened in the window, by their initial order's lab, and
   * their bookings as of now (CONTRACT §14 "The report"; core/report-bookings.ts).
   * Counted from the release that added it: a unit built before it reads as {}.
   */
  bookings: Record<string, BookingCounts>;
  /** First bookings made in the window (by their time), hours from the redraw offer to each. */
  first_bookings: Spread;
}

export function emptyCounts(): ReportCounts {
  return {
    opened: 0,
    by_disposition: {},
    closed_by: {},
    closer_names: {},
    redraw_order: EMPTY_SPREAD,
    acknowledge: EMPTY_SPREAD,
    close: EMPTY_SPREAD,
    walk_in_completed: 0,
    with_redraw: 0,
    ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
    by_lab: {},
    bookings: {},
    first_bookings: EMPTY_SPREAD,
  };
}

export function emptyLabCounts(): LabCounts {
  return { ended: 0, completed: 0, with_redraw: 0, ended_missing: 0, redraw_results: EMPTY_SPREAD, failure_types: {} };
}

/** The key of a lab and method in `by_lab`: their codes, which never hold a space. */
export function labKey(lab: string, method: string): string {
  return `${lab} ${method}`;
}

export function parseLabKey(key: string): { lab: string; method: string } {
  const cut = key.indexOf(' ');
  return { lab: key.slice(0, cut), method: key.slice(cut + 1) };
}

export function addLabCounts(a: LabCounts, b: LabCounts): LabCounts {
  return {
    ...addFields(a, b, ['ended', 'completed', 'with_redraw', 'ended_missing']),
    redraw_results: addSpreads(a.redraw_results, b.redraw_results),
    failure_types: addCounts(a.failure_types, b.failure_types),
  };
}

export function addReportCounts(a: ReportCounts, b: ReportCounts): ReportCounts {
  const byLab: Record<string, LabCounts> = { ...a.by_lab };
  for (const [key, counts] of Object.entries(b.by_lab)) byLab[key] = addLabCounts(byLab[key] ?? emptyLabCounts(), counts);
  return {
    opened: a.opened + b.opened,
    by_disposition: addCounts(a.by_disposition, b.by_disposition),
    closed_by: addCounts(a.closed_by, b.closed_by),
    closer_names: addCloserNames(a.closer_names, b.closer_names),
    redraw_order: addSpreads(a.redraw_order, b.redraw_order),
    acknowledge: addSpreads(a.acknowledge, b.acknowledge),
    close: addSpreads(a.close, b.close),
    walk_in_completed: a.walk_in_completed + b.walk_in_completed,
    with_redraw: a.with_redraw + b.with_redraw,
    ended_missing: addFields(a.ended_missing, b.ended_missing, ENDED_MISSING),
    by_lab: byLab,
    bookings: addBookingsByLab(a.bookings, b.bookings),
    first_bookings: addSpreads(a.first_bookings, b.first_bookings),
  };
}
