/**
 * `report`: the redraw report (GET /reports/redraws, CONTRACT §11) for a
 * window, for people with the aging buckets as bars and the weekly
 * opened/closed counts as a chart (one report call per week), the by-lab
 * table (alone with --by lab), the bookings by lab as of the read (alone with
 * --by bookings; CONTRACT §14), as the API's document with --json (or
 * --format json), or with --csv as the console's Report page downloads its
 * tables (console/src/report/report-tables.ts, functions/core/csv.ts: the same
 * columns, cells and escaping; no byte-order mark on stdout, where it would
 * break a pipe). docs/reports.md explains every line.
 */
import { csvOf, type CsvTable } from '../../functions/core/csv';
import { readReportBookings } from '../../console/src/report/report-bookings-doc';
import { readReport as readReportDoc } from '../../console/src/report/report-doc';
import { closesByPersonTable } from '../../console/src/report/closers-table';
import { reportCsvTables } from '../../console/src/report/report-tables';
import { canonicalFromDate } from '../../functions/core/instant';
import { stringOption, type CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, type ReportWeek, type ReportWindow } from '../../functions/core/report-window';
import type { BookingsRead } from '../report-bookings-view';
import { bookingsReportLines, byLabReportLines, chartWeeks, closersReportLines, DEFAULT_WEEKS, MAX_WEEKS, parseBy, parseFormat, parseWeeks, reportLines, ReportView, reportWindow, type WeekCounts } from '../report-views';
import type { TrackerClient } from '../tracker-client';
import { readAnswer } from '../views';

const PATH = '/reports/redraws';
/** Weekly reports asked at once: quick on a laptop, gentle with a deployed API's throttling. */
const CONCURRENT_WEEKS = 4;

/** The report of a window: the options as typed (the tracker reads dates as days in its own zone), or a week's instants. */
async function readReport(client: TrackerClient, query: Record<string, string>): Promise<ReportView> {
  return readAnswer(ReportView, await readReportAnswer(client, query), `GET ${PATH}`);
}

async function readReportAnswer(client: TrackerClient, query: Record<string, string>): Promise<unknown> {
  const answer = await client.get(PATH, query);
  if (answer === null) throw new CliError(EXIT.unreachable, `${client.target.label} has no GET ${PATH}: is it a tracker as new as this CLI?`);
  return answer;
}

/**
 * The tables `--csv` prints: the page's (reportCsvTables), those of the by-lab
 * section only with --by lab, the one named by --table alone; each a CSV of
 * its own, a blank line between two.
 */
function csvText(tables: readonly CsvTable[], table: string | undefined): string {
  if (table === undefined) return tables.map((one) => csvOf(one.header, one.rows)).join('\r\n');
  const one = tables.find((candidate) => candidate.name === table);
  if (one === undefined) throw usageError(`report: --table must be one of ${tables.map((candidate) => candidate.name).join(', ')} (the tables this report shows), not ${JSON.stringify(table)}`);
  return csvOf(one.header, one.rows);
}

/** The answer's bookings by lab (CONTRACT §14; none from an older tracker), as of `readAt`, when the CLI read them. */
function bookingsOf(answer: unknown, readAt: Date): BookingsRead {
  const read = typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? readReportBookings(answer as Record<string, unknown>) : { ok: false as const, field: 'report' };
  if (!read.ok) throw new CliError(EXIT.failed, `GET ${PATH} answered a report without a valid ${read.field}`);
  return { rows: read.bookings.bookings_by_lab, readAt };
}

/** The opened/closed counts of each week, oldest first; `known` answers a week already read. */
async function readWeeks(client: TrackerClient, windows: readonly ReportWeek[], known: { window: ReportWindow; report: ReportView }): Promise<WeekCounts[]> {
  const weeks: WeekCounts[] = new Array<WeekCounts>(windows.length);
  for (let start = 0; start < windows.length; start += CONCURRENT_WEEKS) {
    await Promise.all(
      windows.slice(start, start + CONCURRENT_WEEKS).map(async (window, offset) => {
        const same = window.from.getTime() === known.window.from.getTime() && window.to.getTime() === known.window.to.getTime();
        const report = same ? known.report : await readReport(client, { from: canonicalFromDate(window.from), to: canonicalFromDate(window.to) });
        weeks[start + offset] = { from: report.from, to: report.to, partial: window.partial, opened: report.opened, closed: report.closed };
      }),
    );
  }
  return weeks;
}

