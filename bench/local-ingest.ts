/**
 * Section f: ingest through `npm start`'s HTTP server, the whole local system,
 * beside the common approach behind the same HTTP adapter.
 *
 * - The tracker runs as `npm start` runs it: startLocalRuntime in this process,
 *   its own embedded DynamoDB Local, the stream reader feeding the transaction
 *   function live, metrics off and logs at their default level (swallowed here).
 * - The common approach (baseline/common-webhook.ts) runs behind a minimal
 *   server built from the same local/http-adapter.ts, on a second embedded
 *   DynamoDB Local, so both pay the same HTTP costs.
 * - A forked sender (http-sender.ts) delivers the signed stream over HTTP with
 *   `senders` at once, retrying non-2xx as Svix does. The servers keep this
 *   process to themselves, so process.cpuUsage() is theirs.
 * - Rounds alternate the order (T C, C T, ...); each round sends a fresh build of
 *   the same seeded stream (same shape, new ids), so both tables start each run
 *   with the same history. Figures are medians over the rounds.
 *
 * The tracker's "whole system" figure runs until the stream reader is idle
 * (every transaction recomputed: runtime.whenStreamIdle()). CPU per webhook:
 * this node process (both servers live here; only the one under test is busy),
 * and the JVM under test from /proc/<pid>/stat.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../functions/shared/observability';
import { parseLocalSettings } from '../local/config';
import { localDynamoDbClientConfig, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { readBodyWithin, toApiGatewayEvent, writeJson, writeResult } from '../local/http-adapter';
import { localContext } from '../local/lambda-context';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { newSecret } from '../test/support/webhook';
import { commonTablesInput, createCommonWebhookHandler } from './baseline/common-webhook';
import type { SendOrder, SendResult } from './http-sender';
import { checkCommon, checkTracker, createTables, type Approach } from './ingest';
import { median, muted, percentile, progress, round } from './stats';
import { checkStreamTransactions } from './system-cost';
import { buildWebhookStream, type WebhookStream } from './webhook-stream';
import { documentClientOf } from '../functions/store/document-table';

/** The goal of issue 13: the whole local system ingests at least this many times the common approach's server. */
export const LOCAL_INGEST_GOAL = 1.25;

export interface LocalIngestRun {
  approach: Approach;
  round: number;
  messages: number;
  attempts: number;
  non2xx: number;
  gaveUp: number;
  /** Until the last answer. */
  ingestSeconds: number;
  ingestPerSecond: number;
  /** Until the last answer and, for the tracker, the stream reader idle (every recompute done). */
  systemSeconds: number;
  systemPerSecond: number;
  latencyMs: { p50: number; p99: number };
  /** CPU ms per webhook until the system is idle: the server's node process, its DynamoDB Local JVM, the sender. */
  cpuMsPerWebhook: { node: number; jvm: number | null; sender: number };
  correctness: { orders: number; wrongState: number; missing: number; transactions: number | null; transactionsWrong: number | null };
  answers: Record<string, number>;
}

export interface LocalIngestResult {
  senders: number;
  rounds: number;
  stream: WebhookStream['shape'];
  runs: LocalIngestRun[];
  medians: Record<Approach, { ingestPerSecond: number; systemPerSecond: number; cpuMsPerWebhook: { node: number; jvm: number | null; sender: number } }>;
  /**
   * Tracker whole system (until stream idle) over common, from the medians (the goal's figure);
   * tracker ingest-only over common; and the median of each round's own ratio (the two runs of
   * a round are adjacent, so they share the machine's background load).
   */
  ratio: { system: number; ingestOnly: number; pairedSystemMedian: number };
  goal: number;
  pass: boolean;
}

const TABLE = 'bench-local-ingest';
const COMMON_ORDERS = 'bench-local-common';
const COMMON_IDEMPOTENCY = 'bench-local-common-idempotency';

/** utime + stime of a process, µs (null when /proc is not there). */
function processCpuMicros(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
  } catch {
    return null;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** The embedded JVM of the runtime: our child process listening on its port (the runtime does not expose its PID). */
function findJvmPid(port: number): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const at = args.indexOf('-port');
        if (at >= 0 && args[at + 1] === String(port)) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return null;
}

