/**
 * The query API on DynamoDB Local: every route and error of CONTRACT §2, paging
 * with a small limit, tampered cursors, no PHI, and every answer validated
 * against docs/openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler, type QueryResponse } from '../../functions/query/app';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { getOrder } from '../../functions/store/order-reads';
import { readOpenRedraws } from '../../functions/store/redraws';
import { TABLE } from '../../functions/store/table';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { queryItems } from '../../functions/store/query-pages';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId, PHI_CANARY, redrawFlow, simpleFlow, type FlowSpec } from '../support/junction';
import { documentedGet, openApiValidator } from '../support/openapi';
import { recomputeFromStored, storeFlowWebhooks } from '../support/stored-flows';

let table: TestTable;
let handle: ReturnType<typeof createQueryHandler>;
const assertDocumented = openApiValidator();
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const answers: QueryResponse[] = [];

const stuck = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() }; // redraw never created
const moving = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() }; // redraw in progress
const done = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() }; // redraw completed
const single = { transactionId: null, orderId: freshId() };

/** Stores a flow's webhooks as the webhook function does, then lets the transaction function see them (unless told not to). */
async function seed(spec: FlowSpec, transactionFunction = true) {
  const ids = await storeFlowWebhooks(table, spec);
  if (transactionFunction && spec.transactionId !== null) await transactionFunctionSaw(spec.transactionId, ids);
}

/** What the transaction function does when the stream brings it these orders' items (their recompute). */
const transactionFunctionSaw = (transactionId: string, orderIds: readonly string[]) => recomputeFromStored(table, transactionId, orderIds);

beforeAll(async () => {
  table = await createTestTable('query');
  handle = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent });
  await seed(redrawFlow(stuck, 'not_created', new Date('2026-03-02T09:00:00Z')));
  await seed(redrawFlow(moving, 'in_progress', new Date('2026-03-03T09:00:00Z')));
  await seed(redrawFlow(done, 'completed', new Date('2026-03-04T09:00:00Z')));
  await seed(simpleFlow(single, 'testkit', 3));
  // More open redraws, so that paging crosses partitions and pages.
  for (let i = 0; i < 4; i++) {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    await seed(redrawFlow(ids, i % 2 ? 'not_created' : 'in_progress', new Date(Date.UTC(2026, 2, 10 + i, 9))));
  }
  // Flag the old ones stale (the March 10+ ones stay unflagged at this time).
  await runSweep({
    db: table.db,
    tableName: table.tableName,
    now: new Date('2026-03-11T00:00:00Z'),
    thresholds: DEFAULT_THRESHOLDS,
    notifier: createInMemoryNotifier(),
    logger: silent,
    metrics: { addMetric: () => undefined },
  });
});
afterAll(async () => {
  await table?.drop();
});

const documented = documentedGet(() => handle, assertDocumented);
async function get(path: string, template: string, query?: Record<string, string>): Promise<QueryResponse> {
  const response = await documented(path, template, query);
  answers.push(response);
  return response;
}

