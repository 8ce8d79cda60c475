/**
 * Every row of CONTRACT.md §1 through the handler factory, with API Gateway v2
 * events, against DynamoDB Local through the webhook's own writes (the SDK's
 * document client, as deployed); DynamoDB requests counted on the wire by a proxy,
 * which also injects the transient failures; PHI canaries searched for in the
 * table and in captured logs.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getAppointment } from '../../functions/store/appointments';
import { getOrder } from '../../functions/store/order-reads';
import { readQuarantine } from '../../functions/store/quarantine-replay';
import { keys } from '../../functions/store/keys';
import { MAX_BODY_BYTES, type WebhookHandler } from '../../functions/webhook/app';
import { localTable } from '../../local/dynamodb-local';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy, type ProxyFault } from '../support/dynamodb-proxy';
import { buildDeliveries, docsFixtures, envelope, freshId, isRecord, newestByOrder, PHI_CANARY, phiFields, redrawFlow, simpleFlow } from '../support/junction';
import { captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, signedEvent, webhookMetricResults, webhookHandlerFor } from '../support/webhook';
import { expectedRecord } from '../support/webhook-store';

const secret = newSecret();
let table: TestTable;
let requests: DynamoDbProxy;
let output: ReturnType<typeof captureOutput>;
let handler: WebhookHandler;
/** Every log and metric line of the file, for the PHI check at the end. */
const allOutput: string[] = [];

beforeAll(async () => {
  table = await createTestTable('webhook');
  requests = await startDynamoDbProxy(localEndpoint());
});
afterAll(async () => {
  await requests?.close();
  await table.drop();
});
beforeEach(() => {
  requests.reset();
  output = captureOutput();
  handler = webhookHandlerFor(localTable(requests.endpoint), table.tableName, [secret]);
});
afterEach(() => {
  output.restore();
  allOutput.push(...output.lines());
});

async function deliver(body: unknown, options: { messageId?: string; base64?: boolean } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return parseAnswer(await handler(signedEvent(text, { secret, ...options }), lambdaContext()));
}

function singleOrderFlow() {
  return buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test'));
}

