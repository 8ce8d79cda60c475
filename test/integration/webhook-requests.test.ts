/**
 * One request per webhook (CONTRACT §1; issue 43, item 10): every kind of
 * answer the webhook gives, through the handler as deployed (its own document
 * client over DynamoDB Local), with the table requests of each delivery
 * counted by name. A middleware on the webhook's client records each command
 * (its `x-amz-target`, before the SDK's retries: a transport retry is the
 * SDK's, webhook.test.ts counts those) under the delivery being handled,
 * carried by an AsyncLocalStorage, so deliveries handled at once are counted
 * apart.
 *
 * Every delivery makes exactly one request, or none when it is refused or
 * ignored, except the two second writes the contract requires, each named
 * below. A delivery that makes any other request fails the test with its name
 * and its requests.
 *
 * The issue saw "GetItem, then PutItem" for 4 of 300 deliveries counted at the
 * table under `npm start`: the last test shows, on the same runtime, that those
 * reads are the stream function's (the transaction recomputes of earlier
 * deliveries) overlapping the webhook's one write.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSmokeOrderId, smokeWebhookBody } from '../../cli/smoke';
import { signSvixMessage } from '../../functions/core/svix';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { getOrder } from '../../functions/store/order-reads';
import { flagStale } from '../../functions/store/redraws';
import { MAX_BODY_BYTES, type WebhookHandler } from '../../functions/webhook/app';
import { parseLocalSettings } from '../../local/config';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { startLocalRuntime, WEBHOOK_USER_AGENT } from '../../local/runtime';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy } from '../support/dynamodb-proxy';
import { appointmentDelivery, buildDeliveries, envelope, freshId, redrawFlow, simpleFlow, svixSchedule, type Delivery } from '../support/junction';
import { freePort } from '../support/npm-start';
import { captureOutput, lambdaContext, newMessageId, newSecret, signedEvent, webhookHandlerFor } from '../support/webhook';

const secret = newSecret();
let table: TestTable;
let client: DynamoDBClient;
let handler: WebhookHandler;
let output: ReturnType<typeof captureOutput>;

/** The delivery being handled, for the counting middleware. */
const current = new AsyncLocalStorage<string>();
/** Table requests by delivery name, in the order sent: `PutItem`, `UpdateItem`, ... */
const requests = new Map<string, string[]>();
/** What each delivery was answered: `200 applied`, `401 invalid_signature`, ... */
const answers = new Map<string, string>();

beforeAll(async () => {
  output = captureOutput();
  table = await createTestTable('webhook-requests');
  // The webhook's own client, as handler.ts makes one: every request it sends is counted here.
  client = new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
  client.middlewareStack.add(
    (next) => async (args) => {
      const name = current.getStore();
      const target = (args.request as { headers?: Record<string, string> }).headers?.['x-amz-target'];
      if (name === undefined) throw new Error(`a table request outside any delivery: ${target}`);
      requests.set(name, [...(requests.get(name) ?? []), target?.split('.').pop() ?? 'unknown']);
      return next(args);
    },
    { step: 'build', name: 'countByDelivery' },
  );
  handler = webhookHandlerFor(documentTable(documentClientOf(client)), table.tableName, [secret]);
});
afterAll(async () => {
  output?.restore();
  client?.destroy();
  await table?.drop();
});

/** Hands one request to the webhook handler as `name`, and keeps its answer. */
async function deliver(name: string, event: ReturnType<typeof signedEvent>): Promise<string> {
  if (answers.has(name)) throw new Error(`two deliveries named ${name}`);
  answers.set(name, 'unanswered');
  const answer = await current.run(name, () => handler(event, lambdaContext()));
  const body = JSON.parse(answer.body ?? '{}') as { result?: string; error?: { code: string } };
  const said = `${answer.statusCode} ${body.result ?? body.error?.code}`;
  answers.set(name, said);
  return said;
}

const signed = (body: unknown, messageId = newMessageId()) => signedEvent(typeof body === 'string' ? body : JSON.stringify(body), { secret, messageId });

