/**
 * Section b: cold start. Each function is bundled with esbuild using the CDK
 * stack's options (lib/table-bound-function.ts: ESM, minify, mainFields
 * module/main, AWS SDK bundled, the createRequire banner), for platform node,
 * target node20 (this machine's Node); then N fresh `node` processes import the
 * bundle and report how long the import took (module evaluation: the handler's
 * configuration check and client construction included, no request sent).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { median, percentile, progress, round } from './stats';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const FUNCTIONS = ['webhook', 'transaction-status', 'stale-redraw-sweep', 'query'] as const;

export interface ColdStart {
  service: (typeof FUNCTIONS)[number];
  bundleBytes: number;
  importMs: { median: number; p90: number; min: number };
  /** Whole process: node start-up, import, exit. */
  processMs: { median: number };
  runs: number;
}

/** Measures every function; `endpoint` is only named in the environment (the import sends nothing). */
export async function measureColdStarts(runs: number, endpoint: string): Promise<ColdStart[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  try {
    const results: ColdStart[] = [];
    for (const service of FUNCTIONS) {
      const outfile = join(dir, `${service}.mjs`);
      await build({
        entryPoints: [join(ROOT, 'functions', service, 'handler.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        mainFields: ['module', 'main'],
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        external: [],
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
        logLevel: 'error',
      });
      const bundleBytes = (await stat(outfile)).size;
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TABLE_NAME: 'bench-cold-start',
        DYNAMODB_ENDPOINT: endpoint,
        JUNCTION_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
        POWERTOOLS_SERVICE_NAME: service,
      };
      const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(outfile)}); if (typeof m.handler !== 'function') process.exit(2); process.stdout.write(String(performance.now() - t0));`;
      const imports: number[] = [];
      const processes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: dir });
        processes.push(performance.now() - t0);
        imports.push(Number(stdout));
      }
      const result: ColdStart = {
        service,
        bundleBytes,
        importMs: { median: round(median(imports), 1), p90: round(percentile(imports, 90), 1), min: round(Math.min(...imports), 1) },
        processMs: { median: round(median(processes), 1) },
        runs,
      };
      progress(`cold start ${service}: ${(bundleBytes / 1024).toFixed(0)} KiB, import median ${result.importMs.median} ms`);
      results.push(result);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
