/**
 * The Junction API client against the local stand-in over real HTTP: answers,
 * typed failures, the bounded retry that honours Retry-After (waits recorded
 * through an injected sleep, never slept), and no PHI or key in any reason.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JunctionApi, JunctionOutcome } from '../../functions/junction/api';
import { createJunctionClient, MIN_ATTEMPT_MS, type JunctionClientOptions } from '../../functions/junction/client';
import { startJunctionStandin, type JunctionStandin, type StandinOrder } from '../../local/junction-standin';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow } from '../support/junction';

const API_KEY = 'sk_test_KEY-CANARY-0f9e8d7c6b5a';
let standin: JunctionStandin;
let waits: number[];

beforeAll(async () => {
  standin = await startJunctionStandin({ apiKey: API_KEY });
});
afterAll(async () => {
  await standin.close();
});
beforeEach(async () => {
  await standin.reset();
  waits = [];
});

function client(options: Partial<JunctionClientOptions> = {}): JunctionApi {
  return createJunctionClient({
    baseUrl: standin.url,
    apiKey: API_KEY,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
}

async function requestCount(): Promise<number> {
  return (await standin.requests()).length;
}

/** A redraw flow recorded in the stand-in at its newest state. */
async function recordedRedraw(outcome: 'completed' | 'in_progress' = 'completed') {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const deliveries = buildDeliveries(redrawFlow(ids, outcome));
  await standin.recordDeliveries(deliveries);
  return { ids, deliveries };
}

function orderOf(orderId: string, length?: number, start?: Date): StandinOrder {
  return buildDeliveries(simpleFlow({ transactionId: null, orderId }, 'testkit', length, start)).at(-1)!.body.data as StandinOrder;
}

