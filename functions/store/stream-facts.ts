/**
 * The facts (CONTRACT §7) of one write to the table, from the item before and
 * after it (a stream record's images, decoded once: store/stream-items.ts).
 * Only the store knows item layouts; the rules are functions/core/events.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod/mini';
import { canonicalFromDate } from '../core/instant';
import { followUpFacts, orderFacts, transactionFacts, type FollowUpHistoryState, type OrderFactState, type TrackerEvent, type TransactionFactState } from '../core/events';
import type { ItemOf, StreamItem } from './stream-items';

/** A follow-up history entry as the store writes it (core/follow-up/history.ts FollowUpAction): checked, since its fact is published. */
const HistoryEntry = z.looseObject({ at: z.string(), actor: z.string(), action: z.string(), from_state: z.string(), to_state: z.string() });

function historyState({ followUpId, transactionId, version, entry }: ItemOf<'follow_up_history'>): FollowUpHistoryState {
  if (!Number.isInteger(version) || version < 1) throw new RangeError('follow-up history item without a version');
  return { followUpId, transactionId, version, entry: HistoryEntry.parse(entry) };
}

function orderState(read: StreamItem | undefined): OrderFactState | null {
  if (read?.kind !== 'order') return null;
  const { record, stale, openRedraw } = read.item;
  const { id, transaction_id, origin, low_level_status, source, status_time, rank } = record;
  return { id, transaction_id, origin, low_level_status, source, status_time, rank, stale, open_redraw: openRedraw !== null, stale_cleared: read.staleCleared };
}

function transactionState(read: StreamItem | undefined): TransactionFactState | null {
  if (read?.kind !== 'transaction') return null;
  const transaction = read.item;
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
export function factsOfWrite(before: StreamItem | undefined, after: StreamItem | undefined, writtenAt?: number): TrackerEvent[] {
  if (after === undefined) return [];
  const at = writtenAt === undefined || !Number.isFinite(writtenAt) ? null : canonicalFromDate(new Date(writtenAt * 1000));
  if (after.kind === 'order') return orderFacts(orderState(before), orderState(after), at);
  if (after.kind === 'transaction') return transactionFacts(transactionState(before), transactionState(after));
  // A follow-up's history is append-only: its INSERT is the change; a MODIFY (retention setting its expiry) is none,
  // unless it wrote another entry over one an expired follow-up left (CONTRACT §9: a follow-up that returned).
  if (after.kind === 'follow_up_history') {
    const changed = before?.kind !== 'follow_up_history' || !isDeepStrictEqual(before.item.entry, after.item.entry);
    return changed ? followUpFacts(historyState(after.item)) : [];
  }
  return [];
}
