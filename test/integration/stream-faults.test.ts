/**
 * Issue 24, items 1 and 6: the transaction function when EventBridge and
 * DynamoDB are in trouble for longer than retries last, through the real code:
 * DynamoDB Local and its real stream read by the local stream reader (which
 * retries as the deployed mapping does: no attempt limit), the real
 * EventBridgeClient (the deployed timeouts and SDK retries) pointed at the
 * stand-in (test/support/aws-standin.ts), the handler's table client behind the
 * fault-injecting proxy (test/support/dynamodb-proxy.ts). "Minutes" and "an
 * hour" pass on an injected clock (records are aged with it) and in small
 * time-left contexts, never by waiting.
 *
 * What must hold: the handler answers before its deadline with the records
 * whose work was not done as batch item failures, and counts the facts that did
 * not go out; a record failing past the park age has its work parked (keys and
 * facts, never PHI) and is acknowledged, never before the park is written; once
 * EventBridge and DynamoDB recover, every fact of the writes is published with
 * its one id and the transaction whose last webhook's record was parked ends
 * recomputed without any new webhook; work parked and left without a stream
 * record is redone by `redraw-tracker stream-work --redo`, and `npm start`'s
 * own consumer redoes parked work from its item's record.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { freePort } from '../support/npm-start';
import { captureOutput } from '../support/webhook';
import { eventId, type TrackerEvent } from '../../functions/core/events';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { SDK_REQUEST_HANDLER } from '../../functions/shared/sdk-clients';
import { parkWork, listParkedWork } from '../../functions/store/parked-work';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { factsOfWrite } from '../../functions/store/stream-facts';
import { readStreamItem } from '../../functions/store/stream-items';
import { keys } from '../../functions/store/keys';
import { getTransactionItem } from '../../functions/store/transaction-partition';
import { createTransactionStatusHandler, METRIC, PARK_AFTER_MS } from '../../functions/transaction-status/app';
import { createEventBridgePublisher } from '../../functions/transaction-status/publisher';
import { decodeRecord } from '../../functions/transaction-status/steps/intake';
import { localDynamoDbClientConfig, localTable } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type DeadLetter, type StreamReader } from '../../local/stream-reader';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { runCliOnTable } from '../support/cli-in-process';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { buildDeliveries, freshId, PHI_CANARY, simpleFlow, type Delivery, type FlowSpec } from '../support/junction';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
/** The function's timeout in these tests, and the margin it keeps: small, so a hang costs seconds, not a minute. */
const TIMEOUT_MS = 4_000;
const MARGIN_MS = 1_500;

let table: TestTable;
let standin: AwsStandin;
let proxy: DynamoDbProxy;
let eventBridge: EventBridgeClient;
let streams: DynamoDBStreamsClient;
let reader: StreamReader;
/** How far the handler's clock is ahead of the real one: records age with it. */
let clockOffsetMs = 0;
/** DynamoDB operations of the handler failing now (500 InternalServerError). */
const failing = new Set<string>();
const metrics = new Map<string, number>();
let flushes = 0;
/** Every answer of the handler, with the time it had left when it answered. */
const answers: { records: DynamoDBRecord[]; response: DynamoDBBatchResponse; remainingMs: number; flushed: boolean }[] = [];
const deadLetters: DeadLetter[] = [];

const handler = (socketTimeoutMs = 1_000) =>
  createTransactionStatusHandler({
    // One attempt per request: a fault reaches the handler.
    db: localTable(proxy.endpoint, { maxAttempts: 1, socketTimeoutMs }),
    tableName: table.tableName,
    logger: silent,
    metrics: {
      addMetric(name: string, _unit: string, value: number) {
        metrics.set(name, (metrics.get(name) ?? 0) + value);
      },
      publishStoredMetrics() {
        flushes++;
      },
    },
    publisher: createEventBridgePublisher(eventBridge, 'tracker-bus', { pauseMs: 20, minAttemptMs: 200 }),
    retentionDays: 365,
    now: () => Date.now() + clockOffsetMs,
    marginMs: MARGIN_MS,
  });

