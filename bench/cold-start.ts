/**
 * Section b: cold start. Each function is bundled by the stack's own bundler
 * (lib/function-bundle.ts: the bytes that are deployed), then imported by fresh
 * `node` processes, interleaved round by round with a hello-world module and
 * with the common approach's webhook (baseline/common-webhook-lambda.ts,
 * bundled as CDK's NodejsFunction bundles: one ESM file, minified, the SDK
 * inside), so that a function's figure is its import time beyond a module that
 * does nothing, measured under the same machine load, beside the common one's. "Import" is module
 * evaluation: the configuration check and client construction, with the
 * environment Lambda gives a function. The webhook is measured with its secret
 * in the environment (as `npm start` runs it, and as issue 13's figures were
 * taken); what its Secrets Manager read at init adds (a signed request to a
 * local stand-in: signing, HTTP, parsing, no network) is measured beside it.
 * The sweep runs without a Junction key, as `npm start` does without one; the
 * backfill cannot start without its key, so its import includes that read.
 */
import { execFile } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleEntry, bundleFunction, ENTRY_FILE, type BundleReport } from '../lib/function-bundle';
import { SERVICES, type ServiceName } from '../functions/shared/metric-names';
import { METRICS_NAMESPACE } from '../functions/shared/observability';
import { startFakeSecretsManager } from '../test/support/fake-secrets-manager';
import { median, percentile, progress, round } from './stats';

const run = promisify(execFile);

/** Every function of the stack (a function added to SERVICES is measured, and held to the default goal). */
export const FUNCTIONS: readonly ServiceName[] = Object.values(SERVICES);

/** A cold-start goal (issue 18): import beyond hello-world as a share of the common approach's webhook's, and the KiB a cold start loads. */
export interface ColdStartGoal {
  ratioToCommon: number;
  initKiB: number | null;
}

/** The webhook answers Svix synchronously: at most 0.6x the common webhook's import, 400 KiB. Every other function, present or future: no slower than it. */
export function goalOf(service: ServiceName): ColdStartGoal {
  return service === SERVICES.webhook ? { ratioToCommon: 0.6, initKiB: 400 } : { ratioToCommon: 1, initKiB: null };
}

export interface ColdStart {
  service: ServiceName;
  /** What a cold start loads: index.mjs and the chunks it imports statically. */
  initBytes: number;
  /** Every JavaScript file shipped, lazily loaded chunks included. */
  totalBytes: number;
  /** The packages a cold start loads, KiB, largest first (the top ten). */
  initKiBByPackage: [string, number][];
  importMs: { median: number; p90: number; min: number };
  /** Median over rounds of (this import − the hello-world import of the same round). */
  beyondHelloMs: number;
  /** The same for the CPU time the import used (user + system): steadier than wall time on a busy machine. */
  beyondHelloCpuMs: number;
  /** Whole process: node start-up, import, exit. */
  processMs: { median: number };
  /** beyondHelloMs over the common approach's webhook's. */
  ratioToCommon: number;
  goal: ColdStartGoal & { met: boolean };
}

export interface ColdStartResults {
  runs: number;
  helloWorld: { importMs: { median: number; p90: number; min: number }; processMs: { median: number } };
  functions: ColdStart[];
  /** The common approach's webhook, bundled as NodejsFunction would (one file). */
  common: { initBytes: number; importMs: { median: number; p90: number; min: number }; beyondHelloMs: number; beyondHelloCpuMs: number };
  /** The SDK's DynamoDB document client alone, bundled as ours (baseline/sdk-floor.ts): the floor of every function. */
  sdkFloor: { initBytes: number; beyondHelloMs: number; ratioToCommon: number };
  /** What the webhook's secret read from Secrets Manager (a local stand-in) adds to its import (median of paired differences). */
  secretsManagerMs: number;
  /** What NODE_OPTIONS=--enable-source-maps adds to the webhook's import (median of paired differences). */
  sourceMapsMs: number;
}

