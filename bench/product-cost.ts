/**
 * Section m (issue 57): the whole product, everything on, against the common
 * approach, in one run, on the product stream (product-stream.ts: thirteen
 * kinds of flow, about 15 of each, shuffled a little, a fifth repeated as Svix
 * retries), sent by 4 concurrent senders. "Everything on" is `npm start`'s
 * defaults: follow-ups for missing results, retention 365 days, events (FHIR
 * is off). Both run as section e runs them (system-cost.ts: the webhook
 * handler and, for the tracker, the transaction function fed live by the local
 * stream reader, each metered as AWS bills it), and every order is checked at
 * its newest event. The tracker's units are broken down by function and
 * operation (command, index, key prefix), so that a change shows where it moved
 * the cost. test/integration/cost-guard.test.ts holds an exact count on a
 * smaller stream of the same kinds.
 */
import { buildProductStream, type ProductStream } from './product-stream';
import { round } from './stats';
import { PRICES, runSystemCost, type SystemCostRun } from './system-cost';
import type { WebhookStream } from './webhook-stream';

export interface ProductCostOptions {
  /** Flows of each kind (15: 195 flows). */
  perKind: number;
  senders: number;
  /** A second pair of runs, for throughput under more load (16). */
  moreSenders: number;
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

/** One operation's share of a webhook's cost. */
export interface OperationCost {
  operation: string;
  write: number;
  index: number;
  refused: number;
  read: number;
  requests: number;
  dollarsPerMillion: number;
}

export interface ProductCostResult {
  stream: ProductStream['shape'];
  senders: number;
  tracker: Pick<SystemCostRun, 'total' | 'webhook' | 'transactionFunction' | 'seconds' | 'answeredSeconds' | 'non2xx' | 'events' | 'correctness'>;
  common: Pick<SystemCostRun, 'total' | 'seconds' | 'non2xx' | 'correctness'>;
  /** Tracker over common: $ per million webhooks, and deliveries answered per second (at `senders`). */
  ratio: { cost: number; throughput: number };
  /** Deliveries answered per second at `senders` and at `moreSenders`. */
  throughput: ThroughputAt[];
  /** The tracker's operations, dearest first. */
  operations: OperationCost[];
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

export async function measureProductCost(endpoint: string, options: ProductCostOptions): Promise<ProductCostResult> {
  const product = buildProductStream({ perKind: options.perKind });
  const stream = toWebhookStream(product);
  const runId = Date.now().toString(36);
  const tracker = await runSystemCost(endpoint, stream, 'tracker', options.senders, `${runId}-m`);
  const common = await runSystemCost(endpoint, stream, 'common', options.senders, `${runId}-n`);
  const throughputOf = (senders: number, ours: SystemCostRun, theirs: SystemCostRun): ThroughputAt => ({
    senders,
    tracker: ours.answeredSeconds,
    common: theirs.answeredSeconds,
    trackerDrained: ours.seconds,
    ratio: round(theirs.answeredSeconds / ours.answeredSeconds, 2),
  });
  const throughput = [throughputOf(options.senders, tracker, common)];
  if (options.moreSenders !== options.senders) {
    const more = await runSystemCost(endpoint, stream, 'tracker', options.moreSenders, `${runId}-o`);
    const moreCommon = await runSystemCost(endpoint, stream, 'common', options.moreSenders, `${runId}-p`);
    throughput.push(throughputOf(options.moreSenders, more, moreCommon));
  }
  const operations = Object.entries(tracker.byOperation).flatMap(([side, byOperation]) =>
    Object.entries(byOperation).map(([operation, units]) => ({
      operation: `${side === 'webhook' ? 'webhook' : 'stream'} ${operation}`,
      ...units,
      dollarsPerMillion: round((units.write + units.refused) * PRICES.writeUnit + units.read * PRICES.readUnit, 4),
    })),
  );
  return {
    stream: product.shape,
    senders: options.senders,
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
    ratio: { cost: round(tracker.total.dollarsPerMillion / common.total.dollarsPerMillion, 3), throughput: throughput[0]!.ratio },
    throughput,
    operations: operations.sort((a, b) => b.dollarsPerMillion - a.dollarsPerMillion),
  };
}

/** The section's lines. */
export function productCostLines(result: ProductCostResult): string[] {
  const { tracker, common, stream } = result;
  const units = (total: SystemCostRun['total']) => `${total.billedWrite.toFixed(3)} WU (${total.index.toFixed(3)} index, ${total.refused.toFixed(3)} refused) + ${total.read.toFixed(3)} RU, $${total.dollarsPerMillion.toFixed(3)}/M`;
  return [
    '',
    `m. The whole product, everything on, against the common approach (issue 57): ${stream.messages} deliveries of ${stream.flows} flows (${stream.retries} retries, ${stream.afterNewer} after a newer event of their order), ${result.senders} senders`,
    `   tracker: ${units(tracker.total)} per webhook; orders wrong ${tracker.correctness.wrongState}, missing ${tracker.correctness.missing}; transactions wrong ${tracker.correctness.transactionsWrong ?? '-'}`,
    `   common:  ${units(common.total)} per webhook; orders wrong ${common.correctness.wrongState}, missing ${common.correctness.missing}`,
    `   cost x${result.ratio.cost} (goal <= 1.0, aim 0.9)`,
    ...result.throughput.map(
      (at) =>
        `   ${String(at.senders).padStart(2)} senders: answered in ${at.tracker} s against ${at.common} s, throughput x${at.ratio} (goal >= 0.9); every record worked ${at.trackerDrained} s after the first delivery`,
    ),
    '   the tracker per webhook, dearest first (operation: WU, of which index, refused; RU; requests; $/M):',
    ...result.operations
      .filter((operation) => operation.dollarsPerMillion > 0)
      .map((operation) => `     ${operation.operation.padEnd(44)} ${(operation.write + operation.refused).toFixed(3)} WU (${operation.index.toFixed(3)}, ${operation.refused.toFixed(3)}) ${operation.read.toFixed(3)} RU ${operation.requests.toFixed(3)} req $${operation.dollarsPerMillion.toFixed(4)}`),
  ];
}
