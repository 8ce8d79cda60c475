/**
 * How an order record is laid out as a table item, and read back. Only the store
 * modules know these attribute names.
 *
 * Names are short on purpose: DynamoDB bills every write, and every write its
 * condition refuses, by the stored item's size (attribute names included) in
 * 1 KB units, so an order item must stay well under 1 KB (docs/table-design.md
 * gives the names and the budget). The order id is not repeated: it is the
 * partition key.
 *
 * The payload's transaction listing rides on the item (`L`) for the transaction
 * function, which reads it from the stream. Most of a listed order's record
 * follows from the order that carries the listing (its transaction and
 * collection method) and from Junction's fields, so only those fields are kept;
 * anything that does not follow is kept explicitly (see encodeListing).
 */
import * as z from 'zod/mini';
import { canonicalInstant } from '../core/instant';
import { NO_TIME, type ListingSnapshot, type OrderRecord } from '../core/order-record';
import type { StaleFlag } from '../core/order-view';
import { openRedrawKind, STALE_REASONS, type OpenRedrawKind } from '../core/staleness';
import { highLevelOf } from '../core/status';
import { TABLE } from './table';
import { keys, OPEN_REDRAW_PARTITIONS, parseOrderKey, type OpenRedrawPartition } from './keys';

/** Attribute names of an order item (besides the table and index keys). */
export const ORDER_ATTRIBUTES = {
  transactionId: 't',
  origin: 'o',
  collectionMethod: 'm',
  status: 's',
  lowLevelStatus: 'l',
  lastEvent: 'e',
  createdAt: 'c',
  updatedAt: 'u',
  hasMissingResults: 'h',
  source: 'so',
  statusTime: 'st',
  rank: 'r',
  staleSince: 'ss',
  staleReason: 'sr',
  /**
   * While present, the `since` of the stale flag whose notification has not gone
   * out yet (store/redraws.ts): set with the flag, removed once SNS accepted it.
   */
  staleNotificationPending: 'sn',
  /**
   * Set by the sweep when it clears a flag for the order's follow-up (CONTRACT
   * §7 `cleared_by`): `{s: the flag's since, b: snoozed | closed}`; the stream's
   * fact reads it from the new image. Gone with the next whole write.
   */
  staleClearedBy: 'sc',
  listing: 'L',
  /** When the order was first in redraw_available, from its history (OrderRecord.redraw_available_at); absent if never. */
  redrawAvailableAt: 'ra',
  /** Junction's status detail of its newest event, when an operational code (OrderRecord.status_detail); absent otherwise. */
  statusDetail: 'sd',
  /** When the order was first seen ended without all its results (OrderRecord.missing_results_at); absent if never. */
  missingResultsAt: 'mx',
  /** The lab's slug and the sample type (OrderRecord.lab, sample_type: operational codes); absent when unknown. */
  lab: 'lb',
  sampleType: 'sp',
  /** When the order first completed (OrderRecord.completed_at); absent if never. */
  completedAt: 'ca',
} as const;
const A = ORDER_ATTRIBUTES;

const Source = z.enum(['webhook', 'api', 'transaction_listing']);

