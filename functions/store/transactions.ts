/**
 * Transaction recompute: one read of the transaction item (eventually
 * consistent), the pure plan (functions/core/members.ts), and writes only for
 * what changed that a reader cannot learn from the order items:
 *
 * - the transaction item, when its members or what is known only from
 *   listings change (`needsStoring`): not for every newer state of a member,
 *   which its own order item already holds (readers merge it in,
 *   transaction-partition.ts);
 * - listing-only members as order items (`source: transaction_listing`);
 * - orders awaiting a redraw that is now known, out of the open-redraws index.
 *
 * Each is its own conditional write (a TransactWriteItems would bill every item
 * twice), order items first, so a transaction item never names a state that is
 * not stored; a failure in between is redone by the stream's retry, which plans
 * the same writes again. Before writing an order item, or when a redraw joins
 * (its awaiting sibling may have to leave the index), the plan reads the items
 * concerned, by key: a batch's image may be older than what is stored.
 *
 * Every write is conditional on what the plan was computed from: the
 * transaction's `version`, an order's `rank` and `source`. A failed condition
 * means a concurrent writer got there first; it is a result, not an error: what
 * it stored (ALL_OLD) is merged in and the plan recomputed. Merging is monotonic,
 * so a bounded number of attempts converges.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  behindSince,
  needsStoring,
  newestRecords,
  planRecompute,
  type KnownOrder,
  type RecomputePlan,
  type TransactionKnowledge,
} from '../core/members';
import { isOwnSource, type ListingSnapshot, type OrderRecord } from '../core/order-record';
import { resultsMissing } from '../core/events';
import { loneOrderExpiry, transactionExpiry, type RetainedFollowUp } from '../core/retention';
import { hasRedrawOrder } from '../core/staleness';
import { isEnding } from '../core/status';
import { isAwaitingRedraw } from '../core/transaction-status';
import { ORDER_ATTRIBUTES, orderItem, parseOrderItem, type StoredOrder } from './order-items';
import { TABLE } from './table';
import { keys } from './keys';
import type { PutCommandInput, TableClient, UpdateCommandInput } from './table-client';
import { getOrders } from './order-reads';
import { getTransactionItem } from './transaction-partition';
import { parseTransactionItem, TRANSACTION_ATTRIBUTES, transactionItem, type TransactionItem } from './transaction-items';

/** What is known about one transaction besides its stored item. */
export interface TransactionEvidence {
  /** Order items as a stream batch's new images show them (with the listings they carry). */
  orders: readonly StoredOrder[];
  /** Listings no stored order item carries (a transaction read from Junction's API, say). */
  listings: readonly ListingSnapshot[];
}

export interface RecomputeOptions {
  maxAttempts?: number;
  /**
   * Days a transaction that is over is kept (CONTRACT §8): its item and its
   * orders' items get `expires_at`, cleared again when it is active again. Null:
   * retention is left as stored (the transaction function, which sees every
   * transaction item write, sets it).
   */
  retentionDays?: number | null;
  /**
   * The transaction's follow-up as retention reads it (CONTRACT §8: nothing
   * expires while it is open, and the expiry follows its close), asked when the
   * transaction is over, on each attempt (a lost race may mean it changed);
   * null: it has none. Not given: the transaction has no follow-up.
   */
  followUpOf?: (transaction: TransactionKnowledge) => Promise<RetainedFollowUp | null>;
}

export interface RecomputeResult {
  transaction: TransactionKnowledge;
  /** Write requests made (0 when nothing a reader cannot tell from the order items changed). */
  writes: number;
  /** Writes that lost a race to a concurrent writer and were retried. */
  conflicts: number;
  /** The expiry the transaction and its orders carry now (epoch seconds), or null: kept. */
  expiresAt: number | null;
  /** Its orders' collection method as stored with it (their own states', else as stored), or null: unknown. */
  collectionMethod: string | null;
}

export class RecomputeDidNotConvergeError extends Error {
  override readonly name = 'RecomputeDidNotConvergeError';
}

const DEFAULT_MAX_ATTEMPTS = 5;

/** What one recompute has learned so far, across its attempts. */
interface RecomputeState {
  /** Known order states; later views win ties: a read is fresher than the batch, a failed condition fresher still. */
  views: KnownOrder[];
  /** Orders read from the table in this recompute (fresher than the batch's images). */
  read: Set<string>;
  /** The listings carried by the member items read here (a reader merges them in too). */
  carriedListings: ListingSnapshot[];
  stored: TransactionItem | null;
  writes: number;
  conflicts: number;
}

/**
 * Recomputes one transaction from its stored item and the evidence, and writes
 * only what changed. Throws on anything but a lost race (and when races are
 * lost `maxAttempts` times in a row).
 */
