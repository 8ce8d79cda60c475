/**
 * Transaction recompute: one Query of the transaction's partition, the pure plan
 * (functions/core/members.ts), and at most one write request: a conditional
 * PutItem of the transaction item, or one TransactWriteItems when member order
 * items must be written too (listing-only members, orders leaving the
 * open-redraws index).
 *
 * Every write is conditional on what the plan was computed from: the
 * transaction's `version`, an order's `rank` and `source`. A failed condition
 * means a concurrent writer got there first; it is a result, not an error: what
 * it stored (ALL_OLD) is merged in and the plan recomputed. Merging is monotonic,
 * so a bounded number of attempts converges.
 */
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  needsWrite,
  newestRecords,
  planRecompute,
  type KnownOrder,
  type RecomputePlan,
  type TransactionKnowledge,
} from '../core/members';
import type { ListingSnapshot, OrderRecord } from '../core/order-record';
import { hasRedrawOrder } from '../core/staleness';
import { orderItem, parseOrderItem, type StoredOrder } from './order-items';
import { keys, TABLE } from './table';
import { readTransactionPartition } from './transaction-partition';
import { parseTransactionItem, transactionItem, type TransactionItem } from './transaction-items';

/** What a stream batch says about one transaction. */
export interface TransactionEvidence {
  /** The order items as the batch's new images show them (the index may not have them yet). */
  orders: readonly StoredOrder[];
  /** Listings of this transaction carried by those images. */
  listings: readonly ListingSnapshot[];
}

export interface RecomputeResult {
  transaction: TransactionKnowledge;
  /** Write requests made (0 when nothing changed, else 1; more only after lost races). */
  writes: number;
  /** Writes that lost a race to a concurrent writer and were retried. */
  conflicts: number;
}

export class RecomputeDidNotConvergeError extends Error {
  override readonly name = 'RecomputeDidNotConvergeError';
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Recomputes one transaction from its stored partition and a batch's evidence,
 * and writes it only when something changed. Throws on anything but a lost race
 * (and when races are lost `maxAttempts` times in a row).
 */
export async function recomputeTransaction(
  doc: DynamoDBDocumentClient,
  tableName: string,
  transactionId: string,
  evidence: TransactionEvidence,
  options: { maxAttempts?: number } = {},
): Promise<RecomputeResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  // Later views win ties: the Query is fresher than the batch, a failed condition fresher still.
  const views: KnownOrder[] = evidence.orders.map(knownOrder);
  const partition = await readTransactionPartition(doc, tableName, transactionId);
  views.push(...partition.orders.map(knownOrder));
  let stored = partition.transaction;
  let writes = 0;
  let conflicts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const plan = planRecompute({ transactionId, stored, known: newestRecords(views), listings: evidence.listings });
    if (!needsWrite(plan)) return { transaction: plan.transaction, writes, conflicts };
    writes++;
    const outcome = await writePlan(doc, tableName, plan, stored);
    if (outcome === 'written') return { transaction: plan.transaction, writes, conflicts };
    conflicts++;
    views.push(...outcome.orders.map(knownOrder));
    stored = newerTransaction(stored, outcome.transaction);
    if (outcome.reread) {
      const fresh = await readTransactionPartition(doc, tableName, transactionId);
      views.push(...fresh.orders.map(knownOrder));
      stored = newerTransaction(stored, fresh.transaction);
    }
  }
  throw new RecomputeDidNotConvergeError(`transaction recompute lost ${maxAttempts} races in a row`);
}

function knownOrder(order: StoredOrder): KnownOrder {
  return { record: order.record, inOpenRedraws: order.openRedraw !== null };
}

function newerTransaction(current: TransactionItem | null, candidate: TransactionItem | null): TransactionItem | null {
  if (candidate === null) return current;
  return current === null || candidate.version > current.version ? candidate : current;
}

