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
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

interface EventBase {
  /** The same fact always has the same id: dedupe on it. */
  id: string;
  order_id: string | null;
  transaction_id: string | null;
  /** Junction's time of the fact (an order's status time), else when the tracker saw it. */
  status_time: string;
}

export type TrackerEvent =
  | (EventBase & { type: 'order.status_changed'; from: string | null; to: string; origin: string | null; source: OrderSource })
  | (EventBase & { type: 'redraw.available' })
  | (EventBase & { type: 'redraw.order_created'; initial_order_id: string | null })
  | (EventBase & { type: 'redraw.stale'; reason: StaleReason; since: string })
  | (EventBase & { type: 'redraw.stale_cleared'; reason: StaleReason })
  | (EventBase & { type: 'transaction.status_changed'; from: TransactionStatus | null; to: TransactionStatus; results_missing: boolean });

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

/**
 * The facts of one write of an order item: `before` is what was stored (null
 * for a new item), `after` what is stored now. A removal (null after: an
 * expiry) is not a change and has no fact.
 */
export function orderFacts(before: OrderFactState | null, after: OrderFactState | null): TrackerEvent[] {
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
      id: eventId('redraw.stale_cleared', after.id, flagBefore.since, flagBefore.reason),
      type: 'redraw.stale_cleared',
      reason: flagBefore.reason,
    });
  }
  if (flagAfter !== null && flagAfter.since !== flagBefore?.since) {
    facts.push({
      ...base,
      id: eventId('redraw.stale', after.id, flagAfter.since, flagAfter.reason),
      type: 'redraw.stale',
      reason: flagAfter.reason,
      since: flagAfter.since,
    });
  }
  return facts;
}

/**
 * The facts of one write of a transaction item: its recomputed status changed
 * (or it is new), and a redraw order joined its members.
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

/**
 * Whether a transaction that became `completed` did so with results missing:
 * its redraw order ended other than completed/corrected, or its last completed
 * order reports `has_missing_results: true`.
 */
export function resultsMissing(
  members: readonly { origin: string | null; low_level_status: string; status_time: string; has_missing_results: boolean | null }[],
): boolean {
  if (members.some((member) => member.origin === 'redraw' && isEnding(member.low_level_status) && categorize(member.low_level_status) !== 'done')) return true;
  const done = members.filter((member) => categorize(member.low_level_status) === 'done');
  const last = done.reduce<(typeof done)[number] | null>((newest, member) => (newest === null || member.status_time > newest.status_time ? member : newest), null);
  return last?.has_missing_results === true;
}
