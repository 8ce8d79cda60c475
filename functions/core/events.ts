/**
 * The facts the tracker publishes for other systems (CONTRACT §7), computed as
 * plain functions over what was stored: the state before and after one write of
 * an order item or a transaction item (a stream record's old and new images).
 * Because they follow stored writes only, a delivery the table refused (stale,
 * duplicate) or a late older webhook, which is never stored, has no fact.
 *
 * Ids are deterministic: a hash of the type and of what identifies the fact, so
 * the same fact always has the same id, whatever path (a retried stream batch, a
 * listing then the order's own webhook of the same status) produces it again.
 *
 * Events carry ids, statuses, origins, reasons and times only: never PHI.
 */
import { createHash } from 'node:crypto';
import { canonicalInstant } from './instant';
import type { OrderSource } from './order-record';
import type { StaleReason } from './staleness';
import { categorize, isEnding, REDRAW_AVAILABLE } from './status';
import type { TransactionStatus } from './transaction-status';

/** The `source` of every event on the bus. */
export const EVENT_SOURCE = 'redraw-tracker';

export const EVENT_TYPES = [
  'order.status_changed',
  'redraw.available',
  'redraw.order_created',
  'redraw.stale',
  'redraw.stale_cleared',
  'transaction.status_changed',
  'transaction.results_missing_changed',
  'follow_up.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

interface EventBase {
  /** The same fact always has the same id: dedupe on it. */
  id: string;
  order_id: string | null;
  transaction_id: string | null;
  /**
   * Junction's time of the fact (an order's status time), else when the tracker
   * saw it: a stale flag's `since` for `redraw.stale`, the time the flag cleared
   * for `redraw.stale_cleared` (never before its `since`), so that the facts of
   * one order sort by it.
   */
  status_time: string;
}

export type TrackerEvent =
  | (EventBase & { type: 'order.status_changed'; from: string | null; to: string; origin: string | null; source: OrderSource })
  | (EventBase & { type: 'redraw.available' })
  | (EventBase & { type: 'redraw.order_created'; initial_order_id: string | null })
  | (EventBase & { type: 'redraw.stale'; reason: StaleReason; since: string })
  | (EventBase & { type: 'redraw.stale_cleared'; reason: StaleReason; since: string; cleared_by: StaleClearedBy })
  | (EventBase & { type: 'transaction.status_changed'; from: TransactionStatus | null; to: TransactionStatus; results_missing: boolean; version: number })
  | (EventBase & { type: 'transaction.results_missing_changed'; status: TransactionStatus; results_missing: boolean; version: number })
  | (EventBase & FollowUpChange & { type: 'follow_up.changed' });

/**
 * Why a stale flag cleared (CONTRACT §7): the order `moved` (a new status or
 * status time), `ended` (moved to an ending state), its redraw order became
 * known (`redraw_created`: the initial order left the open redraws), or its
 * follow-up (§9) was `snoozed` or `closed` (the sweep clears those).
 */
export const STALE_CLEARED_BY = ['moved', 'ended', 'redraw_created', 'snoozed', 'closed'] as const;
export type StaleClearedBy = (typeof STALE_CLEARED_BY)[number];

/** What the facts of an order need from a stored order item. */
export interface OrderFactState {
  id: string;
  transaction_id: string | null;
  origin: string | null;
  low_level_status: string;
  source: OrderSource;
  status_time: string;
  rank: string;
  stale: { since: string; reason: StaleReason } | null;
  /** Whether the item is in the open-redraws index (an open redraw); absent: read as in it. */
  open_redraw?: boolean;
  /** What the sweep wrote when it cleared the flag of `since` for its follow-up (snoozed or closed), if it did. */
  stale_cleared?: { since: string; by: 'snoozed' | 'closed' } | null;
}

/** What the facts of a transaction need from a stored transaction item. */
export interface TransactionFactState {
  id: string;
  status: TransactionStatus;
  /** Newest status time among members (Junction's). */
  updated_at: string;
  results_missing: boolean;
  /** The item's write count: each stored status change is its own fact, even one that repeats an earlier change. */
  version: number;
  members: readonly { id: string; origin: string | null; created_at: string }[];
}

/** A deterministic id: the same parts always give the same id (128 bits of SHA-256, hex). */
export function eventId(type: EventType, ...parts: (string | null)[]): string {
  return createHash('sha256').update(JSON.stringify([type, ...parts])).digest('hex').slice(0, 32);
}

/** The later of two canonical instants. */
function later(a: string, b: string): string {
  return a > b ? a : b;
}

/**
 * The facts of one write of an order item: `before` is what was stored (null
 * for a new item), `after` what is stored now. A removal (null after: an
 * expiry) is not a change and has no fact. `writtenAt` is when the write was
 * stored (a stream record's creation time, canonical), the time a flag cleared;
 * without it, the order's status time stands in (a clear that follows a move
 * happened no earlier than the move). Either way never before the flag's
 * `since`: a consumer sorting one order's facts by `status_time` sees a flag
 * raised before it clears.
 */
export function orderFacts(before: OrderFactState | null, after: OrderFactState | null, writtenAt: string | null = null): TrackerEvent[] {
  if (after === null) return [];
  const facts: TrackerEvent[] = [];
  const base = { order_id: after.id, transaction_id: after.transaction_id, status_time: after.status_time };
  const moved = before === null || before.rank !== after.rank || before.source !== after.source;
  const from = before?.low_level_status ?? null;
  if (moved && from !== after.low_level_status) {
    facts.push({
      ...base,
      id: eventId('order.status_changed', after.id, from, after.low_level_status, after.source, after.rank),
      type: 'order.status_changed',
      from,
      to: after.low_level_status,
      origin: after.origin,
      source: after.source,
    });
  }
  const awaiting = (state: OrderFactState | null) => state !== null && state.origin !== 'redraw' && categorize(state.low_level_status) === REDRAW_AVAILABLE;
  if (awaiting(after) && !awaiting(before)) {
    // One fact per entry into redraw_available at that status time, whoever (listing, webhook, API) stored it.
    facts.push({ ...base, id: eventId('redraw.available', after.id, after.status_time), type: 'redraw.available' });
  }
  const flagBefore = before?.stale ?? null;
  const flagAfter = after.stale;
  if (flagBefore !== null && flagBefore.since !== flagAfter?.since) {
    facts.push({
      ...base,
      status_time: later(writtenAt ?? after.status_time, flagBefore.since),
      id: eventId('redraw.stale_cleared', after.id, flagBefore.since, flagBefore.reason),
      type: 'redraw.stale_cleared',
      reason: flagBefore.reason,
      since: flagBefore.since,
      cleared_by: clearedBy(before!, after, flagBefore.since),
    });
  }
  if (flagAfter !== null && flagAfter.since !== flagBefore?.since) {
    facts.push({
      ...base,
      // The flag is the fact: it was raised at its since (the sweep's time), not at the order's last move.
      status_time: flagAfter.since,
      id: eventId('redraw.stale', after.id, flagAfter.since, flagAfter.reason),
      type: 'redraw.stale',
      reason: flagAfter.reason,
      since: flagAfter.since,
    });
  }
  return facts;
}

/**
 * Why the flag of `since` cleared in the write from `before` to `after`, from
 * what the two images show: a new status or status time moved it on, or ended
 * it (a newer copy of the same state, from a listing, the API or a webhook,
 * is no move); else the sweep's own note of a follow-up snoozed or closed (for
 * this very flag: a note of an earlier one says nothing); else the order left
 * the open redraws, which only a known redraw order does. A flag the sweep
 * drops for no reason of these (its rule no longer holds: an appointment
 * booked for the redraw order, thresholds raised) reads as `moved`: the redraw
 * moved on without a new status.
 */
export function clearedBy(before: OrderFactState, after: OrderFactState, since: string): StaleClearedBy {
  if (before.low_level_status !== after.low_level_status || before.status_time !== after.status_time) return isEnding(after.low_level_status) ? 'ended' : 'moved';
  if (after.stale_cleared?.since === since) return after.stale_cleared.by;
  if (after.open_redraw === false) return 'redraw_created';
  return 'moved';
}

/**
 * The facts of one write of a transaction item: its recomputed status changed
 * (or it is new); it stayed completed but whether results are missing changed
 * (learned after `completed` was published: the deciding order was known only
 * from a listing, which does not carry `has_missing_results`, or Junction set it
 * on an order already completed); and a redraw order joined its members.
 */
export function transactionFacts(before: TransactionFactState | null, after: TransactionFactState | null): TrackerEvent[] {
  if (after === null) return [];
  const facts: TrackerEvent[] = [];
  const from = before?.status ?? null;
  if (from !== after.status) {
    facts.push({
      id: eventId('transaction.status_changed', after.id, from, after.status, after.updated_at, String(after.version)),
      type: 'transaction.status_changed',
      order_id: null,
      transaction_id: after.id,
      status_time: after.updated_at,
      from,
      to: after.status,
      results_missing: after.status === 'completed' && after.results_missing,
      version: after.version,
    });
  } else if (after.status === 'completed' && before !== null && before.results_missing !== after.results_missing) {
    facts.push({
      id: eventId('transaction.results_missing_changed', after.id, String(after.results_missing), after.updated_at, String(after.version)),
      type: 'transaction.results_missing_changed',
      order_id: null,
      transaction_id: after.id,
      status_time: after.updated_at,
      status: after.status,
      results_missing: after.results_missing,
      version: after.version,
    });
  }
  const hadRedraw = new Set((before?.members ?? []).filter((member) => member.origin === 'redraw').map((member) => member.id));
  const initial = after.members.find((member) => member.origin === 'initial') ?? null;
  for (const redraw of after.members) {
    if (redraw.origin !== 'redraw' || hadRedraw.has(redraw.id)) continue;
    facts.push({
      id: eventId('redraw.order_created', after.id, redraw.id),
      type: 'redraw.order_created',
      order_id: redraw.id,
      transaction_id: after.id,
      // When the redraw order was created at Junction: the same whoever told us first, canonical
      // like every other status_time (so that text order is time order across an order's facts).
      status_time: canonicalInstant(redraw.created_at) ?? redraw.created_at,
      initial_order_id: initial?.id ?? null,
    });
  }
  return facts;
}

/** The member with the newest status time among `members` (the first of equals), or null. */
function newestOf<T extends { status_time: string }>(members: readonly T[]): T | null {
  return members.reduce<T | null>((newest, member) => (newest === null || member.status_time > newest.status_time ? member : newest), null);
}

/**
 * Whether a `completed` transaction has results missing (CONTRACT §7): its
 * redraw order ended other than completed/corrected, or its newest ended order
 * ended failed (sample_error, lost, failure_to_deliver_to_lab,
 * failure_to_deliver_to_customer), or its last completed order reports
 * `has_missing_results: true`. A member known only from a listing has
 * `has_missing_results: null` (listings do not carry it): unknown counts as not
 * missing until the order's own state tells (then a
 * `transaction.results_missing_changed` fact follows).
 */
export function resultsMissing(
  members: readonly { origin: string | null; low_level_status: string; status_time: string; has_missing_results: boolean | null }[],
): boolean {
  if (members.some((member) => member.origin === 'redraw' && isEnding(member.low_level_status) && categorize(member.low_level_status) !== 'done')) return true;
  if (categorize(newestOf(members.filter((member) => isEnding(member.low_level_status)))?.low_level_status ?? '') === 'failed') return true;
  return newestOf(members.filter((member) => categorize(member.low_level_status) === 'done'))?.has_missing_results === true;
}

// ---------------------------------------------------------------------------
// follow_up.changed (CONTRACT §9): one fact per history entry of a follow-up

/** The fields an action's history entry may carry besides who, what and when (CONTRACT §9's table, and the tracker's own). */
export const FOLLOW_UP_ACTION_FIELDS = [
  'owner',
  'until',
  'reason',
  'channel',
  'outcome',
  'disposition',
  'reference',
  'attention',
  'fact',
  'fact_time',
  'redraw_order_id',
  'source',
  // The booking's (CONTRACT §14): operational codes, times, ids.
  'appointment_id',
  'site_code',
  'start_at',
  'end_at',
  'iana_timezone',
  'appointment_status',
  'booked_with',
  'cancellation_reason_id',
  // The tracker's versions of a booking's appointment (§14, "Afterwards").
  'why',
  'from_until',
] as const;
type FollowUpActionField = (typeof FOLLOW_UP_ACTION_FIELDS)[number];

/** A booking's place before and after it moved (CONTRACT §14: a reschedule's and a re-record's `from` and `to`). */
export interface BookingPlace {
  appointment_id: string | null;
  site_code: string | null;
  start_at: string | null;
  end_at: string | null;
}
const PLACE_FIELDS = ['appointment_id', 'site_code', 'start_at', 'end_at'] as const;

/** An entry's `from` or `to`, field by field (strings and nulls only), or undefined when it has none. */
function placeOf(value: unknown): BookingPlace | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const place: Record<string, string | null> = {};
  for (const field of PLACE_FIELDS) {
    const part = (value as Record<string, unknown>)[field];
    place[field] = typeof part === 'string' ? part : null;
  }
  return place as unknown as BookingPlace;
}

