/**
 * The console (CONTRACT §12) as `npm start` serves it: lib/console-build.ts's
 * one build (the same bytes the stack uploads), made once at start, each file
 * also kept compressed (brotli and gzip, sent to a browser that accepts them),
 * each compressed form made the first time a browser takes it: brotli at its
 * best costs about 0.3 s of CPU, which a start that serves no browser (most of
 * them: a terminal, a script, a test) would spend for nothing.
 * The script and stylesheet are named by their hash and cached for good; the
 * page and config.json are revalidated by their ETag (304 when unchanged). The
 * headers make the page's rules explicit: no inline script or style, no other origin.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildConsoleFiles, type BuiltFile } from '../lib/console-build';

export interface ConsoleFile extends BuiltFile {
  /** A strong validator of the identity bytes. */
  etag: string;
  /** The same bytes compressed, when that makes them smaller: each made on first read, then kept. */
  readonly encoded: { readonly br?: Buffer; readonly gzip?: Buffer };
}

/** Below this, compressing costs more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

/** A file as served: its bytes, validator and compressed forms (made when first read). */
export function consoleFile(file: BuiltFile): ConsoleFile {
  const encoded: ConsoleFile['encoded'] = {};
  if (file.body.length >= COMPRESS_FROM_BYTES) {
    let br: Buffer | undefined;
    let gzip: Buffer | undefined;
    Object.defineProperties(encoded, {
      br: { enumerable: true, get: () => (br ??= brotliCompressSync(file.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: file.body.length } })) },
      gzip: { enumerable: true, get: () => (gzip ??= gzipSync(file.body, { level: 9 })) },
    });
  }
  return { ...file, etag: `"${createHash('sha256').update(file.body).digest('base64url').slice(0, 27)}"`, encoded };
}

/**
 * Bundles the console: '/' (index.html), '/console/main.<hash>.js' (an ES
 * module, minified, es2022) and '/console/main.<hash>.css' (console/styles.css
 * with its imports).
 */
export async function buildConsole(): Promise<{ files: Map<string, ConsoleFile> }> {
  return { files: new Map([...buildConsoleFiles()].map(([path, file]) => [path, consoleFile(file)])) };
}

/** The console's Content-Security-Policy: its own origin only, nothing inline. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Kept for good (a new build is a new name), or asked again each time with its ETag. */
export const CACHE_CONTROL = { immutable: 'public, max-age=31536000, immutable', revalidate: 'no-cache' } as const;

/** The headers of every console answer (the page, its script and style, config.json). */
export function consoleHeaders(file: Pick<ConsoleFile, 'immutable'>): Record<string, string> {
  return {
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': file.immutable ? CACHE_CONTROL.immutable : CACHE_CONTROL.revalidate,
  };
}

/** The coding to send for an Accept-Encoding header: br before gzip, nothing the browser did not offer (q=0 refuses). */
export function chosenEncoding(acceptEncoding: string | undefined, file: Pick<ConsoleFile, 'encoded'>): 'br' | 'gzip' | null {
  const offered = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const accepts = (coding: string) => (offered.get(coding) ?? offered.get('*') ?? 0) > 0;
  // `in`, not a read: a form is made only for a browser that takes it.
  if ('br' in file.encoded && accepts('br')) return 'br';
  if ('gzip' in file.encoded && accepts('gzip')) return 'gzip';
  return null;
}

/** What to answer a GET (or HEAD) of a console file: 304 when the browser holds these bytes, else the file in the best coding it accepts. */
export function consoleAnswer(file: ConsoleFile, request: { 'accept-encoding'?: string | undefined; 'if-none-match'?: string | undefined }): { status: 200 | 304; headers: Record<string, string | number>; body: Buffer | null } {
  const headers: Record<string, string | number> = { ...consoleHeaders(file), etag: file.etag, vary: 'accept-encoding' };
  const held = (request['if-none-match'] ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (held.includes(file.etag) || held.includes('*')) return { status: 304, headers, body: null };
  const coding = chosenEncoding(request['accept-encoding'], file);
  const body = coding === null ? file.body : file.encoded[coding]!;
  return { status: 200, headers: { ...headers, 'content-type': file.contentType, 'content-length': body.length, ...(coding === null ? {} : { 'content-encoding': coding }) }, body };
}

/** config.json locally: the API is on the page's own origin (CONTRACT §12). */
export const LOCAL_CONSOLE_CONFIG = { api: '/' } as const;
