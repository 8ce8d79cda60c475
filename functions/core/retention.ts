/**
 * Retention (CONTRACT §8): what is over expires RETENTION_DAYS after it ended,
 * with DynamoDB's TTL (epoch seconds in `expires_at`). Pure: the expiry follows
 * from Junction's status times, so recomputing it gives the same value and a
 * redelivered stream record writes nothing new.
 */
import type { OrderRecord } from './order-record';
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
 * An order without a transaction expires `days` after it reached an ending state
 * (redraw_available is none: an initial order awaiting its redraw is an open redraw).
 */
export function loneOrderExpiry(record: Pick<OrderRecord, 'transaction_id' | 'low_level_status' | 'status_time'>, days: number): number | null {
  if (record.transaction_id !== null) return null;
  return isEnding(record.low_level_status) ? expiryAfter(record.status_time, days) : null;
}
