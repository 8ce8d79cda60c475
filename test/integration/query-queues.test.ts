/**
 * The console's reads on DynamoDB Local (CONTRACT §12): GET /follow-ups?queue=
 * (and ?age=), GET /follow-ups/counts and GET /me, through the query
 * function's handler with the local actor source (`x-redraw-actor`) and the
 * AWS one (the IAM identity). Every answer is validated against docs/openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp, type FollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler, type QueryEvent, type QueryResponse } from '../../functions/query/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { freshId } from '../../local/junction/flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
let table: TestTable;
let local: ReturnType<typeof createQueryHandler>;
let aws: ReturnType<typeof createQueryHandler>;
const assertDocumented = openApiValidator();
const silent = { error: () => {} };
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** The seeded follow-ups, by name: what each is, so every expectation below is written out. */
const ids: Record<string, string> = {};

/** Opens follow-up `name`, opened `daysAgo` days before NOW, due `dueInDays` after NOW; with a stale flag copy when `stale`, and a person's decision to make when `attention`. */
async function open(name: string, daysAgo: number, dueInDays: number, stale = false, attention: FollowUp['attention'] = null) {
  const id = `${name}-${freshId().slice(0, 8)}`;
  ids[name] = id;
  const openedAt = iso(NOW.getTime() - daysAgo * DAY);
  const followUp = { ...openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}`, redrawOrderId: null, openedAt }), attention };
  const redraw = { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: `o-${id}` };
  const staleFlag = stale ? { since: iso(NOW.getTime() - DAY), reason: 'redraw_not_created', orderId: `o-${id}`, statusTime: openedAt } : null;
  const written = await writeStoredFollowUp(
    table.db,
    table.tableName,
    null,
    { followUp, redraw, dueAt: iso(NOW.getTime() + dueInDays * DAY), applied: [], expiresAt: null, remindedAt: null, staleFlag },
    [openingEntry(followUp, new Date(openedAt))],
    new Date(),
  );
  expect(written).toBe('written');
}

async function act(name: string, body: unknown, actor = 'someone', now = NOW) {
  const result = await actOnFollowUp(table.db, table.tableName, { id: ids[name]!, body, actor, now, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
}

beforeAll(async () => {
  table = await createTestTable('query-queues');
  local = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, now: () => NOW, actorSource: 'header' });
  aws = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, now: () => NOW });
  await open('maria1', 2, 3);
  await open('maria2', 10, 1, true);
  await open('tom', 20, 2);
  await open('nobody', 40, 5);
  await open('nobodyStale', 3, 4, true);
  await open('snoozed', 9, 6);
  await open('closed', 12, 7);
  await act('maria1', { action: 'acknowledge', owner: 'maria' });
  await act('maria2', { action: 'assign', owner: 'maria' });
  await act('tom', { action: 'assign', owner: 'tom' });
  await act('snoozed', { action: 'assign', owner: 'tom' });
  await act('snoozed', { action: 'snooze', until: iso(NOW.getTime() + 2 * DAY), reason: 'appointment_booked' });
  await act('closed', { action: 'assign', owner: 'maria' });
  await act('closed', { action: 'close', disposition: 'patient_declined' });
  // Two that wait for a person's decision, snoozed: one still asleep, one whose snooze ended a day ago (awake again).
  await open('decideAsleep', 5, 3, false, 'redraw_failed');
  await open('decideAwake', 5, 3, false, 'no_redraw');
  await act('decideAsleep', { action: 'assign', owner: 'ann' });
  await act('decideAsleep', { action: 'snooze', until: iso(NOW.getTime() + DAY), reason: 'awaiting_clinician' });
  await act('decideAwake', { action: 'assign', owner: 'ann' }, 'someone', new Date(NOW.getTime() - 3 * DAY));
  await act('decideAwake', { action: 'snooze', until: iso(NOW.getTime() - DAY), reason: 'awaiting_clinician' }, 'someone', new Date(NOW.getTime() - 3 * DAY));
});
afterAll(async () => {
  await table?.drop();
});

async function get(handler: typeof local, path: string, template: string, query: Record<string, string> = {}, context: Partial<QueryEvent> = {}): Promise<QueryResponse> {
  const event: QueryEvent = { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, queryStringParameters: query, ...context };
  const response = await handler(event);
  assertDocumented('GET', template, response);
  return response;
}
const as = (actor: string): Partial<QueryEvent> => ({ headers: { 'x-redraw-actor': actor } });
const body = (response: QueryResponse) => JSON.parse(response.body) as Record<string, unknown>;
const names = (response: QueryResponse) => (body(response).items as { id: string }[]).map((item) => Object.keys(ids).find((name) => ids[name] === item.id));

/** Every id of a list, page by page (limit 2, so cursors carry the queue, the age and the caller). */
async function pageAll(query: Record<string, string>, actor: string): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 20; guard++) {
    const response = await get(local, '/follow-ups', '/follow-ups', { ...query, limit: '2', ...(cursor ? { cursor } : {}) }, as(actor));
    expect(response.statusCode).toBe(200);
    found.push(...names(response).map(String));
    const next = body(response).next_cursor;
    cursor = typeof next === 'string' ? next : null;
    if (cursor === null) return found;
  }
  throw new Error('paging did not end');
}

describe('GET /follow-ups?queue=', () => {
  it('lists each queue most urgent first, page by page: Mine is the caller’s, Needs attention the stale flags, Closed the closed ones', async () => {
    expect(await pageAll({ queue: 'mine' }, 'maria')).toEqual(['maria2', 'maria1']);
    expect(await pageAll({ queue: 'mine' }, 'tom')).toEqual(['tom', 'snoozed']);
    expect(await pageAll({ queue: 'unassigned' }, 'maria')).toEqual(['nobodyStale', 'nobody']);
    // A snoozed one leaves Needs attention until it wakes: decideAsleep waits in Mine (ann's) and Snoozed; decideAwake's snooze has ended.
    // Until a write records that end (the sweep's snooze_ended, hourly), it keeps a snoozed one's key: after the live ones (CONTRACT §9).
    expect(await pageAll({ queue: 'attention' }, 'maria')).toEqual(['maria2', 'nobodyStale', 'decideAwake']);
    expect(await pageAll({ queue: 'mine' }, 'ann')).toEqual(['decideAwake', 'decideAsleep']);
    expect(await pageAll({ queue: 'snoozed' }, 'maria')).toEqual(['decideAsleep', 'snoozed']);
    // A person's action recomputes the due time from the open redraw (a day after it, CONTRACT §4); a snoozed one comes after
    // every live one, by snoozed_until, whatever its attention or due time (CONTRACT §9).
    expect(await pageAll({ queue: 'open' }, 'maria')).toEqual(['tom', 'maria2', 'maria1', 'nobodyStale', 'nobody', 'decideAwake', 'decideAsleep', 'snoozed']);
    expect(await pageAll({ queue: 'closed' }, 'maria')).toEqual(['closed']);
  });

  it('applies state, owner and age with the queue', async () => {
    expect(await pageAll({ queue: 'mine', state: 'acknowledged' }, 'tom')).toEqual(['tom']);
    expect(await pageAll({ queue: 'attention', owner: 'maria' }, 'tom')).toEqual(['maria2']);
    expect(await pageAll({ queue: 'open', age: '8_14' }, 'tom')).toEqual(['maria2', 'snoozed']);
    expect(await pageAll({ queue: 'open', age: 'over_30' }, 'tom')).toEqual(['nobody']);
    expect(await pageAll({ age: '15_30' }, 'tom')).toEqual(['tom']);
    expect(await pageAll({ queue: 'closed', state: 'open' }, 'tom')).toEqual([]);
  });

  it('binds a cursor to its queue, age and, for Mine, its caller', async () => {
    const first = await get(local, '/follow-ups', '/follow-ups', { queue: 'mine', limit: '1' }, as('maria'));
    const cursor = String(body(first).next_cursor);
    expect((await get(local, '/follow-ups', '/follow-ups', { queue: 'mine', limit: '1', cursor }, as('maria'))).statusCode).toBe(200);
    for (const [query, actor] of [[{ queue: 'mine', limit: '1', cursor }, 'tom'], [{ queue: 'open', limit: '1', cursor }, 'maria'], [{ queue: 'mine', age: '0_7', limit: '1', cursor }, 'maria']] as const) {
      const refused = await get(local, '/follow-ups', '/follow-ups', query, as(actor));
      expect(refused.statusCode).toBe(400);
      expect(body(refused).error).toMatchObject({ code: 'invalid_cursor' });
    }
  });

  it('answers 400 naming queue or age for a value it does not know', async () => {
    for (const [query, word] of [[{ queue: 'everything' }, 'queue'], [{ age: '3_5' }, 'age']] as const) {
      const refused = await get(local, '/follow-ups', '/follow-ups', query);
      expect(refused.statusCode).toBe(400);
      expect((body(refused).error as { message: string }).message).toContain(word);
    }
  });

  it('answers waiting_since: the open redraw’s status time, none once closed', async () => {
    const open = body(await get(local, `/follow-ups/${ids.tom}`, '/follow-ups/{follow_up_id}')).follow_up as Record<string, unknown>;
    expect(open.waiting_since).toBe(iso(NOW.getTime() - 20 * DAY));
    const closed = body(await get(local, `/follow-ups/${ids.closed}`, '/follow-ups/{follow_up_id}')).follow_up as Record<string, unknown>;
    expect(closed.waiting_since).toBeNull();
  });
});

describe('GET /follow-ups/counts', () => {
  it('counts each open queue for the caller, the same follow-ups its list pages give, and names the owners most first', async () => {
    const answer = body(await get(local, '/follow-ups/counts', '/follow-ups/counts', {}, as('maria')));
    expect(answer).toEqual({
      actor: 'maria',
      counts: { mine: 2, unassigned: 2, attention: 3, snoozed: 2, open: 8 },
      ehr_needs_you: 0,
      owners: [
        { owner: 'ann', open: 2 },
        { owner: 'maria', open: 2 },
        { owner: 'tom', open: 2 },
      ],
      as_of: NOW.toISOString().replace('Z', '000Z'),
    });
    for (const queue of ['mine', 'unassigned', 'attention', 'snoozed', 'open'] as const) {
      expect((await pageAll({ queue }, 'maria')).length).toBe((answer.counts as Record<string, number>)[queue]);
    }
  });

  it('follows a change: a person taking an unassigned one moves it from Unassigned to Mine', async () => {
    await act('nobody', { action: 'acknowledge', owner: 'lee' }, 'lee');
    const answer = body(await get(local, '/follow-ups/counts', '/follow-ups/counts', {}, as('lee')));
    expect(answer.counts).toMatchObject({ mine: 1, unassigned: 1, open: 8 });
    expect(await pageAll({ queue: 'mine' }, 'lee')).toEqual(['nobody']);
    expect((await getFollowUp(table.db, table.tableName, ids.nobody!, new Date()))?.followUp.owner).toBe('lee');
  });

  it('counts Mine for the IAM identity on AWS', async () => {
    const arn = 'arn:aws:iam::123456789012:user/tom';
    await act('maria1', { action: 'assign', owner: arn });
    const answer = body(await get(aws, '/follow-ups/counts', '/follow-ups/counts', {}, { routeKey: 'GET /follow-ups/counts', requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn: arn } } } }));
    expect(answer).toMatchObject({ actor: arn, counts: { mine: 1 } });
  });
});

describe('GET /me', () => {
  it('is the x-redraw-actor handle locally, `local` without one, and the IAM identity on AWS', async () => {
    expect(body(await get(local, '/me', '/me', {}, as('m.ops')))).toEqual({ actor: 'm.ops' });
    expect(body(await get(local, '/me', '/me'))).toEqual({ actor: 'local' });
    const arn = 'arn:aws:sts::123456789012:assumed-role/Ops/maria';
    expect(body(await get(aws, '/me', '/me', {}, { routeKey: 'GET /me', requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn: arn } } } }))).toEqual({ actor: arn });
  });

  it('refuses a reserved or malformed handle with 400, and 403 (never a guess) on AWS without an IAM identity', async () => {
    for (const actor of ['tracker', 'local', 'chat:C1', 'user:maria', 'two words']) {
      const refused = await get(local, '/me', '/me', {}, as(actor));
      expect(refused.statusCode).toBe(400);
      expect(body(refused).error).toMatchObject({ code: 'invalid_request' });
    }
    const answer = await get(aws, '/me', '/me', {}, { routeKey: 'GET /me' });
    expect(answer.statusCode).toBe(403);
    expect(body(answer).error).toMatchObject({ code: 'forbidden' });
  });
});
