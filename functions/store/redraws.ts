/**
 * The open-redraws index (TABLE.openRedraws): reads of due candidates and pages
 * of open redraws, and the conditional writes that flag, unflag and clear them.
 *
 * The index projects keys only, and a redraw in progress is sorted by its
 * creation time, which never changes: a webhook that moves an open redraw on
 * leaves its index entry alone (sorted by status time, each move rewrote the
 * entry twice, delete and put). Readers take the keys from the index, then
 * the orders themselves by key (eventually consistent, like the index).
 *
 * Every write is conditional on what the reader saw (`rank` and the partition),
 * so a webhook that moved the order on, or another sweep that got there first,
 * turns the write into a lost race: a result, not an error.
 *
 * One notification per flag (CONTRACT §4), even when a sweep is stopped between
 * the flag and its notification: the flag is written with a "notification
 * pending" marker (the flag's `since`), which `markNotified` removes once SNS has
 * accepted the message. Every sweep reads the flagged partition anyway and sends
 * what is still pending. The marker lives beside the flag: a newer copy of the
 * same state keeps both, a real move (or a re-filing) drops both.
 */
import * as z from 'zod/mini';
import type { Appointment } from '../core/appointment';
import type { OrderRecord } from '../core/order-record';
import { appointmentMayBeMissed, hasRedrawOrder, inProgressCandidatesBefore, openRedrawKind, staleCutoffs, type StaleReason, type StaleThresholds } from '../core/staleness';
import { getAppointments } from './appointments';
import { ORDER_ATTRIBUTES, parseOrderItem, staleClearedValue, type StoredOrder } from './order-items';
import { indexPartition, queryItems, queryPages } from './query-pages';
import { TABLE } from './table';
import { keys, OPEN_REDRAW_PARTITIONS, orderIdOfPartition, type OpenRedrawPartition } from './keys';
import { getItems, type TableClient, type UpdateCommandInput } from './table-client';
import { getOrder } from './order-reads';
import { readTransactionPartition } from './transaction-partition';

/** An order read from the open-redraws index, with the partition it was read from. */
export interface IndexedOrder extends StoredOrder {
  openRedraw: OpenRedrawPartition;
  /** The order is flagged and the flag's notification has not gone out yet. */
  notificationPending: boolean;
}

/** Result of a conditional write: `lost` when the item no longer is what the caller saw. */
export type WriteResult = 'written' | 'lost';

/**
 * The orders behind index entries, as stored now, that are still in the partition they were
 * listed in (`same`), or still in any open-redraws partition (`any`: an open listing's).
 */
async function ordersOf(db: TableClient, tableName: string, entries: readonly Record<string, unknown>[], match: 'same' | 'any' = 'same'): Promise<(IndexedOrder | null)[]> {
  const items = await getItems(db, tableName, entries.map((entry) => keys.order(orderIdOf(entry))), false);
  return entries.map((entry, i) => {
    const item = items[i];
    if (!item) return null;
    const order = parseOrderItem(item);
    const listed = match === 'any' || order.openRedraw === entry[TABLE.openRedraws.partitionKey];
    return order.openRedraw !== null && listed ? { ...order, openRedraw: order.openRedraw, notificationPending: isNotificationPending(item, order) } : null;
  });
}

/** Whether the item's flag is still to be notified: the marker names the flag's own `since`. */
function isNotificationPending(item: Record<string, unknown>, order: StoredOrder): boolean {
  const pending = item[ORDER_ATTRIBUTES.staleNotificationPending];
  return order.stale !== null && typeof pending === 'string' && pending === order.stale.since;
}

/** The order an open-redraws index entry lists (its table key is the order's). */
function orderIdOf(entry: Record<string, unknown>): string {
  const orderId = orderIdOfPartition(entry[TABLE.partitionKey]);
  if (orderId === null) throw new Error('not an order entry');
  return orderId;
}

