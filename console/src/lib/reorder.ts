/**
 * The new order a `reordered` close may name (CONTRACT §9: "a new order was
 * placed at Junction; its id may go in `reference`"). The console suggests it
 * only; the person decides whether the reference is sent.
 */
import { checkReference } from './handle';
import { isRecord, type FollowUp } from './types';

/** An order of the follow-up's transaction as GET /transactions/{id} lists it: the two fields read here. */
export interface MemberOrder {
  id: string;
  created_at: string;
}

/** The orders of GET /transactions/{id}'s answer, each with an id and a creation time; none when it has no such list. */
export function memberOrdersOf(body: unknown): MemberOrder[] {
  const transaction = isRecord(body) && isRecord(body.transaction) ? body.transaction : null;
  const orders: unknown[] = transaction && Array.isArray(transaction.orders) ? transaction.orders : [];
  return orders.flatMap((order) => (isRecord(order) && typeof order.id === 'string' && typeof order.created_at === 'string' ? [{ id: order.id, created_at: order.created_at }] : []));
}

/**
 * The id to suggest as a `reordered` close's reference: the newest order of the
 * follow-up's transaction that is neither its initial nor its redraw order and
 * was created after the follow-up opened; null when there is none (or its id
 * could not be a reference).
 */
export function reorderedReference(followUp: Pick<FollowUp, 'initial_order_id' | 'redraw_order_id' | 'opened_at'>, orders: readonly MemberOrder[]): string | null {
  const opened = Date.parse(followUp.opened_at);
  const newer = orders
    .filter((order) => order.id !== followUp.initial_order_id && order.id !== followUp.redraw_order_id && Date.parse(order.created_at) > opened)
    .filter((order) => order.id !== '' && checkReference(order.id) === null)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  return newer[0]?.id ?? null;
}