/** A whole record in its long form: only for a listed order whose record does not follow from Junction's fields. */
const WholeRecord = z.object({
  id: z.string(),
  transaction_id: z.nullable(z.string()),
  origin: z.nullable(z.string()),
  collection_method: z.string(),
  status: z.string(),
  low_level_status: z.string(),
  last_event: z.nullable(z.object({ id: z.number(), created_at: z.string(), status: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
  has_missing_results: z.nullable(z.boolean()),
  source: Source,
  status_time: z.string(),
  rank: z.string(),
});

const StoredRecord = z.object({
  [A.transactionId]: z.nullable(z.string()),
  [A.origin]: z.nullable(z.string()),
  [A.collectionMethod]: z.string(),
  [A.status]: z.string(),
  [A.lowLevelStatus]: z.string(),
  [A.lastEvent]: z.nullable(z.object({ i: z.number(), c: z.string(), s: z.string() })),
  [A.createdAt]: z.string(),
  [A.updatedAt]: z.string(),
  [A.hasMissingResults]: z.nullable(z.boolean()),
  [A.source]: Source,
  [A.statusTime]: z.string(),
  [A.rank]: z.string(),
  [A.staleSince]: z.optional(z.string()),
  [A.staleReason]: z.optional(z.enum(STALE_REASONS)),
  [A.redrawAvailableAt]: z.optional(z.string()),
  [A.statusDetail]: z.optional(z.string()),
  [A.missingResultsAt]: z.optional(z.string()),
  [A.lab]: z.optional(z.string()),
  [A.sampleType]: z.optional(z.string()),
  [A.completedAt]: z.optional(z.string()),
});

/**
 * A listed order as stored: Junction's own fields (id, origin, low-level status,
 * created_at, updated_at as the record has them, and the status time when the
 * listing gave one); `x` holds the whole record when it does not follow from those.
 */
const StoredListed = z.object({
  i: z.string(),
  o: z.nullable(z.string()),
  l: z.string(),
  c: z.string(),
  u: z.string(),
  st: z.optional(z.string()),
  x: z.optional(WholeRecord),
});
type StoredListed = z.infer<typeof StoredListed>;

/** A stored listing: Junction's status for the transaction, its members, and the status time when it does not follow. */
const StoredListing = z.object({ s: z.nullable(z.string()), m: z.array(StoredListed), t: z.optional(z.string()) });

export interface StoredOrder {
  record: OrderRecord;
  stale: StaleFlag | null;
  /** The open-redraws partition the item is in, if any. */
  openRedraw: OpenRedrawPartition | null;
  /** The transaction listing the item carries (from the order's own payload), if any. */
  listing: ListingSnapshot | null;
  /** When DynamoDB's TTL may delete the item (epoch seconds, CONTRACT §8), or null: kept. */
  expiresAt: number | null;
}

/** Whether an item (by its keys) is an order item. */
export function isOrderItem(item: Record<string, unknown>): boolean {
  return parseOrderKey(item) !== null;
}

/** Reads an order item back; throws on an item that is not one (a bug, not bad input). */
export function parseOrderItem(item: Record<string, unknown>): StoredOrder {
  const key = parseOrderKey(item);
  if (key === null) throw new Error('not an order item');
  const stored = StoredRecord.parse(item);
  const lastEvent = stored[A.lastEvent];
  const record: OrderRecord = {
    id: key.orderId,
    transaction_id: stored[A.transactionId],
    origin: stored[A.origin],
    collection_method: stored[A.collectionMethod],
    status: stored[A.status],
    low_level_status: stored[A.lowLevelStatus],
    last_event: lastEvent === null ? null : { id: lastEvent.i, created_at: lastEvent.c, status: lastEvent.s },
    created_at: stored[A.createdAt],
    updated_at: stored[A.updatedAt],
    has_missing_results: stored[A.hasMissingResults],
    source: stored[A.source],
    status_time: stored[A.statusTime],
    rank: stored[A.rank],
    ...(stored[A.redrawAvailableAt] === undefined ? {} : { redraw_available_at: stored[A.redrawAvailableAt] }),
    ...(stored[A.statusDetail] === undefined ? {} : { status_detail: stored[A.statusDetail] }),
    ...(stored[A.missingResultsAt] === undefined ? {} : { missing_results_at: stored[A.missingResultsAt] }),
    ...(stored[A.lab] === undefined ? {} : { lab: stored[A.lab] }),
    ...(stored[A.sampleType] === undefined ? {} : { sample_type: stored[A.sampleType] }),
    ...(stored[A.completedAt] === undefined ? {} : { completed_at: stored[A.completedAt] }),
  };
  const since = stored[A.staleSince];
  const reason = stored[A.staleReason];
  const partition = item[TABLE.openRedraws.partitionKey];
  const listing = item[A.listing];
  return {
    record,
    stale: since && reason ? { since, reason } : null,
    openRedraw: isOpenRedrawPartition(partition) ? partition : null,
    listing: listing === undefined || listing === null ? null : decodeListing(StoredListing.parse(listing), record),
    expiresAt: expiresAtOf(item),
  };
}

/** The item's TTL attribute (epoch seconds), or null when it has none. */
export function expiresAtOf(item: Record<string, unknown>): number | null {
  const value = item[TABLE.ttlAttribute];
  return typeof value === 'number' ? value : null;
}

const StaleCleared = z.object({ s: z.string(), b: z.enum(['snoozed', 'closed']) });

/** The sweep's note of why it cleared a flag (`since`: the flag's) for the order's follow-up, or null. */
export function staleClearedOf(item: Record<string, unknown>): { since: string; by: 'snoozed' | 'closed' } | null {
  const parsed = StaleCleared.safeParse(item[A.staleClearedBy]);
  return parsed.success ? { since: parsed.data.s, by: parsed.data.b } : null;
}

/** The sweep's note as stored (staleClearedOf reads it back). */
export function staleClearedValue(cleared: { since: string; by: 'snoozed' | 'closed' }): z.input<typeof StaleCleared> {
  return { s: cleared.since, b: cleared.by };
}

function isOpenRedrawPartition(value: unknown): value is OpenRedrawPartition {
  return Object.values(OPEN_REDRAW_PARTITIONS).some((partition) => partition === value);
}

const PARTITION_OF_KIND: Record<OpenRedrawKind, OpenRedrawPartition> = {
  redraw_in_progress: OPEN_REDRAW_PARTITIONS.redrawInProgress,
  awaiting_redraw: OPEN_REDRAW_PARTITIONS.awaitingRedraw,
};

/**
 * The open-redraws index attributes of an order, if it is an open redraw
 * (unflagged). An order awaiting its redraw is sorted by its status time (it
 * does not move on while awaiting); a redraw in progress by its creation time,
 * which never changes, so its moves do not touch the index (no status time of
 * it is earlier: the sweep's key condition still finds every due one).
 */
export function orderIndexAttributes(record: OrderRecord, transactionHasRedraw: boolean): Record<string, string> {
  const kind = openRedrawKind(record, transactionHasRedraw);
  if (kind === null) return {};
  const created = canonicalInstant(record.created_at) ?? record.created_at;
  // The earlier of the two, should Junction ever date an event before its order.
  const since = kind === 'redraw_in_progress' && created < record.status_time ? created : record.status_time;
  return {
    [TABLE.openRedraws.partitionKey]: PARTITION_OF_KIND[kind],
    [TABLE.openRedraws.sortKey]: keys.openRedrawSort(since, record.id),
  };
}

/**
 * The whole item for an order record, with the listing it carries (no stale
 * flag: a fresh state starts a new episode).
 */
export function orderItem(record: OrderRecord, transactionHasRedraw: boolean, listing: ListingSnapshot | null = null): Record<string, unknown> {
  return {
    ...keys.order(record.id),
    [A.transactionId]: record.transaction_id,
    [A.origin]: record.origin,
    [A.collectionMethod]: record.collection_method,
    [A.status]: record.status,
    [A.lowLevelStatus]: record.low_level_status,
    [A.lastEvent]: record.last_event === null ? null : { i: record.last_event.id, c: record.last_event.created_at, s: record.last_event.status },
    [A.createdAt]: record.created_at,
    [A.updatedAt]: record.updated_at,
    [A.hasMissingResults]: record.has_missing_results,
    [A.source]: record.source,
    [A.statusTime]: record.status_time,
    [A.rank]: record.rank,
    ...(record.redraw_available_at === undefined ? {} : { [A.redrawAvailableAt]: record.redraw_available_at }),
    ...(record.status_detail == null ? {} : { [A.statusDetail]: record.status_detail }),
    ...(record.missing_results_at === undefined ? {} : { [A.missingResultsAt]: record.missing_results_at }),
    ...(record.lab == null ? {} : { [A.lab]: record.lab }),
    ...(record.sample_type == null ? {} : { [A.sampleType]: record.sample_type }),
    ...(record.completed_at === undefined ? {} : { [A.completedAt]: record.completed_at }),
    ...orderIndexAttributes(record, transactionHasRedraw),
    ...(listing === null ? {} : { [A.listing]: encodeListing(listing, record) }),
  };
}

/** The record a listed entry stands for, as projectOrder builds it (listedOrderRecord), from the carrier's transaction and method. */
function listedRecord(entry: Omit<StoredListed, 'x'>, carrier: Pick<OrderRecord, 'transaction_id' | 'collection_method'>): OrderRecord {
  const updatedAt = canonicalInstant(entry.u) ?? entry.u;
  const statusTime = entry.st ?? updatedAt;
  return {
    id: entry.i,
    transaction_id: carrier.transaction_id,
    origin: entry.o,
    collection_method: carrier.collection_method,
    status: highLevelOf(entry.l, carrier.collection_method),
    low_level_status: entry.l,
    last_event: null,
    created_at: entry.c,
    updated_at: entry.u,
    has_missing_results: null,
    source: 'transaction_listing',
    status_time: statusTime,
    rank: `${entry.st === undefined ? NO_TIME : entry.st}|${updatedAt}`,
  };
}

/** Field by field; a listed record has no last event (anything else is kept whole anyway). */
function sameRecord(a: OrderRecord, b: OrderRecord): boolean {
  return (
    a.last_event === null &&
    b.last_event === null &&
    a.id === b.id &&
    a.transaction_id === b.transaction_id &&
    a.origin === b.origin &&
    a.collection_method === b.collection_method &&
    a.status === b.status &&
    a.low_level_status === b.low_level_status &&
    a.created_at === b.created_at &&
    a.updated_at === b.updated_at &&
    a.has_missing_results === b.has_missing_results &&
    a.source === b.source &&
    a.status_time === b.status_time &&
    a.rank === b.rank
  );
}

/** The newest status time a listing knows of: the carrier's own and every listed one's. */
function newestStatusTime(listing: Pick<ListingSnapshot, 'members'>, carrier: Pick<OrderRecord, 'status_time'>): string {
  return listing.members.map((member) => member.status_time).reduce((newest, time) => (time > newest ? time : newest), carrier.status_time);
}

/** A listing as stored on its carrier's item: only what does not follow from the carrier (see StoredListed). */
export function encodeListing(listing: ListingSnapshot, carrier: OrderRecord): z.input<typeof StoredListing> {
  const members = listing.members.map((member): StoredListed => {
    const statusTime = member.rank.startsWith(`${NO_TIME}|`) ? undefined : member.status_time;
    const entry = { i: member.id, o: member.origin, l: member.low_level_status, c: member.created_at, u: member.updated_at, ...(statusTime === undefined ? {} : { st: statusTime }) };
    // Anything that does not follow from Junction's fields is kept whole.
    return sameRecord(listedRecord(entry, carrier), member) ? entry : { ...entry, x: { ...member } };
  });
  const time = newestStatusTime(listing, carrier);
  return {
    s: listing.reported_status,
    m: members,
    ...(listing.reported_status_time === time ? {} : { t: listing.reported_status_time }),
  };
}

function decodeListing(stored: z.output<typeof StoredListing>, carrier: OrderRecord): ListingSnapshot {
  if (carrier.transaction_id === null) throw new Error('a listing on an order without a transaction');
  const members = stored.m.map(({ x, ...entry }) => (x === undefined ? listedRecord(entry, carrier) : x));
  return {
    transaction_id: carrier.transaction_id,
    reported_status: stored.s,
    reported_status_time: stored.t ?? newestStatusTime({ members }, carrier),
    members,
  };
}
