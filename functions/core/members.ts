/**
 * What the tracker knows about an order transaction, merged from every source:
 * the stored transaction item, the member order items, the records of a stream
 * batch and the transaction listings those records carry (CONTRACT §3, members).
 *
 * Merging is monotonic: a member only ever moves to a newer record
 * (`isNewerRecord`: the order's own webhook beats any listing; within a source the
 * higher rank wins), and `reported_status` only to a listing with a newer status
 * time. So recomputes from different, partly stale views converge: merging what a
 * concurrent writer stored with what we know gives the same answer in any order.
 */
import { isNewerRecord, type ListingSnapshot, type OrderRecord } from './order-record';
import { hasRedrawOrder } from './staleness';
import { isAwaitingRedraw, transactionStatus, type TransactionStatus } from './transaction-status';

/** The part of an order record a transaction keeps about each member. */
export type MemberKnowledge = Pick<
  OrderRecord,
  'id' | 'origin' | 'low_level_status' | 'status_time' | 'created_at' | 'source' | 'rank'
>;

/** A transaction's state as the tracker computes it (the stored item adds a version). */
export interface TransactionKnowledge {
  id: string;
  status: TransactionStatus;
  /** Junction's own status for the transaction, from the listing with the newest status time. */
  reported_status: string | null;
  /** Canonical instant of the listing that gave `reported_status`. */
  reported_status_time: string | null;
  members: Record<string, MemberKnowledge>;
  /** The newest status time among members (Junction's time, never our clock). */
  updated_at: string;
}

/** An order item as stored, as far as a recompute cares. */
export interface KnownOrder {
  record: OrderRecord;
  /** Whether the item carries open-redraws index keys (any partition, flagged or not). */
  inOpenRedraws: boolean;
}

export function memberOf(record: MemberKnowledge): MemberKnowledge {
  const { id, origin, low_level_status, status_time, created_at, source, rank } = record;
  return { id, origin, low_level_status, status_time, created_at, source, rank };
}

/** `base` with every candidate that is newer than what it holds for that order (a new map). */
export function mergeMembers(
  base: Readonly<Record<string, MemberKnowledge>>,
  candidates: Iterable<MemberKnowledge>,
): Record<string, MemberKnowledge> {
  const merged: Record<string, MemberKnowledge> = { ...base };
  for (const candidate of candidates) {
    const current = merged[candidate.id];
    if (current === undefined || isNewerRecord(candidate, current)) merged[candidate.id] = memberOf(candidate);
  }
  return merged;
}

function sameMember(a: MemberKnowledge, b: MemberKnowledge): boolean {
  return (
    a.id === b.id &&
    a.origin === b.origin &&
    a.low_level_status === b.low_level_status &&
    a.status_time === b.status_time &&
    a.created_at === b.created_at &&
    a.source === b.source &&
    a.rank === b.rank
  );
}

export function sameMembers(a: Readonly<Record<string, MemberKnowledge>>, b: Readonly<Record<string, MemberKnowledge>>): boolean {
  const ids = Object.keys(a);
  if (ids.length !== Object.keys(b).length) return false;
  return ids.every((id) => {
    const other = b[id];
    return other !== undefined && sameMember(a[id]!, other);
  });
}

export interface ReportedStatus {
  status: string | null;
  time: string | null;
}

/**
 * Junction's status for the transaction from the listing with the newest status
 * time. Ties keep `current` (so the answer does not depend on delivery order once
 * stored), and a listing without a status does not erase a known one.
 */
export function newestReportedStatus(
  current: ReportedStatus,
  listings: Iterable<Pick<ListingSnapshot, 'reported_status' | 'reported_status_time'>>,
): ReportedStatus {
  let newest = current;
  for (const listing of listings) {
    if (listing.reported_status === null) continue;
    if (newest.time === null || listing.reported_status_time > newest.time) {
      newest = { status: listing.reported_status, time: listing.reported_status_time };
    }
  }
  return newest;
}

