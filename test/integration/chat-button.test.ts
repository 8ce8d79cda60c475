/**
 * The chat buttons on DynamoDB Local (functions/chat-button; CONTRACT §9, issues
 * 32 and 45): a click acknowledges, or snoozes for 48 h with reason `other`, as
 * `chat:<channel id>`, only if the follow-up is still at the alert's version;
 * otherwise nothing changes and the answer says "changed since this alert".
 * A button acts only on a follow-up an alert named (the sweep marks it once SNS
 * accepted the alert), and its snooze never extends a snooze. Every other
 * payload changes nothing (version and history as they were).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { BUTTON_SNOOZE_MS, CHAT_BUTTON_REFUSED_METRIC, createChatButtonHandler } from '../../functions/chat-button/app';
import { SNS_CLIENT_CONFIG } from '../../functions/notices/config';
import { createSnsNotifier } from '../../functions/notices/notifier';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { markAlerted } from '../../functions/store/follow-ups/tracker';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';

const CHANNEL = 'C0123456789';
const NOW = new Date('2026-03-10T12:00:00Z');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:stale-redraws';
let table: TestTable;
let aws: AwsStandin;
let sns: SNSClient;
let logs: string[];
let refusedCount: number;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  [table, aws] = await Promise.all([createTestTable('chat-button'), startAwsStandin()]);
  sns = new SNSClient({ ...SNS_CLIENT_CONFIG, ...STANDIN_CLIENT_CONFIG, endpoint: aws.endpoint });
});
afterAll(async () => {
  sns?.destroy();
  await Promise.all([table?.drop(), aws?.close()]);
});

function button(now: Date = NOW) {
  logs = [];
  refusedCount = 0;
  const record = (level: string) => (...args: unknown[]) => void logs.push(JSON.stringify([level, ...args]));
  return createChatButtonHandler({
    db: table.db,
    tableName: table.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    metrics: {
      addMetric: (name: string, _unit: string, value: number) => {
        if (name === CHAT_BUTTON_REFUSED_METRIC) refusedCount += value;
      },
      publishStoredMetrics: () => undefined,
    },
    channelId: CHANNEL,
    now: () => now,
  });
}

/** A follow-up as the transaction function opens it: state new, version 1; `alerted`: an alert named it (the sweep's marker). */
async function opened(alerted = true): Promise<string> {
  const id = freshId();
  const openedAt = '2026-03-07T08:00:00.000000Z';
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt });
  const stored = { followUp, redraw: { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: followUp.initial_order_id ?? '' }, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
  if (alerted) expect(await markAlerted(table.db, table.tableName, id, '2026-03-10T11:00:00.000000Z', NOW)).toBe('written');
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
    expect(await button()({ i: id, b: 'ack', v: '1' })).toEqual({
      status: 'conflict',
      message: expect.stringContaining('changed since this alert'),
      follow_up: { id, state: 'snoozed', owner: null, snoozed_until: snoozedUntil, version: 2 },
    });
    // "Snooze 2 days" is refused before its version is asked: a button never extends a snooze.
    expect(await button()({ i: id, b: 'snooze2d', v: '1' })).toEqual({
      status: 'refused',
      message: 'Nothing done: already snoozed until 2026-04-09 12:00 UTC; a person can change it in the console.',
      follow_up: { id, state: 'snoozed', owner: null, snoozed_until: snoozedUntil, version: 2 },
    });
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

  it('refuses both buttons on a follow-up no alert named (a guessed id), in words, writing nothing, and counts the refusal', async () => {
    const id = await opened(false);
    const before = await snapshot(id);
    const item = await table.db.get({ TableName: table.tableName, Key: { pk: `FOLLOWUP#${id}`, sk: 'FOLLOWUP' }, ConsistentRead: true });
    for (const b of ['ack', 'snooze2d']) {
      const click = button();
      const answer = await click({ i: id, b, v: '1' });
      // Nothing of the follow-up is shown: the id may be a guess.
      expect(answer).toEqual({ status: 'refused', message: 'Nothing done: this follow-up was never alerted, and a button acts only on a follow-up its alert named.' });
      expect(logs.join('\n')).toContain('"outcome":"refused","reason":"never_alerted"');
      expect(refusedCount).toBe(1);
    }
    expect(await snapshot(id)).toEqual(before);
    // Not even its bookkeeping moved (the write revision is as it was).
    expect(await table.db.get({ TableName: table.tableName, Key: { pk: `FOLLOWUP#${id}`, sk: 'FOLLOWUP' }, ConsistentRead: true })).toEqual(item);
  });

  it('refuses a second "Snooze 2 days" while the first holds, naming until when, and lets it snooze again once the snooze ended', async () => {
    const id = await opened();
    const first = await button()({ i: id, b: 'snooze2d', v: '1' });
    expect(first).toMatchObject({ status: 'done', follow_up: { state: 'snoozed', version: 2 } });
    const until = canonicalFromDate(new Date(NOW.getTime() + BUTTON_SNOOZE_MS));
    const before = await snapshot(id);
    // The same alert's button again (version 1), and an alert of the snoozed follow-up (version 2): never extended.
    for (const v of ['1', '2']) {
      const again = button(new Date(NOW.getTime() + 3_600_000));
      expect(await again({ i: id, b: 'snooze2d', v })).toEqual({
        status: 'refused',
        message: 'Nothing done: already snoozed until 2026-03-12 12:00 UTC; a person can change it in the console.',
        follow_up: { id, state: 'snoozed', owner: null, snoozed_until: until, version: 2 },
      });
      expect(logs.join('\n')).toContain('"reason":"already_snoozed"');
      expect(refusedCount).toBe(1);
    }
    expect(await snapshot(id)).toEqual(before);
    // A person in the console still can extend it.
    const person = await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'snooze', until: '2026-03-20T09:00:00Z', reason: 'appointment_booked' }, actor: 'user:maria', callerKind: 'console', now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect(person).toMatchObject({ kind: 'changed', stored: { followUp: { snoozed_until: '2026-03-20T09:00:00.000000Z', version: 3 } } });
    // Once that snooze ended, the next alert's button snoozes it again (snooze_ended, then the snooze).
    const later = new Date('2026-03-21T09:00:00Z');
    expect(await button(later)({ i: id, b: 'snooze2d', v: '3' })).toMatchObject({ status: 'done', follow_up: { state: 'snoozed', version: 5 } });
  });

  it('changes nothing for any payload but a button\'s: other actions, the old shapes, an HTTP-shaped event', async () => {
    const id = await opened();
    const before = await snapshot(id);
    const userArn = 'arn:aws:iam::123456789012:user/someone.else';
    const payloads: unknown[] = [
      { i: id, b: 'close', v: '1' },
      { i: id, b: 'reordered', v: '1' },
      { i: id, b: 'ack', v: '1', action: 'close', disposition: 'reordered', reference: 'o-new-1' },
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

describe('the buttons of the sweep’s alerts (the alerted marker)', () => {
  let era = 0;
  /** An initial order stuck in redraw_available, as the webhook stores it, and its follow-up (new, version 1); `due`: when the sweep flags it. */
  async function stuck(): Promise<{ id: string; orderId: string; due: number }> {
    era++;
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created', new Date(Date.UTC(2040 + era, 0, 10, 9))))) {
      const read = readWebhookBody(JSON.stringify(delivery.body));
      if (read.kind !== 'order') throw new Error(`test delivery not readable: ${read.kind}`);
      await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
    }
    const order = await getOrder(table.db, table.tableName, ids.initialId);
    if (order === null) throw new Error('order not stored');
    const openedAt = order.record.status_time;
    const followUp = openFollowUp({ id: ids.transactionId, transactionId: ids.transactionId, initialOrderId: ids.initialId, redrawOrderId: null, openedAt });
    const stored = { followUp, redraw: { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: ids.initialId }, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
    expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(openedAt))], new Date())).toBe('written');
    return { id: ids.transactionId, orderId: ids.initialId, due: instantMillis(openedAt) + 10 * 86_400_000 };
  }

  const sweep = (now: number, db = table.db) =>
    runSweep({ db, tableName: table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier: createSnsNotifier(sns, TOPIC), logger: silent, metrics: { addMetric: () => undefined } });

  /** The follow-up and its version as the alert SNS accepted for `orderId` names them (what the bot fills into the buttons). */
  function alertedVersion(orderId: string): { id: string; version: number } | null {
    const message = aws.messages.map((sent) => JSON.parse(sent.message) as { order_id: string; follow_up: { id: string; version: number } | null }).find((sent) => sent.order_id === orderId);
    return message?.follow_up ? { id: message.follow_up.id, version: message.follow_up.version } : null;
  }

  it('marks the follow-up once SNS accepted its alert; before that a button does nothing, after it the buttons work', async () => {
    const { id, orderId, due } = await stuck();
    // A guessed id before any alert: refused, nothing written.
    const before = await snapshot(id);
    expect(await button(new Date(due))({ i: id, b: 'ack', v: '1' })).toMatchObject({ status: 'refused', message: expect.stringContaining('never alerted') });
    expect(await snapshot(id)).toEqual(before);

    aws.plan.sns = () => 'serve';
    await sweep(due);
    const alert = alertedVersion(orderId);
    expect(alert).toEqual({ id, version: 1 });
    expect((await getFollowUp(table.db, table.tableName, id, new Date(due)))?.alertedAt).toBe(canonicalFromDate(new Date(due)));

    // The buttons of that alert: Acknowledge, then Snooze 2 days on the follow-up as it now is; a second snooze is refused.
    const at = new Date(due + 60_000);
    expect(await button(at)({ i: id, b: 'ack', v: String(alert?.version) })).toMatchObject({ status: 'done', follow_up: { state: 'acknowledged', owner: null, version: 2 } });
    expect(await button(at)({ i: id, b: 'snooze2d', v: '2' })).toMatchObject({ status: 'done', follow_up: { state: 'snoozed', version: 3 } });
    expect(await button(at)({ i: id, b: 'snooze2d', v: '3' })).toMatchObject({ status: 'refused', message: expect.stringContaining('already snoozed until') });
    expect((await getFollowUp(table.db, table.tableName, id, at))?.followUp.version).toBe(3);
    // The marker is set once: a later alert keeps the first time, and the people's writes kept it.
    expect((await getFollowUp(table.db, table.tableName, id, at))?.alertedAt).toBe(canonicalFromDate(new Date(due)));
  });

  it('sets no marker while SNS refuses the alert (the buttons refuse), and sets it with the sweep whose alert SNS accepts', async () => {
    const { id, orderId, due } = await stuck();
    aws.plan.sns = () => ({ status: 500, code: 'InternalError' });
    await sweep(due);
    expect(alertedVersion(orderId)).toBeNull();
    expect((await getFollowUp(table.db, table.tableName, id, new Date(due)))?.alertedAt).toBeNull();
    const before = await snapshot(id);
    expect(await button(new Date(due + 60_000))({ i: id, b: 'ack', v: '1' })).toMatchObject({ status: 'refused', message: expect.stringContaining('never alerted') });
    expect(await snapshot(id)).toEqual(before);

    aws.plan.sns = () => 'serve';
    const later = due + 3_600_000;
    await sweep(later);
    expect(alertedVersion(orderId)).toEqual({ id, version: 1 });
    expect((await getFollowUp(table.db, table.tableName, id, new Date(later)))?.alertedAt).toBe(canonicalFromDate(new Date(later)));
    expect(await button(new Date(later + 60_000))({ i: id, b: 'ack', v: '1' })).toMatchObject({ status: 'done', follow_up: { state: 'acknowledged', version: 2 } });
  });

  it('marks the follow-up with the next sweep, sending nothing again, when a sweep died between SNS accepting the alert and the marker', async () => {
    const { id, orderId, due } = await stuck();
    aws.plan.sns = () => 'serve';
    // DynamoDB refuses the marker's write (the table's answer, injected): the sweep stops there.
    const failing = {
      ...table.db,
      put: async (input: Parameters<typeof table.db.put>[0]) => {
        if ((input.Item as Record<string, unknown>)['al'] !== undefined) throw Object.assign(new Error('injected'), { name: 'InternalServerError' });
        return table.db.put(input);
      },
    };
    await sweep(due, failing).catch(() => undefined);
    const sent = () => aws.messages.filter((message) => (JSON.parse(message.message) as { order_id: string }).order_id === orderId).length;
    expect(sent()).toBe(1);
    expect((await getFollowUp(table.db, table.tableName, id, new Date(due)))?.alertedAt).toBeNull();
    expect(await button(new Date(due + 60_000))({ i: id, b: 'ack', v: '1' })).toMatchObject({ status: 'refused' });
    // The next sweep finds the alert's claim sent: it marks the follow-up and sends nothing again.
    const later = due + 60_000;
    await sweep(later);
    expect(sent()).toBe(1);
    expect((await getFollowUp(table.db, table.tableName, id, new Date(later)))?.alertedAt).toBe(canonicalFromDate(new Date(later)));
    expect(await button(new Date(later + 60_000))({ i: id, b: 'ack', v: '1' })).toMatchObject({ status: 'done', follow_up: { state: 'acknowledged' } });
  });
});