/**
 * Every order in `partition` whose status time is before `before` (a canonical
 * instant). The sort key starts with the status time of an order awaiting its
 * redraw, and with the creation time of a redraw in progress (which comes no
 * later than its status time), so `gsi2sk < before` reads every due candidate
 * and, for redraws in progress, the old ones that moved lately too (dropped
 * here). Pass no `before` to read the whole partition (the stale one is small:
 * only flagged orders are in it).
 */
export async function readOpenRedraws(
  db: TableClient,
  tableName: string,
  partition: OpenRedrawPartition,
  before?: string,
): Promise<IndexedOrder[]> {
  const entries = await indexEntries(db, tableName, partition, before);
  return (await ordersOf(db, tableName, entries)).filter(
    (order): order is IndexedOrder => order !== null && (before === undefined || order.record.status_time < before),
  );
}

/**
 * The redraws in progress that may be due at `now` (CONTRACT §4 with §10's
 * appointments), and the appointments of every one listed (one BatchGetItem
 * per 100, eventually consistent like the index; null: it has none).
 *
 * An order due by `appointment_missed` can be due long before its
 * no_progress cutoff (its appointment's start plus the grace passed; its own
 * status time is only before that start), so the index is read up to the
 * later cutoff (inProgressCandidatesBefore). Of the entries newer than the
 * no_progress cutoff (by their sort key, the creation time, which comes no
 * later than the status time), only those whose appointment may be missed
 * now are read by key: the others cannot be due, and an order without an
 * appointment costs its appointment's miss only (no order, no follow-up read).
 */
export async function readRedrawsInProgressDue(
  db: TableClient,
  tableName: string,
  now: Date,
  thresholds: StaleThresholds,
): Promise<{ orders: IndexedOrder[]; appointments: Map<string, Appointment | null> }> {
  const before = inProgressCandidatesBefore(now, thresholds);
  const { noProgressBefore } = staleCutoffs(now, thresholds);
  const entries = await indexEntries(db, tableName, OPEN_REDRAW_PARTITIONS.redrawInProgress, before);
  const found = entries.length === 0 ? new Map<string, Appointment>() : await getAppointments(db, tableName, entries.map(orderIdOf));
  const appointments = new Map(entries.map((entry) => [orderIdOf(entry), found.get(orderIdOf(entry)) ?? null]));
  const reading = entries.filter((entry) => {
    if (String(entry[TABLE.openRedraws.sortKey]) < noProgressBefore) return true;
    const appointment = appointments.get(orderIdOf(entry)) ?? null;
    return appointment !== null && appointmentMayBeMissed(appointment, now, thresholds);
  });
  const orders = (await ordersOf(db, tableName, reading)).filter((order): order is IndexedOrder => order !== null && order.record.status_time < before);
  return { orders, appointments };
}

/** The index entries (keys only) of `partition`, all or those whose sort key is before `before`. */
async function indexEntries(db: TableClient, tableName: string, partition: OpenRedrawPartition, before?: string): Promise<Record<string, unknown>[]> {
  const entries: Record<string, unknown>[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: {
      '#pk': TABLE.openRedraws.partitionKey,
      ...(before === undefined ? {} : { '#sk': TABLE.openRedraws.sortKey }),
    },
    ExpressionAttributeValues: { ':pk': partition, ...(before === undefined ? {} : { ':before': before }) },
  })) {
    entries.push(item);
  }
  return entries;
}

/** Number of orders in each partition of the index, counted with `Select: COUNT` (no items are returned). */
export async function countOpenRedraws(
  db: TableClient,
  tableName: string,
): Promise<Record<OpenRedrawPartition, number>> {
  const { redrawInProgress, awaitingRedraw, stale } = OPEN_REDRAW_PARTITIONS;
  const [inProgressCount, awaitingCount, staleCount] = await Promise.all(
    [redrawInProgress, awaitingRedraw, stale].map((partition) => countPartition(db, tableName, partition)),
  );
  return { [redrawInProgress]: inProgressCount ?? 0, [awaitingRedraw]: awaitingCount ?? 0, [stale]: staleCount ?? 0 };
}