describe('order events', () => {
  it('applies a newer event with one conditional write, and stores its state', async () => {
    const [first] = singleOrderFlow();
    expect(await deliver(first!.body)).toEqual({ statusCode: 200, body: { result: 'applied' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    expect((await getOrder(table.db, table.tableName, first!.orderId))?.record).toEqual(expectedRecord(first!.body));
    expect(webhookMetricResults(output.lines())).toEqual(['applied']);
  });

  it('answers duplicate to a Svix retry (same message id) with one request and no change', async () => {
    const [first] = singleOrderFlow();
    const messageId = newMessageId();
    await deliver(first!.body, { messageId });
    requests.reset();
    expect(await deliver(first!.body, { messageId })).toEqual({ statusCode: 200, body: { result: 'duplicate' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    expect((await getOrder(table.db, table.tableName, first!.orderId))?.record).toEqual(expectedRecord(first!.body));
  });

  it('answers duplicate to a Junction resend of the same order event under a new message id', async () => {
    const [first] = singleOrderFlow();
    await deliver(first!.body);
    requests.reset();
    expect(await deliver(first!.body, { messageId: newMessageId() })).toEqual({ statusCode: 200, body: { result: 'duplicate' } });
    expect(requests.requests.length).toBe(1);
  });

  it('answers stale to an older event arriving after a newer one, keeping the newer state, with one request', async () => {
    const deliveries = singleOrderFlow();
    const newest = deliveries.at(-1)!;
    await deliver(newest.body);
    requests.reset();
    expect(await deliver(deliveries[0]!.body)).toEqual({ statusCode: 200, body: { result: 'stale' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    expect((await getOrder(table.db, table.tableName, newest.orderId))?.record).toEqual(expectedRecord(newest.body));
    expect(webhookMetricResults(output.lines())).toEqual(['applied', 'stale']);
  });

  it('reads a base64-encoded body (as API Gateway hands over binary bodies)', async () => {
    const [first] = singleOrderFlow();
    expect(await deliver(first!.body, { base64: true })).toEqual({ statusCode: 200, body: { result: 'applied' } });
  });

  it('applies a whole redraw flow delivered in order, each order ending in its newest state', async () => {
    const deliveries = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed'));
    for (const delivery of deliveries) expect((await deliver(delivery.body)).body).toEqual({ result: 'applied' });
    for (const [orderId, newest] of newestByOrder(deliveries)) {
      expect((await getOrder(table.db, table.tableName, orderId))?.record).toEqual(expectedRecord(newest.body));
    }
  });
});

describe('logs', () => {
  it('logs the svix id, order id and event type of a request, and clears them before the next one', async () => {
    const [first] = singleOrderFlow();
    const messageId = newMessageId();
    await deliver(first!.body, { messageId });
    await handler(signedEvent('{}', { secret: newSecret() }), lambdaContext());
    const answered = output.lines().filter((line) => line.includes('"message":"webhook answered"'));
    expect(answered).toHaveLength(2);
    expect(answered[0]).toContain(`"svix_id":"${messageId}"`);
    expect(answered[0]).toContain(`"order_id":"${first!.orderId}"`);
    expect(answered[0]).toContain('"event_type":"labtest.order.created"');
    expect(answered[1]).not.toContain(messageId);
    expect(answered[1]).not.toContain(first!.orderId);
  });
});

describe("Junction's documented examples", () => {
  const fixtures = docsFixtures();

  it.each(fixtures.filter((fixture) => ['labtest.order.created', 'labtest.order.updated'].includes(fixture.eventType)).map((fixture) => [fixture.file, fixture] as const))(
    'applies the order example %s with the state of its newest event',
    async (_file, fixture) => {
      // The examples share one order id: give each its own so that each is applied on its own.
      const data = isRecord(fixture.body.data) ? fixture.body.data : {};
      const body = { ...fixture.body, data: { ...data, id: freshId() } };
      expect(await deliver(body)).toEqual({ statusCode: 200, body: { result: 'applied' } });
      const record = expectedRecord(body);
      const stored = await getOrder(table.db, table.tableName, record.id);
      expect(stored?.record).toEqual(record);
      const eventIds = Array.isArray(data.events) ? data.events.map((event: unknown) => (isRecord(event) ? Number(event.id) : -1)) : [];
      expect(stored?.record.last_event?.id).toBe(Math.max(...eventIds));
    },
  );

  it.each(fixtures.filter((fixture) => fixture.eventType.startsWith('labtest.appointment.')).map((fixture) => [fixture.file, fixture] as const))(
    'applies the appointment example %s as its order\'s appointment, with one write and nothing of its PHI',
    async (_file, fixture) => {
      const data = isRecord(fixture.body.data) ? fixture.body.data : {};
      const orderId = freshId();
      expect(await deliver({ ...fixture.body, data: { ...data, order_id: orderId } })).toEqual({ statusCode: 200, body: { result: 'applied' } });
      expect(requests.counts()).toEqual({ PutItem: 1 });
      const stored = await getAppointment(table.db, table.tableName, orderId);
      expect(stored).toMatchObject({ id: data.id, order_id: orderId, transaction_id: data.order_transaction_id, start_at: '2022-01-01T00:00:00.000000Z', status: data.status, type: data.type, provider: data.provider });
      const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.appointment(orderId) }));
      expect(JSON.stringify(Item)).not.toMatch(/Main St|San Francisco|91189|37\.77|acf79a82|"123"/);
    },
  );

  const TRACKED = ['labtest.order.created', 'labtest.order.updated', 'labtest.appointment.created', 'labtest.appointment.updated'];
  it.each(fixtures.filter((fixture) => !TRACKED.includes(fixture.eventType)).map((fixture) => [fixture.file, fixture] as const))(
    'ignores the untracked example %s without a DynamoDB request',
    async (_file, fixture) => {
      expect(await deliver(fixture.body)).toEqual({ statusCode: 200, body: { result: 'ignored' } });
      expect(requests.requests.length).toBe(0);
      expect(webhookMetricResults(output.lines())).toEqual(['ignored']);
    },
  );
});

describe('quarantine', () => {
  it('quarantines a body that is not JSON, storing it whole under its message id', async () => {
    const messageId = newMessageId();
    const body = `{"event_type":"labtest.order.updated","data":{"notes":"${PHI_CANARY}-truncated`;
    expect(await deliver(body, { messageId })).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    const stored = await readQuarantine(table.db, table.tableName, messageId);
    expect(stored?.rawBody.toString('utf8')).toBe(body);
    expect(stored?.reason).toBe('body is not valid JSON');
    expect(webhookMetricResults(output.lines())).toEqual(['quarantined']);
  });

  it('quarantines valid JSON that is not a valid order event, with a reason naming fields only', async () => {
    const messageId = newMessageId();
    const body = envelope('labtest.order.updated', { ...phiFields('bad-order'), id: `${PHI_CANARY} not an id`, created_at: 'yesterday' });
    expect(await deliver(body, { messageId })).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
    const stored = await readQuarantine(table.db, table.tableName, messageId);
    expect(stored?.rawBody.toString('utf8')).toBe(JSON.stringify(body));
    expect(stored?.reason).toMatch(/^order: /);
    expect(stored?.reason).not.toContain(PHI_CANARY);
    expect(stored?.svixTimestamp).toBeTypeOf('number');
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.quarantine(messageId) }));
    const thirtyDays = 30 * 24 * 3600;
    expect(Number(Item?.expires_at) - Date.now() / 1000).toBeGreaterThan(thirtyDays - 60);
    expect(Number(Item?.expires_at) - Date.now() / 1000).toBeLessThanOrEqual(thirtyDays);
  });

  it('overwrites the same quarantine when Svix retries the message', async () => {
    const messageId = newMessageId();
    await deliver('not json', { messageId });
    expect(await deliver('not json', { messageId })).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
    const items = await table.doc.send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'svix_id = :id', ExpressionAttributeValues: { ':id': messageId } }));
    expect(items.Items).toHaveLength(1);
  });

  it('stores a 1 MiB body whose gzip exceeds one item in chunks written together, and reads it back whole', async () => {
    const messageId = newMessageId();
    // Random base64 compresses poorly: about 790 KB of gzip, more than two items' worth.
    const filler = Buffer.from(Array.from({ length: 786_000 }, () => Math.floor(Math.random() * 256))).toString('base64');
    const body = `{"event_type":"labtest.order.updated","data":"${filler}"}`.padEnd(MAX_BODY_BYTES, ' ');
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(await deliver(body, { messageId })).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
    expect(requests.counts()).toEqual({ TransactWriteItems: 1 });
    const stored = await readQuarantine(table.db, table.tableName, messageId);
    expect(stored?.chunks).toBeGreaterThan(1);
    expect(stored?.rawBody.equals(Buffer.from(body))).toBe(true);
  });
});

