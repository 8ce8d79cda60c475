/**
 * The transaction-status function wired as on AWS, against DynamoDB Local: the
 * webhook's store path writes orders, the table's real stream reaches the
 * handler through the local stream reader. The handler has its own table client
 * (the functions' document client, one attempt each), through a proxy on the
 * wire that counts its requests and can fail them.
 */
import type { SituationOptions } from '../../functions/core/follow-up/situation';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { projectAppointment } from '../../functions/core/appointment';
import { projectOrder } from '../../functions/core/order-record';
import { putAppointmentFromWebhook } from '../../functions/store/appointments';
import { readWebhookBody } from '../../functions/core/schemas';
import { putOrderFromWebhook, type ApplyResult } from '../../functions/store/orders';
import { getOrder } from '../../functions/store/order-reads';
import type { StoredOrder } from '../../functions/store/order-items';
import type { TransactionItem } from '../../functions/store/transaction-items';
import { readTransactionPartition } from '../../functions/store/transaction-partition';
import { createTransactionStatusHandler, METRIC } from '../../functions/transaction-status/app';
import type { LogSink } from '../../functions/shared/observability';
import { localDynamoDbClientConfig, localTable } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type DeadLetter, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, type TestTable } from './dynamodb';
import { startDynamoDbProxy, type ProxyFault } from './dynamodb-proxy';
import type { Delivery } from './junction';
import type { EventPublisher } from '../../functions/transaction-status/publisher';

