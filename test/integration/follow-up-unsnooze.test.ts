/**
 * §9's `unsnooze` (issue 70) through the real actions handler on DynamoDB
 * Local: a snoozed follow-up is acknowledged now, its snooze cleared, in one
 * history entry, and it moves from the snoozed list to the acknowledged one;
 * on a follow-up that is not snoozed, or whose snooze has ended, it is 200 and
 * writes nothing; on a closed one 409 invalid_transition, and a stale
 * `expected_version` 409 conflict, nothing written either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { listFollowUps } from '../../functions/store/follow-ups/worklist';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';
import { openBareFollowUp } from '../support/open-follow-up';

const HOUR = 3_600_000;
let table: TestTable;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const assertDocumented = openApiValidator();

beforeAll(async () => {
  table = await createTestTable('follow-up-unsnooze');
});
afterAll(async () => {
  await table?.drop();
});

const seed = () => openBareFollowUp(table, new Date(Date.now() - 48 * HOUR).toISOString().replace('Z', '000Z'));

interface Answered {
  status: number;
  json: { follow_up?: { state: string; snoozed_until: string | null; snooze_reason: string | null; owner: string | null; version: number }; error?: { code: string; message: string } };
}

/** POST /follow-ups/{id}/actions as `npm start`'s caller `actor`, at `now`: the answer, checked against the API's document. */
async function post(id: string, body: unknown, actor = 'kim.w', now = new Date()): Promise<Answered> {
  const handler = createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'header', now: () => now });
  const answer = await handler({
    headers: { 'content-type': 'application/json', 'x-redraw-actor': actor },
    body: JSON.stringify(body),
    rawPath: `/follow-ups/${id}/actions`,
    requestContext: { http: { method: 'POST' } },
  });
  assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
  return { status: answer.statusCode, json: JSON.parse(answer.body) as Answered['json'] };
}

/** The follow-up item and its history: what an action that changes nothing leaves as it was. */
async function snapshot(id: string) {
  return { stored: await getFollowUp(table.db, table.tableName, id, new Date()), history: await readHistory(table.db, table.tableName, id, new Date()) };
}

/** Whether the worklist lists `id` among follow-ups in `state` (its index keys, rewritten by each write). */
async function listed(id: string, state: 'snoozed' | 'acknowledged'): Promise<boolean> {
  const page = await listFollowUps(table.db, table.tableName, { state, owner: null, limit: 100, from: null, now: new Date() });
  return page.items.some((item) => item.followUp.id === id);
}

const snoozeFor = (hours: number) => ({ action: 'snooze', until: new Date(Date.now() + hours * HOUR).toISOString(), reason: 'appointment_booked' });

describe('unsnooze through the actions handler', () => {
  it('ends a snooze early: acknowledged now, snoozed_until and snooze_reason cleared, one entry, and out of the snoozed list', async () => {
    const id = await seed();
    expect(await post(id, snoozeFor(72))).toMatchObject({ status: 200, json: { follow_up: { state: 'snoozed', owner: null, version: 2 } } });
    expect(await listed(id, 'snoozed')).toBe(true);

    const answer = await post(id, { action: 'unsnooze', expected_version: 2, reference: 'T-9' }, 'ben.k');
    expect(answer).toMatchObject({ status: 200, json: { follow_up: { state: 'acknowledged', snoozed_until: null, snooze_reason: null, version: 3 } } });
    const { stored, history } = await snapshot(id);
    expect(stored?.followUp).toMatchObject({ state: 'acknowledged', snoozed_until: null, snooze_reason: null, reference: 'T-9', version: 3 });
    expect(history.map((entry) => entry.action)).toEqual(['open', 'snooze', 'unsnooze']);
    expect(history.at(-1)).toMatchObject({ actor: 'ben.k', action: 'unsnooze', from_state: 'snoozed', to_state: 'acknowledged', reference: 'T-9' });
    expect(await listed(id, 'snoozed')).toBe(false);
    expect(await listed(id, 'acknowledged')).toBe(true);

    // Again: nothing to end, 200, nothing written.
    const before = await snapshot(id);
    expect(await post(id, { action: 'unsnooze' })).toMatchObject({ status: 200, json: { follow_up: { state: 'acknowledged', version: 3 } } });
    expect(await snapshot(id)).toEqual(before);
  });

  it('writes nothing on a follow-up never snoozed, nor on one whose snooze has ended (no snooze_ended either)', async () => {
    const fresh = await seed();
    const untouched = await snapshot(fresh);
    expect(await post(fresh, { action: 'unsnooze' })).toMatchObject({ status: 200, json: { follow_up: { state: 'new', version: 1 } } });
    expect(await snapshot(fresh)).toEqual(untouched);

    const id = await seed();
    expect(await post(id, snoozeFor(1))).toMatchObject({ status: 200, json: { follow_up: { state: 'snoozed', version: 2 } } });
    const before = await snapshot(id);
    // Two hours on, the snooze is over: the answer reads acknowledged, as every read does.
    const later = new Date(Date.now() + 2 * HOUR);
    expect(await post(id, { action: 'unsnooze' }, 'kim.w', later)).toMatchObject({ status: 200, json: { follow_up: { state: 'acknowledged', snoozed_until: null, version: 2 } } });
    expect(await snapshot(id)).toEqual(before);
  });

  it('refuses a closed follow-up (409 invalid_transition) and a stale expected_version (409 conflict), with the follow-up, writing nothing', async () => {
    const id = await seed();
    expect(await post(id, snoozeFor(72))).toMatchObject({ status: 200, json: { follow_up: { version: 2 } } });
    expect(await post(id, { action: 'assign', owner: 'carla.m' }, 'carla.m')).toMatchObject({ status: 200, json: { follow_up: { state: 'snoozed', version: 3 } } });
    const snoozed = await snapshot(id);
    expect(await post(id, { action: 'unsnooze', expected_version: 2 })).toMatchObject({
      status: 409,
      json: { error: { code: 'conflict' }, follow_up: { state: 'snoozed', owner: 'carla.m', version: 3 } },
    });
    expect(await snapshot(id)).toEqual(snoozed);

    expect(await post(id, { action: 'close', disposition: 'patient_declined' })).toMatchObject({ status: 200, json: { follow_up: { state: 'closed', version: 4 } } });
    const closed = await snapshot(id);
    expect(await post(id, { action: 'unsnooze' })).toMatchObject({
      status: 409,
      json: { error: { code: 'invalid_transition', message: 'a closed follow-up has no snooze to end: reopen it first' }, follow_up: { state: 'closed', version: 4 } },
    });
    expect(await snapshot(id)).toEqual(closed);
  });
});
