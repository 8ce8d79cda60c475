/**
 * `report`: the redraw report (GET /reports/redraws, CONTRACT §11) for a
 * window, for people with the aging buckets as bars and the weekly
 * opened/closed counts as a chart (one report call per week), or as the API's
 * document with --json. docs/reports.md explains every line.
 */
import { canonicalFromDate } from '../../functions/core/instant';
import { CliError, EXIT, stringOption, usageError, type CommandModule } from '../command';
import { MAX_REPORT_DAYS, type ReportWindow } from '../../functions/core/report';
import { DEFAULT_WEEKS, MAX_WEEKS, parseWeeks, reportLines, ReportView, reportWindow, weekWindows, type WeekCounts } from '../report-views';
import type { TrackerClient } from '../tracker-client';
import { readAnswer } from '../views';

const PATH = '/reports/redraws';
/** Weekly reports asked at once: quick on a laptop, gentle with a deployed API's throttling. */
const CONCURRENT_WEEKS = 4;

async function readReport(client: TrackerClient, window: ReportWindow): Promise<ReportView> {
  const answer = await client.get(PATH, { from: canonicalFromDate(window.from), to: canonicalFromDate(window.to) });
  if (answer === null) throw new CliError(EXIT.unreachable, `${client.target.label} has no GET ${PATH}: is it a tracker as new as this CLI?`);
  return readAnswer(ReportView, answer, `GET ${PATH}`);
}

/** The opened/closed counts of each week, oldest first; `known` answers a week already read. */
async function readWeeks(client: TrackerClient, windows: readonly ReportWindow[], known: { window: ReportWindow; report: ReportView }): Promise<WeekCounts[]> {
  const weeks: WeekCounts[] = new Array<WeekCounts>(windows.length);
  for (let start = 0; start < windows.length; start += CONCURRENT_WEEKS) {
    await Promise.all(
      windows.slice(start, start + CONCURRENT_WEEKS).map(async (window, offset) => {
        const same = window.from.getTime() === known.window.from.getTime() && window.to.getTime() === known.window.to.getTime();
        const report = same ? known.report : await readReport(client, window);
        weeks[start + offset] = { from: report.from, to: report.to, opened: report.opened, closed: report.closed };
      }),
    );
  }
  return weeks;
}

const command: CommandModule = {
  help: `Usage: npx redraw-tracker report [--from D] [--to D] [--weeks N] [--json]

The redraw report (GET /reports/redraws): follow-ups opened and closed in a
window (closed by disposition), open, stale and unassigned now, how long they
took (p50 and p90 hours: to a redraw order, to an acknowledgement, to close),
the redraw rate of completed walk-in transactions, the open follow-ups by days
open (as bars), and the follow-ups opened and closed per week (as a chart).
docs/reports.md explains each line.

  --from D     the window's start: a date (00:00 UTC) or a date-time
  --to D       the window's end: a date (the end of that day, UTC) or a
               date-time; default now. Without --from the window is the
               7 days up to --to. At most ${MAX_REPORT_DAYS} days.
  --weeks N    the chart's weeks, 1-${MAX_WEEKS} (default ${DEFAULT_WEEKS}), ending at --to or
               now; one report per week. With --from the chart shows the
               window's own weeks instead: use one or the other.

With --json: the API's document for the window; with --weeks, {"report": the
document, "weeks": [{"from", "to", "opened", "closed"}, ...]} (oldest first).

Examples:
  npx redraw-tracker report
  npx redraw-tracker report --weeks 12
  npx redraw-tracker report --from 2026-11-01 --to 2026-11-30 --json
  npx redraw-tracker report --stack RedrawTracker --region eu-west-1`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    weeks: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  target: 'tracker',
  async run({ values, json, out, deps, tracker }) {
    const fromText = stringOption(values, 'from');
    const toText = stringOption(values, 'to');
    const weeksText = stringOption(values, 'weeks');
    if (weeksText !== undefined && fromText !== undefined) {
      throw usageError('report: use --from (the chart then shows the weeks of --from..--to) or --weeks N (the last N weeks to --to or now), not both');
    }
    const weekCount = weeksText === undefined ? DEFAULT_WEEKS : parseWeeks(weeksText);
    const window = reportWindow(fromText, toText, deps.now());

    const client = await tracker();
    const report = await readReport(client, window);
    // --json is the API's document unless the weeks were asked for.
    const charted = !json || weeksText !== undefined;
    const windows = weekWindows(window.to, fromText !== undefined ? { from: window.from } : { weeks: weekCount });
    const weeks = charted ? await readWeeks(client, windows, { window, report }) : null;

    if (json) {
      out.json(weeks === null ? report : { report, weeks });
      return EXIT.ok;
    }
    for (const line of reportLines(report, weeks, client.target.label, out)) out.line(line);
    return EXIT.ok;
  },
};

export default command;
