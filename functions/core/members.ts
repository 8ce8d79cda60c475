/**
 * What the tracker knows about an order transaction, merged from every source:
 * the stored transaction item, the member order items, the records of a stream
 * batch and the transaction listings those records carry (CONTRACT §3, members).
 *
 * Merging is monotonic: a member only ever moves to a newer record
 * (`isNewerRecord`: the order's own state, from its webhook or the API, beats any
 * listing; otherwise the higher rank wins), `listed_status_time` only to a later
 * time, and `reported_status` only to a listing with a newer status time. So
 * recomputes from different, partly stale views converge: merging what a
 * concurrent writer stored with what we know gives the same answer in any order.
 */
import { isNewerRecord, isOwnSource, listedStatusTimeOf, type ListingSnapshot, type OrderRecord } from './order-record';
import { missingResultsAt } from './follow-up/situation';
import { hasRedrawOrder } from './staleness';
import { isAwaitingRedraw, transactionStatus, type TransactionStatus } from './transaction-status';

/** What a transaction learns about a member from one record (an order item, or a listing's entry). */
export type MemberRecord = Pick<
  OrderRecord,
  'id' | 'origin' | 'low_level_status' | 'status_time' | 'created_at' | 'source' | 'rank' | 'redraw_available_at' | 'status_detail' | 'missing_results_at' | 'lab' | 'completed_at'
> & {
  listed_status_time?: string | null;
  /** Junction's `has_missing_results` of the member's own state; null or absent when not known (a listing). */
  has_missing_results?: boolean | null;
};

/** The part of an order record a transaction keeps about each member. */
export type MemberKnowledge = Pick<
  OrderRecord,
  'id' | 'origin' | 'low_level_status' | 'status_time' | 'created_at' | 'source' | 'rank'
> & {
  /**
   * The newest status time any listing showed for this member (Junction's time),
   * kept even when the member has its own state: when it is newer than the
   * member's own status time, a webhook of the member was probably lost (CONTRACT
   * §6, catch-up). Null when no listing gave a status time.
   */
  listed_status_time: string | null;
  /**
   * When the member was first seen in redraw_available (Junction's status time),
   * by any record of it: kept when it moves on, so a transaction that had a
   * redraw keeps its follow-up (CONTRACT §9). Absent when never seen there.
   */
  redraw_available_at?: string;
  /** Junction's `has_missing_results` of its own state (CONTRACT §9); absent when not known or not true. */
  has_missing_results?: boolean | null;
  /** Its newest event's status detail (an operational code); absent when none. */
  status_detail?: string | null;
  /**
   * When the member was first seen ended without all its results, by any
   * record of it (core/follow-up/situation.ts missingResultsAt): kept when a later state
   * brings them, so a transaction that had missing results keeps its follow-up.
   */
  missing_results_at?: string;
  /** Its lab's slug (CONTRACT §11), from any own record of it: kept when a later record names none. */
  lab?: string;
  /** When it first completed (Junction's status time), by any record of it; absent when never. */
  completed_at?: string;
};

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
  /**
   * The earliest status time at which a member's own state fell behind what a
   * listing shows for it (see `behindSince`), or null when none is behind: the
   * sweep reads those members from Junction's API once this is old enough.
   */
  behind_status_time: string | null;
}

/** An order item as stored, as far as a recompute cares. */
export interface KnownOrder {
  record: OrderRecord;
  /** Whether the item carries open-redraws index keys (any partition, flagged or not). */
  inOpenRedraws: boolean;
  /** The item's TTL (epoch seconds), null when it has none; undefined when not known. */
  expiresAt?: number | null;
}

export function memberOf(record: MemberRecord): MemberKnowledge {
  const { id, origin, low_level_status, status_time, created_at, source, rank } = record;
  const member: MemberKnowledge = { id, origin, low_level_status, status_time, created_at, source, rank, listed_status_time: listedTimeOf(record) };
  const seen = redrawAvailableOf(record);
  if (seen !== null) member.redraw_available_at = seen;
  // Only an own state says whether results are missing (a listing does not carry it: complete until it says otherwise).
  if (isOwnSource(record.source) && record.has_missing_results === true) member.has_missing_results = true;
  if (record.status_detail != null) member.status_detail = record.status_detail;
  const missing = missingResultsAt(record);
  if (missing !== null) member.missing_results_at = missing;
  if (record.lab != null) member.lab = record.lab;
  if (record.completed_at !== undefined) member.completed_at = record.completed_at;
  return member;
}

