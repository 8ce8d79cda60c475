/**
 * Section i: the console (CONTRACT §12), what a user's browser gets and how soon
 * the worklist shows.
 *
 * - **Size:** the console as `npm start` serves it, built by `buildConsole()` of
 *   local/console-assets.ts: every file's raw bytes and gzip -9 bytes (what a
 *   compressing server or CDN sends at best), the first load's total (the page,
 *   the stylesheet, the entry and the chunks it imports statically; not the pages
 *   fetched on their first visit) and every file's. Goal: the first load under
 *   60 KB gzipped (60,000 bytes).
 * - **First render:** the tracker as `npm start` runs it (startLocalRuntime in this
 *   process, its own embedded DynamoDB Local), with `followUps` open follow-ups
 *   written straight into its table through the store's own functions
 *   (writeStoredFollowUp, actOnFollowUp for the acknowledged and snoozed ones: the
 *   items the tracker itself writes, without the orders behind them; a bench
 *   shortcut, not how they arise). Then Debian's Chromium opens
 *   `/#/worklist?queue=open` in a fresh context per run (no HTTP cache: a first
 *   visit, by a returning user whose handle the browser remembers), `runs` times after one unreported warm-up visit, and times, from the
 *   navigation's start (the page's performance.timeOrigin), the first row of the
 *   worklist's table (`table tbody tr`) and the open count inside the queue links,
 *   each as soon as it is in the DOM and visible (a MutationObserver installed
 *   before the page's scripts). Medians over the runs. Goal: first row under 1 s.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { canonicalFromDate } from '../functions/core/instant';
import { dueAt } from '../functions/core/follow-up/due';
import { openingEntry } from '../functions/core/follow-up/history';
import { openFollowUp } from '../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { forEachLimited } from '../functions/shared/concurrency';
import { createLogger } from '../functions/shared/observability';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import { writeStoredFollowUp } from '../functions/store/follow-ups/write';
import { parseLocalSettings } from '../local/config';
import { localTable } from '../local/dynamodb-local';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { expectNoAxeViolations, guardedPage, launchChromium } from '../test/support/browser';
import { median, muted, progress, round } from './stats';

/** Goals of the console section. */
export const CONSOLE_GOALS = { gzipBytes: 60_000, firstRowMs: 1_000 } as const;

export interface ConsoleFileSize {
  path: string;
  contentType: string;
  rawBytes: number;
  gzipBytes: number;
  /** Fetched with the page (else on a page's first visit). */
  firstLoad: boolean;
}

export interface ConsoleSize {
  files: ConsoleFileSize[];
  /** The page, the stylesheet, the entry and its static imports: what the goal is about. */
  firstLoad: { rawBytes: number; gzipBytes: number };
  total: { rawBytes: number; gzipBytes: number };
  goalGzipBytes: number;
  pass: boolean;
}

export interface ConsoleRender {
  followUps: number;
  /** What GET /follow-ups/counts said once seeded (null when the route did not answer 200). */
  counts: Record<string, number> | null;
  seedSeconds: number;
  runs: number;
  /** Per run, ms from the navigation's start: first worklist row visible; the open count visible (null: never seen). */
  samples: { firstRowMs: number | null; countsMs: number | null; wallMs: number; requests: PageRequest[] }[];
  /** Per request path of the page (query aside), medians over the runs: when it started and ended, ms from the navigation's start. */
  requestMedians: { path: string; startMs: number; endMs: number }[];
  medians: { firstRowMs: number | null; countsMs: number | null; wallMs: number };
  /** The API answers the page waits for, timed from here before the visits (medians of `runs` calls, ms): the first worklist page (limit 50) and the counts. */
  api: { listMs: number; countsMs: number | null };
  /** The machine's 1-minute load average when the visits started and ended (2 cores: above 2 the figures are inflated). */
  loadAverage: { start: number; end: number };
  /** Requests the page made to another origin, and console errors, over every run (both should be 0). */
  foreignRequests: number;
  consoleErrors: string[];
  /** axe-core on the worklist with 5,000 rows behind it, after the last run: the violations' ids, or null when not run. */
  axeViolations: string[] | null;
  goalMs: number;
  pass: boolean;
}

/** One request of the page, from its resource timing: ms from the navigation's start. */
export interface PageRequest {
  path: string;
  startMs: number;
  endMs: number;
}

export interface ConsoleResult {
  size: ConsoleSize | { unavailable: string };
  render: ConsoleRender | { unavailable: string };
}