async function countPartition(db: TableClient, tableName: string, partition: OpenRedrawPartition): Promise<number> {
  let count = 0;
  for await (const page of queryPages(db, {
    ...indexPartition(tableName, TABLE.openRedraws, partition),
    Select: 'COUNT',
  })) {
    count += page.Count;
  }
  return count;
}

/** What a writer saw of an indexed order: its state (rank) and its partition. */
export interface SeenOrder {
  orderId: string;
  rank: string;
  partition: OpenRedrawPartition;
}

/**
 * Flags an open redraw stale: moves it to `REDRAW#stale` with `stale_since`,
 * `stale_reason` and the "notification pending" marker (see the module's
 * comment). Only if the order has not moved on (same rank) and is still in the
 * unflagged partition it was read from: two overlapping sweeps flag it once.
 */
export async function flagStale(
  db: TableClient,
  tableName: string,
  seen: SeenOrder,
  flag: { since: string; reason: StaleReason },
): Promise<WriteResult> {
  return conditionalUpdate(db, {
    TableName: tableName,
    Key: keys.order(seen.orderId),
    ConditionExpression: [RANK_IS_SEEN, PARTITION_IS_SEEN].join(' AND '),
    UpdateExpression: 'SET #gsi2pk = :stale, #since = :since, #reason = :reason, #pending = :since',
    ExpressionAttributeNames: { ...FLAG_NAMES, '#rank': ORDER_ATTRIBUTES.rank, '#gsi2pk': TABLE.openRedraws.partitionKey },
    ExpressionAttributeValues: {
      ':rank': seen.rank,
      ':seen': seen.partition,
      ':stale': OPEN_REDRAW_PARTITIONS.stale,
      ':since': flag.since,
      ':reason': flag.reason,
    },
  });
}

/**
 * Records that the notification of the flag set at `since` went out (SNS
 * accepted it): removes the pending marker, only while that same flag is there
 * and still pending. `lost`: the flag cleared or was notified meanwhile.
 */
export async function markNotified(db: TableClient, tableName: string, orderId: string, since: string): Promise<WriteResult> {
  return conditionalUpdate(db, {
    TableName: tableName,
    Key: keys.order(orderId),
    ConditionExpression: '#since = :since AND #pending = :since',
    UpdateExpression: 'REMOVE #pending',
    ExpressionAttributeNames: { '#since': FLAG_NAMES['#since'], '#pending': FLAG_NAMES['#pending'] },
    ExpressionAttributeValues: { ':since': since },
  });
}

/**
 * Re-files an indexed order (flagged or not) where it belongs now, given what
 * is known of its transaction: back to its unflagged partition, or out of the
 * index when it is no open redraw any more (its redraw order appeared). Drops any
 * stale flag. Conditional on the rank and partition the caller saw. `cleared`:
 * the flag is dropped for its follow-up (snoozed or closed), noted on the item
 * so that the stream's `redraw.stale_cleared` says so (CONTRACT §7 `cleared_by`).
 */
