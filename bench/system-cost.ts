/**
 * Section e: what the whole system costs in DynamoDB units, per webhook
 * delivered, beside the common approach, on the same stream.
 *
 * The tracker runs as `npm start` runs it: the webhook handler takes the
 * deliveries while the local stream reader (local/stream-reader.ts, batches of
 * up to 100, one in flight) feeds the transaction function from the table's
 * real stream, live. Each function has its own client and its own meter
 * (meter.ts: every request asks for INDEXES capacity; refused conditional writes
 * are priced by the stored item's size; DynamoDB Local's transactional figures
 * scaled to AWS's, as capacity-rules.ts checks). Stream reads cost nothing here:
 * DynamoDB Streams reads by a Lambda trigger are not billed.
 *
 * Afterwards every order is checked against its newest event, and every
 * transaction, through GET /transactions/{id} of the query API, against the
 * status, members and updated_at that the contract's rules give.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { transactionStatus } from '../functions/core/transaction-status';
import { createQueryHandler } from '../functions/query/app';
import { forEachLimited } from '../functions/shared/concurrency';
import { createLogger } from '../functions/shared/observability';
import { createTableInput } from '../functions/store/table';
import { createTransactionStatusHandler } from '../functions/transaction-status/app';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { findStreamArn, startStreamReader, type StreamBatchHandler } from '../local/stream-reader';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import { listFollowUps } from '../functions/store/follow-ups/worklist';
import type { TableClient } from '../functions/store/table-client';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { newSecret, webhookHandlerFor } from '../test/support/webhook';
import { expectedRecord } from '../test/support/webhook-store';
import { commonTablesInput, createCommonWebhookHandler } from './baseline/common-webhook';
import { checkCommon, checkTracker, createTables, deliverStream, type Approach } from './ingest';
import { classifying, commonClassifier, emptyClasses, trackerClass, type DeliveryClasses } from './delivery-classes';
import { attachMeter, type ByOperation, type MeterReading, type Units } from './meter';
import { muted, round } from './stats';
import { recordingClocks, streamClock } from './system-cost-clock';
import { PRICES } from './prices';
import { typicalWakeTime } from './story-cost';
import type { WebhookStream } from './webhook-stream';

export { PRICES } from './prices';

/** EventBridge: dollars per million custom events published (each up to 64 KB; ours are far smaller). */
export const EVENT_PRICE = 1.0;

/** The goals of issue 13. */
export const GOALS = { costRatio: 0.6, webhookWriteUnits: 1.2 } as const;

/** Units per webhook delivered, with requests. */
export interface UnitsPerWebhook extends Units {
  requests: number;
  refusedWrites: number;
  /** Write units including refused writes. */
  billedWrite: number;
  /** Index write units by index. */
  byIndex: Record<string, number>;
  dollarsPerMillion: number;
}

export interface SystemCostRun {
  approach: Approach;
  senders: number;
  messages: number;
  /** From the first delivery until every record of the stream is worked (the common approach: until the last answer). */
  seconds: number;
  /** From the first delivery to the last answer: what the senders wait on (deliveries per second). */
  answeredSeconds: number;
  non2xx: number;
  answers: Record<string, number>;
  /** The function that answers the webhooks (the tracker's webhook function, or the common handler). */
  webhook: UnitsPerWebhook;
  /** The tracker's transaction function (null for the common approach, which has none). */
  transactionFunction: UnitsPerWebhook | null;
  total: UnitsPerWebhook;
  /** Units by command and function, per webhook. */
  byCommand: Record<string, Record<string, Units & { requests: number }>>;
  /** Units by function and operation (meter.ts operationOf: command, index, key prefix), per webhook. */
  byOperation: Record<string, Record<string, Units & { requests: number }>>;
  /** The tracker's stream batches: records, batches, the largest batch (records per batch, at most 100). */
  stream: { records: number; batches: number; largest: number } | null;
  /**
   * The webhook's units of accepted and refused deliveries (delivery-classes.ts), and the tracker's
   * stream side (raw, not per webhook): all of it belongs to accepted deliveries (issue 76's break-even share).
   */
  classes: DeliveryClasses & { streamSide: ByOperation | null };
  /**
   * Follow-ups (CONTRACT §9) and report rows (§11), part of the transaction function's
   * figures above: what keeping them current cost per redraw flow of the stream, and what each
   * person's action costs (measured on up to 100 follow-ups after the stream).
   */
  followUps: {
    redraws: number;
    perRedraw: { write: number; read: number; requests: number };
    perWebhook: UnitsPerWebhook;
    actions: Record<string, { write: number; read: number; requests: number }>;
  } | null;
  /** Events (CONTRACT §7) the transaction function published, per webhook: all of them, and distinct ids (a retried batch publishes some again). */
  events: { perWebhook: number; distinctPerWebhook: number; dollarsPerMillion: number } | null;
  correctness: {
    orders: number;
    wrongState: number;
    missing: number;
    transactions: number | null;
    transactionsWrong: number | null;
  };
}

