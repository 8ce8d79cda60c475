/**
 * Chromium for the console's tests (CONTRACT §12): Debian's chromium driven by
 * playwright-core, never a downloaded browser, installed by the browser
 * project's globalSetup when missing (./chromium). A missing binary is a loud
 * failure naming the install command, never a skip. Each page comes in its own
 * context that aborts and records every request to another origin and records
 * page and console errors (CSP violations among them); axe-core is injected from
 * node_modules for the accessibility checks; `npm start` (optionally with the
 * simulator run against it) gives the tests a tracker with data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { storyCopy } from './browser-story';
import { chromiumPath, CHROMIUM_INSTALL } from './chromium';
import { freePort, repoRoot, signalGroup, spawnNpm, waitUntilHealthy, type NpmProcess } from './npm-start';

// The path and the install command live in ./chromium (the browser project's globalSetup installs it).
export { chromiumPath, CHROMIUM_INSTALL };

/**
 * Where the worklist test leaves its screenshot of the console: under the
 * git-ignored test-results/, so a test run rewrites no tracked file. README's
 * docs/console.png is refreshed by hand from it (README, "Test").
 */
export const CONSOLE_SCREENSHOT = resolve(repoRoot, 'test-results/console.png');

/** Flags for a headless Chromium on a shared machine as root, with nothing talking to Google. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Headless Chromium; throws naming CHROMIUM_INSTALL when the binary is missing (tests fail, never skip). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (set CHROMIUM_PATH, or install Debian's: ${CHROMIUM_INSTALL})`);
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

/** This worker process's Chromium, once launched (workerChromium). */
let workerBrowser: Promise<Browser> | undefined;

/**
 * The Chromium of this test worker: launched at its first file's first use and
 * shared by the files the worker runs after it (the browser layer's files share
 * workers: vitest.config.mts, `isolate: false`), each file's pages in browser
 * contexts of their own, closed when the file ends (releaseWorkerChromium).
 * Playwright ends it when the worker process exits. Launched again if it went
 * away (a crash); a failed launch is not kept, so the next file tries again.
 * Each file after a worker's first is spared a launch (issue 87).
 */
export function workerChromium(): Promise<Browser> {
  workerBrowser ??= launchChromium().then(
    (browser) => {
      browser.on('disconnected', () => {
        workerBrowser = undefined;
      });
      return browser;
    },
    (error: unknown) => {
      workerBrowser = undefined;
      throw error;
    },
  );
  return workerBrowser;
}

/** A file's end: every context still open in the worker's Chromium closed (a file runs alone in its worker, so they are its own). */
export async function releaseWorkerChromium(browser: Browser | undefined): Promise<void> {
  if (browser === undefined || !browser.isConnected()) return;
  await Promise.all(browser.contexts().map((context) => context.close()));
}

export interface GuardedPage {
  context: BrowserContext;
  page: Page;
  /** Every request to an origin other than the page's own, aborted before it left. */
  foreignRequests: string[];
  /** Uncaught page errors and console errors (CSP violations are console errors). */
  consoleErrors: string[];
}

/** The origin of a URL, or null for one without (data:, about:, blob: of an opaque origin). */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? null : parsed.origin;
  } catch {
    return null;
  }
}

/**
 * A new context and page for `origin` (e.g. http://127.0.0.1:4321): requests to
 * any other origin (but those of `allow`) are aborted and recorded; page and console errors recorded.
 * bypassCSP defaults to true so that axe can be injected; check the CSP header
 * itself separately.
 */
export async function guardedPage(
  browser: Browser,
  origin: string,
  options: { bypassCSP?: boolean; viewport?: { width: number; height: number }; allow?: readonly string[]; timezoneId?: string; hasTouch?: boolean } = {},
): Promise<GuardedPage> {
  const own = originOf(origin);
  if (own === null) throw new Error(`guardedPage: ${origin} is not an http(s) origin`);
  // Origins the page may also reach (on AWS, the sign-in domain: its pages and its token endpoint).
  const allowed = new Set([own, ...(options.allow ?? []).map((other) => originOf(other))]);
  const context = await browser.newContext({
    bypassCSP: options.bypassCSP ?? true,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    serviceWorkers: 'block',
    // The browser's zone (e.g. America/New_York): the console shows times in it beside UTC.
    ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
    ...(options.hasTouch === undefined ? {} : { hasTouch: options.hasTouch }),
  });
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    const target = originOf(url);
    // data: and blob: URLs never leave the page; anything with another origin is refused.
    if ((target !== null && allowed.has(target)) || (target === null && /^(data|blob|about):/.test(url))) {
      await route.continue();
      return;
    }
    foreignRequests.push(url);
    await route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  return { context, page, foreignRequests, consoleErrors };
}

