/**
 * A report table's CSV held to the table the Report page shows (CONTRACT §12):
 * the CSV is data (codes, counts, numbers), the page words, so each row of
 * data must give the words of the row shown beside it (the page's own
 * functions make the words: report-words.ts, report-labs.ts). For
 * test/browser/console-csv.test.ts, which reads both from Chromium.
 */
import { expect } from 'vitest';
import { labWords } from '../../console/src/report/report-labs';
import { durationsWords } from '../../console/src/report/report-words';

type Rows = readonly (readonly string[])[];

/** `rows` (the CSV's, a header first) as records by column. */
function records(rows: Rows): Record<string, string>[] {
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries(header!.map((column, index) => [column, cells[index] ?? ''])));
}

const hours = (cell: string | undefined): number | null => (cell === '' || cell === undefined ? null : Number(cell));
const durations = (row: Record<string, string>, prefix = '') => durationsWords({ n: Number(row[`${prefix}n`]), p50: hours(row[`${prefix}p50_hours`]), p90: hours(row[`${prefix}p90_hours`]) });

/** The counts: each count's words and number as a row shows them; the redraw rate's numbers in its words. */
function expectCounts(data: Record<string, string>[], shown: Rows): void {
  const cellOf = (what: string) => shown.find((row) => row[0] === what)?.[1];
  for (const row of data) {
    if (row.measure === 'closed_by_people') expect(cellOf('Closed')).toContain(`by people ${row.count}`);
    else if (row.measure === 'closed_by_tracker') expect(cellOf('Closed')).toContain(`by the tracker ${row.count}`);
    else if (row.measure === 'redraw_rate') expect(cellOf('Redraw rate')).toMatch(new RegExp(`^${row.rate}% \\(${row.with} of ${row.of} .*; 95% interval ${row.rate_low} to ${row.rate_high}%$`));
    else expect(cellOf(row.what!)?.split(' ')[0], row.measure).toBe(row.count);
  }
}

/** What the page shows of a row of data, cell by cell, for the tables whose rows are one to one. */
const SHOWN_WORDS: Record<string, (row: Record<string, string>) => string[]> = {
  'ended-missing': (row) => [row.how === '' ? row.what! : `${row.what} (${row.how})`, row.transactions!],
  durations: (row) => [`${row.what!.replace(/^From opening t/, 'T')}`, durations(row)],
  aging: (row) => [row.what!, row.open_follow_ups!],
  lab: (row) => [labWords(row.lab!), row.method!.replaceAll('_', ' '), row.rate === '' ? 'no completions' : `${row.rate}% (${row.with} of ${row.of})`, row.rate === '' ? '-' : `${row.rate_low} to ${row.rate_high}%`, row.ended_missing!, durations(row, 'time_to_redraw_results_')],
  'failure-types': (row) => [`${row.failure_type_words} (${row.failure_type})`, row.missing_markers!],
  weeks: (row) => [row.week_of!, row.opened!, row.closed!],
};

/** Holds the CSV of the report table `name` to the table `shown` (its header row first), row by row. */
export function expectReportValues(name: string, rows: Rows, shown: Rows): void {
  const data = records(rows);
  if (name === 'counts') return expectCounts(data, shown);
  // The bookings are held to their words by the test itself; the closes by person by their own.
  expect(data.length, `${name}: the rows shown`).toBe(shown.length - 1);
  const words = SHOWN_WORDS[name.startsWith('labs-') ? 'lab' : name];
  if (words === undefined) return;
  data.forEach((row, index) => {
    const cells = shown[index + 1]!;
    const expected = words(row);
    // The failure types' first cell names the lab and method; the weeks' says "(this week, so far)" after the Monday.
    const actual = name === 'failure-types' ? cells.slice(1) : name === 'weeks' ? [cells[0]!.slice(0, 10), ...cells.slice(1)] : cells;
    expect(actual, `${name} row ${index + 1}`).toEqual(expected);
  });
}
