/**
 * Sections a and d, the ingest family: a delivers one webhook stream to the
 * tracker and to the common approach (1 and BENCH_SENDERS senders) on one
 * DynamoDB Local JVM, and on that JVM, before it stops, measures d's stream
 * throughput over the concurrent run's table; d adds webhook-to-transaction
 * latency through the local runtime, measured later in the run.
 */
import { runIngest, verifyCost, type Approach, type IngestRun } from '../ingest';
import { progress, ratio } from '../stats';
import { measureEndToEndLatency, measureStreamThroughput, type EndToEndLatency, type StreamThroughput } from '../stream-recompute';
import { buildWebhookStream, type WebhookStream } from '../webhook-stream';
import { onFreshJvm, section, type BenchRun } from './section';
import { pad } from './table';

interface IngestSection {
  stream: WebhookStream['shape'];
  verifyMicros: { trackerMicros: number; svixLibraryMicros: number };
  runs: Omit<IngestRun, 'tableName'>[];
  ratiosTrackerOverCommon: ReturnType<typeof ingestRatios>;
}

interface StreamSection {
  throughput: StreamThroughput | undefined;
  endToEnd: EndToEndLatency;
}

/** Both approaches, 1 and `senders` senders, after a warm-up of the JVM (its JIT) for both, not reported. */
async function ingestRuns(endpoint: string, stream: WebhookStream, senders: number): Promise<IngestRun[]> {
  const warmup = buildWebhookStream({ messages: 200, seed: 7 });
  for (const approach of ['tracker', 'common'] as const) await runIngest(endpoint, warmup, approach, 4, `warmup-${approach}`);
  const runs: IngestRun[] = [];
  for (const count of [1, senders]) {
    for (const approach of ['tracker', 'common'] as const) {
      progress(`ingest: ${approach}, ${count} sender(s), ${stream.messages.length} webhooks`);
      const run = await runIngest(endpoint, stream, approach, count, `${approach}-${count}-${Date.now()}`);
      progress(`  ${run.webhooksPerSecond}/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, wrong ${run.correctness.wrongState}`);
      runs.push(run);
    }
  }
  return runs;
}

/** The tracker over the common approach, run by run, at 1 and `senders` senders. */
function ingestRatios(runs: readonly IngestRun[], senders: number) {
  const of = (approach: Approach, count: number) => runs.find((run) => run.approach === approach && run.senders === count)!;
  return [1, senders].map((count) => {
    const ours = of('tracker', count);
    const theirs = of('common', count);
    return {
      senders: count,
      throughput: ratio(ours.webhooksPerSecond, theirs.webhooksPerSecond),
      p50: ratio(ours.latencyMs.p50, theirs.latencyMs.p50),
      p99: ratio(ours.latencyMs.p99, theirs.latencyMs.p99),
      requestsPerWebhook: ratio(ours.requestsPerWebhook, theirs.requestsPerWebhook),
      writeUnitsPerWebhook: ratio(ours.writeUnitsPerWebhook, theirs.writeUnitsPerWebhook),
      writeUnitsPerWebhookInclFailed: ratio(ours.writeUnitsPerWebhookInclFailed, theirs.writeUnitsPerWebhookInclFailed),
    };
  });
}

async function measureIngest(run: BenchRun): Promise<IngestSection> {
  const { settings } = run;
  const stream = run.webhookStream();
  const verify = verifyCost(stream, settings.quick ? 200 : 2000);
  const runs = await onFreshJvm(async (endpoint) => {
    const done = await ingestRuns(endpoint, stream, settings.senders);
    // d1. The tracker's table of the concurrent run holds the whole stream in its stream.
    const concurrentTable = done.find((entry) => entry.approach === 'tracker' && entry.senders === settings.senders)!.tableName;
    progress('stream: transaction function over the ingest stream');
    run.streamThroughput = await measureStreamThroughput(endpoint, concurrentTable);
    progress(`  ${run.streamThroughput.recordsPerSecond} records/s`);
    return done;
  });
  return { stream: stream.shape, verifyMicros: verify, runs: runs.map(({ tableName: _table, ...entry }) => entry), ratiosTrackerOverCommon: ingestRatios(runs, settings.senders) };
}

function ingestLines(ingest: IngestSection): string[] {
  const s = ingest.stream;
  const lines = [
    `a. Webhook ingest: ${s.messages} webhooks (${s.unique} distinct events of ${s.orders} orders; ${s.outOfOrder} out of order, ${s.retries} Svix retries, ${s.resends} Junction resends under a new id)`,
    pad(['approach', 'senders', 'webhooks/s', 'p50 ms', 'p99 ms', 'req/webhook', 'WCU/webhook', 'WCU incl. refused', 'non-2xx', 'wrong orders']),
  ];
  for (const run of ingest.runs) {
    lines.push(pad([run.approach, run.senders, run.webhooksPerSecond, run.latencyMs.p50, run.latencyMs.p99, run.requestsPerWebhook, run.writeUnitsPerWebhook, run.writeUnitsPerWebhookInclFailed, run.non2xx, `${run.correctness.wrongState + run.correctness.missing}/${run.correctness.orders}`]));
  }
  for (const row of ingest.ratiosTrackerOverCommon) {
    lines.push(`  tracker/common, ${row.senders} sender(s): throughput x${row.throughput}, p50 x${row.p50}, p99 x${row.p99}, requests x${row.requestsPerWebhook}, WCU x${row.writeUnitsPerWebhook}`);
  }
  lines.push(`  signature check: tracker ${ingest.verifyMicros.trackerMicros} µs, svix library ${ingest.verifyMicros.svixLibraryMicros} µs`);
  return lines;
}

function streamLines(stream: StreamSection): string[] {
  const t = stream.throughput;
  return [
    `d. Stream: ${t?.records} records through the transaction function at ${t?.recordsPerSecond} records/s (handler alone ${t?.handlerRecordsPerSecond}/s, ${t?.requestsPerRecord} requests/record)`,
    `   webhook to GET /transactions/{id} through the local runtime: p50 ${stream.endToEnd.p50} ms, p99 ${stream.endToEnd.p99} ms (${stream.endToEnd.samples} webhooks)`,
  ];
}

/** a. Webhook ingest, both approaches, same stream (and d's throughput on the same JVM). */
export const webhookIngest = section({ id: 'a', key: 'ingest', measure: measureIngest, lines: ingestLines });

/** d. Stream recompute: the throughput a measured, and end to end through the local runtime (its own embedded DynamoDB Local). */
export const streamRecompute = section({
  id: 'd',
  key: 'stream',
  measure: async (run): Promise<StreamSection> => ({ throughput: run.streamThroughput, endToEnd: await measureEndToEndLatency(run.settings.latencySamples) }),
  lines: streamLines,
});
