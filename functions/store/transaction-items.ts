/**
 * How a transaction is laid out as a table item, and read back. It lives in the
 * by-transaction partition beside its member orders, so one Query reads both.
 *
 * `members` is the tracker's merged knowledge of every member (from each order's
 * own webhook, or from listings), keyed by order id. Merging only ever moves a
 * member to a newer record (`isNewerRecord`), so the map grows monotonically and
 * recomputes from older data can be detected and merged instead of overwriting.
 * `version` increases by one on every write (optimistic concurrency).
 */
import * as z from 'zod';
import type { TransactionStatus } from '../core/transaction-status';
import { keys, TRANSACTION_ITEM_GSI1SK } from './table';

const MemberSummary = z.object({
  id: z.string(),
  origin: z.string().nullable(),
  low_level_status: z.string(),
  status_time: z.string(),
  created_at: z.string(),
  source: z.enum(['webhook', 'transaction_listing']),
  rank: z.string(),
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
});
export type TransactionItem = z.infer<typeof TransactionItem>;

export function parseTransactionItem(item: Record<string, unknown>): TransactionItem {
  return TransactionItem.parse(item);
}

export function transactionItem(transaction: TransactionItem): Record<string, unknown> {
  return {
    ...keys.transaction(transaction.id),
    gsi1pk: keys.transactionPartition(transaction.id),
    gsi1sk: TRANSACTION_ITEM_GSI1SK,
    ...transaction,
  };
}

export type { TransactionStatus };