/** When a record shows its order in redraw_available: its history's time, or its state's; the earlier. */
export function redrawAvailableOf(record: MemberRecord): string | null {
  const now = isAwaitingRedraw(record) ? record.status_time : null;
  const seen = record.origin === 'redraw' ? null : (record.redraw_available_at ?? null);
  return earlier(seen, now);
}

function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b !== null && b < a ? b : a;
}

/** The newest listed status time a record carries: its own when it is a listing's entry, or the one it kept. */
function listedTimeOf(record: MemberRecord): string | null {
  return later(record.listed_status_time ?? null, listedStatusTimeOf(record));
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b !== null && b > a ? b : a;
}

/**
 * `base` with every candidate that is newer than what it holds for that order,
 * and every listed status time that is later than the one it kept (a new map).
 */
export function mergeMembers(
  base: Readonly<Record<string, MemberRecord>>,
  candidates: Iterable<MemberRecord>,
): Record<string, MemberKnowledge> {
  const merged: Record<string, MemberKnowledge> = Object.fromEntries(Object.entries(base).map(([id, member]) => [id, memberOf(member)]));
  for (const candidate of candidates) {
    const current = merged[candidate.id];
    const listed = later(current?.listed_status_time ?? null, listedTimeOf(candidate));
    const base = current === undefined || isNewerRecord(candidate, current) ? memberOf(candidate) : current;
    const next = base.listed_status_time === listed ? base : { ...base, listed_status_time: listed };
    // Once seen in redraw_available, or ended without all its results, always known to have been (the earliest time any record showed).
    const seen = earlier(current ? redrawAvailableOf(current) : null, redrawAvailableOf(candidate));
    const withSeen = seen === null || next.redraw_available_at === seen ? next : { ...next, redraw_available_at: seen };
    const missing = earlier(current ? missingResultsAt(current) : null, missingResultsAt(candidate));
    const withMissing = missing === null || withSeen.missing_results_at === missing ? withSeen : { ...withSeen, missing_results_at: missing };
    merged[candidate.id] = withStickyFacts(withMissing, current, candidate);
  }
  return merged;
}

/**
 * A member with the facts no record takes back: its lab (a record that names
 * none keeps the one known; a newer one that names another wins) and when it
 * first completed (the earliest any record showed).
 */
function withStickyFacts(member: MemberKnowledge, current: MemberKnowledge | undefined, candidate: MemberRecord): MemberKnowledge {
  const lab = member.lab ?? current?.lab ?? (candidate.lab == null ? undefined : candidate.lab);
  const completed = earlier(current?.completed_at ?? null, candidate.completed_at ?? null);
  const next = lab === undefined || member.lab === lab ? member : { ...member, lab };
  return completed === null || next.completed_at === completed ? next : { ...next, completed_at: completed };
}

/**
 * Since when (Junction's status time) a member's own state is behind what the
 * tracker has seen listed for it, or null when it is not behind: a member known
 * only from listings is behind since its listed status time (no webhook of it
 * came), a member with its own state when a listing showed a later status time
 * than its own `last_event`'s (CONTRACT §6, catch-up).
 */
export function behindSince(member: MemberKnowledge): string | null {
  if (!isOwnSource(member.source)) return member.status_time;
  return member.listed_status_time !== null && member.listed_status_time > member.status_time ? member.listed_status_time : null;
}

/** The earliest `behindSince` among members, or null when none is behind. */
export function earliestBehind(members: Iterable<MemberKnowledge>): string | null {
  let earliest: string | null = null;
  for (const member of members) {
    const since = behindSince(member);
    if (since !== null && (earliest === null || since < earliest)) earliest = since;
  }
  return earliest;
}

/** Members behind since before `before` (a canonical instant), longest behind first. */
export function membersBehindBefore(members: Iterable<MemberKnowledge>, before: string): MemberKnowledge[] {
  return [...members]
    .map((member) => ({ member, since: behindSince(member) }))
    .filter((entry): entry is { member: MemberKnowledge; since: string } => entry.since !== null && entry.since < before)
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.member.id.localeCompare(b.member.id)))
    .map((entry) => entry.member);
}

