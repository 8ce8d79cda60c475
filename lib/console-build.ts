/**
 * The console's one build definition (CONTRACT §12): console/src/main.tsx as
 * minified ES modules and console/styles.css with its imports, by the project's
 * esbuild, each named by a hash of its bytes, so a browser may keep them for
 * good and a new build is a new name. The script is split (issue 72): the entry
 * (`/console/main.<hash>.js`, linked by index.html) and the chunks it imports
 * statically are the first load, with the stylesheet and the page; the pages a
 * shift opens less often (Bulk, the report, the stale redraws) are chunks of
 * their own (`/console/<page>.<hash>.js`), fetched by a dynamic `import()` on
 * their first visit (same origin: the CSP's `script-src 'self'` allows it).
 * `npm start` serves it (local/console-assets.ts), the stack uploads it
 * (lib/console-bundle.ts), the bench measures it: all three the same bytes.
 * No CDK import, so npm start stays quick.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
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
    splitting: true,
    // Never written (the build keeps its files in memory); the chunks' names are relative to it.
    outdir: resolve(CONSOLE_DIR, 'dist'),
    // The entry is named by its bytes below; a chunk by esbuild's hash of its bytes and of the chunks it imports.
    entryNames: '[name]',
    chunkNames: '[name].[hash]',
    metafile: true,
  };
}

export interface BuiltFile {
  body: Buffer;
  contentType: string;
  /** Named by its content's hash: the same path always holds the same bytes. */
  immutable: boolean;
  /** Loaded with the page: the page, the stylesheet, the entry and every chunk it imports statically (not a lazily loaded page). */
  firstLoad: boolean;
}

/** The paths index.html links as console/index.html writes them. */
const SOURCE_LINKS = { script: '/console/main.js', style: '/console/main.css' } as const;

/** `/console/main.<first 12 hex of sha256>.js` for these bytes. */
export function hashedPath(plain: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return plain.replace(/\.(js|css)$/, `.${hash}.$1`);
}

function builtStyle(): Buffer {
  const result = buildSync({ ...consoleBuildOptions('style'), write: false });
  const file = result.outputFiles?.find((output) => output.path.endsWith('.css'));
  if (!file) throw new Error('the console build made no stylesheet');
  return Buffer.from(file.contents);
}

interface BuiltScript {
  /** The entry's bytes. */
  entry: Buffer;
  /** Every chunk by its file name, and whether the entry imports it statically (directly or through another chunk). */
  chunks: Map<string, { body: Buffer; firstLoad: boolean }>;
}

/** The entry and its chunks; which chunks the first load needs, from esbuild's metafile. */
function builtScript(): BuiltScript {
  const options = consoleBuildOptions('script');
  const result = buildSync({ ...options, write: false });
  const outputs = result.metafile?.outputs ?? {};
  const byName = new Map(Object.entries(outputs).map(([path, output]) => [basename(path), output]));
  const bodies = new Map((result.outputFiles ?? []).map((file) => [basename(file.path), Buffer.from(file.contents)]));
  const entryName = [...byName].find(([, output]) => output.entryPoint !== undefined && /console\/src\/main\.tsx$/.test(output.entryPoint))?.[0];
  const entry = entryName === undefined ? undefined : bodies.get(entryName);
  if (entryName === undefined || entry === undefined) throw new Error('the console build made no script');
  // The static imports' closure: what the browser fetches before the entry runs.
  const firstLoad = new Set<string>();
  const visit = (name: string) => {
    for (const imported of byName.get(name)?.imports ?? []) {
      const child = basename(imported.path);
      if (imported.kind === 'import-statement' && !firstLoad.has(child)) {
        firstLoad.add(child);
        visit(child);
      }
    }
  };
  visit(entryName);
  const chunks = new Map([...bodies].filter(([name]) => name !== entryName && name.endsWith('.js')).map(([name, body]) => [name, { body, firstLoad: firstLoad.has(name) }]));
  return { entry, chunks };
}

/** index.html with the hashed names, and a modulepreload of each chunk the entry imports (fetched with it, not after it). */
function page(links: Record<keyof typeof SOURCE_LINKS, string>, preloads: string[]): string {
  const source = readFileSync(resolve(CONSOLE_DIR, 'index.html'), 'utf8');
  for (const link of Object.values(SOURCE_LINKS)) {
    if (source.split(`"${link}"`).length !== 2) throw new Error(`console/index.html must link ${link} exactly once`);
  }
  const script = `<script type="module" src="${SOURCE_LINKS.script}"></script>`;
  if (!source.includes(script)) throw new Error(`console/index.html must load ${SOURCE_LINKS.script} as ${script}`);
  const indent = /([ \t]*)<script type="module"/.exec(source)?.[1] ?? '';
  const preloading = preloads.map((path) => `<link rel="modulepreload" href="${path}">\n${indent}`).join('');
  return source
    .replace(script, `${preloading}${script}`)
    .replace(`"${SOURCE_LINKS.script}"`, `"${links.script}"`)
    .replace(`"${SOURCE_LINKS.style}"`, `"${links.style}"`);
}

/**
 * The console as served, by path: '/' (index.html, linking the hashed names),
 * '/console/main.<hash>.js', its chunks '/console/<name>.<hash>.js' and
 * '/console/main.<hash>.css'.
 */
export function buildConsoleFiles(): Map<string, BuiltFile> {
  const script = builtScript();
  const style = builtStyle();
  const scriptPath = hashedPath(SOURCE_LINKS.script, script.entry);
  const stylePath = hashedPath(SOURCE_LINKS.style, style);
  const chunks = [...script.chunks].map(([name, chunk]) => [`/console/${name}`, chunk] as const);
  const html = page({ script: scriptPath, style: stylePath }, chunks.filter(([, chunk]) => chunk.firstLoad).map(([path]) => path));
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, BuiltFile>([
    ['/', { body: Buffer.from(html), contentType: 'text/html; charset=utf-8', immutable: false, firstLoad: true }],
    [scriptPath, { body: script.entry, contentType: js, immutable: true, firstLoad: true }],
    [stylePath, { body: style, contentType: 'text/css; charset=utf-8', immutable: true, firstLoad: true }],
    ...chunks.map(([path, chunk]) => [path, { body: chunk.body, contentType: js, immutable: true, firstLoad: chunk.firstLoad }] as const),
  ]);
}
