/**
 * CSV downloads in Chromium against `npm start` (CONTRACT §12, issues 73 and
 * 84): every table of the Report page and a worklist view of more than one
 * page save as RFC 4180 CSV through a Blob and an `<a download>` under the
 * console's own Content-Security-Policy, each file UTF-8 with a byte-order
 * mark, named by the report's window or the view and its filters, and data for
 * a spreadsheet: read back with a CSV parser, each column holds one kind of
 * value (test/support/csv-columns.ts), times as `YYYY-MM-DD HH:MM` in UTC with
 * a twin in the browser's zone, and the values are the table's (the same
 * rows, counts and ids; a cell that starts with = + - @ read with its '
 * before it); the worklist's file reads every page of the view, saying how
 * many rows it read; axe finds nothing on the new controls; and the CLI's
 * `--csv` prints the same bytes for the same data, without the mark.
 *
 * The report's tables are checked against an answer of the test's own (every
 * table shown: three groups of labs, failure types, dispositions, "-" cells),
 * served for GET /reports/redraws to the page and to the CLI alike. The
 * worklist holds 55 follow-ups of the test's, so that the open queue runs to
 * two pages; the CLI reads the same tracker.
 *
 * Why it takes its time (issue 87): `npm start`, 55 follow-ups opened by the
 * test's signed webhooks (waited for until all are open), Chromium, and
 * downloads saved and read back from the page under its own CSP. A download
 * through a Blob and `<a download>`, allowed or not by the CSP, is the
 * browser's; the CSV's bytes are also compared with the CLI's on the same
 * tracker.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, guardedPage, releaseWorkerChromium, workerChromium, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { durationsCell } from '../../cli/report-views';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { percentNumber, wilsonInterval } from '../../console/src/report/wilson';
import { runCliInProcess } from '../support/cli-in-process';
import { expectColumnKinds, REPORT_KINDS, worklistKinds } from '../support/csv-columns';
import { parseCsv } from '../support/csv-parse';
import { expectReportValues } from '../support/report-csv-values';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { newSecret, postSignedWebhook } from '../support/webhook';

const HANDLE = 'ana.lopez';
/** A handle §9 allows (`=` and `+` are in its character set) that a spreadsheet would run as a formula. */
const FORMULA_HANDLE = '=1+1';
const OWN_FOLLOW_UPS = 55;
const secret = newSecret();
let tracker: BrowserTracker;
let browser: Browser;
const opened: GuardedPage[] = [];
/** Answers GET /reports/redraws with REPORT, for the CLI (the page gets it through a route). */
let reportStandin: { url: string; server: Server };

