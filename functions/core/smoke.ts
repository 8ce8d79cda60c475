/**
 * Smoke orders (issue 27, item 4): the made-up order `npx redraw-tracker smoke`
 * sends through a deployment to prove it works end to end. Its id says what it
 * is, so the webhook, retention and every consumer of the tracker's events can
 * tell it from Junction's orders (whose ids are UUIDs) without any other field,
 * and it leaves nothing that lasts: its item expires a day after it was made,
 * whatever RETENTION_DAYS says.
 */
import { instantMillis } from './instant';
import type { OrderRecord } from './order-record';

/**
 * Every smoke order's id starts with this (then a UUID): `smoke-test-<uuid>`,
 * within ResourceId's alphabet. docs/events.md gives consumers the EventBridge
 * pattern that drops the events of these orders by this prefix.
 */
export const SMOKE_ORDER_PREFIX = 'smoke-test-';

/** How long a smoke order is kept after it was made: a day, the time to look at it if a smoke test failed. */
export const SMOKE_ORDER_LIFETIME_SECONDS = 86_400;

/** Whether an order id is a smoke order's. */
export function isSmokeOrderId(id: string): boolean {
  return id.startsWith(SMOKE_ORDER_PREFIX);
}

/**
 * The expiry (DynamoDB TTL, epoch seconds) of a smoke order's item: a day after
 * its `created_at`, which never changes, so every write of the order (the
 * webhook's, the transaction function's retention) computes the same value.
 * Null for any other order (its retention is CONTRACT §8's).
 */
export function smokeOrderExpiry(record: Pick<OrderRecord, 'id' | 'created_at'>): number | null {
  if (!isSmokeOrderId(record.id)) return null;
  // created_at passed the webhook's schema (Instant): an ISO 8601 date-time.
  return Math.floor(instantMillis(record.created_at) / 1000) + SMOKE_ORDER_LIFETIME_SECONDS;
}
