/**
 * `redraw-tracker report` end to end (CONTRACT §11, issue 27 item 2): a tracker
 * started with `npm start` on its own PORT, Svix-signed webhooks of four
 * transactions (a redraw completed three days ago, one left open two days ago,
 * one open for ten days, a walk-in test completed without a redraw), and the
 * CLI run as a process (node bin/redraw-tracker.mjs) as a person runs it: its
 * --json document is what GET /reports/redraws answers for the same window, the
 * table shows that document's numbers (the bookings by lab too, as of the read),
 * its --csv the same numbers as data, one kind of value per column,
 * the weekly chart counts each week apart,
 * a bad option is refused before any request, and nothing of a patient shows.
 *
 * Most runs go through runCli in this process (`cli`: the same argv, the env
 * the binary would get, stdout and stderr captured; test/support/cli-in-process.ts),
 * against the same `npm start`: a tsx start per run cost about 1 s of CPU, far more
 * on a busy machine. Through node bin/redraw-tracker.mjs (`bin`), for what only a
 * process shows: the report for people (the tracker found by PORT in the real
 * environment, no colours on a pipe, exit 0) and `--by site` (exit 2 reaching the
 * shell, its line on the real stderr).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../functions/core/instant';
import type { RedrawReport } from '../../functions/core/report';
import { weeksOf, wholeWeeksBefore } from '../../functions/core/report-window';
import { bar, bookingsTableLines, byLabLines, durationsCell, endedMissingCell, redrawRateCell, shortInstant } from '../../cli/report-views';
import { createPrinter } from '../../cli/format';
import { cliRuns } from '../support/cli-runs';
import { expectColumnKinds, REPORT_KINDS } from '../support/csv-columns';
import { parseCsv } from '../support/csv-parse';
import { freshId, PHI_CANARY, redrawFlow, simpleFlow } from '../support/junction';
import { eventually } from '../support/npm-start';
import { deliverFlow, useTracker } from '../support/tracker-process';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const tracker = useTracker({ TABLE_NAME: 'redraw-tracker-cli-report-e2e' });
/** Everything the CLI printed, checked for PHI at the end. */
const outputs: string[] = [];
/** `cli`: `redraw-tracker <args>` through runCli in this process; `bin`: `node bin/redraw-tracker.mjs <args>`, for what only a process shows. */
const { bin, cli } = cliRuns(tracker, outputs);

async function report(from: string, to: string): Promise<RedrawReport> {
  const response = await fetch(`${tracker.url}/reports/redraws?${new URLSearchParams({ from, to }).toString()}`);
  expect(response.status).toBe(200);
  return (await response.json()) as RedrawReport;
}

/** `text` as a regular expression that matches it literally. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ids = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
/** The window every check reads: the two weeks up to a moment after the webhooks, fixed so the CLI and the API answer the same. */
let from = '';
let to = '';
/** The follow-up of the redraw nobody ordered: a person closes it in the last checks (issue 73). */
const notCreated = ids();

beforeAll(async () => {
  const now = Date.now();
  // Each flow's steps are an hour apart; its follow-up opens at redraw_available (the 5th step).
  const flows = [
    redrawFlow(ids(), 'completed', new Date(now - 3 * DAY)),
    redrawFlow(notCreated, 'not_created', new Date(now - 2 * DAY)),
    redrawFlow(ids(), 'in_progress', new Date(now - 10 * DAY)),
    simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', undefined, new Date(now - 4 * DAY)),
  ];
  for (const flow of flows) await deliverFlow(tracker, flow);
  // The tracker records its close when the stream delivers the redraw's completion (CONTRACT §9: closed_at is the
  // close entry's at): the window ends a few minutes after the webhooks.
  const end = Date.now() + 10 * 60_000;
  to = canonicalFromDate(new Date(end));
  from = canonicalFromDate(new Date(end - 14 * DAY));
  // Counted as the stream delivers the facts, a moment after the webhooks.
  await eventually(
    () => report(from, to),
    (answer) => answer.opened === 3 && answer.closed === 1 && answer.open_now === 2 && answer.walk_in_completed === 2,
    60_000,
  );
}, 180_000);