/** A report answer with every table the page can show. */
const durations = (n: number, p50: number | null, p90: number | null) => ({ n, p50, p90 });
const lab = (lab: string, method: string, completed: number, withRedraw: number, failureTypes: Record<string, number>, endedMissing = 0) => ({
  lab,
  method,
  completed,
  with_redraw: withRedraw,
  redraw_rate: completed === 0 ? null : Math.round((withRedraw / completed) * 1000) / 10,
  ended_missing: endedMissing,
  time_to_redraw_results_hours: withRedraw > 0 ? durations(withRedraw, 30.5, 80) : durations(0, null, null),
  failure_types: failureTypes,
});
const bookings = (lab: string | null, redraws: number, booked: number, here: number, drawn: number, missed: number, hours: ReturnType<typeof durations>) => ({
  lab,
  redraws,
  booked,
  booked_here: here,
  booked_then_drawn: drawn,
  appointment_missed: missed,
  time_to_booking_hours: hours,
});
const REPORT = {
  from: '2026-10-30T00:00:00.000Z',
  to: '2026-11-27T00:00:00.000Z',
  opened: 41,
  closed: 30,
  by_disposition: { redraw_completed: 12, patient_unreachable: 9, cancelled: 4, reordered: 5 },
  open_now: 17,
  stale_now: 3,
  unassigned_now: 2,
  redraw_failed_now: 1,
  attention_now: { redraw_failed: 1, results_still_missing: 2, no_redraw: 0 },
  closed_by_people: 14,
  closed_by_tracker: 16,
  aging_now: { '0_7': 9, '8_14': 4, '15_30': 3, over_30: 1 },
  time_to_redraw_order_hours: durations(12, 20.25, 70),
  time_to_acknowledge_hours: durations(28, 0.4, 5.5),
  time_to_close_hours: durations(0, null, null),
  walk_in_completed: 120,
  with_redraw: 21,
  time_zone: 'UTC',
  ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 1 },
  // A handle a spreadsheet would run, among the people who closed (CONTRACT §11, §12).
  closes_by_person: [
    { actor: 'dee.park', closed: 6 },
    { actor: '=1+1', closed: 5 },
    { actor: 'ana.ruiz', closed: 3 },
  ],
  closes_counted_since: '2026-10-01T00:00:00.000Z',
  by_lab: [
    lab('quest', 'walk_in_test', 60, 12, { quantity_not_sufficient_failure: 7, internal_lab_failure: 2 }, 2),
    lab('labcorp', 'walk_in_test', 40, 6, { sample_damaged_failure: 3 }),
    lab('north-lab', 'at_home_phlebotomy', 4, 2, { unknown_failure: 1 }, 1),
    lab('east-lab', 'walk_in_test', 0, 0, {}),
    lab('bioreference', 'walk_in_test', 16, 0, {}),
  ],
  // Bookings by lab (CONTRACT §14 "The report"): a lab booked and drawn, one not booked, one without a redraw (not shown), all labs.
  bookings_by_lab: [
    bookings('east-lab', 0, 0, 0, 0, 0, durations(0, null, null)),
    bookings('north-lab', 3, 0, 0, 0, 0, durations(0, null, null)),
    bookings('quest', 12, 7, 5, 4, 1, durations(7, 20.5, 70)),
    bookings(null, 15, 7, 5, 4, 1, durations(7, 20.5, 70)),
  ],
  first_bookings: durations(6, 18, 60),
};

/**
 * The bookings' CSV (header and rows of data) as the page's table says it: the
 * lab in words with its code, "3 of 10 (30%)", "1 of 3 booked (33.3%)", the
 * hours as the CLI words durations; each row's counts and interval those of the
 * test's answer (the interval's ends the Wilson interval of its counts).
 */
function bookingsWordsOf([header, ...rows]: string[][]): string[][] {
  expect(header).toEqual(['lab', 'lab_name', 'redraws', 'booked', 'booked_percent', 'booked_percent_low', 'booked_percent_high', 'booked_here', 'booked_then_drawn', 'drawn_percent', 'drawn_percent_low', 'drawn_percent_high', 'appointment_missed', 'time_to_booking_n', 'time_to_booking_p50_hours', 'time_to_booking_p90_hours']);
  const shownRows = REPORT.bookings_by_lab.filter((row) => row.redraws > 0);
  expect(rows.map((cells) => cells[0])).toEqual(shownRows.map((row) => row.lab ?? ''));
  const ends = (part: number, whole: number) => (whole === 0 ? ['', ''] : Object.values(wilsonInterval(part, whole)!).map((end) => String(percentNumber(end))));
  const words = rows.map((cells, index) => {
    const [lab, name, redraws, booked, bookedPercent, bookedLow, bookedHigh, here, drawn, drawnPercent, drawnLow, drawnHigh, missed, n, p50, p90] = cells;
    const api = shownRows[index]!;
    expect([redraws, booked, here, drawn, missed, n].map(Number)).toEqual([api.redraws, api.booked, api.booked_here, api.booked_then_drawn, api.appointment_missed, api.time_to_booking_hours.n]);
    expect([bookedLow, bookedHigh, drawnLow, drawnHigh]).toEqual([...ends(api.booked, api.redraws), ...ends(api.booked_then_drawn, api.booked)]);
    const hours = (cell: string | undefined) => (cell === '' || cell === undefined ? null : Number(cell));
    return [
      lab === '' ? name! : name === '' ? lab! : `${name} (${lab})`,
      redraws!,
      `${booked} of ${redraws} (${bookedPercent}%)`,
      here!,
      drawnPercent === '' ? 'none booked' : `${drawn} of ${booked} booked (${drawnPercent}%)`,
      missed!,
      durationsCell({ n: Number(n), p50: hours(p50), p90: hours(p90) }),
    ];
  });
  return [['Lab', 'Redraws', 'Booked (of the redraws)', 'Booked through Junction', 'Drawn after booking (of the booked)', 'Missed appointments', 'Time to booking'], ...words];
}

