/**
 * The facts (CONTRACT §7) of one write to the table, from the item before and
 * after it (a stream record's old and new images, unmarshalled). Only the store
 * knows item layouts; the rules are functions/core/events.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod/mini';
import { canonicalFromDate } from '../core/instant';
import { followUpFacts, orderFacts, transactionFacts, type FollowUpHistoryState, type OrderFactState, type TrackerEvent, type TransactionFactState } from '../core/events';
import { isFollowUpHistoryItem, parseHistoryItem } from './follow-ups/history';
import { isOrderItem, parseOrderItem, staleClearedOf } from './order-items';
import { isTransactionItem, parseTransactionItem } from './transaction-items';

type Item = Record<string, unknown>;

/** A follow-up history entry as the store writes it (core/follow-up.ts FollowUpAction): checked, since its fact is published. */
const HistoryEntry = z.looseObject({ at: z.string(), actor: z.string(), action: z.string(), from_state: z.string(), to_state: z.string() });

function historyState(item: Item): FollowUpHistoryState {
  const { followUpId, transactionId, version, entry } = parseHistoryItem(item);
  if (!Number.isInteger(version) || version < 1) throw new RangeError('follow-up history item without a version');
  return { followUpId, transactionId, version, entry: HistoryEntry.parse(entry) };
}

function orderState(item: Item | undefined): OrderFactState | null {
  if (item === undefined) return null;
  const { record, stale, openRedraw } = parseOrderItem(item);
  const { id, transaction_id, origin, low_level_status, source, status_time, rank } = record;
  return { id, transaction_id, origin, low_level_status, source, status_time, rank, stale, open_redraw: openRedraw !== null, stale_cleared: staleClearedOf(item) };
}

function transactionState(item: Item | undefined): TransactionFactState | null {
  if (item === undefined) return null;
  const transaction = parseTransactionItem(item);
  return {
    id: transaction.id,
    status: transaction.status,
    updated_at: transaction.updated_at,
    results_missing: transaction.results_missing ?? false,
    version: transaction.version,
    members: Object.values(transaction.members).map(({ id, origin, created_at }) => ({ id, origin, created_at })),
  };
}

/**
 * The facts of one stored write: `before` absent for a new item, `after` absent
 * for a removal (an expiry: no fact). A follow-up's new history entry is its
 * `follow_up.changed`; the follow-up item itself has no fact (every change it
 * records has its entry). Other items (quarantine, checkpoints, sync state)
 * have none. `writtenAt` is
 * when the write was stored, in epoch seconds (a stream record's
 * `ApproximateCreationDateTime`, the same on every redelivery of the record):
 * the time a stale flag cleared (see orderFacts for the time used without it).
 */
export function factsOfWrite(before: Item | undefined, after: Item | undefined, writtenAt?: number): TrackerEvent[] {
  const item = after ?? before;
  if (item === undefined || after === undefined) return [];
  const at = writtenAt === undefined || !Number.isFinite(writtenAt) ? null : canonicalFromDate(new Date(writtenAt * 1000));
  if (isOrderItem(item)) return orderFacts(orderState(before), orderState(after), at);
  if (isTransactionItem(item)) return transactionFacts(transactionState(before), transactionState(after));
  // A follow-up's history is append-only: its INSERT is the change; a MODIFY (retention setting its expiry) is none,
  // unless it wrote another entry over one an expired follow-up left (CONTRACT §9: a follow-up that returned).
  if (isFollowUpHistoryItem(item)) return before === undefined || !isDeepStrictEqual(before.entry, after.entry) ? followUpFacts(historyState(after)) : [];
  return [];
}
