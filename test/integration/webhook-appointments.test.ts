/**
 * Appointments (CONTRACT §10) end to end on DynamoDB Local: Junction's
 * `labtest.appointment.*` webhooks through the webhook handler (signed API
 * Gateway events, requests counted on the wire), stored per order by one
 * conditional write, and read back with the order by every order answer of the
 * query API (validated against docs/openapi.json), with the reads counted. PHI
 * canaries (and the fake coordinates) are searched for in the table, the logs
 * and the answers.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { processVerifiedBody } from '../../functions/webhook/app';
import { expiryAfter } from '../../functions/core/retention';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueryHandler, type QueryResponse } from '../../functions/query/app';
import { getAppointment } from '../../functions/store/appointments';
import { readQuarantine } from '../../functions/store/quarantine-replay';
import { keys } from '../../functions/store/keys';
import type { WebhookHandler } from '../../functions/webhook/app';
import { localTable } from '../../local/dynamodb-local';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { APPOINTMENT_LOCATION, appointmentDelivery, buildDeliveries, freshId, PHI_CANARY, redrawFlow, type AppointmentSpec } from '../support/junction';
import { openApiValidator } from '../support/openapi';
import { OrderAnswer, TransactionAnswer, RedrawPageAnswer } from '../support/order-answer';
import { recomputeFromStored, storeFlowWebhooks } from '../support/stored-flows';
import { captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, signedEvent, webhookHandlerFor, webhookMetricResults } from '../support/webhook';

const secret = newSecret();
let table: TestTable;
let requests: DynamoDbProxy;
let output: ReturnType<typeof captureOutput>;
let handler: WebhookHandler;
const allOutput: string[] = [];
const allAnswers: string[] = [];
const assertDocumented = openApiValidator();
const silent = { error: () => {} };

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  table = await createTestTable('webhook-appointments');
  requests = await startDynamoDbProxy(localEndpoint());
});
afterAll(async () => {
  delete process.env.POWERTOOLS_LOG_LEVEL;
  await requests?.close();
  await table?.drop();
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

async function deliver(body: unknown, messageId?: string) {
  const answer = await handler(signedEvent(JSON.stringify(body), { secret, ...(messageId ? { messageId } : {}) }), lambdaContext());
  allAnswers.push(answer.body ?? '');
  return parseAnswer(answer);
}

function spec(overrides: Partial<AppointmentSpec> = {}): AppointmentSpec {
  return {
    orderId: freshId(),
    transactionId: freshId(),
    appointmentId: freshId(),
    startAt: new Date('2026-03-12T14:30:00Z'),
    status: 'confirmed',
    eventTimes: ['2026-03-10T09:00:00Z'],
    ...overrides,
  };
}

/** The raw stored item, as DynamoDB holds it. */
async function rawAppointmentItem(orderId: string) {
  return (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.appointment(orderId), ConsistentRead: true }))).Item;
}

const query = () => createQueryHandler({ db: localTable(requests.endpoint), tableName: table.tableName, logger: silent });

async function get(path: string, template: string, parameters?: Record<string, string>): Promise<{ response: QueryResponse; body: unknown }> {
  const response = await query()({ routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, ...(parameters ? { queryStringParameters: parameters } : {}) });
  assertDocumented('GET', template, response);
  allAnswers.push(response.body);
  return { response, body: JSON.parse(response.body) };
}

/** Stores an order flow as the webhook does, and lets the transaction function see it. */
async function seedOrders(flow: Parameters<typeof buildDeliveries>[0]) {
  const ids = await storeFlowWebhooks(table, flow);
  if (flow.transactionId !== null) await recomputeFromStored(table, flow.transactionId, ids);
}

