/**
 * Acknowledge and the owner (CONTRACT §9, issue 45 item 3) through the real
 * actions handler on DynamoDB Local: an acknowledge sets an owner only when the
 * follow-up has none (the owner given, else a console user), and never replaces
 * one: naming someone else on an owned follow-up is 409 invalid_transition and
 * writes nothing, whoever sends it (the console's JWT route, the IAM route,
 * `npm start`'s header).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { CONSOLE_ACT_SCOPE_CLAIM, type AccessTokens } from '../../functions/shared/access-token';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { startCognitoStandin, type CognitoStandin } from '../support/cognito-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';
import { openBareFollowUp } from '../support/open-follow-up';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';

let table: TestTable;
let cognito: CognitoStandin;
let tokens: AccessTokens;
const CLIENT_ID = 'owners-client';
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const assertDocumented = openApiValidator();
const ARN = 'arn:aws:iam::123456789012:user/ops';

beforeAll(async () => {
  table = await createTestTable('follow-up-owners');
  cognito = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: ['http://127.0.0.1:1/'], allowedScopes: ['openid', CONSOLE_ACT_SCOPE_CLAIM], users: { maria: {} } });
  // As a warm function has them: the pool's keys in the verifier's cache.
  tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
});
afterAll(async () => {
  await cognito?.stop();
  await table?.drop();
});

const seed = () => openBareFollowUp(table);

/** One caller of each kind, as the handler gets its request: the console's JWT route, the IAM route, `npm start`'s header. */
type Via = { console: string } | { iam: string } | { local: string };

function handler(source: 'iam' | 'header') {
  return createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: source, accessTokens: tokens });
}

/** POST /follow-ups/{id}/actions with `body`, as `via`: the answer, its JSON, checked against the API's document. */
async function post(id: string, body: unknown, via: Via) {
  const base = { headers: { 'content-type': 'application/json' } as Record<string, string>, body: JSON.stringify(body), pathParameters: { follow_up_id: id } };
  let answer;
  if ('console' in via) {
    // The person's access token, verified by the function itself (CONTRACT §12).
    const headers = { ...base.headers, authorization: `Bearer ${cognito.tokenFor(via.console)}` };
    answer = await handler('iam')({ ...base, headers, routeKey: 'POST /api/follow-ups/{follow_up_id}/actions', rawPath: `/api/follow-ups/${id}/actions`, requestContext: { http: { method: 'POST' } } });
  } else if ('iam' in via) {
    answer = await handler('iam')({ ...base, routeKey: 'POST /follow-ups/{follow_up_id}/actions', rawPath: `/follow-ups/${id}/actions`, requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: via.iam } } } });
  } else {
    answer = await handler('header')({ ...base, headers: { ...base.headers, 'x-redraw-actor': via.local }, rawPath: `/follow-ups/${id}/actions`, requestContext: { http: { method: 'POST' } } });
  }
  assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
  return { status: answer.statusCode, json: JSON.parse(answer.body) as { follow_up?: { owner: string | null; state: string; version: number }; error?: { code: string; message: string } } };
}

/** The follow-up item and its history: what a refused acknowledge leaves as it was. */
async function snapshot(id: string) {
  return { stored: await getFollowUp(table.db, table.tableName, id, new Date()), history: await readHistory(table.db, table.tableName, id, new Date()) };
}

const CALLERS: Record<'console' | 'iam' | 'local', Via> = { console: { console: 'maria' }, iam: { iam: ARN }, local: { local: 'maria' } };

