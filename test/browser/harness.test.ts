/**
 * The browser harness itself (test/support/browser.ts), against tiny pages
 * served here from node:http on 127.0.0.1: axe passes an accessible page and
 * names the violations of a bad one; a request to another origin is recorded
 * and aborted (the other server never sees it); console errors and CSP
 * violations are recorded; a missing Chromium fails naming the install
 * command; `npm start` comes up on a free port, the simulator runs against it,
 * and it stops on SIGINT.
 *
 * Why it takes its time (issue 87): one of its tests starts `npm start`, runs
 * the simulator to its end and stops the tracker with Ctrl-C, as every browser
 * file's start does; the others launch Chromium against tiny local pages. It
 * proves the harness the other browser files stand on, so it needs the same
 * processes they need.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM_INSTALL, chromiumPath, expectNoAxeViolations, guardedPage, launchChromium, startTrackerForBrowser, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { freePort } from '../support/npm-start';

const GOOD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Worklist</title></head>
<body><header><p>Redraw tracker</p></header>
<main><h1>Worklist</h1>
<form><label for="owner">Owner</label><input id="owner" name="owner" type="text"></form>
<table><caption>Open follow-ups</caption><thead><tr><th scope="col">Follow-up</th><th scope="col">State</th></tr></thead>
<tbody><tr><td><a href="/f/1">f-1</a></td><td>New</td></tr></tbody></table>
</main></body></html>`;

const BAD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Bad</h1><input type="text" name="nameless"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>`;

/** What a path answers: HTML, or a body of another type. */
type Route = string | { type: string; body: string };

/** Serves `routes` (path -> answer; anything else 404) and counts every request it receives. */
async function serve(host: string, port: number, routes: Record<string, Route>, headers: Record<string, string> = {}): Promise<{ server: Server; origin: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    const route = routes[new URL(request.url ?? '/', 'http://x').pathname];
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    const { type, body } = typeof route === 'string' ? { type: 'text/html; charset=utf-8', body: route } : route;
    response.writeHead(200, { 'content-type': type, ...headers });
    response.end(body);
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, () => listening());
  });
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const close = (server: Server) => new Promise<void>((closed) => server.close(() => closed()));

let browser: Browser;
let site: Awaited<ReturnType<typeof serve>>;
let strict: Awaited<ReturnType<typeof serve>>;
let elsewhere: Awaited<ReturnType<typeof serve>>;
const open: GuardedPage[] = [];

