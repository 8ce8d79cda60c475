/**
 * The query function's follow-up reads on DynamoDB Local (CONTRACT §9):
 * GET /follow-ups (the worklist: order, filters, paging, cursors bound to their
 * list and filters, 400s), GET /follow-ups/{id} with its history, and
 * `follow_up_id` on orders, transactions and /redraws items. Every answer is
 * validated against docs/openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp, type FollowUpState } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler, type QueryResponse } from '../../functions/query/app';
import { decodeCursor, DEFAULT_CURSOR_SECRET, encodeCursor } from '../../functions/query/cursor';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { freshId, redrawFlow, simpleFlow, type FlowSpec } from '../../local/junction/flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { documentedGet, openApiValidator } from '../support/openapi';
import { recomputeFromStored, storeFlowWebhooks } from '../support/stored-flows';

const NOW = new Date('2026-03-10T12:00:00Z');
let table: TestTable;
let handle: ReturnType<typeof createQueryHandler>;
const assertDocumented = openApiValidator();
const silent = { error: () => {} };

/** The transaction with a follow-up, one without, and an order without a transaction. */
const withFollowUp = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
const without = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
const lone = { transactionId: null, orderId: freshId() };

/** Follow-ups of the worklist: id, due time (null: none), state and owner. */
const worklist: { id: string; due: string | null; state: FollowUpState; owner: string | null }[] = [];

async function seed(spec: FlowSpec) {
  const ids = await storeFlowWebhooks(table, spec);
  if (spec.transactionId !== null) await recomputeFromStored(table, spec.transactionId, ids);
}

/** Stores an opened follow-up (version 1, the tracker's `open`) due at `due`: awaiting its redraw since a day before (the default threshold). */
async function open(id: string, due: string | null, transactionId: string | null = id, initialOrderId: string | null = null) {
  const since = due === null ? '2026-03-01T09:00:00.000000Z' : new Date(Date.parse(due) - DEFAULT_THRESHOLDS.missingAfterHours * 3_600_000).toISOString().replace('Z', '000Z');
  const followUp = openFollowUp({ id, transactionId, initialOrderId, redrawOrderId: null, openedAt: since });
  const redraw = due === null ? null : { kind: 'awaiting_redraw' as const, statusTime: since, orderId: initialOrderId ?? freshId() };
  const written = await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw, dueAt: due, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], new Date());
  expect(written).toBe('written');
}

const act = async (id: string, body: unknown, actor = 'j.doe') => {
  const result = await actOnFollowUp(table.db, table.tableName, { id, body, actor, now: NOW, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
};

beforeAll(async () => {
  table = await createTestTable('query-follow-ups');
  handle = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, now: () => NOW });
  await seed(redrawFlow(withFollowUp, 'not_created', new Date('2026-03-02T09:00:00Z')));
  await seed(redrawFlow(without, 'in_progress', new Date('2026-03-03T09:00:00Z')));
  await seed(simpleFlow(lone, 'testkit', 3));
  await open(withFollowUp.transactionId, null, withFollowUp.transactionId, withFollowUp.initialId);
  await open(lone.orderId, null, null, lone.orderId);
  // Nine more, due on distinct days (inserted out of order), in every state.
  const days = [7, 3, 9, 1, 5, 8, 2, 6, 4];
  for (const [index, day] of days.entries()) {
    const id = `fu-${day}-${freshId().slice(0, 8)}`;
    const due = `2026-03-${String(10 + day).padStart(2, '0')}T09:00:00.000000Z`;
    await open(id, due);
    const owner = index % 2 === 0 ? 'team.a' : 'b@example.org';
    let state: FollowUpState = 'new';
    if (index % 3 === 1) {
      await act(id, { action: 'acknowledge', owner });
      state = 'acknowledged';
    } else if (index % 3 === 2) {
      await act(id, { action: 'assign', owner });
      await act(id, { action: 'close', disposition: 'patient_declined' });
      state = 'closed';
    }
    worklist.push({ id, due: state === 'closed' ? null : due, state, owner: state === 'new' ? null : owner });
  }
});
afterAll(async () => {
  await table?.drop();
});

