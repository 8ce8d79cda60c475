/**
 * Orders, their appointments, transactions and the records of wanted results:
 * each in a partition of its own (`ORDER#<id>`, `TXN#<id>`, `RESULTS#<order id>`),
 * and the partitions of the open-redraws index they are listed in.
 */
import { after, type KeyedItem, keyOf, SEPARATOR, splitFirst } from './parts';

const ORDER = 'ORDER';
const APPOINTMENT = 'APPT';
const TRANSACTION = 'TXN';
const RESULTS = 'RESULTS';
const ORDER_PREFIX = `${ORDER}${SEPARATOR}`;
const TRANSACTION_PREFIX = `${TRANSACTION}${SEPARATOR}`;
const RESULTS_PREFIX = `${RESULTS}${SEPARATOR}`;

/** Partitions of the open-redraws index. */
export const OPEN_REDRAW_PARTITIONS = {
  /** A redraw order not yet in an ending state, not flagged. */
  redrawInProgress: 'REDRAW#in_progress',
  /** An initial order in redraw_available whose redraw order is not known, not flagged. */
  awaitingRedraw: 'REDRAW#awaiting',
  /** Either of the above, flagged stale by the sweep. */
  stale: 'REDRAW#stale',
} as const;
export type OpenRedrawPartition = (typeof OPEN_REDRAW_PARTITIONS)[keyof typeof OPEN_REDRAW_PARTITIONS];

/**
 * Partition of the open-redraws index holding transaction items (never orders)
 * with a member whose own state is behind what a listing showed for it, sorted by
 * `<earliest behind status time>#<transaction id>`: the sweep's catch-up reads
 * (CONTRACT §6). Not an open-redraws partition: GET /redraws never sees it.
 */
export const RECONCILE_PARTITION = 'RECONCILE#behind';

/**
 * Partition of the open-redraws index holding the records of orders whose
 * missing results the sweep is to read from Junction (store/results-wanted.ts),
 * sorted by `<next attempt at>#<order id>` (keys.resultsWantedSort): the due ones
 * are one key condition. Not an open-redraws partition: GET /redraws never sees it.
 */
export const RESULTS_WANTED_PARTITION = 'RESULTS#wanted';

/** `<time>#<id>`: the sort keys of the open-redraws index's partitions. */
const timeSort = (time: string, id: string) => `${time}${SEPARATOR}${id}`;

export const orderKeys = {
  order: (orderId: string) => ({ pk: `${ORDER_PREFIX}${orderId}`, sk: ORDER }),
  /**
   * An order's appointment (CONTRACT §10): its own item in the order's partition, so it
   * is kept before its order is known and read with it (one Query of the partition).
   */
  appointment: (orderId: string) => ({ pk: `${ORDER_PREFIX}${orderId}`, sk: APPOINTMENT }),
  transaction: (transactionId: string) => ({ pk: `${TRANSACTION_PREFIX}${transactionId}`, sk: TRANSACTION }),
  openRedrawSort: timeSort,
  /** Sort key of a transaction item in RECONCILE_PARTITION: the longest behind first. */
  behindSort: (behindStatusTime: string, transactionId: string) => timeSort(behindStatusTime, transactionId),
  /** The record of an order whose missing results are wanted (store/results-wanted.ts): one per order. */
  resultsWanted: (orderId: string) => ({ pk: `${RESULTS_PREFIX}${orderId}`, sk: RESULTS }),
  /** Sort key of a results-wanted record in RESULTS_WANTED_PARTITION: the soonest due first. */
  resultsWantedSort: (nextAttemptAt: string, orderId: string) => timeSort(nextAttemptAt, orderId),
} as const;

/** The order id of an order's partition (its order item's, its appointment's, an index entry's), or null. */
export function orderIdOfPartition(pk: unknown): string | null {
  return after(ORDER_PREFIX, pk);
}

/** The order id of an order item's key, or null for any other item. */
export function parseOrderKey(item: KeyedItem): { orderId: string } | null {
  const key = keyOf(item);
  const orderId = key?.sk === ORDER ? orderIdOfPartition(key.pk) : null;
  return orderId === null ? null : { orderId };
}

/** The order id of an appointment item's key, or null for any other item. */
export function parseAppointmentKey(item: KeyedItem): { orderId: string } | null {
  const key = keyOf(item);
  const orderId = key?.sk === APPOINTMENT ? orderIdOfPartition(key.pk) : null;
  return orderId === null ? null : { orderId };
}

/** The transaction id of a transaction's partition, or null. */
export function transactionIdOfPartition(pk: unknown): string | null {
  return after(TRANSACTION_PREFIX, pk);
}

/** The transaction id of a transaction item's key, or null for any other item. */
export function parseTransactionKey(item: KeyedItem): { transactionId: string } | null {
  const key = keyOf(item);
  const transactionId = key?.sk === TRANSACTION ? transactionIdOfPartition(key.pk) : null;
  return transactionId === null ? null : { transactionId };
}

/** The order id of a results-wanted record's key, or null for any other item. */
export function parseResultsWantedKey(item: KeyedItem): { orderId: string } | null {
  const key = keyOf(item);
  const orderId = key?.sk === RESULTS ? after(RESULTS_PREFIX, key.pk) : null;
  return orderId === null ? null : { orderId };
}

/**
 * The time and id of an open-redraws index sort key (openRedrawSort,
 * behindSort, resultsWantedSort: `<time>#<id>`), or null when it has no `#`.
 */
export function parseTimeSort(sk: unknown): { time: string; id: string } | null {
  const parts = splitFirst(sk);
  return parts === null ? null : { time: parts[0], id: parts[1] };
}
