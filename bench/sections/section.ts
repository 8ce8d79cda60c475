/**
 * What a bench section is made of (bench/run.ts composes them): the letter
 * bench/README.md and `--help` give it, its key in results.json, its BENCH_ONLY
 * name when it can run alone, how to measure it, and the lines it prints. A new
 * section is a new part and one line of bench/run.ts's table, not a paragraph.
 */
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import type { BenchOnly, BenchSettings } from '../settings';
import { progress } from '../stats';
import type { StreamThroughput } from '../stream-recompute';
import { buildWebhookStream, type WebhookStream } from '../webhook-stream';

/** One run of the bench, as the sections see it. */
export interface BenchRun {
  settings: BenchSettings;
  /** The webhook stream sections a and e deliver, built once, by the first that asks. */
  webhookStream(): WebhookStream;
  /** What section a measured for section d on its JVM (the stream of its concurrent run's table). */
  streamThroughput?: StreamThroughput;
}

export interface BenchSection<Result> {
  id: string;
  /** Its key in results.json. */
  key: string;
  /** Its BENCH_ONLY name; absent: it runs only in the whole bench. */
  only?: BenchOnly;
  measure(run: BenchRun): Promise<Result>;
  lines(result: Result): string[];
  /** Its lines begin with their own blank line, so the whole table adds none before them. */
  ownBlankLine?: true;
}

/** A section with its result's type erased, for the table of sections (its lines read only what it measured). */
export type AnySection = BenchSection<unknown>;

export function section<Result>(part: BenchSection<Result>): AnySection {
  return { ...part, lines: (result) => part.lines(result as Result) };
}

/** A run's context: the settings, and the webhook stream built on first use. */
export function benchRun(settings: BenchSettings): BenchRun {
  let stream: WebhookStream | undefined;
  return {
    settings,
    webhookStream() {
      if (stream === undefined) {
        stream = buildWebhookStream({ messages: settings.webhooks });
        progress(`stream: ${JSON.stringify(stream.shape)}`);
      }
      return stream;
    },
  };
}

/** Measures on a DynamoDB Local JVM of its own (a fresh one: DynamoDB Local slows down as stream tables accumulate). */
export async function onFreshJvm<Result>(measure: (endpoint: string) => Promise<Result>): Promise<Result> {
  const jvm = await startDynamoDbLocal();
  try {
    return await measure(jvm.endpoint);
  } finally {
    await jvm.stop();
  }
}