export async function refileOpenRedraw(
  db: TableClient,
  tableName: string,
  seen: SeenOrder,
  record: OrderRecord,
  transactionHasRedraw: boolean,
  cleared?: { since: string; by: 'snoozed' | 'closed' },
): Promise<WriteResult> {
  const kind = openRedrawKind(record, transactionHasRedraw);
  const names = { ...FLAG_NAMES, '#rank': ORDER_ATTRIBUTES.rank, '#gsi2pk': TABLE.openRedraws.partitionKey };
  const condition = [RANK_IS_SEEN, PARTITION_IS_SEEN].join(' AND ');
  const note = cleared === undefined ? null : { set: '#cleared = :cleared', names: { '#cleared': ORDER_ATTRIBUTES.staleClearedBy }, values: { ':cleared': staleClearedValue(cleared) } };
  if (kind === null) {
    return conditionalUpdate(db, {
      TableName: tableName,
      Key: keys.order(seen.orderId),
      ConditionExpression: condition,
      UpdateExpression: `${note === null ? '' : `SET ${note.set} `}REMOVE #gsi2pk, #gsi2sk, #since, #reason, #pending`,
      ExpressionAttributeNames: { ...names, '#gsi2sk': TABLE.openRedraws.sortKey, ...note?.names },
      ExpressionAttributeValues: { ':rank': seen.rank, ':seen': seen.partition, ...note?.values },
    });
  }
  const back = kind === 'redraw_in_progress' ? OPEN_REDRAW_PARTITIONS.redrawInProgress : OPEN_REDRAW_PARTITIONS.awaitingRedraw;
  return conditionalUpdate(db, {
    TableName: tableName,
    Key: keys.order(seen.orderId),
    ConditionExpression: condition,
    UpdateExpression: `SET #gsi2pk = :back${note === null ? '' : `, ${note.set}`} REMOVE #since, #reason, #pending`,
    ExpressionAttributeNames: { ...names, ...note?.names },
    ExpressionAttributeValues: { ':rank': seen.rank, ':seen': seen.partition, ':back': back, ...note?.values },
  });
}

/**
 * Clears the stale flag of an order whose follow-up a person just snoozed or
 * closed (CONTRACT §9: the flag clears with the action, within seconds, not at
 * the next sweep), as the sweep's own clear does: refiled with the note that
 * makes the stream publish `redraw.stale_cleared` with `cleared_by`. Only the
 * flag the follow-up carried (its `since`, on the order at the same status
 * time): an order that moved meanwhile or was flagged again is left as it is
 * (`moved`), and so is a lost race (whatever moved it cleared or keeps it).
 */
export async function clearFlagOfHeldFollowUp(
  db: TableClient,
  tableName: string,
  flag: { orderId: string; since: string; statusTime: string; by: 'snoozed' | 'closed' },
): Promise<'cleared' | 'moved'> {
  const order = await getOrder(db, tableName, flag.orderId);
  if (order === null || order.openRedraw !== OPEN_REDRAW_PARTITIONS.stale || order.stale?.since !== flag.since || order.record.status_time !== flag.statusTime) return 'moved';
  const transactionId = order.record.transaction_id;
  let transactionHasRedraw = false;
  if (order.record.origin !== 'redraw' && transactionId !== null) {
    const { orders, transaction } = await readTransactionPartition(db, tableName, transactionId);
    transactionHasRedraw = hasRedrawOrder([...orders.map((member) => member.record), ...Object.values(transaction?.members ?? {})].filter((member) => member.id !== order.record.id));
  }
  const seen = { orderId: order.record.id, rank: order.record.rank, partition: order.openRedraw };
  return (await refileOpenRedraw(db, tableName, seen, order.record, transactionHasRedraw, { since: flag.since, by: flag.by })) === 'written' ? 'cleared' : 'moved';
}

/** The flag's attributes: set together, removed together. */
const FLAG_NAMES = {
  '#since': ORDER_ATTRIBUTES.staleSince,
  '#reason': ORDER_ATTRIBUTES.staleReason,
  '#pending': ORDER_ATTRIBUTES.staleNotificationPending,
} as const;

/** The order is still in the state the caller read. */
const RANK_IS_SEEN = '#rank = :rank';
/** The order is still in the partition the caller read it from (not flagged, unflagged or re-filed since). */
const PARTITION_IS_SEEN = '#gsi2pk = :seen';

async function conditionalUpdate(db: TableClient, input: UpdateCommandInput): Promise<WriteResult> {
  const outcome = await db.update({ ...input, ReturnValuesOnConditionCheckFailure: 'NONE' });
  return outcome.written ? 'written' : 'lost';
}

// ---------------------------------------------------------------------------
// Pages of open redraws (GET /redraws)

/** Which redraws a page lists: `open` (all three partitions) or `stale` (the flagged ones). */
export type RedrawListState = 'open' | 'stale';

