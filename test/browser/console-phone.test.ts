/**
 * Every page of the console on a phone and on a laptop (CONTRACT §12, issue 47
 * items 7 and 9), in Chromium against `npm start` with simulated data: the
 * handle prompt, the worklist in each queue, an open and a closed follow-up,
 * Bulk, the report, the stale and the open redraws, and an unknown page. At 390x844 no page scrolls
 * sideways (the document is no wider than the screen); at 390x844 and
 * 1280x800 axe finds no violation and every element that scrolls can be
 * reached by keyboard (it is in the tab order itself, or holds something that
 * is, whose focus scrolls it). The worklist's first screen on a 390x844 phone
 * (issue 58) holds three cards or more, each card is the target that opens
 * its follow-up, and every target a thumb acts on is 44 px or more (Bulk's
 * checkboxes and the snooze picker's choices too). Issue 72: on every page, every
 * tap target is 44 x 44 px or more at 390x844 and 24 x 24 px or more at 1280x800
 * (links inside a sentence apart, test/support/tap-targets.ts), and a
 * follow-up's first action and one more sit whole on the phone's first screen.
 *
 * Why it takes its time (issue 87): `npm start` and the simulator's data, then
 * every page of the console loaded at 390x844 and at 1280x800, and on each axe,
 * the width of the document, every scroll area and every tap target measured in
 * Chromium. Sizes, scrolling and the tab order are the browser's layout of the
 * real page; no faster test lays a page out.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, releaseWorkerChromium, workerChromium, guardedPage, signInWithHandle, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { smallTargets, tapTargets } from '../support/tap-targets';

interface FollowUp {
  id: string;
  owner: string | null;
  state: string;
}

let tracker: BrowserTracker;
let browser: Browser;
const opened: GuardedPage[] = [];
/** An owner of the simulated data, so that Mine has rows. */
let owner = '';
let openFollowUp = '';
/** An open follow-up nobody owns (Take it is offered), or '' when the simulator left none. */
let unownedFollowUp = '';
let closedFollowUp = '';

beforeAllOrFailEach(async () => {
  [tracker, browser] = await Promise.all([startTrackerForBrowser({ story: true }), workerChromium()]);
  const read = async (path: string) => ((await (await fetch(`${tracker.url}${path}`)).json()) as { items: FollowUp[] }).items;
  const open = await read('/follow-ups?queue=open&limit=100');
  const owned = open.find((item) => item.owner !== null);
  const closed = await read('/follow-ups?queue=closed&limit=100');
  if (owned === undefined || closed.length === 0) throw new Error('the simulator left no owned open follow-up or no closed one');
  owner = owned.owner!;
  openFollowUp = owned.id;
  unownedFollowUp = open.find((item) => item.owner === null && item.state !== 'closed')?.id ?? '';
  closedFollowUp = closed[0]!.id;
}, 240_000);

afterAll(async () => {
  for (const guarded of opened) {
    expect(guarded.foreignRequests, 'requests to other origins').toEqual([]);
    expect(guarded.consoleErrors, 'page and console errors').toEqual([]);
  }
  await releaseWorkerChromium(browser);
  await tracker?.stop();
}, 60_000);

/** Every page: its route and its h1 (the follow-ups' are known once the tracker is up). */
const PAGES: readonly { name: string; hash: () => string; h1: () => string }[] = [
  ...(['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'] as const).map((queue) => ({ name: `the worklist (${queue})`, hash: () => `#/worklist?queue=${queue}`, h1: () => 'Worklist' })),
  { name: 'an open follow-up', hash: () => `#/follow-ups/${openFollowUp}`, h1: () => `Follow-up ${openFollowUp}` },
  { name: 'a closed follow-up', hash: () => `#/follow-ups/${closedFollowUp}`, h1: () => `Follow-up ${closedFollowUp}` },
  { name: 'Bulk', hash: () => '#/bulk?queue=open', h1: () => 'Bulk' },
  { name: 'the report', hash: () => '#/report', h1: () => 'Redraw report' },
  { name: 'the stale redraws', hash: () => '#/redraws?state=stale', h1: () => 'Stale redraws' },
  { name: 'the open redraws', hash: () => '#/redraws?state=open', h1: () => 'Open redraws' },
  { name: 'an unknown page', hash: () => '#/no-such-page', h1: () => 'Page not found' },
];

