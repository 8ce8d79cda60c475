/**
 * What kind of value each column of a CSV holds (CONTRACT §12: "one kind of
 * value per column", times as `YYYY-MM-DD HH:MM`, numbers as numbers, an
 * empty cell for none): a regex per kind, and a check that every header has
 * a kind and every cell of its column matches it. For the tests that read a
 * download or the CLI's `--csv` back (test/support/csv-parse.ts) and hold it
 * to its types (test/unit/console/worklist-csv.test.ts,
 * test/unit/console/report-tables.test.ts, test/browser/console-csv.test.ts).
 */
import { expect } from 'vitest';

const orEmpty = (kind: RegExp): RegExp => new RegExp(`^(?:${kind.source.replace(/^\^|\$$/g, '')})?$`);

export const KIND = {
  integer: /^\d+$/,
  integerOrEmpty: /^(\d+)?$/,
  number: /^\d+(\.\d+)?$/,
  numberOrEmpty: /^(\d+(\.\d+)?)?$/,
  /** A percentage, one decimal at most. */
  percentOrEmpty: /^(\d{1,3}(\.\d)?)?$/,
  /** A time in whole minutes (no seconds, no "T", no zone letter). */
  minute: /^\d{4}-\d\d-\d\d \d\d:\d\d$/,
  minuteOrEmpty: orEmpty(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
  day: /^\d{4}-\d\d-\d\d$/,
  /** An API code: lower-case words joined by `_` (a bucket's may start with a digit). */
  code: /^[a-z0-9]+(_[a-z0-9]+)*$/,
  codeOrEmpty: /^([a-z0-9]+(_[a-z0-9]+)*)?$/,
  /** An id as the API gives it. */
  id: /^[A-Za-z0-9_-]+$/,
  idOrEmpty: /^[A-Za-z0-9_-]*$/,
  /** A lab's code. */
  labOrEmpty: /^([a-z0-9][a-z0-9_-]*)?$/,
  /** A handle (§9's characters), one stored before the handle rule escaped with its `'`; empty for none. */
  handleOrEmpty: /^('?[=+@-])?[A-Za-z0-9._:@=+/-]*$/,
  /** Words for a person, never a number or a time alone. */
  words: /^[A-Za-z][^\r\n]*$/,
  wordsOrEmpty: /^([A-Za-z][^\r\n]*)?$/,
} as const;

/** A time's twin column without its zone (`due_local_america_new_york` -> `due_local`): a kind named either way fits any zone. */
const zoneless = (column: string): string => column.replace(/_local_[a-z0-9_]+$/, '_local');

/** Every column of `rows` (a header row first) has a kind in `kinds` and every cell matches it; each row as long as the header. */
export function expectColumnKinds(rows: readonly (readonly string[])[], kinds: Readonly<Record<string, RegExp>>, what = 'csv'): void {
  const [header, ...body] = rows;
  const byColumn = new Map(Object.entries(kinds).map(([column, kind]) => [zoneless(column), kind]));
  expect(header, `${what}: a header row`).toBeDefined();
  expect([...header!].map(zoneless).sort(), `${what}: a kind for every column`).toEqual([...byColumn.keys()].sort());
  for (const [index, cells] of body.entries()) {
    expect(cells, `${what} row ${index + 1}`).toHaveLength(header!.length);
    header!.forEach((column, at) => expect(cells[at], `${what} row ${index + 1} ${column}`).toMatch(byColumn.get(zoneless(column))!));
  }
}

const RATE = { with: KIND.integer, of: KIND.integer, rate: KIND.percentOrEmpty, rate_low: KIND.percentOrEmpty, rate_high: KIND.percentOrEmpty };
const PERCENT_THREE = (name: string) => ({ [`${name}_percent`]: KIND.percentOrEmpty, [`${name}_percent_low`]: KIND.percentOrEmpty, [`${name}_percent_high`]: KIND.percentOrEmpty });

/** Each report table's columns and their kinds, by the table's name (the file's and the CLI's `--table`). */
export const REPORT_KINDS: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  counts: { measure: KIND.code, what: KIND.words, count: KIND.integerOrEmpty, ...RATE, with: KIND.integerOrEmpty, of: KIND.integerOrEmpty },
  'ended-missing': { how: KIND.codeOrEmpty, what: KIND.words, transactions: KIND.integer },
  durations: { measure: KIND.code, what: KIND.words, n: KIND.integer, p50_hours: KIND.numberOrEmpty, p90_hours: KIND.numberOrEmpty },
  aging: { bucket: KIND.code, what: /^[0-9a-z][0-9a-z -]* days$/, days_open_min: KIND.integer, days_open_max: KIND.integerOrEmpty, open_follow_ups: KIND.integer },
  'closes-by-person': { actor: KIND.handleOrEmpty, actor_display: KIND.wordsOrEmpty, closed: KIND.integer, counted_since_utc: KIND.minuteOrEmpty, counted_since_local: KIND.minuteOrEmpty, partial: /^(true|false)$/ },
  ...Object.fromEntries(
    ['labs-ranked', 'labs-too-few', 'labs-zero'].map((name) => [
      name,
      { lab: KIND.labOrEmpty, lab_name: KIND.wordsOrEmpty, method: KIND.code, ...RATE, ended_missing: KIND.integer, time_to_redraw_results_n: KIND.integer, time_to_redraw_results_p50_hours: KIND.numberOrEmpty, time_to_redraw_results_p90_hours: KIND.numberOrEmpty },
    ]),
  ),
  'failure-types': { lab: KIND.labOrEmpty, lab_name: KIND.wordsOrEmpty, method: KIND.code, failure_type: KIND.code, failure_type_words: KIND.words, missing_markers: KIND.integer },
  'bookings-by-lab': {
    lab: KIND.labOrEmpty,
    lab_name: KIND.wordsOrEmpty,
    redraws: KIND.integer,
    booked: KIND.integer,
    ...PERCENT_THREE('booked'),
    booked_here: KIND.integer,
    booked_then_drawn: KIND.integer,
    ...PERCENT_THREE('drawn'),
    appointment_missed: KIND.integer,
    time_to_booking_n: KIND.integer,
    time_to_booking_p50_hours: KIND.numberOrEmpty,
    time_to_booking_p90_hours: KIND.numberOrEmpty,
  },
  weeks: { week_of: KIND.day, last_day: KIND.day, opened: KIND.integer, closed: KIND.integer },
};

/** The worklist CSV's columns and their kinds, for an open queue or the Closed one, the times' twins in `zoneColumn` ("america_new_york"). */
export function worklistKinds(closed: boolean, zoneColumn: string): Record<string, RegExp> {
  const times = (closed ? ['closed', 'opened', 'acknowledged'] : ['stale_since', 'due', 'snoozed_until', 'opened', 'acknowledged']).flatMap((time) => [`${time}_utc`, `${time}_local_${zoneColumn}`]);
  const middle: Record<string, RegExp> = closed
    ? { disposition: KIND.code, closed_by: KIND.handleOrEmpty }
    : { state: /^(new|acknowledged|snoozed)$/, attention: KIND.codeOrEmpty, ehr_attention: KIND.codeOrEmpty, stale_reason: KIND.codeOrEmpty, snooze_reason: KIND.codeOrEmpty };
  return {
    follow_up_id: KIND.id,
    transaction_id: KIND.idOrEmpty,
    order_id: KIND.idOrEmpty,
    order_kind: /^(redraw|initial)?$/,
    ...middle,
    owner: KIND.handleOrEmpty,
    contact_attempts: KIND.integer,
    ...Object.fromEntries(times.map((column) => [column, KIND.minuteOrEmpty])),
  };
}
