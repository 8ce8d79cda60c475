/**
 * Every table of the Report page (CONTRACT §11, §12) as data for a
 * spreadsheet: what the page's CSV downloads hold and what the CLI's `report
 * --csv` prints, built from the API's answer (never read from the page). A
 * CSV is not the page's words (§12): one kind of value per column, codes as
 * the API gives them beside a column of words where a row needs naming
 * (`measure`, `what`), counts, rates in percent with the 95% Wilson
 * interval's ends in columns of their own (`with`, `of`, `rate`, `rate_low`,
 * `rate_high`), durations as `n`, `p50_hours`, `p90_hours`, days as
 * `YYYY-MM-DD`, and an empty cell for none (never "-" or "None"). The bookings
 * by lab are in report-bookings.ts. Pure: no DOM.
 *
 * A table the page adds gets its CSV by a function here returning a CsvTable,
 * listed in reportCsvTables in the page's order, and passed to its DataTable
 * as `csv`; its file is named by the Report page's window (CsvWindow).
 */
import type { CsvTable, CsvValue } from '../../../functions/core/csv';
import { labName } from '../../../functions/core/lab-names';
import { failureTypeWords } from '../../../functions/core/missing-words';
import { bookingsTable, noRedraws } from './report-bookings';
import { closesByPersonTable } from './closers-table';
import type { ByLabRow, ReportDoc } from './report-doc';
import { ENDED_MISSING_WORDS, endedMissingTotal, failureRows, failureTypeRows, groupLabRows } from './report-labs';
import { weekLabel, type WeekCounts } from './report-weeks';
import { formDates } from './report-window';
import { AGING_BUCKETS, dispositionRows, dispositionWords, isTrackerDisposition, type AgingKey, type Durations } from './report-words';
import { percentNumber, wilsonInterval } from './wilson';

/** "2026-10-31-to-2026-11-28": a report's window as its files' names say it (its first and last days in its zone); null for a window that is none. */
export function windowFileTail(report: Pick<ReportDoc, 'from' | 'to'>, timeZone: string): string | null {
  const dates = formDates(report, timeZone);
  return dates === null ? null : `${dates.from}-to-${dates.to}`;
}

/** The counts of now under "Open now", each toned when above zero. */
export const NOW_ROWS = [
  { words: 'Stale now', key: 'stale_now', tone: 'tone-danger' },
  { words: 'Unassigned now', key: 'unassigned_now', tone: 'tone-warning' },
  { words: 'Redraw failed now', key: 'redraw_failed_now', tone: 'tone-danger' },
  { words: 'Incomplete redraw now', key: 'results_still_missing_now', tone: 'tone-danger' },
  { words: 'Result missing without a redraw now', key: 'no_redraw_now', tone: 'tone-danger' },
] as const;

/** The closed ones' durations, from opening. */
export const DURATION_ROWS = [
  { words: 'To a redraw order', key: 'time_to_redraw_order_hours' },
  { words: 'To an acknowledgement', key: 'time_to_acknowledge_hours' },
  { words: 'To close', key: 'time_to_close_hours' },
] as const;

/** "Closed as patient unreachable (by people)": a disposition's row of the counts. */
export function dispositionRowWords(disposition: string): string {
  return `Closed as ${dispositionWords(disposition)} (${isTrackerDisposition(disposition) ? 'by the tracker' : 'by people'})`;
}

/** The rate columns, after the code and words of a row. */
export const RATE_COLUMNS = ['with', 'of', 'rate', 'rate_low', 'rate_high'] as const;

/** A rate's cells: `with`, `of`, the rate in percent (one decimal) and its 95% Wilson interval's ends; the last three empty with `of` 0. */
export function rateCells(withRedraw: number, of: number): CsvValue[] {
  const interval = wilsonInterval(withRedraw, of);
  return interval === null ? [withRedraw, of, '', '', ''] : [withRedraw, of, percentNumber(withRedraw / of), percentNumber(interval.low), percentNumber(interval.high)];
}

/** The counts: a row per count (its code, its words, the count), then the redraw rate, whose count is empty and whose rate columns are filled. */
export function countsTable(report: ReportDoc): CsvTable {
  const count = (measure: string, what: string, n: number): CsvValue[] => [measure, what, n, '', '', '', '', ''];
  return {
    name: 'counts',
    header: ['measure', 'what', 'count', ...RATE_COLUMNS],
    rows: [
      count('opened', 'Opened', report.opened),
      count('closed', 'Closed', report.closed),
      count('closed_by_people', 'Closed by people', report.closed_by_people),
      count('closed_by_tracker', 'Closed by the tracker', report.closed_by_tracker),
      ...dispositionRows(report.by_disposition).map(([disposition, n]) => count(`closed_as_${disposition}`, dispositionRowWords(disposition), n)),
      count('open_now', 'Open now', report.open_now),
      ...NOW_ROWS.map(({ words, key }) => count(key, words, report[key])),
      ['redraw_rate', 'Redraw rate: completed walk-in transactions with a redraw, of those completed', '', ...rateCells(report.with_redraw, report.walk_in_completed)],
    ],
  };
}

/** Transactions that ended without all their results: the total (`how` empty), then by how (its code). */
export function endedMissingTable(report: ReportDoc): CsvTable {
  return {
    name: 'ended-missing',
    header: ['how', 'what', 'transactions'],
    rows: [['', 'Ended without all results', endedMissingTotal(report.ended_missing)], ...ENDED_MISSING_WORDS.map(({ key, words }) => [key, words, report.ended_missing[key]])],
  };
}