beforeAll(async () => {
  table = await createTestTable('stream-faults');
  standin = await startAwsStandin();
  proxy = await startDynamoDbProxy(localEndpoint());
  proxy.fault = (operation) => (failing.has(operation) ? { kind: 'answer', status: 500, errorType: 'InternalServerError' } : null);
  // As deployed (handler.ts): the SDK's own retries, the shared connection and socket timeouts.
  eventBridge = new EventBridgeClient({ ...STANDIN_CLIENT_CONFIG, endpoint: standin.endpoint, requestHandler: { ...SDK_REQUEST_HANDLER } });
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  reader = await startReader();
});
// Whatever a test leaves on when it fails midway, the next one starts with every dependency answering
// (a failed first test once left DynamoDB failing for the file, and three tests after it timed out).
afterEach(() => {
  failing.clear();
  clockOffsetMs = 0;
  if (standin) {
    standin.plan.events = () => 'serve';
    standin.releaseHanging();
  }
});
afterAll(async () => {
  await reader?.stop();
  streams?.destroy();
  eventBridge?.destroy();
  await standin?.close();
  await proxy?.close();
  await table?.drop();
});

async function startReader(startingPosition: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON'): Promise<StreamReader> {
  const transactionStatus = handler();
  return startStreamReader({
    client: streams,
    streamArn: await findStreamArn(table.client, table.tableName),
    handler: async (event, context) => {
      const before = flushes;
      const response = await transactionStatus(event, context);
      answers.push({ records: event.Records, response, remainingMs: context.getRemainingTimeInMillis(), flushed: flushes > before });
      return response;
    },
    pollIntervalMs: 20,
    maxRetryPauseMs: 200,
    functionTimeoutMs: TIMEOUT_MS,
    startingPosition,
    logger: silent,
    onDeadLetter: (letter) => void deadLetters.push(letter),
  });
}

async function write(delivery: Delivery): Promise<void> {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'order') throw new Error('test delivery is not an order event');
  await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
}

function flowIds(spec: FlowSpec): Set<string> {
  return new Set([...(spec.transactionId === null ? [] : [spec.transactionId]), ...spec.orders.map((order) => order.id)]);
}

const concerns = (ids: Set<string>) => (event: { order_id?: unknown; transaction_id?: unknown }) =>
  (typeof event.order_id === 'string' && ids.has(event.order_id)) || (typeof event.transaction_id === 'string' && ids.has(event.transaction_id));

/** The ids EventBridge accepted for the flow, each once. */
function publishedIds(spec: FlowSpec): Set<string> {
  return new Set(standin.events.filter(concerns(flowIds(spec))).map((event) => String(event.id)));
}

/**
 * The facts of every write the table holds a record of for the flow (the
 * stream read again from its start by a second reader): what must be published.
 */
async function factsOfTheWrites(spec: FlowSpec): Promise<Set<string>> {
  const ids = new Set<string>();
  const collector = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(table.client, table.tableName),
    handler: async (event) => {
      for (const record of event.Records) {
        const write = decodeRecord(record);
        for (const fact of factsOfWrite(write.before, write.after)) {
          if (concerns(flowIds(spec))(fact)) ids.add(fact.id);
        }
      }
    },
    pollIntervalMs: 20,
    logger: silent,
  });
  await collector.whenIdle();
  await collector.stop();
  return ids;
}

/** The transaction item as stored (not merged with its orders, as readers see it): what the recompute wrote. */
function storedTransaction(spec: FlowSpec) {
  return getTransactionItem(table.db, table.tableName, spec.transactionId!, true);
}

/** The answers (from `from` on) that report this record as failed. */
function reporting(sequenceNumber: string, from = 0) {
  return answers.slice(from).filter((answer) => answer.response.batchItemFailures.some((failure) => failure.itemIdentifier === sequenceNumber));
}

/** The stream record of the order's newest write, once the handler has seen it. */
async function recordOf(orderId: string, lowLevelStatus: string): Promise<DynamoDBRecord> {
  let found: DynamoDBRecord | undefined;
  await expect
    .poll(
      () =>
        (found = answers
          .flatMap((answer) => answer.records)
          .find((record) => record.dynamodb?.Keys?.pk?.S === keys.order(orderId).pk && record.dynamodb?.NewImage?.l?.S === lowLevelStatus)),
      { timeout: 30_000, interval: 50 },
    )
    .toBeDefined();
  return found!;
}

