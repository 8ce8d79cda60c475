/**
 * Reconciliation through the local runtime (`npm start`'s code, in process), the
 * way a user drives it: Svix-signed webhooks over HTTP, `POST /local/sweep`,
 * `GET /orders/{id}`, with JUNCTION_API_BASE_URL pointing at the local stand-in
 * for Junction's API. With JUNCTION_API_KEY the sweep repairs a lost webhook and
 * answers `"reconciled": 1` (and reads the follow-up's missing results: CONTRACT §9);
 * without it, not a single request reaches Junction.
 * The runtimes use this run's DynamoDB Local (npm start's DYNAMODB_ENDPOINT), each its own table.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signSvixMessage } from '../../functions/core/svix';
import type { LocalRuntime } from '../../local/runtime';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type Delivery, type FlowSpec } from '../support/junction';
import { standinMissingTypes } from '../../local/junction-standin/results';
import { openApiValidator } from '../support/openapi';
import { standinRuntimes } from '../support/standin-runtimes';
import { newMessageId, newSecret } from '../support/webhook';

const DAY = 86_400_000;
const secret = newSecret();
const assertDocumented = openApiValidator();
const rig = standinRuntimes('local-reconcile', { JUNCTION_WEBHOOK_SECRET: secret });
const start = rig.start;

async function send(runtime: LocalRuntime, delivery: Delivery): Promise<void> {
  const body = JSON.stringify(delivery.body);
  const messageId = newMessageId();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signSvixMessage({ secret, messageId, timestamp, rawBody: Buffer.from(body) });
  const response = await fetch(`${runtime.url}/webhooks/junction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signature },
    body,
  });
  expect(response.status).toBe(200);
}

const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.number(), synced: z.number(), skipped: z.literal(false) }).strict();

async function sweep(runtime: LocalRuntime) {
  const response = await fetch(`${runtime.url}/local/sweep`, { method: 'POST' });
  const text = await response.text();
  assertDocumented('POST', '/local/sweep', { statusCode: response.status, headers: { 'content-type': response.headers.get('content-type') ?? '' }, body: text });
  expect(text).not.toContain(PHI_CANARY);
  return SweepAnswer.parse(JSON.parse(text));
}

async function order(runtime: LocalRuntime, orderId: string) {
  const response = await fetch(`${runtime.url}/orders/${orderId}`);
  const text = await response.text();
  expect(text).not.toContain(PHI_CANARY);
  return z.object({ order: z.object({ source: z.string(), low_level_status: z.string(), stale: z.unknown() }).loose() }).parse(JSON.parse(text)).order;
}

/**
 * A redraw in progress whose newest step (a day ago) never reached the tracker:
 * by the webhooks alone its last change was nine days ago (stale), by Junction a
 * day ago (not stale). Eight days between steps, dated from now (the runtime's clock).
 */
function lostRecentStep(): { spec: FlowSpec; transactionId: string; initialId: string; redrawId: string; lost: (delivery: Delivery) => boolean } {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const base = redrawFlow(ids, 'in_progress');
  const steps = [...base.steps, { order: 1, low: 'appointment_scheduled' }];
  const stepMinutes = 8 * 24 * 60;
  const start = new Date(Date.now() - DAY - (steps.length - 1) * stepMinutes * 60_000);
  const lastEventId = 1000 + steps.length - 1;
  return { spec: { ...base, steps, stepMinutes, start }, ...ids, lost: (delivery) => delivery.eventId === lastEventId };
}

describe('npm start with Junction’s API', () => {
  it('repairs a lost webhook on POST /local/sweep with JUNCTION_API_KEY set, and answers reconciled; reads the missing results of the initial order', async () => {
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    const flow = lostRecentStep();
    const deliveries = buildDeliveries(flow.spec);
    await rig.standin().recordDeliveries(deliveries);
    for (const delivery of deliveries.filter((delivery) => !flow.lost(delivery))) await send(runtime, delivery);
    await runtime.whenStreamIdle();
    expect((await order(runtime, flow.redrawId)).low_level_status).toBe('requisition_created');
    await rig.standin().clearRequests();

    const answer = await sweep(runtime);
    // The lost step is a day old: older than the first sync's window (SYNC_LOOKBACK_HOURS, 24), so verification repairs it.
    expect(answer).toMatchObject({ flagged: 0, reconciled: 1, synced: 0 });
    const urls = (await rig.standin().requests()).map((request) => request.url);
    // The initial order's missing results first (CONTRACT §9 `missing`, before the stale rules), then the verification.
    expect(urls.filter((url) => !url.startsWith('/v3/orders?'))).toEqual([`/v3/order/${flow.initialId}/result`, `/v3/order/${flow.redrawId}`]);
    // The sync's one page of an empty window, first.
    expect(urls.filter((url) => url.startsWith('/v3/orders?'))).toHaveLength(1);
    expect(urls[0]).toMatch(/^\/v3\/orders\?/);
    expect(await order(runtime, flow.redrawId)).toMatchObject({ source: 'api', low_level_status: 'appointment_scheduled', stale: null });
    expect(runtime.notifier.notifications.filter((notification) => notification.order_id === flow.redrawId)).toEqual([]);
    expect(rig.outputLines().join('\n')).not.toContain(rig.standin().apiKey);
    const followUp = await fetch(`${runtime.url}/follow-ups/${flow.transactionId}`);
    const text = await followUp.text();
    expect(text).not.toContain(PHI_CANARY);
    const missing = z.object({ follow_up: z.object({ missing: z.object({ order_id: z.string(), markers: z.number(), failure_types: z.record(z.string(), z.number()) }) }) }).parse(JSON.parse(text)).follow_up.missing;
    expect(missing).toMatchObject({ order_id: flow.initialId, markers: standinMissingTypes(flow.initialId).length });
  });

  it('makes not a single request to Junction without JUNCTION_API_KEY, and flags as before', async () => {
    const runtime = await start({});
    const flow = lostRecentStep();
    const deliveries = buildDeliveries(flow.spec);
    await rig.standin().recordDeliveries(deliveries);
    for (const delivery of deliveries.filter((delivery) => !flow.lost(delivery))) await send(runtime, delivery);
    await runtime.whenStreamIdle();
    await rig.standin().clearRequests();

    const answer = await sweep(runtime);
    expect(answer).toMatchObject({ flagged: 1, reconciled: 0, synced: 0 });
    expect(await rig.standin().requests()).toEqual([]);
    expect(await order(runtime, flow.redrawId)).toMatchObject({ source: 'webhook', low_level_status: 'requisition_created', stale: { reason: 'no_progress' } });
  });
});
