/**
 * The Report page's bookings by lab in Chromium (test/browser/console-report.test.ts;
 * CONTRACT §14 "The report", issue 85 item 1): a redraw at Quest booked through
 * the Junction stand-in by the tracker's actions API (so that one lab's row has
 * a booking), and what the section must say for GET /reports/redraws's
 * `bookings_by_lab`, worked out here apart from the console's code: the rows
 * (labs with a redraw, then all labs), the shares in percent with their samples
 * and 95% Wilson intervals, the time to booking as the CLI words durations, and
 * "as of" the moment the page read the report, in the browser's zone.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { durationsCell } from '../../cli/report-views';
import { timeWords } from '../../console/src/lib/time';
import { intervalPercentWords, wilsonInterval } from '../../console/src/report/wilson';
import type { BookingsByLab } from '../../functions/core/report';
import type { JunctionStandin } from '../../local/junction-standin';
import { hereSites, seedRedraw } from './browser-booking';
import { labWords, lastSevenDays, readReport, tableRows } from './browser-report';

export const BOOKINGS = /^Bookings of the redraws opened in the window, by lab/;

/** A redraw at Quest, opened 3 days ago, booked through the stand-in; resolves once the report of the last 7 days counts a booking. */
export async function bookOneRedraw(url: string, secret: string, standin: JunctionStandin): Promise<void> {
  const { followUpId } = await seedRedraw(url, secret, standin, 'quest');
  const [first] = await hereSites(url, followUpId);
  const slot = first!.times.days[0]!.slots.find((one) => one.bookable)!;
  const booked = await fetch(`${url}/follow-ups/${followUpId}/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-redraw-actor': 'report.tester' },
    body: JSON.stringify({ action: 'book', booking_key: slot.booking_key, site_code: first!.site.site_code, slot_start: slot.start }),
  });
  expect(booked.status, await booked.clone().text()).toBe(200);
  const { from, to } = lastSevenDays();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const all = (await readReport(url, `from=${from}&to=${to}`)).bookings_by_lab.at(-1);
    if ((all?.booked ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`the report never counted the booking: ${JSON.stringify(all)}`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

const percent = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;
const share = (what: string, part: number, whole: number, none: string): string[] =>
  whole === 0 ? [`${what}: ${none}`] : [`${what}: ${percent(part, whole)}% (${part} of ${whole})`, `95% interval ${intervalPercentWords(wilsonInterval(part, whole)!)}`];

/** The rows the section shows: the labs with a redraw, then all labs (the API's last row). */
export const shownRows = (rows: readonly BookingsByLab[]) => rows.filter((row) => row.lab === null || row.redraws > 0);
const rowLab = (row: BookingsByLab) => (row.lab === null ? 'All labs' : labWords(row.lab));

/** A row's two shares as the chart words them: booked (of the redraws), drawn after booking (of the booked). */
export function shareWords(row: BookingsByLab): [string[], string[]] {
  return [share('Booked', row.booked, row.redraws, 'no redraw'), share('Drawn after booking', row.booked_then_drawn, row.booked, 'none booked')];
}

/** A row of the table as shown. */
export function bookingCells(row: BookingsByLab): string[] {
  return [
    rowLab(row),
    String(row.redraws),
    `${row.booked} of ${row.redraws} (${percent(row.booked, row.redraws)}%)`,
    String(row.booked_here),
    row.booked === 0 ? 'none booked' : `${row.booked_then_drawn} of ${row.booked} booked (${percent(row.booked_then_drawn, row.booked)}%)`,
    String(row.appointment_missed),
    durationsCell(row.time_to_booking_hours),
  ];
}

/**
 * The section on `page` (loaded between `before` and `after`) against the API's
 * rows: its "as of", its table, and its chart (its name, each share's words
 * drawn on one line, a bar and an interval per share with a sample, the drawn
 * bars hatched).
 */
export async function expectBookingsSection(page: Page, rows: readonly BookingsByLab[], before: number, after: number): Promise<void> {
  const section = page.getByRole('region', { name: 'Bookings by lab' });
  await section.getByRole('table', { name: BOOKINGS }).waitFor();
  const zone = await page.evaluate<string>('Intl.DateTimeFormat().resolvedOptions().timeZone');
  const minutes = new Set<string>();
  for (let at = Math.floor(before / 60_000) * 60_000; at <= after; at += 60_000) minutes.add(timeWords(new Date(at).toISOString(), zone));
  expect([...minutes]).toContain(await section.locator('.report-bookings-as-of').innerText());
  expect(await section.innerText()).toContain('as of ');

  const shown = shownRows(rows);
  expect(await tableRows(page, BOOKINGS)).toEqual(shown.map(bookingCells));

  const chart = section.getByRole('img', { name: /^Bar chart of the booked share/ });
  const name = (await chart.getAttribute('aria-label')) ?? '';
  for (const row of shown) expect(name).toContain(`${rowLab(row)}: ${shareWords(row).map((words) => words.join(', ')).join('; ')}`);
  for (const row of rows.filter((one) => one.lab !== null && one.redraws === 0)) expect(name).not.toContain(`${labWords(row.lab!)}:`);
  expect(await chart.locator('text.label').allTextContents()).toEqual(shown.map(rowLab));
  const withSample = shown.flatMap(shareWords).filter((words) => words.length === 2);
  expect(await chart.locator('text.value').allTextContents()).toEqual(shown.flatMap(shareWords).map((words) => words.join(', ')));
  expect(await chart.locator('rect.bar').count()).toBe(withSample.length);
  expect(await chart.locator('g.interval').count()).toBe(withSample.length);
  expect(await chart.locator('rect.bar.drawn').count()).toBe(shown.filter((row) => row.booked > 0).length);
  // Drawn bars are hatched (solid booked ones are not): told apart without colour.
  expect(await page.evaluate<string[]>("[...document.querySelectorAll('.report-bookings svg rect.bar')].map((bar) => getComputedStyle(bar).fill)")).toEqual(
    shown.flatMap((row) => [...(row.redraws > 0 ? ['booked'] : []), ...(row.booked > 0 ? ['drawn'] : [])]).map((kind) => (kind === 'drawn' ? expect.stringContaining('report-bookings-hatch') : expect.not.stringContaining('url('))),
  );
}
