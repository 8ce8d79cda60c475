/**
 * Section m (issues 57 and 76): the whole product, everything on, against the
 * common approach, on named streams (named-streams.ts: section m's product
 * stream, the cost guard's, a production-like one and a retry-heavy one; all
 * by default, BENCH_STREAMS picks), each sent by 4 concurrent senders, each on
 * a DynamoDB Local JVM of its own. "Everything on" is `npm start`'s defaults:
 * follow-ups for missing results, retention 365 days, events (FHIR is off).
 * Both run as section e runs them (system-cost.ts: the webhook handler and, for
 * the tracker, the transaction function fed live by the local stream reader in
 * batches of up to 100 records, each metered as AWS bills it), and every order
 * is checked at its newest event.
 *
 * Per stream: its mix (duplicates, stale), the batches that ran, both
 * approaches' dollars per million webhooks with a transaction's index writes
 * priced 1x and 2x (break-even.ts says why both), the refused share at which
 * the ratio crosses 1.0, and every operation's units, dearest first. Section
 * m's stream is also sent by 16 senders, for throughput.
 * test/integration/cost-guard.test.ts holds exact counts on two streams.
 */
import { streamMix, namedStream, type StreamMix } from './named-streams';
import type { StreamName } from './stream-names';
import { streamCostFigures, type StreamCostFigures } from './product-cost-figures';
import type { ProductStream } from './product-stream';
import { onFreshJvm } from './sections/section';
import { progress, round } from './stats';
import { runSystemCost, type SystemCostRun } from './system-cost';
import type { WebhookStream } from './webhook-stream';

export interface ProductCostOptions {
  /** Flows of each kind of section m's stream (15: 195 flows). */
  perKind: number;
  senders: number;
  /** A second pair of runs on section m's stream, for throughput under more load (16). */
  moreSenders: number;
  /** The streams to run, in order. */
  streams: readonly StreamName[];
}

/** Deliveries answered per second, the tracker's over the common approach's, at a number of senders. */
export interface ThroughputAt {
  senders: number;
  /** Seconds to the last answer: the tracker's, and the common approach's. */
  tracker: number;
  common: number;
  /** Seconds until the tracker's stream function had worked every record (from the first delivery). */
  trackerDrained: number;
  /** common / tracker: above 1, the tracker answered faster. */
  ratio: number;
}

type TrackerFigures = Pick<SystemCostRun, 'total' | 'webhook' | 'transactionFunction' | 'seconds' | 'answeredSeconds' | 'non2xx' | 'events' | 'correctness'>;

/** One stream's figures. */
export interface StreamCost extends StreamCostFigures {
  name: StreamName;
  mix: StreamMix;
  /** The generator's counts (product-stream.ts shape). */
  shape: ProductStream['shape'];
  senders: number;
  /** The tracker's stream batches at `senders`: how many, records per batch on average, the largest. */
  batches: { count: number; mean: number; largest: number };
  tracker: TrackerFigures;
  common: Pick<SystemCostRun, 'total' | 'seconds' | 'non2xx' | 'correctness'>;
  throughput: ThroughputAt[];
}

export interface ProductCostResult {
  streams: StreamCost[];
}

/** The product stream in the shape section e sends (its newest bodies, its shape's counts). */
export function toWebhookStream(product: ProductStream): WebhookStream {
  const newest = new Map<string, { eventId: number; body: string }>();
  for (const message of product.messages) if (product.newest.get(message.orderId) === message.eventId) newest.set(message.orderId, { eventId: message.eventId, body: message.body });
  return {
    messages: product.messages,
    newest,
    shape: {
      messages: product.shape.messages,
      unique: product.shape.unique,
      orders: product.shape.orders,
      flows: product.shape.flows,
      redrawFlows: product.shape.redrawFlows,
      outOfOrder: product.shape.afterNewer,
      retries: product.shape.retries,
      resends: 0,
    },
  };
}

const throughputOf = (senders: number, ours: SystemCostRun, theirs: SystemCostRun): ThroughputAt => ({
  senders,
  tracker: ours.answeredSeconds,
  common: theirs.answeredSeconds,
  trackerDrained: ours.seconds,
  ratio: round(theirs.answeredSeconds / ours.answeredSeconds, 2),
});

/** One stream, on a JVM of its own: both approaches at `senders`, and (section m's stream) at `moreSenders` for throughput. */
async function measureStream(name: StreamName, options: ProductCostOptions): Promise<StreamCost> {
  const product = namedStream(name, { sectionMPerKind: options.perKind });
  const mix = streamMix(product.messages, product.shape.flows);
  progress(`product cost: stream ${name}: ${JSON.stringify(mix)}`);
  const stream = toWebhookStream(product);
  return onFreshJvm(async (endpoint) => {
    const runId = `${name}-${Date.now().toString(36)}`;
    const tracker = await runSystemCost(endpoint, stream, 'tracker', options.senders, `${runId}-m`);
    const common = await runSystemCost(endpoint, stream, 'common', options.senders, `${runId}-n`);
    const throughput = [throughputOf(options.senders, tracker, common)];
    if (name === 'section-m' && options.moreSenders !== options.senders) {
      const more = await runSystemCost(endpoint, stream, 'tracker', options.moreSenders, `${runId}-o`);
      const moreCommon = await runSystemCost(endpoint, stream, 'common', options.moreSenders, `${runId}-p`);
      throughput.push(throughputOf(options.moreSenders, more, moreCommon));
    }
    const batches = tracker.stream ?? { records: 0, batches: 0, largest: 0 };
    const figures = streamCostFigures(tracker, common);
    progress(`  tracker $${figures.x1.tracker}/M (2x: $${figures.x2.tracker}), common $${figures.x1.common}/M: x${figures.x1.ratio} (2x: x${figures.x2.ratio})`);
    return {
      name,
      mix,
      shape: product.shape,
      senders: options.senders,
      batches: { count: batches.batches, mean: batches.batches === 0 ? 0 : round(batches.records / batches.batches, 1), largest: batches.largest },
      tracker: {
        total: tracker.total,
        webhook: tracker.webhook,
        transactionFunction: tracker.transactionFunction,
        seconds: tracker.seconds,
        answeredSeconds: tracker.answeredSeconds,
        non2xx: tracker.non2xx,
        events: tracker.events,
        correctness: tracker.correctness,
      },
      common: { total: common.total, seconds: common.seconds, non2xx: common.non2xx, correctness: common.correctness },
      throughput,
      ...figures,
    };
  });
}

export async function measureProductCost(options: ProductCostOptions): Promise<ProductCostResult> {
  const streams: StreamCost[] = [];
  for (const name of options.streams) streams.push(await measureStream(name, options));
  return { streams };
}