/**
 * Opens `hash` (e.g. '#/worklist') on the local console and signs in with `handle`
 * through the handle prompt, as a person does with `npm start`; resolves once the
 * header names them.
 */
export async function signInWithHandle(page: Page, origin: string, handle: string, hash = '#/worklist'): Promise<void> {
  await page.goto(`${origin}/${hash}`);
  await page.getByLabel('Your handle').fill(handle);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText(`Signed in as ${handle}`).waitFor();
}

/**
 * Serves the page its config.json with the test-only `testRequestTimeoutMs`
 * (console/src/lib/sign-in.ts, accepted on a loopback origin only): the console
 * then gives up on the API after `ms` instead of 35 s. Call before the page loads.
 */
export async function shortenRequestTimeout(page: Page, ms: number): Promise<void> {
  await page.route('**/config.json', async (route) => {
    const response = await route.fetch();
    const config = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...config, testRequestTimeoutMs: ms } });
  });
}

/**
 * Holds every request of the page that `matches` open for good, as a stalled
 * connection does: it never reaches the tracker and is never answered. Gives
 * the requests held so far (so a test can count what was sent).
 */
export async function stallRequests(page: Page, matches: (request: Request) => boolean): Promise<Request[]> {
  const held: Request[] = [];
  await page.route('**/*', async (route) => {
    if (!matches(route.request())) {
      await route.fallback();
      return;
    }
    held.push(route.request());
  });
  return held;
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;
const AXE_SOURCE = resolve(repoRoot, 'node_modules/axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core (WCAG 2.2 AA and below) on the page as it is now; throws listing every violation. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!hasAxe) await page.addScriptTag({ content: await readFile(AXE_SOURCE, 'utf8') });
  const violations = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run('html', { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target })),
    }));
  }, [...AXE_TAGS]);
  if (violations.length === 0) return;
  const lines = violations.map((violation) => {
    const targets = violation.nodes.slice(0, 3).map((node) => JSON.stringify(node.target));
    const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
    return `  ${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help} at ${targets.join(', ')}${more}`;
  });
  throw new Error(`${label}: ${violations.length} accessibility violation(s) (axe-core, ${AXE_TAGS.join(', ')}):\n${lines.join('\n')}`);
}

/** Settings of the developer's environment that would point `npm start` or the simulator elsewhere. */
const TRACKER_SETTINGS =
  /^(AWS_.*|TRACKER_URL|PORT|NO_COLOR|JUNCTION_.*|SIMULATE_SEED|REDRAW_.*|RECONCILE_.*|SYNC_.*|RETENTION_DAYS|SWEEP_INTERVAL_SECONDS|DATA_DIR|DYNAMODB_ENDPOINT|TABLE_NAME|LOG_FORMAT)$/;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!TRACKER_SETTINGS.test(name)) env[name] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

export interface BrowserTracker {
  /** http://127.0.0.1:PORT, the console's origin. */
  url: string;
  /** SIGINT to the group (Ctrl-C), a bounded wait, then SIGKILL if it still runs. */
  stop(): Promise<void>;
  tracker: NpmProcess;
}

/**
 * Waits until the stream function has caught up with the simulator's last
 * deliveries: the simulator ends once its webhooks are answered, and follow-ups
 * open behind them, from the table's stream (a test that read the report before
 * the page did once saw `opened` go from 9 to 10 in between). Settled: the
 * report of the last 30 days and the open follow-ups the same three reads in a
 * row, a second apart.
 */
