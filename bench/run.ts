/**
 * The bench's run, loaded by bench/main.ts (`npm run bench`) once the command
 * line is known to ask for one: every figure of bench/README.md in one run, written to
 * bench/results.json and printed as a table. Starts and stops its own DynamoDB
 * Local JVMs; never contacts AWS. Sizes come from the environment (see
 * benchSettings); BENCH_QUICK=1 is a smoke run of a few seconds per section;
 * BENCH_ONLY=local-ingest runs section f alone, BENCH_ONLY=cold-start section b
 * alone (no JVM), BENCH_ONLY=sync-cost section g alone, BENCH_ONLY=sweep-scale
 * section h alone, BENCH_ONLY=console section i alone (the console in
 * Debian's Chromium), BENCH_ONLY=story-cost section k alone, BENCH_ONLY=fhir-cost section n alone, BENCH_ONLY=fhir-two-way section o alone. `npm run bench -- --help` lists the sections and about how
 * long each takes, and runs nothing (issue 27 item 6); any other argument is a
 * usage error, so that a mistyped flag never starts a long run.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { coldStartLines, measureColdStarts, type ColdStartResults } from './cold-start';
import { runIngest, verifyCost, type Approach, type IngestRun } from './ingest';
import { progress, round } from './stats';
import { localIngestLines, measureLocalIngest, type LocalIngestResult } from './local-ingest';
import { measureEndToEndLatency, measureStreamThroughput } from './stream-recompute';
import { measureSweepCost } from './sweep-cost';
import { measureSyncCost, syncCostLines, type SyncCostResult } from './sync-cost';
import { measureSweepScale, sweepScaleLines, type SweepScaleRun } from './sweep-scale';
import { checkCapacityRules, type CapacityProbe } from './capacity-rules';
import { EVENT_PRICE, GOALS, PRICES, runSystemCost, type SystemCostRun } from './system-cost';
import { buildWebhookStream } from './webhook-stream';
import { consoleLines, measureConsole, type ConsoleResult } from './console';
import { measureWorklistReads, worklistReadsLines, type WorklistReadsOptions, type WorklistReadsResult } from './worklist-reads';
import { measureStoryCost, storyCostLines, type StoryCostResult } from './story-cost';
import { measureProductCost, productCostLines, type ProductCostOptions, type ProductCostResult } from './product-cost';
import { measureReportScale, reportScaleLines, type ReportScaleOptions, type ReportScaleResult } from './report-scale';
import { fhirCostLines, measureFhirCost, type FhirCostResult } from './fhir-cost';
import { fhirTwoWayLines, measureFhirTwoWay, type FhirTwoWayResult } from './fhir-two-way';

const Count = z.string().regex(/^[1-9]\d*$/, 'must be a positive integer').transform(Number).optional();
const Settings = z.object({
  BENCH_QUICK: z.enum(['0', '1']).default('0'),
  BENCH_WEBHOOKS: Count,
  BENCH_SENDERS: Count,
  BENCH_COLD_RUNS: Count,
  BENCH_SWEEP_SIZES: z.string().regex(/^\d+(,\d+)*$/, 'must be comma-separated integers').optional(),
  BENCH_SWEEP_DUE: Count,
  BENCH_LATENCY_SAMPLES: Count,
  BENCH_LOCAL_ROUNDS: Count,
  BENCH_SYNC_RUNS: Count,
  BENCH_SCALE_OPEN: Count,
  BENCH_SCALE_DUE: Count,
  BENCH_CONSOLE_FOLLOW_UPS: Count,
  BENCH_CONSOLE_RUNS: Count,
  BENCH_OUTPUT: z.string().min(1).optional(),
  BENCH_WORKLIST_OPEN: Count,
  BENCH_WORKLIST_CLOSED: Count,
  BENCH_WORKLIST_RUNS: Count,
  BENCH_STORY_RUNS: Count,
  BENCH_PRODUCT_PER_KIND: Count,
  BENCH_PRODUCT_SENDERS: Count,
  BENCH_FHIR_RUNS: Count,
  BENCH_FHIR_FOLLOW_UPS: Count,
  BENCH_FHIR_MARKER_PER_KIND: Count,
  BENCH_TWO_WAY_CHANGES: Count,
  BENCH_TWO_WAY_EDITS: Count,
  BENCH_ONLY: z.enum(['local-ingest', 'cold-start', 'sync-cost', 'sweep-scale', 'console', 'worklist-reads', 'story-cost', 'report-scale', 'product-cost', 'fhir-cost', 'fhir-two-way']).optional(),
  BENCH_REPORT_SIZES: z.string().regex(/^\d+(,\d+)*$/).optional(),
  BENCH_REPORT_RUNS: Count,
});

/** Sizes of this run: the full defaults, or the quick ones; any BENCH_* variable overrides either. */
function benchSettings(env: NodeJS.ProcessEnv) {
  const raw = Settings.parse(env);
  const quick = raw.BENCH_QUICK === '1';
  const pick = (value: number | undefined, full: number, small: number) => value ?? (quick ? small : full);
  return {
    quick,
    webhooks: pick(raw.BENCH_WEBHOOKS, 3000, 300),
    senders: pick(raw.BENCH_SENDERS, 16, 16),
    coldRuns: pick(raw.BENCH_COLD_RUNS, 15, 5),
    sweepSizes: (raw.BENCH_SWEEP_SIZES ?? (quick ? '1000,3000' : '1000,10000,50000')).split(',').map(Number),
    sweepDue: pick(raw.BENCH_SWEEP_DUE, 50, 50),
    latencySamples: pick(raw.BENCH_LATENCY_SAMPLES, 60, 10),
    localRounds: pick(raw.BENCH_LOCAL_ROUNDS, 3, 1),
    syncRuns: pick(raw.BENCH_SYNC_RUNS, 3, 1),
    scale: { openRedraws: pick(raw.BENCH_SCALE_OPEN, 5000, 500), due: pick(raw.BENCH_SCALE_DUE, 2000, 200), maxSweeps: 4 },
    console: { followUps: pick(raw.BENCH_CONSOLE_FOLLOW_UPS, 5000, 500), runs: pick(raw.BENCH_CONSOLE_RUNS, 7, 3) },
    worklist: { open: pick(raw.BENCH_WORKLIST_OPEN, 10_000, 1000), closed: pick(raw.BENCH_WORKLIST_CLOSED, 50_000, 5000), runs: pick(raw.BENCH_WORKLIST_RUNS, 9, 3) },
    storyRuns: pick(raw.BENCH_STORY_RUNS, 5, 2),
    product: { perKind: pick(raw.BENCH_PRODUCT_PER_KIND, 15, 3), senders: pick(raw.BENCH_PRODUCT_SENDERS, 4, 4), moreSenders: 16 },
    fhir: { runs: pick(raw.BENCH_FHIR_RUNS, 5, 2), followUps: pick(raw.BENCH_FHIR_FOLLOW_UPS, 1000, 200), markerPerKind: pick(raw.BENCH_FHIR_MARKER_PER_KIND, 15, 3) },
    twoWay: { changes: pick(raw.BENCH_TWO_WAY_CHANGES, 100, 10), edits: pick(raw.BENCH_TWO_WAY_EDITS, 100, 10) },
    report: { sizes: (raw.BENCH_REPORT_SIZES ?? (quick ? '1000,5000' : '1000,100000')).split(',').map(Number), runs: pick(raw.BENCH_REPORT_RUNS, 7, 3) },
    only: raw.BENCH_ONLY,
    output: raw.BENCH_OUTPUT ?? fileURLToPath(new URL(raw.BENCH_ONLY ? `./results.${raw.BENCH_ONLY}.json` : quick ? './results.quick.json' : './results.json', import.meta.url)),
  };
}

