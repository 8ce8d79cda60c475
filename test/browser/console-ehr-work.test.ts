/**
 * The follow-up page says what the EHR did (CONTRACT §13, "Work done in the EHR
 * comes back", issue 70), in Chromium in New York's zone: `npm start` opens a
 * follow-up from a redraw nobody created, and the page's GET /follow-ups/{id}
 * is answered with `fhir` and history as a tracker with FHIR on answers them
 * (the real answer, with the EHR's work put in): a close done in the EHR and
 * applied here, on the first screen with its time and in the history; a change
 * held (a snooze more than 90 days away); a conflict with a person's action
 * here; the Task deleted in the EHR. Each on the first screen at 1280x800 with
 * no scroll, and axe clean in each state. The EHR user by the name the server
 * gave beside their reference, and one time for the EHR's close everywhere
 * (its own, brought here beside it), the lead saying how, by whom and when, the
 * version id behind "details" (issue 84 frictions 89, 90, 95); on a 390x844
 * phone the notice one line with More, Take it and Snooze on the first screen
 * (item 8).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, signInWithHandle } from '../support/browser';
import { BrowserFile } from '../support/browser-setup';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { newSecret, postSignedWebhook } from '../support/webhook';

const DAY = 86_400_000;
const secret = newSecret();
const file = new BrowserFile({
  tracker: { env: { JUNCTION_WEBHOOK_SECRET: secret } },
  setup: async () => {
    for (const delivery of buildDeliveries(redrawFlow(redraw, 'not_created', new Date(Date.now() - 2 * DAY)))) {
      expect(await postSignedWebhook(file.url, secret, delivery.body)).toBe(200);
    }
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${file.url}/follow-ups/${redraw.transactionId}`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('no follow-up opened for the redraw after 60 s');
      await new Promise((wake) => setTimeout(wake, 250));
    }
  },
});
const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };

/** When the EHR saved its change (10:42 EST), when the tracker read it, and when a person acted here (10:44 EST). */
const SAVED = '2026-11-27T15:42:00.000Z';
const READ = '2026-11-27T15:43:10.000000Z';
const HERE = '2026-11-27T15:44:00.000000Z';
const PRACTITIONER = 'ehr:Practitioner/123';
/** The EHR's version id, a UUID as many servers give it: behind "details", never in the row. */
const VERSION = '3f2b8c1e-7d4a-4e59-9a61-0c5d2e8b7f10';
/** The time of the EHR's close everywhere the page says it: the EHR's own, and when the tracker brought it here. */
const CLOSE_TIME = '2026-11-27 10:42 EST (15:42 UTC), brought here 10:43';

type Json = Record<string, unknown>;
/** What the page is answered for its follow-up: the tracker's real answer with these put in. */
let answerWith: (real: Json) => Json = (real) => real;

const fhirOf = (state: string, extra: Json = {}): Json => ({ version: 3, confirmed_at: '2026-11-27T15:00:00.000000Z', state, ehr_change: null, tracker_change: null, held: null, ...extra });
const ehrChange = (actions: string[], applied: boolean, why: string | null): Json => ({ at: SAVED, actor: PRACTITIONER, actor_display: 'Ann Lee', fhir_version_id: VERSION, actions, applied, why });

/** The EHR's close, applied: the follow-up closed by the EHR user, its history entry from the EHR. */
function closedInEhr(real: Json): Json {
  const followUp = real.follow_up as Json;
  const history = real.history as Json[];
  const closed = { ...followUp, state: 'closed', disposition: 'tested_elsewhere', closed_at: READ, closed_by: PRACTITIONER, version: Number(followUp.version) + 1 };
  const entry = { at: READ, actor: PRACTITIONER, actor_display: 'Ann Lee', action: 'close', from_state: followUp.state, to_state: 'closed', disposition: 'tested_elsewhere', source: 'ehr', fhir_version_id: VERSION, fhir_last_updated: SAVED };
  return { ...real, follow_up: closed, history: [...history, entry], fhir: fhirOf('current', { version: closed.version, ehr_change: ehrChange(['close'], true, null) }) };
}

/** The EHR's acknowledgement, applied: the follow-up acknowledged by the EHR user, nobody's still. */
function acknowledgedInEhr(real: Json): Json {
  const followUp = real.follow_up as Json;
  const acknowledged = { ...followUp, state: 'acknowledged', acknowledged_at: READ, version: Number(followUp.version) + 1 };
  const entry = { at: READ, actor: PRACTITIONER, actor_display: 'Ann Lee', action: 'acknowledge', from_state: followUp.state, to_state: 'acknowledged', source: 'ehr', fhir_version_id: VERSION, fhir_last_updated: SAVED };
  return { ...real, follow_up: acknowledged, history: [...(real.history as Json[]), entry], fhir: fhirOf('current', { version: acknowledged.version, ehr_change: ehrChange(['acknowledge'], true, null) }) };
}

