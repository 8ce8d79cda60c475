/**
 * `report` (CONTRACT §11, issue 27 item 2) against a tiny HTTP server answering
 * the contract's document: the requests the command makes (one per week of the
 * chart), --json, --by lab, --by bookings, --format, colours on a terminal only, usage errors
 * before any request and how the API's refusals are worded. How the report
 * reads, without a tracker: ./cli-report-views.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliDeps } from '../../cli/command';
import { createPrinter } from '../../cli/format';
import { runCli } from '../../cli/main';
import { bookingsTableLines, byLabLines } from '../../cli/report-views';
import { canonicalFromDate } from '../../functions/core/instant';
import type { RedrawReport } from '../../functions/core/report';
import { parseReportWindow } from '../../functions/core/report-window';
import { BOOKINGS_BY_LAB, BY_LAB, redrawReport as report } from '../support/redraw-report';

const NOW = new Date('2026-11-23T15:00:00Z');
const plain = createPrinter({ write: () => undefined }, {});

/** What the fake tracker was asked: the query of each GET /reports/redraws. */
let asked: { from: string | null; to: string | null; weeks?: string }[] = [];
/** The answer to give instead of a report (a refusal), when set. */
let refusal: { status: number; body: unknown } | null = null;
let server: Server;
let trackerUrl = '';

/** A report of the asked window whose counts say which week it is: opened is the day of month `from` falls on. */
function answerFor(from: string, to: string): RedrawReport {
  const day = new Date(from).getUTCDate();
  return report({ from, to, opened: day, closed: day % 5, ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 0 }, by_lab: BY_LAB, bookings_by_lab: BOOKINGS_BY_LAB, first_bookings: { n: 4, p50: 30, p90: 60 } });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/reports/redraws') return send(404, { error: { code: 'not_found', message: 'no such route' } });
    const weeks = url.searchParams.get('weeks');
    asked.push({ from: url.searchParams.get('from'), to: url.searchParams.get('to'), ...(weeks === null ? {} : { weeks }) });
    if (refusal) return send(refusal.status, refusal.body);
    // The API's own rule for the window (core/report-window.ts), in UTC; it answers canonical instants.
    const parsed = parseReportWindow({ from: url.searchParams.get('from') ?? undefined, to: url.searchParams.get('to') ?? undefined, weeks: weeks ?? undefined }, NOW, 'UTC');
    if (parsed.kind === 'invalid') return send(400, { error: { code: 'invalid_parameter', message: parsed.message } });
    return send(200, answerFor(canonicalFromDate(parsed.window.from), canonicalFromDate(parsed.window.to)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  trackerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  asked = [];
  refusal = null;
});

async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean; url?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const deps: Partial<CliDeps> = {
    env: { TRACKER_URL: options.url ?? trackerUrl, ...options.env },
    now: () => NOW,
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: options.tty === true },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

const windowOf = (from: string | null, to: string | null) => ({ from, to });