function ratio(ours: number, theirs: number): number {
  return theirs === 0 ? Number.NaN : round(ours / theirs, 2);
}

/** Runs the bench as its environment says (bench/main.ts has parsed the command line). */
export async function runBench(): Promise<void> {
  const settings = benchSettings(process.env);
  const started = Date.now();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    date: new Date().toISOString(),
  };
  progress(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}${settings.quick ? ' (quick run)' : ''}`);
  const localIngestOptions = { webhooks: settings.webhooks, senders: settings.senders, rounds: settings.localRounds };
  if (settings.only === 'local-ingest') {
    const localIngest = await measureLocalIngest(localIngestOptions);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, localIngest }, null, 2)}\n`);
    console.log(localIngestLines(localIngest).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'sync-cost') {
    const syncCost = await measureSyncCostOnFreshJvm(settings.syncRuns);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, syncCost }, null, 2)}\n`);
    console.log(syncCostLines(syncCost).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'sweep-scale') {
    const sweepScale = await measureSweepScaleOnFreshJvm(settings.scale);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, sweepScale }, null, 2)}\n`);
    console.log(sweepScaleLines(sweepScale).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'worklist-reads') {
    const worklistReads = await measureWorklistReadsOnFreshJvm(settings.worklist);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, worklistReads }, null, 2)}\n`);
    console.log(worklistReadsLines(worklistReads).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'product-cost') {
    const productCost = await measureProductCostOnFreshJvm(settings.product);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, productCost }, null, 2)}\n`);
    console.log(productCostLines(productCost).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'story-cost') {
    const storyCost = await measureStoryCostOnFreshJvm(settings.storyRuns);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, storyCost }, null, 2)}\n`);
    console.log(storyCostLines(storyCost).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'fhir-cost') {
    const fhirCost = await measureFhirCostOnFreshJvm(settings.fhir);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, fhirCost }, null, 2)}\n`);
    console.log(fhirCostLines(fhirCost).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'fhir-two-way') {
    const fhirTwoWay = await measureFhirTwoWayOnFreshJvm(settings.twoWay);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, fhirTwoWay }, null, 2)}\n`);
    console.log(fhirTwoWayLines(fhirTwoWay).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'report-scale') {
    const reportScale = await measureReportScaleOnFreshJvm(settings.report);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, reportScale }, null, 2)}\n`);
    console.log(reportScaleLines(reportScale).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  if (settings.only === 'console') {
    const consoleResult = await measureConsole(settings.console);
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, console: consoleResult }, null, 2)}\n`);
    console.log(consoleLines(consoleResult).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  // b. Cold start, first: no JVM is running yet, and it needs none.
  const coldStarts = await measureColdStarts(settings.coldRuns);
  if (settings.only === 'cold-start') {
    await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, coldStart: coldStarts }, null, 2)}\n`);
    console.log(coldStartLines(coldStarts).join('\n'));
    progress(`wrote ${settings.output}`);
    return;
  }

  // a. Webhook ingest, both approaches, same stream.
  const stream = buildWebhookStream({ messages: settings.webhooks });
  progress(`stream: ${JSON.stringify(stream.shape)}`);
  const verify = verifyCost(stream, settings.quick ? 200 : 2000);
  const ingestJvm = await startDynamoDbLocal();
  const runs: IngestRun[] = [];
  let streamThroughput;
  try {
    // Warm the JVM (its JIT) for both approaches first; not reported.
    const warmup = buildWebhookStream({ messages: 200, seed: 7 });
    for (const approach of ['tracker', 'common'] as const) await runIngest(ingestJvm.endpoint, warmup, approach, 4, `warmup-${approach}`);
    for (const senders of [1, settings.senders]) {
      for (const approach of ['tracker', 'common'] as const) {
        progress(`ingest: ${approach}, ${senders} sender(s), ${stream.messages.length} webhooks`);
        const run = await runIngest(ingestJvm.endpoint, stream, approach, senders, `${approach}-${senders}-${Date.now()}`);
        progress(`  ${run.webhooksPerSecond}/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, wrong ${run.correctness.wrongState}`);
        runs.push(run);
      }
    }
    // d1. The tracker's table of the concurrent run holds the whole stream in its stream.
    const concurrentTable = runs.find((run) => run.approach === 'tracker' && run.senders === settings.senders)!.tableName;
    progress('stream: transaction function over the ingest stream');
    streamThroughput = await measureStreamThroughput(ingestJvm.endpoint, concurrentTable);
    progress(`  ${streamThroughput.recordsPerSecond} records/s`);
  } finally {
    await ingestJvm.stop();
  }

  // c. Sweep cost, on a fresh JVM (DynamoDB Local slows down with many stream tables).
  const sweepJvm = await startDynamoDbLocal();
  let sweep;
  try {
    sweep = await measureSweepCost(sweepJvm.endpoint, settings.sweepSizes, settings.sweepDue);
  } finally {
    await sweepJvm.stop();
  }

  // e. DynamoDB cost of the whole system, both approaches, same stream, on a fresh JVM.
  const costJvm = await startDynamoDbLocal();
  let capacityRules: CapacityProbe[];
  const costRuns: SystemCostRun[] = [];
  try {
    capacityRules = await checkCapacityRules(costJvm.endpoint);
    progress(`capacity rules: ${capacityRules.length} probes priced as AWS documents`);
    const warmup = buildWebhookStream({ messages: 200, seed: 7 });
    for (const approach of ['tracker', 'common'] as const) await runSystemCost(costJvm.endpoint, warmup, approach, 4, `warmup-${approach}`);
    for (const senders of [1, settings.senders]) {
      for (const approach of ['tracker', 'common'] as const) {
        progress(`cost: ${approach}, ${senders} sender(s), whole system`);
        const run = await runSystemCost(costJvm.endpoint, stream, approach, senders, `${approach}-${senders}-${Date.now()}`);
        progress(`  ${run.total.billedWrite} write units + ${run.total.read} read units per webhook, $${run.total.dollarsPerMillion} per million`);
        costRuns.push(run);
      }
    }
  } finally {
    await costJvm.stop();
  }
  const costOf = (approach: 'tracker' | 'common', senders: number) => costRuns.find((run) => run.approach === approach && run.senders === senders)!;
  const costGoals = [1, settings.senders].map((senders) => {
    const ours = costOf('tracker', senders);
    const theirs = costOf('common', senders);
    // The same job as the common approach's (orders and transaction status): follow-ups and report
    // rows are features it does not have, priced on their own line, not inside the goal's ratio.
    const followUps = ours.followUps?.perWebhook.dollarsPerMillion ?? 0;
    const costRatio = ratio(ours.total.dollarsPerMillion - followUps, theirs.total.dollarsPerMillion);
    return {
      senders,
      costRatio,
      costRatioWithFollowUps: ratio(ours.total.dollarsPerMillion, theirs.total.dollarsPerMillion),
      costPass: costRatio <= GOALS.costRatio,
      webhookWriteUnits: ours.webhook.billedWrite,
      webhookPass: ours.webhook.billedWrite <= GOALS.webhookWriteUnits,
    };
  });

  // g. The continuous sync's cost per 1,000 orders changed per hour, on a fresh JVM.
  const syncCost = await measureSyncCostOnFreshJvm(settings.syncRuns);

  // h. The first sweep after a large backfill, Junction healthy then rate-limiting, on a fresh JVM.
  const sweepScale = await measureSweepScaleOnFreshJvm(settings.scale);

  // d2. End to end through the local runtime (its own embedded DynamoDB Local).
  const latency = await measureEndToEndLatency(settings.latencySamples);

  // f. Ingest through `npm start`'s HTTP server, whole local system, against the common approach's server.
  const localIngest = await measureLocalIngest(localIngestOptions);

  // i. The console: its size, and the worklist's first render in Chromium (its own runtime and JVM).
  const consoleResult = await measureConsole(settings.console);

  // j. The worklist's reads at scale, before and after issue 45 (its own JVM).
  const worklistReads = await measureWorklistReadsOnFreshJvm(settings.worklist);

  // k. A story's units, first webhook to the follow-up's close: a redraw, an incomplete redraw, a failed test kit (its own JVM).
  const storyCost = await measureStoryCostOnFreshJvm(settings.storyRuns);
  // l. A 30-day report as ended transactions grow, against every row of the window (its own JVM).
  const reportScale = await measureReportScaleOnFreshJvm(settings.report);
  // m. The whole product, everything on, against the common approach, on the product stream (its own JVM).
  const productCost = await measureProductCostOnFreshJvm(settings.product);
  // n. FHIR Tasks: the writer's cost per follow-up change, the sweep's catch-up per 1,000 follow-ups (its own JVM and stand-in).
  const fhirCost = await measureFhirCostOnFreshJvm(settings.fhir);
  // o. FHIR two-way: what the poll and the notifications cost per day, and notification to action (its own JVM and stand-in).
  const fhirTwoWay = await measureFhirTwoWayOnFreshJvm(settings.twoWay);

  const of = (approach: Approach, senders: number) => runs.find((run) => run.approach === approach && run.senders === senders)!;
  const comparisons = [1, settings.senders].map((senders) => {
    const ours = of('tracker', senders);
    const theirs = of('common', senders);
    return {
      senders,
      throughput: ratio(ours.webhooksPerSecond, theirs.webhooksPerSecond),
      p50: ratio(ours.latencyMs.p50, theirs.latencyMs.p50),
      p99: ratio(ours.latencyMs.p99, theirs.latencyMs.p99),
      requestsPerWebhook: ratio(ours.requestsPerWebhook, theirs.requestsPerWebhook),
      writeUnitsPerWebhook: ratio(ours.writeUnitsPerWebhook, theirs.writeUnitsPerWebhook),
      writeUnitsPerWebhookInclFailed: ratio(ours.writeUnitsPerWebhookInclFailed, theirs.writeUnitsPerWebhookInclFailed),
    };
  });

  const results = {
    machine,
    settings: { ...settings, output: undefined },
    durationSeconds: round((Date.now() - started) / 1000, 1),
    ingest: { stream: stream.shape, verifyMicros: verify, runs: runs.map(({ tableName: _table, ...run }) => run), ratiosTrackerOverCommon: comparisons },
    coldStart: coldStarts,
    sweep,
    stream: { throughput: streamThroughput, endToEnd: latency },
    cost: { prices: PRICES, goals: GOALS, capacityRules, runs: costRuns, goalsBySenders: costGoals },
    localIngest,
    syncCost,
    sweepScale,
    console: consoleResult,
    worklistReads,
    storyCost,
    reportScale,
    productCost,
    fhirCost,
    fhirTwoWay,
  };
  await writeFile(settings.output, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  progress(`wrote ${settings.output} in ${results.durationSeconds} s`);
}

