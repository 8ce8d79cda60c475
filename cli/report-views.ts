/**
 * The redraw report (CONTRACT §11, GET /reports/redraws) as the CLI reads it
 * and shows it to people: the window the options mean, the weeks of the chart,
 * and the lines of `report` (counts, durations, the redraw rate, the aging
 * buckets as bars, the weekly opened/closed counts as a chart). Plain
 * characters only; colour comes from the Printer (a terminal without NO_COLOR).
 * docs/reports.md shows this renderer's output, compared by a test.
 */
import * as z from 'zod';
import { calendarDateOf, isoDate, shiftWeeks, weekStart } from '../functions/core/calendar';
import { hoursWords } from '../functions/core/digest-words';
import { endedMissingParts, endedMissingTotal } from '../functions/core/digest-labs';
import type { AgingBuckets, ByLab, Durations, RedrawReport } from '../functions/core/report';
import { parseReportWindow, weeksOf, type ReportWeek, type ReportWindow } from '../functions/core/report-window';
import { bookingsLines, type BookingsRead } from './report-bookings-view';
import { closersLines } from './report-closers-view';
import { usageError } from './errors';
import { visibleWidth, type Printer } from './format';

const DAY_MS = 86_400_000;
/** How many weeks the chart may show (one report call each). */
export const MAX_WEEKS = 52;
export const DEFAULT_WEEKS = 4;

const DurationsView = z.object({ n: z.number(), p50: z.number().nullable(), p90: z.number().nullable() }).loose();

/**
 * The report document (functions/core/report.ts); loose, so a field the API adds
 * later reaches --json untouched. What it parses is a RedrawReport (reportLines takes one).
 */
export const ReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    opened: z.number(),
    closed: z.number(),
    by_disposition: z.record(z.string(), z.number()),
    open_now: z.number(),
    stale_now: z.number(),
    unassigned_now: z.number(),
    aging_now: z.object({ '0_7': z.number(), '8_14': z.number(), '15_30': z.number(), over_30: z.number() }).loose(),
    time_to_redraw_order_hours: DurationsView,
    time_to_acknowledge_hours: DurationsView,
    time_to_close_hours: DurationsView,
    walk_in_completed: z.number(),
    with_redraw: z.number(),
    // Issue 48 (CONTRACT §11); absent from an older tracker, which read as none.
    ended_missing: z.object({ results_still_missing: z.number(), no_redraw: z.number(), redraw_failed: z.number() }).default({ results_still_missing: 0, no_redraw: 0, redraw_failed: 0 }),
    by_lab: z
      .array(
        z.object({
          lab: z.string(),
          method: z.string(),
          completed: z.number(),
          with_redraw: z.number(),
          redraw_rate: z.number().nullable(),
          ended_missing: z.number(),
          time_to_redraw_results_hours: DurationsView,
          failure_types: z.record(z.string(), z.number()),
        }),
      )
      .default([]),
    // Issue 73 (CONTRACT §11); absent from an older tracker (left absent: --json is the API's document), read as not counted.
    closes_by_person: z.array(z.object({ actor: z.string(), actor_display: z.string().nullable().optional(), closed: z.number() })).nullable().optional(),
    closes_counted_since: z.string().nullable().optional(),
    // Issue 84: whether the count misses some of the window's closes; absent from an older tracker (left absent).
    closes_partial: z.boolean().nullable().optional(),
    // Extensions a tracker older than this CLI may not send yet.
    time_zone: z.string().default('UTC'),
    closed_by_people: z.number().default(0),
    closed_by_tracker: z.number().default(0),
    redraw_failed_now: z.number().default(0),
    // Per attention (issue 46); absent from an older tracker, whose redraw_failed_now says the one it knows.
    attention_now: z.object({ redraw_failed: z.number(), results_still_missing: z.number(), no_redraw: z.number() }).optional(),
  })
  .loose();
export type ReportView = z.output<typeof ReportView>;

