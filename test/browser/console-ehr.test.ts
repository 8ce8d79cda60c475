/**
 * The follow-up page with FHIR on (CONTRACT §12, §13, issue 59), in Chromium:
 * `npm start` given FHIR_BASE_URL at the stand-in FHIR server (in-process, as
 * `npm run fhir-server` starts it), a redraw nobody created opens a follow-up,
 * the writer keeps its Task there, and the page's facts say "In the EHR: Up to
 * date, confirmed ..."; axe clean.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { expectNoAxeViolations, guardedPage, launchChromium, signInWithHandle, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { newSecret, postSignedWebhook } from '../support/webhook';

const DAY = 86_400_000;
const secret = newSecret();
let fhir: FhirStandin;
let tracker: BrowserTracker;
let browser: Browser;
const pages: GuardedPage[] = [];
const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };

interface Detail {
  follow_up: { id: string; version: number };
  fhir: { version: number; state: string } | null;
}

async function detail(id: string): Promise<Detail | null> {
  const response = await fetch(`${tracker.url}/follow-ups/${id}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET /follow-ups/${id} answered ${response.status}`);
  return (await response.json()) as Detail;
}

beforeAllOrFailEach(async () => {
  fhir = await startFhirStandin();
  [tracker, browser] = await Promise.all([startTrackerForBrowser({ env: { JUNCTION_WEBHOOK_SECRET: secret, FHIR_BASE_URL: fhir.url } }), launchChromium()]);
  // An initial order in redraw_available two days ago, its redraw not created: a follow-up opens from the stream, and its Task is written.
  for (const delivery of buildDeliveries(redrawFlow(redraw, 'not_created', new Date(Date.now() - 2 * DAY)))) {
    expect(await postSignedWebhook(tracker.url, secret, delivery.body)).toBe(200);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await detail(redraw.transactionId);
    if (found?.fhir?.state === 'current' && found.fhir.version === found.follow_up.version) break;
    if (Date.now() > deadline) throw new Error(`the follow-up's Task is not current after 60 s: ${JSON.stringify(found)}`);
    await new Promise((wake) => setTimeout(wake, 250));
  }
}, 240_000);

afterEach(async () => {
  for (const guarded of pages) {
    expect(guarded.foreignRequests, 'requests to other origins').toEqual([]);
    expect(guarded.consoleErrors, 'page and console errors').toEqual([]);
  }
  await Promise.all(pages.splice(0).map((guarded) => guarded.context.close()));
});

afterAll(async () => {
  await browser?.close();
  await tracker?.stop();
  await fhir?.stop();
}, 60_000);

describe('the follow-up page with FHIR on', () => {
  it('says the follow-up is up to date in the EHR, and passes axe', async () => {
    const guarded = await guardedPage(browser, tracker.url);
    pages.push(guarded);
    const { page } = guarded;
    await signInWithHandle(page, tracker.url, 'kim.w', `#/follow-ups/${redraw.transactionId}`);
    await page.getByRole('heading', { level: 1, name: `Follow-up ${redraw.transactionId}` }).waitFor();
    const term = page.locator('dl.facts > dt', { hasText: /^In the EHR$/ });
    await term.waitFor();
    const value = (await term.locator('xpath=following-sibling::dd[1]').textContent()) ?? '';
    expect(value).toMatch(/^Up to date, confirmed /);
    // The tracker's one Task for it on the FHIR server.
    const tasks = (await fhir.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === redraw.transactionId));
    expect(tasks).toHaveLength(1);
    await expectNoAxeViolations(page, 'follow-up page, In the EHR: up to date');
  });
});