describe('appointment webhooks (CONTRACT §10)', () => {
  it('applies a new appointment with one conditional PutItem, storing only the kept fields under short names', async () => {
    const one = spec({ startAt: '2026-03-12T14:30:00', endAt: '2026-03-12T15:00:00' });
    const delivery = appointmentDelivery(one);
    expect(await deliver(delivery.body)).toEqual({ statusCode: 200, body: { result: 'applied' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    expect(webhookMetricResults(output.lines())).toEqual(['applied']);
    const item = await rawAppointmentItem(one.orderId);
    expect(item).toEqual({
      pk: `ORDER#${one.orderId}`,
      sk: 'APPT',
      a: one.appointmentId,
      t: one.transactionId,
      b: '2026-03-12T14:30:00.000000Z',
      n: '2026-03-12T15:00:00.000000Z',
      z: 'America/New_York',
      s: 'confirmed',
      y: 'patient_service_center',
      p: 'quest',
      r: expect.stringMatching(/^2026-03-10T09:00:00\.000000Z\|0001\|[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(item).length).toBeLessThan(400);
    expect(await getAppointment(table.db, table.tableName, one.orderId)).toMatchObject({ id: one.appointmentId, order_id: one.orderId, status: 'confirmed' });
    // The answer's log line names the order and the appointment, nothing of the payload.
    const answered = output.lines().find((line) => line.includes('"message":"webhook answered"'));
    expect(answered).toContain(`"order_id":"${one.orderId}"`);
    expect(answered).toContain(`"appointment_id":"${one.appointmentId}"`);
    expect(answered).toContain('"event_type":"labtest.appointment.created"');
  });

  it('sets the appointment item\'s own expiry with its one write when retention is on (CONTRACT §8): RETENTION_DAYS after its latest time', async () => {
    const base = spec();
    const delivery = appointmentDelivery({ ...base, status: 'confirmed', startAt: '2026-03-12T15:00:00Z', eventTimes: ['2026-03-10T09:00:00Z'] });
    const outcome = await processVerifiedBody(new TextEncoder().encode(JSON.stringify(delivery.body)), { writes: table.db, tableName: table.tableName, retentionDays: 30 });
    expect(outcome.result).toBe('applied');
    const item = await table.db.get({ TableName: table.tableName, Key: keys.appointment(base.orderId), ConsistentRead: true });
    // The latest of its event (03-10), start (03-12 15:00) and end (start + 30 min), plus 30 days.
    expect(item?.expires_at).toBe(expiryAfter('2026-03-12T15:30:00Z', 30));
    // Without retention (the default of the apply path), none.
    const other = spec();
    await processVerifiedBody(new TextEncoder().encode(JSON.stringify(appointmentDelivery({ ...other, status: 'confirmed', eventTimes: ['2026-03-10T09:00:00Z'] }).body)), { writes: table.db, tableName: table.tableName });
    expect((await table.db.get({ TableName: table.tableName, Key: keys.appointment(other.orderId), ConsistentRead: true }))?.expires_at).toBeUndefined();
  });

  it('answers duplicate to a retry and to a resend, stale to an older update, with one request each', async () => {
    const base = spec();
    const created = appointmentDelivery({ ...base, status: 'pending', eventTimes: ['2026-03-10T09:00:00Z'] });
    const confirmed = appointmentDelivery({ ...base, status: 'confirmed', eventTimes: ['2026-03-10T09:00:00Z', '2026-03-10T11:00:00Z'] });
    const messageId = newMessageId();
    expect((await deliver(confirmed.body, messageId)).body).toEqual({ result: 'applied' });
    requests.reset();
    expect((await deliver(confirmed.body, messageId)).body).toEqual({ result: 'duplicate' });
    expect((await deliver(confirmed.body)).body).toEqual({ result: 'duplicate' });
    expect((await deliver(created.body)).body).toEqual({ result: 'stale' });
    expect(requests.counts()).toEqual({ PutItem: 3 });
    expect(await getAppointment(table.db, table.tableName, base.orderId)).toMatchObject({ status: 'confirmed' });
  });

  it('keeps the newest appointment of an order: a rescheduled one with a new id replaces the cancelled one, whatever the arrival order', async () => {
    const base = spec();
    const old = appointmentDelivery({ ...base, status: 'cancelled', eventTimes: ['2026-03-10T09:00:00Z', '2026-03-11T08:00:00Z'] });
    const rebooked = appointmentDelivery({ ...base, appointmentId: freshId(), startAt: new Date('2026-03-15T10:00:00Z'), status: 'confirmed', eventTimes: ['2026-03-11T08:05:00Z'] });
    expect((await deliver(rebooked.body)).body).toEqual({ result: 'applied' });
    expect((await deliver(old.body)).body).toEqual({ result: 'stale' });
    expect(await getAppointment(table.db, table.tableName, base.orderId)).toMatchObject({ id: rebooked.appointmentId, status: 'confirmed', start_at: '2026-03-15T10:00:00.000000Z' });
  });

  it('quarantines an invalid appointment body whole, with a reason naming fields only', async () => {
    const bad = appointmentDelivery(spec());
    const data = { ...(bad.body.data as Record<string, unknown>), start_at: `${PHI_CANARY} tomorrow`, order_id: undefined };
    const body = { ...bad.body, data };
    const messageId = newMessageId();
    expect(await deliver(body, messageId)).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
    expect(requests.counts()).toEqual({ PutItem: 1 });
    const stored = await readQuarantine(table.db, table.tableName, messageId);
    expect(stored?.rawBody.toString('utf8')).toBe(JSON.stringify(body));
    expect(stored?.reason).toMatch(/^appointment: /);
    expect(stored?.reason).toContain('start_at');
    expect(stored?.reason).not.toContain(PHI_CANARY);
    expect(webhookMetricResults(output.lines())).toEqual(['quarantined']);
  });

  it('keeps an appointment of an order not known yet; it joins the order when the order arrives', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const visit = spec({ orderId: ids.redrawId, transactionId: ids.transactionId, startAt: new Date('2026-03-20T13:00:00Z'), eventTimes: ['2026-03-18T09:00:00Z'] });
    expect((await deliver(appointmentDelivery(visit).body)).body).toEqual({ result: 'applied' });
    // No order yet: nothing to answer, but the appointment is kept.
    expect((await get(`/orders/${ids.redrawId}`, '/orders/{order_id}')).response.statusCode).toBe(404);
    expect(await getAppointment(table.db, table.tableName, ids.redrawId)).toMatchObject({ id: visit.appointmentId });

    // Then the orders' webhooks: the redraw order joins its appointment.
    const flow = redrawFlow(ids, 'in_progress', new Date('2026-03-17T09:00:00Z'));
    for (const delivery of buildDeliveries(flow)) expect((await deliver(delivery.body)).body).toEqual({ result: 'applied' });
    await seedOrders(flow); // the transaction function's recompute (the same states again: duplicates)
    const expected = { id: visit.appointmentId, start_at: '2026-03-20T13:00:00.000000Z', end_at: '2026-03-20T13:30:00.000000Z', status: 'confirmed', type: 'patient_service_center', provider: 'quest' };

    requests.reset();
    const order = await get(`/orders/${ids.redrawId}`, '/orders/{order_id}');
    expect(OrderAnswer.parse((order.body as { order: unknown }).order).appointment).toEqual(expected);
    // One Query of the order's partition (order and appointment), one GetItem (its follow-up, if any).
    expect(requests.counts()).toEqual({ Query: 1, GetItem: 1 });

    const initial = await get(`/orders/${ids.initialId}`, '/orders/{order_id}');
    expect(OrderAnswer.parse((initial.body as { order: unknown }).order).appointment).toBeNull();

    requests.reset();
    const transaction = TransactionAnswer.parse(((await get(`/transactions/${ids.transactionId}`, '/transactions/{transaction_id}')).body as { transaction: unknown }).transaction);
    expect(transaction.orders.map((one) => [one.id, one.appointment])).toEqual([
      [ids.initialId, null],
      [ids.redrawId, expected],
    ]);
    // The members' appointments: one BatchGetItem beside the reads GET /transactions made before.
    expect(requests.counts().BatchGetItem).toBe(1);

    const page = RedrawPageAnswer.parse((await get('/redraws', '/redraws', { state: 'open' })).body);
    expect(page.items.find((item) => item.id === ids.redrawId)?.appointment).toEqual(expected);
  });

  it('reads a /redraws page\'s appointments with one BatchGetItem, whatever the page size', async () => {
    const flows = Array.from({ length: 6 }, (_, index) => {
      const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
      return { ids, flow: redrawFlow(ids, 'in_progress', new Date(Date.UTC(2026, 3, 1 + index, 9))) };
    });
    for (const { ids, flow } of flows) {
      await seedOrders(flow);
      await deliver(appointmentDelivery(spec({ orderId: ids.redrawId, transactionId: ids.transactionId, eventTimes: [flow.start.toISOString()] })).body);
    }
    requests.reset();
    const page = RedrawPageAnswer.parse((await get('/redraws', '/redraws', { state: 'open', limit: '100' })).body);
    const counts = requests.counts();
    expect(counts.BatchGetItem).toBe(1);
    const withAppointment = page.items.filter((item) => item.appointment !== null).map((item) => item.id);
    for (const { ids } of flows) expect(withAppointment).toContain(ids.redrawId);
    // The whole page: the index Query (one per partition read), a GetItem per order and per
    // follow-up id (as before appointments), and the appointments' one BatchGetItem.
    expect(counts.GetItem).toBe(2 * page.items.length);
    expect(Object.keys(counts).sort()).toEqual(['BatchGetItem', 'GetItem', 'Query']);
  });

  it('leaves no PHI in the table, the logs or the answers', async () => {
    {
      let start: Record<string, unknown> | undefined;
      let appointments = 0;
      do {
        const scanned = await table.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
        for (const item of scanned.Items ?? []) {
          const text = JSON.stringify(item);
          if (String(item.pk).startsWith('QUARANTINE#')) continue;
          if (item.sk === 'APPT') appointments++;
          expect(text).not.toContain(PHI_CANARY);
          expect(text).not.toContain(String(APPOINTMENT_LOCATION.lat));
          expect(text).not.toContain(String(APPOINTMENT_LOCATION.lng));
        }
        start = scanned.LastEvaluatedKey;
      } while (start);
      expect(appointments).toBeGreaterThan(5);
      expect(allOutput.length).toBeGreaterThan(10);
      for (const text of [...allOutput, ...allAnswers]) {
        expect(text).not.toContain(PHI_CANARY);
        expect(text).not.toContain(String(APPOINTMENT_LOCATION.lat));
        expect(text).not.toContain('appointment_notes');
      }
    }
  });
});