/** The other attentions' open counts (issue 46), each a person's decision; none from an older tracker. */
function attentionRows(counts: ReportView['attention_now'], out: Printer): [string, string][] {
  if (counts === undefined) return [];
  return ([
    ['  incomplete redraw now', counts.results_still_missing],
    ['  missing, no redraw, now', counts.no_redraw],
  ] as const).map(([label, n]): [string, string] => [label, out.style(n > 0 ? 'red' : 'dim', String(n))]);
}

/** One bar pair of the chart: a week's window and what the report said of it. */
export interface WeekCounts {
  from: string;
  to: string;
  /** The window cuts this week (it does not run Monday 00:00 to Monday 00:00 in the report's zone). */
  partial: boolean;
  opened: number;
  closed: number;
}

/**
 * The report's window from `--from`/`--to`, by the API's own rule (core/report-window.ts
 * parseReportWindow: a date `to` is the end of that day; without `to`, now;
 * without `from`, DEFAULT_REPORT_DAYS (28) days before `to`), so that a bad window is a usage error
 * before any request and the CLI's window is the one the API reports.
 */
export function reportWindow(fromText: string | undefined, toText: string | undefined, now: Date): ReportWindow {
  const parsed = parseReportWindow({ from: fromText, to: toText }, now);
  if (parsed.kind === 'invalid') throw usageError(`report: ${parsed.message.replace(/(^|\s|\.\.)(from|to)(?=\s|\.\.|$)/g, '$1--$2')}`);
  return parsed.window;
}

