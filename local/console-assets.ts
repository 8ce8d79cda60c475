/**
 * The console (CONTRACT §12) as `npm start` serves it: console/src/main.tsx
 * bundled in memory by esbuild (the project's own devDependency) with its one
 * stylesheet, and console/index.html. Built once at start; the headers make the
 * page's rules explicit: no inline script or style, no other origin.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { CONSOLE_DIR, consoleBuildOptions } from '../lib/console-build';

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
}

/** The paths the console is served at. */
export const CONSOLE_PATHS = ['/', '/console/main.js', '/console/main.css'] as const;

/**
 * Bundles the console: '/' (index.html), '/console/main.js' (an ES module,
 * minified, es2022) and '/console/main.css' (console/styles.css with its imports).
 */
export async function buildConsole(): Promise<{ files: Map<string, ConsoleFile> }> {
  const [script, style, html] = await Promise.all([
    build({ ...consoleBuildOptions('script'), write: false }),
    build({ ...consoleBuildOptions('style'), write: false }),
    readFile(resolve(CONSOLE_DIR, 'index.html')),
  ]);
  const only = (files: { path: string; contents: Uint8Array }[], ending: string): Buffer => {
    const file = files.find((output) => output.path.endsWith(ending));
    if (!file) throw new Error(`the console build made no ${ending}`);
    return Buffer.from(file.contents);
  };
  return {
    files: new Map<string, ConsoleFile>([
      ['/', { body: html, contentType: 'text/html; charset=utf-8' }],
      ['/console/main.js', { body: only(script.outputFiles, '.js'), contentType: 'text/javascript; charset=utf-8' }],
      ['/console/main.css', { body: only(style.outputFiles, '.css'), contentType: 'text/css; charset=utf-8' }],
    ]),
  };
}

/** The console's Content-Security-Policy: its own origin only, nothing inline. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The headers of every console answer (the page, its script and style, config.json). */
export function consoleHeaders(_path: string): Record<string, string> {
  return {
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
}

/** config.json locally: the API is on the page's own origin (CONTRACT §12). */
export const LOCAL_CONSOLE_CONFIG = { api: '/' } as const;
