/**
 * Which order's end raised a follow-up's attention (CONTRACT §9, issue 72
 * item 1), for its first screen: `missing` stays on the order whose results are
 * missing (the initial order of a failed redraw), while a person deciding needs
 * the order that ended. As functions/core/follow-up/situation.ts decides:
 * - `redraw_failed` with a redraw order known: that redraw order ended other
 *   than completed (without one, the transaction's newest ended member, which
 *   `missing` names);
 * - `results_still_missing`: the redraw order, completed with results missing;
 * - `no_redraw`: the order that ended with results missing, which `missing` names.
 */
import { statusDetailWords } from '../../../functions/core/missing-words';
import { orderStatusWords } from './order-words';
import type { FollowUp, MissingResults } from './types';

/** The order whose end raised the attention, and what it is to the follow-up. */
export interface RaisingOrder {
  id: string;
  role: 'redraw' | 'initial' | 'order';
}

/** The order whose end raised `attention`, or null without an attention (or without an order to name). */
export function raisingOrder(followUp: Pick<FollowUp, 'attention' | 'redraw_order_id' | 'initial_order_id' | 'missing'>): RaisingOrder | null {
  if (followUp.attention === null) return null;
  const byRedraw = followUp.attention === 'redraw_failed' || followUp.attention === 'results_still_missing';
  const id = byRedraw && followUp.redraw_order_id !== null ? followUp.redraw_order_id : (followUp.missing?.order_id ?? null);
  if (id === null) return null;
  return { id, role: id === followUp.redraw_order_id ? 'redraw' : id === followUp.initial_order_id ? 'initial' : 'order' };
}

/** What GET /orders/{id} says of the raising order that the first screen shows. */
export interface EndedOrder {
  low_level_status: string;
  status_detail: string | null;
  has_missing_results: boolean | null;
}

/** "the redraw order", "the initial order", "the order". */
export function roleWords(role: RaisingOrder['role']): string {
  return role === 'order' ? 'the order' : `the ${role} order`;
}

/**
 * How it ended, in words with the codes beside: the status ("a sample error
 * (the lab could not test the sample)", "ended without all its results (2
 * markers missing)"), its code, and the lab's detail when given.
 */
export function endedWords(id: string, order: EndedOrder, missing: MissingResults | null | undefined): { status: string; code: string; detail: { words: string; code: string } | null } {
  return {
    status: orderStatusWords({ id, low_level_status: order.low_level_status, has_missing_results: order.has_missing_results }, missing),
    code: order.low_level_status,
    detail: order.status_detail === null ? null : { words: statusDetailWords(order.status_detail), code: order.status_detail },
  };
}