/** `--weeks N`: a whole number from 1 to 52. */
export function parseWeeks(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_WEEKS) throw usageError(`report: --weeks must be a whole number from 1 to ${MAX_WEEKS}, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** A table `--by` prints alone: the one by lab and method, the bookings by lab (CONTRACT §14), or the closes by person (§11). */
export type ReportBy = 'lab' | 'bookings' | 'closers';

/** `--by`: "lab" (the by-lab table alone), "bookings" (the bookings by lab alone), "closers" (the closes by person alone), or absent (null: the whole report); any other value is a usage error. */
export function parseBy(text: string | undefined): ReportBy | null {
  if (text === undefined) return null;
  if (text !== 'lab' && text !== 'bookings' && text !== 'closers') {
    throw usageError(`report: --by must be lab (the table by lab and method), bookings (the bookings by lab) or closers (the closes by person), not ${JSON.stringify(text)}`);
  }
  return text;
}

/** `--format`: text or json (json is --json); whether the output is the API's document. */
export function parseFormat(text: string | undefined, json: boolean): boolean {
  if (text === undefined) return json;
  if (text !== 'text' && text !== 'json') throw usageError(`report: --format must be text or json, not ${JSON.stringify(text)}`);
  if (text === 'text' && json) throw usageError('report: --format text and --json ask for different outputs: use one');
  return text === 'json';
}

/**
 * The chart's weeks, oldest first, cut at Mondays 00:00 in the report's zone
 * (the digest's weeks, CONTRACT §11): `{window}` the weeks of that window (a
 * week it cuts is partial); `{weeks: N, end}` the N whole weeks before the one
 * `end` is in, then that week so far (partial).
 */
export function chartWeeks(cover: { window: ReportWindow } | { weeks: number; end: Date }, timeZone: string): ReportWeek[] {
  if ('window' in cover) return weeksOf(cover.window, timeZone);
  const from = shiftWeeks(weekStart(cover.end.getTime(), timeZone), -cover.weeks, timeZone);
  return weeksOf({ from, to: cover.end }, timeZone);
}

// ---------------------------------------------------------------------------
// Rendering

/** Hours as people read them, as the digest says them: "45 min", "12.5 h", in days from 48 hours ("3.2 days"). */
export function hours(value: number): string {
  return hoursWords(value);
}

/** `p50 12.5 h · p90 6.3 days (n 14)`, or `- (n 0)` when nothing was measured. */
export function durationsCell(durations: Durations): string {
  if (durations.n === 0 || durations.p50 === null || durations.p90 === null) return `- (n ${durations.n})`;
  return `p50 ${hours(durations.p50)} · p90 ${hours(durations.p90)} (n ${durations.n})`;
}

/** "6 (2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed)", or "0". */
export function endedMissingCell(counts: RedrawReport['ended_missing']): string {
  const total = endedMissingTotal(counts);
  return total === 0 ? '0' : `${total} (${endedMissingParts(counts, true)})`;
}

/** How many failure types a by-lab row names. */
export const TOP_FAILURE_TYPES = 2;

/** A by-lab row's failure types, the largest first (then by name), at most TOP_FAILURE_TYPES: "quantity_not_sufficient_failure 9, internal_lab_failure 4", or "-". */
export function topFailureTypesCell(failureTypes: Readonly<Record<string, number>>): string {
  const top = Object.entries(failureTypes)
    .filter(([, count]) => count > 0)
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_FAILURE_TYPES);
  return top.length === 0 ? '-' : top.map(([type, count]) => `${type} ${count}`).join(', ');
}

/** A by-lab row's redraw rate per 100 completed, one decimal ("22.9", "0.0"), or "-" with none completed. */
export function rateCell(rate: number | null): string {
  return rate === null ? '-' : rate.toFixed(1);
}

const BY_LAB_HEADER = ['LAB', 'METHOD', 'COMPLETED', 'WITH REDRAW', 'RATE', 'ENDED MISSING', 'TIME TO RESULTS', 'TOP FAILURE TYPES'] as const;
/** The columns of counts, aligned right. */
const BY_LAB_NUMBERS: ReadonlySet<number> = new Set([2, 3, 4, 5]);

/**
 * The by-lab table (CONTRACT §11 `by_lab`), its rows in the API's order
 * (highest rate first): a heading, then the header and a row per lab and
 * method, or a line saying no transaction ended.
 */
export function byLabLines(report: Pick<RedrawReport, 'by_lab'>, out: Printer): string[] {
  const heading = `${out.style('bold', 'By lab and method')} (transactions that ended in the window; RATE: with a redraw per 100 completed)`;
  if (report.by_lab.length === 0) return [heading, '  no transaction ended in the window'];
  const cells = report.by_lab.map((row: ByLab) => [
    row.lab,
    row.method,
    String(row.completed),
    String(row.with_redraw),
    rateCell(row.redraw_rate),
    row.ended_missing > 0 ? out.style('red', String(row.ended_missing)) : String(row.ended_missing),
    durationsCell(row.time_to_redraw_results_hours),
    topFailureTypesCell(row.failure_types),
  ]);
  const widths = BY_LAB_HEADER.map((title, column) => Math.max(title.length, ...cells.map((row) => visibleWidth(row[column]!))));
  const render = (row: readonly string[], header: boolean) =>
    `  ${row
      .map((cell, column) => {
        const room = ' '.repeat(widths[column]! - visibleWidth(cell));
        const shown = header ? out.style('bold', cell) : cell;
        if (column === row.length - 1) return shown;
        return BY_LAB_NUMBERS.has(column) && !header ? `${room}${shown}` : `${shown}${room}`;
      })
      .join('  ')}`.trimEnd();
  return [heading, render(BY_LAB_HEADER, true), ...cells.map((row) => render(row, false))];
}

/** with_redraw / walk_in_completed as a percentage with its numbers, or why there is none. */
export function redrawRateCell(report: Pick<RedrawReport, 'with_redraw' | 'walk_in_completed'>): string {
  if (report.walk_in_completed === 0) return '- (no walk-in transaction completed in the window)';
  const percent = Math.round((report.with_redraw / report.walk_in_completed) * 1000) / 10;
  return `${percent}% (${report.with_redraw} of ${report.walk_in_completed} completed walk-in transactions had a redraw)`;
}

/** A bar of `#` as long as `value` is of `max` at `width` characters; never empty for a count above 0. */
export function bar(value: number, max: number, width: number, mark = '#'): string {
  if (value <= 0 || max <= 0) return '';
  return mark.repeat(Math.max(1, Math.round((value / max) * width)));
}

const BAR_WIDTH = 30;
const WEEK_BAR_WIDTH = 20;

const AGING_LABELS: readonly [keyof AgingBuckets, string][] = [
  ['0_7', '0-7 days'],
  ['8_14', '8-14 days'],
  ['15_30', '15-30 days'],
  ['over_30', 'over 30 days'],
];

/** An instant of the report as a short UTC time, "2026-11-16 09:30Z"; with `dateAtMidnight`, the date alone at 00:00Z (a week's label). */
export function shortInstant(iso: string, dateAtMidnight = false): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return iso;
  const text = new Date(millis).toISOString();
  return dateAtMidnight && text.slice(11, 19) === '00:00:00' ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)}Z`;
}

function windowLength(from: string, to: string): string {
  const millis = Date.parse(to) - Date.parse(from);
  if (Number.isNaN(millis)) return '';
  const days = millis / DAY_MS;
  const rounded = Math.round(days * 10) / 10;
  return ` (${rounded} day${rounded === 1 ? '' : 's'})`;
}

/** Label/value rows, the labels padded to one width, two spaces in. */
function rows(entries: readonly [string, string][], out: Printer): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `  ${out.style(label.startsWith(' ') ? 'dim' : 'bold', label.padEnd(width))}  ${value}`.trimEnd());
}

/** The window's line: its instants, its length and the zone of its days and weeks. */
function windowLine(report: Pick<RedrawReport, 'from' | 'to' | 'time_zone'>): string {
  return `Window: ${shortInstant(report.from)} to ${shortInstant(report.to)}${windowLength(report.from, report.to)}; days and weeks (Monday to Sunday) in ${report.time_zone}`;
}

/** `report --by lab`: the title, the window and the by-lab table alone. */
export function byLabReportLines(report: RedrawReport, where: string, out: Printer): string[] {
  return [`${out.style('bold', 'Redraw report by lab and method')} on ${where}`, windowLine(report), '', ...byLabLines(report, out)];
}

/** The bookings by lab (cli/report-bookings-view.ts), their durations and instant as the report's others read. */
export function bookingsTableLines(bookings: BookingsRead, out: Printer): string[] {
  return bookingsLines(bookings, out, { durations: durationsCell, instant: (iso) => shortInstant(iso) });
}

/** `report --by bookings`: the title, the window and the bookings by lab alone. */
export function bookingsReportLines(report: RedrawReport, where: string, out: Printer, bookings: BookingsRead): string[] {
  return [`${out.style('bold', 'Redraw report: bookings by lab')} on ${where}`, windowLine(report), '', ...bookingsTableLines(bookings, out)];
}

/** `report --by closers`: the title, the window and the closes by person alone. */
export function closersReportLines(report: RedrawReport, where: string, out: Printer): string[] {
  return [`${out.style('bold', 'Redraw report: closes by person')} on ${where}`, windowLine(report), '', ...closersLines(report, out, (iso) => shortInstant(iso))];
}

/**
 * The whole `report` output for people: the window, the counts, the durations
 * and the redraw rate, the by-lab table, the bookings by lab (given them: what
 * the CLI read, and when), closes by person, the aging buckets as bars, and
 * (given weeks) the weekly opened/closed chart. `where` names the tracker
 * ("the local tracker at ...").
 */
export function reportLines(report: RedrawReport, weeks: readonly WeekCounts[] | null, where: string, out: Printer, bookings: BookingsRead | null = null): string[] {
  const lines: string[] = [];
  lines.push(`${out.style('bold', 'Redraw report')} on ${where}`);
  lines.push(windowLine(report));
  lines.push('');

  const dispositions = Object.entries(report.by_disposition)
    .filter(([, count]) => count > 0)
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  const count = (n: number) => String(n);
  lines.push(
    ...rows(
      [
        ['follow-ups opened', count(report.opened)],
        ['follow-ups closed', `${count(report.closed)} (by people ${report.closed_by_people}, by the tracker ${report.closed_by_tracker})`],
        ...dispositions.map(([disposition, n]): [string, string] => [`  ${disposition}`, count(n)]),
        ['open now', count(report.open_now)],
        ['  stale now', out.style(report.stale_now > 0 ? 'red' : 'dim', count(report.stale_now))],
        ['  unassigned now', out.style(report.unassigned_now > 0 ? 'yellow' : 'dim', count(report.unassigned_now))],
        ['  redraw failed now', out.style(report.redraw_failed_now > 0 ? 'red' : 'dim', count(report.redraw_failed_now))],
        ...attentionRows(report.attention_now, out),
        [`time taken by the ${report.closed} closed`, ''],
        ['  to a redraw order', `${durationsCell(report.time_to_redraw_order_hours)}  (n: those with a redraw order)`],
        ['  to an acknowledgement', `${durationsCell(report.time_to_acknowledge_hours)}  (n: those a person acknowledged)`],
        ['  to close', durationsCell(report.time_to_close_hours)],
        ['redraw rate', redrawRateCell(report)],
        ['ended without all their results', endedMissingCell(report.ended_missing)],
      ],
      out,
    ),
  );

  lines.push('');
  lines.push(...byLabLines(report, out));
  if (bookings !== null) lines.push('', ...bookingsTableLines(bookings, out));

  lines.push('');
  lines.push(...closersLines(report, out, (iso) => shortInstant(iso)));

  lines.push('');
  lines.push(`${out.style('bold', 'Open follow-ups by days open')} (now)`);
  const agingMax = Math.max(...AGING_LABELS.map(([key]) => report.aging_now[key]));
  const agingWidth = Math.max(...AGING_LABELS.map(([key]) => String(report.aging_now[key]).length));
  const labelWidth = Math.max(...AGING_LABELS.map(([, label]) => label.length));
  for (const [key, label] of AGING_LABELS) {
    const value = report.aging_now[key];
    const style = key === 'over_30' || key === '15_30' ? 'red' : 'cyan';
    lines.push(`  ${label.padEnd(labelWidth)}  ${String(value).padStart(agingWidth)}  ${out.style(style, bar(value, agingMax, BAR_WIDTH))}`.trimEnd());
  }

  if (weeks !== null && weeks.length > 0) {
    lines.push('');
    lines.push(
      `${out.style('bold', 'Per week')}: follow-ups opened (#) and closed (=), weeks Monday to Sunday in ${report.time_zone}, to ${shortInstant(weeks.at(-1)!.to)}${weeks.some((week) => week.partial) ? '; "partial": the window cuts that week' : ''}`,
    );
    const max = Math.max(...weeks.flatMap((week) => [week.opened, week.closed]));
    const label = (week: WeekCounts) => `${isoDate(calendarDateOf(Date.parse(week.from), report.time_zone))}${week.partial ? ' partial' : ''}`;
    const fromWidth = Math.max('WEEK OF'.length, ...weeks.map((week) => label(week).length));
    const numberWidth = Math.max(...weeks.flatMap((week) => [String(week.opened).length, String(week.closed).length]));
    const openedWidth = numberWidth + 1 + WEEK_BAR_WIDTH;
    lines.push(`  ${out.style('bold', 'WEEK OF'.padEnd(fromWidth))}  ${out.style('bold', 'OPENED'.padEnd(openedWidth))}  ${out.style('bold', 'CLOSED')}`);
    for (const week of weeks) {
      const opened = bar(week.opened, max, WEEK_BAR_WIDTH, '#');
      const closed = bar(week.closed, max, WEEK_BAR_WIDTH, '=');
      const openedCell = `${String(week.opened).padStart(numberWidth)} ${out.style('cyan', opened)}${' '.repeat(WEEK_BAR_WIDTH - opened.length)}`;
      const closedCell = `${String(week.closed).padStart(numberWidth)} ${out.style('green', closed)}`;
      lines.push(`  ${label(week).padEnd(fromWidth)}  ${openedCell}  ${closedCell}`.trimEnd());
    }
  }
  return lines;
}
