/**
 * How a transaction is laid out as a table item, and read back.
 *
 * `members` is the tracker's merged knowledge of every member (from each order's
 * own state, or from listings), keyed by order id. Merging only ever moves a
 * member to a newer record (`isNewerRecord`), so the map grows monotonically and
 * recomputes from older data can be detected and merged instead of overwriting.
 * `version` increases by one on every write (optimistic concurrency).
 *
 * The item is written only when something changes that the member order items
 * cannot tell (see `needsStoring` in functions/core/members.ts): who the members
 * are, their origins, what is known of members only listed, which members are
 * behind their listings. So its `status`, `updated_at`, `reported_status` and its
 * own-state members are as of its last write; readers merge the member order
 * items in (transaction-partition.ts).
 *
 * A transaction with a member whose own state is behind what a listing showed
 * (`behind_status_time`) also sits in the sparse `RECONCILE#behind` partition of
 * the open-redraws index, sorted by that time: the sweep finds the members to
 * read from Junction's API with a Query, never a Scan. The keys come and go with
 * the transaction item's own write, so the webhook path stays one write.
 *
 * Short attribute names keep it small (one write unit): see docs/table-design.md.
 */
import * as z from 'zod/mini';
import type { MemberKnowledge } from '../core/members';
import type { TransactionStatus } from '../core/transaction-status';
import { TABLE } from './table';
import { keys, parseTransactionKey, RECONCILE_PARTITION } from './keys';

/** Attribute names of a transaction item (besides the table and index keys). */
export const TRANSACTION_ATTRIBUTES = {
  status: 's',
  reportedStatus: 'rs',
  reportedStatusTime: 'rt',
  members: 'm',
  version: 'v',
  updatedAt: 'u',
  behindStatusTime: 'b',
  resultsMissing: 'x',
  /** Its orders' collection method (details.type): reports count walk-in transactions (CONTRACT §11). */
  collectionMethod: 'cm',
  /**
   * Catch-up reads in a row that did not improve a behind member (store/catch-up.ts);
   * set with a later sort key in RECONCILE_PARTITION, dropped by the item's next write.
   */
  catchUpReads: 'ca',
} as const;
const A = TRANSACTION_ATTRIBUTES;

const Source = z.enum(['webhook', 'api', 'transaction_listing']);

/** A member as stored, under its order id: origin, low-level status, status time, created_at, source, rank, listed status time. */
const StoredMember = z.object({
  o: z.nullable(z.string()),
  l: z.string(),
  st: z.string(),
  c: z.string(),
  so: Source,
  r: z.string(),
  lt: z.optional(z.nullable(z.string())),
  ra: z.optional(z.string()),
  // CONTRACT §9: has_missing_results (only when true), the status detail, when it first ended without all its results.
  hm: z.optional(z.boolean()),
  sd: z.optional(z.string()),
  mx: z.optional(z.string()),
  // CONTRACT §11: its lab's slug, when it first completed.
  lb: z.optional(z.string()),
  ca: z.optional(z.string()),
});

const StoredTransaction = z.object({
  [A.status]: z.enum(['active', 'completed', 'cancelled']),
  [A.reportedStatus]: z.nullable(z.string()),
  [A.reportedStatusTime]: z.nullable(z.string()),
  [A.members]: z.record(z.string(), StoredMember),
  [A.version]: z.int().check(z.nonnegative()),
  [A.updatedAt]: z.string(),
  [A.behindStatusTime]: z.optional(z.nullable(z.string())),
  [A.resultsMissing]: z.optional(z.boolean()),
  [A.collectionMethod]: z.optional(z.string()),
  [TABLE.ttlAttribute]: z.optional(z.number()),
});

export interface TransactionItem {
  id: string;
  status: TransactionStatus;
  reported_status: string | null;
  /** Canonical instant of the listing that gave reported_status. */
  reported_status_time: string | null;
  /** Each member as the transaction knows it (core/members.ts), by order id. */
  members: Record<string, MemberKnowledge>;
  version: number;
  updated_at: string;
  /** The earliest status time a member is behind its listings since, or null. */
  behind_status_time: string | null;
  /** Completed with results still missing (events' `results_missing`), as of the last status write. */
  results_missing?: boolean;
  /** When DynamoDB's TTL may delete the item (epoch seconds, CONTRACT §8), or null: kept. */
  expires_at?: number | null;
  /** Its orders' collection method (details.type), once an order of its own is known; absent in items written before reports. */
  collection_method?: string | null;
}

