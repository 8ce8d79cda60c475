/**
 * The console's Report page (CONTRACT §11, §12) in Chromium, served by
 * `npm start` with the simulator's data: the numbers on the page are those
 * GET /reports/redraws answers for the same window (read by this test, said
 * as the CLI says them), the window lives in the URL and survives a reload,
 * a bucket opens the worklist filtered to it, the weekly table holds each
 * week's own report (at most 4 asked at once), bad windows are said in words,
 * axe finds nothing, and no request leaves the page's origin.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { durationsCell, redrawRateCell } from '../../cli/report-views';
import { expectNoAxeViolations, guardedPage, launchChromium, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';

interface Durations {
  n: number;
  p50: number | null;
  p90: number | null;
}
interface Report {
  from: string;
  to: string;
  opened: number;
  closed: number;
  by_disposition: Record<string, number>;
  open_now: number;
  stale_now: number;
  unassigned_now: number;
  redraw_failed_now: number;
  attention_now: Record<'redraw_failed' | 'results_still_missing' | 'no_redraw', number>;
  closed_by_people: number;
  closed_by_tracker: number;
  aging_now: Record<'0_7' | '8_14' | '15_30' | 'over_30', number>;
  time_to_redraw_order_hours: Durations;
  time_to_acknowledge_hours: Durations;
  time_to_close_hours: Durations;
  walk_in_completed: number;
  with_redraw: number;
  time_zone: string;
}

let tracker: BrowserTracker;
let browser: Browser;
const opened: GuardedPage[] = [];

beforeAllOrFailEach(async () => {
  [tracker, browser] = await Promise.all([startTrackerForBrowser({ simulate: true }), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await tracker?.stop();
}, 60_000);

afterEach(async () => {
  for (const guarded of opened.splice(0)) {
    // Whatever the test did, nothing left the page's origin and nothing failed in it.
    expect(guarded.foreignRequests).toEqual([]);
    expect(guarded.consoleErrors).toEqual([]);
    await guarded.context.close();
  }
});

async function report(query: string): Promise<Report> {
  const response = await fetch(`${tracker.url}/reports/redraws${query === '' ? '' : `?${query}`}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Report;
}

/** The console at a hash route, past the handle prompt, with the page's h1 shown. */
async function openConsole(route: string, h1: string | RegExp = 'Redraw report'): Promise<GuardedPage> {
  const guarded = await guardedPage(browser, tracker.url);
  opened.push(guarded);
  const { page } = guarded;
  await page.goto(`${tracker.url}/#${route}`);
  const prompt = page.getByLabel('Your handle');
  await Promise.race([prompt.waitFor(), page.getByRole('heading', { level: 1, name: h1 }).waitFor()]);
  if (await prompt.isVisible()) {
    await prompt.fill('report.tester');
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.getByRole('heading', { level: 1, name: h1 }).waitFor();
  return guarded;
}

/** The text of the count cell of a row of a table, by the row header's accessible name. */
async function cell(page: Page, table: string | RegExp, row: string | RegExp): Promise<string> {
  const found = page
    .getByRole('table', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: row, exact: typeof row === 'string' }) });
  return (await found.getByRole('cell').first().innerText()).trim();
}

const COUNTS = 'Follow-ups in the window, and open now';
const AGING = 'Open follow-ups by days since they opened; each links to the worklist of those';
const WEEKLY = /^Follow-ups opened and closed per week/;

/** Today and 6 days before it, as UTC dates (the tracker's zone in these tests). */
function lastSevenDays(): { from: string; to: string } {
  const today = new Date();
  const from = new Date(today.getTime() - 6 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: today.toISOString().slice(0, 10) };
}

