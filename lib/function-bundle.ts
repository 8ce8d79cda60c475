/**
 * How a function's code is built: one esbuild call, shared by the CDK stack
 * (lib/table-bound-function.ts) and the cold-start bench, so the bench measures
 * the bytes that are deployed. Free of aws-cdk-lib on purpose (the bench imports it).
 *
 * What a cold start loads is the point. The AWS SDK reaches much of its weight
 * through dynamic imports that a Lambda cold start never takes: the credential
 * providers for profiles, SSO, web identity, containers and instance metadata
 * (with the STS, SSO and sign-in clients they use), browser user-agent parsing
 * and event streams. In one file those ~140 KiB are read and parsed at every
 * cold start. So the build splits code (dynamic imports become chunks, loaded
 * only if used), and the credential providers are built apart, into lazy/: in
 * the same build they would share chunks with the handler, and the handler
 * would load their XML and REST protocol code (~34 KiB) with its own. Lambda
 * gives functions their credentials in the environment, which the handler's
 * own graph reads; lazy/ only loads when a credential source other than the
 * environment is in use, as when the bundle runs outside Lambda. The SNS and
 * Lambda clients, which the sweep and the backfill load only to notify or to
 * continue a run, are built apart for the same reason (their protocol code would
 * otherwise ride along at every cold start).
 */
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative } from 'node:path';
import * as z from 'zod';
import type { ServiceName } from '../functions/shared/metric-names';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The file Lambda loads (`index.handler`); the chunks sit beside it, LAZY_PACKAGES in lazy/. */
export const ENTRY_FILE = 'index.mjs';

/** Folder of the separately built credential providers. */
export const LAZY_DIR = 'lazy';

/**
 * Packages that are only ever imported dynamically, built apart so that none of
 * their code shares a chunk with the handler's: the ones the SDK's default
 * credential chain imports for every source but the environment
 * (@aws-sdk/credential-provider-node), the SNS client (the sweep's notifier), the
 * EventBridge client (the transaction function's events, loaded at the first
 * batch with facts) and the Lambda client (the backfill's continuation).
 */
export const LAZY_PACKAGES = [
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-sns',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

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
  // Beside the entry, not in a folder: a chunk's import of ./lazy/... must mean the same folder as the entry's.
  chunkNames: '[name]-[hash]',
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
  /** JavaScript files of the handler's build (relative to the output directory), entry first; lazy/ not included. */
  files: string[];
  /** The files a cold start loads: the entry and every chunk it imports statically. */
  initFiles: string[];
  /** Bytes of `initFiles`: what a cold start reads and parses. */
  initBytes: number;
  /** Bytes of every JavaScript file shipped (lazy chunks and lazy/ included, source maps not). */
  totalBytes: number;
  /** Bytes per package among `initFiles` (our own code under `functions/...`), largest first. */
  initBytesByPackage: [string, number][];
}

/** Bundles `functions/<service>/handler.ts` into `outdir` (index.mjs, chunks, lazy/, source maps). */
export function bundleFunction(service: ServiceName, outdir: string): BundleReport {
  return bundleEntry(join(PROJECT_ROOT, 'functions', service, 'handler.ts'), outdir);
}

/** Bundles any entry module as a function is bundled (the bench measures reference modules this way). */
export function bundleEntry(entry: string, outdir: string): BundleReport {
  const common = { ...BUNDLE_OPTIONS, absWorkingDir: PROJECT_ROOT };
  const lazyFile = (pkg: string) => `${basename(pkg)}.mjs`;
  const handler = buildSync({
    ...common,
    entryPoints: { index: entry },
    outdir,
    alias: Object.fromEntries(LAZY_PACKAGES.map((pkg) => [pkg, `./${LAZY_DIR}/${lazyFile(pkg)}`])),
    external: [`./${LAZY_DIR}/*`],
  });
  // Only the lazy packages this function reaches (the providers reach one another: ini -> sso, process, ...).
  let wanted = lazyImports(handler.metafile, `./${LAZY_DIR}/`);
  let lazyBytes = 0;
  for (;;) {
    const built = buildSync({
      ...common,
      entryPoints: Object.fromEntries(LAZY_PACKAGES.filter((pkg) => wanted.has(lazyFile(pkg))).map((pkg) => [basename(pkg), moduleEntryOf(pkg)])),
      outdir: join(outdir, LAZY_DIR),
      // One provider reaches another through its file in lazy/, not through a second copy.
      alias: Object.fromEntries(LAZY_PACKAGES.map((pkg) => [pkg, `./${lazyFile(pkg)}`])),
      external: ['./*.mjs'],
    });
    const reached = new Set([...wanted, ...lazyImports(built.metafile, './')]);
    if (reached.size === wanted.size) {
      lazyBytes = Object.entries(built.metafile.outputs).reduce((sum, [path, { bytes }]) => sum + (path.endsWith('.mjs') ? bytes : 0), 0);
      break;
    }
    wanted = reached;
  }
  const report = bundleReport(handler.metafile, relative(PROJECT_ROOT, outdir));
  return { ...report, totalBytes: report.totalBytes + lazyBytes };
}

/** The lazy/ files a build imports (external imports under `prefix`), by file name. */
function lazyImports(metafile: Metafile, prefix: string): Set<string> {
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && imported.path.startsWith(prefix)) names.add(imported.path.slice(prefix.length));
    }
  }
  return names;
}

/** The ESM entry of an installed package (its `module` field), as the bundle resolves it. */
function moduleEntryOf(pkg: string): string {
  const manifestPath = createRequire(join(PROJECT_ROOT, 'package.json')).resolve(`${pkg}/package.json`);
  const manifest = PackageManifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  return join(dirname(manifestPath), manifest.module ?? manifest.main ?? 'index.js');
}

const PackageManifest = z.object({ module: z.string().optional(), main: z.string().optional() });

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
      if (imported.kind !== 'import-statement') continue;
      if (!imported.external) pending.push(imported.path);
      // The point of lazy/ is that nothing loads it at init; a static import would (an SDK change, say).
      else if (imported.path.startsWith(`./${LAZY_DIR}/`)) throw new Error(`${local(path)} imports ${imported.path} statically: it would load at every cold start`);
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