/** Whether an item (by its keys) is a transaction item. */
export function isTransactionItem(item: Record<string, unknown>): boolean {
  return parseTransactionKey(item) !== null;
}

export function parseTransactionItem(item: Record<string, unknown>): TransactionItem {
  const key = parseTransactionKey(item);
  if (key === null) throw new Error('not a transaction item');
  const stored = StoredTransaction.parse(item);
  return {
    id: key.transactionId,
    status: stored[A.status],
    reported_status: stored[A.reportedStatus],
    reported_status_time: stored[A.reportedStatusTime],
    members: Object.fromEntries(
      Object.entries(stored[A.members]).map(([id, member]) => [
        id,
        {
          id,
          origin: member.o,
          low_level_status: member.l,
          status_time: member.st,
          created_at: member.c,
          source: member.so,
          rank: member.r,
          listed_status_time: member.lt ?? null,
          ...(member.ra === undefined ? {} : { redraw_available_at: member.ra }),
          ...(member.hm === true ? { has_missing_results: true } : {}),
          ...(member.sd === undefined ? {} : { status_detail: member.sd }),
          ...(member.mx === undefined ? {} : { missing_results_at: member.mx }),
          ...(member.lb === undefined ? {} : { lab: member.lb }),
          ...(member.ca === undefined ? {} : { completed_at: member.ca }),
        },
      ]),
    ),
    version: stored[A.version],
    updated_at: stored[A.updatedAt],
    behind_status_time: stored[A.behindStatusTime] ?? null,
    results_missing: stored[A.resultsMissing] ?? false,
    expires_at: stored[TABLE.ttlAttribute] ?? null,
    collection_method: stored[A.collectionMethod] ?? null,
  };
}

export function transactionItem(transaction: TransactionItem): Record<string, unknown> {
  return {
    ...keys.transaction(transaction.id),
    ...(transaction.behind_status_time === null
      ? {}
      : {
          [TABLE.openRedraws.partitionKey]: RECONCILE_PARTITION,
          [TABLE.openRedraws.sortKey]: keys.behindSort(transaction.behind_status_time, transaction.id),
        }),
    [A.status]: transaction.status,
    [A.reportedStatus]: transaction.reported_status,
    [A.reportedStatusTime]: transaction.reported_status_time,
    [A.members]: Object.fromEntries(
      Object.values(transaction.members).map((member) => [
        member.id,
        {
          o: member.origin,
          l: member.low_level_status,
          st: member.status_time,
          c: member.created_at,
          so: member.source,
          r: member.rank,
          ...(member.listed_status_time === null ? {} : { lt: member.listed_status_time }),
          ...(member.redraw_available_at === undefined ? {} : { ra: member.redraw_available_at }),
          ...(member.has_missing_results === true ? { hm: true } : {}),
          ...(member.status_detail == null ? {} : { sd: member.status_detail }),
          ...(member.missing_results_at === undefined ? {} : { mx: member.missing_results_at }),
          ...(member.lab === undefined ? {} : { lb: member.lab }),
          ...(member.completed_at === undefined ? {} : { ca: member.completed_at }),
        },
      ]),
    ),
    [A.version]: transaction.version,
    [A.updatedAt]: transaction.updated_at,
    ...(transaction.behind_status_time === null ? {} : { [A.behindStatusTime]: transaction.behind_status_time }),
    ...(transaction.results_missing ? { [A.resultsMissing]: true } : {}),
    ...(transaction.collection_method == null ? {} : { [A.collectionMethod]: transaction.collection_method }),
    ...(transaction.expires_at === undefined || transaction.expires_at === null ? {} : { [TABLE.ttlAttribute]: transaction.expires_at }),
  };
}

export type { TransactionStatus };
