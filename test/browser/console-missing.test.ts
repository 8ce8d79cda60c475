/**
 * "What is missing and why" in Chromium against `npm start` (issue 46, CONTRACT
 * §9 and §12): a failed test kit's signed webhooks open a `no_redraw`
 * follow-up; the Needs attention queue holds it first with the attention in
 * words; its page says which order, its status and the lab's detail in words
 * (an incomplete redraw's too: `results_still_missing`, its order panel saying
 * it ended without all its results),
 * that the counts are not read yet, and the two choices (re-order through
 * Junction, or close with a disposition); a close shows who closed it. Every
 * state passes axe, and the page runs under its own CSP without a violation.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/browser';
import { BrowserFile } from '../support/browser-setup';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { newSecret, postSignedWebhook } from '../support/webhook';

const DAY = 86_400_000;
const HANDLE = 'dana.r';
const secret = newSecret();
const file = new BrowserFile({ tracker: { env: { JUNCTION_WEBHOOK_SECRET: secret } } });

interface FollowUp {
  id: string;
  state: string;
  attention: string | null;
  closed_by?: string | null;
  missing?: { order_id: string; status: string; status_detail: string | null; markers: number | null } | null;
}

async function postWebhook(body: unknown): Promise<void> {
  expect(await postSignedWebhook(file.url, secret, body)).toBe(200);
}

async function followUp(id: string): Promise<FollowUp | null> {
  const response = await fetch(`${file.url}/follow-ups/${id}`);
  if (response.status === 404) return null;
  return ((await response.json()) as { follow_up: FollowUp }).follow_up;
}

const signedIn = (hash: string, options: { bypassCSP?: boolean } = {}): Promise<Page> => file.signedIn(HANDLE, hash, options);

/** A test kit that ended sample_error (the lab's detail on its last event): Junction never redraws it. */
async function failedKit(detail: string): Promise<{ transactionId: string; orderId: string }> {
  const kit = { transactionId: freshId(), orderId: freshId() };
  const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
  const deliveries = buildDeliveries({ transactionId: kit.transactionId, orders: [{ id: kit.orderId, origin: 'initial', method: 'testkit' }], steps, start: new Date(Date.now() - DAY) });
  const data = deliveries.at(-1)!.body.data as { events: Array<Record<string, unknown>>; last_event: Record<string, unknown> };
  data.events.at(-1)!.status_detail = detail;
  data.last_event = { ...data.last_event, status_detail: detail };
  for (const delivery of deliveries) await postWebhook(delivery.body);
  // Opened from the stream, a moment after the webhooks.
  const deadline = Date.now() + 30_000;
  while ((await followUp(kit.transactionId))?.attention !== 'no_redraw') {
    if (Date.now() > deadline) throw new Error('no no_redraw follow-up opened for the failed kit');
    await new Promise((wake) => setTimeout(wake, 250));
  }
  return kit;
}

/** What a sighted person reads of an element: its text without what is only for a screen reader, spaces folded. */
async function shownText(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((element) => {
    const copy = element.cloneNode(true) as typeof element;
    for (const hidden of copy.querySelectorAll('.visually-hidden')) hidden.remove();
    return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
  });
}