interface CommonServer {
  url: string;
  jvm: DynamoDbLocal;
  doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** The common approach behind the same HTTP adapter as `npm start`, on its own embedded DynamoDB Local. */
async function startCommonServer(secret: string): Promise<CommonServer> {
  const jvm = await startDynamoDbLocal();
  const client = new DynamoDBClient({ ...localDynamoDbClientConfig(jvm.endpoint), maxAttempts: 3 });
  const doc = documentClientOf(client);
  await createTables(client, commonTablesInput(COMMON_ORDERS, COMMON_IDEMPOTENCY));
  const handler = createCommonWebhookHandler({ client, doc, ordersTable: COMMON_ORDERS, idempotencyTable: COMMON_IDEMPOTENCY, secret, logger: createLogger('common-webhook') });
  const server: Server = createServer((request, response) => {
    (async () => {
      const body = await readBodyWithin(request);
      if (body === null) return writeJson(response, 413, { error: { code: 'payload_too_large' } });
      const event = toApiGatewayEvent(request, body);
      if (request.method !== 'POST' || event.rawPath !== '/webhooks/junction') return writeJson(response, 404, { error: { code: 'not_found' } });
      return writeResult(response, await handler(event, localContext('common-webhook')));
    })().catch(() => {
      // What Lambda behind API Gateway answers for an unhandled error (e.g. IdempotencyAlreadyInProgressError).
      if (!response.headersSent) writeJson(response, 502, { message: 'Internal Server Error' });
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    jvm,
    doc,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      client.destroy();
      await jvm.stop();
    },
  };
}

/** The forked sender: one order at a time. */
async function startSender(): Promise<{ send(order: SendOrder): Promise<SendResult>; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./http-sender.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_HTTP_SENDER: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`http sender exited with ${code}`)));
  });
  return {
    send(order) {
      return new Promise((resolve, reject) => {
        child.once('message', (message: SendResult | { error: string }) => ('error' in message ? reject(new Error(message.error)) : resolve(message)));
        child.send(order);
      });
    },
    stop() {
      child.kill();
    },
  };
}

/** Every transaction of the stream, through GET /transactions/{id} of the runtime, against the contract's rule over its members' newest states. */
function checkTransactionsOverHttp(url: string, stream: WebhookStream): Promise<{ transactions: number; wrong: number }> {
  return checkStreamTransactions(stream, async (transactionId) => {
    const answer = await fetch(`${url}/transactions/${transactionId}`);
    return { status: answer.status, body: await answer.text() };
  });
}

interface Systems {
  runtime: LocalRuntime;
  runtimeJvmPid: number | null;
  runtimeDoc: DynamoDBDocumentClient;
  common: CommonServer;
  secret: string;
  sender: Awaited<ReturnType<typeof startSender>>;
}

async function runOnce(systems: Systems, approach: Approach, stream: WebhookStream, senders: number, roundNo: number): Promise<LocalIngestRun> {
  const tracker = approach === 'tracker';
  const url = `${tracker ? systems.runtime.url : systems.common.url}/webhooks/junction`;
  const jvmPid = tracker ? systems.runtimeJvmPid : systems.common.jvm.pid;
  const order: SendOrder = { url, secret: systems.secret, senders, messages: stream.messages.map(({ svixId, body }) => ({ svixId, body })) };
  const n = stream.messages.length;

  const cpu0 = process.cpuUsage();
  const jvm0 = processCpuMicros(jvmPid);
  const t0 = performance.now();
  const { value: sent } = await muted(async () => {
    const result = await systems.sender.send(order);
    const ingestMs = performance.now() - t0;
    if (tracker) await systems.runtime.whenStreamIdle();
    return { result, ingestMs };
  });
  const systemMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const jvm1 = processCpuMicros(jvmPid);
  const { result, ingestMs } = sent;

  const orders = tracker ? await checkTracker(systems.runtimeDoc, TABLE, stream) : await checkCommon(systems.common.doc, COMMON_ORDERS, stream);
  const transactions = tracker ? (await muted(() => checkTransactionsOverHttp(systems.runtime.url, stream))).value : null;
  const perWebhookMs = (micros: number) => round(micros / 1000 / n, 3);
  return {
    approach,
    round: roundNo,
    messages: n,
    attempts: result.attempts,
    non2xx: result.non2xx,
    gaveUp: result.gaveUp,
    ingestSeconds: round(ingestMs / 1000),
    ingestPerSecond: round(n / (ingestMs / 1000), 1),
    systemSeconds: round(systemMs / 1000),
    systemPerSecond: round(n / (systemMs / 1000), 1),
    latencyMs: { p50: round(percentile(result.latencies, 50)), p99: round(percentile(result.latencies, 99)) },
    cpuMsPerWebhook: {
      node: perWebhookMs(cpu.user + cpu.system),
      jvm: jvm0 === null || jvm1 === null ? null : perWebhookMs(jvm1 - jvm0),
      sender: perWebhookMs(result.cpuMicros),
    },
    correctness: { ...orders, transactions: transactions?.transactions ?? null, transactionsWrong: transactions?.wrong ?? null },
    answers: result.answers,
  };
}