export interface TransactionRig {
  table: TestTable;
  /** Requests the handler made, by operation (e.g. Query, PutItem). */
  requests: Map<string, number>;
  /** Batches the stream reader delivered, what the handler answered, and the requests it made for them. */
  batches: { event: DynamoDBStreamEvent; response: DynamoDBBatchResponse; requests: Map<string, number>; conflicts: number }[];
  /** Calls the handler directly (not through the stream), as a redelivery would. */
  handle(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse>;
  deadLetters: DeadLetter[];
  metrics: Map<string, number>;
  /**
   * The next `count` requests of `operation` by the handler fail with a transient error (DynamoDB's 500);
   * `matching`: only those whose body it accepts (one kind of item's writes).
   */
  failNext(operation: string, count?: number, matching?: (body: Record<string, unknown>) => boolean): void;
  resetCounters(): void;
  /** Stores a webhook (an order's or an appointment's) the way the webhook function does. */
  webhook(delivery: Delivery | Pick<Delivery, 'body'>): Promise<ApplyResult>;
  /** Waits until the stream reader has delivered everything written so far. */
  settle(): Promise<void>;
  /** Stores these webhooks in order, as webhook() does, then settles: what the tracker knows once Junction sent them. */
  deliver(deliveries: readonly Delivery[]): Promise<void>;
  /**
   * Deletes these items the way DynamoDB's TTL does: their REMOVE records reach
   * the handler with TTL's userIdentity (type Service, dynamodb.amazonaws.com).
   */
  expire(keys: readonly { pk: string; sk: string }[]): Promise<void>;
  /** The transaction as a reader sees it now (the query API's read: its item merged with its members' items). */
  transaction(transactionId: string): Promise<TransactionItem | null>;
  order(orderId: string): Promise<StoredOrder | null>;
  close(): Promise<void>;
}

const silent: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

export interface TransactionRigOptions {
  /** Where the handler publishes its events (none: it publishes nothing). */
  publisher?: EventPublisher;
  /** Retention days given to the handler (none: no expiry is set). */
  retentionDays?: number;
  /** Deliveries of a failing batch before it is dead-lettered (default 3). */
  maxAttempts?: number;
  /** A fault for requests the handler makes, chosen by their operation and body (e.g. one kind of item's writes); none: only failNext's. */
  fault?: (operation: string, body: Record<string, unknown>) => ProxyFault | null;
  /** The handler's clock (epoch ms; none: the real one): when the tracker records its follow-up changes. */
  now?: () => number;
  /** FOLLOW_UP_MISSING_RESULTS as the handler takes it (none: its default, on). */
  situationOptions?: SituationOptions;
  /** Stream records it accepts never reach the handler (a record the stream lost); asked of every record. */
  drop?: (record: DynamoDBRecord) => boolean;
}

export async function startTransactionRig(prefix: string, options: TransactionRigOptions = {}): Promise<TransactionRig> {
  const table = await createTestTable(prefix);
  const proxy = await startDynamoDbProxy(localEndpoint());
  const requests = new Map<string, number>();
  const faults = new Map<string, { count: number; matching: (body: Record<string, unknown>) => boolean }>();
  proxy.fault = (operation, body) => {
    requests.set(operation, (requests.get(operation) ?? 0) + 1);
    const chosen = options.fault?.(operation, body) ?? null;
    if (chosen !== null) return chosen;
    const pending = faults.get(operation);
    if (pending === undefined || pending.count === 0 || !pending.matching(body)) return null;
    pending.count--;
    return { kind: 'answer', status: 500, errorType: 'InternalServerError' };
  };
  const metrics = new Map<string, number>();
  const handler = createTransactionStatusHandler({
    // One attempt: a fault reaches the handler (the SDK's retries would hide it).
    db: localTable(proxy.endpoint, { maxAttempts: 1 }),
    tableName: table.tableName,
    logger: silent,
    ...(options.publisher === undefined ? {} : { publisher: options.publisher }),
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.situationOptions === undefined ? {} : { situationOptions: options.situationOptions }),
    metrics: {
      addMetric(name: string, _unit: string, value: number) {
        metrics.set(name, (metrics.get(name) ?? 0) + value);
      },
      publishStoredMetrics() {},
    },
  });
  const batches: TransactionRig['batches'] = [];
  /** Keys deleted as TTL would (expire): their REMOVE records carry TTL's identity. */
  const expiring = new Set<string>();
  const keyOf = (keys: { pk?: { S?: string }; sk?: { S?: string } } | undefined) => `${keys?.pk?.S ?? ''}|${keys?.sk?.S ?? ''}`;
  const asTtl = (event: DynamoDBStreamEvent): DynamoDBStreamEvent => ({
    Records: event.Records.map((record) =>
      record.eventName === 'REMOVE' && expiring.has(keyOf(record.dynamodb?.Keys as Parameters<typeof keyOf>[0]))
        ? { ...record, userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }
        : record,
    ),
  });
  const deadLetters: DeadLetter[] = [];
  const streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  const reader: StreamReader = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(table.client, table.tableName),
    handler: async (delivered) => {
      const drop = options.drop;
      const event = asTtl(drop === undefined ? delivered : { Records: delivered.Records.filter((record) => !drop(record)) });
      const before = new Map(requests);
      const conflictsBefore = metrics.get(METRIC.conflicts) ?? 0;
      const response = await handler(event);
      const made = new Map([...requests].map(([name, count]) => [name, count - (before.get(name) ?? 0)]));
      batches.push({ event, response, requests: made, conflicts: (metrics.get(METRIC.conflicts) ?? 0) - conflictsBefore });
      return response;
    },
    pollIntervalMs: 20,
    maxAttempts: options.maxAttempts ?? 3,
    logger: silent,
    onDeadLetter: (letter) => {
      deadLetters.push(letter);
    },
  });

  const rig: TransactionRig = {
    table,
    requests,
    batches,
    deadLetters,
    metrics,
    handle: (event) => handler(event),
    failNext(operation, count = 1, matching = () => true) {
      faults.set(operation, { count, matching });
    },
    resetCounters() {
      requests.clear();
      metrics.clear();
      batches.length = 0;
    },
    async webhook(delivery) {
      const read = readWebhookBody(JSON.stringify(delivery.body));
      if (read.kind !== 'order' && read.kind !== 'appointment') throw new Error(`test delivery is not an order or appointment event: ${read.kind}`);
      const result =
        read.kind === 'order'
          ? await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order))
          : await putAppointmentFromWebhook(table.db, table.tableName, projectAppointment(read.appointment));
      reader.nudge();
      return result;
    },
    settle: () => reader.whenIdle(),
    async deliver(deliveries) {
      for (const delivery of deliveries) await rig.webhook(delivery);
      await rig.settle();
    },
    async expire(keys) {
      for (const key of keys) {
        expiring.add(`${key.pk}|${key.sk}`);
        await table.db.delete({ TableName: table.tableName, Key: key });
      }
    },
    transaction: async (transactionId) => (await readTransactionPartition(table.db, table.tableName, transactionId)).transaction,
    order: (orderId) => getOrder(table.db, table.tableName, orderId),
    async close() {
      await reader.stop();
      streams.destroy();
      await proxy.close();
      await table.drop();
    },
  };
  return rig;
}