/** A cell as the CSV must hold it: with a ' before a leading = + - @, tab or CR (CONTRACT §12). */
const escaped = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/** The file a click on `button` saves: its name, whether it starts with UTF-8's byte-order mark, and its text after it (checked to be UTF-8). */
async function downloaded(page: Page, button: Locator): Promise<{ name: string; bom: boolean; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = await readFile((await (download as Download).path())!);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { name: (download as Download).suggestedFilename(), bom, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bom ? bytes.subarray(3) : bytes) };
}

/** A table's header and rows as the page shows them, each cell's text with its spaces collapsed. */
async function shownTable(table: Locator): Promise<string[][]> {
  return table.evaluate((element) =>
    [...element.querySelectorAll('tr')].map((row) => [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

async function newPage(options: { bypassCSP?: boolean; timezoneId?: string } = {}): Promise<Page> {
  const guarded = await guardedPage(browser, tracker.url, options);
  opened.push(guarded);
  const { page } = guarded;
  await page.goto(`${tracker.url}/#/worklist`);
  await page.getByLabel('Your handle').fill(HANDLE);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText(`Signed in as ${HANDLE}`).waitFor();
  return page;
}

/** Opens the report with the test's answer for every GET /reports/redraws. */
async function reportWithAnswer(page: Page): Promise<void> {
  await page.route((url) => url.pathname === '/reports/redraws', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(REPORT) }));
  await page.goto(`${tracker.url}/#/report?from=2026-10-30&to=2026-11-26`);
  await page.locator('.report-weeks-table').waitFor();
  // The rows without a redraw are folded: open them, as a person would to read them.
  await page.locator('.report-labs-zero summary').click();
}

/** Each "Download CSV" button of the report and the table it saves. */
async function reportButtons(page: Page): Promise<{ button: Locator; table: Locator }[]> {
  const buttons = page.getByRole('button', { name: /^Download CSV: / });
  const found: { button: Locator; table: Locator }[] = [];
  for (let index = 0; index < (await buttons.count()); index++) {
    const button = buttons.nth(index);
    // A DataTable's button shares its wrapper with the table; a lab table's follows its scrolling region.
    const table = button.locator('xpath=ancestor::*[contains(@class,"table-with-csv")][1]//table | ancestor::p[1]/preceding-sibling::div[contains(@class,"table-wrap")][1]//table');
    found.push({ button, table });
  }
  return found;
}

async function postOwnFollowUps(): Promise<void> {
  const start = new Date(Date.now() - 20 * 3_600_000);
  for (let index = 0; index < OWN_FOLLOW_UPS; index++) {
    // The initial order's last webhook (redraw_available) alone opens its follow-up: its events[] carry the history.
    const deliveries = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'not_created', start));
    expect(await postSignedWebhook(tracker.url, secret, deliveries.at(-1)!.body)).toBe(200);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = (await (await fetch(`${tracker.url}/follow-ups/counts`, { headers: { 'x-redraw-actor': HANDLE } })).json()) as { counts: Record<string, number> };
    if ((counts.counts.open ?? 0) >= OWN_FOLLOW_UPS) return;
    if (Date.now() > deadline) throw new Error(`the follow-ups never all opened: ${JSON.stringify(counts)}`);
    await new Promise((wake) => setTimeout(wake, 500));
  }
}

