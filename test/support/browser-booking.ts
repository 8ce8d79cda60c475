/**
 * The booking panel's browser test (test/browser/console-booking.test.ts,
 * CONTRACT §14, issue 83 item 6): redraws `npm start` can book through the
 * Junction stand-in, posted as Junction's signed webhooks; what the tracker
 * answers about their sites and slots (to know what the page must show); and a
 * page's keys, counted.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../../console/src/lib/http';
import type { JunctionStandin } from '../../local/junction-standin';
import { atLab, buildDeliveries, freshId, redrawFlow } from './junction';
import { postSignedWebhook } from './webhook';

const DAY = 86_400_000;

export interface Redraw {
  followUpId: string;
  redrawId: string;
}

interface Detail {
  follow_up: { id: string; state: string; owner: string | null; version: number; snoozed_until: string | null; booking: Record<string, unknown> | null };
  history: { action: string; [field: string]: unknown }[];
  booking_options: { book: string; why: string | null };
}

/** GET of the tracker's API (as `observer`): the JSON, or an error naming the status. */
export async function read<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: { 'x-redraw-actor': 'observer' } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export const detail = (url: string, id: string) => read<Detail>(url, `/follow-ups/${id}`);

/**
 * A walk-in redraw at `lab` still to be drawn, known to the stand-in and posted
 * to the tracker as Junction's webhooks; resolves once its follow-up is open
 * with `booking_options.book` as `lab` gives it (here for Quest, with_lab_only else).
 */
export async function seedRedraw(url: string, secret: string, standin: JunctionStandin, lab: string): Promise<Redraw> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const deliveries = buildDeliveries(atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * DAY)), lab));
  await standin.recordDeliveries(deliveries);
  for (const delivery of deliveries) expect(await postSignedWebhook(url, secret, delivery.body)).toBe(200);
  const expected = lab === 'quest' ? 'here' : 'with_lab_only';
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await detail(url, ids.transactionId).catch(() => null);
    if (found?.booking_options.book === expected) return { followUpId: ids.transactionId, redrawId: ids.redrawId };
    if (Date.now() > deadline) throw new Error(`the redraw at ${lab} never offered booking ${expected}: ${JSON.stringify(found?.booking_options)}`);
    await new Promise((wake) => setTimeout(wake, 150));
  }
}

export interface Site {
  site_code: string;
  name: string;
  book: string;
  phone: string | null;
  distance_miles: number;
}

export interface SlotsSite {
  site_code: string;
  iana_timezone: string | null;
  days: { date: string; slots: { booking_key: string; start: string; bookable: boolean }[] }[];
}

/** The sites the tracker answers for the follow-up (25 miles), nearest first. */
export const sitesOf = async (url: string, id: string) => (await read<{ lab: string; sites: Site[] }>(url, `/follow-ups/${id}/booking/sites?radius=25`)).sites;

/** The sites that book here and their open times, fresh, read as the panel reads them (the first five together; days with a slot). */
export async function hereSites(url: string, id: string): Promise<{ site: Site; times: SlotsSite }[]> {
  const here = (await sitesOf(url, id)).filter((site) => site.book === 'here').slice(0, 5);
  const answer = await read<{ sites: SlotsSite[] }>(url, `/follow-ups/${id}/booking/slots?site_codes=${here.map((site) => site.site_code).join(',')}`);
  return here.map((site) => {
    const times = answer.sites.find((entry) => entry.site_code === site.site_code)!;
    return { site, times: { ...times, days: times.days.filter((day) => day.slots.length > 0) } };
  });
}

/** A page's keys, each counted. */
export function keyCounter(page: Page): { press(key: string): Promise<void>; readonly count: number; reset(): void } {
  let count = 0;
  return {
    async press(key) {
      count += 1;
      await page.keyboard.press(key);
    },
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/**
 * How long a step of the panel may take: the console's own wait for the tracker and 5 s more. A step waits on
 * the tracker, which waits on the stand-in (a booking's one call to Junction alone may take 20 s: PSC_CALL_TIMEOUT_MS,
 * functions/junction/psc.ts); on a loaded machine steps took seconds. A hang still fails: the page's own "No answer
 * in 35 s", or this wait's end.
 */
export const PANEL_STEP_MS = REQUEST_TIMEOUT_MS + 5_000;

/** The focus is on the element of this id (within PANEL_STEP_MS: the panel reads the tracker, which reads the stand-in). */
export async function focusedOn(page: Page, id: string): Promise<void> {
  await page.waitForFunction(`document.activeElement?.id === ${JSON.stringify(id)}`, undefined, { timeout: PANEL_STEP_MS }).catch(async (error: unknown) => {
    throw new Error(`the focus never reached #${id} (it is on #${await page.evaluate<string>('document.activeElement?.id ?? ""')}): ${String(error)}`);
  });
}

/** The text of the focused element, its spaces made one. */
export const focusedText = (page: Page) => page.evaluate<string>("(document.activeElement?.textContent ?? '').replace(/\\s+/g, ' ').trim()");
