/**
 * The local stand-in for Junction's API, over real HTTP: what the simulator,
 * `npm start` and the reconciliation tests rely on (key check, paging and date
 * filters, transactions derived from its orders, faults, lost webhooks, and the
 * same control surface in-process and from another process).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connectStandin, type StandinControl, type StandinOrder } from '../../local/junction-standin';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, type Delivery } from '../support/junction';
import { callStandin, putPscOrder, useJunctionStandin } from '../support/junction-standin';
import { freePort } from '../support/npm-start';
import { withStandinProcess } from '../support/standin-cli';

/** The file's stand-in, reset before each test (test/support/junction-standin.ts). */
const standin = useJunctionStandin();

async function get(path: string, key: string | null = standin().apiKey): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${standin().url}${path}`, { headers: key === null ? {} : { 'x-vital-api-key': key } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function getJson<T>(path: string): Promise<T> {
  const answer = await get(path);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as T;
}

/** A simple order created at `created` and last updated at `updated` (its newest event's time). */
function orderAt(created: string, updated: string, id = freshId()): StandinOrder {
  const minutes = (Date.parse(updated) - Date.parse(created)) / 60_000;
  const deliveries = buildDeliveries({ ...simpleFlow({ transactionId: null, orderId: id }, 'testkit', 2, new Date(created)), stepMinutes: minutes });
  return deliveries.at(-1)!.body.data as StandinOrder;
}

const ids = (page: { orders: { id: string }[] }) => page.orders.map((order) => order.id);

describe('authentication', () => {
  it('answers 401 without the key or with another one, on the API and on the control routes', async () => {
    const order = orderAt('2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z');
    await standin().putOrder(order);
    for (const path of [`/v3/order/${order.id}`, '/v3/orders', '/_standin/orders']) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, `${standin().apiKey}x`)).status).toBe(401);
      expect((await get(path)).status).toBe(200);
    }
  });

  it('records API requests, not control requests', async () => {
    await get('/v3/order/nope');
    await get('/v3/orders?page=2&size=5', null);
    await get('/_standin/orders');
    expect(await standin().requests()).toEqual([
      { method: 'GET', url: '/v3/order/nope', endpoint: 'order', status: 404, fault: null },
      { method: 'GET', url: '/v3/orders?page=2&size=5', endpoint: 'orders', status: 401, fault: null },
    ]);
  });
});

describe('GET /v3/orders', () => {
  it('pages by created_at, then id, with the total', async () => {
    const sameTime = [freshId(), freshId()].sort();
    const orders = [
      orderAt('2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
      orderAt('2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z'),
      orderAt('2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z', sameTime[1]),
      orderAt('2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z', sameTime[0]),
      orderAt('2026-03-05T00:00:00Z', '2026-03-06T00:00:00Z'),
    ];
    await standin().putOrders(orders);
    const expected = [orders[1]!.id, sameTime[0], sameTime[1], orders[0]!.id, orders[4]!.id];
    const pages = await Promise.all([1, 2, 3, 4].map((page) => getJson<{ orders: { id: string }[]; total: number; page: number; size: number }>(`/v3/orders?page=${page}&size=2`)));
    expect(pages.map(ids)).toEqual([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4), []]);
    expect(pages.map(({ total, page, size }) => ({ total, page, size }))).toEqual([1, 2, 3, 4].map((page) => ({ total: 5, page, size: 2 })));
    expect(ids(await getJson('/v3/orders'))).toEqual(expected);
  });

  it('filters by updated_at, both bounds inclusive; a date alone is 00:00:00 UTC of that day, for either bound', async () => {
    const early = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    const middle = orderAt('2026-03-01T00:00:00Z', '2026-03-02T12:00:00Z');
    const late = orderAt('2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z');
    await standin().putOrders([early, middle, late]);
    const query = async (params: string) => ids(await getJson(`/v3/orders?${params}`)).sort();
    expect(await query('updated_start_date=2026-03-02T00:00:00Z&updated_end_date=2026-03-02T12:00:00Z')).toEqual([early.id, middle.id].sort());
    expect(await query('updated_start_date=2026-03-02T00:00:01Z')).toEqual([middle.id, late.id].sort());
    expect(await query('updated_start_date=2026-03-02')).toEqual([early.id, middle.id, late.id].sort());
    // Junction's description of updated_end_date: "the time will be set to 00:00:00".
    expect(await query('updated_end_date=2026-03-02')).toEqual([early.id]);
    expect(await query('updated_end_date=2026-03-03')).toEqual([early.id, middle.id, late.id].sort());
    // A date-time without an offset is UTC; with one, it is that instant.
    expect(await query('updated_start_date=2026-03-02T12:00:00')).toEqual([middle.id, late.id].sort());
    expect(await query('updated_end_date=2026-03-02T13:00:00%2B02:00')).toEqual([early.id]);
  });

  it('sorts by order_key and order_direction, the ties by creation then id, and refuses other values with a 422', async () => {
    const orders = [
      orderAt('2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
      orderAt('2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z'),
      orderAt('2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z'),
    ];
    await standin().putOrders(orders);
    const ascending = [orders[1]!.id, orders[2]!.id, orders[0]!.id];
    expect(ids(await getJson('/v3/orders?order_key=created_at&order_direction=asc'))).toEqual(ascending);
    expect(ids(await getJson('/v3/orders?order_key=created_at&order_direction=desc'))).toEqual([...ascending].reverse());
    expect(ids(await getJson('/v3/orders?order_direction=desc&page=1&size=2'))).toEqual([orders[0]!.id, orders[2]!.id]);
    // The same status everywhere: the ties fall back to creation.
    expect(ids(await getJson('/v3/orders?order_key=last_status'))).toEqual(ascending);
    const byName = ids(await getJson('/v3/orders?order_key=patient_name'));
    expect([...byName].sort()).toEqual([...ascending].sort());
    expect(ids(await getJson('/v3/orders?order_key=patient_name&order_direction=desc'))).toEqual([...byName].reverse());
    for (const [name, value] of [['order_key', 'updated_at'], ['order_direction', 'DESC'], ['order_key', '']]) {
      const answer = await get(`/v3/orders?${name}=${value}`);
      expect(answer.status).toBe(422);
      expect(JSON.parse(answer.text)).toMatchObject({ detail: [{ type: 'enum', loc: ['query', name], input: value }] });
    }
  });

  it('runs the page hook after each page is answered: its changes show from the next read on', async () => {
    const orders = [1, 2, 3, 4].map((day) => orderAt(`2026-03-0${day}T00:00:00Z`, '2026-03-05T00:00:00Z'));
    await standin().putOrders(orders);
    const reads: { page: number; total: number; ids: string[] }[] = [];
    standin().onPageRead(({ page, total, ids: onPage, orders: now }) => {
      reads.push({ page, total, ids: onPage });
      // The first page read moves the oldest order out of the window (updated later at Junction).
      if (page !== 2) return;
      const oldest = now().find((order) => order.id === orders[0]!.id)!;
      return [{ ...oldest, updated_at: '2026-03-09T00:00:00Z' }];
    });
    const window = 'updated_end_date=2026-03-06T00:00:00Z&order_key=created_at&size=2';
    expect(ids(await getJson(`/v3/orders?${window}&page=2`))).toEqual([orders[2]!.id, orders[3]!.id]);
    // Everything after the order that left shifted one place towards page 1.
    expect(ids(await getJson(`/v3/orders?${window}&page=1`))).toEqual([orders[1]!.id, orders[2]!.id]);
    expect(reads).toEqual([
      { page: 2, total: 4, ids: [orders[2]!.id, orders[3]!.id] },
      { page: 1, total: 3, ids: [orders[1]!.id, orders[2]!.id] },
    ]);
    await standin().reset();
    await standin().putOrders(orders);
    await getJson(`/v3/orders?${window}&page=2`);
    expect(reads).toHaveLength(2);
  });
});

describe('transactions', () => {
  it('lists every order of the transaction at its newest state, even when some of its webhooks never arrived', async () => {
    const flow = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(flow, 'completed'));
    const { delivered, withheld } = await standin().loseWebhooks(deliveries, [{ orderId: flow.redrawId, last: 'all' }]);
    expect(withheld.map((delivery) => delivery.orderId)).toEqual(Array(4).fill(flow.redrawId));
    expect(delivered.every((delivery) => delivery.orderId === flow.initialId)).toBe(true);

    const newestRedraw = withheld.at(-1)!.body.data as { last_event: { created_at: string } };
    const transaction = await getJson<{ id: string; status: string; orders: Record<string, unknown>[] }>(`/v3/order_transaction/${flow.transactionId}`);
    expect(transaction).toMatchObject({ id: flow.transactionId, status: 'completed' });
    expect(transaction.orders).toEqual([
      expect.objectContaining({ id: flow.initialId, origin: 'initial', parent_id: null, last_status: 'redraw_available' }),
      expect.objectContaining({ id: flow.redrawId, origin: 'redraw', parent_id: flow.initialId, last_status: 'completed', last_status_created_at: newestRedraw.last_event.created_at }),
    ]);
    // The initial order's own answer carries the transaction as it is now, the redraw included.
    const initial = await getJson<{ order_transaction: { status: string; orders: { id: string; low_level_status: string }[] } }>(`/v3/order/${flow.initialId}`);
    expect(initial.order_transaction.status).toBe('completed');
    expect(initial.order_transaction.orders.map((order) => [order.id, order.low_level_status])).toEqual([
      [flow.initialId, 'redraw_available'],
      [flow.redrawId, 'completed'],
    ]);
  });

  it('answers 404 for a transaction it holds no order of, and for an id that is not even valid percent-encoding', async () => {
    expect((await get(`/v3/order_transaction/${freshId()}`)).status).toBe(404);
    expect((await get('/v3/order_transaction/%E0%A4%A')).status).toBe(404);
    expect((await get('/v3/order/%E0%A4%A')).status).toBe(404);
  });
});

describe('lost webhooks', () => {
  it("withholds an order's last N webhooks (by event id), keeps the rest in their order, and serves the newest state", async () => {
    const orderId = freshId();
    const other = freshId();
    const deliveries = [
      ...buildDeliveries(simpleFlow({ transactionId: null, orderId }, 'walk_in_test')),
      ...buildDeliveries({ ...simpleFlow({ transactionId: null, orderId: other }, 'testkit', 3), firstEventId: 5000 }),
    ];
    const shuffled = [deliveries[3]!, deliveries[5]!, deliveries[0]!, deliveries[7]!, deliveries[1]!, deliveries[4]!, deliveries[2]!, deliveries[6]!, deliveries[8]!];
    const { delivered, withheld } = await standin().loseWebhooks(shuffled, [{ orderId, last: 2 }, { orderId: other, last: 0 }]);
    const eventIds = (list: Delivery[]) => list.map((delivery) => delivery.eventId);
    expect(eventIds(withheld)).toEqual([1005, 1004]);
    expect(eventIds(delivered)).toEqual(eventIds(shuffled).filter((id) => id !== 1004 && id !== 1005));
    expect(await getJson(`/v3/order/${orderId}`)).toMatchObject({ last_event: { id: 1005, status: 'completed.walk_in_test.completed' } });
    expect(await getJson(`/v3/order/${other}`)).toMatchObject({ last_event: { id: 5002 } });
  });

  it('gives the API answer a last_event even when the webhooks left it out', async () => {
    const orderId = freshId();
    await standin().recordDeliveries(buildDeliveries({ ...simpleFlow({ transactionId: null, orderId }, 'testkit', 3), omitLastEvent: true }));
    expect(await getJson(`/v3/order/${orderId}`)).toMatchObject({ last_event: { id: 1002, status: 'collecting_sample.testkit.transit_customer' } });
  });
});

describe('faults', () => {
  it('applies them to the next matching requests, first injected first, then answers normally', async () => {
    const order = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    await standin().putOrder(order);
    await standin().injectFault({ kind: 'status', status: 429, retryAfter: '3', times: 2 });
    await standin().injectFault({ kind: 'status', status: 503, endpoint: 'orders' });
    const first = await get(`/v3/order/${order.id}`);
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await get('/v3/orders')).status).toBe(429);
    expect((await get(`/v3/order/${order.id}`)).status).toBe(200);
    expect((await get('/v3/orders')).status).toBe(503);
    expect((await get('/v3/orders')).status).toBe(200);
    expect((await standin().requests()).map((request) => request.fault)).toEqual(['status', 'status', null, 'status', null]);
  });

  it("answers 403 (and any status) before checking the key, as often as told, until cleared", async () => {
    await standin().injectFault({ kind: 'status', status: 403, times: 'always' });
    for (let i = 0; i < 3; i++) expect((await get('/v3/orders', null)).status).toBe(403);
    await standin().clearFaults();
    expect((await get('/v3/orders')).status).toBe(200);
  });

  it('answers garbage: malformed JSON, or JSON that is no order, transaction or page', async () => {
    const order = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    await standin().putOrder(order);
    await standin().injectFault({ kind: 'malformed_json' });
    const malformed = await get(`/v3/order/${order.id}`);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow(SyntaxError);
    await standin().injectFault({ kind: 'not_an_order', times: 3 });
    for (const path of [`/v3/order/${order.id}`, '/v3/orders', `/v3/order_transaction/${freshId()}`]) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      expect(body.id).toBeUndefined();
      expect(Array.isArray(body.orders)).toBe(false);
    }
  });

  it('answers slowly when told to', async () => {
    const order = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    await standin().putOrder(order);
    await standin().injectFault({ kind: 'delay', delayMs: 10_000 });
    const slow = fetch(`${standin().url}/v3/order/${order.id}`, { headers: { 'x-vital-api-key': standin().apiKey }, signal: AbortSignal.timeout(300) });
    await expect(slow).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await get(`/v3/order/${order.id}`)).status).toBe(200);
  });

  it('refuses a fault it cannot apply', async () => {
    await expect(standin().injectFault({ kind: 'status', status: 200 })).rejects.toThrow();
    await expect(standin().injectFault({ kind: 'delay', delayMs: -1 })).rejects.toThrow();
  });
});

describe('control from another process (HTTP)', () => {
  let remote: StandinControl;
  beforeAll(() => {
    remote = connectStandin(standin().url, standin().apiKey);
  });

  it('puts orders, injects faults, reads the request log and resets, as in-process', async () => {
    const flow = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(flow, 'in_progress'));
    const { withheld } = await remote.loseWebhooks(deliveries, [{ orderId: flow.redrawId, last: 1 }]);
    expect(withheld.map((delivery) => delivery.eventId)).toEqual([deliveries.at(-1)!.eventId]);
    expect((await remote.orders()).map((order) => order.id).sort()).toEqual([flow.initialId, flow.redrawId].sort());

    const single = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    await remote.putOrder(single);
    expect(await getJson(`/v3/order/${single.id}`)).toMatchObject({ id: single.id });

    await remote.injectFault({ kind: 'status', status: 500 });
    expect((await get(`/v3/order/${single.id}`)).status).toBe(500);
    expect(await remote.requests()).toEqual([
      expect.objectContaining({ endpoint: 'order', status: 200 }),
      expect.objectContaining({ endpoint: 'order', status: 500, fault: 'status' }),
    ]);
    await remote.clearRequests();
    expect(await remote.requests()).toEqual([]);

    await remote.injectFault({ kind: 'status', status: 500 });
    await remote.clearFaults();
    expect((await get(`/v3/order/${single.id}`)).status).toBe(200);

    await remote.reset();
    expect(await remote.orders()).toEqual([]);
    expect(await remote.requests()).toEqual([]);
  });

  it('refuses a body whose id is not the one in the path, and a wrong key', async () => {
    const order = orderAt('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    const response = await fetch(`${standin().url}/_standin/orders/${freshId()}`, {
      method: 'PUT',
      headers: { 'x-vital-api-key': standin().apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    expect(response.status).toBe(400);
    await expect(connectStandin(standin().url, 'wrong').putOrder(order)).rejects.toThrow(/401/);
    expect(await standin().orders()).toEqual([]);
  });
});

describe('npm run junction-api', () => {
  /** The stand-in's CLI as `npm run junction-api` runs it, until `use` is done (test/support/standin-cli.ts). */
  const withCli = (args: string[], env: NodeJS.ProcessEnv, use: (banner: string) => Promise<void>) =>
    withStandinProcess(process.execPath, ['--import', 'tsx', 'local/junction-standin/entry.ts', ...args], env, use);

  it('prints its URL and a fresh key, serves with them (here with generated orders), and stops on SIGTERM', async () => {
    const env = { JUNCTION_API_KEY: '' };
    const run = await withCli(['--port', '0', '--orders', '3'], env, async (banner) => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      const key = /x-vital-api-key\): (\S+)/.exec(banner)?.[1];
      expect([url, key].every(Boolean)).toBe(true);
      const response = await fetch(`${url}/v3/orders`, { headers: { 'x-vital-api-key': key! } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { total: number }).total).toBeGreaterThanOrEqual(3);
      expect((await fetch(`${url}/v3/orders`)).status).toBe(401);
    });
    expect(run).toEqual({ used: true, code: 0, stderr: '' });
  });

  it('requires the key from JUNCTION_API_KEY, never printing it, on the port JUNCTION_STANDIN_PORT names', async () => {
    // Outside the ephemeral range, which outgoing connections draw from: a port
    // found free there by listening on 0 could be taken again before the CLI binds it.
    const port = await freePort();
    const key = 'sk_env_NOT-TO-BE-PRINTED';
    const run = await withCli([], { JUNCTION_API_KEY: key, JUNCTION_STANDIN_PORT: String(port) }, async (banner) => {
      expect(banner).toContain(`listening on http://127.0.0.1:${port} (0 orders)`);
      expect(banner).not.toContain(key);
      expect((await fetch(`http://127.0.0.1:${port}/v3/orders`, { headers: { 'x-vital-api-key': key } })).status).toBe(200);
    });
    expect(run).toEqual({ used: true, code: 0, stderr: '' });
  });

  it('takes the PSC switches: a slot taken answers 400 under --slot-conflict 400, as the banner says', async () => {
    const run = await withCli(['--port', '0', '--slot-conflict', '400', '--idempotency', 'off', '--confirm-delay', '50'], { JUNCTION_API_KEY: '' }, async (banner) => {
      expect(banner).toContain('PSC switches: slot conflict 400, idempotency off, Quest confirms: yes, pending waits 50 ms');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
      const key = /x-vital-api-key\): (\S+)/.exec(banner)![1]!;
      const remote = connectStandin(url, key);
      const target = { url, apiKey: key };
      const [first, second] = [await putPscOrder(remote), await putPscOrder(remote)];
      const sites = (await callStandin(target, 'GET', `/v3/order/${first}/psc/info`)).body as { patient_service_centers: { site_code: string; capabilities: string[] }[] };
      const here = sites.patient_service_centers.find((site) => site.capabilities.includes('appointment_scheduling_via_junction'))!;
      const days = (await callStandin(target, 'POST', `/v3/order/psc/appointment/availability?lab=quest&site_codes=${here.site_code}`)).body as { slots: { slots: { booking_key: string }[] }[] };
      const slot = { booking_key: days.slots[0]!.slots[0]!.booking_key };
      expect((await callStandin(target, 'POST', `/v3/order/${first}/psc/appointment/book`, slot)).status).toBe(200);
      expect(await callStandin(target, 'POST', `/v3/order/${second}/psc/appointment/book`, slot)).toEqual({ status: 400, body: { detail: 'Requested appointment time is not available' } });
    });
    expect(run).toEqual({ used: true, code: 0, stderr: '' });
  });
});