/** The partitions a state lists, merged on their index sort key. */
export const LISTING_PARTITIONS: Record<RedrawListState, readonly OpenRedrawPartition[]> = {
  open: [OPEN_REDRAW_PARTITIONS.awaitingRedraw, OPEN_REDRAW_PARTITIONS.redrawInProgress, OPEN_REDRAW_PARTITIONS.stale],
  stale: [OPEN_REDRAW_PARTITIONS.stale],
};

/** An open redraw's index sort key, `<time>#<order id>` (keys.openRedrawSort): unique, and kept when it moves between partitions. */
const ListingKey = z.string().check(z.minLength(3), z.maxLength(300), z.regex(/^[^#]+#[A-Za-z0-9_-]{1,128}$/));

/**
 * Where a listing resumes: the index sort key of the last order returned, the
 * same in every partition of the state. Validated strictly, since it comes back
 * from clients inside a cursor.
 */
export const PagePosition = z.strictObject({ state: z.enum(['open', 'stale']), after: ListingKey });
export type PagePosition = z.output<typeof PagePosition>;

export interface RedrawPage {
  orders: IndexedOrder[];
  /** Where the next page starts, or null when nothing follows. */
  next: PagePosition | null;
}

/**
 * One page of open (or stale) redraws, oldest first: the state's partitions
 * merged on their index sort key (`<time>#<order id>`), which an order keeps when
 * the sweep flags it, a person's snooze or close clears the flag, or it is filed
 * back (store/order-items.ts orderIndexAttributes, flagStale, refileOpenRedraw).
 * Each page reads every partition after the cursor's key at once (one Query each,
 * for one order more than the page holds) and returns the smallest keys; `next` is
 * null exactly when nothing follows. So an order that is open for a whole walk
 * is listed exactly once in it, whatever moves between the partitions meanwhile
 * (test/integration/redraw-list-moves.test.ts), on DynamoDB Local's synchronous
 * index. On AWS the index lags its table by a fraction of a second: an order that
 * moves within that time of a page's reads may be missed by that page or listed
 * twice, and an order whose entry is stale is checked against its item (one that
 * left, or is no longer flagged for `stale`, is not listed).
 */
export async function listRedraws(
  db: TableClient,
  tableName: string,
  state: RedrawListState,
  limit: number,
  from: PagePosition | null,
): Promise<RedrawPage> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (from !== null && from.state !== state) throw new RangeError('page position of another state');
  const read = await Promise.all(LISTING_PARTITIONS[state].map((partition) => entriesAfter(db, tableName, partition, from?.after ?? null, limit + 1)));
  // Merged on the sort key; an order read in two partitions (it moved between the Queries) counts once.
  const byKey = new Map<string, Record<string, unknown>>();
  for (const entry of read.flat()) byKey.set(listingKeyOf(entry), entry);
  const merged = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const page = merged.slice(0, limit);
  const orders = await ordersOf(db, tableName, page.map(([, entry]) => entry), state === 'open' ? 'any' : 'same');
  return {
    orders: orders.filter((order): order is IndexedOrder => order !== null),
    next: merged.length > limit ? { state, after: page.at(-1)![0] } : null,
  };
}

/** Up to `count` entries of `partition` whose sort key is after `after` (all: null), in key order. */
async function entriesAfter(db: TableClient, tableName: string, partition: OpenRedrawPartition, after: string | null, count: number): Promise<Record<string, unknown>[]> {
  const entries: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: after === null ? '#pk = :pk' : '#pk = :pk AND #sk > :after',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, ...(after === null ? {} : { '#sk': TABLE.openRedraws.sortKey }) },
    ExpressionAttributeValues: { ':pk': partition, ...(after === null ? {} : { ':after': after }) },
    Limit: count,
  })) {
    entries.push(...page.Items.slice(0, count - entries.length));
    if (entries.length >= count) break;
  }
  return entries;
}

function listingKeyOf(entry: Record<string, unknown>): string {
  return String(entry[TABLE.openRedraws.sortKey]);
}
