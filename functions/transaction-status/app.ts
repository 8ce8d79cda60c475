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
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableClient } from '../store/table-client';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FlushingMetricSink, LogSink } from '../shared/observability';
import type {
  AttributeValue as StreamAttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import { isOrderItem, parseOrderItem, type StoredOrder } from '../store/order-items';
import { recomputeTransaction } from '../store/transactions';
import { TRANSACTION_METRICS } from '../shared/metric-names';

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
}


export type TransactionStatusHandler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

interface TouchedTransaction {
  /** Sequence number of the transaction's earliest record in the batch. */
  firstSequenceNumber: string;
  /** The new images of its orders, with the listings they carry. */
  orders: StoredOrder[];
}

type Classified = { kind: 'skip' } | { kind: 'order'; transactionId: string; order: StoredOrder };

/** Builds the stream handler around its dependencies (no environment read here). */
export function createTransactionStatusHandler(deps: TransactionStatusDeps): TransactionStatusHandler {
  const { db, tableName, logger, metrics } = deps;
  const concurrency = deps.concurrency ?? 8;

  return async (event) => {
    const failures = new Set<string>();
    const touched = new Map<string, TouchedTransaction>();
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      let classified: Classified;
      try {
        classified = classify(record);
      } catch (error) {
        // A bug, not bad input: the item is ours. Report it so Lambda retries and, in the end, dead-letters it.
        logger.error('unreadable stream record', { event_id: record.eventID, sequence_number: sequenceNumber, error });
        if (sequenceNumber !== undefined) failures.add(sequenceNumber);
        continue;
      }
      if (classified.kind === 'skip' || sequenceNumber === undefined) continue;
      const entry = touched.get(classified.transactionId) ?? { firstSequenceNumber: sequenceNumber, orders: [] };
      entry.orders.push(classified.order);
      touched.set(classified.transactionId, entry);
    }

    let writes = 0;
    let conflicts = 0;
    await forEachLimited([...touched.entries()], concurrency, async ([transactionId, entry]) => {
      try {
        // The listings ride on the orders' items: none comes from elsewhere here.
        const result = await recomputeTransaction(db, tableName, transactionId, { orders: entry.orders, listings: [] }, { maxAttempts: deps.maxAttempts });
        writes += result.writes;
        conflicts += result.conflicts;
        logger.debug('transaction recomputed', {
          transaction_id: transactionId,
          status: result.transaction.status,
          writes: result.writes,
          conflicts: result.conflicts,
        });
      } catch (error) {
        logger.error('transaction recompute failed', { transaction_id: transactionId, error });
        failures.add(entry.firstSequenceNumber);
      }
    });

    metrics.addMetric(METRIC.recomputed, MetricUnit.Count, touched.size);
    metrics.addMetric(METRIC.writes, MetricUnit.Count, writes);
    metrics.addMetric(METRIC.conflicts, MetricUnit.Count, conflicts);
    metrics.publishStoredMetrics();
    const batchSize = event.Records.length;
    if (failures.size > 0) logger.warn('batch items failed', { failed: failures.size, records: batchSize });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Whether a record can change a transaction, and what it says if so. */
function classify(record: DynamoDBRecord): Classified {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return { kind: 'skip' };
  const newImage = plain(record.dynamodb?.NewImage);
  if (newImage === undefined || !isOrderItem(newImage)) return { kind: 'skip' };
  const order = parseOrderItem(newImage);
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

