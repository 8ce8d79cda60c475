/**
 * The not_acknowledged reminder through `npm start` with FOLLOW_UP_ACK_HOURS set
 * (CONTRACT §9): signed webhooks over HTTP, the tracker's own stream opening
 * the follow-ups, the sweep run by `POST /local/sweep`, what it sent read from
 * `GET /local/notifications`. A person's acknowledgement goes through the
 * store's actOnFollowUp against the tracker's DynamoDB (the endpoint its banner
 * prints), the code the HTTP action route calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signSvixMessage } from '../../functions/core/svix';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import type { TableClient } from '../../functions/store/table-client';
import { localTable } from '../../local/dynamodb-local';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually, freePort, signalGroup, spawnNpm, waitUntilHealthy, type NpmProcess } from '../support/npm-start';
import { newMessageId, newSecret } from '../support/webhook';

const DAY = 86_400_000;
const TABLE_NAME = 'redraw-tracker';
const secret = newSecret();
let tracker: NpmProcess;
let baseUrl = '';
let db: TableClient;

const Notification = z
  .object({
    order_id: z.string(),
    reason: z.string(),
    since: z.string(),
    follow_up: z.nullable(z.object({ id: z.string(), state: z.string(), owner: z.string().nullable(), contact_attempts: z.number() }).loose()),
  })
  .loose();

function trackerEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PORT', 'JUNCTION_WEBHOOK_SECRET', 'REDRAW_STALE_AFTER_DAYS', 'REDRAW_MISSING_AFTER_HOURS', 'SWEEP_INTERVAL_SECONDS', 'DATA_DIR', 'DYNAMODB_ENDPOINT', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'TABLE_NAME', 'FOLLOW_UP_ACK_HOURS', 'JUNCTION_API_KEY']) {
    delete env[name];
  }
  return { ...env, ...settings };
}

beforeAll(async () => {
  const port = await freePort();
  // The test drives the sweeps itself (POST /local/sweep).
  // 0.001 h (3.6 s): every follow-up of a flow weeks old is past it.
  tracker = spawnNpm(['start'], trackerEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400', FOLLOW_UP_ACK_HOURS: '0.001' }));
  baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(tracker, baseUrl);
  const endpoint = await eventually(async () => /DynamoDB: (http:\/\/127\.0\.0\.1:\d+)/.exec(tracker.stdout()), (match) => match !== null, 10_000, 50);
  if (!endpoint) throw new Error(`no DynamoDB endpoint in the banner:\n${tracker.stdout()}`);
  db = localTable(endpoint[1]!);
});

afterAll(async () => {
  if (tracker && !tracker.hasExited()) {
    signalGroup(tracker.pgid, 'SIGINT');
    const stopped = await Promise.race([tracker.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 20_000))]);
    if (!stopped) signalGroup(tracker.pgid, 'SIGKILL');
    await tracker.exited;
  }
});

async function json(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  expect(text).not.toContain(PHI_CANARY);
  expect(response.status).toBe(200);
  return JSON.parse(text);
}

async function postWebhook(body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const messageId = newMessageId();
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${baseUrl}/webhooks/junction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: raw }) },
    body: raw,
  });
  expect(response.status).toBe(200);
}

/** An initial order in redraw_available for weeks, no redraw order: due (redraw_not_created) at once. */
async function stuckRedraw() {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created', new Date(Date.now() - 21 * DAY)))) await postWebhook(delivery.body);
  return ids;
}

const act = async (id: string, body: unknown) => {
  const result = await actOnFollowUp(db, TABLE_NAME, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
};
const sweep = () => json('/local/sweep', { method: 'POST' });
const notifications = async (orderId: string) =>
  z.object({ items: z.array(Notification) }).parse(await json('/local/notifications')).items.filter((item) => item.order_id === orderId);

describe('npm start with FOLLOW_UP_ACK_HOURS', () => {
  it('reminds of a follow-up nobody acknowledged once over two sweeps, and never of one a person acknowledged', async () => {
    const forgotten = await stuckRedraw();
    const handled = await stuckRedraw();
    for (const flow of [forgotten, handled]) {
      await eventually(() => getFollowUp(db, TABLE_NAME, flow.transactionId, new Date()), (stored) => stored !== null);
    }
    await act(handled.transactionId, { action: 'acknowledge', owner: 'j.doe' });
    await sweep();
    await sweep();
    const reminders = (await notifications(forgotten.initialId)).filter((item) => item.reason === 'not_acknowledged');
    expect(reminders).toEqual([expect.objectContaining({ follow_up: expect.objectContaining({ id: forgotten.transactionId, state: 'new', owner: null }) })]);
    expect((await notifications(handled.initialId)).filter((item) => item.reason === 'not_acknowledged')).toEqual([]);
    expect((await getFollowUp(db, TABLE_NAME, forgotten.transactionId, new Date()))?.remindedAt).toBe(reminders[0]!.since);
  });
});