const pageAt = new Map<number, Page>();

/** One signed-in page per width, kept across the tests of that width. */
async function consoleAt(width: number, height: number): Promise<Page> {
  const known = pageAt.get(width);
  if (known !== undefined) return known;
  const guarded = await guardedPage(browser, tracker.url, { viewport: { width, height } });
  opened.push(guarded);
  await signInWithHandle(guarded.page, tracker.url, owner);
  pageAt.set(width, guarded.page);
  return guarded.page;
}

/** Opens a page and waits until it has drawn what it loads (nothing in main says "Loading" any more). */
async function show(page: Page, hash: string, h1: string): Promise<void> {
  await page.goto(`${tracker.url}/${hash}`);
  await page.getByRole('heading', { level: 1, name: h1, exact: true }).waitFor();
  await page.waitForFunction(`!/Loading/.test(document.querySelector('main').innerText)`);
}

/**
 * The elements that scroll (content beyond their box, overflow auto or scroll)
 * but that the keyboard cannot reach: neither in the tab order nor holding
 * anything that is. Described as tag.class#id for the failure message.
 */
async function unreachableScrollers(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const focusable = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    return [...document.querySelectorAll('body *')].filter((element) => {
      const style = getComputedStyle(element);
      const scrollsX = element.scrollWidth > element.clientWidth + 1 && /auto|scroll/.test(style.overflowX);
      const scrollsY = element.scrollHeight > element.clientHeight + 1 && /auto|scroll/.test(style.overflowY);
      if (!scrollsX && !scrollsY) return false;
      return !(element.tabIndex >= 0 || element.querySelector(focusable) !== null);
    }).map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ').join('.') : '') + (element.id ? '#' + element.id : ''));
  })()`);
}

describe('on a 390-px phone', () => {
  it('asks for the handle without sideways scroll, and axe finds nothing there', async () => {
    const guarded = await guardedPage(browser, tracker.url, { viewport: { width: 390, height: 844 } });
    opened.push(guarded);
    await guarded.page.goto(`${tracker.url}/#/worklist`);
    await guarded.page.getByRole('heading', { level: 1, name: 'Who is working?' }).waitFor();
    expect.soft(await guarded.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(guarded.page, 'the handle prompt at 390x844');
    const small = await smallTargets(guarded.page, 44);
    expect.soft(small, `the handle prompt at 390x844: tap targets under 44 x 44 px: ${small.join('; ')}`).toEqual([]);
    await guarded.context.close();
  });

  for (const entry of PAGES) {
    it(`shows ${entry.name} without sideways scroll, every scroll area reachable, and no axe violation`, async () => {
      const page = await consoleAt(390, 844);
      await show(page, entry.hash(), entry.h1());
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      // Soft: a page that fails one check still has the others run and said.
      expect.soft(width, `${entry.name}: the document's width at 390 px`).toBeLessThanOrEqual(390);
      expect.soft(await unreachableScrollers(page), `${entry.name}: scroll areas the keyboard cannot reach`).toEqual([]);
      await expectNoAxeViolations(page, `${entry.name} at 390x844`);
      // Every tap target 44 x 44 px or more on a phone (issue 72 item 7), links inside a sentence apart.
      const small = await smallTargets(page, 44);
      expect.soft(small, `${entry.name} at 390x844: tap targets under 44 x 44 px: ${small.join('; ')}`).toEqual([]);
    });
  }
});

/** Whole cards on the first screen (top and bottom within the window), and how many cards there are. */
async function cardsOnFirstScreen(page: Page): Promise<{ whole: number; cards: number }> {
  return page.evaluate<{ whole: number; cards: number }>(`(() => {
    const cards = [...document.querySelectorAll('#worklist-rows .row-card')];
    const whole = cards.filter((card) => { const box = card.getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; }).length;
    return { whole, cards: cards.length };
  })()`);
}

/**
 * Every target a thumb acts on in the header and main (links, buttons, fields, a
 * disclosure's summary), with its size: a row link's is its card's, which its
 * cover fills. Links inside a sentence are left out (WCAG 2.5.8's inline
 * exception), as is what is hidden or visually hidden.
 */