describe('what is missing and why (issue 46)', () => {
  it('holds a failed test kit first in Needs attention, says on its page what is missing, why and the choices, and shows who closed it', async () => {
    const kit = await failedKit('sample_hemolyzed');
    const page = await signedIn('#/worklist?queue=attention');
    const row = page.getByRole('row').filter({ hasText: kit.transactionId });
    await row.waitFor();
    // The row says what to do and why in two columns (issue 47: one line a row).
    expect(await row.textContent()).toContain('Decide what happens next');
    expect(await row.textContent()).toContain('Result missing without a redraw');
    await expectNoAxeViolations(page, 'needs attention with a failed kit');

    await page.goto(`${file.url}/#/follow-ups/${kit.transactionId}`);
    const section = page.getByRole('region', { name: 'What is missing and why' });
    await section.waitFor();
    await section.getByText('Ended:').waitFor();
    const text = (await section.textContent()) ?? '';
    expect(text).toContain('result missing without a redraw (no_redraw)');
    expect(text).toContain(kit.orderId);
    expect(text).toContain('a sample error (the lab could not test the sample) (sample_error)');
    // A failed kit's own order raised it (issue 72): named first, by its short id.
    expect(await shownText(page, 'section.missing .raised-by')).toBe(
      `Ended: the initial order ${kit.orderId.slice(0, 8)}…, a sample error (the lab could not test the sample) (sample_error); the sample was hemolyzed (sample_hemolyzed).`,
    );
    // The lab's detail in words (CONTRACT §9: status_detail from the order's own facts).
    expect(text).toContain('the sample was hemolyzed (sample_hemolyzed)');
    // No Junction key here: the counts were never read.
    expect(text).toContain('Not read yet from Junction');
    expect(text).toContain('Not known');
    // The choices stand under "What to do next", below the first screen.
    const choices = page.getByRole('list', { name: 'Your choices' });
    expect(await choices.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(
        /^Re-order the test through Junction's dashboard \(a new order, with its own transaction\): paste the order id \S+ into its order search\. .* Then close this follow-up as reordered at Junction, with the new order's id as its reference\.$/,
      ),
      expect.stringMatching(/^Or close this follow-up with a disposition \(the Close button above\): patient declined, patient unreachable, clinician accepted partial results, tested elsewhere, other\.$/),
    ]);
    expect(await page.getByText(/Result missing without a redraw: decide what happens next/).count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page, 'follow-up with what is missing');

    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByLabel('Disposition').selectOption({ label: 'Tested elsewhere' });
    await page.getByRole('button', { name: 'Close it' }).click();
    await page.getByRole('status').filter({ hasText: 'Close: done' }).waitFor();
    await page.getByText(`, by ${HANDLE}`).waitFor();
    expect(await page.getByRole('heading', { name: 'Your choices' }).count()).toBe(0);
    expect((await followUp(kit.transactionId))?.closed_by).toBe(HANDLE);
    await expectNoAxeViolations(page, 'closed follow-up with what is missing');
    expect(await page.content()).not.toContain(PHI_CANARY);
  });

  it('says of an incomplete redraw that its completed redraw order still misses results, with the choices, and passes axe', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed', new Date(Date.now() - 3 * DAY)));
    // Junction completes a redraw "regardless of whether there are still missing results".
    (deliveries.at(-1)!.body.data as Record<string, unknown>).has_missing_results = true;
    for (const delivery of deliveries) await postWebhook(delivery.body);
    const deadline = Date.now() + 30_000;
    while ((await followUp(ids.transactionId))?.attention !== 'results_still_missing') {
      if (Date.now() > deadline) throw new Error('no results_still_missing follow-up for the incomplete redraw');
      await new Promise((wake) => setTimeout(wake, 250));
    }
    const page = await signedIn(`#/follow-ups/${ids.transactionId}`);
    await page.getByText('Incomplete redraw: decide what happens next').waitFor();
    const section = page.getByRole('region', { name: 'What is missing and why' });
    const text = (await section.textContent()) ?? '';
    expect(text).toContain('incomplete redraw (results_still_missing)');
    expect(text).toContain(ids.redrawId);
    expect(text).toContain('completed, with results still missing (completed)');
    // The order whose end raised it, first: the redraw order, completed without all its results (issue 72).
    await section.locator('.raised-by').getByText('(completed)', { exact: false }).waitFor();
    expect(await shownText(page, 'section.missing .raised-by')).toBe(`Ended: the redraw order ${ids.redrawId.slice(0, 8)}…, ended without all its results (completed).`);
    expect(await page.getByRole('list', { name: 'Your choices' }).getByRole('listitem').count()).toBe(2);
    // Its redraw order's panel never says "results complete" (issue 58 item 7).
    const redraw = page.getByRole('region', { name: `Redraw order ${ids.redrawId}` });
    await redraw.getByText('ended without all its results', { exact: false }).waitFor();
    expect(await redraw.textContent()).not.toContain('results complete');
    await expectNoAxeViolations(page, 'follow-up of an incomplete redraw');
  });

  it('names first, on a failed redraw’s first screen at 1280x800, the redraw order by its short id and how it ended in words with the code, then what is missing of the initial order (issue 72)', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'sample_error', new Date(Date.now() - 3 * DAY)));
    // The lab's detail on the redraw's own failure.
    const data = deliveries.at(-1)!.body.data as { events: Array<Record<string, unknown>>; last_event: Record<string, unknown> };
    data.events.at(-1)!.status_detail = 'sample_contaminated';
    data.last_event = { ...data.last_event, status_detail: 'sample_contaminated' };
    for (const delivery of deliveries) await postWebhook(delivery.body);
    const deadline = Date.now() + 30_000;
    while ((await followUp(ids.transactionId))?.attention !== 'redraw_failed') {
      if (Date.now() > deadline) throw new Error('no redraw_failed follow-up for the failed redraw');
      await new Promise((wake) => setTimeout(wake, 250));
    }
    // `missing` stays on the initial order in the API (CONTRACT §9): the console reads the redraw order itself.
    expect((await followUp(ids.transactionId))?.missing?.order_id).toBe(ids.initialId);
    const page = await signedIn(`#/follow-ups/${ids.transactionId}`);
    const section = page.getByRole('region', { name: 'What is missing and why' });
    const ended = section.locator('.raised-by');
    await ended.getByText('sample_error', { exact: false }).waitFor();
    expect(await shownText(page, 'section.missing .raised-by')).toBe(`Ended: the redraw order ${ids.redrawId.slice(0, 8)}…, a sample error (the lab could not test the sample) (sample_error); the sample was contaminated (sample_contaminated).`);
    // Its whole id for a screen reader, the short one on screen.
    expect(await ended.textContent()).toContain(ids.redrawId);
    // Then what `missing` says of the initial order, as before.
    const text = (await section.textContent()) ?? '';
    expect(text.indexOf('Ended:')).toBeLessThan(text.indexOf(ids.initialId));
    expect(text).toContain('redraw failed (redraw_failed)');
    expect(await section.locator('dl.facts dd').first().textContent()).toBe(ids.initialId);
    // On the first screen, with no scroll.
    const box = (await ended.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(await page.evaluate<number>('window.scrollY')).toBe(0);
    await expectNoAxeViolations(page, 'failed redraw, first screen, 1280x800');
  });

  it('runs the follow-up page of a failed kit under its own Content-Security-Policy without a violation', async () => {
    const kit = await failedKit('sample_quantity_not_sufficient');
    const page = await signedIn(`#/follow-ups/${kit.transactionId}`, { bypassCSP: false });
    await page.getByRole('region', { name: 'What is missing and why' }).waitFor();
    await page.waitForLoadState('networkidle');
    // afterEach holds consoleErrors (CSP refusals are console errors) and foreign requests to empty.
  });
});