async function startReportStandin(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const found = new URL(request.url ?? '/', 'http://localhost').pathname === '/reports/redraws';
    response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(found ? REPORT : { error: { code: 'not_found' } }));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

beforeAllOrFailEach(async () => {
  [tracker, browser, reportStandin] = await Promise.all([startTrackerForBrowser({ env: { JUNCTION_WEBHOOK_SECRET: secret } }), workerChromium(), startReportStandin()]);
  await postOwnFollowUps();
  // One follow-up owned by a handle a spreadsheet would run: stored before CONTRACT §9's rule (a handle a person gives
  // starts with a letter or a digit, so the API refuses it now), kept as it was and escaped in the file.
  const first = (await (await fetch(`${tracker.url}/follow-ups?queue=unassigned&limit=1`, { headers: { 'x-redraw-actor': HANDLE } })).json()) as { items: { id: string }[] };
  await storeOwnerAsBefore(first.items[0]!.id, FORMULA_HANDLE);
}, 300_000);

/** Writes `owner` onto follow-up `id` in npm start's table, as a version before the handle rule did (the API refuses it now). */
async function storeOwnerAsBefore(id: string, owner: string): Promise<void> {
  const endpoint = /DynamoDB: (http:\/\/127\.0\.0\.1:\d+)/.exec(tracker.tracker.stdout())?.[1];
  if (endpoint === undefined) throw new Error(`no DynamoDB endpoint in npm start's banner:\n${tracker.tracker.stdout()}`);
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  try {
    const db = documentTable(documentClientOf(client));
    const stored = (await getFollowUp(db, 'redraw-tracker', id, new Date()))!;
    expect(await writeStoredFollowUp(db, 'redraw-tracker', stored, { ...stored, followUp: { ...stored.followUp, owner, state: 'acknowledged' } }, [], new Date())).toBe('written');
  } finally {
    client.destroy();
  }
}

afterEach(async () => {
  for (const guarded of opened.splice(0)) {
    expect(guarded.foreignRequests).toEqual([]);
    expect(guarded.consoleErrors).toEqual([]);
    await guarded.context.close();
  }
});

afterAll(async () => {
  await releaseWorkerChromium(browser);
  await tracker?.stop();
  await new Promise((closed) => reportStandin?.server.close(closed));
}, 60_000);