const get = documentedGet(() => handle, assertDocumented);

const body = (response: QueryResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;
const itemsOf = (response: QueryResponse) => body(response).items as Record<string, unknown>[];

async function pageAll(query: Record<string, string>, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const response = await get('/follow-ups', '/follow-ups', { ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(response.statusCode).toBe(200);
    const page = body(response);
    const items = page.items as { id: string }[];
    expect(items.length).toBeLessThanOrEqual(limit);
    ids.push(...items.map((item) => item.id));
    cursor = typeof page.next_cursor === 'string' ? page.next_cursor : null;
    if (cursor === null) return ids;
  }
  throw new Error('paging did not end');
}

const mine = (ids: readonly string[]) => ids.filter((id) => id.startsWith('fu-') || id === withFollowUp.transactionId || id === lone.orderId);

describe('GET /follow-ups', () => {
  it('lists open follow-ups most urgent first (due_at ascending, none last), across pages with no gap or duplicate', async () => {
    const open = worklist.filter((one) => one.state !== 'closed').sort((a, b) => (a.due! < b.due! ? -1 : 1));
    const ids = mine(await pageAll({}, 2));
    expect(ids.slice(0, open.length)).toEqual(open.map((one) => one.id));
    expect(new Set(ids.slice(open.length))).toEqual(new Set([withFollowUp.transactionId, lone.orderId]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists closed ones newest closed_at first, and filters by one state and by owner', async () => {
    const closed = worklist.filter((one) => one.state === 'closed').map((one) => one.id);
    expect(new Set(mine(await pageAll({ state: 'closed' }, 100)))).toEqual(new Set(closed));
    expect(new Set(mine(await pageAll({ state: 'acknowledged' }, 1)))).toEqual(new Set(worklist.filter((one) => one.state === 'acknowledged').map((one) => one.id)));
    const teamA = worklist.filter((one) => one.owner === 'team.a' && one.state !== 'closed').map((one) => one.id);
    expect(mine(await pageAll({ owner: 'team.a' }, 1))).toEqual(teamA);
    expect(mine(await pageAll({ state: 'closed', owner: 'b@example.org' }, 100))).toEqual(worklist.filter((one) => one.owner === 'b@example.org' && one.state === 'closed').map((one) => one.id));
    const snoozed = await get('/follow-ups', '/follow-ups', { state: 'snoozed' });
    expect(mine((itemsOf(snoozed) as { id: string }[]).map((item) => item.id))).toEqual([]);
  });

  it('answers the contract FollowUp: due_at, stale and version; closed ones have no due time', async () => {
    const response = await get('/follow-ups', '/follow-ups', { state: 'closed', limit: '100' });
    const item = itemsOf(response).find((one) => one.id === worklist.find((entry) => entry.state === 'closed')?.id);
    expect(item).toMatchObject({ state: 'closed', disposition: 'patient_declined', due_at: null, stale: null, version: 3 });
  });

  it('defaults to state=open, limit 50', async () => {
    const response = await get('/follow-ups', '/follow-ups');
    expect(response.statusCode).toBe(200);
    expect(itemsOf(response).every((item) => item.state !== 'closed')).toBe(true);
  });

  it('refuses a cursor of other filters, of /redraws, tampered or made with another key (400 invalid_cursor)', async () => {
    const first = body(await get('/follow-ups', '/follow-ups', { limit: '1' }));
    const cursor = String(first.next_cursor);
    const position = decodeCursor(cursor, DEFAULT_CURSOR_SECRET);
    expect(position).toMatchObject({ list: 'follow-ups', state: 'open', ownerKey: null });
    const redraws = body(await get('/redraws', '/redraws', { limit: '1' }));
    const [payload = '', tag = ''] = cursor.split('.');
    for (const [query, why] of [
      [{ cursor, state: 'new' }, 'another state'],
      [{ cursor, owner: 'team.a' }, 'another owner'],
      [{ cursor: String(redraws.next_cursor) }, 'a /redraws cursor'],
      [{ cursor: `${payload.slice(0, -2)}AA.${tag}` }, 'tampered'],
      [{ cursor: encodeCursor(position!, 'another-secret-of-some-length') }, 'another key'],
    ] as const) {
      const response = await get('/follow-ups', '/follow-ups', query);
      expect({ why, status: response.statusCode, body: body(response) }).toEqual({ why, status: 400, body: { error: { code: 'invalid_cursor', message: expect.any(String) } } });
    }
    // And the other way round: a follow-ups cursor on /redraws.
    const response = await get('/redraws', '/redraws', { cursor });
    expect(response.statusCode).toBe(400);
    expect(body(response)).toMatchObject({ error: { code: 'invalid_cursor' } });
  });

  it('answers 400 invalid_parameter naming state, owner or limit', async () => {
    for (const [query, named] of [
      [{ state: 'stale' }, 'state'],
      [{ owner: 'two words' }, 'owner'],
      [{ owner: '' }, 'owner'],
      [{ owner: 'x'.repeat(2049) }, 'owner'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
    ] as const) {
      const response = await get('/follow-ups', '/follow-ups', query);
      expect(response.statusCode).toBe(400);
      expect(body(response)).toEqual({ error: { code: 'invalid_parameter', message: expect.stringMatching(new RegExp(`^${named} `)) } });
      expect(response.body).not.toContain('two words');
    }
  });

  it('takes any actor as an owner: an IAM Identity Center ARN of hundreds of characters lists its follow-ups', async () => {
    const sso = `arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_RedrawOps_0123456789abcdef/${'m.ops.'.repeat(60)}example.com,team=west`;
    expect(sso.length).toBeGreaterThan(300);
    const id = freshId();
    await open(id, '2026-03-12T09:00:00.000000Z');
    expect(await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'assign', owner: sso }, actor: sso, now: NOW, thresholds: DEFAULT_THRESHOLDS })).toMatchObject({ kind: 'changed' });
    const response = await get('/follow-ups', '/follow-ups', { owner: sso });
    expect(response.statusCode).toBe(200);
    expect((body(response) as { items: { id: string; owner: string }[] }).items.map((item) => [item.id, item.owner])).toEqual([[id, sso]]);
  });
});

describe('GET /follow-ups/{follow_up_id}', () => {
  it('answers the follow-up and its history, oldest first', async () => {
    const closed = worklist.find((one) => one.state === 'closed')!;
    const response = await get(`/follow-ups/${closed.id}`, '/follow-ups/{follow_up_id}');
    expect(response.statusCode).toBe(200);
    const answer = body(response) as { follow_up: Record<string, unknown>; history: Record<string, unknown>[] };
    expect(answer.follow_up).toMatchObject({ id: closed.id, state: 'closed', owner: closed.owner, version: 3 });
    expect(answer.history.map((entry) => [entry.action, entry.actor, entry.from_state, entry.to_state])).toEqual([
      ['open', 'tracker', 'new', 'new'],
      ['assign', 'j.doe', 'new', 'acknowledged'],
      ['close', 'j.doe', 'acknowledged', 'closed'],
    ]);
  });

  it('answers the same through the AWS route key with its path parameter', async () => {
    const response = await handle({ routeKey: 'GET /follow-ups/{follow_up_id}', rawPath: '/x', requestContext: { http: { method: 'GET' } }, pathParameters: { follow_up_id: lone.orderId } });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', response);
    expect(body(response)).toMatchObject({ follow_up: { id: lone.orderId, transaction_id: null, state: 'new' } });
  });

  it('answers 404 not_found for an unknown id and 400 for a bad one', async () => {
    const missing = await get(`/follow-ups/${freshId()}`, '/follow-ups/{follow_up_id}');
    expect(missing.statusCode).toBe(404);
    expect(body(missing)).toEqual({ error: { code: 'not_found', message: 'no follow-up with this id' } });
    const bad = await get('/follow-ups/a%20b', '/follow-ups/{follow_up_id}');
    expect(bad.statusCode).toBe(400);
    expect(body(bad)).toMatchObject({ error: { code: 'invalid_parameter', message: expect.stringMatching(/^follow_up_id /) } });
  });
});

describe('follow_up_id on orders, transactions and /redraws items', () => {
  it('names the follow-up of an order whose transaction has one, and null otherwise', async () => {
    for (const orderId of [withFollowUp.initialId, withFollowUp.redrawId]) {
      const response = await get(`/orders/${orderId}`, '/orders/{order_id}');
      if (response.statusCode === 404) continue; // a redraw never created has no order
      expect(body(response)).toMatchObject({ order: { id: orderId, follow_up_id: withFollowUp.transactionId } });
    }
    expect(body(await get(`/orders/${without.initialId}`, '/orders/{order_id}'))).toMatchObject({ order: { follow_up_id: null } });
    expect(body(await get(`/orders/${lone.orderId}`, '/orders/{order_id}'))).toMatchObject({ order: { transaction_id: null, follow_up_id: lone.orderId } });
  });

  it('names it on a transaction and on each of its orders', async () => {
    const answer = body(await get(`/transactions/${withFollowUp.transactionId}`, '/transactions/{transaction_id}')) as { transaction: { follow_up_id: string | null; orders: { follow_up_id: string | null }[] } };
    expect(answer.transaction.follow_up_id).toBe(withFollowUp.transactionId);
    expect(answer.transaction.orders.map((order) => order.follow_up_id)).toEqual(answer.transaction.orders.map(() => withFollowUp.transactionId));
    const other = body(await get(`/transactions/${without.transactionId}`, '/transactions/{transaction_id}')) as { transaction: { follow_up_id: string | null } };
    expect(other.transaction.follow_up_id).toBeNull();
  });

  it('names it on /redraws items', async () => {
    const items = itemsOf(await get('/redraws', '/redraws', { limit: '100' }));
    const byId = new Map(items.map((item) => [item.id, item.follow_up_id]));
    expect(byId.get(withFollowUp.initialId)).toBe(withFollowUp.transactionId);
    expect(byId.get(without.redrawId)).toBeNull();
  });

  it('gives each /redraws item its follow-up’s state and owner as they change, and null for an order without one', async () => {
    const redrawItem = async (orderId: string) => itemsOf(await get('/redraws', '/redraws', { limit: '100' })).find((item) => item.id === orderId);
    const followUp = async () => (body(await get(`/follow-ups/${withFollowUp.transactionId}`, '/follow-ups/{follow_up_id}')) as { follow_up: { state: string; owner: string | null; version: number } }).follow_up;
    const before = await followUp();
    expect(await redrawItem(withFollowUp.initialId)).toMatchObject({ follow_up_state: before.state, follow_up_owner: before.owner });
    expect(await redrawItem(without.redrawId)).toMatchObject({ follow_up_id: null, follow_up_state: null, follow_up_owner: null });

    await act(withFollowUp.transactionId, { action: 'assign', owner: 'k.lee', expected_version: before.version });
    expect(await redrawItem(withFollowUp.initialId)).toMatchObject({ follow_up_state: 'acknowledged', follow_up_owner: 'k.lee' });
    await act(withFollowUp.transactionId, { action: 'snooze', until: '2026-03-12T09:00:00Z', reason: 'appointment_booked' });
    expect(await redrawItem(withFollowUp.initialId)).toMatchObject({ follow_up_state: 'snoozed', follow_up_owner: 'k.lee' });
  });
});