function body(response: QueryResponse): Record<string, unknown> {
  const parsed: unknown = JSON.parse(response.body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return Object.fromEntries(Object.entries(parsed));
}

async function pageAll(state: 'open' | 'stale', limit: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const response = await get('/redraws', '/redraws', { state, limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(response.statusCode).toBe(200);
    const page = body(response);
    const items = Array.isArray(page.items) ? page.items : [];
    for (const item of items) ids.push(typeof item === 'object' && item !== null && 'id' in item ? String(item.id) : '');
    sizes.push(items.length);
    cursor = typeof page.next_cursor === 'string' ? page.next_cursor : null;
    if (cursor === null) return { ids, sizes };
  }
  throw new Error('paging did not end');
}

/** The ids the index holds in these partitions, merged on its sort key (`<time>#<order id>`) as the listing reads them: oldest first. */
async function indexIds(...partitions: (typeof OPEN_REDRAW_PARTITIONS)[keyof typeof OPEN_REDRAW_PARTITIONS][]) {
  const listed = new Set((await Promise.all(partitions.map((partition) => readOpenRedraws(table.db, table.tableName, partition)))).flat().map((order) => order.record.id));
  const keys: string[] = [];
  for (const partition of partitions) {
    for await (const entry of queryItems(table.db, {
      TableName: table.tableName,
      IndexName: TABLE.openRedraws.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
    })) {
      keys.push(String(entry[TABLE.openRedraws.sortKey]));
    }
  }
  return keys
    .sort()
    .map((key) => key.slice(key.lastIndexOf('#') + 1))
    .filter((id) => listed.has(id));
}

describe('query API', () => {
  it('answers GET /orders/{order_id} with the contract Order', async () => {
    const response = await get(`/orders/${moving.redrawId}`, '/orders/{order_id}');
    expect(response.statusCode).toBe(200);
    expect(body(response).order).toMatchObject({
      id: moving.redrawId,
      transaction_id: moving.transactionId,
      origin: 'redraw',
      collection_method: 'walk_in_test',
      status: 'received',
      low_level_status: 'requisition_created',
      source: 'webhook',
      stale: { reason: 'no_progress', since: '2026-03-11T00:00:00.000000Z' },
    });
  });

  it('answers the same through an AWS route key with path parameters', async () => {
    const response = await handle({
      routeKey: 'GET /orders/{order_id}',
      rawPath: `/orders/${single.orderId}`,
      requestContext: { http: { method: 'GET' } },
      pathParameters: { order_id: single.orderId },
    });
    assertDocumented('GET', '/orders/{order_id}', response);
    expect(body(response).order).toMatchObject({ id: single.orderId, transaction_id: null, stale: null, collection_method: 'testkit' });
  });

  it('answers 404 not_found for an unknown order or transaction', async () => {
    for (const [path, template] of [[`/orders/${freshId()}`, '/orders/{order_id}'], [`/transactions/${freshId()}`, '/transactions/{transaction_id}']] as const) {
      const response = await get(path, template);
      expect(response.statusCode).toBe(404);
      expect(body(response)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it("says in a transaction's 404 that it appears once its first order has been processed (the moment after a webhook)", async () => {
    const response = await get(`/transactions/${freshId()}`, '/transactions/{transaction_id}');
    expect(body(response)).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/appears once its first order has been processed/) } });
  });

  it('answers a stored transaction with its status and its orders by created_at', async () => {
    const response = await get(`/transactions/${done.transactionId}`, '/transactions/{transaction_id}');
    expect(response.statusCode).toBe(200);
    const transaction = body(response).transaction;
    // The last step of the flow (09:00 plus 8 hourly steps) is the newest status time; Junction reported the transaction completed then.
    expect(transaction).toMatchObject({ id: done.transactionId, status: 'completed', reported_status: 'completed', updated_at: '2026-03-04T17:00:00.000000Z' });
    expect(transaction).toHaveProperty('orders', [expect.objectContaining({ id: done.initialId }), expect.objectContaining({ id: done.redrawId })]);
  });

  it('answers a transaction once the transaction function has seen one of its orders, with the status the contract rule gives', async () => {
    const late = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    await seed(redrawFlow(late, 'in_progress', new Date('2026-03-05T09:00:00Z')), false);
    const event = {
      routeKey: 'GET /transactions/{transaction_id}',
      rawPath: '/ignored',
      requestContext: { http: { method: 'GET' } },
      pathParameters: { transaction_id: late.transactionId },
    };
    // Before: the transaction's item names its members; until the stream brings it, nothing does.
    expect((await handle(event)).statusCode).toBe(404);
    await transactionFunctionSaw(late.transactionId, [late.redrawId]);
    const response = await handle(event);
    assertDocumented('GET', '/transactions/{transaction_id}', response);
    expect(body(response).transaction).toMatchObject({
      id: late.transactionId,
      status: 'active',
      reported_status: 'active',
      orders: [expect.objectContaining({ id: late.initialId, low_level_status: 'redraw_available' }), expect.objectContaining({ id: late.redrawId })],
    });
    // updated_at as the transaction function sets it: the members' newest status time, canonical.
    const members = await Promise.all([late.initialId, late.redrawId].map((id) => getOrder(table.db, table.tableName, id)));
    const newest = members.map((stored) => stored?.record.status_time ?? '').sort().at(-1);
    expect(body(response).transaction).toHaveProperty('updated_at', newest);
    expect(newest).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('pages through every open redraw with limit=2: no duplicates, no gaps, null cursor at the end', async () => {
    const expected = await indexIds(OPEN_REDRAW_PARTITIONS.awaitingRedraw, OPEN_REDRAW_PARTITIONS.redrawInProgress, OPEN_REDRAW_PARTITIONS.stale);
    expect(expected.length).toBeGreaterThan(6);
    const { ids, sizes } = await pageAll('open', 2);
    expect(ids).toEqual(expected); // the three partitions merged on the index sort key: oldest first
    expect(new Set(ids).size).toBe(ids.length);
    expect(sizes.slice(0, -1).every((size) => size === 2)).toBe(true);
    expect(sizes[sizes.length - 1]).toBeGreaterThan(0);
    expect(ids).toEqual(expect.arrayContaining([stuck.initialId, moving.redrawId]));
    expect(ids).not.toContain(done.redrawId);
    expect(ids).not.toContain(single.orderId);
  });

  it('lists only flagged redraws for state=stale, across pages', async () => {
    const expected = await indexIds(OPEN_REDRAW_PARTITIONS.stale);
    expect(expected).toEqual(expect.arrayContaining([stuck.initialId, moving.redrawId]));
    const { ids } = await pageAll('stale', 1);
    expect(ids).toEqual(expected);
    const first = body(await get('/redraws', '/redraws', { state: 'stale' }));
    expect(first.next_cursor).toBeNull();
    expect(Array.isArray(first.items) && first.items.every((item) => typeof item === 'object' && item !== null && 'stale' in item && item.stale !== null)).toBe(true);
  });

  it('defaults to state=open and limit=50', async () => {
    const response = await get('/redraws', '/redraws');
    const page = body(response);
    expect(page.items).toHaveLength((await pageAll('open', 100)).ids.length);
    expect(page.next_cursor).toBeNull();
  });

  it('refuses a tampered cursor with 400 invalid_cursor', async () => {
    const first = body(await get('/redraws', '/redraws', { state: 'open', limit: '2' }));
    const cursor = String(first.next_cursor);
    const [payload = '', tag = ''] = cursor.split('.');
    const decoded = Buffer.from(payload, 'base64url').toString('utf8').replace('"state":"open"', '"state":"stale"');
    const tampered = [
      `${Buffer.from(decoded).toString('base64url')}.${tag}`,
      `${payload}.${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}`,
      cursor.slice(1),
    ];
    for (const bad of tampered) {
      const response = await get('/redraws', '/redraws', { state: 'open', limit: '2', cursor: bad });
      expect(response.statusCode).toBe(400);
      expect(body(response)).toMatchObject({ error: { code: 'invalid_cursor' } });
    }
    const staleWithOpenCursor = await get('/redraws', '/redraws', { state: 'stale', cursor });
    expect(staleWithOpenCursor.statusCode).toBe(400);
  });

  it('answers 400 to a bad limit or state', async () => {
    const queries: Record<string, string>[] = [{ limit: '0' }, { limit: '101' }, { limit: 'x' }, { state: 'all' }];
    for (const query of queries) {
      const response = await get('/redraws', '/redraws', query);
      expect(response.statusCode).toBe(400);
      expect(body(response)).toMatchObject({ error: { code: 'invalid_parameter' } });
    }
  });

  it('never returns a PHI canary', () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) expect(answer.body).not.toContain(PHI_CANARY);
  });
});
