/**
 * The projection of a Junction order payload to what the tracker stores. It is
 * built field by field from the parsed payload, so no PHI field (patient details,
 * addresses, notes, sample ids, lab test content, ...) can reach storage.
 */
import { canonicalInstant } from './instant';
import { newestEvent, rankOf, versionOf } from './ordering';
import type { ListedOrder, OrderPayload } from './schemas';
import { categorize, highLevelOf, parseStatus } from './status';

/**
 * Where a stored state came from: the order's own webhook, an API read of the
 * order (CONTRACT §6), or only another order's transaction listing. Webhook and
 * API states are both the order's own state, ordered by the same rule.
 */
export type OrderSource = 'webhook' | 'api' | 'transaction_listing';

/** The sources of an order's own state (its webhook or an API read of it). */
export type OwnSource = Exclude<OrderSource, 'transaction_listing'>;

/** Whether a state is the order's own (from its webhook or the API), not a listing's. */
export function isOwnSource(source: OrderSource): source is OwnSource {
  return source !== 'transaction_listing';
}

/** One stored order: the contract's Order fields, plus what ordering and sweeping need. */
export interface OrderRecord {
  id: string;
  transaction_id: string | null;
  origin: string | null;
  collection_method: string;
  status: string;
  low_level_status: string;
  last_event: { id: number; created_at: string; status: string } | null;
  created_at: string;
  updated_at: string;
  has_missing_results: boolean | null;
  source: OrderSource;
  /** Canonical instant of the order's last status change, per Junction (never our receive time). */
  status_time: string;
  /** Version as sortable text; only comparable between records of the same source. */
  rank: string;
  /**
   * When the order was first in `redraw_available` (Junction's status time), from
   * its event history (`events[]`) or its state; absent when it never was. An
   * initial order that left it still had a redraw: its follow-up stays (CONTRACT §9).
   */
  redraw_available_at?: string;
  /**
   * Junction's `events[].status_detail` of its newest event (e.g. `sample_hemolyzed`), when it is an
   * operational code (`^[a-z0-9_]{1,64}$`); null or absent otherwise (CONTRACT §9 `missing`).
   */
  status_detail?: string | null;
  /**
   * When the order was first seen ended without all its results (failed, or completed/corrected with
   * `has_missing_results: true`; Junction's status time), from its state or its history's failed events;
   * absent when never. Kept when a later state brings the results, so that whether a follow-up exists
   * never depends on delivery order (CONTRACT §9).
   */
  missing_results_at?: string;
  /**
   * The lab's slug (`lab_test.lab.slug`, e.g. `quest`: LAB_SLUG) and the sample type (`lab_test.sample_type`,
   * e.g. `serum`: an operational code, `^[a-z0-9_]{1,64}$`) for reports (CONTRACT §11). Absent or null when the
   * payload gave none (or gave something else); never the test's name or markers.
   */
  lab?: string | null;
  sample_type?: string | null;
  /** When the order first completed (Junction's status time of its first `completed` event); absent when never. */
  completed_at?: string;
}

/** What one payload says about its order transaction. */
export interface ListingSnapshot {
  transaction_id: string;
  /** Junction's own status for the transaction. */
  reported_status: string | null;
  /** Canonical instant: the newest status time the listing knows of. */
  reported_status_time: string;
  /** Every listed order, the payload's own one included, as listing-sourced records. */
  members: OrderRecord[];
}

export interface ProjectedOrder {
  record: OrderRecord;
  listing: ListingSnapshot | null;
}

/** The status-time part of a listed order's rank when the listing gave no status time: it sorts before any time. */
export const NO_TIME = '0000-00-00T00:00:00.000000Z';

function canonical(value: string): string {
  const result = canonicalInstant(value);
  if (result === null) throw new RangeError('not an ISO 8601 date-time');
  return result;
}

/**
 * Projects a validated order payload (a webhook's `data`, or the API's answer for
 * the order: the same shape) to its record and listing.
 */
