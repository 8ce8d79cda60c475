/**
 * The streams issue 76 measures the product on, by name (bench section m and
 * test/integration/cost-guard.test.ts), and what each is made of (its mix).
 *
 * - `section-m`: section m's product stream (product-stream.ts, `perKind` 15):
 *   40% of each flow's deliveries held back a few places, 20% repeated as Svix
 *   retries up to 400 places later;
 * - `guard`: the cost guard's (product-stream.ts, 3 of each kind, seed 57,
 *   retries up to 80 places later);
 * - `production-like`: 16 of each kind (about 1,400 deliveries of 256
 *   orders), each event delivered once, 5% of the deliveries delivered again
 *   5 s later (Svix's second attempt, same svix-id and body), 5% arriving
 *   after a newer event of their order (svix-retry-stream.ts);
 * - `production-like-quarter`: the same generator at 4 of each kind (the
 *   guard's second stream);
 * - `retry-heavy`: the orders of `production-like` (and its held-back events),
 *   each event attempted 1 to 8 times on Svix's retry schedule (one more
 *   attempt with chance 0.38 each time): about 40% of the deliveries are
 *   duplicates or stale.
 * Pure and seeded: a name gives the same stream, byte for byte, every time.
 */
import { buildProductStream, type ProductMessage, type ProductStream } from './product-stream';
import type { StreamName } from './stream-names';
import { buildSvixRetryStream } from './svix-retry-stream';

export { SECTION_M_STREAMS, STREAM_NAMES, parseStreamNames, type StreamName } from './stream-names';

/** The seed of the production-like and retry-heavy streams. */
const SVIX_SEED = 76;
/** Flows of each kind of the production-like stream (and retry-heavy's). */
export const PRODUCTION_LIKE_PER_KIND = 16;

export interface NamedStreamOptions {
  /** Flows of each kind of `section-m` (15; BENCH_PRODUCT_PER_KIND). */
  sectionMPerKind?: number;
}

/** What a stream is made of: deliveries, orders, flows, duplicates (an svix-id again), stale (after a newer event of the order). */
export interface StreamMix {
  deliveries: number;
  orders: number;
  flows: number;
  /** Deliveries of an svix-id already delivered. */
  duplicates: number;
  /** Other deliveries of an event older than one of its order already delivered. */
  stale: number;
  /** Shares of the deliveries (rounded to the thousandth): duplicates, stale, and the two together (refused by the tracker). */
  duplicateShare: number;
  staleShare: number;
  refusedShare: number;
}

const productionLike = (perKind: number) =>
  buildSvixRetryStream({ perKind, seed: SVIX_SEED, staleShare: 0.05, retries: { kind: 'once', duplicateShare: 0.05 } });

/** The stream of that name. */
export function namedStream(name: StreamName, options: NamedStreamOptions = {}): ProductStream {
  switch (name) {
    case 'section-m':
      return buildProductStream({ perKind: options.sectionMPerKind ?? 15 });
    case 'guard':
      return buildProductStream({ perKind: 3, seed: 57, retryReach: 80 });
    case 'production-like':
      return productionLike(PRODUCTION_LIKE_PER_KIND);
    case 'production-like-quarter':
      return productionLike(PRODUCTION_LIKE_PER_KIND / 4);
    case 'retry-heavy':
      return buildSvixRetryStream({ perKind: PRODUCTION_LIKE_PER_KIND, seed: SVIX_SEED, staleShare: 0.05 / 0.95, retries: { kind: 'schedule', retryChance: 0.38 } });
  }
}

const share = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 1000) / 1000);

/** A stream's mix, in its send order. */
export function streamMix(messages: readonly Pick<ProductMessage, 'svixId' | 'orderId' | 'eventId'>[], flows: number): StreamMix {
  const sent = new Set<string>();
  const newest = new Map<string, number>();
  let duplicates = 0;
  let stale = 0;
  for (const message of messages) {
    const seen = newest.get(message.orderId) ?? -Infinity;
    if (sent.has(message.svixId)) duplicates++;
    else if (message.eventId < seen) stale++;
    sent.add(message.svixId);
    newest.set(message.orderId, Math.max(seen, message.eventId));
  }
  const deliveries = messages.length;
  return {
    deliveries,
    orders: newest.size,
    flows,
    duplicates,
    stale,
    duplicateShare: share(duplicates, deliveries),
    staleShare: share(stale, deliveries),
    refusedShare: share(duplicates + stale, deliveries),
  };
}

/**
 * Whether each delivery, in send order, would be applied (accepted) or refused by a handler that applies
 * the first delivery of an svix-id when its event is newer than what its order has applied: how the common
 * approach's deliveries are told apart (its answers do not say).
 */
export function classesByStream(messages: readonly Pick<ProductMessage, 'svixId' | 'orderId' | 'eventId'>[]): ('accepted' | 'refused')[] {
  const sent = new Set<string>();
  const applied = new Map<string, number>();
  return messages.map((message) => {
    const first = !sent.has(message.svixId);
    sent.add(message.svixId);
    if (!first || message.eventId <= (applied.get(message.orderId) ?? -Infinity)) return 'refused';
    applied.set(message.orderId, message.eventId);
    return 'accepted';
  });
}