beforeAllOrFailEach(async () => {
  // The foreign server: another loopback address, so another origin the page could really reach.
  // It allows any origin (CORS), so a page that reached it would read its answer.
  elsewhere = await serve('127.0.0.2', await freePort(), { '/x': { type: 'text/plain', body: 'reached' } }, { 'access-control-allow-origin': '*' });
  const foreignUrl = `${elsewhere.origin}/x`;
  const FETCHES = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fetches</title><script src="/fetches.js"></script></head>
<body><main><h1>Fetches</h1><p id="out">waiting</p></main></body></html>`;
  const fetchesJs = `fetch(${JSON.stringify(foreignUrl)}).then(() => { document.getElementById('out').textContent = 'reached'; }, () => { document.getElementById('out').textContent = 'blocked'; });`;
  site = await serve('127.0.0.1', await freePort(), { '/': GOOD, '/bad': BAD, '/fetches': FETCHES, '/fetches.js': { type: 'text/javascript', body: fetchesJs } });
  // A page with the console's CSP and an inline script the CSP must refuse.
  strict = await serve(
    '127.0.0.1',
    await freePort(),
    { '/': `<!doctype html><html lang="en"><head><title>Strict</title></head><body><main><h1>Strict</h1><p id="out">untouched</p><script>document.getElementById('out').textContent = 'inline ran';</script></main></body></html>` },
    { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'" },
  );
  browser = await launchChromium();
});

afterEach(async () => {
  for (const guarded of open.splice(0)) await guarded.context.close();
});

afterAll(async () => {
  await browser?.close();
  for (const served of [site, strict, elsewhere]) if (served) await close(served.server);
});

async function pageFor(origin: string, options?: Parameters<typeof guardedPage>[2]): Promise<GuardedPage> {
  const guarded = await guardedPage(browser, origin, options);
  open.push(guarded);
  return guarded;
}

describe('expectNoAxeViolations', () => {
  it('passes a page with a label for its control, one h1, landmarks and a table with column headers', async () => {
    const { page, consoleErrors, foreignRequests } = await pageFor(site.origin);
    await page.goto(`${site.origin}/`);
    await expectNoAxeViolations(page, 'accessible page');
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('throws for an unlabeled input and an image without alt, naming the label and each rule', async () => {
    const { page } = await pageFor(site.origin);
    await page.goto(`${site.origin}/bad`);
    const failure = await expectNoAxeViolations(page, 'bad page').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/^bad page: /);
    expect(message).toMatch(/^ {2}label \(critical\): .+ at \["input"\]$/m);
    expect(message).toMatch(/^ {2}image-alt \(critical\): .+ at \["img"\]$/m);
  });
});

describe('guardedPage', () => {
  it('records a request to another origin and aborts it: the other server never sees it', async () => {
    // The other server is reachable from here: the counter would move if the request got out.
    const before = elsewhere.requests();
    expect(await (await fetch(`${elsewhere.origin}/x`)).text()).toBe('reached');
    expect(elsewhere.requests()).toBe(before + 1);

    const { page, foreignRequests } = await pageFor(site.origin);
    await page.goto(`${site.origin}/fetches`);
    await expect.poll(() => page.locator('#out').textContent()).toBe('blocked');
    expect(foreignRequests).toEqual([`${elsewhere.origin}/x`]);
    expect(elsewhere.requests()).toBe(before + 1);
  });

  it('records the CSP refusing an inline script when the CSP is not bypassed', async () => {
    const { page, consoleErrors } = await pageFor(strict.origin, { bypassCSP: false });
    await page.goto(`${strict.origin}/`);
    expect(await page.locator('#out').textContent()).toBe('untouched');
    await expect.poll(() => consoleErrors.length).toBeGreaterThan(0);
    expect(consoleErrors.join('\n')).toMatch(/Content Security Policy/);
  });

  it('bypasses the CSP by default, so axe (an injected script) can run', async () => {
    const { page, consoleErrors } = await pageFor(strict.origin);
    await page.goto(`${strict.origin}/`);
    expect(await page.locator('#out').textContent()).toBe('inline ran');
    await expectNoAxeViolations(page, 'strict page');
    expect(consoleErrors).toEqual([]);
  });

  it('records an uncaught page error', async () => {
    const { page, consoleErrors } = await pageFor(site.origin);
    await page.goto(`${site.origin}/`);
    await page.evaluate(() => setTimeout(() => {
      throw new Error('boom in the page');
    }, 0));
    await expect.poll(() => consoleErrors.join('\n')).toMatch(/pageerror: boom in the page/);
  });
});

describe('launchChromium', () => {
  it('names the install command when the binary is missing, launching nothing', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent';
    try {
      expect(chromiumPath()).toBe('/nonexistent');
      const failure = await launchChromium().then(
        (launched) => launched.close().then(() => null),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain(CHROMIUM_INSTALL);
      expect((failure as Error).message).toContain('/nonexistent');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it("uses Debian's /usr/bin/chromium-headless-shell when CHROMIUM_PATH is unset or empty", () => {
    const saved = process.env.CHROMIUM_PATH;
    try {
      delete process.env.CHROMIUM_PATH;
      expect(chromiumPath()).toBe('/usr/bin/chromium-headless-shell');
      process.env.CHROMIUM_PATH = '';
      expect(chromiumPath()).toBe('/usr/bin/chromium-headless-shell');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});

describe('startTrackerForBrowser', () => {
  it('starts npm start on a free port, runs the simulator against it to the end, and stops it with Ctrl-C (exit 0)', async () => {
    const started = await startTrackerForBrowser({ simulate: true });
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // What the simulator leaves behind: open follow-ups and closed ones, for the console's pages to show.
      const counts = (await (await fetch(`${started.url}/follow-ups/counts`)).json()) as { counts: { open: number } };
      expect(counts.counts.open).toBeGreaterThan(0);
      const closed = (await (await fetch(`${started.url}/follow-ups?queue=closed&limit=100`)).json()) as { items: unknown[] };
      expect(closed.items.length).toBeGreaterThan(0);
      const { page, foreignRequests } = await pageFor(started.url);
      const response = await page.goto(`${started.url}/health`);
      expect(response?.status()).toBe(200);
      expect(foreignRequests).toEqual([]);
    } finally {
      await started.stop();
    }
    expect(started.tracker.hasExited()).toBe(true);
    expect(await started.tracker.exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});
