/**
 * The transaction-status function wired as on AWS, against DynamoDB Local: the
 * webhook's store path writes orders, the table's real stream reaches the
 * handler through the local stream reader. The handler has its own client, with
 * a middleware that counts its requests and can inject faults.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { putOrderFromWebhook, type ApplyResult } from '../../functions/store/orders';
import { getOrder } from '../../functions/store/order-reads';
import type { StoredOrder } from '../../functions/store/order-items';
import type { TransactionItem } from '../../functions/store/transaction-items';
import { readTransactionPartition } from '../../functions/store/transaction-partition';
import { createTransactionStatusHandler, METRIC } from '../../functions/transaction-status/app';
import type { LogSink } from '../../functions/shared/observability';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type DeadLetter, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, testClient, testDocumentClient, type TestTable } from './dynamodb';
import type { Delivery } from './junction';
import { documentTable } from '../../functions/store/document-table';

export interface TransactionRig {
  table: TestTable;
  /** Requests the handler made, by command name (e.g. QueryCommand, PutItemCommand). */
  requests: Map<string, number>;
  /** Batches the stream reader delivered, what the handler answered, and the requests it made for them. */
  batches: { event: DynamoDBStreamEvent; response: DynamoDBBatchResponse; requests: Map<string, number>; conflicts: number }[];
  /** Calls the handler directly (not through the stream), as a redelivery would. */
  handle(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse>;
  deadLetters: DeadLetter[];
  metrics: Map<string, number>;
  /** The next `count` requests of `commandName` by the handler fail with a transient error. */
  failNext(commandName: string, count?: number): void;
  resetCounters(): void;
  /** Stores a webhook the way the webhook function does. */
  webhook(delivery: Delivery): Promise<ApplyResult>;
  /** Waits until the stream reader has delivered everything written so far. */
  settle(): Promise<void>;
  /** The transaction as a reader sees it now (the query API's read: its item merged with its members' items). */
  transaction(transactionId: string): Promise<TransactionItem | null>;
  order(orderId: string): Promise<StoredOrder | null>;
  close(): Promise<void>;
}

const silent: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export async function startTransactionRig(prefix: string): Promise<TransactionRig> {
  const table = await createTestTable(prefix);
  const handlerClient = testClient();
  const handlerDoc: DynamoDBDocumentClient = testDocumentClient(handlerClient);
  const requests = new Map<string, number>();
  const faults = new Map<string, number>();
  handlerClient.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      requests.set(name, (requests.get(name) ?? 0) + 1);
      const pending = faults.get(name) ?? 0;
      if (pending > 0) {
        faults.set(name, pending - 1);
        throw new InjectedFault(`injected fault in ${name}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'countAndInjectFaults' },
  );
  const metrics = new Map<string, number>();
  const handler = createTransactionStatusHandler({
    db: documentTable(handlerDoc),
    tableName: table.tableName,
    logger: silent,
    metrics: {
      addMetric(name: string, _unit: string, value: number) {
        metrics.set(name, (metrics.get(name) ?? 0) + value);
      },
      publishStoredMetrics() {},
    },
  });
  const batches: TransactionRig['batches'] = [];
  const deadLetters: DeadLetter[] = [];
  const streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  const reader: StreamReader = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(table.client, table.tableName),
    handler: async (event) => {
      const before = new Map(requests);
      const conflictsBefore = metrics.get(METRIC.conflicts) ?? 0;
      const response = await handler(event);
      const made = new Map([...requests].map(([name, count]) => [name, count - (before.get(name) ?? 0)]));
      batches.push({ event, response, requests: made, conflicts: (metrics.get(METRIC.conflicts) ?? 0) - conflictsBefore });
      return response;
    },
    pollIntervalMs: 20,
    maxAttempts: 3,
    logger: silent,
    onDeadLetter: (letter) => {
      deadLetters.push(letter);
    },
  });

  return {
    table,
    requests,
    batches,
    deadLetters,
    metrics,
    handle: (event) => handler(event),
    failNext(commandName, count = 1) {
      faults.set(commandName, count);
    },
    resetCounters() {
      requests.clear();
      metrics.clear();
      batches.length = 0;
    },
    async webhook(delivery) {
      const read = readWebhookBody(JSON.stringify(delivery.body));
      if (read.kind !== 'order') throw new Error(`test delivery is not an order event: ${read.kind}`);
      return putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
    },
    settle: () => reader.whenIdle(),
    transaction: async (transactionId) => (await readTransactionPartition(table.db, table.tableName, transactionId)).transaction,
    order: (orderId) => getOrder(table.db, table.tableName, orderId),
    async close() {
      await reader.stop();
      streams.destroy();
      handlerClient.destroy();
      await table.drop();
    },
  };
}
