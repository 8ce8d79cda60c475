/**
 * Retention (CONTRACT §8): what is over expires RETENTION_DAYS after it ended,
 * with DynamoDB's TTL (epoch seconds in `expires_at`). A transaction, its orders
 * and its follow-up expire together, after the later of the transaction's end
 * and the follow-up's close, and nothing of them while the follow-up is open.
 * Pure: the expiry follows from Junction's status times and the follow-up's
 * close, so recomputing it gives the same value and a redelivered stream record
 * writes nothing new.
 */
import { DEFAULT_SITUATION_OPTIONS, followUpSituation } from './follow-up/situation';
import { instantMillis } from './instant';
import type { OrderRecord, ProjectedOrder } from './order-record';
import { smokeOrderExpiry } from './smoke';
import { isEnding } from './status';
import { transactionStatus, type TransactionStatus } from './transaction-status';

export const DEFAULT_RETENTION_DAYS = 365;

const DAY_SECONDS = 86_400;

/** Epoch seconds `days` after a canonical instant. */
export function expiryAfter(endedAt: string, days: number): number {
  return Math.floor(Date.parse(endedAt) / 1000) + days * DAY_SECONDS;
}

/**
 * What retention reads of a follow-up (CONTRACT §8, §9): its state, and when it
 * closed. `OPENING_FOLLOW_UP` stands for one that is due to open (its
 * transaction has a redraw, and the tracker has not stored it yet).
 */
export interface RetainedFollowUp {
  state: string;
  closed_at: string | null;
}

/** A follow-up the tracker is about to open: it is open, so it holds its transaction's expiry off. */
export const OPENING_FOLLOW_UP: RetainedFollowUp = { state: 'new', closed_at: null };

/**
 * Whether a follow-up keeps its transaction (and itself) from expiring: every
 * state but `closed` is open (a snooze that has ended too).
 */
export function followUpIsOpen(followUp: RetainedFollowUp): boolean {
  return followUp.state !== 'closed' || followUp.closed_at === null;
}

/**
 * When something that ended at `endedAt` expires, given its follow-up (none:
 * null): `days` after the later of its end and the follow-up's close, never
 * while the follow-up is open (a follow-up expires with its transaction, never
 * before it, and holds it while open).
 */
function expiryWith(endedAt: string, followUp: RetainedFollowUp | null, days: number): number | null {
  if (followUp === null) return expiryAfter(endedAt, days);
  if (followUpIsOpen(followUp)) return null;
  const closedAt = followUp.closed_at!;
  return expiryAfter(instantMillis(closedAt) > instantMillis(endedAt) ? closedAt : endedAt, days);
}

/**
 * A transaction that is over (completed or cancelled) expires `days` after its
 * newest status time, or after its follow-up's close when that is later, with
 * its orders and its follow-up (and the follow-up's history); an active one
 * (open redraws included) never does, nor does one whose follow-up is open
 * (CONTRACT §8). Its follow-up: null when it has none.
 */
export function transactionExpiry(
  transaction: { status: TransactionStatus; updated_at: string },
  days: number,
  followUp: RetainedFollowUp | null = null,
): number | null {
  return transaction.status === 'active' ? null : expiryWith(transaction.updated_at, followUp, days);
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
 * (redraw_available is none: an initial order awaiting its redraw is an open redraw),
 * or after its follow-up's close (the follow-up of its own id) when that is
 * later, and never while that follow-up is open, like a transaction.
 * A smoke order (core/smoke.ts) keeps the expiry its webhook's write gave it, a
 * day after it was made: the transaction function's retention computes the same
 * value, so it neither clears nor moves it.
 */
export function loneOrderExpiry(
  record: Pick<OrderRecord, 'id' | 'created_at' | 'transaction_id' | 'low_level_status' | 'status_time'>,
  days: number,
  followUp: RetainedFollowUp | null = null,
): number | null {
  if (record.transaction_id !== null) return null;
  const smoke = smokeOrderExpiry(record);
  if (smoke !== null) return smoke;
  return isEnding(record.low_level_status) ? expiryWith(record.status_time, followUp, days) : null;
}

/**
 * The expiry an order's own write can carry (CONTRACT §8) when the order alone
 * decides it, so that the transaction function, which computes the same value
 * from the same order, writes nothing more (issue 57: an UpdateItem per order of
 * a transaction that ended): an order without a transaction, or the only order its
 * transaction's listing names, in an ending state, with no follow-up it could
 * have (judged with FOLLOW_UP_MISSING_RESULTS on, the stricter: with it off the
 * transaction function sets the expiry, as before). Null otherwise, and whenever
 * there is more to know: the transaction function decides then, and it corrects
 * this value too whenever it knows better (an order that joins later, a follow-up).
 */
export function ownOrderExpiry(projected: ProjectedOrder, days: number | null): number | null {
  const { record, listing } = projected;
  if (days === null) return null;
  const alone = record.transaction_id === null || (listing !== null && listing.members.length === 1 && listing.members[0]?.id === record.id);
  if (!alone) return null;
  const status = transactionStatus([record]);
  if (followUpSituation([record], status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp) return null;
  return record.transaction_id === null ? loneOrderExpiry(record, days) : transactionExpiry({ status, updated_at: record.status_time }, days);
}