export async function recomputeTransaction(
  db: TableClient,
  tableName: string,
  transactionId: string,
  evidence: TransactionEvidence,
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const retentionDays = options.retentionDays ?? null;
  const batchListings = evidence.orders.flatMap((order) => (order.listing === null ? [] : [order.listing]));
  const listings = [...batchListings, ...evidence.listings];
  const state: RecomputeState = {
    views: evidence.orders.map(knownOrder),
    read: new Set(),
    carriedListings: [],
    stored: await getTransactionItem(db, tableName, transactionId, false),
    writes: 0,
    conflicts: 0,
  };
  const plan = () => planRecompute({ transactionId, stored: state.stored, known: newestRecords(state.views), listings });
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await readWhatThePlanNeeds(db, tableName, state, plan, retentionDays);
    const known = newestRecords(state.views);
    const { stored } = state;
    const followUp = retentionDays === null || current.transaction.status === 'active' || options.followUpOf === undefined ? null : await options.followUpOf(current.transaction);
    const retention = retentionDays === null ? (stored?.expires_at ?? null) : transactionExpiry(current.transaction, retentionDays, followUp);
    const missing = current.transaction.status === 'completed' && resultsMissing([...known.values()].map((order) => order.record));
    // Junction's status for the transaction as a reader already gets it: the stored item's, merged
    // with the listings the member items carry (transaction-partition.ts). An external listing (an API
    // read) that tells nothing newer than those is no reason to write (CONTRACT §6: a sync of orders
    // already current writes nothing).
    const carried = [...batchListings, ...state.carriedListings];
    const storeTransaction =
      needsStoring(stored, current.transaction, evidence.listings, carried) ||
      stored?.status !== current.transaction.status ||
      (stored?.expires_at ?? null) !== retention ||
      (stored?.results_missing ?? false) !== missing;
    const orderWrites = orderWritesOf(tableName, transactionId, current, known, retention, retentionDays);
    // Reports count by method (CONTRACT §11): the method of its orders' own states, else as stored.
    const method = [...known.values()].map((order) => order.record).find((record) => isOwnSource(record.source))?.collection_method ?? stored?.collection_method ?? null;
    const done = (): RecomputeResult => ({ transaction: current.transaction, writes: state.writes, conflicts: state.conflicts, expiresAt: retention, collectionMethod: method });
    if (!storeTransaction && orderWrites.length === 0) return done();
    if (!(await writeOrders(db, state, orderWrites))) continue;
    if (!storeTransaction) return done();

    state.writes++;
    const outcome = await conditionalWrite(db, transactionPut(tableName, { ...current.transaction, results_missing: missing, expires_at: retention, collection_method: method }, stored));
    if (outcome === 'written') return done();
    state.conflicts++;
    state.stored = outcome === 'lost' ? await getTransactionItem(db, tableName, transactionId, true) : newerTransaction(stored, parseTransactionItem(outcome));
  }
  throw new RecomputeDidNotConvergeError(`transaction recompute lost ${maxAttempts} races in a row`);
}

/** Orders read here become views; the listings their items carry are remembered (a reader merges them in too). */
function remember(state: RecomputeState, orders: readonly StoredOrder[]): void {
  for (const order of orders) if (order.listing !== null) state.carriedListings.push(order.listing);
  state.views.push(...orders.map(knownOrder));
}

/** The plan, once the order items it must see as stored, and the members it must see current, are read. */
async function readWhatThePlanNeeds(db: TableClient, tableName: string, state: RecomputeState, plan: () => RecomputePlan, retentionDays: number | null): Promise<RecomputePlan> {
  let current = plan();
  const unread = ordersToRead(current, state.stored).filter((orderId) => !state.read.has(orderId));
  if (unread.length > 0) {
    for (const orderId of unread) state.read.add(orderId);
    remember(state, await getOrders(db, tableName, unread, false));
    current = plan();
  }
  // The stored status is the one events publish (transaction.status_changed): it must be the
  // members' own current states', not the item's memory of them. Unless an order of the batch
  // keeps the transaction active by itself, the other members are read, strongly consistent:
  // of two members ending at once, the later recompute then sees both.
  const unseen = unseenMembers(current, newestRecords(state.views), state.read, state.stored, retentionDays);
  if (unseen.length > 0) {
    for (const orderId of unseen) state.read.add(orderId);
    remember(state, await getOrders(db, tableName, unseen, true));
    current = plan();
  }
  return current;
}