describe('CSV downloads', () => {
  it("saves every table of the report, under the console CSP, as data named by the report's window, each the table shown; the CLI prints the same files from the same answer", async () => {
    const page = await newPage({ bypassCSP: false });
    await reportWithAnswer(page);
    const buttons = await reportButtons(page);
    const names: string[] = [];
    const files: string[] = [];
    for (const { button, table } of buttons) {
      // Chromium lets a page save 10 files, no more: the page is loaded anew for the rest.
      if (names.length === 10) {
        await page.reload();
        await page.locator('.report-weeks-table').waitFor();
        await page.locator('.report-labs-zero summary').click();
      }
      const shown = await shownTable(table);
      const { name, bom, text } = await downloaded(page, button);
      names.push(name);
      files.push(text);
      expect(bom, `${name} starts with a byte-order mark`).toBe(true);
      expect(text.endsWith('\r\n'), name).toBe(true);
      const tableName = /^report-(.+?)-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/.exec(name)?.[1] ?? name;
      const rows = parseCsv(text);
      expectColumnKinds(rows, REPORT_KINDS[tableName] ?? {}, name);
      // The bookings' words are those their columns give, cell by cell.
      if (tableName === 'bookings-by-lab') expect(bookingsWordsOf(rows), name).toEqual(shown);
      else expectReportValues(tableName, rows, shown);
    }
    // Each file is named by the report's window (its first and last days), the weeks by their own span.
    const window = '2026-10-30-to-2026-11-26';
    expect(names.slice(0, -1)).toEqual(
      ['counts', 'ended-missing', 'durations', 'aging', 'closes-by-person', 'labs-ranked', 'labs-too-few', 'labs-zero', 'failure-types', 'bookings-by-lab'].map((table) => `report-${table}-${window}.csv`),
    );
    expect(names.at(-1)).toMatch(/^report-weeks-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    // Empty for none, never "-"; a closer's handle escaped.
    expect(files[2]).toContain('time_to_close,From opening to close,0,,\r\n');
    expect(files[4]).toContain("'=1+1,");

    // The CLI, given the same answer, prints the same files in the same order, a blank line between two.
    const cli = await runCliInProcess(['report', '--csv', '--from', '2026-10-30', '--to', '2026-11-26'], { TRACKER_URL: reportStandin.url, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(cli.code, cli.stderr).toBe(0);
    const cliFiles = cli.stdout.split('\r\n\r\n').map((block, index, all) => (index === all.length - 1 ? block : `${block}\r\n`));
    // The weeks (last on both) differ by design: the page charts 8 whole weeks, the CLI the window's. Every other table is the same file, without the mark.
    expect(cli.stdout.charCodeAt(0)).not.toBe(0xfeff);
    expectColumnKinds(parseCsv(cliFiles.at(-1)!), REPORT_KINDS.weeks!, 'the CLI\'s weeks');
    expect(cliFiles.slice(0, -1)).toEqual(files.slice(0, -1));
    const counts = await runCliInProcess(['report', '--csv', '--table', 'counts', '--from', '2026-10-30', '--to', '2026-11-26'], { TRACKER_URL: reportStandin.url, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(counts.stdout).toBe(files[0]);
  });

  it('passes axe with the report\'s Download CSV buttons', async () => {
    const page = await newPage();
    await reportWithAnswer(page);
    expect(await page.getByRole('button', { name: /^Download CSV: / }).count()).toBe(11);
    await expectNoAxeViolations(page, 'report with its CSV buttons');
  });

  it('saves a worklist view of two pages as data, counting the rows it reads, the rows its pages show, the = handle escaped, and the CLI prints the same; a filtered view named by its filters', async () => {
    const page = await newPage({ timezoneId: 'America/New_York' });
    await page.goto(`${tracker.url}/#/worklist?queue=open`);
    await page.locator('table.worklist-rows').waitFor();
    const reads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/follow-ups') reads.push(request.url());
    });
    const { name, bom, text } = await downloaded(page, page.getByRole('button', { name: 'Download this view as CSV' }));
    expect(name).toMatch(/^worklist-open-\d{4}-\d\d-\d\d\.csv$/);
    expect(bom).toBe(true);
    const rows = parseCsv(text);
    expect(reads.length, 'GET /follow-ups pages read').toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'rows saved' }).textContent()).toBe(`${rows.length - 1} rows saved as ${name}.`);
    await expectNoAxeViolations(page, 'worklist after a CSV download');
    // Data for a spreadsheet: one kind of value per column, times in UTC and in the browser's zone, named in the header.
    expectColumnKinds(rows, worklistKinds(false, 'america_new_york'), name);

    // The page's rows, page after page, as shown.
    const shown: string[][] = [];
    for (;;) {
      await page.locator('table.worklist-rows').waitFor();
      shown.push(...(await worklistRows(page)));
      const next = page.getByRole('link', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      const before = shown.at(-1)![0]!;
      await next.click();
      // The next page's rows, once the first page's are gone.
      await page.waitForFunction(`(() => { const links = [...document.querySelectorAll('table.worklist-rows tbody tr a.row-link')]; return links.length > 0 && !links.some((link) => link.getAttribute('aria-label') === ${JSON.stringify(before)}); })()`);
    }
    expect(shown.length).toBeGreaterThan(50);
    // The same follow-ups in the same order: ids, the order to paste, the owner (the table's "None": empty), the due time to the minute.
    const column = (header: string) => rows.slice(1).map((row) => row[rows[0]!.indexOf(header)]);
    const minute = (iso: string) => (/^\d{4}-\d\d-\d\dT/.test(iso) ? iso.slice(0, 16).replace('T', ' ') : '');
    expect(column('follow_up_id')).toEqual(shown.map((row) => row[0]));
    expect(column('order_id')).toEqual(shown.map((row) => row[1]));
    expect(column('owner')).toEqual(shown.map((row) => (row[6] === 'None' ? '' : escaped(row[6]!))));
    expect(column('due_utc')).toEqual(shown.map((row) => minute(row[4]!)));
    expect(text).toContain(`,'${FORMULA_HANDLE},`);

    // The CLI prints the same file, without the byte-order mark, its twin times in TZ's zone.
    const cli = await runCliInProcess(['follow-ups', '--csv'], { TRACKER_URL: tracker.url, AWS_EC2_METADATA_DISABLED: 'true', TZ: 'America/New_York' });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(text);

    // A filtered view's file is named by its filters and holds that view alone.
    // (The one acknowledged follow-up is the one whose owner a spreadsheet would run.)
    await page.goto(`${tracker.url}/#/worklist?queue=open&state=acknowledged`);
    await page.locator('table.worklist-rows').waitFor();
    const filtered = await downloaded(page, page.getByRole('button', { name: 'Download this view as CSV' }));
    expect(filtered.name).toMatch(/^worklist-open-state-acknowledged-\d{4}-\d\d-\d\d\.csv$/);
    const filteredRows = parseCsv(filtered.text);
    expect(filteredRows.slice(1).map((row) => row[filteredRows[0]!.indexOf('owner')])).toEqual([`'${FORMULA_HANDLE}`]);
  });

  it('stops a worklist download on Stop, saving nothing and saying so', async () => {
    const page = await newPage();
    await page.goto(`${tracker.url}/#/worklist?queue=open`);
    await page.locator('table.worklist-rows').waitFor();
    // Hold the second page's read, so that Stop comes while it runs.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route((url) => url.pathname === '/follow-ups' && url.searchParams.has('cursor'), async (route) => {
      await held;
      await route.continue();
    });
    let saved = false;
    page.on('download', () => (saved = true));
    await page.getByRole('button', { name: 'Download this view as CSV' }).click();
    await page.getByRole('status').filter({ hasText: /^50 rows read…$/ }).waitFor();
    await expectNoAxeViolations(page, 'worklist while a CSV download reads');
    await page.getByRole('button', { name: 'Stop' }).click();
    release();
    await page.getByRole('status').filter({ hasText: 'Stopped after 50 rows: nothing was saved.' }).waitFor();
    await expect.poll(() => page.evaluate<string | null>('document.activeElement && document.activeElement.textContent')).toBe('Download this view as CSV');
    await page.waitForTimeout(500);
    expect(saved).toBe(false);
  });
});

/** The worklist table's rows as the CSV says them: whole ids, the <time datetime>, the owner without "(you)". */
async function worklistRows(page: Page): Promise<string[][]> {
  return page.locator('table.worklist-rows tbody tr').evaluateAll((rows) =>
    rows.map((row) =>
      [...row.querySelectorAll('th, td')].map((cell, index) => {
        const text = (cell.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (index === 0) return cell.querySelector('a.row-link')?.getAttribute('aria-label') ?? '';
        const time = cell.querySelector('time');
        if (time !== null) return time.getAttribute('datetime') ?? '';
        if (index === 1) return (cell.querySelector('.visually-hidden')?.textContent ?? text).replace(/^(Redraw|Initial) order /, '');
        const owner = cell.querySelector('.owner-cell > span');
        if (owner !== null) return (owner.textContent ?? '').replace(/ \((not )?you\)$/, '');
        return text;
      }),
    ),
  );
}