const HELLO_WORLD = 'export const handler = async () => ({ statusCode: 200, body: "hello" });\n';
/** What the stand-in for Secrets Manager holds: a valid webhook secret, and as printable ASCII, a plausible Junction key. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';
const JUNCTION_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:junction-api-key-AbCdEf';

/** Bundles and measures every function in `runs` interleaved rounds. */
export async function measureColdStarts(runs: number): Promise<ColdStartResults> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  const secretsManager = await startFakeSecretsManager(SECRET);
  try {
    const hello = join(dir, 'hello-world.mjs');
    await writeFile(hello, HELLO_WORLD);
    const reports = new Map<ServiceName, BundleReport>();
    for (const service of FUNCTIONS) reports.set(service, bundleFunction(service, join(dir, service)));
    const common = bundleCommonWebhook(join(dir, 'common-webhook'));
    const floor = bundleEntry(fileURLToPath(new URL('./baseline/sdk-floor.ts', import.meta.url)), join(dir, 'sdk-floor'));
    const samples = await importRounds(coldStartSubjects(dir, hello, common.file, secretsManager.endpoint), runs, dir);

    // The +secrets-manager subject reads the webhook's secret over HTTP once per import, and nothing else does.
    const webhookReads = secretsManager.requests.filter((request) => request.body.includes(WEBHOOK_SECRET_ARN)).length;
    if (webhookReads !== runs) throw new Error(`expected ${runs} reads of the webhook secret, saw ${webhookReads}`);
    return coldStartResults(runs, samples, reports, { common: common.bytes, floor: floor.initBytes });
  } finally {
    await secretsManager.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What Lambda and the stack set for `service`'s process: nothing is sent at import but the secret read (to the stand-in). */
/** What the stack sets for the FHIR writer with a client secret (lib/fhir.ts), at an address nobody answers. */
const FHIR_WRITER_ENV = {
  FHIR_BASE_URL: 'https://fhir.bench.invalid/r4',
  FHIR_TOKEN_URL: 'https://fhir.bench.invalid/oauth2/token',
  FHIR_CLIENT_ID: 'bench',
  FHIR_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-fhir',
} as const;

/** What the stack sets for the notifications route's function (lib/fhir-notifications.ts). */
const FHIR_NOTIFICATIONS_ENV = {
  FHIR_NOTIFY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-notify',
  FHIR_NOTIFY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-notices',
} as const;

function lambdaEnv(service: string, secretsManagerEndpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    // What Lambda sets for every function (credentials come from these, as there).
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: `RedrawTracker-${service}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // What the stack sets (lib/redraw-tracker-stack.ts); nothing is sent at import but the secret read.
    TABLE_NAME: 'bench-cold-start',
    POWERTOOLS_SERVICE_NAME: service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    WEBHOOK_SECRET_ARN,
    // The secret from the environment wins over the ARN (webhook/config.ts); the +secrets-manager subject drops it.
    JUNCTION_WEBHOOK_SECRET: SECRET,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerEndpoint,
    STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
    SWEEP_TIMEOUT_SECONDS: '300',
    NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
    EVENT_BUS_NAME: 'bench-events',
    CURSOR_SECRET: 'bench-cursor-secret-0123456789abcdef',
    // The chat-button function's channel (its actor, chat:<id>).
    CHAT_CHANNEL_ID: 'C0123456789',
    // The console's pool and client, as the stack with the console sets them (the verifier loads with the first console request).
    CONSOLE_USER_POOL_ID: 'us-east-1_AbCdEf123',
    CONSOLE_CLIENT_ID: 'benchconsoleclient',
    // Required by the backfill; the sweep reads it only when set, and it is not set here.
    ...(service === SERVICES.backfill ? { JUNCTION_API_KEY_SECRET_ARN: JUNCTION_KEY_SECRET_ARN } : {}),
    // The FHIR writer runs only with Tasks kept in an EHR (lib/fhir.ts fhirWriterEnvironment): its address and client; nothing is sent at import.
    ...(service === SERVICES.fhirWriter ? FHIR_WRITER_ENV : {}),
    ...(service === SERVICES.fhirNotifications ? FHIR_NOTIFICATIONS_ENV : {}),
  };
}

type Subject = { name: string; file: string; env: NodeJS.ProcessEnv };

/** hello-world, every function, the SDK's floor, the common webhook, and the webhook with its secret read and with source maps. */
function coldStartSubjects(dir: string, hello: string, commonFile: string, secretsManagerEndpoint: string): Subject[] {
  const env = (service: string) => lambdaEnv(service, secretsManagerEndpoint);
  return [
    { name: 'hello-world', file: hello, env: env('hello-world') },
    ...FUNCTIONS.map((service) => ({ name: service, file: join(dir, service, ENTRY_FILE), env: env(service) })),
    { name: 'sdk-floor', file: join(dir, 'sdk-floor', ENTRY_FILE), env: env('sdk-floor') },
    { name: 'common-webhook', file: commonFile, env: { ...env('common-webhook'), ORDERS_TABLE: 'bench-orders', IDEMPOTENCY_TABLE: 'bench-idempotency' } },
    { name: 'webhook+secrets-manager', file: join(dir, 'webhook', ENTRY_FILE), env: { ...env('webhook'), JUNCTION_WEBHOOK_SECRET: '' } },
    { name: 'webhook+source-maps', file: join(dir, 'webhook', ENTRY_FILE), env: { ...env('webhook'), NODE_OPTIONS: '--enable-source-maps' } },
  ];
}

/** Each subject's samples by name: import time, import CPU time, and the whole process's time. */
interface ImportSamples {
  imports: Map<string, number[]>;
  cpus: Map<string, number[]>;
  processes: Map<string, number[]>;
}

/** `runs` rounds of one fresh process per subject, in a different order each round. */
async function importRounds(subjects: readonly Subject[], runs: number, dir: string): Promise<ImportSamples> {
  const imports = new Map<string, number[]>(subjects.map((subject) => [subject.name, []]));
  const cpus = new Map<string, number[]>(subjects.map((subject) => [subject.name, []]));
  const processes = new Map<string, number[]>(subjects.map((subject) => [subject.name, []]));
  for (let round = 0; round < runs; round++) {
    // A different order each round, so that no subject always follows the same one.
    const order = subjects.map((_, index) => subjects[(index + round) % subjects.length]!);
    for (const subject of order) {
      const { importMs, cpuMs, processMs } = await importOnce(subject.file, subject.env, dir);
      imports.get(subject.name)!.push(importMs);
      cpus.get(subject.name)!.push(cpuMs);
      processes.get(subject.name)!.push(processMs);
    }
  }
  return { imports, cpus, processes };
}

/** The figures of the samples: each function beyond hello-world (paired round by round), against the common webhook's, and its goal. */
function coldStartResults(runs: number, samples: ImportSamples, reports: ReadonlyMap<ServiceName, BundleReport>, bytes: { common: number; floor: number }): ColdStartResults {
  const { imports, cpus, processes } = samples;
  const stats = (values: readonly number[]) => ({ median: round(median(values), 1), p90: round(percentile(values, 90), 1), min: round(Math.min(...values), 1) });
  const helloImports = imports.get('hello-world')!;
  const paired = (name: string, base: readonly number[], of = imports) => round(median(of.get(name)!.map((ms, i) => ms - base[i]!)), 1);
  const commonBeyondHelloMs = paired('common-webhook', helloImports);
  const functions = FUNCTIONS.map((service): ColdStart => {
    const report = reports.get(service)!;
    const beyondHelloMs = paired(service, helloImports);
    const ratioToCommon = round(beyondHelloMs / commonBeyondHelloMs, 2);
    const goal = goalOf(service);
    const result: ColdStart = {
      service,
      initBytes: report.initBytes,
      totalBytes: report.totalBytes,
      initKiBByPackage: report.initBytesByPackage.slice(0, 10).map(([name, size]) => [name, round(size / 1024, 1)]),
      importMs: stats(imports.get(service)!),
      beyondHelloMs,
      beyondHelloCpuMs: paired(service, cpus.get('hello-world')!, cpus),
      processMs: { median: round(median(processes.get(service)!), 1) },
      ratioToCommon,
      goal: { ...goal, met: ratioToCommon <= goal.ratioToCommon && (goal.initKiB === null || report.initBytes <= goal.initKiB * 1024) },
    };
    progress(`cold start ${service}: ${kib(report.initBytes)} KiB at init, +${beyondHelloMs} ms beyond hello-world (median ${result.importMs.median} ms), x${ratioToCommon} the common webhook's`);
    return result;
  });
  return {
    runs,
    helloWorld: { importMs: stats(helloImports), processMs: { median: round(median(processes.get('hello-world')!), 1) } },
    functions,
    sdkFloor: { initBytes: bytes.floor, beyondHelloMs: paired('sdk-floor', helloImports), ratioToCommon: round(paired('sdk-floor', helloImports) / commonBeyondHelloMs, 2) },
    common: { initBytes: bytes.common, importMs: stats(imports.get('common-webhook')!), beyondHelloMs: commonBeyondHelloMs, beyondHelloCpuMs: paired('common-webhook', cpus.get('hello-world')!, cpus) },
    secretsManagerMs: paired('webhook+secrets-manager', imports.get('webhook')!),
    sourceMapsMs: paired('webhook+source-maps', imports.get('webhook')!),
  };
}