describe('acknowledge through the actions handler', () => {
  it('makes the console user who acknowledges an unowned follow-up its owner, and records it', async () => {
    const id = await seed();
    const answer = await post(id, { action: 'acknowledge' }, { console: 'maria' });
    expect(answer).toMatchObject({ status: 200, json: { follow_up: { state: 'acknowledged', owner: 'user:maria', version: 2 } } });
    expect((await readHistory(table.db, table.tableName, id, new Date())).at(-1)).toMatchObject({ actor: 'user:maria', action: 'acknowledge', owner: 'user:maria' });
  });

  it('leaves the owner unset for an IAM caller and for npm start\'s caller without an owner, and sets the one given', async () => {
    for (const via of [CALLERS.iam, CALLERS.local]) {
      const id = await seed();
      expect(await post(id, { action: 'acknowledge' }, via)).toMatchObject({ status: 200, json: { follow_up: { state: 'acknowledged', owner: null, version: 2 } } });
      const given = await seed();
      expect(await post(given, { action: 'acknowledge', owner: 'team.west' }, via)).toMatchObject({ status: 200, json: { follow_up: { owner: 'team.west', version: 2 } } });
    }
  });

  it('never replaces an owner: naming someone else is 409 invalid_transition with the current follow-up, and writes nothing, for every caller', async () => {
    for (const [kind, via] of Object.entries(CALLERS)) {
      const id = await seed();
      // j.doe takes it in the console.
      expect(await post(id, { action: 'acknowledge' }, { console: 'j.doe' })).toMatchObject({ status: 200, json: { follow_up: { owner: 'user:j.doe' } } });
      const before = await snapshot(id);
      for (const owner of ['user:maria', 'team.west']) {
        const answer = await post(id, { action: 'acknowledge', owner, expected_version: 2 }, via);
        expect(answer, `${kind} ${owner}`).toMatchObject({
          status: 409,
          json: { error: { code: 'invalid_transition', message: expect.stringContaining('assign changes the owner') }, follow_up: { owner: 'user:j.doe', version: 2 } },
        });
      }
      // Without an owner, or naming j.doe: acknowledged already, nothing to change.
      expect(await post(id, { action: 'acknowledge' }, via), kind).toMatchObject({ status: 200, json: { follow_up: { owner: 'user:j.doe', version: 2 } } });
      expect(await post(id, { action: 'acknowledge', owner: 'user:j.doe' }, via), kind).toMatchObject({ status: 200, json: { follow_up: { owner: 'user:j.doe', version: 2 } } });
      expect(await snapshot(id), kind).toEqual(before);
      // assign still changes it, on purpose.
      expect(await post(id, { action: 'assign', owner: 'team.west' }, via), kind).toMatchObject({ status: 200, json: { follow_up: { owner: 'team.west', version: 3 } } });
    }
  });
});

describe('a handle a person gives (CONTRACT §9: it starts with a letter or a digit)', () => {
  it('refuses a new owner or an x-redraw-actor that starts otherwise (=cmd, +1555, @ops) with a 400 naming the rule, and writes nothing', async () => {
    const id = await seed();
    const before = await snapshot(id);
    for (const owner of ['=cmd', '+1555', '@ops', '.hidden']) {
      for (const body of [{ action: 'acknowledge', owner }, { action: 'assign', owner }]) {
        const answer = await post(id, body, CALLERS.local);
        expect(answer, owner).toEqual({ status: 400, json: { error: { code: 'invalid_request', message: expect.stringContaining('owner must be a letter or a digit, then letters, digits') } } });
      }
      const asActor = await post(id, { action: 'acknowledge' }, { local: owner });
      expect(asActor.json.error?.message, owner).toMatch(/^x-redraw-actor: must be a handle that starts with a letter or a digit/);
    }
    expect(await snapshot(id)).toEqual(before);
    // Letters and digits first are handles as before, an IAM ARN and a console user too.
    expect((await post(id, { action: 'assign', owner: '1st-shift' }, CALLERS.local)).json.follow_up?.owner).toBe('1st-shift');
    expect((await post(id, { action: 'assign', owner: ARN }, CALLERS.local)).json.follow_up?.owner).toBe(ARN);
  });

  it('keeps an owner stored before the rule: the follow-up is worked and listed as before, its owner untouched', async () => {
    const id = await seed();
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    // Written as an older version took it (the rule holds new handles only).
    expect(await writeStoredFollowUp(table.db, table.tableName, stored, { ...stored, followUp: { ...stored.followUp, owner: '@ops', state: 'acknowledged' } }, [], new Date())).toBe('written');
    const snoozed = await post(id, { action: 'snooze', until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'patient_requested' }, CALLERS.local);
    expect(snoozed.json.follow_up).toMatchObject({ owner: '@ops', state: 'snoozed' });
    const closed = await post(id, { action: 'close', disposition: 'patient_declined' }, CALLERS.local);
    expect(closed.json.follow_up).toMatchObject({ owner: '@ops', state: 'closed' });
  });
});
