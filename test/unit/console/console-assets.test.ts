/**
 * The console as npm start serves it (local/console-assets.ts): one bundle built
 * in memory from console/src, a page with no inline script or style, and the
 * headers that make the CSP and the rest explicit.
 */
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_CSP, consoleHeaders, type ConsoleFile } from '../../../local/console-assets';

let files: Map<string, ConsoleFile>;

beforeAll(async () => {
  files = (await buildConsole()).files;
}, 60_000);

describe('buildConsole', () => {
  it('gives the page, its script and its stylesheet with their content types', () => {
    expect([...files.keys()].sort()).toEqual(['/', '/console/main.css', '/console/main.js']);
    expect(files.get('/')!.contentType).toBe('text/html; charset=utf-8');
    expect(files.get('/console/main.js')!.contentType).toBe('text/javascript; charset=utf-8');
    expect(files.get('/console/main.css')!.contentType).toBe('text/css; charset=utf-8');
  });

  it('writes a page whose only script and style are the bundled files (nothing inline)', () => {
    const html = files.get('/')!.body.toString('utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain('src="/console/main.js"');
    expect(scripts[0]![2]!.trim()).toBe('');
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('<link rel="stylesheet" href="/console/main.css">');
  });

  it('bundles Preact and the pages into one minified module that names no other origin', () => {
    const js = files.get('/console/main.js')!.body.toString('utf8');
    expect(js).toContain('x-redraw-actor');
    expect(js).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(js.split('\n').length).toBeLessThan(5);
    // Small enough to load at once: measured ~19 KB gzipped; a leak of Node code or a framework would blow this.
    expect(gzipSync(files.get('/console/main.js')!.body, { level: 9 }).length).toBeLessThan(40_000);
  });

  it('bundles the stylesheet with the custom properties other pages use', () => {
    const css = files.get('/console/main.css')!.body.toString('utf8');
    for (const property of ['--danger', '--warning', '--ok', '--muted', '--accent', '--fg', '--bg', '--border']) expect(css).toContain(`${property}:`);
    expect(css).not.toContain('@import');
    expect(css).not.toMatch(/url\(\s*['"]?https?:/);
  });
});

describe('consoleHeaders', () => {
  it('forbids inline script and style and every other origin, framing included', () => {
    const headers = consoleHeaders('/');
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

  it('adds nosniff, no referrer, no framing and no caching to every console answer', () => {
    for (const path of ['/', '/console/main.js', '/console/main.css', '/config.json']) {
      expect(consoleHeaders(path)).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      });
    }
  });
});
