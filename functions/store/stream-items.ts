/**
 * A table write as its stream record shows it, decoded once: the item before
 * and after it, each read by its kind with the parser that owns its layout.
 * The transaction function's intake builds one per record
 * (transaction-status/steps/intake.ts `decodeRecord`); every step and store
 * function reads that value, so no item is unmarshalled or parsed twice and a
 * new item kind is added here and read where it matters.
 */
import type { Appointment } from '../core/appointment';
import type { FollowUpAction } from '../core/follow-up/history';
import { isAppointmentItem, parseAppointmentItem } from './appointments';
import { isFollowUpHistoryItem, parseHistoryItem } from './follow-ups/history';
import { isFollowUpItem, parseFollowUpItem, type StoredFollowUp } from './follow-ups/item';
import { pendingEntriesOf, pendingOfWrite, type PendingHistory } from './follow-ups/pending-history';
import { isOrderItem, parseOrderItem, staleClearedOf, type StoredOrder } from './order-items';
import { isParkedWorkItem, parseParkedItem, type ParkedItem } from './parked-work';
import { isTransactionItem, parseTransactionItem, type TransactionItem } from './transaction-items';

/** A stored item, read by its kind; `other` for the kinds no stream step reads (quarantine, checkpoints, rows...). */
export type StreamItem =
  | { kind: 'order'; item: StoredOrder; staleCleared: ReturnType<typeof staleClearedOf> }
  | { kind: 'transaction'; item: TransactionItem }
  /** `pending`: the history entries the item carries (follow-ups/pending-history.ts), null or absent: none. */
  | { kind: 'follow_up'; item: StoredFollowUp; pending?: FollowUpAction[] | null }
  | { kind: 'follow_up_history'; item: ReturnType<typeof parseHistoryItem> }
  | { kind: 'appointment'; item: Appointment }
  | { kind: 'parked'; item: ParkedItem }
  | { kind: 'other' };

/** One write to the table, as its stream record tells it. */
export interface TableWrite {
  /** The record's id (parked work is keyed by it); undefined only in hand-made records. */
  eventId: string | undefined;
  sequenceNumber: string | undefined;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined;
  /** When the write was stored, epoch seconds (the record's ApproximateCreationDateTime, the same on every redelivery). */
  writtenAt: number | undefined;
  /** DynamoDB's TTL removed the item (CONTRACT §8). */
  expiry: boolean;
  /** The item before the write: undefined for a new item (or a record without the old image). */
  before: StreamItem | undefined;
  /** The item after it: undefined for a removal. */
  after: StreamItem | undefined;
}

/** Reads a plain item by its kind; throws on an item of a known kind it cannot read (a bug: the items are ours). */
export function readStreamItem(item: Record<string, unknown>): StreamItem {
  if (isParkedWorkItem(item)) return { kind: 'parked', item: parseParkedItem(item) };
  if (isTransactionItem(item)) return { kind: 'transaction', item: parseTransactionItem(item) };
  if (isFollowUpItem(item)) return { kind: 'follow_up', item: parseFollowUpItem(item), pending: pendingEntriesOf(item) };
  if (isFollowUpHistoryItem(item)) return { kind: 'follow_up_history', item: parseHistoryItem(item) };
  if (isAppointmentItem(item)) return { kind: 'appointment', item: parseAppointmentItem(item) };
  if (isOrderItem(item)) return { kind: 'order', item: parseOrderItem(item), staleCleared: staleClearedOf(item) };
  return { kind: 'other' };
}

/** What an item of kind `K` reads as. */
export type ItemOf<K extends Exclude<StreamItem['kind'], 'other'>> = Extract<StreamItem, { kind: K }>['item'];

/**
 * The history entries a write added that its follow-up item carries (follow-ups/pending-history.ts): null when
 * it is no follow-up's write, added no version, or carries none.
 */
export function pendingHistoryOf(write: Pick<TableWrite, 'before' | 'after'>): PendingHistory | null {
  if (write.after?.kind !== 'follow_up') return null;
  const { item, pending } = write.after;
  const before = write.before?.kind === 'follow_up' ? { version: write.before.item.followUp.version } : null;
  return pendingOfWrite(before, { followUpId: item.followUp.id, transactionId: item.followUp.transaction_id, version: item.followUp.version, expiresAt: item.expiresAt, entries: pending ?? null, openedAt: item.followUp.opened_at });
}

/** The follow-up and version of a history item a write stored, or null. */
export function historyWrittenBy(write: Pick<TableWrite, 'after'>): { followUpId: string; version: number } | null {
  return write.after?.kind === 'follow_up_history' ? { followUpId: write.after.item.followUpId, version: write.after.item.version } : null;
}
