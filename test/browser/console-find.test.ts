/**
 * The shell in Chromium against `npm start` with simulated data (CONTRACT §12,
 * issue 47 items 3 and 8): the find box on every page opens a follow-up from
 * its own id, its transaction's id, or either of its orders' ids (Enter sends
 * it); an order or transaction without a follow-up and an unknown id are said
 * in words in an alert, the focus kept in the box; nothing but a whole id is
 * sent, lowercased (issue 55: a name or a record number typed there would stay
 * in access logs); the short id the lists show (its first 8 characters, any
 * case) is resolved in the browser, against the follow-ups read and the open
 * ones paged, one opening its follow-up and several listed to choose from
 * (issue 58); every page has a proper title.
 *
 * Why it takes its time (issue 87): its start, shared by its 12 tests, is `npm
 * start` on a copy of the run's simulated story (test/support/browser-story.ts)
 * with a few webhooks of its own, and Chromium; then each test types into the find box of real pages. That a whole
 * id is resolved from the simulator's follow-ups and orders, and that nothing
 * else leaves the page, shows only in the browser against a real tracker;
 * test/unit/console/find.test.ts covers the logic without a page.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, releaseWorkerChromium, workerChromium, guardedPage, signInWithHandle, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { signSvixMessage } from '../../functions/core/svix';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, type FlowSpec } from '../support/junction';
import { newMessageId, newSecret } from '../support/webhook';

interface FollowUp {
  id: string;
  transaction_id: string | null;
  initial_order_id: string | null;
  redraw_order_id: string | null;
}

let tracker: BrowserTracker;
let browser: Browser;
const pages: GuardedPage[] = [];

const LABEL = 'Find by id: a follow-up, transaction or order id, or the short id the lists show';
const NOT_A_WHOLE_ID =
  'Paste a whole follow-up, transaction or order id (36 characters, such as 5abe1fb5-31c8-4ab2-a35e-f4e4398e1227) or the short id the lists show (its first 8 characters, such as 5abe1fb5): nothing was sent.';
const secret = newSecret();
/** The first 8 characters two seeded follow-ups share (their transaction ids, so their ids). */
const SHARED = randomUUID().slice(0, 8);
const sharing: string[] = [];

/** Every request the page sends from now on (path and query), with each whole id in it taken out: what else of a typed text went out. */
function requestsOf(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    sent.push((url.pathname + url.search).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>'));
  });
  return sent;
}

/** Opens a follow-up (a walk-in order in redraw_available) whose transaction, so its id, is `transactionId`. */
async function openFollowUp(transactionId: string): Promise<void> {
  await deliver(redrawFlow({ transactionId, initialId: freshId(), redrawId: freshId() }, 'not_created', new Date(Date.now() - 86_400_000)));
}

/** A walk-in order that completed with all its results, in a transaction of its own: an order and a transaction without a follow-up. */
const completed = { order: freshId(), transaction: freshId() };

/** Posts `flow`'s webhooks, signed, in order. */
async function deliver(flow: FlowSpec): Promise<void> {
  for (const delivery of buildDeliveries(flow)) {
    const raw = JSON.stringify(delivery.body);
    const messageId = newMessageId();
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${tracker.url}/webhooks/junction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: raw }) },
      body: raw,
    });
    if (response.status !== 200) throw new Error(`the webhook answered ${response.status}`);
  }
}

/** The look-ups the page sends from now on (paths with their queries), as Chromium sees them. */
function lookUpsOf(page: Page): string[] {
  const asked: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^\/(follow-ups|orders|transactions)\/(?!counts)/.test(url.pathname)) asked.push(url.pathname + url.search);
  });
  return asked;
}

beforeAllOrFailEach(async () => {
  [tracker, browser] = await Promise.all([startTrackerForBrowser({ story: true, env: { JUNCTION_WEBHOOK_SECRET: secret } }), workerChromium()]);
  sharing.push(`${SHARED}${randomUUID().slice(8)}`, `${SHARED}${randomUUID().slice(8)}`);
  for (const id of sharing) await openFollowUp(id);
  await deliver(simpleFlow({ transactionId: completed.transaction, orderId: completed.order }, 'walk_in_test', undefined, new Date(Date.now() - 86_400_000)));
  const deadline = Date.now() + 60_000;
  while ((await openFollowUps()).filter((item) => sharing.includes(item.id)).length < 2) {
    if (Date.now() > deadline) throw new Error('the two follow-ups sharing a short id did not open');
    await new Promise((wake) => setTimeout(wake, 250));
  }
}, 240_000);