describe('report against a tracker answering GET /reports/redraws', () => {
  it('asks the 28 days up to now, then the 4 whole weeks before this one and this week so far, and shows them by their Monday', async () => {
    const run = await cli(['report']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // The window as typed (none: the tracker's default), then each week's instants.
    expect(asked[0]).toEqual(windowOf(null, null));
    expect([...asked.slice(1)].sort((a, b) => a.from!.localeCompare(b.from!))).toEqual([
      windowOf('2026-10-26T00:00:00.000000Z', '2026-11-02T00:00:00.000000Z'),
      windowOf('2026-11-02T00:00:00.000000Z', '2026-11-09T00:00:00.000000Z'),
      windowOf('2026-11-09T00:00:00.000000Z', '2026-11-16T00:00:00.000000Z'),
      windowOf('2026-11-16T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
      windowOf('2026-11-23T00:00:00.000000Z', '2026-11-23T15:00:00.000000Z'),
    ]);
    expect(run.stdout).toMatch(/^Redraw report on the local tracker at http:\/\/127\.0\.0\.1:\d+\nWindow: 2026-10-26 15:00Z to 2026-11-23 15:00Z \(28 days\); days and weeks \(Monday to Sunday\) in UTC\n/);
    // Each week's own counts, oldest first: opened is the day its window starts; this week so far is partial.
    const chart = run.stdout.slice(run.stdout.indexOf('Per week'));
    expect(chart.split('\n').slice(2, 7).map((line) => line.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '2026-10-26 26 ####################',
      '2026-11-02 2 ##',
      '2026-11-09 9 #######',
      '2026-11-16 16 ############',
      '2026-11-23 partial 23',
    ]);
    expect(run.stdout).not.toContain('\u001b');
  });

  it('prints the API document alone with --json (one request), and {report, weeks} with --weeks: the N whole weeks before this one', async () => {
    const json = await cli(['report', '--to', '2026-11-22', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(asked).toEqual([windowOf(null, '2026-11-22')]);
    expect(JSON.parse(json.stdout)).toEqual(answerFor('2026-10-26T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'));

    asked = [];
    const weekly = await cli(['report', '--weeks', '2', '--json']);
    expect(weekly).toMatchObject({ code: 0, stderr: '' });
    expect(asked).toEqual([{ from: null, to: null, weeks: '2' }, windowOf('2026-11-09T00:00:00.000000Z', '2026-11-16T00:00:00.000000Z'), windowOf('2026-11-16T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z')]);
    expect(JSON.parse(weekly.stdout)).toEqual({
      report: answerFor('2026-11-09T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
      weeks: [
        { from: '2026-11-09T00:00:00.000000Z', to: '2026-11-16T00:00:00.000000Z', partial: false, opened: 9, closed: 4 },
        { from: '2026-11-16T00:00:00.000000Z', to: '2026-11-23T00:00:00.000000Z', partial: false, opened: 16, closed: 1 },
      ],
    });
    // --weeks 4 is another window than the default one (issue 33: it printed the same).
    asked = [];
    const four = await cli(['report', '--weeks', '4']);
    expect(four.stdout).toContain('Window: 2026-10-26 00:00Z to 2026-11-23 00:00Z (28 days)');
  });

  it('prints only the by-lab table with --by lab, from one request: the window line, the rows in the answer\'s order', async () => {
    const run = await cli(['report', '--to', '2026-11-22', '--by', 'lab']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(asked).toEqual([windowOf(null, '2026-11-22')]);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Redraw report by lab and method on the local tracker at http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual(['Window: 2026-10-26 00:00Z to 2026-11-23 00:00Z (28 days); days and weeks (Monday to Sunday) in UTC', '', ...byLabLines({ by_lab: BY_LAB }, plain)]);
    expect(run.stdout).not.toContain('follow-ups opened');
    expect(run.stdout).not.toContain('Per week');
    // On a terminal it has colours, and none with NO_COLOR.
    expect((await cli(['report', '--by', 'lab'], { tty: true })).stdout).toContain('\u001b[');
    expect((await cli(['report', '--by', 'lab'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
  });

  it('prints the summary, the ended-missing line and the by-lab table in the whole report', async () => {
    const run = await cli(['report', '--to', '2026-11-22']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('\n  ended without all their results  5 (2 incomplete after a redraw, 3 with no redraw possible, 0 redraw failed)\n\n');
    // Then the bookings by lab (CONTRACT §14), as of the read (the CLI's clock when the answer came).
    const bookings = bookingsTableLines({ rows: BOOKINGS_BY_LAB, readAt: NOW }, plain);
    expect(bookings[0]).toContain('as of 2026-11-23 15:00Z;');
    expect(run.stdout).toContain(`\n${byLabLines({ by_lab: BY_LAB }, plain).join('\n')}\n\n${bookings.join('\n')}\n\nCloses by person`);
  });

  it('prints only the bookings by lab with --by bookings, from one request; --json stays the document; a tracker without them says so', async () => {
    const run = await cli(['report', '--to', '2026-11-22', '--by', 'bookings']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(asked).toEqual([windowOf(null, '2026-11-22')]);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Redraw report: bookings by lab on the local tracker at http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual(['Window: 2026-10-26 00:00Z to 2026-11-23 00:00Z (28 days); days and weeks (Monday to Sunday) in UTC', '', ...bookingsTableLines({ rows: BOOKINGS_BY_LAB, readAt: NOW }, plain)]);
    expect(run.stdout).not.toContain('By lab and method');
    asked = [];
    const json = await cli(['report', '--weeks', '2', '--by', 'bookings', '--json']);
    expect(asked).toEqual([{ from: null, to: null, weeks: '2' }]);
    expect(JSON.parse(json.stdout)).toEqual(answerFor('2026-11-09T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'));
    // A tracker older than issue 85 sends no bookings_by_lab: the table says it is not counted.
    const { bookings_by_lab: _rows, first_bookings: _first, ...older } = answerFor('2026-10-26T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');
    refusal = { status: 200, body: older };
    expect((await cli(['report', '--by', 'bookings'])).stdout).toContain('\n  not counted by this tracker: it is older than this CLI (CONTRACT §14)\n');
    // A row the CLI cannot read is the tracker's failure, named.
    refusal = { status: 200, body: { ...older, bookings_by_lab: [{ ...BOOKINGS_BY_LAB[0], booked: 13 }] } };
    expect(await cli(['report', '--by', 'bookings'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('without a valid bookings_by_lab[0].booked') });
  });

  it('takes --format json as --json: the document exactly as the API answers it; --format text is the default output', async () => {
    const viaFormat = await cli(['report', '--to', '2026-11-22', '--format', 'json']);
    expect(viaFormat).toMatchObject({ code: 0, stderr: '' });
    expect(asked).toEqual([windowOf(null, '2026-11-22')]);
    const viaJson = await cli(['report', '--to', '2026-11-22', '--json']);
    expect(viaFormat.stdout).toBe(viaJson.stdout);
    const document = JSON.parse(viaFormat.stdout) as RedrawReport;
    expect(document).toEqual(answerFor('2026-10-26T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'));
    expect(document.by_lab).toEqual(BY_LAB);
    expect(document.ended_missing).toEqual({ results_still_missing: 2, no_redraw: 3, redraw_failed: 0 });
    // --by lab changes what a person reads, not the document; with --weeks it asks no week of a chart.
    asked = [];
    const byLab = await cli(['report', '--weeks', '2', '--by', 'lab', '--format', 'json']);
    expect(asked).toEqual([{ from: null, to: null, weeks: '2' }]);
    expect(JSON.parse(byLab.stdout)).toEqual(answerFor('2026-11-09T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'));
    asked = [];
    const text = await cli(['report', '--to', '2026-11-22', '--format', 'text']);
    expect(text.stdout).toBe((await cli(['report', '--to', '2026-11-22'])).stdout);
  });

  it('with --from charts the weeks of the window itself, cut at Mondays, the cut one marked partial', async () => {
    const run = await cli(['report', '--from', '2026-11-01', '--to', '2026-11-22']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(asked[0]).toEqual(windowOf('2026-11-01', '2026-11-22'));
    expect(asked.slice(1).map((window) => window.from).sort()).toEqual(['2026-11-01T00:00:00.000000Z', '2026-11-02T00:00:00.000000Z', '2026-11-09T00:00:00.000000Z', '2026-11-16T00:00:00.000000Z']);
    expect(run.stdout).toContain('Window: 2026-11-01 00:00Z to 2026-11-23 00:00Z (22 days)');
    expect(run.stdout).toContain('Per week: follow-ups opened (#) and closed (=), weeks Monday to Sunday in UTC, to 2026-11-23 00:00Z; "partial": the window cuts that week');
    expect(run.stdout).toMatch(/^ {2}2026-11-01 partial /m);
  });

  it('colours the output on a terminal, and not with NO_COLOR', async () => {
    expect((await cli(['report'], { tty: true })).stdout).toContain('\u001b[');
    expect((await cli(['report'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
  });

  it.each([
    [['report', '--weeks', '2', '--from', '2026-11-01']],
    [['report', '--weeks', '2', '--to', '2026-11-01']],
    [['report', '--weeks', '0']],
    [['report', '--weeks', '53']],
    [['report', '--weeks', 'four']],
    [['report', '--from', 'yesterday']],
    [['report', '--to', '2026-13-01']],
    [['report', '--from', '2026-11-20', '--to', '2026-11-19']],
    [['report', '--from', '2025-01-01', '--to', '2026-11-01']],
    [['report', 'extra']],
    [['report', '--bogus']],
    [['report', '--by', 'site']],
    [['report', '--by', 'LAB']],
    [['report', '--by', 'bookings', '--csv']],
    [['report', '--by', '']],
    [['report', '--by']],
    [['report', '--format', 'csv']],
    [['report', '--format', 'text', '--json']],
  ])('%j exits 2 with one line on stderr and makes no request', async (args) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^redraw-tracker: [^\n]+\n$/);
    expect(asked).toEqual([]);
  });

  it("words the API's 400 as a usage error (exit 2), a tracker without the route (exit 3), and one that is not there (exit 3)", async () => {
    refusal = { status: 400, body: { error: { code: 'invalid_parameter', message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' } } };
    const invalid = await cli(['report', '--json']);
    expect(invalid).toMatchObject({ code: 2, stdout: '' });
    expect(invalid.stderr).toMatch(/^redraw-tracker: the local tracker at http:\/\/127\.0\.0\.1:\d+ refused the request: from must be a date \(YYYY-MM-DD\) or an ISO 8601 date-time \(invalid_parameter\)\n$/);

    refusal = { status: 404, body: { error: { code: 'not_found', message: 'no such route' } } };
    const old = await cli(['report']);
    expect(old).toMatchObject({ code: 3, stdout: '' });
    expect(old.stderr).toMatch(/has no GET \/reports\/redraws: is it a tracker as new as this CLI\?\n$/);

    refusal = { status: 200, body: { items: [] } };
    expect(await cli(['report'])).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining("not the tracker's documented shape") });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await cli(['report'], { url: `http://127.0.0.1:${port}` })).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('ECONNREFUSED') });
  });
});