/** The follow-up's page in New York's zone (at 1280x800 unless said), its GET /follow-ups/{id} answered through `answerWith`. */
async function followUpPage(viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await file.open({ timezoneId: 'America/New_York', ...(viewport ? { viewport } : {}) });
  await page.route(
    (url) => url.pathname === `/follow-ups/${redraw.transactionId}`,
    async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const response = await route.fetch();
      return route.fulfill({ response, json: answerWith((await response.json()) as Json) });
    },
  );
  await signInWithHandle(page, file.url, 'kim.w', `#/follow-ups/${redraw.transactionId}`);
  await page.getByRole('heading', { level: 1, name: `Follow-up ${redraw.transactionId}` }).waitFor();
  return page;
}

/** The text of `locator`'s first element once shown, whole within the first screen of the 1280x800 window (no scroll). */
async function onFirstScreen(page: Page, selector: string): Promise<string> {
  const shown = page.locator(selector).first();
  await shown.waitFor({ timeout: 15_000 });
  const box = (await shown.boundingBox())!;
  expect(await page.evaluate<number>('window.scrollY')).toBe(0);
  expect(box.y + box.height, `${selector}'s bottom edge`).toBeLessThanOrEqual(800);
  return ((await shown.textContent()) ?? '').replace(/\s+/g, ' ');
}

