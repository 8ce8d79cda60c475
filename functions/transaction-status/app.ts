/**
 * The transaction-status function: consumes DynamoDB stream batches (Lambda's
 * event shape, with ReportBatchItemFailures) and recomputes every transaction
 * the batch touches, once per transaction per batch.
 *
 * Records that cannot change a transaction are skipped without a read: removals,
 * items that are not orders (transaction items included, whatever index keys they
 * carry), orders without a transaction, items this function wrote itself
 * (listing-sourced orders, written before the transaction item that names
 * them), and modifications that keep the order's rank, source and listing (a
 * stale flag set or cleared, an index entry removed). Orders read from
 * Junction's API (`source: api`) are the order's own state, like webhook ones.
 *
 * Transactions are independent: one that fails is reported with the sequence
 * number of its earliest record in the batch; Lambda retries from the lowest
 * reported sequence number, and the recompute is idempotent, so the records
 * after it that succeeded are harmlessly seen again.
 *
 * It is also the table's one publisher of events (CONTRACT §7): each order or
 * transaction item write in the batch gives its facts (functions/core/events.ts,
 * from the record's old and new images), published in the same invocation; a
 * record whose facts could not be published is reported as a batch item
 * failure, so the stream delivers it again and its facts go out under the same
 * ids. The webhook never waits for any of this.
 *
 * Retention (CONTRACT §8): with `retentionDays`, recomputes set the expiry of a
 * transaction that is over and of its orders, and this function sets the expiry
 * of an ended order without a transaction. Removals (DynamoDB's TTL deleting an
 * expired item: userIdentity dynamodb.amazonaws.com) publish nothing and
 * recompute nothing.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableClient } from '../store/table-client';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { errorName, type FlushingMetricSink, type LogSink } from '../shared/observability';
import type {
  AttributeValue as StreamAttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import type { TrackerEvent } from '../core/events';
import * as z from 'zod/mini';
import { DEFAULT_RETENTION_DAYS, transactionExpiry } from '../core/retention';
import { isOrderItem, parseOrderItem, type StoredOrder } from '../store/order-items';
import { factsOfWrite } from '../store/stream-facts';
import { isTransactionItem, parseTransactionItem } from '../store/transaction-items';
import { recomputeTransaction, retainLoneOrder } from '../store/transactions';
import { TRANSACTION_METRICS } from '../shared/metric-names';
import type { EventPublisher } from './publisher';

/** RETENTION_DAYS (CONTRACT §8): days a transaction, or an order without one, is kept once over. */
export const RetentionEnv = z.object({
  RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(36_500)), DEFAULT_RETENTION_DAYS),
});

/** Metric names (kept with the CDK alarms' in shared/metric-names.ts). */
export const METRIC = TRANSACTION_METRICS;

export interface TransactionStatusDeps {
  db: TableClient;
  tableName: string;
  /** A Powertools Logger, or anything with its methods (tests). */
  logger: LogSink;
  /** Powertools Metrics (namespace RedrawTracker, service transaction-status), or a recorder in tests. */
  metrics: FlushingMetricSink;
  /** Lost races tolerated per transaction before it is reported as failed (default 5). */
  maxAttempts?: number;
  /** Transactions recomputed at once (default 8). */
  concurrency?: number;
  /** Where the facts of each write go (CONTRACT §7); none: nothing is published. */
  publisher?: EventPublisher;
  /** Days a transaction (or an order without one) is kept once over (CONTRACT §8); none: no expiry is set. */
  retentionDays?: number;
}


export type TransactionStatusHandler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

interface TouchedTransaction {
  /** Sequence number of the transaction's earliest record in the batch. */
  firstSequenceNumber: string;
  /** The new images of its orders, with the listings they carry. */
  orders: StoredOrder[];
}

type Classified =
  | { kind: 'skip' }
  | { kind: 'order'; transactionId: string; order: StoredOrder }
  | { kind: 'lone'; order: StoredOrder }
  | { kind: 'transaction'; transactionId: string };

/** DynamoDB's TTL deletes items as this service principal (Lambda's userIdentity of the record). */
export function isExpiry(record: DynamoDBRecord): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
}