async function streamSettled(url: string): Promise<void> {
  const today = new Date();
  const from = new Date(today.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const read = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status} while waiting for the stream`);
    return response.text();
  };
  let last = '';
  let same = 0;
  const deadline = Date.now() + 90_000;
  // The first read at once, each next a second after the one before: three alike span two seconds.
  for (let reads = 0; same < 2; reads += 1) {
    if (Date.now() > deadline) throw new Error('the tracker kept changing for 90 s after the simulator ended');
    if (reads > 0) await new Promise((wake) => setTimeout(wake, 1_000));
    const now = (await read(`/reports/redraws?from=${from}&to=${today.toISOString().slice(0, 10)}`)) + (await read('/follow-ups?state=open&limit=100'));
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

/**
 * `npm run simulate` against the tracker at `url` with `seed`, to its end, in
 * this process: the simulate command through runCli (cli/main.ts), with the
 * environment the npm script would be given (the developer's tracker settings
 * dropped), its output kept for the error. Throws unless it exits 0, as the
 * script would. The process itself (npm, node, tsx, the exit code reaching the
 * shell) is test/e2e's to prove (npm-start, simulate-report, reconcile); here
 * only the data it leaves behind is needed, and a process cost a tsx start and
 * about 3 s of CPU per run.
 */
export async function simulate(url: string, secret: string, seed: number): Promise<void> {
  // Loaded on first use: the bench imports this file for Chromium alone.
  const { runCliInProcess } = await import('./cli-in-process');
  const run = await runCliInProcess(['simulate'], { ...cleanEnv(), TRACKER_URL: url, JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: String(seed) });
  if (run.code !== 0) throw new Error(`simulate (in process) exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

/**
 * `npm start` without npm: package.json's start script is `exec node ...`, so
 * npm's part is a process in front of that node (about 0.5 s of CPU and a
 * second of wall time per start); this runs the script's own command line in
 * its own process group, stopped by the same Ctrl-C to the group. npm start as
 * such (its banner, its Ctrl-C, its exit) is test/e2e's (npm-start.test.ts);
 * the console's tests need its tracker. A start script of another shape runs
 * through npm, as before.
 */
function startCommand(env: NodeJS.ProcessEnv): NpmProcess {
  const script = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const words = /^exec (node(?: [\w./=-]+)+)$/.exec(script)?.[1]?.split(' ');
  if (words === undefined) return spawnNpm(['start'], env);
  const [command, ...args] = words;
  return spawnNpm(args, env, command);
}

/**
 * `npm start` on a free port, in memory, sweeps left to the test (once a day),
 * with a fresh webhook secret (its command line without npm: startCommand);
 * `simulate: true` then runs the simulator against it to its end (seed 42, in
 * this process: simulate), which leaves transactions, redraws and follow-ups
 * behind, and waits for the stream to settle (streamSettled). `story: true`
 * starts it instead on a copy of that same story's data, simulated once per
 * test run (./browser-story.ts; where there is no run, simulated here as with
 * `simulate`): for files that need the story's data, not the simulator's run or
 * what only a running tracker keeps in memory (GET /local/events). `env` adds to
 * (or overrides) the tracker's environment.
 */
export async function startTrackerForBrowser(options: { simulate?: boolean; story?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<BrowserTracker> {
  const copy = options.story === true ? await storyCopy(makeStory) : null;
  const simulateHere = options.simulate === true || (options.story === true && copy === null);
  try {
    const tracker = await startTracker({ ...options.env, ...(copy === null ? {} : { DATA_DIR: copy.dataDir }) }, simulateHere);
    if (copy === null) return tracker;
    const stop = async (): Promise<void> => {
      await tracker.stop();
      copy.release();
    };
    return { ...tracker, stop };
  } catch (error) {
    copy?.release();
    throw error;
  }
}

/** The story's data: a tracker on `dataDir`, the simulator run against it to its end, the tracker stopped (its stream positions kept there). */
async function makeStory(dataDir: string): Promise<void> {
  const tracker = await startTracker({ DATA_DIR: dataDir }, true);
  await tracker.stop();
}

async function startTracker(extraEnv: NodeJS.ProcessEnv, simulateHere: boolean): Promise<BrowserTracker> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), PORT: String(port), JUNCTION_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`, SWEEP_INTERVAL_SECONDS: '86400', ...extraEnv };
  const url = `http://127.0.0.1:${port}`;
  const tracker = startCommand(env);
  const stop = async (): Promise<void> => {
    if (tracker.hasExited()) return;
    signalGroup(tracker.pgid, 'SIGINT');
    await Promise.race([tracker.exited, new Promise((wake) => setTimeout(wake, 20_000))]);
    if (!tracker.hasExited()) {
      signalGroup(tracker.pgid, 'SIGKILL');
      await tracker.exited;
    }
  };
  try {
    await waitUntilHealthy(tracker, url);
    if (simulateHere) {
      await simulate(url, env.JUNCTION_WEBHOOK_SECRET!, 42);
      await streamSettled(url);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, tracker };
}