export function perWebhook(reading: MeterReading, messages: number): UnitsPerWebhook {
  const per = (value: number) => round(value / messages, 3);
  const billedWrite = reading.write + reading.refused;
  return {
    write: per(reading.write),
    index: per(reading.index),
    refused: per(reading.refused),
    read: per(reading.read),
    requests: per(reading.requests),
    refusedWrites: per(reading.refusedWrites),
    billedWrite: per(billedWrite),
    byIndex: Object.fromEntries(Object.entries(reading.byIndex).map(([name, units]) => [name, per(units)])),
    dollarsPerMillion: round(((billedWrite * PRICES.writeUnit + reading.read * PRICES.readUnit) / messages), 3),
  };
}

function sum(a: MeterReading, b: MeterReading): MeterReading {
  const byCommand = { ...a.byCommand };
  const byIndex = { ...a.byIndex };
  const byOperation = structuredClone(a.byOperation);
  for (const [name, units] of Object.entries(b.byIndex)) byIndex[name] = (byIndex[name] ?? 0) + units;
  for (const [name, count] of Object.entries(b.byCommand)) byCommand[name] = (byCommand[name] ?? 0) + count;
  for (const [name, units] of Object.entries(b.byOperation)) {
    const entry = (byOperation[name] ??= { write: 0, index: 0, refused: 0, read: 0, requests: 0 });
    for (const key of ['write', 'index', 'refused', 'read', 'requests'] as const) entry[key] += units[key];
  }
  return {
    ...a,
    write: a.write + b.write,
    index: a.index + b.index,
    refused: a.refused + b.refused,
    read: a.read + b.read,
    requests: a.requests + b.requests,
    refusedWrites: a.refusedWrites + b.refusedWrites,
    byCommand,
    byIndex,
    byOperation,
  };
}

/** Units by operation, per webhook. */
function operationsOf(reading: MeterReading, messages: number): Record<string, Units & { requests: number }> {
  const per = (value: number) => round(value / messages, 4);
  return Object.fromEntries(
    Object.entries(reading.byOperation).map(([name, units]) => [
      name,
      { write: per(units.write), index: per(units.index), refused: per(units.refused), read: per(units.read), requests: per(units.requests) },
    ]),
  );
}

