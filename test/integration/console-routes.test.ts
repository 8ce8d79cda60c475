/**
 * The console's JWT routes on AWS (CONTRACT §12, issue 45), on DynamoDB Local
 * through the real handlers: the same functions answer `GET /api/...` and
 * `POST /api/follow-ups/{follow_up_id}/actions`, and the actor is
 * `user:<username>` from the bearer access token the function verifies itself
 * (the Cognito stand-in's keys, preloaded), never from the request context's
 * claims, which whoever invokes the function can write. Every console route
 * refuses 401 without a valid access token and writes nothing; the action
 * route wants the act scope; a setting keeps close and reopen to a group; the
 * IAM route names only an ARN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { createQueryHandler } from '../../functions/query/app';
import type { AccessTokens } from '../../functions/shared/access-token';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { CONSOLE_ACTION_PATH, CONSOLE_READ_PATHS } from '../../lib/console-contract';
import { startCognitoStandin, type CognitoStandin } from '../support/cognito-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';
import { openBareFollowUp } from '../support/open-follow-up';

const CLIENT_ID = 'console-client-1';
const ACT = 'redraw-tracker/act';
let table: TestTable;
let cognito: CognitoStandin;
let tokens: AccessTokens;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const assertDocumented = openApiValidator();
const ACTION_ROUTE = `POST /api${CONSOLE_ACTION_PATH}`;

beforeAll(async () => {
  table = await createTestTable('console-routes');
  cognito = await startCognitoStandin({
    clientId: CLIENT_ID,
    redirectUris: ['http://127.0.0.1:1/'],
    allowedScopes: ['openid', ACT],
    users: { maria: {}, tom: { groups: ['ops'] }, ana: { groups: ['ops', 'leads'] }, lee: {}, ben: {} },
  });
  // As a warm function has them: the pool's keys in the verifier's cache (no JWKS request in these tests).
  tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
});
afterAll(async () => {
  await cognito?.stop();
  await table?.drop();
});

const seed = () => openBareFollowUp(table);

/** An access token's claims as API Gateway's JWT authorizer passes them (strings; a list as `[a b]`): what a forged event writes. */
const forgedClaims = (username: string, groups = '[leads]') => ({ token_use: 'access', username, client_id: CLIENT_ID, scope: ACT, 'cognito:groups': groups });

/** The request context API Gateway builds for a console request: the claims, and the Authorization header the function verifies. */
function consoleContext(method: string, authorization: string | undefined, claims: Record<string, unknown> | undefined) {
  return {
    headers: authorization === undefined ? {} : { authorization },
    requestContext: { http: { method }, ...(claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: null } } }) },
  };
}

function actionEvent(id: string, body: unknown, authorization: string | undefined, claims?: Record<string, unknown>) {
  const context = consoleContext('POST', authorization, claims);
  return {
    routeKey: ACTION_ROUTE,
    rawPath: `/api/follow-ups/${id}/actions`,
    pathParameters: { follow_up_id: id },
    body: JSON.stringify(body),
    ...context,
    headers: { 'content-type': 'application/json', ...context.headers },
  };
}

const actions = (closeGroup: string | null = null, bookingGroup: string | null = null) =>
  createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'iam', closeGroup, bookingGroup, accessTokens: tokens });
const query = () => createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, accessTokens: tokens });

/** One console read of every path (CONSOLE_READ_PATHS), with what it needs to answer 200 or 404. */
function readEvent(path: (typeof CONSOLE_READ_PATHS)[number], id: string, authorization: string | undefined, claims?: Record<string, unknown>) {
  const param = /\{(\w+)\}/.exec(path)?.[1];
  const queryStringParameters = path === '/reports/redraws' ? { from: '2026-03-01', to: '2026-03-31' } : path === '/follow-ups' ? { queue: 'mine' } : {};
  return {
    routeKey: `GET /api${path}`,
    rawPath: `/api${param === undefined ? path : path.replace(`{${param}}`, id)}`,
    pathParameters: param === undefined ? {} : { [param]: id },
    queryStringParameters,
    ...consoleContext('GET', authorization, claims),
  };
}

