/**
 * A follow-up as the API answers it (CONTRACT §9): its state as of now, its
 * due time, the stale flag of its open redraw's order and since when that
 * order has not moved, in the contract's field order.
 */
import type { StaleFlag } from '../order-view';
import { stateAt, type FollowUp } from './states';

/**
 * The contract's FollowUp (CONTRACT §9) as answered, and one extension: `waiting_since`, the
 * status time of its open redraw's order (since when what it waits on has not moved: with a
 * stale flag, "stuck since", CONTRACT §12); null when closed or without an open redraw.
 */
export type FollowUpView = FollowUp & { due_at: string | null; stale: StaleFlag | null; waiting_since: string | null };

/** A follow-up as the API answers it: its state as of now, its due time and the flag of its open redraw order. */
export function toFollowUpView(followUp: FollowUp, dueAt: string | null, stale: StaleFlag | null, now: Date, waitingSince: string | null = null): FollowUpView {
  const current = stateAt(followUp, now);
  const closed = current.state === 'closed';
  const view: FollowUpView = { ...current, due_at: closed ? null : dueAt, stale: closed ? null : stale, waiting_since: closed ? null : waitingSince };
  // The contract's field order, whatever order the stored map came back in.
  return {
    id: view.id,
    transaction_id: view.transaction_id,
    initial_order_id: view.initial_order_id,
    redraw_order_id: view.redraw_order_id,
    state: view.state,
    owner: view.owner,
    snoozed_until: view.snoozed_until,
    snooze_reason: view.snooze_reason,
    contact_attempts: view.contact_attempts,
    last_contact: view.last_contact,
    attention: view.attention,
    missing: view.missing ?? null,
    disposition: view.disposition,
    closed_by: view.closed_by ?? null,
    reference: view.reference,
    opened_at: view.opened_at,
    acknowledged_at: view.acknowledged_at,
    closed_at: view.closed_at,
    booking: view.booking ?? null,
    due_at: view.due_at,
    stale: view.stale,
    waiting_since: view.waiting_since,
    version: view.version,
  };
}
