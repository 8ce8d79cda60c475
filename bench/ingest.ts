/**
 * Section a: webhook ingest against DynamoDB Local, the tracker's webhook
 * function beside the common approach (bench/baseline), on the same stream,
 * sequentially and with concurrent senders. Each run gets fresh tables; the
 * sender behaves like Svix (any non-2xx, or a thrown error, is retried).
 */
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'svix';
import * as z from 'zod';
import { verifySvixSignature } from '../functions/core/svix';
import { createLogger } from '../functions/shared/observability';
import { getOrder } from '../functions/store/order-reads';
import { createTableInput } from '../functions/store/table';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { lambdaContext, newSecret, signedEvent, webhookHandlerFor } from '../test/support/webhook';
import { expectedRecord } from '../test/support/webhook-store';
import { commonTablesInput, createCommonWebhookHandler } from './baseline/common-webhook';
import { attachMeter, type MeterReading } from './meter';
import { forEachLimited } from '../functions/shared/concurrency';
import { muted, percentile, progress, round } from './stats';
import type { WebhookStream } from './webhook-stream';

export type Approach = 'tracker' | 'common';

export interface IngestRun {
  approach: Approach;
  /** The table written (the tracker's keeps its stream for the stream section). */
  tableName: string;
  senders: number;
  messages: number;
  /** HTTP attempts, retries of non-2xx answers included. */
  attempts: number;
  non2xx: number;
  gaveUp: number;
  seconds: number;
  webhooksPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requestsPerWebhook: number;
  writeUnitsPerWebhook: number;
  readUnitsPerWebhook: number;
  failedConditionalWritesPerWebhook: number;
  /** Write units with refused conditional writes added, priced as AWS bills them (stored item size, at least 1). */
  writeUnitsPerWebhookInclFailed: number;
  byCommand: Record<string, number>;
  correctness: { orders: number; wrongState: number; missing: number };
  /** Runs of the order logic (the read of the baseline, the conditional write of the tracker) per distinct event. */
  orderLogicRunsPerEvent: number;
  answers: Record<string, number>;
}

const MAX_ATTEMPTS = 10;

export async function createTables(client: DynamoDBClient, inputs: CreateTableCommandInput[]): Promise<void> {
  for (const input of inputs) {
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: input.TableName });
  }
}

const Answer = z.object({ result: z.string().optional() }).loose();

function resultOf(statusCode: number, body: string | undefined): string {
  if (statusCode >= 500) return `${statusCode}`;
  try {
    return Answer.parse(JSON.parse(body ?? '')).result ?? String(statusCode);
  } catch {
    return String(statusCode);
  }
}

export interface Delivery {
  /** HTTP attempts, retries of non-2xx answers included. */
  attempts: number;
  non2xx: number;
  gaveUp: number;
  latencies: number[];
  answers: Record<string, number>;
}

type WebhookFn = (event: ReturnType<typeof signedEvent>, context: ReturnType<typeof lambdaContext>) => Promise<{ statusCode?: number; body?: string }>;

/**
 * Delivers the whole stream to a handler as Svix does: `senders` at once, every
 * attempt signed anew (same message id), any non-2xx answer or thrown error
 * retried with a short back-off, up to MAX_ATTEMPTS.
 */
export async function deliverStream(handler: WebhookFn, stream: WebhookStream, senders: number, secret: string): Promise<Delivery> {
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let attempts = 0;
  let non2xx = 0;
  let gaveUp = 0;
  await muted(() =>
    forEachLimited(stream.messages, senders, async (message) => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        // Svix signs every attempt anew (its timestamp is the attempt's); the message id stays.
        const event = signedEvent(message.body, { secret, messageId: message.svixId });
        attempts++;
        const t0 = performance.now();
        let statusCode: number;
        let result: string;
        try {
          const answer = await handler(event, lambdaContext());
          statusCode = answer.statusCode ?? 0;
          result = resultOf(statusCode, answer.body);
        } catch (error) {
          // What Lambda behind API Gateway answers for an unhandled error.
          statusCode = 502;
          result = error instanceof Error ? error.name : 'error';
        }
        latencies.push(performance.now() - t0);
        answers[result] = (answers[result] ?? 0) + 1;
        if (statusCode >= 200 && statusCode < 300) return;
        non2xx++;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
      gaveUp++;
    }),
  );
  return { attempts, non2xx, gaveUp, latencies, answers };
}