type Results = {
  machine: { cpu: string; cores: number; node: string; date: string };
  ingest: { stream: { messages: number; unique: number; orders: number; outOfOrder: number; retries: number; resends: number }; verifyMicros: { trackerMicros: number; svixLibraryMicros: number }; runs: Omit<IngestRun, 'tableName'>[]; ratiosTrackerOverCommon: { senders: number; throughput: number; p50: number; p99: number; requestsPerWebhook: number; writeUnitsPerWebhook: number }[] };
  coldStart: ColdStartResults;
  sweep: { orders: number; dueCandidates: number; examined: number; itemsRead: number; itemsReadByKey: number; itemsEvaluated: number; requests: number; readUnits: number; ms: number }[] | undefined;
  stream: { throughput: { recordsPerSecond: number; handlerRecordsPerSecond: number; records: number; requestsPerRecord: number } | undefined; endToEnd: { p50: number; p99: number; samples: number } };
  cost: {
    capacityRules: CapacityProbe[];
    runs: SystemCostRun[];
    goalsBySenders: { senders: number; costRatio: number; costRatioWithFollowUps?: number; costPass: boolean; webhookWriteUnits: number; webhookPass: boolean }[];
  };
  localIngest: LocalIngestResult;
  syncCost: SyncCostResult;
  sweepScale: SweepScaleRun[];
  console: ConsoleResult;
  worklistReads: WorklistReadsResult;
  storyCost: StoryCostResult;
  reportScale: ReportScaleResult;
  productCost: ProductCostResult;
  fhirCost: FhirCostResult;
  fhirTwoWay: FhirTwoWayResult;
};

