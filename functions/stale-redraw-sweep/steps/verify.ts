/**
 * Verify before flagging (CONTRACT §6): with a Junction session, a candidate
 * (and, for redraw_not_created, its transaction) is read from Junction, what is
 * newer applied, and what is still stale said. When Junction gives nothing
 * usable, the candidate stands as read (§4).
 */
import type { ListingSnapshot } from '../../core/order-record';
import { hasRedrawOrder, staleReason, type StaleReason } from '../../core/staleness';
import type { ApiOrderApplied } from '../../store/api-orders';
import { getOrder } from '../../store/order-reads';
import { refileOpenRedraw, type IndexedOrder } from '../../store/redraws';
import { OPEN_REDRAW_PARTITIONS, type OpenRedrawPartition } from '../../store/keys';
import type { RecomputeResult } from '../../store/transactions';
import { seenOf, type StaleRules } from './rules';

type Members = Readonly<Record<string, { id: string; origin: string | null }>> | undefined;

/** A candidate still stale after its verification: the order as stored now, and why. */
export interface Verified {
  order: IndexedOrder;
  reason: StaleReason;
}

/** Whether the verification reads the candidate's transaction too: for redraw_not_created, when it has one. */
export function readsTransaction(reason: StaleReason, transactionId: string | null): transactionId is string {
  return reason === 'redraw_not_created' && transactionId !== null;
}

function listingHasRedraw(listing: ListingSnapshot | null, orderId: string): boolean {
  return listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== orderId));
}

function otherMembers(members: Members, orderId: string) {
  return Object.values(members ?? {}).filter((member) => member.id !== orderId);
}

/** Whether a redraw order other than the candidate is known now: as read before, or in what Junction answered. */
export function redrawSeen(
  orderId: string,
  hasRedraw: boolean,
  applied: Pick<ApiOrderApplied, 'listing' | 'recompute'> | null,
  transactionRead: Pick<RecomputeResult, 'transaction'> | null,
): boolean {
  return (
    hasRedraw ||
    listingHasRedraw(applied?.listing ?? null, orderId) ||
    hasRedrawOrder(otherMembers(applied?.recompute?.transaction.members, orderId)) ||
    hasRedrawOrder(otherMembers(transactionRead?.transaction.members, orderId))
  );
}

/** The unflagged partition an order stored now is in, or null when it left the index or was flagged meanwhile. */
export function unflaggedPartition(partition: OpenRedrawPartition | null): OpenRedrawPartition | null {
  return partition === null || partition === OPEN_REDRAW_PARTITIONS.stale ? null : partition;
}

/** The candidate as verified with Junction (itself without a session), or null: nothing to flag any more. */
export async function verifyCandidate(rules: StaleRules, order: IndexedOrder, reason: StaleReason, hasRedraw: boolean): Promise<Verified | null> {
  const { ctx, view, known } = rules;
  const { db, tableName, session, now, thresholds, tally } = ctx;
  if (session === null) return { order, reason };
  const orderId = order.record.id;
  const transactionId = order.record.transaction_id;
  // The candidate as read: a current order costs the verification no refused write.
  const applied = await session.reconcileOrder(orderId, { record: order.record, listing: order.listing });
  const transactionRead = readsTransaction(reason, transactionId) ? await session.reconcileTransaction(transactionId, order.record.collection_method) : null;
  if (applied === null && transactionRead === null) return { order, reason };
  const redrawNow = redrawSeen(orderId, hasRedraw, applied, transactionRead);
  if (redrawNow) known.learned(order);
  // What is stored now (strongly consistent): the API's state, or a newer one, with its partition.
  const current = await getOrder(db, tableName, orderId);
  if (current === null) return null;
  const partition = unflaggedPartition(current.openRedraw);
  if (partition === null) return null;
  const currentOrder: IndexedOrder = { ...current, openRedraw: partition, notificationPending: false };
  const stillStale = staleReason(current.record, redrawNow, now, thresholds, view.appointmentOf(order));
  if (stillStale === null) {
    if (redrawNow && (await refileOpenRedraw(db, tableName, seenOf(currentOrder), current.record, true)) === 'written') tally.cleared++;
    return null;
  }
  return { order: currentOrder, reason: stillStale };
}