function commandsOf(reading: MeterReading, messages: number): Record<string, Units & { requests: number }> {
  return Object.fromEntries(
    Object.entries(reading.unitsByCommand).map(([name, units]) => [
      name,
      {
        requests: round((reading.byCommand[name] ?? 0) / messages, 3),
        write: round(units.write / messages, 3),
        index: round(units.index / messages, 3),
        refused: round(units.refused / messages, 3),
        read: round(units.read / messages, 3),
      },
    ]),
  );
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** One whole-system run of one approach over the stream. */
export async function runSystemCost(endpoint: string, stream: WebhookStream, approach: Approach, senders: number, runId: string): Promise<SystemCostRun> {
  const table = await costTable(endpoint, approach, runId);
  return approach === 'common' ? runCommonCost(table, stream, senders) : runTrackerCost(table, stream, senders);
}

/** A run's table (and the common approach's idempotency table), made through the webhook's own client. */
interface CostTable {
  config: ReturnType<typeof localDynamoDbClientConfig>;
  webhookClient: DynamoDBClient;
  webhookDoc: DynamoDBDocumentClient;
  secret: string;
  tableName: string;
  idempotencyTable: string;
}

async function costTable(endpoint: string, approach: Approach, runId: string): Promise<CostTable> {
  const config = localDynamoDbClientConfig(endpoint);
  const webhookClient = new DynamoDBClient({ ...config, maxAttempts: 3 });
  const webhookDoc = documentClientOf(webhookClient);
  const secret = newSecret();
  const tableName = `cost-${approach}-${runId}`;
  const idempotencyTable = `${tableName}-idempotency`;
  await createTables(webhookClient, approach === 'tracker' ? [createTableInput(tableName)] : commonTablesInput(tableName, idempotencyTable));
  return { config, webhookClient, webhookDoc, secret, tableName, idempotencyTable };
}

/** The common approach: one handler, one meter, no stream. */
async function runCommonCost(table: CostTable, stream: WebhookStream, senders: number): Promise<SystemCostRun> {
  const { webhookClient, webhookDoc, secret, tableName, idempotencyTable } = table;
  const messages = stream.messages.length;
  const handler = createCommonWebhookHandler({ client: webhookClient, doc: webhookDoc, ordersTable: tableName, idempotencyTable, secret, logger: createLogger('common-webhook') });
  const meter = attachMeter(webhookClient);
  const classes = emptyClasses();
  const started = performance.now();
  const delivery = await deliverStream(classifying(handler, classes, commonClassifier(stream.messages)), stream, senders, secret);
  const seconds = (performance.now() - started) / 1000;
  const reading = meter.reading();
  meter.detach();
  const orders = await checkCommon(webhookDoc, tableName, stream);
  webhookClient.destroy();
  const webhook = perWebhook(reading, messages);
  return {
    approach: 'common',
    senders,
    messages,
    seconds: round(seconds),
    answeredSeconds: round(seconds),
    non2xx: delivery.non2xx,
    answers: delivery.answers,
    webhook,
    transactionFunction: null,
    total: webhook,
    byCommand: { webhook: commandsOf(reading, messages) },
    byOperation: { webhook: operationsOf(reading, messages) },
    stream: null,
    classes: { ...classes, streamSide: null },
    followUps: null,
    events: null,
    correctness: { ...orders, transactions: null, transactionsWrong: null },
  };
}

/**
 * The tracker's transaction function: its own client and meter, its follow-up requests through a
 * client of their own (metered apart), on the stream's clock (system-cost-clock.ts); its events
 * counted, as EventBridge would bill them, not sent anywhere.
 */
function transactionFunction(config: CostTable['config'], tableName: string, stream: WebhookStream) {
  const transactionClient = new DynamoDBClient(config);
  const followUpClient = new DynamoDBClient(config);
  const events = { published: 0, ids: new Set<string>() };
  const clock = streamClock(stream);
  const handler = createTransactionStatusHandler({
    db: recordingClocks(splitFollowUps(documentTable(documentClientOf(transactionClient)), documentTable(documentClientOf(followUpClient))), clock.noteWrite),
    tableName,
    logger: silent,
    ...clock.handlerClocks,
    metrics: { addMetric() {}, publishStoredMetrics() {} },
    // As deployed (cdk.json retentionDays): ended transactions and their orders get expires_at, and its writes are counted.
    retentionDays: 365,
    publisher: {
      async publish(published) {
        events.published += published.length;
        for (const event of published) events.ids.add(event.id);
        return [];
      },
    },
  });
  const counts = { records: 0, batches: 0, largest: 0 };
  const onBatch: StreamBatchHandler = async (event) => {
    counts.records += event.Records.length;
    counts.batches++;
    counts.largest = Math.max(counts.largest, event.Records.length);
    clock.onBatch(event.Records);
    return handler(event);
  };
  return { transactionClient, followUpClient, events, counts, onBatch };
}

/**
 * Delivers the stream to the webhook handler while the local stream reader feeds the transaction
 * function, as npm start runs it (local/runtime.ts): the reader rests while webhooks are answered.
 */
async function deliverWhileStreaming(table: CostTable, streamArn: string, onBatch: StreamBatchHandler, stream: WebhookStream, senders: number, classes: DeliveryClasses) {
  const streams = new DynamoDBStreamsClient(table.config);
  let inFlight = 0;
  const reader = startStreamReader({ client: streams, streamArn, handler: onBatch, busy: () => inFlight > 0, logger: silent });
  // Metered through the document client (the meter is client middleware): the same
  // requests the functions' own table client sends (test/integration/table-client.test.ts).
  // RETENTION_DAYS as npm start and the stack give the webhook too (its appointments, and orders that alone decide their expiry).
  const webhook = webhookHandlerFor(documentTable(table.webhookDoc), table.tableName, [table.secret], { retentionDays: 365 });
  const handler: typeof webhook = classifying(
    async (event, context) => {
      inFlight++;
      try {
        return await webhook(event, context);
      } finally {
        inFlight--;
      }
    },
    classes,
    (_event, answer) => trackerClass(answer),
  );
  const started = performance.now();
  let delivery;
  let answeredSeconds = 0;
  try {
    delivery = await deliverStream(handler, stream, senders, table.secret);
    answeredSeconds = (performance.now() - started) / 1000;
    await reader.whenIdle();
  } finally {
    await reader.stop();
  }
  return { delivery, answeredSeconds, seconds: (performance.now() - started) / 1000, streams };
}

/** The tracker: the webhook function answering, the transaction function fed live from the table's stream. */
async function runTrackerCost(table: CostTable, stream: WebhookStream, senders: number): Promise<SystemCostRun> {
  const { webhookClient, webhookDoc, tableName } = table;
  const fn = transactionFunction(table.config, tableName, stream);
  const streamArn = await findStreamArn(webhookClient, tableName);
  const webhookMeter = attachMeter(webhookClient);
  const transactionMeter = attachMeter(fn.transactionClient);
  const followUpMeter = attachMeter(fn.followUpClient);
  const classes = emptyClasses();
  const run = await deliverWhileStreaming(table, streamArn, fn.onBatch, stream, senders, classes);
  const webhookReading = webhookMeter.reading();
  const followUpReading = followUpMeter.reading();
  const transactionReading = sum(transactionMeter.reading(), followUpReading);
  webhookMeter.detach();
  transactionMeter.detach();
  followUpMeter.detach();
  const actions = await measureActions(fn.followUpClient, tableName);

  const orders = await checkTracker(webhookDoc, tableName, stream);
  const transactions = await checkTransactions(webhookDoc, tableName, stream);
  webhookClient.destroy();
  fn.transactionClient.destroy();
  fn.followUpClient.destroy();
  run.streams.destroy();
  const messages = stream.messages.length;
  return {
    approach: 'tracker',
    senders,
    messages,
    seconds: round(run.seconds),
    answeredSeconds: round(run.answeredSeconds),
    non2xx: run.delivery.non2xx,
    answers: run.delivery.answers,
    webhook: perWebhook(webhookReading, messages),
    transactionFunction: perWebhook(transactionReading, messages),
    total: perWebhook(sum(webhookReading, transactionReading), messages),
    byCommand: { webhook: commandsOf(webhookReading, messages), transactionFunction: commandsOf(transactionReading, messages) },
    byOperation: { webhook: operationsOf(webhookReading, messages), transactionFunction: operationsOf(transactionReading, messages) },
    stream: { ...fn.counts },
    classes: { ...classes, streamSide: transactionReading.byOperation },
    followUps: followUpFigures(stream, followUpReading, messages, actions),
    events: { perWebhook: round(fn.events.published / messages, 3), distinctPerWebhook: round(fn.events.ids.size / messages, 3), dollarsPerMillion: round((fn.events.published / messages) * EVENT_PRICE, 3) },
    correctness: { ...orders, transactions: transactions.transactions, transactionsWrong: transactions.wrong },
  };
}

/** What keeping follow-ups and report rows current cost per redraw flow of the stream, and per person's action. */
function followUpFigures(stream: WebhookStream, reading: MeterReading, messages: number, actions: NonNullable<SystemCostRun['followUps']>['actions']): SystemCostRun['followUps'] {
  return {
    redraws: stream.shape.redrawFlows,
    perRedraw: {
      write: round((reading.write + reading.refused) / stream.shape.redrawFlows, 3),
      read: round(reading.read / stream.shape.redrawFlows, 3),
      requests: round(reading.requests / stream.shape.redrawFlows, 3),
    },
    perWebhook: perWebhook(reading, messages),
    actions,
  };
}

/**
 * A table client sending follow-up requests (keys in a FOLLOWUP# partition) and
 * report rows' (REPORT#, CONTRACT §11: counts kept from follow-ups and
 * transactions) to `followUps`, everything else to `main`: the same requests,
 * metered apart, as work the common approach does not do.
 */
function splitFollowUps(main: TableClient, followUps: TableClient): TableClient {
  const isFollowUp = (input: object): boolean => /"pk":"(?:FOLLOWUP|REPORT)#|":pk":"(?:FOLLOWUP|REPORT)#/.test(JSON.stringify(input));
  return {
    get: (input) => (isFollowUp(input) ? followUps : main).get(input),
    query: (input) => (isFollowUp(input) ? followUps : main).query(input),
    put: (input) => (isFollowUp(input) ? followUps : main).put(input),
    update: (input) => (isFollowUp(input) ? followUps : main).update(input),
    delete: (input) => (isFollowUp(input) ? followUps : main).delete(input),
    transactWrite: (input) => (isFollowUp(input) ? followUps : main).transactWrite(input),
    batchGet: (input) => main.batchGet(input),
  };
}

/** The actions a team takes on a redraw, in order, each measured over up to 100 open follow-ups. */
const ACTIONS: readonly Record<string, unknown>[] = [
  { action: 'acknowledge', owner: 'j.doe' },
  { action: 'record_contact', channel: 'phone', outcome: 'no_answer' },
  { action: 'snooze', until: typicalWakeTime(new Date()), reason: 'appointment_booked' },
  { action: 'close', disposition: 'patient_declined' },
];

/** Units of each person's action (POST /follow-ups/{id}/actions' store call), per action. */
async function measureActions(client: DynamoDBClient, tableName: string): Promise<Record<string, { write: number; read: number; requests: number }>> {
  const db = documentTable(documentClientOf(client));
  const page = await listFollowUps(db, tableName, { state: 'open', owner: null, limit: 100, from: null, now: new Date() });
  const ids = page.items.map((item) => item.followUp.id);
  const result: Record<string, { write: number; read: number; requests: number }> = {};
  if (ids.length === 0) return result;
  for (const body of ACTIONS) {
    const meter = attachMeter(client);
    await forEachLimited(ids, 8, async (id) => {
      await actOnFollowUp(db, tableName, { id, body, actor: 'bench', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
    });
    const reading = meter.reading();
    meter.detach();
    result[String(body.action)] = {
      write: round((reading.write + reading.refused) / ids.length, 3),
      read: round(reading.read / ids.length, 3),
      requests: round(reading.requests / ids.length, 3),
    };
  }
  return result;
}

const TransactionAnswer = z.object({
  transaction: z.object({ status: z.string(), updated_at: z.string(), orders: z.array(z.object({ id: z.string() })) }),
});

/** GET /transactions/{id} of some tracker: its status code and body. */
export type GetTransaction = (transactionId: string) => Promise<{ status: number; body: string }>;

/**
 * Every transaction of the stream, read as a user reads it (GET /transactions/{id}),
 * must have the status the contract's rule gives for its members' newest
 * states, every member in ascending created_at, and the newest member status time.
 */
export async function checkStreamTransactions(stream: WebhookStream, get: GetTransaction): Promise<{ transactions: number; wrong: number }> {
  const members = new Map<string, ReturnType<typeof expectedRecord>[]>();
  for (const { body } of stream.newest.values()) {
    const record = expectedRecord(JSON.parse(body));
    if (record.transaction_id === null) continue;
    members.set(record.transaction_id, [...(members.get(record.transaction_id) ?? []), record]);
  }
  let wrong = 0;
  await forEachLimited([...members.entries()], 8, async ([transactionId, records]) => {
    const answer = await get(transactionId);
    if (answer.status !== 200) {
      wrong++;
      return;
    }
    const { transaction } = TransactionAnswer.parse(JSON.parse(answer.body));
    const expectedIds = [...records].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).map((record) => record.id);
    const newestTime = records.map((record) => record.status_time).reduce((newest, time) => (time > newest ? time : newest));
    const right =
      transaction.status === transactionStatus(records) &&
      transaction.updated_at === newestTime &&
      JSON.stringify(transaction.orders.map((order) => order.id)) === JSON.stringify(expectedIds);
    if (!right) wrong++;
  });
  return { transactions: members.size, wrong };
}

/** The same, through the query handler over the bench's table. */
async function checkTransactions(doc: DynamoDBDocumentClient, tableName: string, stream: WebhookStream) {
  const query = createQueryHandler({ db: documentTable(doc), tableName, logger: silent });
  const { value } = await muted(() =>
    checkStreamTransactions(stream, async (transactionId) => {
      const answer = await query({ rawPath: `/transactions/${transactionId}`, requestContext: { http: { method: 'GET' } } });
      return { status: answer.statusCode ?? 0, body: typeof answer.body === 'string' ? answer.body : '' };
    }),
  );
  return value;
}