async function targets(page: Page): Promise<{ name: string; width: number; height: number }[]> {
  return page.evaluate<{ name: string; width: number; height: number }[]>(`(() => {
    const all = [...document.querySelectorAll('header a[href], header button, header input, main a[href], main button, main input, main select, main summary')];
    return all.flatMap((element) => {
      const inSentence = element.tagName === 'A' && element.closest('p') !== null && !element.closest('.card-title');
      const box = (element.classList.contains('row-link') ? element.closest('.row-card') : element).getBoundingClientRect();
      if (inSentence || box.width <= 1 || box.height <= 1 || element.closest('details:not([open]) > :not(summary)')) return [];
      const name = element.getAttribute('aria-label') || element.textContent.trim() || element.id;
      return [{ name: element.tagName.toLowerCase() + ' ' + name.slice(0, 40), width: Math.round(box.width), height: Math.round(box.height) }];
    });
  })()`);
}

describe('the worklist on a 390x844 phone (issue 58)', () => {
  it('shows three cards or more on the first screen, in every queue that has them', async () => {
    const page = await consoleAt(390, 844);
    for (const queue of ['open', 'attention', 'unassigned', 'closed']) {
      await show(page, `#/worklist?queue=${queue}`, 'Worklist');
      const { whole, cards } = await cardsOnFirstScreen(page);
      console.info(`phone first screen, ${queue}: ${whole} whole cards of ${cards}`);
      expect.soft(whole, `${queue}: whole cards on the first screen`).toBeGreaterThanOrEqual(Math.min(3, cards));
      if (queue === 'open') await page.screenshot({ path: 'test-results/phone-worklist.png' });
    }
  });

  it('makes every target a thumb acts on 44 px or more, the filters folded and unfolded', async () => {
    const page = await consoleAt(390, 844);
    await show(page, '#/worklist?queue=open', 'Worklist');
    const folded = await targets(page);
    await page.getByText('Filters', { exact: true }).click();
    await page.getByLabel('State').waitFor();
    const unfolded = await targets(page);
    for (const target of [...folded, ...unfolded]) {
      expect.soft(target.height, `${target.name}: height`).toBeGreaterThanOrEqual(44);
      expect.soft(target.width, `${target.name}: width`).toBeGreaterThanOrEqual(44);
    }
    const smallest = Math.min(...unfolded.map((target) => Math.min(target.width, target.height)));
    console.info(`phone targets: ${unfolded.length}, the smallest side ${smallest} px`);
    await expectNoAxeViolations(page, 'the worklist with its filters unfolded at 390x844');
  });

  it('opens a follow-up from anywhere on its card, and its buttons still act on their own', async () => {
    const page = await consoleAt(390, 844);
    await show(page, '#/worklist?queue=open', 'Worklist');
    const card = page.locator('#worklist-rows .row-card').nth(1);
    const id = (await card.getAttribute('data-id'))!;
    await card.scrollIntoViewIfNeeded();
    const facts = (await card.locator('.card-facts').boundingBox())!;
    // A thumb on the facts, away from the link's own text.
    await page.mouse.click(facts.x + facts.width - 8, facts.y + facts.height / 2);
    await page.getByRole('heading', { level: 1, name: `Follow-up ${id}` }).waitFor();
    await show(page, '#/worklist?queue=open', 'Worklist');
    await page.locator(`#worklist-rows [data-id="${id}"]`).getByRole('button', { name: `Copy follow-up id ${id}` }).click();
    await page.getByRole('status').filter({ hasText: id.slice(0, 8) }).waitFor();
    expect(page.url()).toMatch(/#\/worklist\?queue=open$/);
  });
});

/** The size of every element `selector` finds in main, named by its accessible name or its text. */
async function sizes(page: Page, selector: string): Promise<{ name: string; width: number; height: number }[]> {
  return page.evaluate<{ name: string; width: number; height: number }[]>(`[...document.querySelectorAll(${JSON.stringify(`main ${selector}`)})].map((element) => {
    const box = element.getBoundingClientRect();
    return { name: element.getAttribute('aria-label') || element.textContent.trim(), width: Math.round(box.width), height: Math.round(box.height) };
  })`);
}

describe('a follow-up’s first screen on a 390x844 phone (issue 72 item 7)', () => {
  it('holds its first action and one more whole, each 44 px tall or more, without a scroll: Take it where nobody owns it, else its first two buttons', async () => {
    expect(unownedFollowUp, 'an open follow-up nobody owns').not.toBe('');
    const page = await consoleAt(390, 844);
    for (const [id, first, second] of [
      [unownedFollowUp, '#take-it', '#open-snooze'],
      [openFollowUp, '#open-snooze', '#open-record_contact'],
    ] as const) {
      await show(page, `#/follow-ups/${id}`, `Follow-up ${id}`);
      await page.locator('#next-in-queue, #end-of-queue').first().waitFor();
      expect(await page.evaluate<number>('window.scrollY')).toBe(0);
      for (const selector of [first, second]) {
        const box = (await page.locator(selector).boundingBox())!;
        console.info(`${selector} on ${id.slice(0, 8)} at 390x844: top ${Math.round(box.y)}, bottom ${Math.round(box.y + box.height)}, ${Math.round(box.width)} x ${Math.round(box.height)}`);
        expect.soft(box.y, `${selector}: its top`).toBeGreaterThanOrEqual(0);
        expect.soft(box.y + box.height, `${selector}: its bottom within the first screen`).toBeLessThanOrEqual(844);
        expect.soft(box.height, `${selector}: its height`).toBeGreaterThanOrEqual(44);
        expect.soft(box.width, `${selector}: its width`).toBeGreaterThanOrEqual(44);
      }
      // What is missing and why, and the rest of what to decide, follows the work on a phone.
      await expectNoAxeViolations(page, `follow-up ${first === '#take-it' ? 'nobody owns' : 'someone owns'}, first screen at 390x844`);
    }
  });
});

describe("Bulk's checkboxes and the snooze picker's choices on a 390x844 phone (issue 58)", () => {
  it('makes each row checkbox of Bulk 44 px or more a side', async () => {
    const page = await consoleAt(390, 844);
    await show(page, '#/bulk?queue=open', 'Bulk');
    const boxes = await sizes(page, ".bulk-rows input[type='checkbox']");
    expect(boxes.length).toBeGreaterThan(1);
    for (const box of boxes) {
      expect.soft(box.height, `${box.name}: height`).toBeGreaterThanOrEqual(44);
      expect.soft(box.width, `${box.name}: width`).toBeGreaterThanOrEqual(44);
    }
  });

  it('makes each choice of the snooze picker (the label around its radio) 44 px high or more', async () => {
    const page = await consoleAt(390, 844);
    await show(page, `#/follow-ups/${openFollowUp}`, `Follow-up ${openFollowUp}`);
    // Its form opens in place from the Snooze button (issue 58).
    await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.locator('form[aria-labelledby="action-snooze"]').waitFor();
    const choices = await sizes(page, 'label.choice');
    expect(choices.map((choice) => choice.name)).toContain('1 day');
    for (const choice of choices) expect.soft(choice.height, `${choice.name}: height`).toBeGreaterThanOrEqual(44);
    // And every other target of the form open in place (issue 72 item 7): its fields, its button.
    const small = await smallTargets(page, 44);
    expect.soft(small, `the snooze form at 390x844: tap targets under 44 x 44 px: ${small.join('; ')}`).toEqual([]);
  });
});

describe('on a 1280-px screen', () => {
  for (const entry of PAGES) {
    it(`shows ${entry.name} with every scroll area reachable and no axe violation`, async () => {
      const page = await consoleAt(1280, 800);
      await show(page, entry.hash(), entry.h1());
      expect.soft(await unreachableScrollers(page), `${entry.name}: scroll areas the keyboard cannot reach`).toEqual([]);
      await expectNoAxeViolations(page, `${entry.name} at 1280x800`);
      // WCAG 2.2 AA 2.5.8: every target 24 x 24 px or more (issue 72 item 7), links inside a sentence apart.
      const { inline } = await tapTargets(page);
      if (inline.length > 0) console.info(`${entry.name}: links inside a sentence, exempt: ${JSON.stringify(inline)}`);
      const small = await smallTargets(page, 24);
      expect.soft(small, `${entry.name} at 1280x800: tap targets under 24 x 24 px: ${small.join('; ')}`).toEqual([]);
    });
  }
});