describe('redraw-tracker report against npm start', () => {
  it('prints with --json exactly the document GET /reports/redraws answers for the window', async () => {
    const run = await cli(['report', '--from', from, '--to', to, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const document = JSON.parse(run.stdout) as RedrawReport;
    expect(document).toEqual(await report(from, to));
    expect(document).toMatchObject({ opened: 3, closed: 1, by_disposition: expect.objectContaining({ redraw_completed: 1 }), open_now: 2, walk_in_completed: 2, with_redraw: 1 });
    expect(document.aging_now).toEqual({ '0_7': 1, '8_14': 1, '15_30': 0, over_30: 0 });
  });

  it("shows that document's numbers to a person: counts, durations, the redraw rate and the aging bars, without colour off a terminal", async () => {
    // Through the binary: the tracker found by PORT in the real environment, stdout a pipe (no colours).
    const run = await bin(['report', '--from', from, '--to', to]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const answer = await report(from, to);
    expect(run.stdout).toMatch(new RegExp(`^Redraw report on the local tracker at ${escape(tracker.url)}\\n`));
    expect(run.stdout).toMatch(/^ {2}follow-ups opened +3$/m);
    expect(run.stdout).toMatch(/^ {2}follow-ups closed +1 \(by people 0, by the tracker 1\)$/m);
    expect(run.stdout).toMatch(/^ {4}redraw_completed +1$/m);
    expect(run.stdout).toMatch(/^ {2}open now +2$/m);
    expect(run.stdout).toMatch(new RegExp(`^ {4}to close +${escape(durationsCell(answer.time_to_close_hours))}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ {2}redraw rate +${escape(redrawRateCell(answer))}$`, 'm'));
    expect(run.stdout).toContain('50% (1 of 2 completed walk-in transactions had a redraw)');
    expect(run.stdout).toMatch(new RegExp(`^ {2}0-7 days +1 +${bar(1, 1, 30)}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ {2}8-14 days +1 +${bar(1, 1, 30)}$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}over 30 days +0$/m);
    // The window's weeks, cut at Mondays 00:00 UTC (the digest's weeks); the cut ones marked partial.
    const expected = weeksOf({ from: new Date(Date.parse(from)), to: new Date(Date.parse(to)) }, 'UTC');
    expect(run.stdout).toContain('Per week: follow-ups opened (#) and closed (=), weeks Monday to Sunday in UTC, to');
    const chart = run.stdout.slice(run.stdout.indexOf('WEEK OF')).trimEnd().split('\n').slice(1);
    expect(chart.map((line) => line.trim().split(/\s+/)[0])).toEqual(expected.map((week) => week.from.toISOString().slice(0, 10)));
    expect(chart.map((line) => line.includes(' partial '))).toEqual(expected.map((week) => week.partial));
    // Every follow-up opened (3) and closed (1) in the window is in one week.
    const counts = chart.map((line) => line.replace(/^ {2}\S+( partial)? +/, '').replace(/[#=]+/g, ' ').trim().split(/\s+/).map(Number));
    expect(counts.reduce((sum, [opened]) => sum + opened!, 0)).toBe(3);
    expect(counts.reduce((sum, [, closed]) => sum + closed!, 0)).toBe(1);
    expect(run.stdout).not.toContain('\u001b');
  });

  it('prints the by-lab table of that document: in the whole report after the summary, alone with --by lab; --format json is the document', async () => {
    const answer = await report(from, to);
    // Both completed walk-in flows ended in the window at the flows' default lab, one with a redraw.
    expect(answer.by_lab).toContainEqual(expect.objectContaining({ lab: 'standin-lab', method: 'walk_in_test', completed: 2, with_redraw: 1, redraw_rate: 50 }));
    const table = byLabLines(answer, createPrinter({ write: () => undefined }, {}));
    expect(table.some((line) => /^ {2}standin-lab +walk_in_test +2 +1 +50\.0 /.test(line))).toBe(true);

    const whole = await cli(['report', '--from', from, '--to', to]);
    expect(whole).toMatchObject({ code: 0, stderr: '' });
    expect(whole.stdout).toMatch(new RegExp(`^ {2}ended without all their results +${escape(endedMissingCell(answer.ended_missing))}$`, 'm'));
    expect(whole.stdout).toContain(`\n${table.join('\n')}\n`);

    const byLab = await cli(['report', '--from', from, '--to', to, '--by', 'lab']);
    expect(byLab).toMatchObject({ code: 0, stderr: '' });
    expect(byLab.stdout.trimEnd().split('\n').slice(1)).toEqual([expect.stringMatching(/^Window: /), '', ...table]);
    expect(byLab.stdout).not.toContain('\u001b');

    const json = await cli(['report', '--from', from, '--to', to, '--format', 'json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual(answer);
  });

  it("prints with --csv the page's tables as data (CONTRACT §12): each column one kind of value, the document's numbers, no byte-order mark on stdout", async () => {
    const answer = await report(from, to);
    const run = await cli(['report', '--from', from, '--to', to, '--csv']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.charCodeAt(0)).not.toBe(0xfeff);
    const tables = run.stdout.split('\r\n\r\n').map((block, index, all) => parseCsv(index === all.length - 1 ? block : `${block}\r\n`));
    // Each table known by its columns (the three groups of labs share theirs: the one with rows here reads as labs-ranked).
    const byName = new Map(tables.map((rows) => [Object.entries(REPORT_KINDS).find(([, kinds]) => Object.keys(kinds).sort().join() === [...rows[0]!].sort().join())?.[0], rows]));
    expect([...byName.keys()]).toEqual(['counts', 'ended-missing', 'durations', 'aging', 'labs-ranked', 'bookings-by-lab', 'weeks']);
    for (const [name, rows] of byName) expectColumnKinds(rows, REPORT_KINDS[name!]!, name);
    const counts = Object.fromEntries(byName.get('counts')!.slice(1).map((row) => [row[0], row.slice(2)]));
    expect(counts.opened![0]).toBe(String(answer.opened));
    expect(counts.redraw_rate).toEqual(['', String(answer.with_redraw), String(answer.walk_in_completed), '50', expect.stringMatching(/^\d/), expect.stringMatching(/^\d/)]);
    expect(byName.get('labs-ranked')![1]!.slice(0, 8)).toEqual(['standin-lab', '', 'walk_in_test', '1', '2', '50', expect.any(String), expect.any(String)]);
  });

  it('prints the bookings by lab of that document (issue 85): after the by-lab table, as of the read, alone with --by bookings', async () => {
    const answer = await report(from, to);
    // The three redraws opened in the window at the flows' default lab; none booked (the flows book nothing).
    expect(answer.bookings_by_lab?.map((row) => [row.lab, row.redraws, row.booked])).toEqual([['standin-lab', 3, 0], [null, 3, 0]]);
    const before = Date.now();
    const whole = await cli(['report', '--from', from, '--to', to]);
    expect(whole).toMatchObject({ code: 0, stderr: '' });
    const table = bookingsTableLines({ rows: answer.bookings_by_lab ?? [], readAt: new Date(before) }, createPrinter({ write: () => undefined }, {}));
    expect(table.slice(2).map((line) => line.trim().split(/ {2,}/).slice(0, 3))).toEqual([['standin-lab', '3', '0 (0%)'], ['All labs', '3', '0 (0%)']]);
    // The heading's time is the CLI's read, a moment after `before` (the minute may turn in between).
    const rest = `\n${table.slice(1).join('\n')}\n`;
    expect(whole.stdout).toMatch(new RegExp(`\n\n${escape(table[0]!).replace(escape(shortInstant(new Date(before).toISOString())), '[-0-9: ]+Z')}${escape(rest)}\nCloses by person`));
    const alone = await cli(['report', '--from', from, '--to', to, '--by', 'bookings']);
    expect(alone).toMatchObject({ code: 0, stderr: '' });
    expect(alone.stdout.trimEnd().split('\n').slice(1)).toEqual([expect.stringMatching(/^Window: /), '', expect.stringMatching(/^Bookings by lab \(redraw follow-ups opened in the window, as of /), ...table.slice(1)]);
  });

  it('reports the last 28 days without a window, the same default in the API and the CLI (CONTRACT §11): the follow-up opened 10 days ago is in it', async () => {
    const response = await fetch(`${tracker.url}/reports/redraws`);
    expect(response.status).toBe(200);
    const api = (await response.json()) as RedrawReport;
    expect(Date.parse(api.to) - Date.parse(api.from)).toBe(28 * DAY);
    expect(api.opened).toBe(3);
    const run = await cli(['report', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const document = JSON.parse(run.stdout) as RedrawReport;
    expect(Date.parse(document.to) - Date.parse(document.from)).toBe(28 * DAY);
    expect(document.opened).toBe(3);
    const help = await cli(['report', '--help']);
    expect(help.stdout).toContain('Without --from the window is the 28 days up to --to.');
  });

  it('reports the N whole weeks before this one with --weeks, and charts each week with its own report', async () => {
    const run = await cli(['report', '--weeks', '3', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { report: document, weeks } = JSON.parse(run.stdout) as { report: RedrawReport; weeks: { from: string; to: string; partial: boolean; opened: number; closed: number }[] };
    // The window: Monday 00:00 UTC three weeks before this week's Monday, to this week's Monday.
    const window = wholeWeeksBefore(new Date(), 3, 'UTC');
    expect(document).toMatchObject({ from: canonicalFromDate(window.from), to: canonicalFromDate(window.to), time_zone: 'UTC' });
    expect(weeks.map((week) => [week.from, week.to, week.partial])).toEqual(
      weeksOf(window, 'UTC').map((week) => [canonicalFromDate(week.from), canonicalFromDate(week.to), false]),
    );
    for (const week of weeks) expect([week.opened, week.closed]).toEqual(await report(week.from, week.to).then((answer) => [answer.opened, answer.closed]));
    expect(weeks.reduce((sum, week) => sum + week.opened, 0)).toBe(document.opened);
  });

  it("prints closes by person counted since counting began, marked partial for a window that starts before, with --by closers and its CSV (issues 73, 84)", async () => {
    // This table began counting with its first close (the tracker's, this run's): the two weeks start before it, and count what was counted since.
    const before = await report(from, to);
    expect(before).toMatchObject({ closes_by_person: [], closes_partial: true });
    const since = before.closes_counted_since!;
    expect((await cli(['report', '--from', from, '--to', to])).stdout).toContain(`\n  counted since ${shortInstant(since)} (this window starts before): closes before then are not in the table\n  nobody closed a follow-up in the window since then\n`);
    // A person closes the redraw nobody ordered: the actor of a local action is REDRAW_TRACKER_OWNER.
    const closed = await cli(['close', notCreated.transactionId, '--disposition', 'patient_unreachable'], { REDRAW_TRACKER_OWNER: 'e2e.closer' });
    expect(closed).toMatchObject({ code: 0, stderr: '' });
    const end = canonicalFromDate(new Date(Date.now() + 10 * 60_000));
    await eventually(() => report(from, end), (answer) => answer.closes_by_person?.length === 1, 30_000);
    const counted = await cli(['report', '--from', from, '--to', end, '--by', 'closers']);
    expect(counted).toMatchObject({ code: 0, stderr: '' });
    expect(counted.stdout).toMatch(/^Redraw report: closes by person on /);
    expect(counted.stdout).toContain(`\n  counted since ${shortInstant(since)} (this window starts before)`);
    expect(counted.stdout).toMatch(/^ {2}PERSON +CLOSED\n {2}e2e\.closer +1$/m);
    // Its CSV: data in columns, the same for the whole window and from the instant on (partial false then).
    const csv = await cli(['report', '--from', from, '--to', end, '--by', 'closers', '--csv']);
    const minute = since.slice(0, 16).replace('T', ' ');
    // The counting's start in UTC, and its twin in the CLI's zone (TZ's, else its own).
    const twin = String.raw`counted_since_local_[a-z0-9_]+`;
    const local = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d`;
    expect(csv.stdout).toMatch(new RegExp(String.raw`^actor,actor_display,closed,counted_since_utc,${twin},partial\r\ne2e\.closer,,1,${minute},${local},true\r\n$`));
    const whole = await cli(['report', '--from', since, '--to', end, '--csv', '--table', 'closes-by-person']);
    expect(whole.stdout).toMatch(new RegExp(String.raw`^actor,actor_display,closed,counted_since_utc,${twin},partial\r\ne2e\.closer,,1,${minute},${local},false\r\n$`));
  });

  it('refuses a bad window before asking the tracker (exit 2), and shows nothing of a patient anywhere', async () => {
    const reversed = await cli(['report', '--from', '2026-11-20', '--to', '2026-11-19']);
    expect(reversed).toMatchObject({ code: 2, stdout: '' });
    expect(reversed.stderr).toMatch(/^redraw-tracker: report: --from must be before --to/);
    const both = await cli(['report', '--weeks', '2', '--from', '2026-11-01']);
    expect(both.stderr).toMatch(/--weeks N .* or --from\/--to/);
    expect(both).toMatchObject({ code: 2, stdout: '' });
    // Through the binary: exit 2 reaching the shell, its line on the real stderr.
    const by = await bin(['report', '--by', 'site']);
    expect(by).toMatchObject({ code: 2, stdout: '' });
    expect(by.stderr).toBe('redraw-tracker: report: --by must be lab (the table by lab and method), bookings (the bookings by lab) or closers (the closes by person), not "site"\n');
    for (const output of outputs) expect(output).not.toContain(PHI_CANARY);
  });
});