describe('transaction function through an EventBridge outage longer than the park age', () => {
  it('answers before its deadline, parks the work of the last webhook, and after recovery publishes every fact once and completes the transaction without a new webhook', async () => {
    const spec = simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'on_site_collection');
    const deliveries = buildDeliveries(spec);
    const last = deliveries.at(-1)!;
    for (const delivery of deliveries.slice(0, -1)) await write(delivery);
    await reader.whenIdle();
    expect((await storedTransaction(spec))?.status).toBe('active');

    // The outage: EventBridge throttles and fails, DynamoDB fails the recompute's reads.
    standin.plan.events = (call) => (call % 2 === 0 ? { status: 400, code: 'ThrottlingException' } : { status: 500, code: 'InternalFailure' });
    failing.add('GetItem');
    const failuresBefore = metrics.get(METRIC.publishFailures) ?? 0;
    await write(last);
    const record = await recordOf(spec.orders[0]!.id, 'completed');
    const sequenceNumber = record.dynamodb!.SequenceNumber!;
    await expect.poll(() => reporting(sequenceNumber).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    expect((metrics.get(METRIC.publishFailures) ?? 0) - failuresBefore).toBeGreaterThanOrEqual(1);

    // Then it hangs ("for minutes"): each invocation still answers within its time, reporting the record.
    standin.plan.events = () => 'hang';
    const hangingFrom = answers.length;
    await expect.poll(() => reporting(sequenceNumber, hangingFrom).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    for (const answer of reporting(sequenceNumber)) {
      expect(answer.remainingMs).toBeGreaterThan(0);
      expect(answer.flushed).toBe(true);
    }
    expect(await listParkedWork(table.db, table.tableName)).toEqual([]);

    // An hour later (on the handler's clock), still down: the record's work is parked, and the record acknowledged.
    clockOffsetMs = PARK_AFTER_MS + 60_000;
    const parkedBefore = metrics.get(METRIC.parked) ?? 0;
    await expect.poll(async () => (await listParkedWork(table.db, table.tableName)).map((item) => item.recordId), { timeout: 60_000, interval: 50 }).toContain(record.eventID);
    clockOffsetMs = 0;
    // The park is written mid-invocation and the metric flushed as the invocation ends: on a busy machine the
    // item can be read before that (CI read 0 here, and the rest of the file then ran with the outage still on).
    await expect.poll(() => (metrics.get(METRIC.parked) ?? 0) - parkedBefore, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    const parked = (await listParkedWork(table.db, table.tableName)).find((item) => item.recordId === record.eventID)!;
    expect(parked.transactions).toEqual([{ transactionId: spec.transactionId, orderIds: [spec.orders[0]!.id] }]);
    expect(parked.facts.map((fact) => fact.type)).toContain('order.status_changed');
    const rawItem = await table.db.get({ TableName: table.tableName, Key: keys.parkedWork(record.eventID!), ConsistentRead: true });
    expect(JSON.stringify(rawItem)).not.toContain(PHI_CANARY);
    // In no index (no reader of one sees it), and no expiry: pending work never vanishes.
    expect(Object.keys(rawItem!).sort()).toEqual(['attempts', 'facts', 'parked_at', 'pk', 'record_id', 'recorded_at', 'sk', 'transactions']);
    // Nothing but the park was done: the stored transaction is still active, its completion not published.
    expect((await storedTransaction(spec))?.status).toBe('active');
    expect(standin.events.filter(concerns(flowIds(spec)))).not.toContainEqual(expect.objectContaining({ type: 'transaction.status_changed', to: 'completed' }));

    // Recovery: everything answers again. No new webhook is written.
    standin.plan.events = () => 'serve';
    standin.releaseHanging();
    failing.clear();
    await reader.whenIdle();

    const transaction = await storedTransaction(spec);
    expect(transaction?.status).toBe('completed');
    expect(transaction?.expires_at).toEqual(expect.any(Number));
    const published = publishedIds(spec);
    expect(published).toEqual(await factsOfTheWrites(spec));
    expect(standin.events.filter(concerns(flowIds(spec)))).toContainEqual(
      expect.objectContaining({ type: 'transaction.status_changed', transaction_id: spec.transactionId, to: 'completed' }),
    );
    for (const fact of parked.facts) expect(published).toContain(fact.id);
    expect(await listParkedWork(table.db, table.tableName)).toEqual([]);
    expect(metrics.get(METRIC.redone) ?? 0).toBeGreaterThanOrEqual(1);
    expect(deadLetters).toEqual([]);
  });

  it('keeps an old record failing while the park write fails, and parks it once DynamoDB answers', async () => {
    const spec = simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 1);
    standin.plan.events = () => ({ status: 500, code: 'InternalFailure' });
    for (const operation of ['GetItem', 'PutItem', 'UpdateItem']) failing.add(operation);
    // Every record is past the park age from its first delivery.
    clockOffsetMs = PARK_AFTER_MS + 60_000;
    const parkedBefore = metrics.get(METRIC.parked) ?? 0;
    await write(buildDeliveries(spec)[0]!);
    const record = await recordOf(spec.orders[0]!.id, 'ordered');
    const sequenceNumber = record.dynamodb!.SequenceNumber!;
    await expect.poll(() => reporting(sequenceNumber).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    // Nothing acknowledged that was not done: no park, no metric, the record still reported.
    expect(metrics.get(METRIC.parked) ?? 0).toBe(parkedBefore);
    expect(await listParkedWork(table.db, table.tableName)).toEqual([]);
    expect(proxy.requests.some((request) => request.operation === 'PutItem' && JSON.stringify(request.body).includes('"PARKED"'))).toBe(true);

    // DynamoDB answers again (EventBridge does not): the work is parked and the record let go.
    failing.clear();
    await expect.poll(async () => (await listParkedWork(table.db, table.tableName)).map((item) => item.recordId), { timeout: 60_000, interval: 50 }).toContain(record.eventID);
    clockOffsetMs = 0;
    standin.plan.events = () => 'serve';
    await reader.whenIdle();
    expect((await storedTransaction(spec))?.status).toBe('active');
    expect(publishedIds(spec)).toEqual(await factsOfTheWrites(spec));
    expect(await listParkedWork(table.db, table.tableName)).toEqual([]);
  });
});

describe('transaction function parking records that carry facts only', () => {
  it("parks the facts of a transaction item's own write (transaction.status_changed) and publishes them after recovery", async () => {
    const spec = simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test');
    const deliveries = buildDeliveries(spec);
    for (const delivery of deliveries.slice(0, -1)) await write(delivery);
    await reader.whenIdle();

    // EventBridge fails, DynamoDB answers: the recompute completes the transaction, no fact goes out,
    // and every record is past the park age from its first delivery.
    standin.plan.events = () => ({ status: 500, code: 'InternalFailure' });
    clockOffsetMs = PARK_AFTER_MS + 60_000;
    try {
      await write(deliveries.at(-1)!);
      const parkedFacts = async () => (await listParkedWork(table.db, table.tableName)).flatMap((item) => item.facts);
      await expect
        .poll(parkedFacts, { timeout: 60_000, interval: 50 })
        .toContainEqual(expect.objectContaining({ type: 'transaction.status_changed', transaction_id: spec.transactionId, to: 'completed' }));
      expect((await storedTransaction(spec))?.status).toBe('completed');
    } finally {
      clockOffsetMs = 0;
      standin.plan.events = () => 'serve';
    }
    await reader.whenIdle();
    expect(publishedIds(spec)).toEqual(await factsOfTheWrites(spec));
    expect(standin.events.filter(concerns(flowIds(spec)))).toContainEqual(expect.objectContaining({ type: 'transaction.status_changed', to: 'completed' }));
    expect(await listParkedWork(table.db, table.tableName)).toEqual([]);
  });
});

describe('transaction function with too little time left', () => {
  it('reports the records whose transaction could not be recomputed in the time left, before its deadline, with its metrics flushed', async () => {
    const spec = simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 2);
    for (const delivery of buildDeliveries(spec)) await write(delivery);
    await reader.whenIdle();
    const records = answers.flatMap((answer) => answer.records).filter((record) => record.dynamodb?.Keys?.pk?.S === keys.order(spec.orders[0]!.id).pk);
    expect(records).toHaveLength(2);

    // DynamoDB stops answering the recompute's reads; the invocation has 2 s left, 1.5 s of it kept back.
    proxy.fault = (operation) => (operation === 'GetItem' ? { kind: 'silent' } : null);
    try {
      const flushesBefore = flushes;
      const deadline = Date.now() + 2_000;
      // The client would wait 10 s for an answer: only the deadline ends the wait in time.
      const response = await handler(10_000)({ Records: records }, { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) });
      expect(deadline - Date.now()).toBeGreaterThan(0);
      expect(flushes).toBeGreaterThan(flushesBefore);
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(records.map((record) => record.dynamodb!.SequenceNumber!).sort());
    } finally {
      proxy.fault = (operation) => (failing.has(operation) ? { kind: 'answer', status: 500, errorType: 'InternalServerError' } : null);
    }
  });
});