/** One ingest run of one approach over the whole stream. */
export async function runIngest(endpoint: string, stream: WebhookStream, approach: Approach, senders: number, runId: string): Promise<IngestRun> {
  const clientConfig = localDynamoDbClientConfig(endpoint);
  const client = new DynamoDBClient({ ...clientConfig, maxAttempts: 3 });
  const doc = documentClientOf(client);
  const secret = newSecret();
  const tableName = `bench-${approach}-${runId}`;
  const idempotencyTable = `${tableName}-idempotency`;
  await createTables(client, approach === 'tracker' ? [createTableInput(tableName)] : commonTablesInput(tableName, idempotencyTable));

  const handler =
    approach === 'tracker'
      ? webhookHandlerFor(documentTable(doc), tableName, [secret])
      : createCommonWebhookHandler({ client, doc, ordersTable: tableName, idempotencyTable, secret, logger: createLogger('common-webhook') });

  const meter = attachMeter(client);
  const started = performance.now();
  const delivery = await deliverStream(handler, stream, senders, secret);
  const seconds = (performance.now() - started) / 1000;
  const reading: MeterReading = meter.reading();
  meter.detach();

  const correctness = approach === 'tracker' ? await checkTracker(doc, tableName, stream) : await checkCommon(doc, tableName, stream);
  client.destroy();

  const n = stream.messages.length;
  const orderLogicRuns = (approach === 'tracker' ? reading.byCommand.PutItemCommand : reading.byCommand.GetItemCommand) ?? 0;
  return {
    approach,
    tableName,
    senders,
    messages: n,
    attempts: delivery.attempts,
    non2xx: delivery.non2xx,
    gaveUp: delivery.gaveUp,
    seconds: round(seconds),
    webhooksPerSecond: round(n / seconds, 1),
    latencyMs: { p50: round(percentile(delivery.latencies, 50)), p99: round(percentile(delivery.latencies, 99)), max: round(Math.max(...delivery.latencies)) },
    requestsPerWebhook: round(reading.requests / n, 3),
    writeUnitsPerWebhook: round(reading.write / n, 3),
    readUnitsPerWebhook: round(reading.read / n, 3),
    failedConditionalWritesPerWebhook: round(reading.refusedWrites / n, 3),
    writeUnitsPerWebhookInclFailed: round((reading.write + reading.refused) / n, 3),
    byCommand: reading.byCommand,
    correctness,
    orderLogicRunsPerEvent: round(orderLogicRuns / stream.shape.unique, 3),
    answers: delivery.answers,
  };
}

/** The tracker's stored order must equal the projection of the order's newest event, field for field. */
export async function checkTracker(doc: DynamoDBDocumentClient, tableName: string, stream: WebhookStream) {
  let wrongState = 0;
  let missing = 0;
  await forEachLimited([...stream.newest.entries()], 8, async ([orderId, newest]) => {
    const stored = await getOrder(documentTable(doc), tableName, orderId);
    if (stored === null) missing++;
    else if (!isDeepStrictEqual(stored.record, expectedRecord(JSON.parse(newest.body)))) wrongState++;
  });
  return { orders: stream.newest.size, wrongState, missing };
}

const CommonItem = z.object({ last_event_id: z.number() }).loose();

/** The baseline's stored order must carry the newest event id. */
export async function checkCommon(doc: DynamoDBDocumentClient, tableName: string, stream: WebhookStream) {
  let wrongState = 0;
  let missing = 0;
  await forEachLimited([...stream.newest.entries()], 8, async ([orderId, newest]) => {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { order_id: orderId }, ConsistentRead: true }));
    if (!Item) missing++;
    else if (CommonItem.parse(Item).last_event_id !== newest.eventId) wrongState++;
  });
  return { orders: stream.newest.size, wrongState, missing };
}

/** CPU cost of one signature check: ours (node:crypto) and the svix library's (the baseline's). */
export function verifyCost(stream: WebhookStream, iterations: number): { trackerMicros: number; svixLibraryMicros: number } {
  const secret = newSecret();
  const sample = stream.messages.slice(0, Math.min(200, stream.messages.length)).map((message) => signedEvent(message.body, { secret, messageId: message.svixId }));
  const svix = new Webhook(secret);
  const time = (check: (index: number) => void) => {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) check(i % sample.length);
    return round(((performance.now() - t0) * 1000) / iterations, 1);
  };
  const headersOf = (index: number) =>
    Object.fromEntries(Object.entries(sample[index]!.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]])));
  const trackerMicros = time((index) => {
    const event = sample[index]!;
    if (!verifySvixSignature({ headers: event.headers, rawBody: event.body ?? '', secrets: [secret], now: new Date() }).ok) throw new Error('verify failed');
  });
  const svixLibraryMicros = time((index) => {
    svix.verify(sample[index]!.body ?? '', headersOf(index));
  });
  progress(`verify: tracker ${trackerMicros} µs, svix library ${svixLibraryMicros} µs`);
  return { trackerMicros, svixLibraryMicros };
}
