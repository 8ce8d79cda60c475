/**
 * The chat buttons on DynamoDB Local (functions/chat-button; CONTRACT §9, issue
 * 32): a click acknowledges, or snoozes for 48 h with reason `other`, as
 * `chat:<channel id>`, only if the follow-up is still at the alert's version;
 * otherwise nothing changes and the answer says "changed since this alert".
 * Every other payload changes nothing (version and history as they were).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFollowUp, openingEntry } from '../../functions/core/follow-up';
import { canonicalFromDate } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { BUTTON_SNOOZE_MS, createChatButtonHandler } from '../../functions/chat-button/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

const CHANNEL = 'C0123456789';
const NOW = new Date('2026-03-10T12:00:00Z');
let table: TestTable;
let logs: string[];

beforeAll(async () => {
  table = await createTestTable('chat-button');
});
afterAll(async () => {
  await table?.drop();
});

function button() {
  logs = [];
  const record = (level: string) => (...args: unknown[]) => void logs.push(JSON.stringify([level, ...args]));
  return createChatButtonHandler({
    db: table.db,
    tableName: table.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    channelId: CHANNEL,
    now: () => NOW,
  });
}

/** A follow-up as the transaction function opens it: state new, version 1. */
async function opened(): Promise<string> {
  const id = freshId();
  const openedAt = '2026-03-07T08:00:00.000000Z';
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt });
  const stored = { followUp, redraw: { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: followUp.initial_order_id ?? '' }, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
  return id;
}

/** What a refused click must leave untouched: the follow-up item and its history. */
async function snapshot(id: string) {
  return { followUp: (await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp, history: await readHistory(table.db, table.tableName, id, new Date()) };
}

describe('the chat buttons against a real table', () => {
  it('"Acknowledge" acknowledges the follow-up as chat:<channel id>, at the alert\'s version', async () => {
    const id = await opened();
    const answer = await button()({ i: id, b: 'ack', v: '1' });
    expect(answer).toEqual({ status: 'done', message: 'Acknowledged.', follow_up: { id, state: 'acknowledged', owner: null, snoozed_until: null, version: 2 } });
    const history = await readHistory(table.db, table.tableName, id, new Date());
    expect(history.map((entry) => [entry.action, entry.actor])).toEqual([['open', 'tracker'], ['acknowledge', `chat:${CHANNEL}`]]);
    expect(logs.join('\n')).toContain('"outcome":"changed"');
  });

  it('"Snooze 2 days" snoozes until the click + 48 h, reason other, as the channel', async () => {
    const id = await opened();
    const until = canonicalFromDate(new Date(NOW.getTime() + BUTTON_SNOOZE_MS));
    const answer = await button()({ i: id, b: 'snooze2d', v: 1 });
    expect(answer).toEqual({ status: 'done', message: 'Snoozed until 2026-03-12 12:00 UTC (reason: other).', follow_up: { id, state: 'snoozed', owner: null, snoozed_until: until, version: 2 } });
    const [, entry] = await readHistory(table.db, table.tableName, id, new Date());
    expect(entry).toMatchObject({ action: 'snooze', actor: `chat:${CHANNEL}`, until, reason: 'other' });
  });

  it('does nothing on a click on an alert older than the follow-up\'s last change, and says "changed since this alert"', async () => {
    const id = await opened();
    // A month-long snooze by a person, after the alert of version 1 was sent.
    const snoozedUntil = canonicalFromDate(new Date(NOW.getTime() + 30 * 86_400_000));
    const person = await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'snooze', until: snoozedUntil, reason: 'patient_requested' }, actor: 'arn:aws:iam::123456789012:user/j.doe', now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect(person.kind).toBe('changed');
    const before = await snapshot(id);
    for (const b of ['snooze2d', 'ack']) {
      const answer = await button()({ i: id, b, v: '1' });
      expect(answer).toEqual({
        status: 'conflict',
        message: expect.stringContaining('changed since this alert'),
        follow_up: { id, state: 'snoozed', owner: null, snoozed_until: snoozedUntil, version: 2 },
      });
    }
    // The month-long snooze stands.
    expect(await snapshot(id)).toEqual(before);
  });

  it('answers a follow-up that does not exist, and a closed one, in words and changes nothing', async () => {
    expect(await button()({ i: freshId(), b: 'ack', v: '1' })).toEqual({ status: 'not_found', message: 'Nothing done: there is no follow-up with this id.' });
    const id = await opened();
    expect((await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'close', disposition: 'tested_elsewhere' }, actor: 'j.doe', now: NOW, thresholds: DEFAULT_THRESHOLDS })).kind).toBe('changed');
    const before = await snapshot(id);
    const answer = await button()({ i: id, b: 'snooze2d', v: '2' });
    expect(answer).toMatchObject({ status: 'invalid_transition', message: expect.stringMatching(/^Nothing done: a closed follow-up cannot be snoozed/), follow_up: { state: 'closed', version: 2 } });
    expect(await snapshot(id)).toEqual(before);
  });

  it('changes nothing for any payload but a button\'s: other actions, the old shapes, an HTTP-shaped event', async () => {
    const id = await opened();
    const before = await snapshot(id);
    const userArn = 'arn:aws:iam::123456789012:user/someone.else';
    const payloads: unknown[] = [
      { i: id, b: 'close', v: '1' },
      { i: id, b: 'reopen', v: '1' },
      { i: id, b: 'assign', v: '1' },
      { i: id, b: 'record_contact', v: '1' },
      { i: id, b: 'ack', v: '1', action: 'close', disposition: 'other' },
      { follow_up_id: id, action: { action: 'close', disposition: 'patient_declined' } },
      { follow_up_id: id, action: { action: 'assign', owner: 'someone.else' } },
      { follow_up_id: id, button: 'acknowledge' },
      { follow_up_id: id, button: 'snooze_2d' },
      {
        routeKey: 'POST /follow-ups/{follow_up_id}/actions',
        rawPath: `/follow-ups/${id}/actions`,
        pathParameters: { follow_up_id: id },
        body: JSON.stringify({ action: 'acknowledge' }),
        requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn } } },
      },
    ];
    for (const payload of payloads) expect(await button()(payload)).toMatchObject({ status: 'refused' });
    expect(await snapshot(id)).toEqual(before);
    expect(before.followUp?.version).toBe(1);
  });
});