/** Section f: the tracker through `npm start` against the common approach's server, `rounds` alternating runs each. */
export async function measureLocalIngest(options: { webhooks: number; senders: number; rounds: number }): Promise<LocalIngestResult> {
  const stoppers: (() => Promise<void> | void)[] = [];
  try {
    const systems = await startSystems(newSecret(), stoppers);
    // Warm both JVMs (their JIT needs a few thousand requests) and both servers first; not reported.
    const warmup = Math.min(1500, options.webhooks);
    for (const approach of ['tracker', 'common'] as const) await runOnce(systems, approach, buildWebhookStream({ messages: warmup, seed: 7 }), options.senders, 0);
    const { runs, shape } = await alternatingRounds(systems, options);
    return localIngestSummary(runs, options, shape);
  } finally {
    for (const stop of stoppers.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }
}

/** `npm start`'s runtime, a client on its table, the common approach's server and the sender, each stopper kept in `stoppers`. */
async function startSystems(secret: string, stoppers: (() => Promise<void> | void)[]): Promise<Systems> {
  // As `npm start` (local/main.ts): EMF metrics off. Read when the runtime builds its Metrics.
  const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const { value: runtime } = await muted(() =>
    startLocalRuntime(parseLocalSettings({ PORT: '0', JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '3600', TABLE_NAME: TABLE }), createLogger('local')),
  );
  stoppers.push(() => runtime.stop());
  if (metricsDisabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
  const runtimeClient = new DynamoDBClient(localDynamoDbClientConfig(runtime.dynamodbEndpoint));
  stoppers.push(() => runtimeClient.destroy());
  const runtimeDoc = DynamoDBDocumentClient.from(runtimeClient);
  const common = await startCommonServer(secret);
  stoppers.push(() => common.stop());
  const sender = await startSender();
  stoppers.push(() => sender.stop());
  const systems: Systems = {
    runtime,
    runtimeJvmPid: findJvmPid(Number(new URL(runtime.dynamodbEndpoint).port)),
    runtimeDoc,
    common,
    secret,
    sender,
  };
  if (systems.runtimeJvmPid === null) progress('local ingest: the runtime JVM was not found in /proc; its CPU is not reported');
  return systems;
}

/** `rounds` rounds, the tracker first in odd ones and the common approach first in even ones, each on a fresh stream of the same shape. */
async function alternatingRounds(systems: Systems, options: { webhooks: number; senders: number; rounds: number }) {
  const runs: LocalIngestRun[] = [];
  let shape: WebhookStream['shape'] | undefined;
  for (let roundNo = 1; roundNo <= options.rounds; roundNo++) {
    const order: Approach[] = roundNo % 2 === 1 ? ['tracker', 'common'] : ['common', 'tracker'];
    for (const approach of order) {
      // Same seed: the same shape of stream each time, with fresh ids (fresh orders and svix-ids).
      const stream = buildWebhookStream({ messages: options.webhooks });
      shape = stream.shape;
      const run = await runOnce(systems, approach, stream, options.senders, roundNo);
      progress(
        `local ingest ${roundNo}/${options.rounds} ${approach}: ${run.ingestPerSecond}/s ingest, ${run.systemPerSecond}/s until idle, ` +
          `cpu ${run.cpuMsPerWebhook.node} + ${run.cpuMsPerWebhook.jvm} ms/webhook, wrong ${run.correctness.wrongState + run.correctness.missing}` +
          (run.correctness.transactionsWrong === null ? '' : `, wrong txns ${run.correctness.transactionsWrong}`),
      );
      runs.push(run);
    }
  }
  return { runs, shape };
}

/** Each approach's medians, the tracker over the common approach (of the medians, and the median of each round's own ratio), and the goal. */
function localIngestSummary(runs: LocalIngestRun[], options: { senders: number; rounds: number }, shape: WebhookStream['shape'] | undefined): LocalIngestResult {
  const medianOf = (approach: Approach) => {
    const mine = runs.filter((run) => run.approach === approach);
    const jvm = mine.map((run) => run.cpuMsPerWebhook.jvm).filter((value): value is number => value !== null);
    return {
      ingestPerSecond: median(mine.map((run) => run.ingestPerSecond)),
      systemPerSecond: median(mine.map((run) => run.systemPerSecond)),
      cpuMsPerWebhook: {
        node: median(mine.map((run) => run.cpuMsPerWebhook.node)),
        jvm: jvm.length === 0 ? null : median(jvm),
        sender: median(mine.map((run) => run.cpuMsPerWebhook.sender)),
      },
    };
  };
  const medians = { tracker: medianOf('tracker'), common: medianOf('common') };
  const system = round(medians.tracker.systemPerSecond / medians.common.systemPerSecond, 2);
  const paired = Array.from({ length: options.rounds }, (_, index) => {
    const of = (approach: Approach) => runs.find((run) => run.round === index + 1 && run.approach === approach)!.systemPerSecond;
    return of('tracker') / of('common');
  });
  return {
    senders: options.senders,
    rounds: options.rounds,
    stream: shape!,
    runs,
    medians,
    ratio: { system, ingestOnly: round(medians.tracker.ingestPerSecond / medians.common.ingestPerSecond, 2), pairedSystemMedian: round(median(paired), 2) },
    goal: LOCAL_INGEST_GOAL,
    pass: system >= LOCAL_INGEST_GOAL,
  };
}

/** The printed lines of section f. */
export function localIngestLines(result: LocalIngestResult): string[] {
  const pad = (cells: readonly (string | number | null)[]) => cells.map((cell, index) => String(cell ?? '-').padStart(index === 0 ? 10 : 12)).join(' ');
  const lines = [
    `f. Ingest through HTTP, whole local system: ${result.stream.messages} webhooks, ${result.senders} senders, ${result.rounds} alternating rounds (medians)`,
    pad(['approach', 'ingest/s', 'until idle/s', 'node ms/wh', 'JVM ms/wh', 'sender ms/wh']),
  ];
  for (const approach of ['tracker', 'common'] as const) {
    const m = result.medians[approach];
    lines.push(pad([approach, m.ingestPerSecond, m.systemPerSecond, m.cpuMsPerWebhook.node, m.cpuMsPerWebhook.jvm, m.cpuMsPerWebhook.sender]));
  }
  lines.push(pad(['approach', 'round', 'ingest/s', 'until idle/s', 'p50 ms', 'p99 ms', 'non-2xx', 'wrong orders', 'wrong txns']));
  for (const run of result.runs) {
    lines.push(
      pad([
        run.approach, run.round, run.ingestPerSecond, run.systemPerSecond, run.latencyMs.p50, run.latencyMs.p99, run.non2xx,
        `${run.correctness.wrongState + run.correctness.missing}/${run.correctness.orders}`,
        run.correctness.transactions === null ? '' : `${run.correctness.transactionsWrong}/${run.correctness.transactions}`,
      ]),
    );
  }
  lines.push(
    `  tracker (until stream idle) / common: x${result.ratio.system} (goal >= ${result.goal}: ${result.pass ? 'PASS' : 'FAIL'}); ingest only x${result.ratio.ingestOnly}; median of the rounds' own ratios x${result.ratio.pairedSystemMedian}`,
  );
  return lines;
}
