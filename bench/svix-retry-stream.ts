/**
 * Streams of the product's thirteen kinds of flow as Svix delivers them when
 * some deliveries fail (issue 76): each event is sent when it happens, a share
 * of them held back until just after the next event of their order (stale when
 * they arrive), and some delivered again under the same svix-id and body on
 * Svix's retry schedule (https://docs.svix.com/retries: an attempt, then after
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, eight attempts at most). Every
 * attempt here reaches the tracker (a timeout or a lost answer made Svix try
 * again), so each is a delivery to count.
 *
 * Two shapes over the same orders (the same seed gives the same flows, ids and
 * held-back deliveries):
 * - `once`: each event delivered once, `duplicateShare` of the deliveries
 *   delivered again 5 s later (Svix's second attempt);
 * - `schedule`: each event attempted 1 to 8 times, one more attempt with
 *   chance `retryChance` each time, on Svix's schedule (late attempts land
 *   after newer events of their order).
 * Pure and seeded: the same options give the same stream, byte for byte.
 */
import { buildDeliveries, mulberry32, uuidFrom, type FlowSpec } from '../local/junction/flows';
import { PRODUCT_FLOW_KINDS, productFlow, productStreamOf, type ProductMessage, type ProductStream } from './product-stream';

/** Svix's waits before each retry (ms), after the first attempt: https://docs.svix.com/retries. */
export const SVIX_RETRY_DELAYS_MS: readonly number[] = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];

/** At most this many attempts of one message (the first and seven retries). */
export const SVIX_MAX_ATTEMPTS = SVIX_RETRY_DELAYS_MS.length + 1;

export interface SvixRetryStreamOptions {
  /** Flows of each of the thirteen kinds. */
  perKind: number;
  seed: number;
  /**
   * Share of deliveries held back until after a newer event of their order: of all deliveries with
   * `once`, of the events with `schedule` (0.05 / 0.95 there holds back the same events as 0.05 with
   * a duplicate share of 0.05, for the same seed and flows).
   */
  staleShare: number;
  /** `once`: each event once, `duplicateShare` of deliveries repeated; `schedule`: 1 to 8 attempts on Svix's schedule. */
  retries: { kind: 'once'; duplicateShare: number } | { kind: 'schedule'; retryChance: number };
}

/** One event's first delivery, before retries: its order, place among its order's events, and send time. */
interface First {
  message: ProductMessage;
  /** Index of the delivery among its order's events (send order of the flow). */
  orderStep: number;
}

/**
 * The flows: `perKind` rounds of the thirteen kinds, starting over a day (as product-stream.ts spreads them), a
 * month after product-stream.ts's day: the cost guard runs both on one table, and their hourly report rows stay apart.
 */
export function svixStreamFlows(perKind: number, seed: number): FlowSpec[] {
  const rand = mulberry32(seed);
  const base = Date.parse('2026-04-06T00:00:00Z');
  const flows: FlowSpec[] = [];
  for (let round = 0; round < perKind; round++) {
    for (const kind of PRODUCT_FLOW_KINDS) flows.push(productFlow(kind, `svix-${seed}-${round}-${kind}`, new Date(base + Math.floor(rand() * 24 * 60) * 60_000)));
  }
  return flows;
}

/** Every event's first delivery, at the time it happens, in no particular order. */
function firstDeliveries(flows: readonly FlowSpec[], seed: number): First[] {
  let message = 0;
  const steps = new Map<string, number>();
  return flows.flatMap((spec) =>
    buildDeliveries(spec).map((delivery) => {
      const orderStep = steps.get(delivery.orderId) ?? 0;
      steps.set(delivery.orderId, orderStep + 1);
      return {
        orderStep,
        message: {
          svixId: `msg_${uuidFrom('svix-retry-stream', String(seed), String(message++)).replaceAll('-', '')}`,
          body: JSON.stringify(delivery.body),
          orderId: delivery.orderId,
          eventId: delivery.eventId,
          kind: 'first' as const,
          sendAt: Date.parse((delivery.body as { data: { updated_at: string } }).data.updated_at),
        },
      };
    }),
  );
}