function printTable(results: Results): void {
  const lines: string[] = [];
  const { machine, ingest } = results;
  lines.push(`redraw-tracker benchmark, ${machine.date}: ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, DynamoDB Local`);
  lines.push('');
  const s = ingest.stream;
  lines.push(`a. Webhook ingest: ${s.messages} webhooks (${s.unique} distinct events of ${s.orders} orders; ${s.outOfOrder} out of order, ${s.retries} Svix retries, ${s.resends} Junction resends under a new id)`);
  lines.push(pad(['approach', 'senders', 'webhooks/s', 'p50 ms', 'p99 ms', 'req/webhook', 'WCU/webhook', 'WCU incl. refused', 'non-2xx', 'wrong orders']));
  for (const run of ingest.runs) {
    lines.push(pad([run.approach, run.senders, run.webhooksPerSecond, run.latencyMs.p50, run.latencyMs.p99, run.requestsPerWebhook, run.writeUnitsPerWebhook, run.writeUnitsPerWebhookInclFailed, run.non2xx, `${run.correctness.wrongState + run.correctness.missing}/${run.correctness.orders}`]));
  }
  for (const ratio of ingest.ratiosTrackerOverCommon) {
    lines.push(`  tracker/common, ${ratio.senders} sender(s): throughput x${ratio.throughput}, p50 x${ratio.p50}, p99 x${ratio.p99}, requests x${ratio.requestsPerWebhook}, WCU x${ratio.writeUnitsPerWebhook}`);
  }
  lines.push(`  signature check: tracker ${ingest.verifyMicros.trackerMicros} µs, svix library ${ingest.verifyMicros.svixLibraryMicros} µs`);
  lines.push('');
  lines.push(...coldStartLines(results.coldStart));
  lines.push('');
  lines.push('c. Stale-redraw sweep as the table grows');
  lines.push(pad(['orders', 'due', 'examined', 'index keys read', 'items by key', 'keys evaluated', 'requests', 'read units', 'ms']));
  for (const sweep of results.sweep ?? []) lines.push(pad([sweep.orders, sweep.dueCandidates, sweep.examined, sweep.itemsRead, sweep.itemsReadByKey, sweep.itemsEvaluated, sweep.requests, sweep.readUnits, sweep.ms]));
  lines.push('');
  const t = results.stream.throughput;
  lines.push(`d. Stream: ${t?.records} records through the transaction function at ${t?.recordsPerSecond} records/s (handler alone ${t?.handlerRecordsPerSecond}/s, ${t?.requestsPerRecord} requests/record)`);
  lines.push(`   webhook to GET /transactions/{id} through the local runtime: p50 ${results.stream.endToEnd.p50} ms, p99 ${results.stream.endToEnd.p99} ms (${results.stream.endToEnd.samples} webhooks)`);
  lines.push('');
  const { cost } = results;
  lines.push(`e. DynamoDB cost per webhook delivered, whole system, same stream (${cost.capacityRules.length} capacity probes match AWS's rules; $${PRICES.writeUnit}/M write units, $${PRICES.readUnit}/M read units)`);
  lines.push(pad(['approach', 'senders', 'function', 'write units', 'of which index', 'of which refused', 'read units', 'requests', '$/M webhooks', 'wrong orders', 'wrong txns']));
  for (const run of cost.runs) {
    const rows: [string, typeof run.total][] =
      run.transactionFunction === null ? [['all', run.total]] : [['webhook', run.webhook], ['transaction', run.transactionFunction], ['all', run.total]];
    for (const [fn, units] of rows) {
      const last = fn === 'all';
      lines.push(
        pad([
          run.approach, run.senders, fn, units.billedWrite, units.index, units.refused, units.read, units.requests, units.dollarsPerMillion,
          last ? `${run.correctness.wrongState + run.correctness.missing}/${run.correctness.orders}` : '',
          last && run.correctness.transactions !== null ? `${run.correctness.transactionsWrong}/${run.correctness.transactions}` : '',
        ]),
      );
    }
  }
  for (const run of cost.runs) {
    if (run.followUps === null) continue;
    const f = run.followUps;
    lines.push(
      `  ${run.senders} sender(s): follow-ups and report rows (CONTRACT §9, §11, in the transaction function's figures) ${f.perRedraw.write} write + ${f.perRedraw.read} read units per redraw flow ` +
        `(${f.redraws} redraws; $${f.perWebhook.dollarsPerMillion} of the $ per million webhooks); a person's action: ` +
        Object.entries(f.actions).map(([action, units]) => `${action} ${units.write} WU + ${units.read} RU`).join(', '),
    );
  }
  for (const run of cost.runs) {
    if (run.events === null) continue;
    lines.push(
      `  ${run.senders} sender(s): the tracker published ${run.events.perWebhook} events per webhook (${run.events.distinctPerWebhook} distinct facts): EventBridge $${run.events.dollarsPerMillion} per million webhooks ($${EVENT_PRICE}/M events), on top of DynamoDB's`,
    );
  }
  for (const goal of cost.goalsBySenders) {
    lines.push(
      `  ${goal.senders} sender(s): tracker/common cost x${goal.costRatio} for the same job, without follow-ups and reports (goal <= ${GOALS.costRatio}: ${goal.costPass ? 'PASS' : 'FAIL'}; x${goal.costRatioWithFollowUps ?? goal.costRatio} with them); ` +
        `webhook path ${goal.webhookWriteUnits} write units per webhook (goal <= ${GOALS.webhookWriteUnits}: ${goal.webhookPass ? 'PASS' : 'FAIL'})`,
    );
  }
  lines.push('');
  lines.push(...localIngestLines(results.localIngest));
  lines.push('');
  lines.push(...syncCostLines(results.syncCost));
  lines.push('');
  lines.push(...sweepScaleLines(results.sweepScale));
  lines.push('');
  lines.push(...consoleLines(results.console));
  lines.push('');
  lines.push(...worklistReadsLines(results.worklistReads));
  lines.push('');
  lines.push(...storyCostLines(results.storyCost));
  lines.push('');
  lines.push(...reportScaleLines(results.reportScale));
  lines.push(...productCostLines(results.productCost));
  lines.push('');
  lines.push(...fhirCostLines(results.fhirCost));
  lines.push('');
  lines.push(...fhirTwoWayLines(results.fhirTwoWay));
  console.log(lines.join('\n'));
}

