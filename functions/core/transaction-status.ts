/**
 * The transaction status rule of CONTRACT §3, recomputed from member orders.
 */
import { categorize, isEnding } from './status';

export type TransactionStatus = 'active' | 'completed' | 'cancelled';

export interface TransactionMember {
  origin: string | null;
  low_level_status: string;
}

/** An order that is not a redraw but sits in redraw_available waits for one (initial, or origin unknown). */
export function isAwaitingRedraw(member: TransactionMember): boolean {
  return member.origin !== 'redraw' && categorize(member.low_level_status) === 'redraw_available';
}

/**
 * - `active`: some member is not in an ending state, or an order waits in
 *   redraw_available and no redraw order has ended (or none is known yet);
 * - `cancelled`: every member is cancelled;
 * - `completed`: otherwise (a redraw that ended cancelled or failed still
 *   completes the transaction, with results missing).
 */
export function transactionStatus(members: readonly TransactionMember[]): TransactionStatus {
  if (members.length === 0) return 'active';
  const categories = members.map((member) => categorize(member.low_level_status));
  // redraw_available ends an order that waits for a redraw, not a redraw order itself (the sweep
  // still counts such a one as an open redraw), so only the former is set aside here.
  if (members.some((member) => !isEnding(member.low_level_status) && !isAwaitingRedraw(member))) return 'active';
  const redrawEnded = members.some((member) => member.origin === 'redraw' && isEnding(member.low_level_status));
  if (members.some(isAwaitingRedraw) && !redrawEnded) return 'active';
  if (categories.every((category) => category === 'cancelled')) return 'cancelled';
  return 'completed';
}