function okValue<T>(outcome: JunctionOutcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

describe('answers', () => {
  it('reads an order: the newest state, validated, with every PHI field stripped', async () => {
    const { ids, deliveries } = await recordedRedraw();
    const order = okValue(await client().getOrder(ids.initialId));
    const newest = deliveries.filter((delivery) => delivery.orderId === ids.initialId).at(-1)!;
    expect(order).toMatchObject({ id: ids.initialId, origin: 'initial', last_event: { id: newest.eventId, status: 'collecting_sample.walk_in_test.redraw_available' } });
    // The answer's transaction is as Junction knows it now, the redraw order included.
    expect(order.order_transaction?.orders.map((listed) => [listed.id, listed.low_level_status])).toEqual([
      [ids.initialId, 'redraw_available'],
      [ids.redrawId, 'completed'],
    ]);
    expect(JSON.stringify(order)).not.toContain(PHI_CANARY);
    expect(await standin.requests()).toEqual([expect.objectContaining({ url: `/v3/order/${ids.initialId}`, status: 200 })]);
  });

  it("reads a transaction, folding OrderSummary's last_status into the listing's names", async () => {
    const { ids, deliveries } = await recordedRedraw('in_progress');
    const transaction = okValue(await client().getTransaction(ids.transactionId));
    const newestRedraw = deliveries.at(-1)!.body.data as { last_event: { created_at: string } };
    expect(transaction).toEqual({
      id: ids.transactionId,
      status: 'active',
      orders: [
        expect.objectContaining({ id: ids.initialId, origin: 'initial', low_level_status: 'redraw_available', parent_id: null }),
        expect.objectContaining({ id: ids.redrawId, origin: 'redraw', low_level_status: 'requisition_created', low_level_status_created_at: newestRedraw.last_event.created_at, parent_id: ids.initialId }),
      ],
    });
  });

  it('pages through the orders updated in a window, sending page, size and the dates', async () => {
    const start = new Date('2026-04-01T00:00:00Z');
    const orders = Array.from({ length: 5 }, (_, i) => orderOf(freshId(), 2, new Date(start.getTime() + i * 86_400_000)));
    await standin.putOrders([...orders, orderOf(freshId(), 2, new Date('2026-05-01T00:00:00Z'))]);
    const api = client();
    const query = { size: 2, updatedStart: '2026-04-01T00:00:00Z', updatedEnd: '2026-04-30T23:59:59Z' };
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(okValue(await api.listOrders({ ...query, page })));
    expect(pages.map((page) => page.orders.map((order) => order.id))).toEqual([orders.slice(0, 2), orders.slice(2, 4), orders.slice(4)].map((slice) => slice.map((order) => order.id)));
    expect(pages.map(({ page, size, total, invalid }) => ({ page, size, total, invalid }))).toEqual([1, 2, 3].map((page) => ({ page, size: 2, total: 5, invalid: 0 })));
    const sent = new URL((await standin.requests())[0]!.url, 'http://x').searchParams;
    expect(Object.fromEntries(sent)).toEqual({ page: '1', size: '2', updated_start_date: query.updatedStart, updated_end_date: query.updatedEnd });
  });

  it('keeps the valid orders of a page and counts the invalid one', async () => {
    const valid = [orderOf(freshId()), orderOf(freshId())];
    const broken = { ...orderOf(freshId()), events: [{ id: `${PHI_CANARY}-not-a-number`, created_at: '2026-03-02T09:00:00Z', status: 'received.testkit.ordered' }], last_event: null };
    await standin.putOrders([...valid, broken]);
    const page = okValue(await client().listOrders({ page: 1, size: 10 }));
    expect(page.invalid).toBe(1);
    expect(page.orders.map((order) => order.id).sort()).toEqual(valid.map((order) => order.id).sort());
    expect(page.total).toBe(3);
  });

  it('URL-encodes ids, and asks nothing for an id that would leave its path segment', async () => {
    const api = client();
    expect(await api.getOrder('a b/c?d')).toEqual({ kind: 'not_found' });
    expect(await api.getTransaction('..')).toEqual({ kind: 'not_found' });
    expect((await standin.requests()).map((request) => request.url)).toEqual(['/v3/order/a%20b%2Fc%3Fd']);
  });

  it('refuses an answer about another order than the one asked for', async () => {
    const asked = freshId();
    const other = freshId();
    await standin.putOrders([orderOf(asked), orderOf(other)]);
    // A proxy or cache that mixes answers up, modelled by rewriting the path on the way out.
    const mixedUp = client({ fetch: (url, init) => fetch(String(url).replace(asked, other), init) });
    expect(await mixedUp.getOrder(asked)).toEqual({ kind: 'invalid_answer', reason: 'order: id is not the one requested' });
  });
});

describe('failures', () => {
  it('404 is not_found, for an order and a transaction, without a retry', async () => {
    const api = client();
    expect(await api.getOrder(freshId())).toEqual({ kind: 'not_found' });
    expect(await api.getTransaction(freshId())).toEqual({ kind: 'not_found' });
    expect(await requestCount()).toBe(2);
    expect(waits).toEqual([]);
  });

  it('401 (a wrong key) is unauthorized after exactly one request', async () => {
    const { ids } = await recordedRedraw();
    expect(await client({ apiKey: 'sk_wrong' }).getOrder(ids.initialId)).toEqual({ kind: 'unauthorized', status: 401 });
    expect(await requestCount()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('403 is unauthorized after exactly one request, on every endpoint', async () => {
    await standin.injectFault({ kind: 'status', status: 403, times: 'always' });
    const api = client();
    expect(await api.getOrder(freshId())).toEqual({ kind: 'unauthorized', status: 403 });
    expect(await api.getTransaction(freshId())).toEqual({ kind: 'unauthorized', status: 403 });
    expect(await api.listOrders({ page: 1, size: 100 })).toEqual({ kind: 'unauthorized', status: 403 });
    expect(await requestCount()).toBe(3);
    expect(waits).toEqual([]);
  });

  it('429 with Retry-After in seconds: waits as long as asked, then succeeds', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: '7', times: 2 });
    expect(okValue(await client().getOrder(ids.redrawId)).id).toBe(ids.redrawId);
    expect(waits).toEqual([7000, 7000]);
    expect((await standin.requests()).map((request) => request.status)).toEqual([429, 429, 200]);
  });

  it('429 with Retry-After as an HTTP date: waits until then', async () => {
    const { ids } = await recordedRedraw();
    const now = Date.parse('2026-03-02T12:00:00Z');
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: new Date(now + 12_000).toUTCString() });
    expect(okValue(await client({ now: () => now }).getTransaction(ids.transactionId)).id).toBe(ids.transactionId);
    expect(waits).toEqual([12_000]);
  });

  it('caps a long Retry-After, and gives up after the retries', async () => {
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: '3600', times: 'always' });
    expect(await client().listOrders({ page: 1, size: 50 })).toEqual({ kind: 'unavailable', reason: 'status 429 (3 attempts)' });
    expect(waits).toEqual([30_000, 30_000]);
    expect(await requestCount()).toBe(3);
  });

  it('500 then success: one retry after a short backoff', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'status', status: 500 });
    expect(okValue(await client().getOrder(ids.initialId)).id).toBe(ids.initialId);
    expect(waits).toEqual([250]);
    expect(await requestCount()).toBe(2);
  });

  it('5xx forever: unavailable after exactly 1 + 2 requests, the backoff doubling', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'status', status: 503, times: 'always' });
    expect(await client().getOrder(ids.initialId)).toEqual({ kind: 'unavailable', reason: 'status 503 (3 attempts)' });
    expect(await requestCount()).toBe(3);
    expect(waits).toEqual([250, 500]);
    expect(await client({ maxRetries: 0 }).getOrder(ids.initialId)).toEqual({ kind: 'unavailable', reason: 'status 503 (1 attempts)' });
    expect(await requestCount()).toBe(4);
  });

  it('a slow answer times out and is retried; slow every time, it is unavailable', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'delay', delayMs: 20_000 });
    expect(okValue(await client({ timeoutMs: 1500 }).getOrder(ids.initialId)).id).toBe(ids.initialId);
    expect(await requestCount()).toBe(2);
    await standin.clearRequests();
    await standin.injectFault({ kind: 'delay', delayMs: 20_000, times: 'always' });
    expect(await client({ timeoutMs: 300 }).getOrder(ids.initialId)).toEqual({ kind: 'unavailable', reason: 'timeout after 300 ms (3 attempts)' });
    expect(await requestCount()).toBe(3);
  });

  it('no server at all: unavailable (network error) after the retries', async () => {
    const closed = await startJunctionStandin();
    const url = closed.url;
    await closed.close();
    expect(await client({ baseUrl: url }).getOrder(freshId())).toEqual({ kind: 'unavailable', reason: 'network error (3 attempts)' });
  });

  it('malformed JSON is invalid_answer, not retried', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'malformed_json' });
    expect(await client().getOrder(ids.initialId)).toEqual({ kind: 'invalid_answer', reason: 'body is not valid JSON' });
    expect(await requestCount()).toBe(1);
  });

  it('a JSON body that is not an order, a transaction or a page is invalid_answer, naming fields only', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'not_an_order', times: 3 });
    const api = client();
    const outcomes = [await api.getOrder(ids.initialId), await api.getTransaction(ids.transactionId), await api.listOrders({ page: 1, size: 10 })];
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['invalid_answer', 'invalid_answer', 'invalid_answer']);
    const reasons = outcomes.map((outcome) => ('reason' in outcome ? outcome.reason : ''));
    expect(reasons[0]).toMatch(/^order: id: invalid_type/);
    expect(reasons[1]).toMatch(/^transaction: id: invalid_type/);
    expect(reasons[2]).toMatch(/^orders page: orders: invalid_type/);
    for (const reason of reasons) expect(reason).not.toContain(PHI_CANARY);
  });

  it('an unexpected status (e.g. 400) is unavailable without a retry', async () => {
    await standin.injectFault({ kind: 'status', status: 400 });
    expect(await client().getOrder(freshId())).toEqual({ kind: 'unavailable', reason: 'unexpected status 400' });
    expect(await requestCount()).toBe(1);
  });
});

