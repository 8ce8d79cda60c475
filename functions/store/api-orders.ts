/**
 * Applying what Junction's API says (CONTRACT §6): an order read from the API
 * goes through the very write path of a webhook of it (same projection, same
 * ordering rule, one conditional PutItem), stored with `source: 'api'`; a
 * transaction read from the API is a listing, merged by the transaction
 * recompute like a listing a webhook carries.
 *
 * The sweep and the backfill call these; neither ever writes an order item or a
 * transaction item any other way.
 */
import type { TableClient } from './table-client';
import { listingFromTransaction, projectOrder, type ListedTransaction, type ListingSnapshot, type OrderRecord } from '../core/order-record';
import type { OrderPayload } from '../core/schemas';
import { putOwnOrder, type ApplyResult } from './orders';
import { recomputeTransaction, type RecomputeResult } from './transactions';

export interface ApiOrderApplied {
  /** What the order's PutItem did: `applied` (stored, source api), `duplicate` (that event is stored, source unchanged) or `stale` (a newer one is stored). */
  result: ApplyResult;
  /** The record the API's answer projects to (its source is `api`; the stored one differs unless `result` is `applied`). */
  record: OrderRecord;
  /** The transaction listing the answer carried, if any (ids, statuses, times: no PHI). */
  listing: ListingSnapshot | null;
  /**
   * The transaction recompute made here with that listing, when the put did not
   * apply. When it applied, the transaction function does it from the stream, as
   * for a webhook; null then, and when the order has no transaction.
   */
  recompute: RecomputeResult | null;
}

/**
 * Applies an order read from Junction's API (a validated `ClientFacingOrder`,
 * the same shape as a webhook's `data`) exactly like a webhook of it, and carries
 * its transaction listing into the transaction even when the order itself was a
 * duplicate or stale: the listing may still know members, or newer member
 * states, that the tracker does not. Idempotent: applying the same answer again
 * writes nothing new.
 */
export async function applyApiOrder(
  db: TableClient,
  tableName: string,
  order: OrderPayload,
): Promise<ApiOrderApplied> {
  const projected = projectOrder(order, 'api');
  const result = await putOwnOrder(db, tableName, projected, 'api');
  const { listing } = projected;
  const recompute =
    result !== 'applied' && listing !== null
      ? await recomputeTransaction(db, tableName, listing.transaction_id, { orders: [], listings: [listing] })
      : null;
  return { result, record: projected.record, listing, recompute };
}

/**
 * Applies a transaction read from Junction's API (`GET /v3/order_transaction/{id}`)
 * as a listing: members the tracker did not know join as listing members, known
 * ones keep their own state (a listing never replaces it) and remember the listed
 * status time (catch-up). `collectionMethod` stands in for the listed orders'
 * methods, which the endpoint does not give (see listingFromTransaction).
 */
export async function applyApiTransaction(
  db: TableClient,
  tableName: string,
  transaction: ListedTransaction,
  collectionMethod: string,
): Promise<RecomputeResult> {
  const listing = listingFromTransaction(transaction, collectionMethod);
  return recomputeTransaction(db, tableName, transaction.id, { orders: [], listings: [listing] });
}