describe('the Report page', () => {
  it('shows the numbers GET /reports/redraws answers for the window in the URL, said as the CLI says them', async () => {
    const { from, to } = lastSevenDays();
    const expected = await report(`from=${from}&to=${to}`);
    // The simulator leaves follow-ups behind: the page has something to show.
    expect(expected.opened + expected.open_now).toBeGreaterThan(0);
    const { page } = await openConsole(`/report?from=${from}&to=${to}`);
    await page.getByRole('table', { name: COUNTS }).waitFor();

    expect(await cell(page, COUNTS, /^Opened$/)).toBe(String(expected.opened));
    expect(await cell(page, COUNTS, /^Closed$/)).toBe(`${expected.closed} (by people ${expected.closed_by_people}, by the tracker ${expected.closed_by_tracker})`);
    expect(await cell(page, COUNTS, /^Open now$/)).toBe(String(expected.open_now));
    expect(await cell(page, COUNTS, /^Stale now$/)).toBe(String(expected.stale_now));
    expect(await cell(page, COUNTS, /^Unassigned now$/)).toBe(String(expected.unassigned_now));
    expect(await cell(page, COUNTS, /^Redraw failed now$/)).toBe(String(expected.redraw_failed_now));
    expect(await cell(page, COUNTS, /^Incomplete redraw now$/)).toBe(String(expected.attention_now.results_still_missing));
    expect(await cell(page, COUNTS, /^Result missing without a redraw now$/)).toBe(String(expected.attention_now.no_redraw));
    expect(await cell(page, COUNTS, /^Redraw rate$/)).toBe(redrawRateCell(expected));
    for (const [disposition, n] of Object.entries(expected.by_disposition).filter(([, count]) => count > 0)) {
      expect(await cell(page, COUNTS, new RegExp(`^Closed as ${disposition.replaceAll('_', ' ')} `))).toBe(String(n));
    }

    const durations = /^Time taken by the \d+ closed in the window/;
    expect(await cell(page, durations, /^To a redraw order$/)).toBe(durationsCell(expected.time_to_redraw_order_hours));
    expect(await cell(page, durations, /^To an acknowledgement$/)).toBe(durationsCell(expected.time_to_acknowledge_hours));
    expect(await cell(page, durations, /^To close$/)).toBe(durationsCell(expected.time_to_close_hours));

    const aging: [string, keyof Report['aging_now']][] = [
      ['0-7 days', '0_7'],
      ['8-14 days', '8_14'],
      ['15-30 days', '15_30'],
      ['over 30 days', 'over_30'],
    ];
    for (const [label, key] of aging) expect(await cell(page, AGING, label)).toBe(String(expected.aging_now[key]));
    // The chart says the same in its accessible name, and draws each number beside its bar.
    const chart = page.getByRole('img', { name: /^Bar chart of open follow-ups by days open/ });
    const summary = await chart.getAttribute('aria-label');
    for (const [label, key] of aging) expect(summary).toContain(`${label} ${expected.aging_now[key]}`);
    const drawn = await chart.locator('text.value').allTextContents();
    expect(drawn).toEqual(aging.map(([, key]) => String(expected.aging_now[key])));
  });

  it('keeps the window in the URL: a preset and the From/To form both survive a reload', async () => {
    const { page } = await openConsole('/report');
    await page.getByRole('link', { name: 'Last 12 weeks' }).click();
    await page.waitForURL(/#\/report\?weeks=12$/);
    await expect.poll(() => page.getByRole('link', { name: 'Last 12 weeks' }).getAttribute('aria-current')).toBe('page');
    await page.reload();
    await page.getByRole('table', { name: COUNTS }).waitFor();
    expect(page.url()).toMatch(/#\/report\?weeks=12$/);
    expect(await page.getByRole('link', { name: 'Last 12 weeks' }).getAttribute('aria-current')).toBe('page');
    const twelve = await report('weeks=12');
    expect(await cell(page, COUNTS, /^Opened$/)).toBe(String(twelve.opened));
    // The form shows the 12 weeks' dates: from a Monday to the Sunday before this week.
    const shownFrom = await page.getByLabel('From', { exact: true }).inputValue();
    expect(shownFrom).toBe(twelve.from.slice(0, 10));

    const { from, to } = lastSevenDays();
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To (included)', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.waitForURL(new RegExp(`#/report\\?from=${from}&to=${to}$`));
    await page.reload();
    await page.getByRole('table', { name: COUNTS }).waitFor();
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(from);
    expect(await page.getByLabel('To (included)', { exact: true }).inputValue()).toBe(to);
    const week = await report(`from=${from}&to=${to}`);
    expect(await cell(page, COUNTS, /^Opened$/)).toBe(String(week.opened));
    expect(await cell(page, COUNTS, /^Closed$/)).toMatch(new RegExp(`^${week.closed} `));
  });

  it('opens the worklist filtered to a bucket from its link', async () => {
    const { page } = await openConsole('/report');
    await page.getByRole('table', { name: AGING }).getByRole('link', { name: '8-14 days' }).click();
    await page.waitForURL(/#\/worklist\?queue=open&age=8_14$/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Worklist');
  });

  it('charts the 8 whole weeks before this one and this week so far, each week\'s counts its own report, at most 4 asked at once', async () => {
    const guarded = await guardedPage(browser, tracker.url);
    opened.push(guarded);
    const { page } = guarded;
    let inFlight = 0;
    let most = 0;
    let asked = 0;
    const isReport = (url: string) => new URL(url).pathname === '/reports/redraws';
    page.on('request', (request) => {
      if (!isReport(request.url())) return;
      asked++;
      most = Math.max(most, ++inFlight);
    });
    const done = (url: string) => {
      if (isReport(url)) inFlight--;
    };
    page.on('requestfinished', (request) => done(request.url()));
    page.on('requestfailed', (request) => done(request.url()));

    await page.goto(`${tracker.url}/#/report`);
    const prompt = page.getByLabel('Your handle');
    await prompt.fill('report.tester');
    await page.getByRole('button', { name: 'Continue' }).click();
    const table = page.getByRole('table', { name: WEEKLY });
    await table.waitFor();

    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(9);
    expect(asked).toBe(1 + 9);
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(1);
    const starts = await rows.locator('th time').evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''));
    expect(await rows.last().getByRole('rowheader').innerText()).toMatch(/\(this week, so far\)$/);
    for (let index = 0; index < starts.length; index++) {
      const start = new Date(starts[index]!);
      // Mondays 00:00 in the tracker's zone (UTC here), one week apart.
      expect(start.getUTCDay()).toBe(1);
      expect(start.getUTCHours()).toBe(0);
      if (index > 0) expect(start.getTime() - new Date(starts[index - 1]!).getTime()).toBe(7 * 86_400_000);
      const end = new Date(start.getTime() + 7 * 86_400_000);
      const week = await report(`from=${start.toISOString()}&to=${end.toISOString()}`);
      const cells = await rows.nth(index).getByRole('cell').allInnerTexts();
      expect(cells).toEqual([String(week.opened), String(week.closed)]);
    }
    // This week holds today.
    const last = new Date(starts.at(-1)!).getTime();
    expect(Date.now() - last).toBeLessThan(7 * 86_400_000);
    expect(Date.now()).toBeGreaterThanOrEqual(last);
    const chart = page.getByRole('img', { name: /^Grouped bar chart of follow-ups opened and closed per week, 9 weeks/ });
    expect(await chart.count()).toBe(1);
  });

  it('says why a window in the URL was not used, and refuses a backwards window in the form naming the field', async () => {
    const { page } = await openConsole('/report?from=2026-02-30&to=2026-03-01');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'From date is not a real date' }).count()).toBe(1);
    expect(await page.getByText('the 7 days up to now', { exact: true }).count()).toBe(1);

    await page.getByLabel('From', { exact: true }).fill('2026-11-20');
    await page.getByLabel('To (included)', { exact: true }).fill('2026-11-10');
    await page.getByRole('button', { name: 'Show report' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('The To date must be the same as or after the From date.');
    expect(await page.getByLabel('To (included)', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/#\/report\?from=2026-02-30&to=2026-03-01$/);
    // The message links to the field it is about, and following it stays on the page.
    await alert.getByRole('link').click();
    expect(await page.getByLabel('To (included)', { exact: true }).evaluate((input) => input === input.ownerDocument.activeElement)).toBe(true);
    expect(page.url()).toMatch(/#\/report\?from=2026-02-30&to=2026-03-01$/);
  });

  it('says an error of the API in words', async () => {
    const guarded = await openConsole('/report?weeks=4');
    await guarded.page.getByRole('table', { name: COUNTS }).waitFor();
    // The tracker's own answers are all 2xx for this window: this one answer is replaced by a refusal.
    await guarded.context.route((url) => url.pathname === '/reports/redraws' && url.search === '?weeks=4', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'the tracker is busy' } }) }));
    await guarded.page.reload();
    const alert = guarded.page.getByRole('alert').filter({ hasText: 'Could not load the report' });
    await alert.waitFor();
    expect(await alert.innerText()).toBe('Could not load the report: the tracker is busy (HTTP 503, unavailable)');
    // Chromium logs the 503 itself; that is the only console error.
    expect(guarded.consoleErrors.length).toBeGreaterThan(0);
    expect(guarded.consoleErrors.every((error) => error.includes('503'))).toBe(true);
    guarded.consoleErrors.splice(0);
  });

  it('draws the whole page under the console\'s own Content-Security-Policy without a violation', async () => {
    // No bypass here: whatever the CSP refuses on the page (an inline script, a style element or attribute in markup) is logged.
    const guarded = await guardedPage(browser, tracker.url, { bypassCSP: false });
    opened.push(guarded);
    const { page } = guarded;
    const response = await page.goto(`${tracker.url}/#/report?weeks=4`);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByLabel('Your handle').fill('report.tester');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('table', { name: WEEKLY }).waitFor();
    expect(await page.getByRole('img', { name: /^Bar chart of open follow-ups/ }).isVisible()).toBe(true);
    // afterEach checks that nothing was logged (a CSP refusal is a console error).
  });

  it('has no accessibility violations (axe, WCAG 2.2 AA), and prints without its controls', async () => {
    const { page } = await openConsole('/report?weeks=4');
    await page.getByRole('table', { name: WEEKLY }).waitFor();
    await expectNoAxeViolations(page, 'the Report page');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Show report' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Last 4 weeks' }).isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(false);
    expect(await page.getByRole('table', { name: AGING }).isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: COUNTS }).isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: /^Grouped bar chart/ }).isVisible()).toBe(true);
  });
});