/** What a `follow_up.changed` carries besides the common fields. */
type FollowUpChange = {
  follow_up_id: string;
  action: string;
  from_state: string;
  to_state: string;
  actor: string;
  version: number;
  from?: BookingPlace;
  to?: BookingPlace;
} & Partial<Record<FollowUpActionField, string | null>>;

/** What the fact of a follow-up change needs from a stored history entry (the entry of one version). */
export interface FollowUpHistoryState {
  followUpId: string;
  transactionId: string | null;
  version: number;
  entry: { at: string; actor: string; action: string; from_state: string; to_state: string; [field: string]: unknown };
}

/**
 * The fact of a new history entry of a follow-up (CONTRACT §9): every change,
 * a person's action or the tracker's (version 1 is the tracker's `open`), is
 * one `follow_up.changed` dated by the entry's `at`. Its id is the follow-up's
 * id, the version, the action and its time: a redelivered record gives the same
 * id, and a follow-up opened again under the same id after its history expired
 * (CONTRACT §8) gives new ones. Only the action fields the contract names are
 * copied (each a handle, an enum, a date-time or a reference: never free text);
 * `order_id` is the order for a follow-up of an order without a transaction
 * (its id is the order's), else null.
 */
export function followUpFacts(added: FollowUpHistoryState | null): TrackerEvent[] {
  if (added === null) return [];
  const { followUpId, transactionId, version, entry } = added;
  const fields: Partial<Record<FollowUpActionField, string | null>> = {};
  for (const field of FOLLOW_UP_ACTION_FIELDS) {
    const value = entry[field];
    if (typeof value === 'string' || value === null) fields[field] = value;
  }
  const from = placeOf(entry.from);
  const to = placeOf(entry.to);
  return [
    {
      id: eventId('follow_up.changed', followUpId, String(version), entry.action, entry.at),
      type: 'follow_up.changed',
      order_id: transactionId === null ? followUpId : null,
      transaction_id: transactionId,
      status_time: entry.at,
      follow_up_id: followUpId,
      action: entry.action,
      from_state: entry.from_state,
      to_state: entry.to_state,
      actor: entry.actor,
      version,
      ...fields,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    },
  ];
}
