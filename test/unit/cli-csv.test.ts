/**
 * The CLI's `--csv` (CONTRACT §12) against a fake tracker: `follow-ups list
 * --csv` reads every page of the filtered list and prints the console's
 * worklist CSV for the same answer (its times' twins in TZ's zone, no
 * byte-order mark on stdout) (console/src/lib/worklist-csv.ts through
 * functions/core/csv.ts), a handle that starts with `=` escaped; `report --csv`
 * the console's tables; and the usage errors (exit 2) before any request.
 */
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../../cli/command';
import { runCli } from '../../cli/main';
import { readReport } from '../../console/src/report/report-doc';
import { reportCsvTables } from '../../console/src/report/report-tables';
import { asFollowUp, type FollowUp } from '../../console/src/lib/types';
import { worklistColumns, worklistTable } from '../../console/src/lib/worklist-csv';
import { csvOf } from '../../functions/core/csv';
import { parseCsv } from '../support/csv-parse';
import { followUpView } from '../support/follow-up-view';

const NOW = new Date('2026-11-22T12:00:00Z');

const item = (id: string, owner: string | null, extra: Record<string, unknown> = {}) =>
  followUpView({ id, transaction_id: id, initial_order_id: `${id}-initial`, state: owner === null ? 'new' : 'acknowledged', owner, ...extra });

/** Three pages of follow-ups; the second owned by a handle a spreadsheet would run. */
const PAGES = [
  { items: [item('txn-a', null)], next_cursor: 'c1' },
  { items: [item('txn-b', '=1+1')], next_cursor: 'c2' },
  { items: [item('txn-c', 'ana.lopez', { stale: { since: '2026-11-20T00:00:00Z', reason: 'no_progress' } })], next_cursor: null },
];

const REPORT = {
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-08T00:00:00.000Z',
  opened: 3,
  closed: 2,
  by_disposition: { patient_unreachable: 1, redraw_completed: 1 },
  open_now: 1,
  stale_now: 0,
  unassigned_now: 1,
  aging_now: { '0_7': 1, '8_14': 0, '15_30': 0, over_30: 0 },
  time_to_redraw_order_hours: { n: 0, p50: null, p90: null },
  time_to_acknowledge_hours: { n: 1, p50: 2, p90: 2 },
  time_to_close_hours: { n: 2, p50: 30, p90: 50 },
  walk_in_completed: 4,
  with_redraw: 1,
  time_zone: 'UTC',
  ended_missing: { results_still_missing: 0, no_redraw: 1, redraw_failed: 0 },
  by_lab: [],
};

function fakeTracker() {
  const paths: string[] = [];
  const fetchFake: typeof fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    paths.push(`${url.pathname}${url.search}`);
    const reply = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/follow-ups') return reply(PAGES[{ c1: 1, c2: 2 }[url.searchParams.get('cursor') ?? ''] ?? 0]);
    if (url.pathname === '/reports/redraws') return reply(REPORT);
    return new Response('{}', { status: 404 });
  };
  return { paths, fetch: fetchFake };
}

async function cli(args: string[], fetchFake?: typeof fetch): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const deps: Partial<CliDeps> = {
    env: { PORT: '3999', TZ: 'America/New_York' },
    now: () => NOW,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch:
      fetchFake ??
      (async () => {
        throw new Error('test: no request expected');
      }),
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

describe('follow-ups list --csv', () => {
  it("reads every page and prints the console worklist CSV of the same answer, times' twins in TZ's zone, the = handle escaped, no byte-order mark", async () => {
    const tracker = fakeTracker();
    const run = await cli(['follow-ups', 'list', '--csv', '--state', 'open'], tracker.fetch);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(tracker.paths).toEqual(['/follow-ups?state=open', '/follow-ups?state=open&cursor=c1', '/follow-ups?state=open&cursor=c2']);
    const items = PAGES.flatMap((page) => page.items.map(asFollowUp)).filter((one): one is FollowUp => one !== null);
    const console = worklistTable('worklist-open', items, false, 'America/New_York');
    expect(run.stdout).toBe(csvOf(console.header, console.rows));
    expect(run.stdout.charCodeAt(0)).not.toBe(0xfeff);
    const rows = parseCsv(run.stdout);
    expect(rows[0]).toContain('due_local_america_new_york');
    expect(rows).toHaveLength(4);
    const cell = (row: number, column: string) => rows[row]![rows[0]!.indexOf(column)];
    expect([cell(2, 'follow_up_id'), cell(2, 'owner'), cell(2, 'due_utc'), cell(2, 'due_local_america_new_york')]).toEqual(['txn-b', "'=1+1", '2026-11-24 15:00', '2026-11-24 10:00']);
    expect(cell(3, 'stale_reason')).toBe('no_progress');
  });

  it('has the Closed columns with --state closed', async () => {
    const run = await cli(['follow-ups', '--csv', '--state', 'closed'], fakeTracker().fetch);
    expect(parseCsv(run.stdout)[0]).toEqual(worklistColumns(true, 'America/New_York'));
    expect(run.stdout.split('\r\n')[0]).toContain('disposition,closed_by,closed_utc,closed_local_america_new_york');
  });
});

describe('report --csv', () => {
  it("prints the console's tables of the same answer, a blank line between two, and one alone with --table", async () => {
    const run = await cli(['report', '--csv', '--from', '2026-11-01', '--to', '2026-11-07'], fakeTracker().fetch);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const doc = readReport(REPORT);
    if (!doc.ok) throw new Error(doc.field);
    const tables = reportCsvTables(doc.report, null).map((table) => csvOf(table.header, table.rows));
    expect(run.stdout.startsWith(tables.join('\r\n'))).toBe(true);
    expect(tables[0]).toContain('closed_as_patient_unreachable,Closed as patient unreachable (by people),1,,,,,\r\n');
    const counts = await cli(['report', '--csv', '--table', 'durations', '--from', '2026-11-01', '--to', '2026-11-07'], fakeTracker().fetch);
    expect(counts.stdout).toBe(
      'measure,what,n,p50_hours,p90_hours\r\ntime_to_redraw_order,From opening to a redraw order,0,,\r\ntime_to_acknowledge,From opening to an acknowledgement,1,2,2\r\ntime_to_close,From opening to close,2,30,50\r\n',
    );
  });

  it('names the tables it has when --table names another (exit 2)', async () => {
    const run = await cli(['report', '--csv', '--table', 'nope', '--from', '2026-11-01', '--to', '2026-11-07'], fakeTracker().fetch);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--table must be one of counts, ended-missing, durations, aging, weeks');
  });
});

describe('--csv usage errors (exit 2), before any request', () => {
  it.each([
    [['follow-ups', '--csv', '--json']],
    [['follow-ups', '--csv', '--cursor', 'c1']],
    [['follow-ups', 'show']],
    [['report', '--csv', '--json']],
    [['report', '--table', 'counts']],
  ])('%j', async (args) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
  });
});
