/**
 * The stale-redraw rules of CONTRACT §4, as plain functions of an order, its
 * transaction's knowledge and an injected clock.
 */
import { canonicalFromDate } from './instant';
import { isEnding } from './status';
import { isAwaitingRedraw } from './transaction-status';

export type StaleReason = 'no_progress' | 'redraw_not_created';

/**
 * Why the sweep notifies: a stale redraw (§4), or a follow-up nobody has
 * acknowledged within FOLLOW_UP_ACK_HOURS (§9, opt-in).
 */
export type NotificationReason = StaleReason | 'not_acknowledged';

/** Which open redraw an order is, if any. */
export type OpenRedrawKind = 'redraw_in_progress' | 'awaiting_redraw';

export interface StaleThresholds {
  /** REDRAW_STALE_AFTER_DAYS */
  staleAfterDays: number;
  /** REDRAW_MISSING_AFTER_HOURS */
  missingAfterHours: number;
}

export const DEFAULT_THRESHOLDS: StaleThresholds = { staleAfterDays: 7, missingAfterHours: 24 };

export interface RedrawCandidate {
  origin: string | null;
  low_level_status: string;
  /** Canonical instant of the order's last status change, per Junction. */
  status_time: string;
}

/**
 * `redraw_in_progress`: a redraw order not yet in an ending state.
 * `awaiting_redraw`: an initial order in redraw_available while its transaction
 * has no known redraw order. Otherwise null: nothing to act on.
 */
export function openRedrawKind(order: RedrawCandidate, transactionHasRedraw: boolean): OpenRedrawKind | null {
  if (order.origin === 'redraw') {
    return isEnding(order.low_level_status) ? null : 'redraw_in_progress';
  }
  if (isAwaitingRedraw(order) && !transactionHasRedraw) return 'awaiting_redraw';
  return null;
}

export interface StaleCutoffs {
  /** A redraw in progress whose status time is before this is stale (no_progress). */
  noProgressBefore: string;
  /** An order awaiting its redraw whose status time is before this is stale (redraw_not_created). */
  redrawMissingBefore: string;
}

const HOUR_MS = 3_600_000;

/** Canonical instants before which an open redraw is stale, at `now`. */
export function staleCutoffs(now: Date, thresholds: StaleThresholds): StaleCutoffs {
  return {
    noProgressBefore: canonicalFromDate(new Date(now.getTime() - thresholds.staleAfterDays * 24 * HOUR_MS)),
    redrawMissingBefore: canonicalFromDate(new Date(now.getTime() - thresholds.missingAfterHours * HOUR_MS)),
  };
}

/** Why an order is a stale redraw at `now`, or null when it is not. */
export function staleReason(
  order: RedrawCandidate,
  transactionHasRedraw: boolean,
  now: Date,
  thresholds: StaleThresholds,
): StaleReason | null {
  const kind = openRedrawKind(order, transactionHasRedraw);
  if (kind === null) return null;
  const cutoffs = staleCutoffs(now, thresholds);
  if (kind === 'redraw_in_progress') return order.status_time < cutoffs.noProgressBefore ? 'no_progress' : null;
  return order.status_time < cutoffs.redrawMissingBefore ? 'redraw_not_created' : null;
}

/** Whether a transaction's members include a redraw order (as far as the tracker knows). */
export function hasRedrawOrder(members: readonly { origin: string | null }[]): boolean {
  return members.some((member) => member.origin === 'redraw');
}