/** A delivery's body with the given changes to its `data`. */
function withData(delivery: Delivery, change: (data: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(delivery.body);
  return { ...copy, data: change(copy.data as Record<string, unknown>) };
}

const statusOf = (delivery: Delivery) => (delivery.body as { data: { last_event: { status: string } } }).data.last_event.status;

/**
 * The only deliveries allowed a second request, each the write the contract
 * requires after the refused PutItem, with why.
 */
const SECOND_WRITES: Record<string, string> = {
  'order: a newer copy of a flagged order’s same state (applied)':
    'CONTRACT §4: the UpdateItem that stores the newer copy of the same state and keeps the stale flag, after the PutItem refused by FLAGGED_SAME_STATE',
  'order: stale, with an earlier redraw_available in its history':
    'CONTRACT §9: the UpdateItem that records the earlier redraw_available learned from a delivery answered stale',
};

describe('table requests per webhook delivery', () => {
  it('is one conditional write for every delivery that stores, none for one refused or ignored, and a second write only where the contract requires one', async () => {
    // Orders: a redraw flow, delivered in order, then again in every way Svix and Junction can.
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const flow = buildDeliveries(redrawFlow(ids, 'in_progress'));
    const messages = flow.map(() => newMessageId());
    for (const [index, delivery] of flow.entries()) expect(await deliver(`order: event ${index + 1} of ${flow.length} (applied)`, signed(delivery.body, messages[index]))).toBe('200 applied');
    const newest = flow.at(-1)!;
    expect(await deliver('order: Svix retry of the newest, same message (duplicate)', signed(newest.body, messages.at(-1)))).toBe('200 duplicate');
    expect(await deliver('order: the newest again, another message (duplicate)', signed(newest.body))).toBe('200 duplicate');
    expect(await deliver('order: an older event after a newer one (stale)', signed(flow.at(-2)!.body, messages.at(-2)))).toBe('200 stale');
    expect(await deliver('order: a smoke order, its expiry in the same write (applied)', signed(smokeWebhookBody(newSmokeOrderId(), new Date())))).toBe('200 applied');

    // CONTRACT §4: the newest redraw state, flagged by the sweep, touched by Junction (results attached).
    const stored = (await getOrder(table.db, table.tableName, ids.redrawId))!;
    const since = '2026-03-20T00:00:00.000000Z';
    expect(await flagStale(table.db, table.tableName, { orderId: ids.redrawId, rank: stored.record.rank, partition: stored.openRedraw! }, { since, reason: 'no_progress' })).toBe('written');
    const touched = withData(newest, (data) => ({ ...data, updated_at: '2026-03-21T00:00:00.000Z', has_missing_results: true }));
    expect(await deliver('order: a newer copy of a flagged order’s same state (applied)', signed(touched))).toBe('200 applied');
    expect((await getOrder(table.db, table.tableName, ids.redrawId))!.stale?.since).toBe(since);
    expect(await deliver('order: that copy again (duplicate)', signed(touched))).toBe('200 duplicate');

    // CONTRACT §9: the newest state arrives first with its history cut short of redraw_available; the older
    // redraw_available delivery is stale, but its history is news, recorded on the stored order.
    const other = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const otherFlow = buildDeliveries(redrawFlow(other, 'results_received'));
    const available = otherFlow.find((delivery) => statusOf(delivery).endsWith('.redraw_available'))!;
    const cut = withData(otherFlow.at(-1)!, (data) => ({ ...data, events: (data.events as { status: string }[]).filter((event) => !event.status.endsWith('.redraw_available')) }));
    expect(await deliver('order: newest state, history without redraw_available (applied)', signed(cut))).toBe('200 applied');
    expect((await getOrder(table.db, table.tableName, other.initialId))!.record.redraw_available_at).toBeUndefined();
    expect(await deliver('order: stale, with an earlier redraw_available in its history', signed(available.body))).toBe('200 stale');
    const learned = (await getOrder(table.db, table.tableName, other.initialId))!.record.redraw_available_at;
    expect(learned).toBeDefined();
    expect(await deliver('order: that stale one again, redraw_available known (stale)', signed(available.body))).toBe('200 stale');

    // Appointments (CONTRACT §10): their own item, one conditional PutItem each.
    const appointment = { orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: new Date('2026-03-12T14:30:00Z') };
    const booked = appointmentDelivery({ ...appointment, status: 'pending', eventTimes: ['2026-03-10T09:00:00Z'] });
    const confirmed = appointmentDelivery({ ...appointment, status: 'confirmed', eventTimes: ['2026-03-10T09:00:00Z', '2026-03-10T11:00:00Z'] });
    const appointmentMessage = newMessageId();
    expect(await deliver('appointment: confirmed (applied)', signed(confirmed.body, appointmentMessage))).toBe('200 applied');
    expect(await deliver('appointment: Svix retry (duplicate)', signed(confirmed.body, appointmentMessage))).toBe('200 duplicate');
    expect(await deliver('appointment: the booking after its confirmation (stale)', signed(booked.body))).toBe('200 stale');

    // Quarantined, ignored, refused.
    expect(await deliver('quarantined: not JSON', signed('not json'))).toBe('202 quarantined');
    expect(await deliver('quarantined: not an order event', signed(envelope('labtest.order.updated', { id: 'not an id' })))).toBe('202 quarantined');
    const filler = Buffer.from(Array.from({ length: 786_000 }, () => Math.floor(Math.random() * 256))).toString('base64');
    const huge = `{"event_type":"labtest.order.updated","data":"${filler}"}`.padEnd(MAX_BODY_BYTES, ' ');
    expect(await deliver('quarantined: 1 MiB, stored in chunks', signed(huge))).toBe('202 quarantined');
    expect(await deliver('ignored: an event type the tracker does not track', signed(envelope('daily.data.activity.created', { user_id: freshId() })))).toBe('200 ignored');
    expect(await deliver('401: signed with another secret', signedEvent(JSON.stringify(newest.body), { secret: newSecret() }))).toBe('401 invalid_signature');
    const unsigned = signed(newest.body);
    unsigned.headers = { 'content-type': 'application/json' };
    expect(await deliver('401: no signature headers', unsigned)).toBe('401 invalid_signature');
    expect(await deliver('401: signed an hour ago', signedEvent(JSON.stringify(newest.body), { secret, timestamp: Math.floor(Date.now() / 1000) - 3600 }))).toBe('401 timestamp_out_of_range');
    expect(await deliver('413: over 1 MiB', signed(' '.repeat(MAX_BODY_BYTES + 1)))).toBe('413 payload_too_large');

    // A burst: a whole flow of two orders, each delivery twice (a Svix retry), all at once.
    const burst = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 7));
    const burstIds = burst.map(() => newMessageId());
    const burstAnswers = await Promise.all(
      [0, 1].flatMap((attempt) => burst.map((delivery, index) => deliver(`burst: event ${index + 1} of ${burst.length}, attempt ${attempt + 1}`, signed(delivery.body, burstIds[index])))),
    );
    expect(burstAnswers.filter((answer) => answer === '200 applied').length).toBeGreaterThan(0);
    expect(burstAnswers.every((answer) => ['200 applied', '200 duplicate', '200 stale'].includes(answer))).toBe(true);

    // The count: one request each, none for an answer that stores nothing, two for the named exceptions.
    const expected = new Map<string, string[]>();
    for (const [name, answer] of answers) {
      if (name in SECOND_WRITES) expected.set(name, ['PutItem', 'UpdateItem']);
      else if (/^(401|413) |^200 ignored$/.test(answer)) expected.set(name, []);
      else if (name === 'quarantined: 1 MiB, stored in chunks') expected.set(name, ['TransactWriteItems']);
      else expected.set(name, ['PutItem']);
    }
    const seen = new Map([...answers.keys()].map((name) => [name, requests.get(name) ?? []]));
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
    // Both exceptions were met, and nothing else made a second request.
    expect([...seen].filter(([, made]) => made.length > 1).map(([name]) => name).sort()).toEqual(Object.keys(SECOND_WRITES).sort());
  });
});

