/**
 * The order in which Svix might deliver webhooks (junction/flows.ts): every
 * delivery at least once, some retried with the same message id, all shuffled,
 * from a seed so that a run can be replayed.
 */
import { randomUUID } from 'node:crypto';
import type { Delivery } from './order-webhooks';


/** One HTTP request Svix makes: an attempt at one delivery. Every attempt of a delivery keeps its message id. */
export interface DeliveryAttempt {
  delivery: Delivery;
  /** Position of the delivery in the order Junction emitted it (0-based). */
  index: number;
  /** The Svix message id (`svix-id`), shared by all attempts of one delivery. */
  messageId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

export interface SvixScheduleOptions {
  /** Seed of the shuffle and of the retries: the same seed gives the same schedule. */
  seed: number;
  /** Chance that a delivery is attempted again (each further attempt has the same chance). Default 0.4. */
  retryRate?: number;
  /** Most attempts of one delivery. Default 3. */
  maxAttempts?: number;
  /** Message ids; fresh `msg_<uuid>` ids by default. */
  messageId?: () => string;
}

/**
 * The requests Svix might make for these deliveries: every delivery at least
 * once, some again (a retry after a timeout or a 5xx keeps its message id), all
 * in a shuffled order (Svix guarantees none).
 */
export function svixSchedule(deliveries: readonly Delivery[], options: SvixScheduleOptions): DeliveryAttempt[] {
  const random = mulberry32(options.seed);
  const retryRate = options.retryRate ?? 0.4;
  const maxAttempts = options.maxAttempts ?? 3;
  const messageId = options.messageId ?? (() => `msg_${randomUUID().replaceAll('-', '')}`);
  const requests: Omit<DeliveryAttempt, 'attempt'>[] = [];
  deliveries.forEach((delivery, index) => {
    const id = messageId();
    let attempts = 1;
    while (attempts < maxAttempts && random() < retryRate) attempts++;
    for (let n = 0; n < attempts; n++) requests.push({ delivery, index, messageId: id });
  });
  // Fisher-Yates, then number the attempts of each message in the order they are sent.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [requests[i], requests[j]] = [requests[j]!, requests[i]!];
  }
  const seen = new Map<string, number>();
  return requests.map((request) => {
    const attempt = (seen.get(request.messageId) ?? 0) + 1;
    seen.set(request.messageId, attempt);
    return { ...request, attempt };
  });
}

/** A small seeded PRNG (mulberry32): reproducible schedules without a dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