afterEach(async () => {
  for (const guarded of pages) {
    expect(guarded.foreignRequests, 'requests to other origins').toEqual([]);
    // Chromium logs each 404 the look-up reads (an id that is no follow-up, no order): the answers the test asks for.
    expect(guarded.consoleErrors.filter((line) => !/Failed to load resource: the server responded with a status of 404/.test(line)), 'page and console errors').toEqual([]);
  }
  await Promise.all(pages.splice(0).map((guarded) => guarded.context.close()));
});

afterAll(async () => {
  await releaseWorkerChromium(browser);
  await tracker?.stop();
}, 60_000);

async function read<T>(path: string): Promise<T> {
  const response = await fetch(`${tracker.url}${path}`);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function openFollowUps(): Promise<FollowUp[]> {
  return (await read<{ items: FollowUp[] }>('/follow-ups?queue=open&limit=100')).items;
}

/** The completed order posted in the set-up, once the stream has read it: the tracker knows it and its transaction, and neither has a follow-up. */
async function orderWithoutFollowUp(): Promise<{ order: string; transaction: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await fetch(`${tracker.url}/transactions/${completed.transaction}`);
    if (found.ok) {
      const { transaction } = (await found.json()) as { transaction: { status: string; follow_up_id: string | null } };
      const { order } = await read<{ order: { follow_up_id: string | null } }>(`/orders/${completed.order}`);
      if (transaction.status === 'completed' && transaction.follow_up_id === null && order.follow_up_id === null) return completed;
    }
    if (Date.now() > deadline) throw new Error('the completed order posted in the set-up did not reach a completed transaction without a follow-up');
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

async function signedIn(hash: string, options: { viewport?: { width: number; height: number } } = {}): Promise<GuardedPage> {
  const guarded = await guardedPage(browser, tracker.url, options);
  pages.push(guarded);
  await signInWithHandle(guarded.page, tracker.url, 'finn.d', hash);
  return guarded;
}

async function find(page: Page, id: string): Promise<void> {
  const box = page.getByLabel(LABEL);
  await box.fill(id);
  await box.press('Enter');
}

async function expectFollowUpPage(page: Page, id: string): Promise<void> {
  const heading = page.getByRole('heading', { level: 1, name: `Follow-up ${id}` });
  await heading.waitFor();
  expect(page.url()).toMatch(new RegExp(`#/follow-ups/${id}$`));
  await page.locator('main h1:focus').filter({ hasText: id }).waitFor();
  // The shell names the page after it rendered it (an effect, a frame after the heading's focus).
  await page.waitForFunction(`document.title === ${JSON.stringify(`Follow-up ${id} – Redraw tracker`)}`);
  expect(await page.title()).toBe(`Follow-up ${id} – Redraw tracker`);
  // The box is emptied for the next id.
  expect(await page.getByLabel(LABEL).inputValue()).toBe('');
}

describe('find by any id', () => {
  it('opens a follow-up from its own id, typed in capitals, from the worklist, with Enter: one read, lowercased', async () => {
    const [followUp] = await openFollowUps();
    const { page } = await signedIn('#/worklist');
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    const asked = lookUpsOf(page);
    await find(page, `  ${followUp!.id.toUpperCase()} `);
    await expectFollowUpPage(page, followUp!.id);
    // The look-up is the whole id lowercased; what the capitals typed are never goes out.
    expect(asked[0]).toBe(`/follow-ups/${followUp!.id}`);
    expect(asked.filter((path) => path.includes(followUp!.id.toUpperCase()))).toEqual([]);
  });

  it('opens a follow-up from its initial order id and from its redraw order id, on any page', async () => {
    const followUp = (await openFollowUps()).find((item) => item.redraw_order_id !== null && item.initial_order_id !== null && item.initial_order_id !== item.id);
    expect(followUp).toBeDefined();
    const { page } = await signedIn('#/report');
    // An order id in capitals, as some systems print it, is found too.
    await find(page, followUp!.initial_order_id!.toUpperCase());
    await expectFollowUpPage(page, followUp!.id);
    await page.goto(`${tracker.url}/#/redraws`);
    await page.getByRole('heading', { level: 1, name: 'Stale redraws' }).waitFor();
    await find(page, followUp!.redraw_order_id!);
    await expectFollowUpPage(page, followUp!.id);
  });

  it('opens a follow-up from its transaction id, from the Bulk page', async () => {
    const followUp = (await openFollowUps()).find((item) => item.transaction_id !== null);
    const { page } = await signedIn('#/bulk');
    await find(page, followUp!.transaction_id!);
    await expectFollowUpPage(page, followUp!.id);
  });

  it('says an order or a transaction without a follow-up in words, and keeps the focus in the box', async () => {
    const known = await orderWithoutFollowUp();
    const { page } = await signedIn('#/worklist');
    await find(page, known.order);
    const alert = page.getByRole('alert').filter({ hasText: known.order });
    await alert.waitFor();
    expect(await alert.innerText()).toBe(`${known.order} is an order the tracker knows, without a follow-up: nothing to work on.`);
    expect(await page.locator(':focus').getAttribute('id')).toBe('find-id');
    expect(await page.getByLabel(LABEL).getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/#\/worklist$/);
    await find(page, known.transaction);
    await page.getByRole('alert').filter({ hasText: `${known.transaction} is a transaction the tracker knows, without a follow-up: nothing to work on.` }).waitFor();
    await expectNoAxeViolations(page, 'the find box saying an order has no follow-up');
  });

  it('says an unknown id in words, at 390 px too, without leaving the page', async () => {
    const { page } = await signedIn('#/report', { viewport: { width: 390, height: 844 } });
    const unknown = randomUUID();
    await find(page, unknown);
    await page.getByRole('alert').filter({ hasText: `No follow-up, order or transaction has the id ${unknown}.` }).waitFor();
    expect(page.url()).toMatch(/#\/report$/);
    expect(await page.locator(':focus').getAttribute('id')).toBe('find-id');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page, 'the find box with an unknown id at 390 px');
  });

  it('refuses an empty box and anything typed but a whole id or a short one (a name, a record number, 7 or 9 characters of an id), and sends nothing', async () => {
    const [followUp] = await openFollowUps();
    const { page } = await signedIn('#/worklist');
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    const asked = lookUpsOf(page);
    await find(page, '   ');
    await page.getByRole('alert').filter({ hasText: 'Enter a follow-up, transaction or order id, or a short id' }).waitFor();
    for (const typed of ['Lopez', 'MRN00123456', followUp!.id.slice(0, 7), followUp!.id.slice(0, 9), 'call ana 555-0100']) {
      await find(page, typed);
      await page.getByRole('alert').filter({ hasText: NOT_A_WHOLE_ID }).waitFor();
      expect(await page.locator(':focus').getAttribute('id')).toBe('find-id');
    }
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('alert').filter({ hasText: NOT_A_WHOLE_ID }).waitFor();
    expect(asked).toEqual([]);
    expect(page.url()).toMatch(/#\/worklist$/);
  });

  it('opens a follow-up from the short id its row shows, copied with its ellipsis or typed in capitals, sending nothing but its whole id', async () => {
    const { page } = await signedIn('#/worklist?queue=open');
    const links = page.locator('#worklist-rows [data-id] a.row-link');
    await links.first().waitFor();
    const ids = (await links.evaluateAll((all) => all.map((link) => link.getAttribute('aria-label') ?? ''))).filter((id) => !id.startsWith(SHARED));
    const [first, second] = [ids[0]!, ids[1]!];
    // What a person copies from the row: the short id and its ellipsis, exactly as the row shows it.
    // (The link's first text is what is on screen; the whole id after it is for screen readers and find in page.)
    const shown = (await page.locator(`#worklist-rows [data-id="${first}"] a.row-link`).evaluate((link) => link.firstChild?.textContent ?? '')).trim();
    expect(shown).toBe(`${first.slice(0, 8)}…`);
    const sent = requestsOf(page);
    await find(page, shown);
    await expectFollowUpPage(page, first);
    await find(page, second.slice(0, 8).toUpperCase());
    await expectFollowUpPage(page, second);
    // Both were read with the worklist: the open follow-ups were not paged for them (the follow-up page reads its queue
    // for "next", as ever), and no request carried what was typed.
    expect(sent.filter((path) => path.startsWith('/follow-ups?state=open'))).toEqual([]);
    expect(sent.filter((path) => path.toLowerCase().includes(first.slice(0, 8)) || path.toLowerCase().includes(second.slice(0, 8)))).toEqual([]);
    await expectNoAxeViolations(page, 'a follow-up opened by its short id at 1280 px');
  });

  it('lists the follow-ups a short id several share (paging the open ones when none read matches) and opens the one chosen, at 390 px', async () => {
    const { page } = await signedIn('#/report', { viewport: { width: 390, height: 844 } });
    await page.getByRole('heading', { level: 1, name: 'Redraw report' }).waitFor();
    const sent = requestsOf(page);
    await find(page, SHARED.toUpperCase());
    await page.getByRole('status').filter({ hasText: `2 follow-ups share the short id ${SHARED}: choose one below.` }).waitFor();
    const choices = page.getByRole('list', { name: 'Follow-ups that share this short id' }).getByRole('link');
    expect((await choices.allInnerTexts()).sort()).toEqual([...sharing].sort());
    expect(await page.getByRole('listitem').filter({ hasText: sharing[0]! }).innerText()).toBe(`${sharing[0]} New, owner No owner, matched by its follow-up id`);
    expect(page.url()).toMatch(/#\/report$/);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page, 'the follow-ups sharing a short id at 390 px');
    // The open follow-ups were paged, then those closed lately (nothing typed in the requests); the short id went nowhere.
    expect(sent.filter((path) => path.startsWith('/follow-ups?'))).toEqual(['/follow-ups?state=open&limit=100', '/follow-ups?state=closed&limit=100']);
    expect(sent.filter((path) => path.toLowerCase().includes(SHARED))).toEqual([]);

    await page.getByRole('link', { name: sharing[1]!, exact: true }).click();
    await expectFollowUpPage(page, sharing[1]!);
    expect(await page.getByRole('list', { name: 'Follow-ups that share this short id' }).count()).toBe(0);

    // A short id no follow-up has: said in words, nothing opened, and still nothing typed went out.
    const nobody = SHARED === '00000000' ? '00000001' : '00000000';
    await find(page, nobody);
    await page.getByRole('alert').filter({ hasText: new RegExp(`^No follow-up has an id beginning ${nobody} among the follow-ups read so far and the \\d+ open follow-ups and the \\d+ closed in the last 30 days\\. Paste its whole id to look it up\\.$`) }).waitFor();
    expect(await page.locator(':focus').getAttribute('id')).toBe('find-id');
    expect(sent.filter((path) => path.includes(nobody))).toEqual([]);
  });

  it('says in words when the tracker fails the look-up, stays on the page, and the follow-up page says when its queue cannot be read', async () => {
    const [followUp] = await openFollowUps();
    const guarded = await signedIn('#/worklist');
    const { page } = guarded;
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    // The tracker failing every look-up (a 503 from DynamoDB throttling, say), then unreachable.
    const failing = { mode: 'error' as 'error' | 'abort' };
    const lookUps = (url: URL) => /^\/(follow-ups|orders|transactions)\/(?!counts)/.test(url.pathname);
    await page.route(
      lookUps,
      (route) => (failing.mode === 'error' ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"try again"}}' }) : route.abort('failed')),
    );
    await find(page, followUp!.id);
    await page.getByRole('alert').filter({ hasText: `Could not look up ${followUp!.id}: The tracker answered 503: try again` }).waitFor();
    expect(page.url()).toMatch(/#\/worklist$/);
    failing.mode = 'abort';
    await find(page, followUp!.id);
    await page.getByRole('alert').filter({ hasText: `Could not look up ${followUp!.id}: The tracker could not be reached. Try again.` }).waitFor();
    expect(page.url()).toMatch(/#\/worklist$/);
    await page.unroute(lookUps);

    // The follow-up page with its queue unreadable: the follow-up shows, and no "next" is made up.
    await page.route((url) => url.pathname === '/follow-ups', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"try again"}}' }));
    await page.goto(`${tracker.url}/#/follow-ups/${followUp!.id}?queue=open`);
    await page.getByRole('heading', { level: 1, name: `Follow-up ${followUp!.id}` }).waitFor();
    await page.getByText('All open could not be read: go back to it for the next.').waitFor();
    expect(await page.locator('#next-in-queue').count()).toBe(0);
    // Chromium logs each refused answer; those are the ones this test asked for.
    const unexpected = guarded.consoleErrors.filter((line) => !/status of 503|net::ERR_FAILED/.test(line));
    guarded.consoleErrors.splice(0, guarded.consoleErrors.length, ...unexpected);
  });
});

describe('a find that failed, and short ids of closed follow-ups (issue 72 item 2)', () => {
  it('says a failed find in place; another page clears its notice and what was typed and takes the focus out of the box; / gives an empty box', async () => {
    const { page } = await signedIn('#/report');
    await page.getByRole('heading', { level: 1, name: 'Redraw report' }).waitFor();
    const box = page.getByLabel(LABEL);
    const unknown = randomUUID();
    await find(page, unknown);
    const failed = page.getByRole('alert').filter({ hasText: `No follow-up, order or transaction has the id ${unknown}.` });
    await failed.waitFor();
    // In place: under the box, in the header's search landmark, and the page did not change.
    expect(await page.getByRole('search', { name: 'Find by id' }).getByRole('alert').count()).toBe(1);
    expect(page.url()).toMatch(/#\/report$/);
    await expectNoAxeViolations(page, 'a failed find, said in place');

    // Moving on: the Worklist link. The notice and the text are gone; the focus is on the new page's heading.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Worklist' }).click();
    await page.locator('main h1:focus').filter({ hasText: 'Worklist' }).waitFor();
    await expect.poll(() => box.inputValue()).toBe('');
    expect(await failed.count()).toBe(0);
    expect(await page.getByRole('search', { name: 'Find by id' }).getByRole('alert').count()).toBe(0);
    expect(await box.getAttribute('aria-invalid')).toBeNull();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).not.toBe('find-id');
    await expectNoAxeViolations(page, 'the worklist after a failed find elsewhere');

    // Another failed find here, the focus taken back to the page (Tab leaves the box), then /: an empty box, nothing said.
    await find(page, 'Lopez');
    await page.getByRole('alert').filter({ hasText: NOT_A_WHOLE_ID }).waitFor();
    await page.locator('main h1').focus();
    await page.keyboard.press('/');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('find-id');
    expect(await box.inputValue()).toBe('');
    expect(await page.getByRole('search', { name: 'Find by id' }).getByRole('alert').count()).toBe(0);
    await page.keyboard.type('5abe');
    expect(await box.inputValue()).toBe('5abe');
    await expectNoAxeViolations(page, 'the find box emptied by /');
  });

  it('finds a follow-up closed in the last days by its short id, in a tab that never read it', async () => {
    const transactionId = randomUUID();
    await openFollowUp(transactionId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await fetch(`${tracker.url}/follow-ups/${transactionId}`);
      if (response.ok) {
        const { follow_up: followUp } = (await response.json()) as { follow_up: { version: number } };
        const closed = await fetch(`${tracker.url}/follow-ups/${transactionId}/actions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-redraw-actor': 'kim.w' },
          body: JSON.stringify({ action: 'close', disposition: 'patient_declined', expected_version: followUp.version }),
        });
        expect(closed.status).toBe(200);
        break;
      }
      if (Date.now() > deadline) throw new Error('the follow-up did not open');
      await new Promise((wake) => setTimeout(wake, 250));
    }
    const { page } = await signedIn('#/report');
    await page.getByRole('heading', { level: 1, name: 'Redraw report' }).waitFor();
    const sent = requestsOf(page);
    await find(page, transactionId.slice(0, 8));
    await expectFollowUpPage(page, transactionId);
    expect(sent.filter((path) => path.toLowerCase().includes(transactionId.slice(0, 8)))).toEqual([]);
    await expectNoAxeViolations(page, 'a closed follow-up opened by its short id');
  });
});

describe('page titles', () => {
  it('names every page in its title, an unknown one "Page not found"', async () => {
    const [followUp] = await openFollowUps();
    const { page } = await signedIn('#/worklist');
    const expected: [string, string, string][] = [
      ['#/worklist?queue=open', 'Worklist', 'Worklist – Redraw tracker'],
      [`#/follow-ups/${followUp!.id}`, `Follow-up ${followUp!.id}`, `Follow-up ${followUp!.id} – Redraw tracker`],
      ['#/bulk', 'Bulk', 'Bulk – Redraw tracker'],
      ['#/report', 'Redraw report', 'Report – Redraw tracker'],
      ['#/redraws', 'Stale redraws', 'Stale redraws – Redraw tracker'],
      ['#/redraws?state=open', 'Open redraws', 'Open redraws – Redraw tracker'],
      ['#/no-such-page', 'Page not found', 'Page not found – Redraw tracker'],
      ['#/follow-ups/Jane%20Doe', 'No such follow-up', 'No such follow-up – Redraw tracker'],
    ];
    const sent = requestsOf(page);
    for (const [hash, heading, title] of expected) {
      await page.goto(`${tracker.url}/${hash}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForFunction(`document.title === ${JSON.stringify(title)}`);
      expect(await page.title()).toBe(title);
    }
    // A short id in the address is resolved in the browser and leads to its follow-up; neither it nor a name went out.
    const short = followUp!.id.slice(0, 8);
    await page.goto(`${tracker.url}/#/follow-ups/${short.toUpperCase()}`);
    await page.getByRole('heading', { level: 1, name: `Follow-up ${followUp!.id}` }).waitFor();
    expect(sent.filter((path) => /jane|doe/i.test(path) || path.toLowerCase().includes(short))).toEqual([]);
  });
});