export function projectOrder(order: OrderPayload, source: OwnSource = 'webhook'): ProjectedOrder {
  const event = newestEvent(order);
  const parsed = event ? parseStatus(event.status) : null;
  const collectionMethod = order.details?.type ?? parsed?.method ?? 'unknown';
  const fallbackStatus = order.status ?? 'unknown';
  const record: OrderRecord = {
    id: order.id,
    transaction_id: order.order_transaction?.id ?? null,
    origin: order.origin ?? null,
    collection_method: collectionMethod,
    status: parsed?.high ?? fallbackStatus,
    low_level_status: parsed?.low ?? fallbackStatus,
    last_event: event ? { id: event.id, created_at: event.created_at, status: event.status } : null,
    created_at: order.created_at,
    updated_at: order.updated_at,
    has_missing_results: order.has_missing_results ?? null,
    source,
    status_time: canonical(event?.created_at ?? order.updated_at),
    rank: rankOf(versionOf(order)),
  };
  const redrawAvailableAt = redrawAvailableInHistory(order);
  if (redrawAvailableAt !== null) record.redraw_available_at = redrawAvailableAt;
  const detail = statusDetailOf(order, event);
  if (detail !== null) record.status_detail = detail;
  const missingAt = missingResultsInHistory(order, record);
  if (missingAt !== null) record.missing_results_at = missingAt;
  const lab = labSlug(order.lab_test?.lab?.slug);
  if (lab !== null) record.lab = lab;
  const sampleType = operationalCode(order.lab_test?.sample_type);
  if (sampleType !== null) record.sample_type = sampleType;
  const completedAt = completedInHistory(order, record);
  if (completedAt !== null) record.completed_at = completedAt;
  const transaction = order.order_transaction;
  if (!transaction) return { record, listing: null };
  return { record, listing: listingOf(transaction, collectionMethod, [record.status_time]) };
}

/**
 * When the order's history says it was first in `redraw_available` (the
 * earliest such event of `events[]` and `last_event`), canonical; null if never.
 * A redraw order never goes there (DOMAIN): its history is not read.
 */