/** A duration's cells: how many it counts, its p50 and p90 in hours (empty for none). */
export function durationCells(durations: Durations): CsvValue[] {
  return [durations.n, durations.p50 ?? '', durations.p90 ?? ''];
}

/** The closed ones' durations: a row per measure (its code without `_hours`, its words). */
export function durationsTable(report: ReportDoc): CsvTable {
  return {
    name: 'durations',
    header: ['measure', 'what', 'n', 'p50_hours', 'p90_hours'],
    rows: DURATION_ROWS.map(({ words, key }) => [key.replace(/_hours$/, ''), `From opening ${words.charAt(0).toLowerCase()}${words.slice(1)}`, ...durationCells(report[key])]),
  };
}

/** The aging buckets' bounds in whole days open (the last one has no top). */
const BUCKET_DAYS: Record<AgingKey, [number, number | '']> = { '0_7': [0, 7], '8_14': [8, 14], '15_30': [15, 30], over_30: [31, ''] };

/** The open follow-ups by days open: the bucket's code (the worklist's `age`), its words, its bounds, the count. */
export function agingTable(aging: ReportDoc['aging_now']): CsvTable {
  return {
    name: 'aging',
    header: ['bucket', 'what', 'days_open_min', 'days_open_max', 'open_follow_ups'],
    rows: AGING_BUCKETS.map((bucket) => [bucket.key, bucket.label, ...BUCKET_DAYS[bucket.key], aging[bucket.key]]),
  };
}

/**
 * The follow-ups opened and closed per week: the week's Monday and its last
 * day counted (`YYYY-MM-DD`, days in the report's zone: the Sunday, or the
 * day the current week was read), the counts. The file is named by the weeks'
 * span, not the report's window.
 */
export function weeksTable(weeks: readonly Pick<WeekCounts, 'from' | 'to' | 'opened' | 'closed'>[], timeZone: string): CsvTable {
  const lastDay = (to: string) => weekLabel(new Date(Date.parse(to) - 1), timeZone);
  const first = weeks[0];
  const last = weeks.at(-1);
  return {
    name: 'weeks',
    header: ['week_of', 'last_day', 'opened', 'closed'],
    rows: weeks.map((week) => [weekLabel(week.from, timeZone), lastDay(week.to), week.opened, week.closed]),
    ...(first === undefined || last === undefined ? {} : { fileTail: `${weekLabel(first.from, timeZone)}-to-${lastDay(last.to)}` }),
  };
}

export const LAB_COLUMNS = ['Lab', 'Method', 'Redraw rate (with a redraw of completed)', '95% interval', 'Ended without all results', "Time to the redraw's results"] as const;

/** The lab's code and its name in words ('' for a code without a known name). */
export const labCodeCells = (lab: string): CsvValue[] => [lab, labName(lab) ?? ''];

/** One group of the by-lab rows (labs-ranked, labs-too-few, labs-zero): the lab, the method's code, the rate, the ended, the time to the redraw's results. */
export function labTable(name: string, rows: readonly ByLabRow[]): CsvTable {
  return {
    name,
    header: ['lab', 'lab_name', 'method', ...RATE_COLUMNS, 'ended_missing', 'time_to_redraw_results_n', 'time_to_redraw_results_p50_hours', 'time_to_redraw_results_p90_hours'],
    rows: rows.map((row) => [...labCodeCells(row.lab), row.method, ...rateCells(row.with_redraw, row.completed), row.ended_missing, ...durationCells(row.time_to_redraw_results_hours)]),
  };
}

/** The failure types' table, of the rows failureRows keeps (a failure type counted): the type's code and words, the missing markers. */
export function failureTypesTable(rows: readonly ByLabRow[]): CsvTable {
  return {
    name: 'failure-types',
    header: ['lab', 'lab_name', 'method', 'failure_type', 'failure_type_words', 'missing_markers'],
    rows: rows.flatMap((row) => failureTypeRows(row.failure_types).map(([type, n]) => [...labCodeCells(row.lab), row.method, type, failureTypeWords(type), n])),
  };
}

/**
 * The report's tables in the page's order, those the page shows only: the by-lab
 * groups that have rows, the failure types when one was counted, the bookings by lab
 * when a redraw opened in the window (its CSV data only, one kind of value per column:
 * report-bookings.ts), the weeks once read.
 */
export function reportCsvTables(report: ReportDoc, weeks: readonly WeekCounts[] | null): CsvTable[] {
  const { ranked, tooFew, zero } = groupLabRows(report.by_lab);
  const withFailures = failureRows(report.by_lab);
  const bookings = bookingsTable(report.bookings_by_lab);
  const labs = [labTable('labs-ranked', ranked), labTable('labs-too-few', tooFew), labTable('labs-zero', zero)].filter((table) => table.rows.length > 0);
  return [
    countsTable(report),
    endedMissingTable(report),
    durationsTable(report),
    agingTable(report.aging_now),
    ...(report.closes_by_person !== null && report.closes_by_person.length > 0 ? [closesByPersonTable(report)] : []),
    ...labs,
    ...(withFailures.length > 0 ? [failureTypesTable(withFailures)] : []),
    ...(bookings.rows.length > 0 && !noRedraws(report.bookings_by_lab) ? [bookings] : []),
    ...(weeks === null ? [] : [weeksTable(weeks, report.time_zone)]),
  ];
}
