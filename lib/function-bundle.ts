/**
 * How a function's code is built: one esbuild call, shared by the CDK stack
 * (lib/table-bound-function.ts) and the cold-start bench, so the bench measures
 * the bytes that are deployed. Free of aws-cdk-lib on purpose (the bench imports it).
 *
 * Code splitting is the point: the AWS SDK reaches most of its weight through
 * dynamic imports that a Lambda cold start never takes (credential providers
 * for profiles, SSO and web identity with their STS/SSO clients, browser
 * user-agent parsing, event streams). In one file those ~140 KiB are read and
 * parsed at every cold start; split, they stay in chunks/ and load only if used.
 */
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import type { ServiceName } from '../functions/shared/metric-names';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The file Lambda loads (`index.handler`); every other file is a chunk under chunks/. */
export const ENTRY_FILE = 'index.mjs';

/**
 * esbuild options of every function. Target node20: the oldest Node this
 * repository runs on, so the bench on this machine imports the very bytes the
 * Node 24 runtime gets (nothing in the code needs newer syntax).
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The SDK and zod publish ESM beside CommonJS: ESM tree-shakes.
  mainFields: ['module', 'main'],
  minify: true,
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Stack traces can be mapped back to file and line (the maps ship beside the
  // code; Node reads them only with --enable-source-maps); the sources need not ship.
  sourcemap: 'linked',
  sourcesContent: false,
  // The AWS SDK is bundled, not taken from the runtime: pinned version, faster cold import.
  external: [],
  // CommonJS dependencies inside ESM chunks still call require() for Node built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** What one build produced, from esbuild's metafile. */
export interface BundleReport {
  /** JavaScript files (relative to the output directory), entry first. */
  files: string[];
  /** The files a cold start loads: the entry and every chunk it imports statically. */
  initFiles: string[];
  /** Bytes of `initFiles`: what a cold start reads and parses. */
  initBytes: number;
  /** Bytes of every JavaScript file shipped (lazy chunks included, source maps not). */
  totalBytes: number;
  /** Bytes per package among `initFiles` (our own code under `functions/...`), largest first. */
  initBytesByPackage: [string, number][];
}

/** Bundles `functions/<service>/handler.ts` into `outdir` (index.mjs, chunks/, source maps). */
export function bundleFunction(service: ServiceName, outdir: string): BundleReport {
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    entryPoints: { index: join(PROJECT_ROOT, 'functions', service, 'handler.ts') },
    outdir,
    // Paths in the metafile and source maps are relative to the repository, whatever the working directory.
    absWorkingDir: PROJECT_ROOT,
  });
  return bundleReport(result.metafile, relative(PROJECT_ROOT, outdir));
}

/** Reads a build's metafile: which outputs a cold start loads, and their sizes. */
export function bundleReport(metafile: Metafile, outdir: string): BundleReport {
  const outputs = metafile.outputs;
  const local = (path: string) => relative(outdir, path);
  const entry = Object.keys(outputs).find((path) => local(path) === ENTRY_FILE);
  if (entry === undefined) throw new Error(`no ${ENTRY_FILE} among the outputs`);
  const init = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (init.has(path)) continue;
    init.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  const scripts = Object.keys(outputs).filter((path) => path.endsWith('.mjs'));
  const bytesOf = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + (outputs[path]?.bytes ?? 0), 0);
  const byPackage = new Map<string, number>();
  for (const path of init) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]?.inputs ?? {})) {
      const key = packageOf(input);
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return {
    files: [entry, ...scripts.filter((path) => path !== entry)].map(local),
    initFiles: [...init].map(local),
    initBytes: bytesOf(init),
    totalBytes: bytesOf(scripts),
    initBytesByPackage: [...byPackage].sort((a, b) => b[1] - a[1]),
  };
}

/** `@scope/name` or `name` for a dependency, the folder for our own code. */
function packageOf(input: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (dependency?.[1]) return dependency[1];
  return input.split('/').slice(0, -1).join('/') || input;
}