/** What local/console-assets.ts exports (the console's builder, shared with `npm start`). */
interface ConsoleAssets {
  buildConsole(): Promise<{ files: Map<string, { body: Buffer; contentType: string; firstLoad?: boolean }> }>;
}

const CONSOLE_ASSETS = fileURLToPath(new URL('../local/console-assets.ts', import.meta.url));

/** The console's builder, or why there is none (its module is not in this checkout yet). */
async function consoleAssets(): Promise<ConsoleAssets | string> {
  if (!existsSync(CONSOLE_ASSETS)) return 'local/console-assets.ts is not in this checkout';
  const module = (await import(CONSOLE_ASSETS)) as Partial<ConsoleAssets>;
  return typeof module.buildConsole === 'function' ? (module as ConsoleAssets) : 'local/console-assets.ts exports no buildConsole()';
}

/** (a) Raw and gzip -9 bytes of every file the console is served as. */
export async function measureConsoleSize(): Promise<ConsoleSize | { unavailable: string }> {
  const assets = await consoleAssets();
  if (typeof assets === 'string') return { unavailable: assets };
  const { files } = await assets.buildConsole();
  const sizes = [...files.entries()]
    .map(([path, file]) => ({ path, contentType: file.contentType, rawBytes: file.body.length, gzipBytes: gzipSync(file.body, { level: 9 }).length, firstLoad: file.firstLoad ?? true }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const sum = (files: ConsoleFileSize[]) => ({ rawBytes: files.reduce((bytes, file) => bytes + file.rawBytes, 0), gzipBytes: files.reduce((bytes, file) => bytes + file.gzipBytes, 0) });
  const firstLoad = sum(sizes.filter((file) => file.firstLoad));
  return { files: sizes, firstLoad, total: sum(sizes), goalGzipBytes: CONSOLE_GOALS.gzipBytes, pass: firstLoad.gzipBytes < CONSOLE_GOALS.gzipBytes };
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The handles that own the acknowledged ones (ids only, no names: CONTRACT §9's character set). */
const OWNERS = ['ops.amy', 'ops.ben', 'ops.chi', 'ops.dev', 'ops.eli'] as const;

/**
 * Writes `count` open follow-ups as the tracker writes them: opened (version 1) on
 * an initial order awaiting its redraw since 0-45 days ago (every aging bucket);
 * one in 50 marked redraw_failed (attention, set on the opened item: a bench
 * shortcut for the tracker's own entry); one in 10 acknowledged by an owner and one
 * in 25 snoozed, both through actOnFollowUp (the API's own code).
 */
export async function seedFollowUps(runtime: LocalRuntime, tableName: string, count: number): Promise<void> {
  const db = localTable(runtime.dynamodbEndpoint);
  const now = new Date();
  const ids = Array.from({ length: count }, () => randomUUID());
  await forEachLimited(ids, 16, async (id, index) => {
    const openedAt = canonicalFromDate(new Date(now.getTime() - (index % 46) * DAY_MS - ((index * 7) % 23) * HOUR_MS - 60_000));
    const opened = openFollowUp({ id, transactionId: id, initialOrderId: randomUUID(), redrawOrderId: null, openedAt });
    const followUp = index % 50 === 2 ? { ...opened, attention: 'redraw_failed' as const } : opened;
    const redraw = { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: followUp.initial_order_id! };
    const written = await writeStoredFollowUp(
      db,
      tableName,
      null,
      { followUp, redraw, dueAt: dueAt(followUp, redraw, DEFAULT_THRESHOLDS), applied: [], expiresAt: null, remindedAt: null },
      [openingEntry(followUp, new Date(openedAt))],
      now,
    );
    if (written !== 'written') throw new Error(`seeding follow-up ${id}: ${written}`);
    const owner = OWNERS[index % OWNERS.length]!;
    const action =
      index % 10 === 0
        ? { action: 'acknowledge', owner, expected_version: 1 }
        : index % 25 === 1
          ? { action: 'snooze', until: new Date(now.getTime() + 3 * DAY_MS).toISOString(), reason: 'appointment_booked', expected_version: 1 }
          : null;
    if (action === null) return;
    const acted = await actOnFollowUp(db, tableName, { id, body: action, actor: owner, now: new Date(), thresholds: DEFAULT_THRESHOLDS });
    if (acted.kind !== 'changed') throw new Error(`seeding follow-up ${id}: ${action.action} answered ${acted.kind}`);
  });
}

/**
 * The visitor is a returning user whose handle the console remembers (it asks a
 * first-time visitor for one before any page): the key of console/src/lib/storage.ts.
 */
const REMEMBERED_HANDLE = `try { if (localStorage.getItem('redraw-tracker.handle') === null) localStorage.setItem('redraw-tracker.handle', ${JSON.stringify(OWNERS[0])}); } catch {}`;

/** In the page, before its scripts: when (performance.now()) the first worklist row and the open count became visible. */
const OBSERVER = `(() => {
  const marks = { firstRow: null, counts: null };
  Object.defineProperty(window, '__consoleBench', { value: marks });
  const visible = (element) => element !== null && (typeof element.checkVisibility !== 'function' || element.checkVisibility());
  const check = () => {
    if (marks.firstRow === null && visible(document.querySelector('table tbody tr'))) marks.firstRow = performance.now();
    if (marks.counts === null && window.__consoleBenchCount) {
      const pattern = new RegExp(window.__consoleBenchCount);
      for (const link of document.querySelectorAll('a')) {
        if (pattern.test(link.textContent || '') && visible(link)) { marks.counts = performance.now(); break; }
      }
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** A count as a page may print it: 5000, 5,000, 5 000 or 5.000, not inside a longer number. */
function countPattern(count: number): string {
  const digits = String(count);
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '[,. \\u00a0\\u202f]?');
  return `(^|[^\\d])${grouped}($|[^\\d])`;
}

/** One visit in a fresh context: ms from the navigation's start to the first row and to the open count. */
async function visit(browser: Browser, url: string, openCount: number | null): Promise<{ sample: ConsoleRender['samples'][number]; foreign: string[]; errors: string[]; page: Awaited<ReturnType<typeof guardedPage>> }> {
  const guarded = await guardedPage(browser, url);
  const { page } = guarded;
  await page.addInitScript(`window.__consoleBenchCount = ${JSON.stringify(openCount === null ? '' : countPattern(openCount))};`);
  await page.addInitScript(REMEMBERED_HANDLE);
  await page.addInitScript(OBSERVER);
  const started = Date.now();
  await page.goto(`${url}/#/worklist?queue=open`, { waitUntil: 'commit' });
  try {
    await page.locator('table tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
  } catch (error) {
    const heading = await page.locator('h1').first().textContent({ timeout: 1_000 }).catch(() => null);
    throw new Error(`no worklist row within 30 s (the page's h1: ${JSON.stringify(heading)}; errors: ${guarded.consoleErrors.join(' | ') || 'none'})`, { cause: error });
  }
  const wallMs = Date.now() - started;
  // The counts may come a little after the rows (or before): wait a bounded moment for them.
  if (openCount !== null) await page.waitForFunction(() => (globalThis as unknown as { __consoleBench: { counts: number | null } }).__consoleBench.counts !== null, undefined, { timeout: 10_000 }).catch(() => undefined);
  const marks = await page.evaluate(() => (globalThis as unknown as { __consoleBench: { firstRow: number | null; counts: number | null } }).__consoleBench);
  // Resource timing, read in the page (browser types, hence a string): the document and every request, in the page's clock.
  const entries = (await page.evaluate(
    `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((entry) => ({ name: entry.name, start: entry.startTime, end: entry.responseEnd }))`,
  )) as { name: string; start: number; end: number }[];
  const requests = entries.map((entry) => {
    const address = new URL(entry.name);
    return { path: address.pathname, startMs: round(entry.start, 1), endMs: round(entry.end, 1) };
  });
  const sample = { firstRowMs: marks.firstRow === null ? null : round(marks.firstRow, 1), countsMs: marks.counts === null ? null : round(marks.counts, 1), wallMs, requests };
  return { sample, foreign: guarded.foreignRequests, errors: guarded.consoleErrors, page: guarded };
}

const medianOf = (values: readonly (number | null)[]): number | null => {
  const seen = values.filter((value): value is number => value !== null);
  return seen.length === values.length && seen.length > 0 ? round(median(seen), 1) : null;
};

/** The API alone, `runs` times: the first worklist page and (when the tracker has them) the counts, medians in ms. */
async function measureApi(url: string, runs: number, hasCounts: boolean): Promise<ConsoleRender['api']> {
  const timed = async (path: string): Promise<number> => {
    const started = performance.now();
    const answer = await fetch(`${url}${path}`);
    await answer.arrayBuffer();
    if (!answer.ok) throw new Error(`GET ${path}: HTTP ${answer.status}`);
    return performance.now() - started;
  };
  const listTimes: number[] = [];
  const countTimes: number[] = [];
  for (let call = 0; call < runs; call++) {
    listTimes.push(await timed('/follow-ups?queue=open&limit=50').catch(() => timed('/follow-ups?limit=50')));
    if (hasCounts) countTimes.push(await timed('/follow-ups/counts'));
  }
  return { listMs: round(median(listTimes), 1), countsMs: hasCounts ? round(median(countTimes), 1) : null };
}

/** A warm-up visit, then `runs` measured ones, each in a fresh context; axe on the last one. */
async function browserVisits(browser: Browser, url: string, openCount: number | null, runs: number) {
  const samples: ConsoleRender['samples'] = [];
  const foreign: string[] = [];
  const errors: string[] = [];
  let axeViolations: string[] | null = null;
  for (let run = 0; run <= runs; run++) {
    const { sample, foreign: away, errors: failed, page: guarded } = await visit(browser, url, openCount);
    foreign.push(...away);
    errors.push(...failed);
    if (run > 0) {
      samples.push(sample);
      progress(`  run ${run}: first row ${sample.firstRowMs} ms, counts ${sample.countsMs} ms (wall ${sample.wallMs} ms)`);
    }
    if (run === runs) {
      axeViolations = await expectNoAxeViolations(guarded.page, 'worklist').then(
        () => [],
        (error: unknown) => [...String(error instanceof Error ? error.message : error).matchAll(/^ {2}(\S+) \(/gm)].map((match) => match[1]!),
      );
    }
    await guarded.context.close();
  }
  return { samples, foreign, errors, axeViolations };
}

/** The medians of the measured visits: each request's start and end (its first of a visit), the first row, the counts, the wall time. */
function renderMedians(samples: ConsoleRender['samples']): Pick<ConsoleRender, 'requestMedians' | 'medians'> {
  const paths = [...new Set(samples.flatMap((sample) => sample.requests.map((request) => request.path)))];
  const requestMedians = paths.map((path) => {
    const seen = samples.flatMap((sample) => sample.requests.filter((request) => request.path === path).slice(0, 1));
    return { path, startMs: round(median(seen.map((request) => request.startMs)), 1), endMs: round(median(seen.map((request) => request.endMs)), 1) };
  }).sort((a, b) => a.startMs - b.startMs);
  const medians = { firstRowMs: medianOf(samples.map((sample) => sample.firstRowMs)), countsMs: medianOf(samples.map((sample) => sample.countsMs)), wallMs: round(median(samples.map((sample) => sample.wallMs)), 1) };
  return { requestMedians, medians };
}

/** (b) First render of the worklist with `followUps` open follow-ups behind it, over `runs` visits. */
export async function measureFirstRender(options: { followUps: number; runs: number }): Promise<ConsoleRender | { unavailable: string }> {
  const tableName = 'bench-console';
  const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const runtime = await startLocalRuntime(parseLocalSettings({ PORT: '0', SWEEP_INTERVAL_SECONDS: '86400', TABLE_NAME: tableName }), createLogger('local'));
    stoppers.push(() => runtime.stop());
    const page = await fetch(`${runtime.url}/`);
    if (!page.ok || !(page.headers.get('content-type') ?? '').startsWith('text/html')) {
      return { unavailable: `npm start does not serve the console at / yet (HTTP ${page.status} ${page.headers.get('content-type') ?? ''})` };
    }
    progress(`console: seeding ${options.followUps} open follow-ups into ${tableName}`);
    const seedStarted = Date.now();
    await seedFollowUps(runtime, tableName, options.followUps);
    await runtime.whenStreamIdle();
    const seedSeconds = round((Date.now() - seedStarted) / 1000, 1);
    progress(`  seeded in ${seedSeconds} s (stream consumer idle)`);
    const countsAnswer = await fetch(`${runtime.url}/follow-ups/counts`);
    const counts = countsAnswer.ok ? ((await countsAnswer.json()) as { counts: Record<string, number> }).counts : null;
    const openCount = counts?.open ?? null;
    const api = await measureApi(runtime.url, options.runs, counts !== null);
    progress(`  API: first worklist page ${api.listMs} ms, counts ${api.countsMs ?? '-'} ms (medians)`);
    const loadStart = round(loadavg()[0]!, 2);

    const browser = await launchChromium();
    stoppers.push(() => browser.close());
    const { samples, foreign, errors, axeViolations } = await browserVisits(browser, runtime.url, openCount, options.runs);
    const loadEnd = round(loadavg()[0]!, 2);
    const { requestMedians, medians } = renderMedians(samples);
    return {
      followUps: options.followUps,
      counts,
      seedSeconds,
      runs: options.runs,
      samples,
      medians,
      requestMedians,
      api,
      loadAverage: { start: loadStart, end: loadEnd },
      foreignRequests: foreign.length,
      consoleErrors: [...new Set(errors)],
      axeViolations,
      goalMs: CONSOLE_GOALS.firstRowMs,
      pass: medians.firstRowMs !== null && medians.firstRowMs < CONSOLE_GOALS.firstRowMs,
    };
  } finally {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    if (metricsDisabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
  }
}

/** Section i: the console's size, then its first render. */
export async function measureConsole(options: { followUps: number; runs: number }): Promise<ConsoleResult> {
  progress('console: size of the built console');
  const size = await measureConsoleSize();
  progress(`console: first render of the worklist, ${options.followUps} open follow-ups, ${options.runs} runs`);
  // The runtime's functions log as on AWS (stdout): swallowed, so that stdout holds only the table.
  const { value: render } = await muted(() => measureFirstRender(options));
  return { size, render };
}

const kb = (bytes: number) => round(bytes / 1000, 1);

/** The section's lines of the printed table. */
export function consoleLines(result: ConsoleResult): string[] {
  const lines = ['i. The console: its size, and the first render of the worklist'];
  const { size, render } = result;
  if ('unavailable' in size) {
    lines.push(`  size: not measured (${size.unavailable})`);
  } else {
    lines.push(`  ${'file'.padEnd(36)} ${'type'.padEnd(32)} ${'raw bytes'.padStart(10)} ${'gzip -9'.padStart(10)}  loaded`);
    for (const file of size.files) {
      lines.push(`  ${file.path.padEnd(36)} ${file.contentType.padEnd(32)} ${String(file.rawBytes).padStart(10)} ${String(file.gzipBytes).padStart(10)}  ${file.firstLoad ? 'first' : 'on visit'}`);
    }
    lines.push(`  ${'first load'.padEnd(36)} ${''.padEnd(32)} ${String(size.firstLoad.rawBytes).padStart(10)} ${String(size.firstLoad.gzipBytes).padStart(10)}`);
    lines.push(`  ${'every file'.padEnd(36)} ${''.padEnd(32)} ${String(size.total.rawBytes).padStart(10)} ${String(size.total.gzipBytes).padStart(10)}`);
    lines.push(`  ${kb(size.firstLoad.gzipBytes)} KB gzipped on the first load (goal under ${kb(size.goalGzipBytes)} KB: ${size.pass ? 'PASS' : 'FAIL'})`);
  }
  if ('unavailable' in render) {
    lines.push(`  first render: not measured (${render.unavailable})`);
    return lines;
  }
  const counts = render.counts === null ? 'GET /follow-ups/counts did not answer 200' : Object.entries(render.counts).map(([queue, count]) => `${queue} ${count}`).join(', ');
  lines.push(`  first render of /#/worklist?queue=open with ${render.followUps} open follow-ups (seeded through the store in ${render.seedSeconds} s; counts: ${counts}), ${render.runs} fresh-context visits:`);
  lines.push(`    first row visible: median ${render.medians.firstRowMs ?? 'never'} ms (runs ${render.samples.map((sample) => sample.firstRowMs ?? '-').join(', ')})`);
  lines.push(`    open count visible in the queue links: median ${render.medians.countsMs ?? 'not seen in every run'} ms (runs ${render.samples.map((sample) => sample.countsMs ?? '-').join(', ')})`);
  lines.push(`    wall time, navigation to row visible as Playwright sees it: median ${render.medians.wallMs} ms`);
  lines.push(`    the page's requests (first of each path, median start-end ms from navigation): ${render.requestMedians.map((request) => `${request.path} ${request.startMs}-${request.endMs}`).join(', ')}`);
  lines.push(`    the API alone (from node, before the visits): first worklist page ${render.api.listMs} ms, counts ${render.api.countsMs ?? '-'} ms (medians); 1-minute load average ${render.loadAverage.start} then ${render.loadAverage.end} (2 cores)`);
  lines.push(`    requests to another origin: ${render.foreignRequests}; console errors: ${render.consoleErrors.length === 0 ? 0 : render.consoleErrors.join(' | ')}; axe-core: ${render.axeViolations === null ? 'not run' : render.axeViolations.length === 0 ? 'no violations' : render.axeViolations.join(', ')}`);
  lines.push(`  first render under ${render.goalMs / 1000} s: ${render.pass ? 'PASS' : 'FAIL'}`);
  return lines;
}