function sameMember(a: MemberKnowledge, b: MemberKnowledge): boolean {
  return (
    a.id === b.id &&
    a.origin === b.origin &&
    a.low_level_status === b.low_level_status &&
    a.status_time === b.status_time &&
    a.created_at === b.created_at &&
    a.source === b.source &&
    a.rank === b.rank &&
    a.listed_status_time === b.listed_status_time &&
    (a.redraw_available_at ?? null) === (b.redraw_available_at ?? null) &&
    (a.missing_results_at ?? null) === (b.missing_results_at ?? null) &&
    (a.has_missing_results ?? null) === (b.has_missing_results ?? null) &&
    (a.status_detail ?? null) === (b.status_detail ?? null) &&
    (a.lab ?? null) === (b.lab ?? null) &&
    (a.completed_at ?? null) === (b.completed_at ?? null)
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

/**
 * The newest of each order's records, by the ordering rule; later arguments win
 * ties (fresher views). The newest keeps the earliest time any of them showed
 * the order in redraw_available (an older record may be the only one that says it).
 */
export function newestRecords<T extends { record: OrderRecord }>(views: Iterable<T>): Map<string, T> {
  const newest = new Map<string, T>();
  for (const view of views) {
    const current = newest.get(view.record.id);
    const winner = current === undefined || !isNewerRecord(current.record, view.record) ? view : current;
    const seen = earlier(current ? redrawAvailableOf(current.record) : null, redrawAvailableOf(view.record));
    const withSeen = seen === null || winner.record.redraw_available_at === seen ? winner : { ...winner, record: { ...winner.record, redraw_available_at: seen } };
    const missing = earlier(current ? missingResultsAt(current.record) : null, missingResultsAt(view.record));
    newest.set(view.record.id, missing === null || withSeen.record.missing_results_at === missing ? withSeen : { ...withSeen, record: { ...withSeen.record, missing_results_at: missing } });
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

/**
 * Whether `next` must be stored over `stored`: only what the member order items
 * cannot tell a reader, who merges them in (the webhook writes every own state
 * of an order to its item anyway, and listings ride on those items). That is:
 * who the members are and their origins (a redraw joining changes what is
 * awaited), which ones are known only from listings and their listed state,
 * which members are behind their listings and since when (the catch-up index
 * keys follow it), and Junction's status for the transaction when it came from a
 * listing no stored item carries (`external`) and is newer than what the stored
 * item and the listings the member items carry (`carried`) give a reader. A member's own newer state alone
 * is not stored, nor a listed status time that does not put it behind (its own
 * status time only moves forward, so such a time can never matter again).
 */
export function needsStoring(
  stored: TransactionKnowledge | null,
  next: TransactionKnowledge,
  external: Iterable<Pick<ListingSnapshot, 'reported_status' | 'reported_status_time'>> = [],
  carried: Iterable<Pick<ListingSnapshot, 'reported_status' | 'reported_status_time'>> = [],
): boolean {
  if (stored === null) return true;
  if (stored.behind_status_time !== next.behind_status_time) return true;
  const ids = Object.keys(next.members);
  if (ids.length !== Object.keys(stored.members).length) return true;
  for (const id of ids) {
    const before = stored.members[id];
    const after = next.members[id]!;
    if (before === undefined || before.origin !== after.origin || before.created_at !== after.created_at) return true;
    if (isOwnSource(before.source) !== isOwnSource(after.source)) return true;
    if (!isOwnSource(after.source) && before.rank !== after.rank) return true;
    if (behindSince(before) !== behindSince(after)) return true;
    // A member's past in redraw_available, or ended without its results: its own item may not say it any more.
    if ((before.redraw_available_at ?? null) !== (after.redraw_available_at ?? null)) return true;
    if ((before.missing_results_at ?? null) !== (after.missing_results_at ?? null)) return true;
  }
  // What a reader gets already: the stored status merged with the listings member items carry.
  const current = newestReportedStatus({ status: stored.reported_status, time: stored.reported_status_time }, carried);
  const reported = newestReportedStatus(current, external);
  return reported.status !== current.status || reported.time !== current.time;
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
    behind_status_time: earliestBehind(memberList),
  };
  const transactionChanged =
    stored === null ||
    stored.status !== transaction.status ||
    stored.reported_status !== transaction.reported_status ||
    stored.reported_status_time !== transaction.reported_status_time ||
    stored.updated_at !== transaction.updated_at ||
    stored.behind_status_time !== transaction.behind_status_time ||
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