/** The newest of each order's records, by the ordering rule; later arguments win ties (fresher views). */
export function newestRecords<T extends { record: OrderRecord }>(views: Iterable<T>): Map<string, T> {
  const newest = new Map<string, T>();
  for (const view of views) {
    const current = newest.get(view.record.id);
    if (current === undefined || !isNewerRecord(current.record, view.record)) newest.set(view.record.id, view);
  }
  return newest;
}

export interface RecomputeInput {
  transactionId: string;
  /** The stored transaction, if any. */
  stored: TransactionKnowledge | null;
  /** The newest known item of each member order (from the Query, the batch's images, failed conditions). */
  known: ReadonlyMap<string, KnownOrder>;
  /** Listings of this transaction carried by the batch's records. */
  listings: readonly ListingSnapshot[];
}

export interface RecomputePlan {
  transaction: TransactionKnowledge;
  /** Whether the transaction differs from the stored one (members, status, reported status). */
  transactionChanged: boolean;
  /** Orders known only from listings whose order item is missing or older: store these records. */
  listingOrders: OrderRecord[];
  /** Orders awaiting a redraw that is now known: they leave the open-redraws index (and lose a stale flag). */
  leavingOpenRedraws: OrderRecord[];
}

/** Whether the plan has anything to write. */
export function needsWrite(plan: RecomputePlan): boolean {
  return plan.transactionChanged || plan.listingOrders.length > 0 || plan.leavingOpenRedraws.length > 0;
}

/**
 * Recomputes a transaction from everything known (CONTRACT §3) and says what to
 * write. Pure: the same knowledge always gives the same plan, and a plan built
 * from knowledge that is already stored writes nothing.
 */
export function planRecompute(input: RecomputeInput): RecomputePlan {
  const { stored, known, listings } = input;
  const newestListed = newestRecords(listings.flatMap((listing) => listing.members.map((record) => ({ record }))));
  const members = mergeMembers(stored?.members ?? {}, [
    ...[...known.values()].map((order) => order.record),
    ...[...newestListed.values()].map((listed) => listed.record),
  ]);
  const memberList = Object.values(members);
  const status = transactionStatus(memberList);
  const reported = newestReportedStatus(
    { status: stored?.reported_status ?? null, time: stored?.reported_status_time ?? null },
    listings,
  );
  const transaction: TransactionKnowledge = {
    id: input.transactionId,
    status,
    reported_status: reported.status,
    reported_status_time: reported.time,
    members,
    updated_at: newestStatusTime(memberList) ?? stored?.updated_at ?? '',
  };
  const transactionChanged =
    stored === null ||
    stored.status !== transaction.status ||
    stored.reported_status !== transaction.reported_status ||
    stored.reported_status_time !== transaction.reported_status_time ||
    stored.updated_at !== transaction.updated_at ||
    !sameMembers(stored.members, members);

  // A listed record is stored only while it is the member's best knowledge and no
  // item (the order's own webhook, or a newer listing) is stored for that order.
  const listingOrders = [...newestListed.values()]
    .map((listed) => listed.record)
    .filter((record) => {
      const member = members[record.id];
      if (member === undefined || member.source !== 'transaction_listing' || member.rank !== record.rank) return false;
      const item = known.get(record.id)?.record;
      return item === undefined || isNewerRecord(record, item);
    });
  const writing = new Set(listingOrders.map((record) => record.id));
  const leavingOpenRedraws = hasRedrawOrder(memberList)
    ? [...known.values()]
        .filter((order) => order.inOpenRedraws && isAwaitingRedraw(order.record) && !writing.has(order.record.id))
        .map((order) => order.record)
    : [];
  return { transaction, transactionChanged, listingOrders, leavingOpenRedraws };
}

function newestStatusTime(members: readonly MemberKnowledge[]): string | null {
  let newest: string | null = null;
  for (const member of members) if (newest === null || member.status_time > newest) newest = member.status_time;
  return newest;
}
