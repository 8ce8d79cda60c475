/**
 * `npm start` serves the console (CONTRACT §12): the page, its script and style
 * and config.json on the tracker's own origin, each with the console's headers,
 * after the Host check; every other path still goes to the API.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../local/console-assets';
import { freshId } from '../support/junction';
import { useTracker } from '../support/tracker-process';

const tracker = useTracker({ TABLE_NAME: `console-${freshId()}` });

/** A GET with a Host header of our choosing (fetch will not send a foreign one). */
function getWithHost(path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: tracker.port, path, method: 'GET', headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('npm start serves the console', () => {
  it('answers GET / with the page and the strict Content-Security-Policy', async () => {
    const response = await fetch(`${tracker.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    // Revalidated each time (its ETag answers 304), so a new build is seen at the next load.
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toMatch(/<script type="module" src="\/console\/main\.[0-9a-f]{12}\.js"><\/script>/);
    const again = await fetch(`${tracker.url}/`, { headers: { 'if-none-match': response.headers.get('etag') ?? 'none' } });
    expect(again.status).toBe(304);
  });

  it('answers the script, its chunks and the stylesheet by their hashed names, compressed and cached for good, and config.json (the API on the same origin) with the same headers', async () => {
    const html = await (await fetch(`${tracker.url}/`)).text();
    const script = /src="(\/console\/main\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? 'no script';
    const style = /href="(\/console\/main\.[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? 'no style';
    const expected = { [script]: 'text/javascript; charset=utf-8', [style]: 'text/css; charset=utf-8', '/config.json': 'application/json; charset=utf-8' };
    for (const [path, contentType] of Object.entries(expected)) {
      const response = await fetch(`${tracker.url}${path}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(contentType);
      expect(response.headers.get('content-security-policy'), path).toBe(CONSOLE_CSP);
      expect(response.headers.get('cache-control'), path).toBe(path === '/config.json' ? 'no-cache' : 'public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding'), path).toBe(path === '/config.json' ? null : 'br');
      expect((await response.arrayBuffer()).byteLength, path).toBeGreaterThan(0);
    }
    expect(await (await fetch(`${tracker.url}/config.json`)).json()).toEqual({ api: '/' });
    // The chunks: those the page preloads (the entry's static imports) and the pages the entry imports on their first visit.
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="(\/console\/[^"]+\.js)">/g)].map((match) => match[1]!);
    const entry = await (await fetch(`${tracker.url}${script}`)).text();
    const lazy = [...entry.matchAll(/\bimport\("\.\/([^"]+\.js)"\)/g)].map((match) => `/console/${match[1]!}`);
    expect(preloads.length).toBeGreaterThan(0);
    expect(lazy.map((path) => path.replace(/\.[A-Z0-9]{8}\.js$/, '')).sort()).toEqual(['/console/booking-panel', '/console/bulk', '/console/csv-download', '/console/redraws-page', '/console/report-page']);
    for (const path of [...preloads, ...lazy]) {
      const response = await fetch(`${tracker.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('content-security-policy'), path).toBe(CONSOLE_CSP);
      expect(response.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable');
      expect((await response.text()).length, path).toBeGreaterThan(0);
    }
    // The plain names of the source are not served: the page links only what this build made.
    expect((await fetch(`${tracker.url}/console/main.js`)).status).toBe(404);
  });

  it('answers localhost too, and 421 before the console for any other Host: a page saying which port to open, never the console', async () => {
    expect((await getWithHost('/', `localhost:${tracker.port}`)).status).toBe(200);
    for (const host of [`evil.example:${tracker.port}`, `localhost:${tracker.port + 1}`]) {
      const foreign = await getWithHost('/', host);
      expect(foreign.status, host).toBe(421);
      expect(foreign.headers['content-type'], host).toBe('text/html; charset=utf-8');
      expect(foreign.headers['content-security-policy'], host).not.toBe(CONSOLE_CSP);
      expect(foreign.body, host).toContain(`Open the console on port ${tracker.port}`);
      expect(foreign.body, host).not.toContain('/console/main.');
    }
    const html = await (await fetch(`${tracker.url}/`)).text();
    const script = await getWithHost(/src="(\/console\/main\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? '/console/main.js', `attacker.test`);
    expect(script.status).toBe(421);
    expect(script.headers['content-type']).toBe('application/json');
  });

  it('leaves every other path to the API as before', async () => {
    const health = await fetch(`${tracker.url}/health`);
    expect(await health.json()).toEqual({ ok: true });
    expect(health.headers.get('content-security-policy')).toBeNull();
    const follow = await fetch(`${tracker.url}/follow-ups`);
    expect(follow.status).toBe(200);
    expect(await follow.json()).toMatchObject({ items: [] });
    const posted = await fetch(`${tracker.url}/`, { method: 'POST' });
    expect(posted.headers.get('content-security-policy')).toBeNull();
  });
});