/** Section g on its own DynamoDB Local JVM (a fresh one: DynamoDB Local slows down as stream tables accumulate). */
async function measureSyncCostOnFreshJvm(runs: number): Promise<SyncCostResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureSyncCost(jvm.endpoint, runs);
  } finally {
    await jvm.stop();
  }
}

/** Section l on its own DynamoDB Local JVM. */
async function measureReportScaleOnFreshJvm(options: ReportScaleOptions): Promise<ReportScaleResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureReportScale(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

/** Section m on its own DynamoDB Local JVM. */
async function measureProductCostOnFreshJvm(options: ProductCostOptions): Promise<ProductCostResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureProductCost(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

/** Section n on its own DynamoDB Local JVM. */
async function measureFhirCostOnFreshJvm(options: { runs: number; followUps: number; markerPerKind: number }): Promise<FhirCostResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureFhirCost(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

/** Section o on its own DynamoDB Local JVM. */
async function measureFhirTwoWayOnFreshJvm(options: { changes: number; edits: number }): Promise<FhirTwoWayResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureFhirTwoWay(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

/** Section k on its own DynamoDB Local JVM. */
async function measureStoryCostOnFreshJvm(runs: number): Promise<StoryCostResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureStoryCost(jvm.endpoint, runs);
  } finally {
    await jvm.stop();
  }
}

/** Section h on its own DynamoDB Local JVM. */
async function measureWorklistReadsOnFreshJvm(options: WorklistReadsOptions): Promise<WorklistReadsResult> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureWorklistReads(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

async function measureSweepScaleOnFreshJvm(options: { openRedraws: number; due: number; maxSweeps: number }): Promise<SweepScaleRun[]> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measureSweepScale(jvm.endpoint, options);
  } finally {
    await jvm.stop();
  }
}

function pad(cells: readonly (string | number)[]): string {
  return cells.map((cell, index) => String(cell).padStart(index === 0 ? 10 : 12)).join(' ');
}
