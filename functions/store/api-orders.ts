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
import { BATCH_GET_MAX_KEYS, type TableClient } from './table-client';
import { listingFromTransaction, projectOrder, type ListedTransaction, type ListingSnapshot, type OrderRecord } from '../core/order-record';
import type { OrderPayload } from '../core/schemas';
import { syncAction, type HeldOrder, type SyncAction } from '../core/sync-apply';
import { forEachLimited } from '../shared/concurrency';
import { parseOrderItem } from './order-items';
import { putOwnOrder, type ApplyResult } from './orders';
import { keys } from './keys';
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
  /** What was written: the order's conditional put (`put`), only its listing (`listing`), or nothing (`none`: see syncAction). */
  action: SyncAction;
}

/**
 * Applies an order read from Junction's API (a validated `ClientFacingOrder`,
 * the same shape as a webhook's `data`) exactly like a webhook of it, and carries
 * its transaction listing into the transaction even when the order itself was a
 * duplicate or stale: the listing may still know members, or newer member
 * states, that the tracker does not. Idempotent: applying the same answer again
 * writes nothing new. With `held` (what the caller already read of the order), an
 * answer that is not newer writes no order item, and its listing is carried only
 * when it tells the transaction something (syncAction), as the sync does.
 */
export async function applyApiOrder(
  db: TableClient,
  tableName: string,
  order: OrderPayload,
  held?: HeldOrder | null,
): Promise<ApiOrderApplied> {
  const projected = projectOrder(order, 'api');
  const { listing } = projected;
  // What the caller read of the order: an answer that is not newer costs no refused write
  // (CONTRACT §6); a race with a newer write is still the condition's to judge.
  const action = held === undefined ? 'put' : syncAction(projected, held);
  const result: ApplyResult =
    action === 'put' ? await putOwnOrder(db, tableName, projected, 'api') : held?.record.rank === projected.record.rank ? 'duplicate' : 'stale';
  // The listing goes into the transaction unless the put applied (the stream carries it) or it tells nothing new.
  const carry = listing !== null && action !== 'none' && result !== 'applied';
  const recompute = carry ? await recomputeTransaction(db, tableName, listing.transaction_id, { orders: [], listings: [listing] }) : null;
  return { result, record: projected.record, listing, recompute, action };
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

/** What applying a page of API orders did (CONTRACT §6, continuous sync). */
export interface ApiPageApplied {
  /** Orders given. */
  read: number;
  /** Order items written (the API's state was newer). */
  applied: number;
  /** Conditional writes refused (a newer or the same state arrived between the read and the write). */
  refused: number;
  /** Orders whose held state was as new or newer: no order write. */
  unchanged: number;
  /** Of those, orders whose listing still told the transaction something (carried, no order write). */
  listings: number;
  /** Ids of the orders whose stored state this page replaced. */
  appliedIds: string[];
}

/** Orders applied at once: enough to overlap round trips, few enough to stay polite to the table. */
const PAGE_CONCURRENCY = 8;

/**
 * Applies a page of orders read from Junction's API (at most 100) as
 * applyApiOrder would, but writes only what is newer: it first reads what the
 * table holds for them with ONE BatchGetItem (eventually consistent: a few read
 * units instead of a write unit per refused write), then puts the orders whose
 * API state is newer through the webhook's conditional write (which stays the
 * judge of a race) and carries a listing into its transaction only when it tells
 * something the held item's listing did not (syncAction). Throws on an unexpected
 * failure (the page is then not applied whole: the caller does not move past it).
 */
export async function applyApiOrdersPage(db: TableClient, tableName: string, orders: readonly OrderPayload[]): Promise<ApiPageApplied> {
  // One state per id (a page should not repeat one; BatchGetItem refuses duplicate keys).
  const byId = new Map(orders.map((order) => [order.id, order]));
  const ids = [...byId.keys()];
  if (ids.length > BATCH_GET_MAX_KEYS) throw new RangeError(`at most ${BATCH_GET_MAX_KEYS} orders per page`);
  const held = new Map<string, HeldOrder>();
  if (ids.length > 0) {
    const found = await db.batchGet({ RequestItems: { [tableName]: { Keys: ids.map((id) => keys.order(id)), ConsistentRead: false } } });
    for (const item of found[tableName] ?? []) {
      const stored = parseOrderItem(item);
      held.set(stored.record.id, { record: stored.record, listing: stored.listing });
    }
  }
  const result: ApiPageApplied = { read: orders.length, applied: 0, refused: 0, unchanged: 0, listings: 0, appliedIds: [] };
  await forEachLimited([...byId.values()], PAGE_CONCURRENCY, async (order) => {
    const applied = await applyApiOrder(db, tableName, order, held.get(order.id) ?? null);
    if (applied.action !== 'put') {
      result.unchanged++;
      if (applied.action === 'listing') result.listings++;
    } else if (applied.result === 'applied') {
      result.applied++;
      result.appliedIds.push(order.id);
    } else {
      result.refused++;
    }
  });
  return result;
}