const cli = (argv: string[]) => runCliOnTable(argv, table.tableName);

describe('redraw-tracker stream-work', () => {
  it('lists parked work no stream record will redo, and --redo has the transaction function redo it', async () => {
    // The stream consumer is down while a webhook is stored; when it comes back, its record is gone
    // (given up on): only the parked work says what to redo.
    await reader.stop();
    const spec = simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', 2);
    const deliveries = buildDeliveries(spec);
    for (const delivery of deliveries) await write(delivery);
    const stored = await table.db.get({ TableName: table.tableName, Key: keys.order(spec.orders[0]!.id), ConsistentRead: true });
    const facts = factsOfWrite(undefined, stored === undefined ? undefined : readStreamItem(stored));
    const recordId = `given-up-${freshId()}`;
    const work = { recordId, transactions: [{ transactionId: spec.transactionId!, orderIds: [spec.orders[0]!.id] }], loneOrderId: null, facts, recordedAt: new Date().toISOString() };
    expect(await parkWork(table.db, table.tableName, work, new Date().toISOString())).toBe('parked');
    // The same record parked again (a redelivery): one item is kept.
    expect(await parkWork(table.db, table.tableName, work, new Date().toISOString())).toBe('already_parked');
    reader = await startReader('LATEST');
    await reader.whenIdle();
    expect(await storedTransaction(spec)).toBeNull();

    const listed = await cli(['stream-work', '--json']);
    expect(listed.code).toBe(0);
    const listing = JSON.parse(listed.stdout) as { items: { record_id: string }[]; pending: number };
    expect(listing.items.find((item) => item.record_id === recordId)).toEqual({
      record_id: recordId,
      recorded_at: expect.any(String),
      parked_at: expect.any(String),
      attempts: 1,
      transaction_ids: [spec.transactionId],
      lone_order_id: null,
      facts: facts.length,
      redo_requested_at: null,
    });
    expect(listing.pending).toBe(listing.items.length);
    const human = await cli(['stream-work']);
    expect(human.stdout).toContain(recordId);
    expect(human.stdout).toContain(spec.transactionId);

    const redone = await cli(['stream-work', '--redo', '--json']);
    expect(JSON.parse(redone.stdout)).toMatchObject({ requested: listing.pending });
    await reader.whenIdle();
    expect((await storedTransaction(spec))?.status).toBe('active');
    for (const fact of facts) expect(publishedIds(spec)).toContain(fact.id);
    const after = await cli(['stream-work']);
    expect(after.stdout).toContain('No parked stream work');
  });

  it('keeps the results a follow-up wanted read with its parked work: the redo records them for the sweep (CONTRACT §9 missing)', async () => {
    const orderId = freshId();
    const followUpId = freshId();
    const recordId = `results-${freshId()}`;
    await parkWork(
      table.db,
      table.tableName,
      { recordId, transactions: [], loneOrderId: null, facts: [], recordedAt: new Date().toISOString(), resultsWanted: { orderId, followUpId, want: `${followUpId}|want`, state: { status: 'sample_error', statusDetail: null }, wantedAt: '2026-03-02T09:00:00.000000Z' } },
      new Date().toISOString(),
    );
    await reader.whenIdle();
    const wanted = await table.db.get({ TableName: table.tableName, Key: keys.resultsWanted(orderId), ConsistentRead: true });
    expect(wanted).toMatchObject({ pk: `RESULTS#${orderId}` });
    expect(JSON.stringify(wanted)).toContain(followUpId);
    const listed = await cli(['stream-work', '--json']);
    expect((JSON.parse(listed.stdout) as { items: { record_id: string }[] }).items.map((item) => item.record_id)).not.toContain(recordId);
  });

  it('under npm start, the runtime redoes parked work from its stream record, and stream-work then finds none', async () => {
    // npm start on this file's table (DYNAMODB_ENDPOINT, TABLE_NAME), its own stream consumer in place of the test's.
    await reader.stop();
    // Work parked for an order and transaction the stream never carried: only the parked item can publish this fact.
    const orderId = freshId();
    const transactionId = freshId();
    const statusTime = '2026-03-02T09:00:00.000000Z';
    const fact: TrackerEvent = { id: eventId('redraw.available', orderId, statusTime), type: 'redraw.available', order_id: orderId, transaction_id: transactionId, status_time: statusTime };
    const recordId = `npm-start-${freshId()}`;
    await parkWork(
      table.db,
      table.tableName,
      { recordId, transactions: [{ transactionId, orderIds: [orderId] }], loneOrderId: null, facts: [fact], recordedAt: new Date().toISOString() },
      new Date().toISOString(),
    );
    const output = captureOutput();
    let runtime: LocalRuntime | undefined;
    try {
      runtime = await startLocalRuntime(
        parseLocalSettings({ PORT: String(await freePort()), SWEEP_INTERVAL_SECONDS: '86400', DYNAMODB_ENDPOINT: localEndpoint(), TABLE_NAME: table.tableName }),
      );
      await runtime.whenStreamIdle();
      expect(runtime.events.events.filter((event) => event.order_id === orderId)).toEqual([fact]);
      // Its orders are gone and its transaction was never stored: nothing is recomputed into existence.
      expect(await getTransactionItem(table.db, table.tableName, transactionId, true)).toBeNull();
      const listed = await cli(['stream-work', '--json']);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { items: { record_id: string }[] }).items.map((item) => item.record_id)).not.toContain(recordId);
      expect(output.lines().some((line) => /"StreamWorkRedone":[1-9]/.test(line))).toBe(true);
    } finally {
      await runtime?.stop();
      output.restore();
    }
  });
});