interface LostRace {
  /** The stored transaction item, when the failed condition returned it. */
  transaction: TransactionItem | null;
  /** Stored order items returned by failed conditions. */
  orders: StoredOrder[];
  /** The failure did not say what is stored: read the partition again. */
  reread: boolean;
}

async function writePlan(
  doc: DynamoDBDocumentClient,
  tableName: string,
  plan: RecomputePlan,
  stored: TransactionItem | null,
): Promise<'written' | LostRace> {
  // New item: nobody else created it. Stored item: unchanged since we read it.
  const condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
    stored === null
      ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
      : {
          ConditionExpression: '#version = :seen',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':seen': stored.version },
        };
  const transactionPut = {
    TableName: tableName,
    Item: transactionItem({ ...plan.transaction, version: (stored?.version ?? 0) + 1 }),
    ...condition,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  const orderWrites = [
    ...plan.listingOrders.map((record) => listingOrderPut(tableName, record, plan)),
    ...plan.leavingOpenRedraws.map((record) => leaveOpenRedrawsUpdate(tableName, record)),
  ];
  if (orderWrites.length === 0) {
    try {
      await doc.send(new PutCommand(transactionPut));
      return 'written';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = plainItem(error.Item);
      return { transaction: item ? parseTransactionItem(item) : null, orders: [], reread: item === undefined };
    }
  }
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: transactionPut }, ...orderWrites] }));
    return 'written';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    return lostRaceOf(error);
  }
}

/** A member known only from listings becomes an order item, never over one from its own webhook or a newer listing. */
function listingOrderPut(tableName: string, record: OrderRecord, plan: RecomputePlan) {
  const others = Object.values(plan.transaction.members).filter((member) => member.id !== record.id);
  return {
    Put: {
      TableName: tableName,
      Item: orderItem(record, hasRedrawOrder(others)),
      ConditionExpression: 'attribute_not_exists(#pk) OR (#source = :listing AND #rank < :rank)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#source': 'source', '#rank': 'rank' },
      ExpressionAttributeValues: { ':listing': 'transaction_listing', ':rank': record.rank },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** Only the exact state the plan saw leaves the index: a newer state was indexed by its own writer. */
function leaveOpenRedrawsUpdate(tableName: string, record: OrderRecord) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.order(record.id),
      UpdateExpression: 'REMOVE #gsi2pk, #gsi2sk, #staleSince, #staleReason',
      ConditionExpression: '#rank = :rank AND #source = :source',
      ExpressionAttributeNames: {
        '#gsi2pk': TABLE.openRedraws.partitionKey,
        '#gsi2sk': TABLE.openRedraws.sortKey,
        '#staleSince': 'stale_since',
        '#staleReason': 'stale_reason',
        '#rank': 'rank',
        '#source': 'source',
      },
      ExpressionAttributeValues: { ':rank': record.rank, ':source': record.source },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/**
 * A cancelled transaction whose reasons are failed conditions (or a conflict with
 * another transaction in flight) lost a race; anything else is rethrown. The
 * first item is always the transaction item.
 */
function lostRaceOf(error: TransactionCanceledException): LostRace {
  const lost: LostRace = { transaction: null, orders: [], reread: false };
  for (const [index, reason] of (error.CancellationReasons ?? []).entries()) {
    if (reason.Code === undefined || reason.Code === 'None') continue;
    if (reason.Code === 'TransactionConflict') {
      lost.reread = true;
      continue;
    }
    if (reason.Code !== 'ConditionalCheckFailed') throw error;
    const item = plainItem(reason.Item);
    if (item === undefined) lost.reread = true;
    else if (index === 0) lost.transaction = parseTransactionItem(item);
    else lost.orders.push(parseOrderItem(item));
  }
  if (lost.transaction === null && lost.orders.length === 0) lost.reread = true;
  return lost;
}

/** Old items on failed conditions come back in the wire format (the document client does not convert errors). */
function plainItem(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item === undefined ? undefined : unmarshall(item);
}
