/**
 * The console's one build definition (CONTRACT §12): console/src/main.tsx as a
 * minified ES module and console/styles.css with its imports, by the project's
 * esbuild, each named by a hash of its bytes (`/console/main.<hash>.js`) and
 * linked by index.html under that name, so a browser may keep them for good and
 * a new build is a new name. `npm start` serves it (local/console-assets.ts), the
 * stack uploads it (lib/console-bundle.ts), the bench measures it: all three the
 * same bytes. No CDK import, so npm start stays quick.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions } from 'esbuild';

/** The console's source folder. */
export const CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../console');

/** The esbuild options of the console's script and of its stylesheet. */
export function consoleBuildOptions(part: 'script' | 'style'): BuildOptions {
  if (part === 'style') {
    return { entryPoints: [resolve(CONSOLE_DIR, 'styles.css')], bundle: true, minify: true, target: 'es2022', logLevel: 'silent', outfile: 'main.css' };
  }
  return {
    entryPoints: [resolve(CONSOLE_DIR, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: resolve(CONSOLE_DIR, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'main.js',
  };
}

export interface BuiltFile {
  body: Buffer;
  contentType: string;
  /** Named by its content's hash: the same path always holds the same bytes. */
  immutable: boolean;
}

/** The paths index.html links as console/index.html writes them. */
const SOURCE_LINKS = { script: '/console/main.js', style: '/console/main.css' } as const;

/** `/console/main.<first 12 hex of sha256>.js` for these bytes. */
export function hashedPath(plain: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return plain.replace(/\.(js|css)$/, `.${hash}.$1`);
}

function built(part: 'script' | 'style'): Buffer {
  const result = buildSync({ ...consoleBuildOptions(part), write: false });
  const file = result.outputFiles?.find((output) => output.path.endsWith(part === 'script' ? '.js' : '.css'));
  if (!file) throw new Error(`the console build made no ${part}`);
  return Buffer.from(file.contents);
}

/**
 * The console as served, by path: '/' (index.html, linking the hashed names),
 * '/console/main.<hash>.js' and '/console/main.<hash>.css'.
 */
export function buildConsoleFiles(): Map<string, BuiltFile> {
  const script = built('script');
  const style = built('style');
  const scriptPath = hashedPath(SOURCE_LINKS.script, script);
  const stylePath = hashedPath(SOURCE_LINKS.style, style);
  const source = readFileSync(resolve(CONSOLE_DIR, 'index.html'), 'utf8');
  for (const link of Object.values(SOURCE_LINKS)) {
    if (source.split(`"${link}"`).length !== 2) throw new Error(`console/index.html must link ${link} exactly once`);
  }
  const html = source.replace(`"${SOURCE_LINKS.script}"`, `"${scriptPath}"`).replace(`"${SOURCE_LINKS.style}"`, `"${stylePath}"`);
  return new Map<string, BuiltFile>([
    ['/', { body: Buffer.from(html), contentType: 'text/html; charset=utf-8', immutable: false }],
    [scriptPath, { body: script, contentType: 'text/javascript; charset=utf-8', immutable: true }],
    [stylePath, { body: style, contentType: 'text/css; charset=utf-8', immutable: true }],
  ]);
}