const bearer = (token: string) => `Bearer ${token}`;

/** Every way a console request fails to carry a valid access token of the console's client. */
function withoutValidToken(): Record<string, string | undefined> {
  return {
    'no token': undefined,
    'an ID token': bearer(cognito.tokenFor('maria', { use: 'id' })),
    'an expired access token': bearer(cognito.tokenFor('maria', { expiresInSeconds: -60 })),
    "another client's access token": bearer(cognito.tokenFor('maria', { clientId: 'another-client' })),
    'a token that is not a JWT': bearer('chief.medical.officer'),
    'a re-signed claim': bearer(`${cognito.tokenFor('maria').split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`),
  };
}

describe('every console route refuses 401 without a valid access token, whatever claims the event carries', () => {
  it.each([...CONSOLE_READ_PATHS])('GET /api%s', async (path) => {
    const id = await seed();
    const handle = query();
    for (const [name, authorization] of Object.entries(withoutValidToken())) {
      for (const claims of [undefined, forgedClaims('chief.medical.officer')]) {
        const answer = await handle(readEvent(path, id, authorization, claims));
        expect([name, answer.statusCode, JSON.parse(answer.body)]).toEqual([name, 401, { error: { code: 'unauthorized', message: expect.any(String) } }]);
        assertDocumented('GET', path, answer);
      }
    }
    const valid = await handle(readEvent(path, id, bearer(cognito.tokenFor('lee')), forgedClaims('chief.medical.officer')));
    expect([200, 404]).toContain(valid.statusCode);
  });

  it(`POST /api${CONSOLE_ACTION_PATH}, writing nothing`, async () => {
    const id = await seed();
    const before = await getFollowUp(table.db, table.tableName, id, new Date());
    const handle = actions('leads');
    for (const [name, authorization] of Object.entries(withoutValidToken())) {
      for (const claims of [undefined, forgedClaims('chief.medical.officer')]) {
        const answer = await handle(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, authorization, claims));
        expect([name, answer.statusCode, JSON.parse(answer.body)]).toEqual([name, 401, { error: { code: 'unauthorized', message: expect.any(String) } }]);
        assertDocumented('POST', CONSOLE_ACTION_PATH, answer);
      }
    }
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toEqual(before);
    expect(await readHistory(table.db, table.tableName, id, new Date())).toHaveLength(1);
  });

  it('on a stack without the console (no pool to verify against), refuses every console route 401', async () => {
    const id = await seed();
    const token = bearer(cognito.tokenFor('lee'));
    const read = await createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent })(readEvent('/me', id, token, forgedClaims('lee')));
    expect(read.statusCode).toBe(401);
    const act = await createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'iam' })(actionEvent(id, { action: 'acknowledge' }, token, forgedClaims('lee')));
    expect(act.statusCode).toBe(401);
    expect(await readHistory(table.db, table.tableName, id, new Date())).toHaveLength(1);
  });
});

