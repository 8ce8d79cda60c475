/**
 * The console as npm start serves it (local/console-assets.ts): one build made
 * in memory from console/src (an entry, the chunks it imports, the pages loaded
 * on first visit), a page with no inline script or style, and the headers that
 * make the CSP and the rest explicit.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConsoleFile } from '../../../local/console-assets';

// The real compressors, counted: a form is made when first read, not at start (npm start serves most runs no browser).
const compressed = vi.hoisted(() => ({ br: 0, gzip: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  return {
    ...zlib,
    brotliCompressSync: (...args: Parameters<typeof zlib.brotliCompressSync>) => (compressed.br++, zlib.brotliCompressSync(...args)),
    gzipSync: (...args: Parameters<typeof zlib.gzipSync>) => (compressed.gzip++, zlib.gzipSync(...args)),
  };
});

// Loaded afresh, after the mock: the unit layer shares worker processes (isolate: false), and a
// console-assets loaded by an earlier file would hold the real compressors (CI once counted 3 of 4).
vi.resetModules();
const { buildConsole, CACHE_CONTROL, chosenEncoding, CONSOLE_CSP, consoleAnswer, consoleFile, consoleHeaders } = await import('../../../local/console-assets');

let files: Map<string, ConsoleFile>;
let scriptPath: string;
let stylePath: string;
let chunkPaths: string[];

beforeAll(async () => {
  files = (await buildConsole()).files;
  scriptPath = [...files.keys()].find((path) => /^\/console\/main\.[^/]+\.js$/.test(path))!;
  stylePath = [...files.keys()].find((path) => path.endsWith('.css'))!;
  chunkPaths = [...files.keys()].filter((path) => path.endsWith('.js') && path !== scriptPath);
}, 60_000);

const hashOf = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 12);

/** The chunks a script names, as the browser reads them: static imports (fetched before it runs) or `import()` (on use). */
function importsOf(path: string): { static: string[]; dynamic: string[] } {
  const js = files.get(path)!.body.toString('utf8');
  const absolute = (relative: string) => new URL(relative, `http://console.test${path}`).pathname;
  return {
    static: [...js.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["'](\.\/[^"']+)["']/g)].map((match) => absolute(match[1]!)),
    dynamic: [...js.matchAll(/\bimport\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((match) => absolute(match[1]!)),
  };
}

/** The entry and every chunk it imports statically, transitively: what the first load fetches besides the page and stylesheet. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set([entry]);
  const visit = (path: string) => {
    for (const child of importsOf(path).static) {
      if (!seen.has(child)) {
        seen.add(child);
        visit(child);
      }
    }
  };
  visit(entry);
  return seen;
}

describe('buildConsole', () => {
  it('gives the page, its script, its chunks and its stylesheet, each named by the hash of its bytes', () => {
    expect(scriptPath).toBe(`/console/main.${hashOf(files.get(scriptPath)!.body)}.js`);
    expect(stylePath).toBe(`/console/main.${hashOf(files.get(stylePath)!.body)}.css`);
    expect(files.get('/')!.contentType).toBe('text/html; charset=utf-8');
    expect(files.get(scriptPath)!.contentType).toBe('text/javascript; charset=utf-8');
    expect(files.get(stylePath)!.contentType).toBe('text/css; charset=utf-8');
    expect([files.get('/')!.immutable, files.get(scriptPath)!.immutable, files.get(stylePath)!.immutable]).toEqual([false, true, true]);
    expect([...files.keys()].sort()).toEqual(['/', scriptPath, stylePath, ...chunkPaths].sort());
    // A chunk is named by esbuild's hash of its bytes and of the chunks it imports.
    for (const path of chunkPaths) {
      expect(path).toMatch(/^\/console\/[a-z-]+\.[A-Z0-9]{8}\.js$/);
      expect(files.get(path), path).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true });
    }
  });

  it('keeps every file from 1 KB compressed, brotli and gzip, that unpack to the same bytes, and leaves smaller ones as they are', () => {
    // The page is a shell: its script, stylesheet and modulepreloads (1,038 bytes with seven preloads, 2026-11-28).
    expect(files.get('/')!.body.length).toBeLessThan(2048);
    for (const path of ['/', scriptPath, stylePath, ...chunkPaths].filter((path) => files.get(path)!.body.length < 1024)) {
      expect(files.get(path)!.encoded, path).toEqual({});
    }
    for (const path of ['/', scriptPath, stylePath, ...chunkPaths].filter((path) => files.get(path)!.body.length >= 1024)) {
      const file = files.get(path)!;
      expect(brotliDecompressSync(file.encoded.br!).equals(file.body), path).toBe(true);
      expect(gunzipSync(file.encoded.gzip!).equals(file.body), path).toBe(true);
      expect(file.encoded.br!.length, path).toBeLessThan(file.body.length);
    }
  });

  it('writes a page whose only script and style are the bundled files (nothing inline)', () => {
    const html = files.get('/')!.body.toString('utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain(`src="${scriptPath}"`);
    expect(scripts[0]![2]!.trim()).toBe('');
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain(`<link rel="stylesheet" href="${stylePath}">`);
    // The entry's static imports are fetched with it, not after it has been read.
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((match) => match[1]);
    expect(preloads.sort()).toEqual([...staticClosure(scriptPath)].filter((path) => path !== scriptPath).sort());
  });

  it('bundles Preact and the pages into minified modules that name no other origin, the first load within 60 KB gzipped', () => {
    for (const path of [scriptPath, ...chunkPaths]) {
      const js = files.get(path)!.body.toString('utf8');
      expect(js, path).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
      expect(js.split('\n').length, path).toBeLessThan(5);
    }
    const firstLoad = staticClosure(scriptPath);
    expect(chunkPaths.filter((path) => firstLoad.has(path)).map((path) => files.get(path)!.body.toString('utf8')).join('') + files.get(scriptPath)!.body.toString('utf8')).toContain('x-redraw-actor');
    // What the build says the first load is, is what the browser fetches: the page, the stylesheet, the entry and its static imports.
    expect([...files].filter(([, file]) => file.firstLoad).map(([path]) => path).sort()).toEqual(['/', stylePath, ...firstLoad].sort());
    // Small enough to load at once (issue 47: the console within 60 KB gzipped, page, script and stylesheet together;
    // measured 46,914 bytes on 2026-11-25, 54,972 on 2026-11-27 with issue 58's report and rows, 61,364 with issue 72's
    // console work in one module; 49,766 split, issue 72). A leak of Node code or a framework would blow this.
    const gzipped = ['/', stylePath, ...firstLoad].reduce((sum, path) => sum + gzipSync(files.get(path)!.body, { level: 9 }).length, 0);
    expect(gzipped).toBeLessThan(60_000);
  });

  it('leaves Bulk, the report, the stale redraws, the booking panel and the CSV code out of the first load: chunks the entry imports on their first use', () => {
    const firstLoad = staticClosure(scriptPath);
    const lazy = importsOf(scriptPath).dynamic;
    expect(lazy.map((path) => path.replace(/\.[A-Z0-9]{8}\.js$/, '')).sort()).toEqual(['/console/booking-panel', '/console/bulk', '/console/csv-download', '/console/redraws-page', '/console/report-page']);
    for (const path of lazy) {
      expect(files.has(path), path).toBe(true);
      expect(firstLoad.has(path), path).toBe(false);
      expect(files.get(path)!.firstLoad, path).toBe(false);
      // Served like the entry: a module script, kept for good (a new build is a new name).
      expect(consoleAnswer(files.get(path)!, { 'accept-encoding': 'gzip' }).headers, path).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': CACHE_CONTROL.immutable });
    }
    // Each page's own words are in its chunk, not in the first load.
    const firstText = [...firstLoad].map((path) => files.get(path)!.body.toString('utf8')).join('');
    expect(firstText).not.toContain('Select follow-ups and apply one action to all of them');
    expect(lazy.map((path) => files.get(path)!.body.toString('utf8')).join('')).toContain('Select follow-ups and apply one action to all of them');
    // The CSV builder (CONTRACT §12: its own chunk on first use): its formula guard is in no first-load file.
    expect(firstText).not.toContain('text/csv');
  });

  it('bundles the stylesheet with the custom properties other pages use', () => {
    const css = files.get(stylePath)!.body.toString('utf8');
    for (const property of ['--danger', '--warning', '--ok', '--muted', '--accent', '--fg', '--bg', '--border']) expect(css).toContain(`${property}:`);
    expect(css).not.toContain('@import');
    expect(css).not.toMatch(/url\(\s*['"]?https?:/);
  });
});

describe('consoleHeaders', () => {
  it('forbids inline script and style and every other origin, framing included', () => {
    const headers = consoleHeaders({ immutable: false });
    expect(headers['content-security-policy']).toBe(CONSOLE_CSP);
    const directives = new Map(CONSOLE_CSP.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('adds nosniff, no referrer and no framing to every console answer; caches the hashed files for good and revalidates the rest', () => {
    for (const immutable of [false, true]) {
      expect(consoleHeaders({ immutable })).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    }
    expect(consoleHeaders({ immutable: true })['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(consoleHeaders({ immutable: false })['cache-control']).toBe('no-cache');
  });
});

describe('consoleAnswer', () => {
  it('sends brotli, else gzip, else the bytes as they are, by what the browser accepts', () => {
    const script = files.get(scriptPath)!;
    const answer = (acceptEncoding?: string) => consoleAnswer(script, { 'accept-encoding': acceptEncoding });
    expect(answer('gzip, deflate, br, zstd').headers['content-encoding']).toBe('br');
    expect(answer('gzip, deflate, br, zstd').body!.equals(script.encoded.br!)).toBe(true);
    expect(answer('gzip, deflate').headers['content-encoding']).toBe('gzip');
    expect(answer('br;q=0, gzip').headers['content-encoding']).toBe('gzip');
    expect(answer('identity').headers['content-encoding']).toBeUndefined();
    expect(answer().body!.equals(script.body)).toBe(true);
    expect(answer('*').headers['content-encoding']).toBe('br');
    expect(answer('gzip, deflate, br').headers).toMatchObject({ vary: 'accept-encoding', 'cache-control': CACHE_CONTROL.immutable, 'content-length': script.encoded.br!.length });
  });

  it('compresses a file the first time a browser takes that coding, once, and never for a browser that takes neither', () => {
    const body = Buffer.from('console.log("redraw");\n'.repeat(200));
    const before = { ...compressed };
    const script = consoleFile({ body, contentType: 'text/javascript; charset=utf-8', immutable: true, firstLoad: false });
    expect(Object.keys(script.encoded).sort()).toEqual(['br', 'gzip']);
    expect(chosenEncoding('identity', script)).toBeNull();
    expect(consoleAnswer(script, { 'accept-encoding': 'identity' }).body).toBe(body);
    expect(compressed).toEqual(before);
    expect(chosenEncoding('gzip', script)).toBe('gzip');
    expect(compressed).toEqual(before);
    const gzipped = consoleAnswer(script, { 'accept-encoding': 'gzip' });
    expect(gunzipSync(gzipped.body!).equals(body)).toBe(true);
    expect(compressed).toEqual({ br: before.br, gzip: before.gzip + 1 });
    const first = consoleAnswer(script, { 'accept-encoding': 'br' }).body;
    expect(consoleAnswer(script, { 'accept-encoding': 'br, gzip' }).body).toBe(first);
    expect(consoleAnswer(script, { 'accept-encoding': 'gzip' }).body).toBe(gzipped.body);
    expect(brotliDecompressSync(first!).equals(body)).toBe(true);
    expect(compressed).toEqual({ br: before.br + 1, gzip: before.gzip + 1 });
  });

  it('answers 304 with no body to a browser that holds the same bytes, and 200 to one that holds others', () => {
    const page = files.get('/')!;
    expect(consoleAnswer(page, { 'if-none-match': page.etag })).toMatchObject({ status: 304, body: null, headers: { etag: page.etag, 'cache-control': 'no-cache' } });
    expect(consoleAnswer(page, { 'if-none-match': `"other", W/${page.etag}` }).status).toBe(304);
    expect(consoleAnswer(page, { 'if-none-match': '"other"' }).status).toBe(200);
    const config = consoleFile({ body: Buffer.from('{"api":"/"}'), contentType: 'application/json; charset=utf-8', immutable: false, firstLoad: true });
    expect(config.encoded).toEqual({});
    expect(chosenEncoding('br, gzip', config)).toBeNull();
    expect(consoleAnswer(config, { 'accept-encoding': 'br' }).body!.toString()).toBe('{"api":"/"}');
  });
});
