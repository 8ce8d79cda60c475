/**
 * The follow-up page with FHIR on (CONTRACT §12, §13, issues 59 and 69), in
 * Chromium: `npm start` given FHIR_BASE_URL at the stand-in FHIR server
 * (in-process, as `npm run fhir-server` starts it), a redraw nobody created opens
 * a follow-up, the writer keeps its Task there, and the page's facts say "In the
 * EHR: Up to date, confirmed ...". Then, on the same follow-up: right after a
 * person's action, while the writer's read of the Task hangs, the facts say
 * "Sending to the EHR…" and no warning shows; the server refuses the write (the
 * stand-in's 422), and the first screen says so at 1280x800 and at 390x844, the
 * open page showing it within 10 seconds by itself (its stamp), the worklist's
 * Needs attention and "EHR needs you" listing it and saying why (CONTRACT §12);
 * another person's action and the EHR's confirmation of the write show on an
 * open page within 10 seconds each, and drop it from the lists; the Task is closed in the EHR by Practitioner/123 (the stand-in's edit, as that
 * author) just before a person's next action here: changed in both places, the
 * first screen names both with their times, and the tracker's version is written
 * back (CONTRACT §13, issue 70), with the nurse's note kept beside the
 * tracker's one note; the notice names what she set ("they closed it as Tested
 * elsewhere") and its button "Close as the EHR did (Tested elsewhere)" closes
 * the follow-up as the person who clicks (issue 84). Axe clean in each state;
 * the CLI's follow-up view (in this process) says each state too, by name.
 *
 * Why it takes its time (issue 87): `npm start` with FHIR on and the writer
 * keeping a Task on the stand-in, then the writer's read of the Task held 8 s
 * while the page, the CLI and axe read "Sending to the EHR…", then the refusal;
 * each state waits for the writer on the stream. What the page says follows the
 * writer's real progress; with a shorter hold, axe and the CLI on a loaded
 * machine would read the refusal, not the write in flight.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { expectNoAxeViolations, signInWithHandle } from '../support/browser';
import { BrowserFile } from '../support/browser-setup';
import { runCliInProcess } from '../support/cli-in-process';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { newSecret, postSignedWebhook } from '../support/webhook';

const DAY = 86_400_000;
const secret = newSecret();
let fhir: FhirStandin;
const file = new BrowserFile({
  before: async () => {
    fhir = await startFhirStandin();
  },
  tracker: () => ({ env: { JUNCTION_WEBHOOK_SECRET: secret, FHIR_BASE_URL: fhir.url } }),
  setup: async () => {
    // An initial order in redraw_available two days ago, its redraw not created: a follow-up opens from the stream, and its Task is written.
    for (const delivery of buildDeliveries(redrawFlow(redraw, 'not_created', new Date(Date.now() - 2 * DAY)))) {
      expect(await postSignedWebhook(file.url, secret, delivery.body)).toBe(200);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = await detail(redraw.transactionId);
      if (found?.fhir?.state === 'current' && found.fhir.version === found.follow_up.version) break;
      if (Date.now() > deadline) throw new Error(`the follow-up's Task is not current after 60 s: ${JSON.stringify(found)}`);
      await new Promise((wake) => setTimeout(wake, 250));
    }
  },
  teardown: async () => {
    await fhir?.stop();
  },
});
const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };

interface Detail {
  follow_up: { id: string; version: number };
  fhir: { version: number; state: string } | null;
}

/** GET /follow-ups/{id} until its Task is in `state`. */
async function untilState(id: string, state: string): Promise<Detail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await detail(id);
    if (found?.fhir?.state === state) return found;
    if (Date.now() > deadline) throw new Error(`the follow-up's Task is not ${state} after 30 s: ${JSON.stringify(found)}`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

/** The Facts' "In the EHR" line, once it reads `expected`. */
async function factReads(page: Page, expected: RegExp): Promise<void> {
  const value = page.locator('dl.facts > dt', { hasText: /^In the EHR$/ }).locator('xpath=following-sibling::dd[1]');
  await value.filter({ hasText: expected }).waitFor({ timeout: 15_000 });
}

/** The EHR's notice, shown whole within the first screen (no scroll) of a `height` px high window. */
async function noticeOnFirstScreen(page: Page, height: number): Promise<string> {
  const notice = page.getByRole('region', { name: /^In the EHR: / });
  await notice.waitFor({ timeout: 15_000 });
  const box = (await notice.boundingBox())!;
  expect(await page.evaluate<number>('window.scrollY')).toBe(0);
  expect(box.y + box.height, `the notice's bottom edge at ${height} px high`).toBeLessThanOrEqual(height);
  return (await notice.textContent()) ?? '';
}

/** What `redraw-tracker follow-up <id>` prints of the EHR (in this process, against the same npm start). */
async function cliEhrLines(id: string): Promise<string[]> {
  const run = await runCliInProcess(['follow-up', id], { TRACKER_URL: file.url, AWS_EC2_METADATA_DISABLED: 'true' });
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.split('\n');
  const first = lines.findIndex((line) => line.startsWith('In the EHR: '));
  return first === -1 ? [] : lines.slice(first, lines.indexOf('', first));
}

async function signedInPage(viewport?: { width: number; height: number }): Promise<Page> {
  const guarded = await file.open(viewport ? { viewport } : {});
  await signInWithHandle(guarded.page, file.url, 'kim.w', `#/follow-ups/${redraw.transactionId}`);
  await guarded.page.getByRole('heading', { level: 1, name: `Follow-up ${redraw.transactionId}` }).waitFor();
  return guarded.page;
}

async function detail(id: string): Promise<Detail | null> {
  const response = await fetch(`${file.url}/follow-ups/${id}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET /follow-ups/${id} answered ${response.status}`);
  return (await response.json()) as Detail;
}

describe('the follow-up page with FHIR on', () => {
  it('says the follow-up is up to date in the EHR, and passes axe', async () => {
    const { page } = await file.open();
    await signInWithHandle(page, file.url, 'kim.w', `#/follow-ups/${redraw.transactionId}`);
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

  it('right after an action says "Sending to the EHR…" with no warning; a refusal is named on the first screen at 1280x800 and 390x844', async () => {
    // The writer's read of the Task hangs 8 s (a write in flight), then the server refuses the write.
    await fhir.control.injectFault({ kind: 'delay', endpoint: 'search', delayMs: 8_000 });
    await fhir.control.injectFault({ kind: 'refuse', endpoint: 'update', status: 422, codes: ['business-rule'], times: 'always' });
    const page = await signedInPage();
    await page.locator('#take-it').click();
    await page.getByRole('status').filter({ hasText: /acknowledged/i }).first().waitFor({ timeout: 15_000 });
    await factReads(page, /^Sending to the EHR…$/);
    expect(await page.locator('.ehr-notice').count(), 'no notice while the write is in flight').toBe(0);
    expect(await page.getByRole('alert').count(), 'no alert while the write is in flight').toBe(0);
    expect((await cliEhrLines(redraw.transactionId))[0]).toMatch(/^In the EHR: sending the change of \S+ \(.+\); version \d+ confirmed /);
    await expectNoAxeViolations(page, 'follow-up page, sending to the EHR');

    // The open page shows the refusal by itself (its stamp moved: CONTRACT §12, within 10 seconds of the writer's record).
    await untilState(redraw.transactionId, 'refused');
    const refusedAt = Date.now();
    const wide = await noticeOnFirstScreen(page, 800);
    expect(Date.now() - refusedAt, 'the refusal on the open page').toBeLessThan(10_000);
    expect(wide).toContain('In the EHR: Refused by the EHR’s FHIR server');
    expect(wide).toContain('It answered 422 (not processable): a rule of that server is broken (business-rule).');
    expect(wide).toContain('What you can do: Your next action here sends the tracker’s follow-up to the EHR again');
    await factReads(page, /^Refused by the EHR’s FHIR server \(.+\): not sent again until the follow-up changes$/);
    await expectNoAxeViolations(page, 'follow-up page, refused by the EHR at 1280x800');

    const said = await cliEhrLines(redraw.transactionId);
    expect(said[0]).toMatch(/^In the EHR: refused by the EHR’s FHIR server \S+ \(.+ ago\): not sent again until the follow-up changes$/);
    expect(said[1]).toMatch(/^ {2}It answered 422 \(not processable\): a rule of that server is broken \(business-rule\)\. Your next action here sends/);

    const phone = await signedInPage({ width: 390, height: 844 });
    expect(await noticeOnFirstScreen(phone, 844)).toContain('In the EHR: Refused by the EHR’s FHIR server');
    await expectNoAxeViolations(phone, 'follow-up page, refused by the EHR at 390x844');

    // The lists (CONTRACT §12): Needs attention holds it, saying why; "EHR needs you" lists it alone, with its count.
    await page.goto(`${file.url}/#/worklist?queue=attention`);
    await page.locator('#worklist-rows').getByText('Refused by the EHR').first().waitFor({ timeout: 15_000 });
    await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^EHR needs you 1$/ }).click();
    await page.getByText('Only follow-ups whose EHR work needs a person.').waitFor();
    await page.locator('#worklist-rows').getByText('Refused by the EHR').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#worklist-rows').getByText('Refused by the EHR').count()).toBe(1);
    await expectNoAxeViolations(page, 'worklist, EHR needs you');
  });

  it('shows a change made elsewhere, and the EHR confirming the write, within 10 seconds on an open page (no reload)', async () => {
    await fhir.control.clearFaults();
    const page = await signedInPage();
    await noticeOnFirstScreen(page, 800);
    // Someone else acts through the API (a person's next action: the refusal is theirs to have resolved).
    const before = (await detail(redraw.transactionId))!;
    const acted = await fetch(`${file.url}/follow-ups/${redraw.transactionId}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'ana.lopez' },
      body: JSON.stringify({ action: 'assign', owner: 'ana.lopez', expected_version: before.follow_up.version }),
    });
    expect(acted.status).toBe(200);
    const actedAt = Date.now();
    await page.locator('dl.facts').getByText('ana.lopez').first().waitFor({ timeout: 10_000 });
    await untilState(redraw.transactionId, 'current');
    const confirmedAt = Date.now();
    await factReads(page, /^Up to date, confirmed /);
    expect(Date.now() - confirmedAt, 'the confirmation on the open page').toBeLessThan(10_000);
    expect(confirmedAt - actedAt).toBeGreaterThanOrEqual(0);
    expect(await page.locator('.ehr-notice').count(), 'the refusal is gone').toBe(0);
    // The lists no longer hold it: the person's action dropped the flag.
    const counts = (await (await fetch(`${file.url}/follow-ups/counts`)).json()) as { ehr_needs_you: number };
    expect(counts.ehr_needs_you).toBe(0);
  });

  it('names work done in the EHR that met a person’s action here on the first screen: both, with their times, the tracker’s version kept', async () => {
    await fhir.control.clearFaults();
    const [task] = (await fhir.control.tasks()).filter((one) => one.identifier?.some((identifier) => identifier.value === redraw.transactionId));
    // A nurse, Ann Lee in the EHR, completes the Task as tested elsewhere; then, before the tracker has read that, a person records a contact here: changed in both places.
    await fhir.control.createPractitioner({ id: '123', name: [{ given: ['Ann'], family: 'Lee' }] });
    const reason = { coding: [{ system: 'urn:redraw-tracker/disposition', code: 'tested_elsewhere' }] };
    await fhir.control.editTask(task!.id!, { status: 'completed', statusReason: reason, note: [{ text: 'nurse: tested at the clinic' }] }, { author: 'Practitioner/123' });
    const before = (await detail(redraw.transactionId))!;
    const acted = await fetch(`${file.url}/follow-ups/${redraw.transactionId}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'kim.w' },
      body: JSON.stringify({ action: 'record_contact', channel: 'phone', outcome: 'no_answer', expected_version: before.follow_up.version }),
    });
    expect(acted.status).toBe(200);
    await untilState(redraw.transactionId, 'conflict');
    const page = await signedInPage();
    const notice = await noticeOnFirstScreen(page, 800);
    expect(notice).toContain('In the EHR: Changed in both places');
    // What she decided, named (CONTRACT §13: "Nothing the EHR did goes unrecorded"), and by name where the console names EHR users.
    expect(await page.locator('.ehr-notice p').first().textContent()).toMatch(
      /^Changed in the EHR by (Ann Lee \()?Practitioner\/123\)? at \d{4}-\d\d-\d\d \d\d:\d\d [^(]*UTC\)? \(they closed it as Tested elsewhere\) while kim\.w acted here \(record_contact\) at \d{4}-\d\d-\d\d \d\d:\d\d [^:]*UTC\)?: the tracker’s version was kept and written back to the EHR\.$/,
    );
    expect(notice).toContain('What you can do: If the EHR’s change was right, make it here');
    await factReads(page, /^Changed in both places \(.+\): the EHR’s change was not applied; the tracker’s follow-up was written back$/);
    await expectNoAxeViolations(page, 'follow-up page, changed in both places');
    const said = await cliEhrLines(redraw.transactionId);
    expect(said[0]).toMatch(/^In the EHR: changed in both places \S+ \(.+\): the EHR’s change was not applied; the tracker’s follow-up was written back$/);
    expect(said[1]).toMatch(/^ {2}Changed in the EHR by Ann Lee \(Practitioner\/123\) at \S+ \(.+ ago\) \(they closed it as Tested elsewhere\) while kim\.w acted here \(record_contact\) at /);
    // The tracker's version was written back: the Task is the follow-up's again, acknowledged (in-progress), not completed.
    const [after] = (await fhir.control.tasks()).filter((one) => one.identifier?.some((identifier) => identifier.value === redraw.transactionId));
    expect(after!.status).toBe('in-progress');
    // The nurse's note kept, the tracker's own after it, in codes.
    expect(after!.note?.map((note) => note.text)).toEqual(['nurse: tested at the clinic', expect.stringMatching(/^Not applied in the tracker: status completed \(Tested elsewhere\), a person acted there at \d\d:\d\d UTC; see the follow-up$/)]);

    // Her decision as one action, taken here by the person who clicks: closed as tested elsewhere, credited to kim.w.
    const decide = page.getByRole('button', { name: 'Close as the EHR did (Tested elsewhere)' });
    await expectNoAxeViolations(page, 'follow-up page, changed in both places, the decision offered');
    await decide.click();
    await page.getByRole('region', { name: /^In the EHR: / }).waitFor({ state: 'detached', timeout: 15_000 });
    const closed = (await detail(redraw.transactionId)) as Detail & { follow_up: { state: string; disposition: string; closed_by: string }; history: { action: string; actor: string }[] };
    expect(closed.follow_up).toMatchObject({ state: 'closed', disposition: 'tested_elsewhere' });
    expect(closed.follow_up.closed_by).toMatch(/kim\.w$/);
    expect(closed.history.filter((entry) => entry.action === 'ehr_conflict').map((entry) => entry.actor)).toEqual(['ehr:Practitioner/123']);
  });
});