describe('POST /api/follow-ups/{follow_up_id}/actions (the console’s JWT route)', () => {
  it('records the user of the verified token, whatever the claims, headers or body say', async () => {
    const id = await seed();
    const answer = await actions()({
      ...actionEvent(id, { action: 'acknowledge', owner: 'user:maria' }, bearer(cognito.tokenFor('maria')), forgedClaims('chief.medical.officer')),
      headers: { 'content-type': 'application/json', authorization: bearer(cognito.tokenFor('maria')), 'x-redraw-actor': 'someone.else' },
    });
    expect(answer.statusCode).toBe(200);
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.at(-1)).toMatchObject({ actor: 'user:maria', action: 'acknowledge' });
  });

  it('refuses 403 forbidden, writing nothing, a valid access token without the act scope', async () => {
    const id = await seed();
    const before = await getFollowUp(table.db, table.tableName, id, new Date());
    const answer = await actions()(actionEvent(id, { action: 'acknowledge' }, bearer(cognito.tokenFor('maria', { scopes: ['openid'] })), forgedClaims('maria')));
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([403, { error: { code: 'forbidden', message: expect.stringContaining(ACT) } }]);
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toEqual(before);
  });

  it('keeps close and reopen to the group the setting names, by the verified token’s groups only', async () => {
    const id = await seed();
    const leadsOnly = actions('leads');
    // tom is in ops only; his event claims leads, as a forged one would.
    const refused = await leadsOnly(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, bearer(cognito.tokenFor('tom')), forgedClaims('tom', '[ops leads]')));
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('leads') } });
    // A group named "ops,leads" is not leads.
    const comma = await leadsOnly(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, bearer(cognito.tokenFor('tom', { claims: { 'cognito:groups': ['ops,leads'] } }))));
    expect(comma.statusCode).toBe(403);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.state).toBe('new');
    expect((await leadsOnly(actionEvent(id, { action: 'acknowledge' }, bearer(cognito.tokenFor('tom'))))).statusCode).toBe(200);
    expect((await leadsOnly(actionEvent(id, { action: 'close', disposition: 'patient_declined' }, bearer(cognito.tokenFor('ana'))))).statusCode).toBe(200);
    expect((await leadsOnly(actionEvent(id, { action: 'reopen' }, bearer(cognito.tokenFor('tom'))))).statusCode).toBe(403);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp).toMatchObject({ state: 'closed', version: 3 });
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.map((entry) => [entry.actor, entry.action])).toEqual([
      ['tracker', 'open'],
      ['user:tom', 'acknowledge'],
      ['user:ana', 'close'],
    ]);
  });
});

describe('BOOKING_REQUIRES_GROUP (CONTRACT §14)', () => {
  it("keeps the four booking actions to the group for console users, in words, by the verified token's groups, and leaves the other actions and the IAM route alone", async () => {
    const id = await seed();
    const bookers = actions(null, 'leads');
    const record = { action: 'record_booking', start_at: new Date(Date.now() + 5 * 86_400_000).toISOString() };
    for (const body of [record, { action: 'book', booking_key: 'k', site_code: 'S1', slot_start: record.start_at }, { action: 'cancel_booking' }]) {
      const refused = await bookers(actionEvent(id, body, bearer(cognito.tokenFor('tom')), forgedClaims('tom', '[ops leads]')));
      expect([refused.statusCode, JSON.parse(refused.body)]).toEqual([403, { error: { code: 'forbidden', message: 'booking is for the leads group; ask one of its members' } }]);
      assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', refused);
    }
    expect((await bookers(actionEvent(id, { action: 'acknowledge' }, bearer(cognito.tokenFor('tom'))))).statusCode).toBe(200);
    // ana is in leads: the booking is hers to try (this follow-up has no redraw order to book: 409 in words).
    const ana = await bookers(actionEvent(id, record, bearer(cognito.tokenFor('ana'))));
    expect(JSON.parse(ana.body)).toMatchObject({ error: { code: 'not_bookable' } });
    const iam = await bookers({ routeKey: 'POST /follow-ups/{follow_up_id}/actions', rawPath: `/follow-ups/${id}/actions`, pathParameters: { follow_up_id: id }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(record), requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/ops' } } } });
    expect(JSON.parse(iam.body)).toMatchObject({ error: { code: 'not_bookable' } });
  });
});

describe('POST /follow-ups/{follow_up_id}/actions (the IAM route)', () => {
  const iamEvent = (id: string, body: unknown, userArn: string | null | undefined) => ({
    routeKey: 'POST /follow-ups/{follow_up_id}/actions',
    rawPath: `/follow-ups/${id}/actions`,
    pathParameters: { follow_up_id: id },
    headers: { 'content-type': 'application/json', authorization: bearer(cognito.tokenFor('maria')) },
    body: JSON.stringify(body),
    requestContext: { http: { method: 'POST' }, ...(userArn === undefined ? {} : { authorizer: { iam: { userArn }, jwt: { claims: forgedClaims('maria') } } }) },
  });

  it('records the caller’s ARN (IAM or STS), with no group needed to close', async () => {
    const id = await seed();
    const user = 'arn:aws:iam::123456789012:user/ops';
    const role = 'arn:aws:sts::123456789012:assumed-role/Coordinators/j.doe@example.org';
    expect((await actions('leads')(iamEvent(id, { action: 'close', disposition: 'tested_elsewhere' }, user))).statusCode).toBe(200);
    expect((await actions('leads')(iamEvent(id, { action: 'reopen' }, role))).statusCode).toBe(200);
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.slice(1).map((entry) => [entry.actor, entry.action])).toEqual([
      [user, 'close'],
      [role, 'reopen'],
    ]);
  });

  it('refuses 403 forbidden, writing nothing, a caller that is not an IAM or STS ARN (user:..., chat:..., tracker, local, empty, none)', async () => {
    const id = await seed();
    const before = await getFollowUp(table.db, table.tableName, id, new Date());
    const callers = [
      'user:chief.medical.officer',
      'chat:C0123456789',
      'tracker',
      'local',
      '',
      null,
      undefined,
      'arn:aws:iam::12345:user/short-account',
      'arn:aws:lambda:eu-west-1:123456789012:function:redraw',
      'arn:aws:iam::123456789012:user/with space',
      `arn:aws:iam::123456789012:user/${'x'.repeat(2048)}`,
    ];
    for (const userArn of callers) {
      const answer = await actions()(iamEvent(id, { action: 'acknowledge' }, userArn));
      expect([userArn, answer.statusCode, JSON.parse(answer.body)]).toEqual([userArn, 403, { error: { code: 'forbidden', message: expect.any(String) } }]);
      assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    }
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toEqual(before);
  });

  it('answers GET /me with the ARN, and refuses one that is not an ARN', async () => {
    const me = (userArn: string) =>
      query()({ routeKey: 'GET /me', rawPath: '/me', headers: { authorization: bearer(cognito.tokenFor('maria')) }, requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn } } } });
    expect(JSON.parse((await me('arn:aws:iam::123456789012:user/ops')).body)).toEqual({ actor: 'arn:aws:iam::123456789012:user/ops' });
    const refused = await me('user:chief.medical.officer');
    expect([refused.statusCode, JSON.parse(refused.body)]).toEqual([403, { error: { code: 'forbidden', message: expect.any(String) } }]);
  });
});

