/**
 * Which stream records can change a transaction (or an order's retention), and
 * what each asks for: pure, over the record's write as the intake decoded it
 * (store/stream-items.ts TableWrite).
 */
import { isDeepStrictEqual } from 'node:util';
import { canonicalFromDate } from '../../core/instant';
import { followUpIsOpen, transactionExpiry } from '../../core/retention';
import { DEFAULT_SITUATION_OPTIONS, followUpSituation, missingResultsAt } from '../../core/follow-up/situation';
import { redrawAvailableOf } from '../../core/members';
import { transactionStatus } from '../../core/transaction-status';
import type { StoredOrder } from '../../store/order-items';
import type { ParkedItem } from '../../store/parked-work';
import { expiredAt, releasedStaleFlag, type StoredFollowUp } from '../../store/follow-ups/item';
import type { WantedFor } from '../../store/results-wanted';
import type { ItemOf, TableWrite } from '../../store/stream-items';

/**
 * What a record asks for; a follow-up item's write whose `missing` names a new
 * order also asks for that order's results (CONTRACT §9), whatever else it asks.
 */
export type Classified = ClassifiedWork & { resultsWanted?: ResultsWantedBy };

/** An order whose missing results the sweep is to read from Junction, and the want it is for (store/results-wanted.ts). */
export interface ResultsWantedBy extends WantedFor {
  orderId: string;
}

type ClassifiedWork =
  | { kind: 'skip' }
  | { kind: 'order'; transactionId: string; order: StoredOrder }
  | { kind: 'lone'; order: StoredOrder }
  | { kind: 'transaction'; transactionId: string }
  /** A write that may move when the transaction and its follow-up expire (CONTRACT §8): checked, and recomputed if not what the follow-up says. */
  | { kind: 'retention'; transactionId: string }
  /** A follow-up's write that may move the expiry of a lone order (its follow-up's id is the order's). */
  | { kind: 'lone_retention'; orderId: string }
  /** An appointment's new start or status (CONTRACT §10): its order's transaction (or lone order) keeps its follow-up current. */
  | { kind: 'appointment'; orderId: string; transactionId: string | null }
  | { kind: 'parked'; item: ParkedItem };

/** The stale flag a follow-up item's write released, with whom it was released by. */
export type ReleasedFlag = NonNullable<ReturnType<typeof releasedStaleFlag>>;

/** Whether a record can change a transaction (or an order's retention), and what it says if so. */
export function classify(write: TableWrite, retentionDays: number | null): Classified {
  const { after } = write;
  if ((write.eventName !== 'INSERT' && write.eventName !== 'MODIFY') || after === undefined) return { kind: 'skip' };
  switch (after.kind) {
    case 'parked':
      return classifyParked(after.item);
    case 'transaction':
      return classifyTransaction(write, after.item, retentionDays);
    case 'follow_up':
      return classifyFollowUp(write, after.item, retentionDays);
    case 'appointment':
      return classifyAppointment(write, after.item);
    case 'order':
      return classifyOrder(write, after.item, retentionDays);
    default:
      return { kind: 'skip' };
  }
}

/** Parked work, parked again, or asked to be redone: redo it. Marked redone: done. */
function classifyParked(item: ParkedItem): Classified {
  if (item.redoneAt !== null) return { kind: 'skip' };
  // The results its follow-up write wanted are wanted again by the redo (store/results-wanted.ts keeps a record there).
  return item.resultsWanted === undefined ? { kind: 'parked', item } : { kind: 'parked', item, resultsWanted: item.resultsWanted };
}