/** A seeded Fisher-Yates shuffle of a copy. */
function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Holds `count` first deliveries back until just after the next event of their order (up to 30 minutes
 * after it; the next comes an hour or more later): never two neighbours of one order, so each held-back
 * delivery arrives after a newer event that was not itself held back. Returns the held-back ones' indexes.
 */
function holdBack(firsts: First[], count: number, rand: () => number): Set<number> {
  const byOrder = new Map<string, number[]>();
  firsts.forEach((first, index) => byOrder.set(first.message.orderId, [...(byOrder.get(first.message.orderId) ?? []), index]));
  const nextOf = new Map<number, number>();
  const previousOf = new Map<number, number>();
  for (const indexes of byOrder.values()) {
    indexes.sort((a, b) => firsts[a]!.orderStep - firsts[b]!.orderStep);
    indexes.forEach((index, at) => {
      if (at + 1 < indexes.length) nextOf.set(index, indexes[at + 1]!);
      if (at > 0) previousOf.set(index, indexes[at - 1]!);
    });
  }
  const held = new Set<number>();
  for (const index of shuffled([...nextOf.keys()].sort((a, b) => a - b), rand)) {
    if (held.size >= count) break;
    const previous = previousOf.get(index);
    const next = nextOf.get(index)!;
    if (held.has(next) || (previous !== undefined && held.has(previous))) continue;
    held.add(index);
  }
  for (const index of held) {
    const first = firsts[index]!;
    first.message = { ...first.message, sendAt: firsts[nextOf.get(index)!]!.message.sendAt + 1_000 + Math.floor(rand() * 30 * 60) * 1_000 };
  }
  return held;
}

/** Retries of the first deliveries: `once` (a share again, 5 s later) or on Svix's schedule. */
function retriesOf(firsts: readonly First[], held: ReadonlySet<number>, options: SvixRetryStreamOptions, rand: () => number): ProductMessage[] {
  const retry = (first: ProductMessage, attempt: number): ProductMessage => ({
    ...first,
    kind: 'retry',
    sendAt: first.sendAt + SVIX_RETRY_DELAYS_MS.slice(0, attempt - 1).reduce((all, wait) => all + wait, 0),
  });
  if (options.retries.kind === 'once') {
    const total = Math.round(firsts.length / (1 - options.retries.duplicateShare));
    const count = total - firsts.length;
    const candidates = shuffled(firsts.map((_, index) => index).filter((index) => !held.has(index)), rand).slice(0, count);
    return candidates.sort((a, b) => a - b).map((index) => retry(firsts[index]!.message, 2));
  }
  const { retryChance } = options.retries;
  return firsts.flatMap(({ message }) => {
    let attempts = 1;
    while (attempts < SVIX_MAX_ATTEMPTS && rand() < retryChance) attempts++;
    return Array.from({ length: attempts - 1 }, (_, at) => retry(message, at + 2));
  });
}

/** Builds the stream (see the module's comment). */
export function buildSvixRetryStream(options: SvixRetryStreamOptions): ProductStream {
  const rand = mulberry32(options.seed ^ 0x5eed);
  const flows = svixStreamFlows(options.perKind, options.seed);
  const firsts = firstDeliveries(flows, options.seed);
  // The stale share is of all deliveries: with `once`, firsts are 1 - duplicateShare of them.
  const all = options.retries.kind === 'once' ? firsts.length / (1 - options.retries.duplicateShare) : firsts.length;
  const held = holdBack(firsts, Math.round(options.staleShare * all), rand);
  const retries = retriesOf(firsts, held, options, rand);
  const messages = [...firsts.map((first) => first.message), ...retries].sort((a, b) => a.sendAt - b.sendAt || a.svixId.localeCompare(b.svixId) || a.kind.localeCompare(b.kind));
  return productStreamOf(flows, messages, { unique: firsts.length, retries: retries.length });
}