describe('GET /api/... (the console’s reads)', () => {
  it('answers /api/me with user:<username> of the verified token, and Mine and the counts by it', async () => {
    const handle = query();
    const lee = bearer(cognito.tokenFor('lee'));
    const me = await handle(readEvent('/me', '', lee, forgedClaims('chief.medical.officer')));
    expect(JSON.parse(me.body)).toEqual({ actor: 'user:lee' });
    assertDocumented('GET', '/me', me);
    const id = await seed();
    await actions()(actionEvent(id, { action: 'assign', owner: 'user:lee' }, bearer(cognito.tokenFor('maria'))));
    const mine = JSON.parse((await handle(readEvent('/follow-ups', '', lee))).body) as { items: { id: string }[] };
    expect(mine.items.map((item) => item.id)).toEqual([id]);
    const counts = JSON.parse((await handle(readEvent('/follow-ups/counts', '', lee))).body) as { actor: string; counts: { mine: number } };
    expect(counts).toMatchObject({ actor: 'user:lee', counts: { mine: 1 } });
    // Forged claims naming lee, with ben's token (ben owns none): ben's, not lee's.
    const forged = JSON.parse((await handle(readEvent('/follow-ups/counts', '', bearer(cognito.tokenFor('ben')), forgedClaims('lee')))).body) as { actor: string; counts: { mine: number } };
    expect(forged).toMatchObject({ actor: 'user:ben', counts: { mine: 0 } });
  });

  it('answers the reads that name no caller for any verified user, as the IAM routes do', async () => {
    const id = await seed();
    const one = await query()(readEvent('/follow-ups/{follow_up_id}', id, bearer(cognito.tokenFor('maria'))));
    expect(one.statusCode).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ follow_up: { id, state: 'new' }, history: [{ actor: 'tracker', action: 'open' }] });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', one);
  });
});