describe('the follow-up page says what the EHR did', () => {
  it('a close done in the EHR and applied here: on the first screen by name at its one time, the lead saying how, and in the history as done in the EHR', async () => {
    answerWith = closedInEhr;
    const page = await followUpPage();
    expect(await onFirstScreen(page, '.ehr-news')).toBe(`Closed in the EHR by Ann Lee (Practitioner/123), ${CLOSE_TIME}.`);
    expect(await page.locator('.ehr-notice').count(), 'no warning: the change was applied').toBe(0);
    // The lead: how, by whom and when, and no offer to take a closed follow-up.
    expect(await onFirstScreen(page, '.decision .lead')).toBe(`Closed as Tested elsewhere by Ann Lee (Practitioner/123) in the EHR, ${CLOSE_TIME}`);
    expect(await page.locator('.owner-line').textContent()).toBe('Owner: No owner.');
    const row = page.getByRole('row').filter({ hasText: 'Closed in the EHR by Ann Lee (Practitioner/123)' });
    expect(await row.getByRole('cell').allInnerTexts()).toEqual([CLOSE_TIME, 'Ann Lee (Practitioner/123) in the EHR', 'Closed in the EHR by Ann Lee (Practitioner/123)', 'New → Closed', 'disposition: Tested elsewhere\ndetails']);
    // The version id behind "details" only.
    expect(await row.innerText()).not.toContain(VERSION);
    await row.locator('summary', { hasText: 'details' }).click();
    expect(await row.locator('details').innerText()).toContain(`Version in the EHR: ${VERSION}`);
    const closedFact = page.locator('dl.facts > dt', { hasText: /^Closed$/ }).locator('xpath=following-sibling::dd[1]');
    expect(await closedFact.textContent()).toBe(`${CLOSE_TIME}, by Ann Lee (Practitioner/123) in the EHR`);
    expect(await page.locator('body').innerText(), 'the page says no other time of the close, and never ehr: alone').not.toMatch(/10:43 EST|ehr:Practitioner/);
    await expectNoAxeViolations(page, 'follow-up page, closed in the EHR, its version shown');
  });

  it("a change held, a conflict and a deletion: each on the first screen with who, when and why, and what the person's next action does", async () => {
    answerWith = (real) => ({ ...real, fhir: fhirOf('changed_in_ehr', { ehr_change: ehrChange(['snooze'], false, 'snooze_too_long'), held: { at: READ, status: null, codes: [] } }) });
    const page = await followUpPage();
    const held = await onFirstScreen(page, '.ehr-notice');
    expect(held).toContain('In the EHR: Changed in the EHR by Ann Lee (Practitioner/123)');
    expect(held).toContain('2026-11-27 10:42 EST (15:42 UTC), brought here 10:43. They snoozed it; not applied here: a snooze more than 90 days away.');
    expect(await page.locator('.ehr-more').isVisible(), 'on a wide screen the notice is whole, without More').toBe(false);
    expect(held).toContain('What you can do: Your next action here writes the tracker’s follow-up to the EHR again, replacing that change');
    await expectNoAxeViolations(page, 'follow-up page, a change in the EHR held');

    answerWith = (real) => ({
      ...real,
      fhir: fhirOf('conflict', { ehr_change: ehrChange(['close'], false, null), tracker_change: { at: HERE, actor: 'kim.w', action: 'snooze' }, held: { at: READ, status: null, codes: [] } }),
    });
    await page.reload();
    const conflict = await onFirstScreen(page, '.ehr-notice');
    expect(conflict).toMatch(/^In the EHR: Changed in both places/);
    // Both times in the words, none repeated before them.
    expect(await page.locator('.ehr-notice p').first().textContent()).toBe(
      'Changed in the EHR by Ann Lee (Practitioner/123) at 2026-11-27 10:42 EST (15:42 UTC) (they closed it) while kim.w acted here (snooze) at 2026-11-27 10:44 EST (15:44 UTC): the tracker’s version was kept and written back to the EHR.',
    );
    await expectNoAxeViolations(page, 'follow-up page, a conflict with the EHR');

    answerWith = (real) => ({ ...real, fhir: fhirOf('deleted_in_ehr', { held: { at: READ, status: null, codes: [] } }) });
    await page.reload();
    const deleted = await onFirstScreen(page, '.ehr-notice');
    expect(deleted).toContain('In the EHR: Deleted by someone in the EHR');
    expect(deleted).toContain('2026-11-27 10:43 EST (15:43 UTC). The tracker does not create its Task again on its own.');
    expect(deleted).toContain('What you can do: Your next action here creates the Task in the EHR again');
    expect(await page.locator('.ehr-news').count(), 'no applied change to tell').toBe(0);
    await expectNoAxeViolations(page, 'follow-up page, its Task deleted in the EHR');

    // Behind after a failed try (issue 84, CONTRACT §13): the Facts say when the next try is, and no notice (nothing for a person to do).
    answerWith = (real) => ({ ...real, fhir: fhirOf('behind', { next_try_at: '2026-11-27T15:51:00.000Z' }) });
    await page.reload();
    const ehrFact = page.locator('dl.facts > dt', { hasText: /^In the EHR$/ }).locator('xpath=following-sibling::dd[1]');
    await ehrFact.waitFor();
    expect(await ehrFact.textContent()).toBe('Sending to the EHR failed; next try at 2026-11-27 10:51 EST (15:51 UTC)');
    expect(await page.locator('.ehr-notice').count()).toBe(0);
  });

  it('on a 390x844 phone: the notice one line with More (aria-expanded) that shows the rest, Take it and Snooze whole on the first screen', async () => {
    const phone = { width: 390, height: 844 };
    const held = { ehr_change: ehrChange(['snooze'], false, 'snooze_too_long'), held: { at: READ, status: null, codes: [] } };
    const conflict = { ehr_change: ehrChange(['close'], false, null), tracker_change: { at: HERE, actor: 'kim.w', action: 'snooze' }, held: { at: READ, status: null, codes: [] } };
    answerWith = (real) => ({ ...real, fhir: fhirOf('changed_in_ehr', held) });
    const page = await followUpPage(phone);
    for (const [state, extra] of [['changed_in_ehr', held], ['conflict', conflict]] as const) {
      answerWith = (real) => ({ ...real, fhir: fhirOf(state, extra) });
      await page.reload();
      await page.locator('#next-in-queue, #end-of-queue').first().waitFor();
      const more = page.locator('.ehr-notice').getByRole('button', { name: 'More' });
      expect(await more.getAttribute('aria-expanded')).toBe('false');
      const line = (await page.locator('.ehr-notice').boundingBox())!;
      const button = (await more.boundingBox())!;
      expect(line.height, `${state}: the notice is one line`).toBeLessThanOrEqual(button.height + 16);
      expect(button.height, `${state}: More is a thumb's target`).toBeGreaterThanOrEqual(44);
      expect(await page.locator('#ehr-notice-rest').isVisible()).toBe(false);
      expect(await page.evaluate<number>('window.scrollY')).toBe(0);
      for (const selector of ['#take-it', '#open-snooze']) {
        const box = (await page.locator(selector).boundingBox())!;
        expect(box.y + box.height, `${state}: ${selector} whole on the first screen`).toBeLessThanOrEqual(phone.height);
      }
      await expectNoAxeViolations(page, `follow-up page at 390x844, ${state}, the notice folded`);
      await more.click();
      expect(await more.getAttribute('aria-expanded')).toBe('true');
      expect(await page.locator('#ehr-notice-rest').innerText()).toContain('What you can do:');
      await expectNoAxeViolations(page, `follow-up page at 390x844, ${state}, the notice unfolded`);
    }
    // What the EHR did and this tracker applied (acknowledged there) is news, not a warning: Take it and Snooze still whole on the first screen.
    answerWith = acknowledgedInEhr;
    await page.reload();
    await page.locator('.ehr-news').waitFor();
    for (const selector of ['#take-it', '#open-snooze']) {
      const box = (await page.locator(selector).boundingBox())!;
      expect(box.y + box.height, `news: ${selector} whole on the first screen`).toBeLessThanOrEqual(phone.height);
    }
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
  });
});
