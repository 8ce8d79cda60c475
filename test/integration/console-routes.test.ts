/**
 * The console's JWT routes on AWS (CONTRACT §12), on DynamoDB Local through
 * the real handlers: the same functions answer `GET /api/...` and
 * `POST /api/follow-ups/{follow_up_id}/actions`, and the actor is
 * `user:<username>` from the verified claims API Gateway's JWT authorizer puts
 * in the request context, never from the request; a missing or wrong claim is
 * refused 403 and writes nothing; a setting keeps close and reopen to a group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFollowUp, openingEntry } from '../../functions/core/follow-up';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { createQueryHandler } from '../../functions/query/app';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { freshId } from '../../local/junction-flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';

let table: TestTable;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const assertDocumented = openApiValidator();
const ACTION_ROUTE = 'POST /api/follow-ups/{follow_up_id}/actions';

beforeAll(async () => {
  table = await createTestTable('console-routes');
});
afterAll(async () => {
  await table?.drop();
});

async function seed(): Promise<string> {
  const id = `tx-${freshId()}`;
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}`, redrawOrderId: null, openedAt: '2026-03-01T09:00:00.000000Z' });
  await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], new Date());
  return id;
}

/** An access token's claims as API Gateway's JWT authorizer passes them (strings; a list as `[a b]`). */
const accessClaims = (username: string, groups?: string) => ({ token_use: 'access', username, client_id: 'client-1', scope: 'redraw-tracker/act', ...(groups === undefined ? {} : { 'cognito:groups': groups }) });

function actionEvent(id: string, body: unknown, claims: Record<string, unknown> | undefined, headers: Record<string, string> = {}) {
  return {
    routeKey: ACTION_ROUTE,
    rawPath: `/api/follow-ups/${id}/actions`,
    pathParameters: { follow_up_id: id },
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    requestContext: { http: { method: 'POST' }, ...(claims === undefined ? {} : { authorizer: { jwt: { claims } } }) },
  };
}

const actions = (closeGroup: string | null = null) =>
  createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'iam', closeGroup });

describe('POST /api/follow-ups/{follow_up_id}/actions (the console’s JWT route)', () => {
  it('records the signed-in user from the token’s claims, whatever the request says', async () => {
    const id = await seed();
    const answer = await actions()(actionEvent(id, { action: 'acknowledge', owner: 'user:maria' }, accessClaims('maria'), { 'x-redraw-actor': 'someone.else' }));
    expect(answer.statusCode).toBe(200);
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.at(-1)).toMatchObject({ actor: 'user:maria', action: 'acknowledge', owner: 'user:maria' });
  });

  it('refuses 403 forbidden, writing nothing, without claims, with an ID token’s, or with a username the stack never invites', async () => {
    const id = await seed();
    const before = await getFollowUp(table.db, table.tableName, id, new Date());
    const cases: (Record<string, unknown> | undefined)[] = [
      undefined,
      {},
      { token_use: 'id', 'cognito:username': 'maria', aud: 'client-1' },
      { token_use: 'access' },
      accessClaims('Maria Smith'),
      accessClaims('x'.repeat(65)),
    ];
    for (const claims of cases) {
      const answer = await actions()(actionEvent(id, { action: 'acknowledge' }, claims));
      expect(answer.statusCode).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'forbidden' } });
      assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    }
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toEqual(before);
  });

  it('keeps close and reopen to the group the setting names, and lets everyone else do the rest', async () => {
    const id = await seed();
    const leadsOnly = actions('leads');
    const refused = await leadsOnly(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, accessClaims('tom', '[ops]')));
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('leads') } });
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.state).toBe('new');
    expect((await leadsOnly(actionEvent(id, { action: 'acknowledge' }, accessClaims('tom', '[ops]')))).statusCode).toBe(200);
    expect((await leadsOnly(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, accessClaims('ana', '[ops leads]')))).statusCode).toBe(200);
    expect((await leadsOnly(actionEvent(id, { action: 'reopen' }, accessClaims('tom')))).statusCode).toBe(403);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp).toMatchObject({ state: 'closed', version: 3 });
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.map((entry) => [entry.actor, entry.action])).toEqual([
      ['tracker', 'open'],
      ['user:tom', 'acknowledge'],
      ['user:ana', 'close'],
    ]);
  });

  it('leaves the IAM route as it is: the IAM identity, with no group needed to close', async () => {
    const id = await seed();
    const arn = 'arn:aws:iam::123456789012:user/ops';
    const answer = await actions('leads')({
      ...actionEvent(id, { action: 'close', disposition: 'tested_elsewhere' }, undefined),
      routeKey: 'POST /follow-ups/{follow_up_id}/actions',
      rawPath: `/follow-ups/${id}/actions`,
      requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: arn } } },
    });
    expect(answer.statusCode).toBe(200);
    expect((await readHistory(table.db, table.tableName, id, new Date())).at(-1)).toMatchObject({ actor: arn, action: 'close' });
  });
});

describe('GET /api/... (the console’s reads)', () => {
  const get = (routeKey: string, rawPath: string, claims: Record<string, unknown> | undefined, queryStringParameters: Record<string, string> = {}, pathParameters: Record<string, string> = {}) =>
    createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent })({
      routeKey,
      rawPath,
      queryStringParameters,
      pathParameters,
      requestContext: { http: { method: 'GET' }, ...(claims === undefined ? {} : { authorizer: { jwt: { claims } } }) },
    });

  it('answers /api/me with user:<username>, and Mine by it', async () => {
    const me = await get('GET /api/me', '/api/me', accessClaims('lee'));
    expect(JSON.parse(me.body)).toEqual({ actor: 'user:lee' });
    assertDocumented('GET', '/me', me);
    const id = await seed();
    await actions()(actionEvent(id, { action: 'acknowledge', owner: 'user:lee' }, accessClaims('lee')));
    const mine = JSON.parse((await get('GET /api/follow-ups', '/api/follow-ups', accessClaims('lee'), { queue: 'mine' })).body) as { items: { id: string }[] };
    expect(mine.items.map((item) => item.id)).toEqual([id]);
    const counts = JSON.parse((await get('GET /api/follow-ups/counts', '/api/follow-ups/counts', accessClaims('lee'))).body) as { actor: string; counts: { mine: number } };
    expect(counts).toMatchObject({ actor: 'user:lee', counts: { mine: 1 } });
  });

  it('answers the reads that name no caller as the IAM routes do, and refuses 403 a caller-bound read without a console user', async () => {
    const id = await seed();
    const one = await get('GET /api/follow-ups/{follow_up_id}', `/api/follow-ups/${id}`, accessClaims('lee'), {}, { follow_up_id: id });
    expect(one.statusCode).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ follow_up: { id, state: 'new' }, history: [{ actor: 'tracker', action: 'open' }] });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', one);
    const refused = await get('GET /api/me', '/api/me', { token_use: 'id', 'cognito:username': 'lee' });
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden' } });
  });
});