/** One fresh node process that imports `file` and reports the import's duration. */
async function importOnce(file: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ importMs: number; cpuMs: number; processMs: number }> {
  const script = [
    'const c0 = process.cpuUsage(); const t0 = performance.now();',
    `const m = await import(${JSON.stringify(file)});`,
    "if (typeof m.handler !== 'function') process.exit(2);",
    'const t1 = performance.now(); const c1 = process.cpuUsage(c0);',
    "process.stdout.write(`${t1 - t0} ${(c1.user + c1.system) / 1000}`);",
  ].join(' ');
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd });
  const processMs = performance.now() - t0;
  const [importMs, cpuMs] = stdout.split(' ').map(Number);
  if (!Number.isFinite(importMs) || !Number.isFinite(cpuMs)) throw new Error(`import of ${file} printed ${JSON.stringify(stdout)}`);
  return { importMs: importMs!, cpuMs: cpuMs!, processMs };
}

/**
 * The common approach's webhook bundled as CDK's NodejsFunction bundles a
 * handler with the settings most projects give it (and TOOLCHAIN.md measured):
 * esbuild into one ESM file (NodejsFunction builds with --outfile: no code
 * splitting), minified, module main fields, the SDK inside (externalModules: []),
 * the createRequire banner ESM needs. Same target as ours.
 */
