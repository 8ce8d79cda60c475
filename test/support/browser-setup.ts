/**
 * The set-up of a browser test file (test/browser/*), apart from
 * test/support/browser.ts, which the bench imports outside vitest: the hooks
 * that start a tracker and Chromium for the file and check and close its pages
 * (BrowserFile), and the ways a test meets the console through them (signing
 * in, reading the API).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { guardedPage, releaseWorkerChromium, signInWithHandle, startTrackerForBrowser, type BrowserTracker, type GuardedPage, workerChromium } from './browser';

/**
 * A browser file's `beforeAll`, except that a setup that throws fails each of
 * the file's tests with its error instead of leaving them "skipped": vitest
 * counts the tests of a file whose beforeAll threw as skipped (only the file
 * fails), which is how a machine without Chromium once reported 48 skipped
 * browser tests. The browser layer never skips.
 */
export function beforeAllOrFailEach(setup: () => Promise<void>, timeoutMs?: number): void {
  let failure: { error: unknown } | null = null;
  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      failure = { error };
    }
  }, timeoutMs);
  beforeEach(() => {
    if (failure !== null) throw failure.error;
  });
}

/** How a page of a test is made (guardedPage's options: viewport, zone, CSP bypass, touch). */
export type PageOptions = NonNullable<Parameters<typeof guardedPage>[2]>;

/** `npm start`'s options (startTrackerForBrowser: the simulator, the environment). */
type TrackerOptions = Parameters<typeof startTrackerForBrowser>[0];

export interface BrowserFileOptions {
  /** Before the tracker starts (a stand-in it is pointed at). */
  before?: () => Promise<void>;
  /** The tracker's options, or a function giving them once `before` has run. */
  tracker?: TrackerOptions | (() => TrackerOptions);
  /** The file's own seeding, once the tracker and Chromium are up. */
  setup?: () => Promise<void>;
  /** After the browser and the tracker are closed (a stand-in the tracker talked to). */
  teardown?: () => Promise<void>;
  /** Console lines a test makes on purpose (Chromium logs each 4xx the page reads as a failed resource); any other fails the test. */
  expectedConsole?: RegExp;
  /** The setup's time limit (240 s unless said). */
  timeoutMs?: number;
}

/**
 * The tracker of one browser file and the worker's Chromium (workerChromium),
 * started before its first test (beforeAllOrFailEach), the tracker stopped and
 * the file's contexts closed after its last; each page a test opens
 * through it is checked after the test (no request to another origin, no page
 * or console error but the expected ones) and closed.
 */
export class BrowserFile {
  private started: { tracker: BrowserTracker; browser: Browser } | undefined;
  private readonly pages: GuardedPage[] = [];

  constructor(private readonly options: BrowserFileOptions = {}) {
    beforeAllOrFailEach(async () => {
      await options.before?.();
      const trackerOptions = typeof options.tracker === 'function' ? options.tracker() : options.tracker;
      const [tracker, browser] = await Promise.all([startTrackerForBrowser(trackerOptions), workerChromium()]);
      this.started = { tracker, browser };
      await options.setup?.();
    }, options.timeoutMs ?? 240_000);
    afterEach(() => this.checkAndClosePages());
    afterAll(async () => {
      await releaseWorkerChromium(this.started?.browser);
      await this.started?.tracker.stop();
      await options.teardown?.();
    }, 60_000);
  }

  /** The file's tracker (npm start), once started. */
  get tracker(): BrowserTracker {
    if (this.started === undefined) throw new Error('the browser file has not started its tracker');
    return this.started.tracker;
  }

  /** The file's Chromium, once started. */
  get browser(): Browser {
    if (this.started === undefined) throw new Error('the browser file has not started Chromium');
    return this.started.browser;
  }

  /** The console's origin, http://127.0.0.1:PORT. */
  get url(): string {
    return this.tracker.url;
  }

  /** A new page on the console's origin in a context of its own, checked and closed after the test. */
  readonly open = async (options: PageOptions = {}): Promise<GuardedPage> => {
    const guarded = await guardedPage(this.browser, this.url, options);
    this.pages.push(guarded);
    return guarded;
  };

  /** A new page at `hash`, signed in as `handle` through the handle prompt; `prepare` runs before the page loads (its routes). */
  readonly signedIn = async (handle: string, hash: string, options: PageOptions & { prepare?: (page: Page) => Promise<void> } = {}): Promise<Page> => {
    const { prepare, ...pageOptions } = options;
    const { page } = await this.open(pageOptions);
    await prepare?.(page);
    await signInWithHandle(page, this.url, handle, hash);
    return page;
  };

  /**
   * A new page at the console's hash `route` (e.g. '/report?weeks=4'), past the
   * handle prompt as `handle`, once its h1 reads `h1`; `grant`: browser
   * permissions for the page's origin (the clipboard), given before it loads.
   */
  readonly openAt = async (route: string, h1: string | RegExp, handle: string, options: PageOptions & { grant?: string[] } = {}): Promise<GuardedPage> => {
    const { grant, ...pageOptions } = options;
    const guarded = await this.open(pageOptions);
    if (grant !== undefined) await guarded.context.grantPermissions(grant, { origin: this.url });
    const { page } = guarded;
    await page.goto(`${this.url}/#${route}`);
    const prompt = page.getByLabel('Your handle');
    const heading = page.getByRole('heading', { level: 1, name: h1 });
    await Promise.race([prompt.waitFor(), heading.waitFor()]);
    if (await prompt.isVisible()) {
      await prompt.fill(handle);
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await heading.waitFor();
    return guarded;
  };

  /** The tracker's API as `actor` (its x-redraw-actor header): the answer's JSON, or an error naming the status. */
  readonly api = async <T>(path: string, actor = 'observer', init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${this.url}${path}`, { ...init, headers: { 'x-redraw-actor': actor, 'content-type': 'application/json' } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };

  private async checkAndClosePages(): Promise<void> {
    const pages = this.pages.splice(0);
    try {
      for (const guarded of pages) {
        expect(guarded.foreignRequests, 'requests to other origins').toEqual([]);
        const expected = this.options.expectedConsole;
        expect(guarded.consoleErrors.filter((line) => expected === undefined || !expected.test(line)), 'page and console errors').toEqual([]);
      }
    } finally {
      await Promise.all(pages.map((guarded) => guarded.context.close()));
    }
  }
}