describe('a deadline (withDeadline)', () => {
  /** A clock that moves only when the client waits (its sleeps), as a loaded Lambda's would not: waits are what the deadline bounds. */
  function fakeClock(start = Date.parse('2026-03-02T12:00:00Z')) {
    let at = start;
    return { now: () => at, sleep: async (ms: number) => void (waits.push(ms), (at += ms)) };
  }

  it('under 429 with Retry-After 30, never starts a wait that would pass the deadline: unavailable, naming it', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: '30', times: 'always' });
    const clock = fakeClock();
    const deadline = clock.now() + 45_000;
    const outcome = await client(clock).withDeadline(deadline).getOrder(ids.initialId);
    // First 429 at +0 s, a 30 s wait (ends at +30 s, with time for an attempt), a second 429; a second wait would end at +60 s.
    expect(outcome).toEqual({ kind: 'unavailable', reason: 'status 429 (2 attempts; the deadline leaves no time to wait 30000 ms and retry)', deadline: true });
    expect(waits).toEqual([30_000]);
    expect(clock.now()).toBeLessThanOrEqual(deadline);
    expect(await requestCount()).toBe(2);
  });

  it('asks nothing when less than a useful attempt is left before the deadline', async () => {
    const { ids } = await recordedRedraw();
    const clock = fakeClock();
    const outcome = await client(clock).withDeadline(clock.now() + MIN_ATTEMPT_MS - 1).getOrder(ids.initialId);
    expect(outcome).toEqual({ kind: 'unavailable', reason: 'deadline reached before the request', deadline: true });
    expect(await requestCount()).toBe(0);
  });

  it("cuts an attempt's timeout to the time left: a slow answer ends at the deadline, not 10 s later", async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'delay', delayMs: 20_000, times: 'always' });
    const outcome = await client().withDeadline(Date.now() + 1_200).getOrder(ids.initialId);
    expect(outcome).toMatchObject({ kind: 'unavailable', deadline: true });
    if (outcome.kind !== 'unavailable') throw new Error('unreachable');
    // One attempt, timed out at most at the deadline, and no retry after it.
    expect(outcome.reason).toMatch(/^timeout after \d+ ms \(cut by the deadline\) \(1 attempts; the deadline leaves no time/);
    expect(await requestCount()).toBe(1);
  });

  it('answers as without a deadline when the deadline is far: the retries and Retry-After waits are the same', async () => {
    const { ids } = await recordedRedraw();
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: '7', times: 2 });
    const clock = fakeClock();
    expect(okValue(await client(clock).withDeadline(clock.now() + 60_000).getOrder(ids.redrawId)).id).toBe(ids.redrawId);
    expect(waits).toEqual([7000, 7000]);
  });
});