describe('under npm start, counted at the table', () => {
  it('finds the webhook’s own requests one per delivery; the reads seen beside them are the stream function’s', async () => {
    // npm start's runtime over a proxy that sees every request at the table, the stream function and all.
    const proxy = await startDynamoDbProxy(localEndpoint());
    const runtimeSecret = newSecret();
    const runtime = await startLocalRuntime(
      parseLocalSettings({ PORT: String(await freePort()), JUNCTION_WEBHOOK_SECRET: runtimeSecret, SWEEP_INTERVAL_SECONDS: '86400', DYNAMODB_ENDPOINT: proxy.endpoint, TABLE_NAME: `webhook-requests-${randomUUID()}` }),
    );
    try {
      const deliveries: Delivery[] = [];
      for (let n = 0; n < 6; n++) deliveries.push(...buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed')));
      for (let n = 0; n < 5; n++) deliveries.push(...buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 7)));
      // Svix's way: shuffled, some delivered again under the same message id.
      const attempts = svixSchedule(deliveries, { seed: 43 });
      const ownPerDelivery: string[] = [];
      for (const attempt of attempts) {
        const bytes = Buffer.from(JSON.stringify(attempt.delivery.body));
        const timestamp = Math.floor(Date.now() / 1000);
        const first = proxy.requests.length;
        const response = await fetch(`${runtime.url}/webhooks/junction`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'svix-id': attempt.messageId,
            'svix-timestamp': String(timestamp),
            'svix-signature': signSvixMessage({ secret: runtimeSecret, messageId: attempt.messageId, timestamp, rawBody: bytes }),
          },
          body: bytes,
        });
        expect(response.status).toBe(200);
        // What reached the table while the delivery was handled: the webhook's, and whatever overlapped it.
        const own = proxy.requests.slice(first).filter((request) => request.userAgent.includes(WEBHOOK_USER_AGENT));
        ownPerDelivery.push(own.map((request) => request.operation).join(' '));
      }
      await runtime.whenStreamIdle();
      // No delivery of these flows is one of the exceptions (no flag, no history cut short).
      expect(ownPerDelivery).toEqual(attempts.map(() => 'PutItem'));
      const byClient = (webhook: boolean) => proxy.requests.filter((request) => request.userAgent.includes(WEBHOOK_USER_AGENT) === webhook);
      expect(byClient(true).length).toBe(attempts.length);
      // The reads at the table (transactions, orders, follow-ups, report markers) are all the other functions'.
      expect(byClient(false).filter((request) => request.operation === 'GetItem').length).toBeGreaterThan(0);
      expect(byClient(true).filter((request) => request.operation === 'GetItem')).toEqual([]);
    } finally {
      await runtime.stop();
      await proxy.close();
    }
  });
});