/** An order item's write: its transaction's work, or a lone order's. */
function classifyOrder(write: TableWrite, next: StoredOrder, retentionDays: number | null): Classified {
  // Listing-sourced items are written only here, before the transaction item that knows them.
  // Webhook and API items (the order's own state) both flow on, with the listing they carry.
  if (next.record.source === 'transaction_listing') return { kind: 'skip' };
  const old = write.eventName === 'MODIFY' && write.before?.kind === 'order' ? write.before.item : null;
  if (old !== null && sameOrderState(old, next)) return { kind: 'skip' };
  const order = withPastOf(next, old);
  if (order.record.transaction_id === null) {
    // Retention, and the follow-up of a lone order that has or may have one (CONTRACT §9: its id is the order's).
    const followUp = followUpSituation([order.record], transactionStatus([order.record]), DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp;
    return retentionDays === null && !followUp ? { kind: 'skip' } : { kind: 'lone', order };
  }
  return { kind: 'order', transactionId: order.record.transaction_id, order };
}

/** Whether a modification kept what a recompute reads of the order: its state, its listing and what its past says. */
function sameOrderState(old: StoredOrder, order: StoredOrder): boolean {
  return (
    old.record.rank === order.record.rank &&
    old.record.source === order.record.source &&
    isDeepStrictEqual(old.listing, order.listing) &&
    old.record.redraw_available_at === order.record.redraw_available_at &&
    old.record.missing_results_at === order.record.missing_results_at
  );
}

/**
 * The order with what the state it replaced said of its past: when it was in
 * redraw_available, and when it ended without all its results (CONTRACT §9: a
 * follow-up opens whenever the tracker learns either, even if the next state was
 * stored first; a correction that brings the results knows nothing of the
 * incomplete state before it, `has_missing_results` having no history).
 */
function withPastOf(order: StoredOrder, old: StoredOrder | null): StoredOrder {
  if (old === null) return order;
  let record = order.record;
  const seen = redrawAvailableOf(old.record);
  if (seen !== null && (record.redraw_available_at === undefined || seen < record.redraw_available_at)) record = { ...record, redraw_available_at: seen };
  const missing = missingResultsAt(old.record);
  if (missing !== null && (record.missing_results_at === undefined || missing < record.missing_results_at)) record = { ...record, missing_results_at: missing };
  return record === order.record ? order : { ...order, record };
}

/**
 * A transaction item's write. Retention (CONTRACT §8) is set here: a write made
 * elsewhere (the sweep's recompute leaves retention as stored) whose expiry is
 * not its status's is recomputed. One with a redraw has a follow-up whose
 * close moves the expiry and whose being open holds it off: once over, each
 * write that moved its status, time or expiry is checked against the follow-up
 * as stored now (its writer may have read an older one).
 */
function classifyTransaction(write: TableWrite, transaction: ItemOf<'transaction'>, retentionDays: number | null): Classified {
  if (retentionDays === null) return { kind: 'skip' };
  const expiry = transactionExpiry(transaction, retentionDays);
  if (transaction.status === 'active' || !followUpSituation(Object.values(transaction.members), transaction.status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp) {
    return (transaction.expires_at ?? null) === expiry ? { kind: 'skip' } : { kind: 'transaction', transactionId: transaction.id };
  }
  const old = write.before?.kind === 'transaction' ? write.before.item : null;
  const same = old !== null && old.status === transaction.status && old.updated_at === transaction.updated_at && (old.expires_at ?? null) === (transaction.expires_at ?? null);
  return same ? { kind: 'skip' } : { kind: 'retention', transactionId: transaction.id };
}

/**
 * A follow-up item's write (a person's action, the tracker's own): its
 * transaction's expiry, its orders', its own and its history's follow it
 * (CONTRACT §8) when it opens, closes, reopens, closes at another time, or
 * carries another expiry than before; a change of anything else (an owner, a
 * snooze, a due time) moves no expiry. When its `missing` (CONTRACT §9) names
 * another order, status or status detail than before, without counts, that
 * order's results are wanted (resultsWantedOf); and its initial order's when it
 * opened closed (openedClosed).
 */
function classifyFollowUp(write: TableWrite, next: StoredFollowUp, retentionDays: number | null): Classified {
  const old = write.before?.kind === 'follow_up' ? write.before.item : null;
  // A follow-up that returned over an expired one starts a life of its own: what the expired one was read for is not its.
  const written = writtenAt(write);
  const before = old !== null && !expiredAt(old.expiresAt, written) ? old : null;
  const at = canonicalFromDate(written);
  const wanted = resultsWantedOf(before, next, at) ?? openedClosed(old, next, at);
  const work = followUpRetention(old, next, retentionDays);
  return wanted !== null ? { ...work, resultsWanted: wanted } : work;
}

/** When a stream record's write was made, as DynamoDB's TTL counts it (the record's approximate creation time). */
function writtenAt(write: TableWrite): Date {
  const seconds = write.writtenAt;
  return typeof seconds === 'number' ? new Date(seconds * 1000) : new Date();
}

/**
 * The read a follow-up write wants (CONTRACT §9): its `missing` without counts,
 * naming another order, status or status detail than the write before it (none
 * before: it opened, or returned over an expired one). The want names the
 * follow-up, its life (its opened_at) and the state read for, and when the write
 * was made (`wantedAt`): the same want delivered again is the same key, a newer
 * one replaces a pending read, an older one (work redone late) does not.
 */
export function resultsWantedOf(before: StoredFollowUp | null, next: StoredFollowUp, wantedAt: string): ResultsWantedBy | null {
  const missing = next.followUp.missing;
  if (missing === null || missing.markers !== null) return null;
  const was = before?.followUp.missing ?? null;
  if (was !== null && was.order_id === missing.order_id && was.status === missing.status && was.status_detail === missing.status_detail) return null;
  const { id, opened_at: openedAt } = next.followUp;
  return {
    orderId: missing.order_id,
    followUpId: id,
    want: [id, openedAt, missing.order_id, missing.status, missing.status_detail ?? ''].join('|'),
    state: { status: missing.status, statusDetail: missing.status_detail },
    wantedAt,
  };
}

/**
 * The order whose results a follow-up that opened closed wants (CONTRACT §11:
 * the report sums the failure types of the order that caused each follow-up):
 * its first write already closed it (its redraw_available and the redraw's
 * completion came in one stream batch, or a sync brought them at once), so no
 * `missing` ever named its initial order. Null for any other write.
 */
function openedClosed(old: StoredFollowUp | null, next: StoredFollowUp, wantedAt: string): ResultsWantedBy | null {
  if (old !== null || next.followUp.state !== 'closed' || next.followUp.missing !== null || (next.causingResults ?? null) !== null) return null;
  const { id, opened_at: openedAt, initial_order_id: orderId } = next.followUp;
  return orderId === null ? null : { orderId, followUpId: id, want: [id, openedAt, orderId, 'causing'].join('|'), state: null, wantedAt };
}

/** What a follow-up item's write asks of retention (see classifyFollowUp). */
function followUpRetention(old: StoredFollowUp | null, next: StoredFollowUp, retentionDays: number | null): ClassifiedWork {
  if (retentionDays === null) return { kind: 'skip' };
  const retention = (stored: StoredFollowUp) => JSON.stringify([followUpIsOpen(stored.followUp) ? null : stored.followUp.closed_at, stored.expiresAt]);
  if (old !== null && retention(old) === retention(next)) return { kind: 'skip' };
  const { id, transaction_id: transactionId } = next.followUp;
  return transactionId === null ? { kind: 'lone_retention', orderId: id } : { kind: 'retention', transactionId };
}

/** The stale flag a follow-up item's write released (a person snoozed or closed it), or null. */
export function releasedFlagOf(write: TableWrite): ReleasedFlag | null {
  if (write.eventName !== 'MODIFY' || write.before?.kind !== 'follow_up' || write.after?.kind !== 'follow_up') return null;
  return releasedStaleFlag(write.before.item, write.after.item);
}

/**
 * An appointment item's write (CONTRACT §10): work when what the stale rules
 * read of it (its start and status) or where it belongs (its transaction id)
 * changed; a newer copy of the same (Junction touched another field) is none.
 */
function classifyAppointment(write: TableWrite, appointment: ItemOf<'appointment'>): Classified {
  if (write.eventName === 'MODIFY' && write.before?.kind === 'appointment') {
    const old = write.before.item;
    if (old.start_at === appointment.start_at && old.status === appointment.status && old.transaction_id === appointment.transaction_id) return { kind: 'skip' };
  }
  return { kind: 'appointment', orderId: appointment.order_id, transactionId: appointment.transaction_id };
}
