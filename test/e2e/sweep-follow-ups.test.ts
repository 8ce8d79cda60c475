/**
 * The sweep honours follow-ups through `npm start` (CONTRACT §9 with §4): signed
 * webhooks over HTTP, the tracker's own stream opening the follow-ups, the
 * sweep run by `POST /local/sweep`, what it sent read from
 * `GET /local/notifications` and `GET /local/events`. A person's actions go
 * through the store's actOnFollowUp against the tracker's DynamoDB (the
 * endpoint its banner prints), the code the HTTP action route calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { canonicalFromDate } from '../../functions/core/instant';
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
const Event = z.object({ type: z.string(), order_id: z.string().nullable(), reason: z.string().optional() }).loose();

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
  tracker = spawnNpm(['start'], trackerEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400' }));
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
const staleOf = async (orderId: string) => z.object({ order: z.object({ stale: z.unknown() }).loose() }).parse(await json(`/orders/${orderId}`)).order.stale;

describe('npm start: the sweep and follow-ups', () => {
  it('flags no order of a snoozed follow-up until the snooze ends, names the owner, clears a closed one’s flag, and flags a reopened one again', async () => {
    const snoozed = await stuckRedraw();
    const closed = await stuckRedraw();
    const owned = await stuckRedraw();
    // The tracker's stream opens each follow-up a moment after the webhooks.
    for (const flow of [snoozed, closed, owned]) {
      await eventually(() => getFollowUp(db, TABLE_NAME, flow.transactionId, new Date()), (stored) => stored !== null);
    }
    const snoozedUntil = new Date(Date.now() + 4_000);
    await act(snoozed.transactionId, { action: 'snooze', until: canonicalFromDate(snoozedUntil), reason: 'appointment_booked' });
    await act(owned.transactionId, { action: 'assign', owner: 'team.redraws' });
    await act(owned.transactionId, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });

    await sweep();
    expect(await notifications(snoozed.initialId)).toEqual([]);
    expect(await staleOf(snoozed.initialId)).toBeNull();
    expect(await notifications(owned.initialId)).toEqual([
      expect.objectContaining({ reason: 'redraw_not_created', follow_up: expect.objectContaining({ id: owned.transactionId, state: 'acknowledged', owner: 'team.redraws', contact_attempts: 1 }) }),
    ]);
    expect(await notifications(closed.initialId)).toEqual([expect.objectContaining({ follow_up: expect.objectContaining({ state: 'new', owner: null }) })]);
    expect(await staleOf(closed.initialId)).not.toBeNull();

    // Closed by a person: its flag clears with the close, without a sweep (CONTRACT §9), and the stream publishes
    // redraw.stale_cleared; a sweep after it clears nothing more.
    await act(closed.transactionId, { action: 'close', disposition: 'patient_declined' });
    expect(await eventually(() => staleOf(closed.initialId), (stale) => stale === null)).toBeNull();
    await sweep();
    const events = await eventually(
      async () => z.object({ items: z.array(Event) }).parse(await json('/local/events')).items,
      (items) => items.some((event) => event.type === 'redraw.stale_cleared' && event.order_id === closed.initialId),
    );
    expect(events.filter((event) => event.type === 'redraw.stale_cleared' && event.order_id === closed.initialId)).toEqual([
      expect.objectContaining({ reason: 'redraw_not_created' }),
    ]);

    // The snooze ends: flagged as usual, once.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, snoozedUntil.getTime() - Date.now() + 50)));
    await sweep();
    await sweep();
    expect(await notifications(snoozed.initialId)).toEqual([expect.objectContaining({ reason: 'redraw_not_created', follow_up: expect.objectContaining({ state: 'acknowledged' }) })]);
    // The closed one stayed unflagged; reopened, it is flagged again (a second episode, notified once).
    expect(await notifications(closed.initialId)).toHaveLength(1);
    await act(closed.transactionId, { action: 'reopen' });
    await sweep();
    await sweep();
    expect(await notifications(closed.initialId)).toHaveLength(2);
    expect(await staleOf(closed.initialId)).not.toBeNull();
  });
});