describe('transient failures', () => {
  /** A handler whose every DynamoDB request meets `fault` on the wire (each of its attempts). */
  function failingHandler(fault: ProxyFault) {
    requests.fault = () => fault;
    return { failing: webhookHandlerFor(localTable(requests.endpoint, { socketTimeoutMs: 300 }), table.tableName, [secret]) };
  }

  it.each<[string, ProxyFault, string]>([
    ['throttled', { kind: 'answer', status: 400, errorType: 'ThrottlingException', message: `rate exceeded ${PHI_CANARY}` }, 'ThrottlingException'],
    ['failing', { kind: 'answer', status: 500, errorType: 'InternalServerError', message: `internal ${PHI_CANARY}` }, 'InternalServerError'],
    ['silent (timed out)', { kind: 'silent' }, 'TimeoutError'],
    ['resetting connections', { kind: 'reset_before' }, 'ECONNRESET'],
  ])("answers 503 with a generic body when DynamoDB is %s, after the SDK's 4 attempts, and writes nothing", async (_name, fault, errorName) => {
    const { failing } = failingHandler(fault);
    const [first] = singleOrderFlow();
    const answer = await failing(signedEvent(JSON.stringify(first!.body), { secret }), lambdaContext());
    expect(parseAnswer(answer)).toEqual({ statusCode: 503, body: { error: { code: 'unavailable', message: expect.any(String) } } });
    expect(answer.body).not.toContain(PHI_CANARY);
    expect(requests.counts()).toEqual({ PutItem: 4 });
    expect(await getOrder(table.db, table.tableName, first!.orderId)).toBeNull();
    const logs = output.lines();
    expect(logs.some((line) => line.includes('"message":"webhook failed"') && line.includes(`"error_name":"${errorName}"`))).toBe(true);
    expect(logs.join('\n')).not.toContain(PHI_CANARY);
    expect(webhookMetricResults(logs)).toEqual(['error']);
  });

  it('applies on a later attempt when the first ones are throttled or reset', async () => {
    const faults: (ProxyFault | null)[] = [{ kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException' }, { kind: 'reset_before' }];
    requests.fault = () => faults.shift() ?? null;
    const [first] = singleOrderFlow();
    expect(await deliver(first!.body)).toEqual({ statusCode: 200, body: { result: 'applied' } });
    expect(requests.counts()).toEqual({ PutItem: 3 });
    expect((await getOrder(table.db, table.tableName, first!.orderId))?.record).toEqual(expectedRecord(first!.body));
  });

  it('answers duplicate when the write was applied but its answer was lost (the retry finds it stored)', async () => {
    const faults: (ProxyFault | null)[] = [{ kind: 'lost_answer' }];
    requests.fault = () => faults.shift() ?? null;
    const [first] = singleOrderFlow();
    expect(await deliver(first!.body)).toEqual({ statusCode: 200, body: { result: 'duplicate' } });
    expect(requests.requests.map(({ operation, fault }) => [operation, fault])).toEqual([
      ['PutItem', 'lost_answer'],
      ['PutItem', null],
    ]);
    expect((await getOrder(table.db, table.tableName, first!.orderId))?.record).toEqual(expectedRecord(first!.body));
  });

  it('answers 503 and writes no chunk when a chunked quarantine fails', async () => {
    const { failing } = failingHandler({ kind: 'silent' });
    const messageId = newMessageId();
    const body = `{"not": "an envelope", "x": "${Buffer.from(Array.from({ length: 600_000 }, () => Math.floor(Math.random() * 256))).toString('base64')}"}`;
    const answer = await failing(signedEvent(body, { secret, messageId }), lambdaContext());
    expect(answer.statusCode).toBe(503);
    expect(requests.counts()).toEqual({ TransactWriteItems: 4 });
    expect(await readQuarantine(table.db, table.tableName, messageId)).toBeNull();
  });
});

describe('PHI', () => {
  it('never stores a PHI canary outside quarantine items, and never logs one', async () => {
    const flows = [
      redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'sample_error'),
      ...(['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'] as const).map((method) => simpleFlow({ transactionId: freshId(), orderId: freshId() }, method)),
    ];
    for (const delivery of flows.flatMap(buildDeliveries)) {
      await deliver(delivery.body);
      // The same body made unreadable: quarantined whole, PHI included, and never logged.
      await deliver({ ...delivery.body, data: { ...(isRecord(delivery.body.data) ? delivery.body.data : {}), created_at: 'not a time' } });
    }
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(items.filter((item) => String(item.pk).startsWith('ORDER#')).length).toBeGreaterThan(5);
    expect(items.filter((item) => String(item.pk).startsWith('QUARANTINE#')).length).toBeGreaterThan(5);
    const outsideQuarantine = items.filter((item) => !String(item.pk).startsWith('QUARANTINE#'));
    expect(JSON.stringify(outsideQuarantine)).not.toContain(PHI_CANARY);
    expect([...allOutput, ...output.lines()].join('\n')).not.toContain(PHI_CANARY);
    expect(allOutput.length).toBeGreaterThan(20);
  });
});