describe('secrets and PHI', () => {
  it('sends the key as x-vital-api-key and never puts it, or any answer content, in a reason', async () => {
    const { ids } = await recordedRedraw();
    // An order whose id is not one the tracker accepts (dots), and carries a canary.
    const badId = `${PHI_CANARY}.bad.id`;
    await standin.putOrder({ ...orderOf(freshId()), id: badId });
    const api = client({ timeoutMs: 300 });
    const reasons: string[] = [];
    const collect = (outcome: JunctionOutcome<unknown>) => {
      if ('reason' in outcome) reasons.push(outcome.reason);
    };
    for (const fault of [
      { kind: 'malformed_json' },
      { kind: 'not_an_order' },
      { kind: 'status', status: 503, retryAfter: API_KEY, times: 3 },
      { kind: 'status', status: 418 },
      { kind: 'delay', delayMs: 20_000, times: 3 },
    ] as const) {
      await standin.injectFault(fault);
      collect(await api.getOrder(ids.initialId));
    }
    for (const kind of ['malformed_json', 'not_an_order'] as const) {
      await standin.injectFault({ kind });
      collect(await api.getTransaction(ids.transactionId));
      await standin.injectFault({ kind });
      collect(await api.listOrders({ page: 1, size: 100 }));
    }
    // An answer whose order id is itself a canary: the reason names the field, never the value.
    collect(await api.getOrder(badId));
    expect(reasons).toHaveLength(10);
    for (const reason of reasons) {
      expect(reason).not.toContain(PHI_CANARY);
      expect(reason).not.toContain(API_KEY);
      expect(reason).not.toContain('KEY-CANARY');
    }
    expect(await standin.requests()).not.toContainEqual(expect.objectContaining({ status: 401 }));
  });
});
