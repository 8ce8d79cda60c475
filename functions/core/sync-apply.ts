/**
 * What the continuous sync must write for an order read from Junction's API,
 * given what the table holds for it (CONTRACT §6: "an order that the tracker
 * already holds in the state the API gives costs no write"). A conditional write
 * that its condition refuses still bills a write unit, so the sync reads the
 * page's orders first (one BatchGetItem) and asks this for each.
 */
import { isNewerRecord, type OrderRecord, type ProjectedOrder, type ListingSnapshot } from './order-record';

/**
 * - `put`: the API's state is newer than the stored one (or none is stored, or only a listing's):
 *   the webhook's own conditional write (with its listing, through the stream).
 * - `listing`: the stored state is as new or newer, but the answer's transaction listing
 *   shows something the stored item's listing does not (a sibling that moved on or joined):
 *   that listing is carried into the transaction, and the order item is not written.
 * - `none`: nothing to write.
 */
export type SyncAction = 'put' | 'listing' | 'none';

/** What the table holds for the order (read eventually consistently: the write's condition stays the judge). */
export interface HeldOrder {
  record: Pick<OrderRecord, 'source' | 'rank'>;
  listing: ListingSnapshot | null;
}

export function syncAction(projected: ProjectedOrder, held: HeldOrder | null): SyncAction {
  if (held === null || isNewerRecord({ ...projected.record, source: 'api' }, held.record)) return 'put';
  if (projected.listing !== null && listingAddsTo(projected.listing, held.listing)) return 'listing';
  return 'none';
}

/**
 * Whether `candidate` tells anything `known` does not: a member it does not
 * list, a member at a newer status (by the listing's rank), or a newer
 * transaction status. Members' own states are never replaced by a listing, so a
 * listing that adds nothing changes nothing when merged.
 */
export function listingAddsTo(candidate: ListingSnapshot, known: ListingSnapshot | null): boolean {
  if (known === null || known.transaction_id !== candidate.transaction_id) return true;
  const knownRanks = new Map(known.members.map((member) => [member.id, member.rank]));
  for (const member of candidate.members) {
    const rank = knownRanks.get(member.id);
    if (rank === undefined || member.rank > rank) return true;
  }
  return candidate.reported_status !== known.reported_status && candidate.reported_status_time >= known.reported_status_time;
}