export function redrawAvailableInHistory(order: Pick<OrderPayload, 'events' | 'last_event' | 'origin'>): string | null {
  if (order.origin === 'redraw') return null;
  let earliest: string | null = null;
  for (const event of [...order.events, ...(order.last_event ? [order.last_event] : [])]) {
    if (categorize(parseStatus(event.status).low) !== 'redraw_available') continue;
    const at = canonicalInstant(event.created_at);
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest;
}

/** An operational code of Junction's (a status detail, a failure type): anything else is not kept. */
const OPERATIONAL_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * The status detail of the order's newest event: its own, or that of the same
 * event in `events[]` (`last_event` may come without it); null when absent or
 * not an operational code (free text could carry PHI).
 */
/** A value kept only when it is an operational code (lowercase letters, digits, `_`); null otherwise. */
export function operationalCode(value: unknown): string | null {
  return typeof value === 'string' && OPERATIONAL_CODE.test(value) ? value : null;
}

/** A lab's slug as Junction spells them (`quest`, `sonora_quest`, `us-specialty`): lowercase letters, digits, `_` and `-`. */
export const LAB_SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The lab's slug kept only when it is one (LAB_SLUG); null otherwise. */
export function labSlug(value: unknown): string | null {
  return typeof value === 'string' && LAB_SLUG.test(value) ? value : null;
}

/**
 * When the order first completed, canonical, or null: the earliest `completed`
 * event of its history (`events[]`, `last_event`), or its own state's time
 * when that is completed and its history shows none (CONTRACT §11's time to
 * the redraw's results runs to the redraw order's first completed event).
 */
export function completedInHistory(order: Pick<OrderPayload, 'events' | 'last_event'>, record: Pick<OrderRecord, 'low_level_status' | 'status_time'>): string | null {
  const events = [...order.events, ...(order.last_event ? [order.last_event] : [])];
  const times = events.filter((event) => parseStatus(event.status).low === 'completed').map((event) => canonical(event.created_at));
  if (record.low_level_status === 'completed') times.push(record.status_time);
  return times.sort()[0] ?? null;
}

function statusDetailOf(order: Pick<OrderPayload, 'events'>, event: OrderPayload['last_event']): string | null {
  if (!event) return null;
  const detail = event.status_detail ?? order.events.find((candidate) => candidate.id === event.id)?.status_detail;
  return typeof detail === 'string' && OPERATIONAL_CODE.test(detail) ? detail : null;
}

/**
 * When the order was first ended without all its results, canonical, or null:
 * the earliest failed event of its history (`events[]`, `last_event`), or its
 * own state when that is completed/corrected with `has_missing_results: true`
 * (the flag is the payload's, so only its newest event can carry it).
 */
export function missingResultsInHistory(order: Pick<OrderPayload, 'events' | 'last_event'>, record: Pick<OrderRecord, 'low_level_status' | 'has_missing_results' | 'status_time'>): string | null {
  let earliest: string | null = categorize(record.low_level_status) === 'done' && record.has_missing_results === true ? record.status_time : null;
  for (const event of [...order.events, ...(order.last_event ? [order.last_event] : [])]) {
    if (categorize(parseStatus(event.status).low) !== 'failed') continue;
    const at = canonicalInstant(event.created_at);
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest;
}

/** A transaction as Junction lists it: in an order's `order_transaction`, or from `GET /v3/order_transaction/{id}`. */
export interface ListedTransaction {
  id: string;
  status?: string | null;
  orders: readonly ListedOrder[];
}

/**
 * What a transaction read from Junction's API says (CONTRACT §6), as a listing.
 * The endpoint does not say how each order was collected: `collectionMethod`
 * (the tracker's knowledge of a member) stands in for the high-level statuses.
 */
export function listingFromTransaction(transaction: ListedTransaction, collectionMethod: string): ListingSnapshot {
  return listingOf(transaction, collectionMethod, []);
}

function listingOf(transaction: ListedTransaction, collectionMethod: string, otherTimes: readonly string[]): ListingSnapshot {
  const members = transaction.orders.map((listed) => listedOrderRecord(listed, transaction.id, collectionMethod));
  const statusTimes = [...otherTimes, ...members.map((member) => member.status_time)];
  return {
    transaction_id: transaction.id,
    reported_status: transaction.status ?? null,
    reported_status_time: statusTimes.reduce((newest, time) => (time > newest ? time : newest), NO_TIME),
    members,
  };
}

/**
 * An order known only from a transaction listing. Its rank orders listings of the
 * same order by status time, then `updated_at`.
 */
export function listedOrderRecord(listed: ListedOrder, transactionId: string, collectionMethod: string): OrderRecord {
  const lowLevelStatus = listed.low_level_status ?? 'unknown';
  const statusTime = canonical(listed.low_level_status_created_at ?? listed.updated_at ?? listed.created_at);
  const updatedAt = listed.updated_at ?? listed.created_at;
  return {
    id: listed.id,
    transaction_id: transactionId,
    origin: listed.origin,
    collection_method: collectionMethod,
    status: highLevelOf(lowLevelStatus, collectionMethod),
    low_level_status: lowLevelStatus,
    last_event: null,
    created_at: listed.created_at,
    updated_at: updatedAt,
    has_missing_results: null,
    source: 'transaction_listing',
    status_time: statusTime,
    rank: `${listed.low_level_status_created_at ? statusTime : NO_TIME}|${canonical(updatedAt)}`,
  };
}

/**
 * The status time a listed record shows for its order, or null when the listing
 * gave none (its status time then falls back to `updated_at`, which is no status
 * time: catch-up compares only Junction's status times, CONTRACT §6).
 */
export function listedStatusTimeOf(record: Pick<OrderRecord, 'source' | 'status_time' | 'rank'>): string | null {
  if (record.source !== 'transaction_listing' || record.rank.startsWith(`${NO_TIME}|`)) return null;
  return record.status_time;
}

/**
 * Which of two records of the same order should stand: the order's own state
 * (webhook or API read) beats any listing; otherwise the higher rank wins (a
 * webhook and an API read of the same order share the ordering rule, so the same
 * event ranks the same from either). Ties keep `stored`: the first write of an
 * event keeps its source.
 */
export function isNewerRecord(candidate: Pick<OrderRecord, 'source' | 'rank'>, stored: Pick<OrderRecord, 'source' | 'rank'>): boolean {
  const candidateOwn = isOwnSource(candidate.source);
  if (candidateOwn !== isOwnSource(stored.source)) return candidateOwn;
  return candidate.rank > stored.rank;
}

/**
 * Whether two records of one order show the same state in the sense of CONTRACT
 * §4: the same low-level status at the same status time (Junction's). A copy that
 * differs only otherwise (a newer `updated_at` after Junction attached results or
 * set `has_missing_results`, an appointment edited, the same event read again by
 * the sync or a backfill) is the same state: it neither clears a stale flag nor
 * starts a new stale episode. A new status, or the same status at a new time (a
 * new event), is a move.
 */
export function isSameOrderState(
  a: Pick<OrderRecord, 'low_level_status' | 'status_time'>,
  b: Pick<OrderRecord, 'low_level_status' | 'status_time'>,
): boolean {
  return a.low_level_status === b.low_level_status && a.status_time === b.status_time;
}
