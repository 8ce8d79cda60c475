/**
 * Every table of the Report page (CONTRACT §11, §12) as rows of cells, each
 * cell the text the page shows in it: what the page's CSV downloads hold and
 * what the CLI's `report --csv` prints, built from the API's answer (never
 * read from the page). The page's tables say the same words through the same
 * functions (report-words.ts, report-labs.ts); the browser test holds each
 * download to its table cell by cell. The bookings by lab are the exception
 * (report-bookings.ts): their CSV holds the data under the words, one kind of
 * value per column (CONTRACT §12), the browser test holding each shown cell to
 * the words its columns give. Pure: no DOM.
 *
 * A table the page adds gets its CSV by a function here returning a CsvTable
 * (its `header` the table's column headings), listed in reportCsvTables in
 * the page's order, and passed to its DataTable as `csv`.
 */
import type { CsvTable } from '../../../functions/core/csv';
import { failureTypeWords } from '../../../functions/core/missing-words';
import { bookingsTable, noRedraws } from './report-bookings';
import { closesByPersonTable } from './closers-table';
import type { ByLabRow, ReportDoc } from './report-doc';
import { ENDED_MISSING_WORDS, endedMissingTotal, failureRows, failureTypeRows, groupLabRows, labRowName, labWords, methodWords, rateWords, rowIntervalWords } from './report-labs';
import { weekLabel, type WeekCounts } from './report-weeks';
import { AGING_BUCKETS, dispositionRows, dispositionWords, durationsWords, isTrackerDisposition, redrawRateWords } from './report-words';
import { intervalPercentWords, wilsonInterval } from './wilson';

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

/** "12.5% (3 of 24 ...); 95% interval 4.3 to 31%": the redraw rate's cell. */
export function redrawRateCellWords(report: Pick<ReportDoc, 'with_redraw' | 'walk_in_completed'>): string {
  const interval = wilsonInterval(report.with_redraw, report.walk_in_completed);
  return `${redrawRateWords(report)}${interval === null ? '' : `; 95% interval ${intervalPercentWords(interval)}`}`;
}

export function countsTable(report: ReportDoc): CsvTable {
  return {
    name: 'counts',
    header: ['What', 'Count'],
    rows: [
      ['Opened', report.opened],
      ['Closed', `${report.closed} (by people ${report.closed_by_people}, by the tracker ${report.closed_by_tracker})`],
      ...dispositionRows(report.by_disposition).map(([disposition, n]) => [dispositionRowWords(disposition), n]),
      ['Open now', report.open_now],
      ...NOW_ROWS.map(({ words, key }) => [words, report[key]]),
      ['Redraw rate', redrawRateCellWords(report)],
    ],
  };
}

export function endedMissingTable(report: ReportDoc): CsvTable {
  return {
    name: 'ended-missing',
    header: ['How it ended', 'Transactions'],
    rows: [['Ended without all results', endedMissingTotal(report.ended_missing)], ...ENDED_MISSING_WORDS.map(({ key, words }) => [`${words} (${key})`, report.ended_missing[key]])],
  };
}

export function durationsTable(report: ReportDoc): CsvTable {
  return { name: 'durations', header: ['From opening', 'Time taken'], rows: DURATION_ROWS.map(({ words, key }) => [words, durationsWords(report[key])]) };
}

export function agingTable(aging: ReportDoc['aging_now']): CsvTable {
  return { name: 'aging', header: ['Days open', 'Open follow-ups'], rows: AGING_BUCKETS.map((bucket) => [bucket.label, aging[bucket.key]]) };
}

/** "2026-11-16 (this week, so far)": a week's row heading. */
export function weekRowWords(week: Pick<WeekCounts, 'from' | 'current'>, timeZone: string): string {
  return `${weekLabel(week.from, timeZone)}${week.current ? ' (this week, so far)' : ''}`;
}

export function weeksTable(weeks: readonly Pick<WeekCounts, 'from' | 'current' | 'opened' | 'closed'>[], timeZone: string): CsvTable {
  return { name: 'weeks', header: ['Week of', 'Opened', 'Closed'], rows: weeks.map((week) => [weekRowWords(week, timeZone), week.opened, week.closed]) };
}

export const LAB_COLUMNS = ['Lab', 'Method', 'Redraw rate (with a redraw of completed)', '95% interval', 'Ended without all results', "Time to the redraw's results"] as const;

/** One group of the by-lab rows (labs-ranked, labs-too-few, labs-zero). */
export function labTable(name: string, rows: readonly ByLabRow[]): CsvTable {
  return {
    name,
    header: LAB_COLUMNS,
    rows: rows.map((row) => [labWords(row.lab), methodWords(row.method), rateWords(row), rowIntervalWords(row), row.ended_missing, durationsWords(row.time_to_redraw_results_hours)]),
  };
}

/** "not enough sample (quantity_not_sufficient_failure)": a failure type's cell. */
export function failureTypeCellWords(type: string): string {
  return `${failureTypeWords(type)} (${type})`;
}

/** The failure types' table, of the rows failureRows keeps (a failure type counted). */
export function failureTypesTable(rows: readonly ByLabRow[]): CsvTable {
  return {
    name: 'failure-types',
    header: ['Lab and method', 'Failure type', 'Missing markers'],
    rows: rows.flatMap((row) => failureTypeRows(row.failure_types).map(([type, n]) => [labRowName(row), failureTypeCellWords(type), n])),
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