/** Builds the stream handler around its dependencies (no environment read here). */
export function createTransactionStatusHandler(deps: TransactionStatusDeps): TransactionStatusHandler {
  const { db, tableName, logger, metrics } = deps;
  const concurrency = deps.concurrency ?? 8;

  const retentionDays = deps.retentionDays ?? null;
  /** Publishes the batch's facts; resolves with the sequence numbers of records whose facts did not all go out. */
  const publish = async (facts: readonly { sequenceNumber: string; event: TrackerEvent }[]): Promise<{ records: Set<string>; failed: number }> => {
    if (deps.publisher === undefined || facts.length === 0) return { records: new Set(), failed: 0 };
    let failed: TrackerEvent[];
    try {
      failed = await deps.publisher.publish(facts.map((fact) => fact.event));
    } catch (error) {
      // The error's type only: an SDK error's message can quote the request.
      logger.error('event publishing failed', { fact_count: facts.length, error: errorName(error) });
      failed = facts.map((fact) => fact.event);
    }
    if (failed.length > 0) logger.warn('events not published; their records are reported for the stream to retry', { failed: failed.length, events: facts.length });
    const failedIds = new Set(failed.map((fact) => fact.id));
    return { records: new Set(facts.filter((fact) => failedIds.has(fact.event.id)).map((fact) => fact.sequenceNumber)), failed: failed.length };
  };
  return async (event) => {
    const failures = new Set<string>();
    const touched = new Map<string, TouchedTransaction>();
    const lone: { sequenceNumber: string; order: StoredOrder }[] = [];
    const facts: { sequenceNumber: string; event: TrackerEvent }[] = [];
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      let classified: Classified;
      try {
        if (isExpiry(record)) continue;
        classified = classify(record, retentionDays);
        if (deps.publisher !== undefined && sequenceNumber !== undefined) {
          for (const fact of factsOfWrite(plain(record.dynamodb?.OldImage), plain(record.dynamodb?.NewImage))) facts.push({ sequenceNumber, event: fact });
        }
      } catch (error) {
        // A bug, not bad input: the item is ours. Report it so Lambda retries and, in the end, dead-letters it.
        logger.error('unreadable stream record', { event_id: record.eventID, sequence_number: sequenceNumber, error: errorName(error) });
        if (sequenceNumber !== undefined) failures.add(sequenceNumber);
        continue;
      }
      if (classified.kind === 'skip' || sequenceNumber === undefined) continue;
      if (classified.kind === 'lone') {
        lone.push({ sequenceNumber, order: classified.order });
        continue;
      }
      const entry = touched.get(classified.transactionId) ?? { firstSequenceNumber: sequenceNumber, orders: [] };
      if (classified.kind === 'order') entry.orders.push(classified.order);
      touched.set(classified.transactionId, entry);
    }

    let writes = 0;
    let conflicts = 0;
    const publishing = publish(facts);
    for (const { sequenceNumber, order } of lone) {
      try {
        if (retentionDays !== null && (await retainLoneOrder(db, tableName, order, retentionDays))) writes++;
      } catch (error) {
        logger.error('order retention failed', { order_id: order.record.id, error: errorName(error) });
        failures.add(sequenceNumber);
      }
    }
    await forEachLimited([...touched.entries()], concurrency, async ([transactionId, entry]) => {
      try {
        // The listings ride on the orders' items: none comes from elsewhere here.
        const result = await recomputeTransaction(
          db,
          tableName,
          transactionId,
          { orders: entry.orders, listings: [] },
          { maxAttempts: deps.maxAttempts, retentionDays },
        );
        writes += result.writes;
        conflicts += result.conflicts;
        logger.debug('transaction recomputed', {
          transaction_id: transactionId,
          status: result.transaction.status,
          writes: result.writes,
          conflicts: result.conflicts,
        });
      } catch (error) {
        logger.error('transaction recompute failed', { transaction_id: transactionId, error: errorName(error) });
        failures.add(entry.firstSequenceNumber);
      }
    });

    const unpublished = await publishing;
    for (const sequenceNumber of unpublished.records) failures.add(sequenceNumber);
    const unpublishedFacts = unpublished.failed;

    metrics.addMetric(METRIC.recomputed, MetricUnit.Count, touched.size);
    if (deps.publisher !== undefined) {
      metrics.addMetric(METRIC.eventsPublished, MetricUnit.Count, facts.length - unpublishedFacts);
      metrics.addMetric(METRIC.publishFailures, MetricUnit.Count, unpublishedFacts);
    }
    metrics.addMetric(METRIC.writes, MetricUnit.Count, writes);
    metrics.addMetric(METRIC.conflicts, MetricUnit.Count, conflicts);
    metrics.publishStoredMetrics();
    const batchSize = event.Records.length;
    if (failures.size > 0) logger.warn('batch items failed', { failed: failures.size, records: batchSize });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Whether a record can change a transaction (or an order's retention), and what it says if so. */
function classify(record: DynamoDBRecord, retentionDays: number | null): Classified {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return { kind: 'skip' };
  const newImage = plain(record.dynamodb?.NewImage);
  if (newImage === undefined) return { kind: 'skip' };
  if (isTransactionItem(newImage)) {
    // A transaction item written elsewhere (the sweep's recompute leaves retention as stored)
    // whose expiry is not its status's: recompute it here, where retention is set.
    if (retentionDays === null) return { kind: 'skip' };
    const transaction = parseTransactionItem(newImage);
    const expiry = transactionExpiry(transaction, retentionDays);
    return (transaction.expires_at ?? null) === expiry ? { kind: 'skip' } : { kind: 'transaction', transactionId: transaction.id };
  }
  if (!isOrderItem(newImage)) return { kind: 'skip' };
  const order = parseOrderItem(newImage);
  if (order.record.transaction_id === null && order.record.source !== 'transaction_listing') {
    return retentionDays === null ? { kind: 'skip' } : { kind: 'lone', order };
  }
  // Listing-sourced items are written only here, before the transaction item that knows them.
  // Webhook and API items (the order's own state) both flow on, with the listing they carry.
  if (order.record.transaction_id === null || order.record.source === 'transaction_listing') return { kind: 'skip' };
  const oldImage = plain(record.dynamodb?.OldImage);
  if (record.eventName === 'MODIFY' && oldImage !== undefined) {
    const old = parseOrderItem(oldImage);
    const sameState =
      old.record.rank === order.record.rank && old.record.source === order.record.source && isDeepStrictEqual(old.listing, order.listing);
    if (sameState) return { kind: 'skip' };
  }
  return { kind: 'order', transactionId: order.record.transaction_id, order };
}

function plain(image: Record<string, StreamAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
  return unmarshall(Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toSdkAttributeValue(value)])));
}

/** Lambda's event carries binary values as base64 text; the SDK's unmarshall wants bytes. */
function toSdkAttributeValue(value: StreamAttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  if (value.M !== undefined) {
    return { M: Object.fromEntries(Object.entries(value.M).map(([name, item]) => [name, toSdkAttributeValue(item)])) };
  }
  throw new TypeError('unknown attribute value type');
}