/** The order writes of a plan: listing-only members, orders leaving the open-redraws index, and (with retention) expiries. */
function orderWritesOf(
  tableName: string,
  transactionId: string,
  current: RecomputePlan,
  known: ReadonlyMap<string, KnownOrder>,
  retention: number | null,
  retentionDays: number | null,
): OrderWrite[] {
  const writingListed = new Set(current.listingOrders.map((record) => record.id));
  return [
    ...current.listingOrders.map((record) => listingOrderPut(tableName, record, current, retention)),
    ...current.leavingOpenRedraws.map((record) => leaveOpenRedrawsUpdate(tableName, record)),
    ...(retentionDays === null
      ? []
      : [...known.values()]
          .filter((order) => !writingListed.has(order.record.id) && order.expiresAt !== undefined && order.expiresAt !== retention)
          .filter((order) => order.record.transaction_id === transactionId)
          .map((order) => retentionUpdate(tableName, order, retention))),
  ];
}

/** Sends the order writes in turn; false when one lost a race (what refused it is known now: the plan is redone). */
async function writeOrders(db: TableClient, state: RecomputeState, orderWrites: readonly OrderWrite[]): Promise<boolean> {
  const lost: StoredOrder[] = [];
  for (const { write, stored: written } of orderWrites) {
    state.writes++;
    const outcome = await conditionalWrite(db, write);
    // What is stored now: what we wrote, or what refused it.
    if (outcome === 'written') state.views.push(written);
    else if (outcome !== 'lost') lost.push(parseOrderItem(outcome));
  }
  if (lost.length === 0) return true;
  state.conflicts++;
  state.views.push(...lost.map(knownOrder));
  return false;
}

/**
 * Order items the plan must see as stored before it writes: every order it
 * would write (a listing-only member's own item may exist already; an order a
 * batch image shows in the index may have left it since), every member it finds
 * behind its listings (the stored item's own state is newer than the one the
 * transaction item remembers, or the batch's image), and, when a redraw has
 * just joined, the members that may be awaiting it in the open-redraws index.
 */
function ordersToRead(plan: RecomputePlan, stored: TransactionItem | null): string[] {
  const ids = new Set([...plan.listingOrders, ...plan.leavingOpenRedraws].map((record) => record.id));
  const members = Object.values(plan.transaction.members);
  for (const member of members) if (isOwnSource(member.source) && behindSince(member) !== null) ids.add(member.id);
  if (hasRedrawOrder(members) && !hasRedrawOrder(Object.values(stored?.members ?? {}))) {
    for (const member of members) if (member.origin !== 'redraw') ids.add(member.id);
  }
  return [...ids];
}

function knownOrder(order: StoredOrder): KnownOrder {
  return { record: order.record, inOpenRedraws: order.openRedraw !== null, expiresAt: order.expiresAt };
}

/**
 * Members whose own current item the recompute has not seen, when they decide
 * what is stored: the transaction's status and its results_missing (unless an
 * order known in the very state the plan holds for it is in progress, which
 * keeps it active whatever the others are) and, with
 * retention, whether it is over (so every member's item gets its expiry) or
 * active again after it was over (so every member's expiry is cleared).
 */
function unseenMembers(
  plan: RecomputePlan,
  known: ReadonlyMap<string, KnownOrder>,
  read: ReadonlySet<string>,
  stored: TransactionItem | null,
  retentionDays: number | null,
): string[] {
  // A member is seen when the recompute read its item, or knows (from the batch) the very state the
  // plan holds for it: a batch image older than what the stored transaction knows (a redelivered
  // batch) is not its current item.
  const isCurrent = (id: string) => {
    const member = plan.transaction.members[id];
    const order = known.get(id);
    return member !== undefined && order !== undefined && member.rank === order.record.rank && member.source === order.record.source;
  };
  const unseen = Object.keys(plan.transaction.members).filter((id) => !read.has(id) && !isCurrent(id));
  if (unseen.length === 0) return [];
  // Each order's freshest known state only, and only while it is the member's state in the plan: a
  // batch can carry an order's older images (ordered, then completed), the recompute may have read
  // a newer item since (an order behind its listings), and the stored transaction may know a newer
  // state still. An older state in progress says nothing about the transaction now (issue 24 item
  // 11: a batch image in progress, read again as redraw_available, once skipped these reads and
  // published `completed` with results_missing decided without the redraw order).
  const keptActive = [...known.values()].some(
    (order) => isCurrent(order.record.id) && !isEnding(order.record.low_level_status) && !isAwaitingRedraw(order.record),
  );
  const wasOver = retentionDays !== null && (stored?.expires_at ?? null) !== null;
  return keptActive && !wasOver ? [] : unseen;
}

function newerTransaction(current: TransactionItem | null, candidate: TransactionItem): TransactionItem {
  return current === null || candidate.version > current.version ? candidate : current;
}

type ConditionalWrite = { kind: 'put'; input: PutCommandInput } | { kind: 'update'; input: UpdateCommandInput };