describe('the local stream reader, as the deployed mapping', () => {
  it('retries a failing record with no attempt limit, each delivery with a context counting down from the 60 s timeout, and gives up only past the age limit', async () => {
    const streamArn = await findStreamArn(table.client, table.tableName);
    const deliveries: number[] = [];
    const letters: DeadLetter[] = [];
    const refuse = async (event: { Records: DynamoDBRecord[] }, context: { getRemainingTimeInMillis(): number }) => {
      deliveries.push(context.getRemainingTimeInMillis());
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })) };
    };
    const unlimited = startStreamReader({ client: streams, streamArn, handler: refuse, pollIntervalMs: 10, startingPosition: 'LATEST', logger: silent, onDeadLetter: (letter) => void letters.push(letter) });
    try {
      await unlimited.whenIdle();
      await table.db.put({ TableName: table.tableName, Item: { pk: `TEST#${freshId()}`, sk: 'TEST' } });
      // More deliveries than the old limit of 5, and none given up.
      await expect.poll(() => deliveries.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(8);
      expect(letters).toEqual([]);
      for (const remaining of deliveries) {
        expect(remaining).toBeLessThanOrEqual(60_000);
        expect(remaining).toBeGreaterThan(0);
      }
    } finally {
      await unlimited.stop();
    }

    const aged = startStreamReader({ client: streams, streamArn, handler: refuse, pollIntervalMs: 10, startingPosition: 'LATEST', maxRecordAgeMs: 0, logger: silent, onDeadLetter: (letter) => void letters.push(letter) });
    try {
      await aged.whenIdle();
      await table.db.put({ TableName: table.tableName, Item: { pk: `TEST#${freshId()}`, sk: 'TEST' } });
      await expect.poll(() => letters.length, { timeout: 30_000, interval: 20 }).toBe(1);
      expect(letters[0]).toMatchObject({ attempts: 1, reason: 'batch_item_failures' });
    } finally {
      await aged.stop();
    }
  });
});
