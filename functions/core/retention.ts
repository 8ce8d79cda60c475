/**
 * Retention (CONTRACT §8): what is over expires RETENTION_DAYS after it ended,
 * with DynamoDB's TTL (epoch seconds in `expires_at`). Pure: the expiry follows
 * from Junction's status times, so recomputing it gives the same value and a
 * redelivered stream record writes nothing new.
 */
import type { OrderRecord } from './order-record';
import { smokeOrderExpiry } from './smoke';
import { isEnding } from './status';
import type { TransactionStatus } from './transaction-status';

export const DEFAULT_RETENTION_DAYS = 365;

const DAY_SECONDS = 86_400;

/** Epoch seconds `days` after a canonical instant. */
export function expiryAfter(endedAt: string, days: number): number {
  return Math.floor(Date.parse(endedAt) / 1000) + days * DAY_SECONDS;
}

/**
 * A transaction that is over (completed or cancelled) expires `days` after its
 * newest status time, with its orders; an active one (open redraws included)
 * never does.
 */
export function transactionExpiry(transaction: { status: TransactionStatus; updated_at: string }, days: number): number | null {
  return transaction.status === 'active' ? null : expiryAfter(transaction.updated_at, days);
}

/**
 * An order's appointment (CONTRACT §10) expires `days` after the latest of its
 * newest event, its start and its end: by then the stale rules no longer read
 * it (an appointment matters for APPOINTMENT_GRACE_HOURS after its start), and
 * its order, when over, has expired or does soon. Its own item, written by the
 * webhook alone, so its expiry is set with that write (no second write).
 */
export function appointmentExpiry(times: readonly (string | null)[], days: number): number {
  const latest = times.filter((time): time is string => time !== null).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a), '1970-01-01T00:00:00Z');
  return expiryAfter(latest, days);
}

/**
 * An order without a transaction expires `days` after it reached an ending state
 * (redraw_available is none: an initial order awaiting its redraw is an open redraw).
 * A smoke order (core/smoke.ts) keeps the expiry its webhook's write gave it, a
 * day after it was made: the transaction function's retention computes the same
 * value, so it neither clears nor moves it.
 */
export function loneOrderExpiry(record: Pick<OrderRecord, 'id' | 'created_at' | 'transaction_id' | 'low_level_status' | 'status_time'>, days: number): number | null {
  if (record.transaction_id !== null) return null;
  const smoke = smokeOrderExpiry(record);
  if (smoke !== null) return smoke;
  return isEnding(record.low_level_status) ? expiryAfter(record.status_time, days) : null;
}
