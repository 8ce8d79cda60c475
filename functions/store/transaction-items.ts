/**
 * How a transaction is laid out as a table item, and read back. It lives in the
 * by-transaction partition beside its member orders, so one Query reads both.
 *
 * `members` is the tracker's merged knowledge of every member (from each order's
 * own webhook, or from listings), keyed by order id. Merging only ever moves a
 * member to a newer record (`isNewerRecord`), so the map grows monotonically and
 * recomputes from older data can be detected and merged instead of overwriting.
 * `version` increases by one on every write (optimistic concurrency).
 *
 * A transaction with a member whose own state is behind what a listing showed
 * (`behind_status_time`) also sits in the sparse `RECONCILE#behind` partition of
 * the open-redraws index, sorted by that time: the sweep finds the members to
 * read from Junction's API with a Query, never a Scan. The keys come and go with
 * the transaction item's own write, so the webhook path stays one write.
 */
import * as z from 'zod';
import type { TransactionStatus } from '../core/transaction-status';
import { keys, RECONCILE_PARTITION, TABLE, TRANSACTION_ITEM_GSI1SK } from './table';

const MemberSummary = z.object({
  id: z.string(),
  origin: z.string().nullable(),
  low_level_status: z.string(),
  status_time: z.string(),
  created_at: z.string(),
  source: z.enum(['webhook', 'api', 'transaction_listing']),
  rank: z.string(),
  /** Absent on items written before catch-up existed: nothing listed known. */
  listed_status_time: z.string().nullable().default(null),
});
export type MemberSummary = z.infer<typeof MemberSummary>;

const TransactionItem = z.object({
  id: z.string(),
  status: z.enum(['active', 'completed', 'cancelled']),
  reported_status: z.string().nullable(),
  /** Canonical instant of the listing that gave reported_status. */
  reported_status_time: z.string().nullable(),
  members: z.record(z.string(), MemberSummary),
  version: z.number().int().nonnegative(),
  updated_at: z.string(),
  /** Absent on items written before catch-up existed; the next recompute sets it. */
  behind_status_time: z.string().nullable().default(null),
});
export type TransactionItem = z.infer<typeof TransactionItem>;

export function parseTransactionItem(item: Record<string, unknown>): TransactionItem {
  return TransactionItem.parse(item);
}

/** The item for a transaction (fields with defaults may be left out, as on items written before they existed). */
export function transactionItem(input: z.input<typeof TransactionItem>): Record<string, unknown> {
  const transaction = TransactionItem.parse(input);
  return {
    ...keys.transaction(transaction.id),
    [TABLE.byTransaction.partitionKey]: keys.transactionPartition(transaction.id),
    [TABLE.byTransaction.sortKey]: TRANSACTION_ITEM_GSI1SK,
    ...(transaction.behind_status_time === null
      ? {}
      : {
          [TABLE.openRedraws.partitionKey]: RECONCILE_PARTITION,
          [TABLE.openRedraws.sortKey]: keys.behindSort(transaction.behind_status_time, transaction.id),
        }),
    ...transaction,
  };
}

export type { TransactionStatus };