function bundleCommonWebhook(outdir: string): { file: string; bytes: number } {
  const file = join(outdir, 'index.mjs');
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('./baseline/common-webhook-lambda.ts', import.meta.url))],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  return { file, bytes: Object.entries(result.metafile.outputs).reduce((sum, [name, output]) => sum + (name.endsWith('.mjs') ? output.bytes : 0), 0) };
}

export function kib(bytes: number): number {
  return round(bytes / 1024, 0);
}

/** The section's lines of the printed table. */
export function coldStartLines(results: ColdStartResults): string[] {
  const pad = (cells: readonly (string | number)[]) => cells.map((cell, index) => (index === 0 ? String(cell).padEnd(19) : String(cell).padStart(index === 7 ? 22 : 12))).join(' ');
  const lines = [`b. Cold start: the stack's bundles, ${results.runs} rounds of fresh node processes interleaved with a hello-world module (import median ${results.helloWorld.importMs.median} ms) and the common webhook`];
  lines.push(pad(['function', 'init KiB', 'shipped KiB', 'import ms', 'beyond hello', 'cpu beyond', 'x common', 'goal', 'met']));
  const { common } = results;
  lines.push(pad(['common webhook', kib(common.initBytes), kib(common.initBytes), common.importMs.median, common.beyondHelloMs, common.beyondHelloCpuMs, 1, '(NodejsFunction-style)', '']));
  lines.push(pad(['(SDK client alone)', kib(results.sdkFloor.initBytes), '', '', results.sdkFloor.beyondHelloMs, '', results.sdkFloor.ratioToCommon, '(the floor)', '']));
  for (const cold of results.functions) {
    const goal = `<= x${cold.goal.ratioToCommon}${cold.goal.initKiB === null ? '' : `, ${cold.goal.initKiB} KiB`}`;
    lines.push(pad([cold.service, kib(cold.initBytes), kib(cold.totalBytes), cold.importMs.median, cold.beyondHelloMs, cold.beyondHelloCpuMs, cold.ratioToCommon, goal, cold.goal.met ? 'yes' : 'NO']));
  }
  lines.push(`  the webhook's secret read from Secrets Manager at init (a local stand-in: no network) adds ${results.secretsManagerMs} ms to its import`);
  lines.push(`  NODE_OPTIONS=--enable-source-maps (not set by the stack) would add ${results.sourceMapsMs} ms to the webhook's import`);
  return lines;
}