/** Sends a conditional write: 'written', or the stored item that refused it (ALL_OLD), or 'lost' when none was stored. */
async function conditionalWrite(db: TableClient, write: ConditionalWrite): Promise<'written' | 'lost' | Record<string, unknown>> {
  const outcome = write.kind === 'put' ? await db.put(write.input) : await db.update(write.input);
  if (outcome.written) return 'written';
  // The stored item that refused the condition comes back in DynamoDB's attribute values.
  return outcome.stored === undefined ? 'lost' : unmarshall(outcome.stored);
}

/** New item: nobody else created it. Stored item: unchanged since we read it. */
function transactionPut(
  tableName: string,
  transaction: TransactionKnowledge & Pick<TransactionItem, 'results_missing' | 'expires_at' | 'collection_method'>,
  stored: TransactionItem | null,
): ConditionalWrite {
  return {
    kind: 'put',
    input: {
      TableName: tableName,
      Item: transactionItem({ ...transaction, version: (stored?.version ?? 0) + 1 }),
      ...(stored === null
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
        : { ConditionExpression: '#version = :seen', ExpressionAttributeNames: { '#version': TRANSACTION_ATTRIBUTES.version }, ExpressionAttributeValues: { ':seen': stored.version } }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** An order write with the order as it is stored once the write is done. */
interface OrderWrite {
  write: ConditionalWrite;
  stored: KnownOrder;
}

/** A member known only from listings becomes an order item, never over one from its own webhook or a newer listing. */
function listingOrderPut(tableName: string, record: OrderRecord, plan: RecomputePlan, expiresAt: number | null): OrderWrite {
  const others = Object.values(plan.transaction.members).filter((member) => member.id !== record.id);
  const item = { ...orderItem(record, hasRedrawOrder(others)), ...(expiresAt === null ? {} : { [TABLE.ttlAttribute]: expiresAt }) };
  return {
    stored: { record, inOpenRedraws: TABLE.openRedraws.partitionKey in item, expiresAt },
    write: {
      kind: 'put',
      input: {
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk) OR (#source = :listing AND #rank < :rank)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#source': ORDER_ATTRIBUTES.source, '#rank': ORDER_ATTRIBUTES.rank },
        ExpressionAttributeValues: { ':listing': 'transaction_listing', ':rank': record.rank },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/** Only the exact state the plan saw leaves the index: a newer state was indexed by its own writer. */
function leaveOpenRedrawsUpdate(tableName: string, record: OrderRecord): OrderWrite {
  return {
    stored: { record, inOpenRedraws: false, expiresAt: undefined },
    write: {
      kind: 'update',
      input: {
        TableName: tableName,
        Key: keys.order(record.id),
        UpdateExpression: 'REMOVE #gsi2pk, #gsi2sk, #staleSince, #staleReason',
        ConditionExpression: '#rank = :rank AND #source = :source',
        ExpressionAttributeNames: {
          '#gsi2pk': TABLE.openRedraws.partitionKey,
          '#gsi2sk': TABLE.openRedraws.sortKey,
          '#staleSince': ORDER_ATTRIBUTES.staleSince,
          '#staleReason': ORDER_ATTRIBUTES.staleReason,
          '#rank': ORDER_ATTRIBUTES.rank,
          '#source': ORDER_ATTRIBUTES.source,
        },
        ExpressionAttributeValues: { ':rank': record.rank, ':source': record.source },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/**
 * Sets (or clears) an order item's expiry to its transaction's, only over the
 * exact state the plan saw: a newer state was written whole by its own writer
 * (without an expiry) and its own stream record recomputes the transaction.
 */
function retentionUpdate(tableName: string, order: KnownOrder, expiresAt: number | null): OrderWrite {
  const { record } = order;
  return {
    stored: { ...order, expiresAt },
    write: {
      kind: 'update',
      input: {
        TableName: tableName,
        Key: keys.order(record.id),
        UpdateExpression: expiresAt === null ? 'REMOVE #expiresAt' : 'SET #expiresAt = :expiresAt',
        ConditionExpression: '#rank = :rank AND #source = :source',
        ExpressionAttributeNames: { '#expiresAt': TABLE.ttlAttribute, '#rank': ORDER_ATTRIBUTES.rank, '#source': ORDER_ATTRIBUTES.source },
        ExpressionAttributeValues: { ':rank': record.rank, ':source': record.source, ...(expiresAt === null ? {} : { ':expiresAt': expiresAt }) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/**
 * Sets (or clears) the expiry of an order without a transaction (CONTRACT §8),
 * over the exact state it was computed from, given its follow-up (null: none).
 * Returns whether a write was made.
 */
export async function retainLoneOrder(db: TableClient, tableName: string, order: StoredOrder, retentionDays: number, followUp: RetainedFollowUp | null = null): Promise<boolean> {
  const target = loneOrderExpiry(order.record, retentionDays, followUp);
  if (order.expiresAt === target) return false;
  await conditionalWrite(db, retentionUpdate(tableName, knownOrder(order), target).write);
  return true;
}