/**
 * The page's tables of the report `answer` and its weeks; the last week is
 * "this week, so far" when the chart runs up to now (`upToNow`), as the page
 * says it.
 */
function csvTables(answer: unknown, weeks: readonly WeekCounts[] | null, byLab: boolean, upToNow: boolean, closers = false): CsvTable[] {
  const doc = readReportDoc(answer);
  if (!doc.ok) throw new CliError(EXIT.failed, `GET ${PATH} answered a report without a valid ${doc.field}`);
  // --by closers: its table alone, its header even when nobody closed one.
  if (closers) return [closesByPersonTable(doc.report)];
  const pageWeeks = weeks?.map((week, index) => ({ ...week, current: upToNow && index === weeks.length - 1 })) ?? null;
  const tables = reportCsvTables(doc.report, pageWeeks);
  return byLab ? tables.filter((one) => one.name.startsWith('labs-') || one.name === 'failure-types') : tables;
}

const command: CommandModule = {
  help: `Usage: npx redraw-tracker report [--from D] [--to D] [--weeks N] [--by lab|bookings|closers] [--format text|json] [--json] [--csv [--table T]]

The redraw report (GET /reports/redraws): follow-ups opened and closed in a
window (by disposition, and by people apart from the tracker), open, stale,
unassigned and with a failed redraw now, how long the closed ones took (to a
redraw order, to an acknowledgement, to close; in days from 48 hours), the
redraw rate of completed walk-in transactions, the transactions that ended
without all their results, the table by lab and collection method (redraw
rate per 100 completed, time to the redraw's results, top failure types),
the bookings by lab (redraws booked, drawn after booking, missed, time to
booking: as of the read, CONTRACT §14), closes by person, the open
follow-ups by days open (as bars), and the follow-ups opened and closed per
week (as a chart).
Days and weeks are the tracker's (DIGEST_TIMEZONE, default UTC): weeks run
Monday to Sunday there, the weekly digest's weeks. docs/reports.md explains
each line.

  --from D     the window's start: a date (00:00 in the tracker's zone) or a date-time
  --to D       the window's end: a date (the end of that day) or a date-time;
               default now. Without --from the window is the ${DEFAULT_REPORT_DAYS} days up to --to.
               At most ${MAX_REPORT_DAYS} days. The chart shows the window's weeks,
               "partial" where the window cuts one.
  --weeks N    the window is the N whole weeks (1-${MAX_WEEKS}) before the current
               one, and the chart shows them. Without --weeks and --from, the chart
               shows the last ${DEFAULT_WEEKS} whole weeks and this week so far.
  --by lab     only the table by lab and method, for the window (one request,
               no chart)
  --by bookings  only the bookings by lab (CONTRACT §14): the redraw follow-ups
               opened in the window, booked, through Junction, drawn after
               booking, missed, time to booking; as of the read (one request,
               no chart)
  --by closers  only the closes by person (one request, no chart); with
               --csv, its CSV alone (actor, actor_display, closed,
               counted_since_utc and its twin in TZ's zone, partial)
  --format F   text (the default) or json; --format json is --json.
  --csv        the tables of the console's Report page as CSV, the columns the
               page's "Download CSV" files hold: data for a spreadsheet, one
               kind of value per column (codes beside their words, counts,
               rates in percent with the 95% interval's ends as rate_low and
               rate_high, p50_hours and p90_hours, days as YYYY-MM-DD, an empty
               cell for none): counts, ended-missing, durations, aging,
               closes-by-person, labs-ranked, labs-too-few, labs-zero,
               failure-types, bookings-by-lab (those with rows), weeks; a blank
               line between two. RFC 4180, UTF-8 without a byte-order mark (the
               page's files have one), CRLF, a header row each; a cell starting
               with = + - @, a tab or a carriage return gets a ' before it.
               With --by lab, the by-lab tables and failure-types only.
  --table T    with --csv, only table T (the page's file without its byte-order mark)

With --json: the API's document for the window (CONTRACT §11), as the API
answers it; with --weeks (and without --by), {"report": the document,
"weeks": [{"from", "to", "partial", "opened", "closed"}, ...]} (oldest first).

Examples:
  npx redraw-tracker report
  npx redraw-tracker report --weeks 12
  npx redraw-tracker report --from 2026-11-01 --to 2026-11-30 --json
  npx redraw-tracker report --weeks 4 --by lab
  npx redraw-tracker report --by bookings
  npx redraw-tracker report --by closers --csv > closes.csv
  npx redraw-tracker report --format json
  npx redraw-tracker report --csv --table counts > counts.csv
  npx redraw-tracker report --stack RedrawTracker --region eu-west-1`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    weeks: { type: 'string' },
    by: { type: 'string' },
    format: { type: 'string' },
    csv: { type: 'boolean' },
    table: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  target: 'tracker',
  async run({ values, json: jsonFlag, out, deps, tracker }) {
    const json = parseFormat(stringOption(values, 'format'), jsonFlag);
    const csv = values.csv === true;
    const table = stringOption(values, 'table');
    if (csv && json) throw usageError('report: --csv and --json ask for different outputs: use one');
    if (table !== undefined && !csv) throw usageError('report: --table picks a table of --csv: add --csv');
    const by = parseBy(stringOption(values, 'by'));
    if (by === 'bookings' && csv) throw usageError('report: --by bookings is the text table; its CSV is among --csv\'s tables (--csv --table bookings-by-lab)');
    const byLab = by === 'lab';
    const fromText = stringOption(values, 'from');
    const toText = stringOption(values, 'to');
    const weeksText = stringOption(values, 'weeks');
    if (weeksText !== undefined && (fromText !== undefined || toText !== undefined)) {
      throw usageError('report: use --weeks N (the N whole weeks before this one) or --from/--to (a window of your own), not both');
    }
    const weekCount = weeksText === undefined ? null : parseWeeks(weeksText);
    // Checked here first (a usage error before any request); the tracker reads the dates in its own zone.
    if (weekCount === null) reportWindow(fromText, toText, deps.now());
    const query: Record<string, string> =
      weekCount !== null ? { weeks: String(weekCount) } : { ...(fromText === undefined ? {} : { from: fromText }), ...(toText === undefined ? {} : { to: toText }) };

    const client = await tracker();
    const answer = await readReportAnswer(client, query);
    // The bookings' figures are as of now (CONTRACT §14): the table says when they were read.
    const readAt = deps.now();
    const report = readAnswer(ReportView, answer, `GET ${PATH}`);
    const window: ReportWindow = { from: new Date(Date.parse(report.from)), to: new Date(Date.parse(report.to)) };
    // --json is the API's document unless the weeks were asked for; --by has no chart.
    const charted = by === null && (!json || weekCount !== null);
    const cover = weekCount !== null || fromText !== undefined ? { window } : { weeks: DEFAULT_WEEKS, end: window.to };
    const weeks = charted ? await readWeeks(client, chartWeeks(cover, report.time_zone), { window, report }) : null;

    if (json) {
      out.json(weeks === null ? report : { report, weeks });
      return EXIT.ok;
    }
    if (csv) {
      out.text(csvText(csvTables(answer, weeks, byLab, weekCount === null && fromText === undefined, by === 'closers'), table));
      return EXIT.ok;
    }
    const where = client.target.label;
    const lines =
      by === 'lab'
        ? byLabReportLines(report, where, out)
        : by === 'bookings'
          ? bookingsReportLines(report, where, out, bookingsOf(answer, readAt))
          : by === 'closers'
            ? closersReportLines(report, where, out)
            : reportLines(report, weeks, where, out, bookingsOf(answer, readAt));
    for (const line of lines) out.line(line);
    return EXIT.ok;
  },
};

export default command;
