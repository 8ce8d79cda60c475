/**
 * The stale-redraw sweep on DynamoDB Local, with orders seeded the way the
 * webhook stores them and an injected clock. The tests share one table, so the
 * index holds other tests' orders too: every assertion is about this test's ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { NEXT_STEPS, OPERATOR_STEPS } from '../../functions/core/next-steps';
import { DEFAULT_THRESHOLDS, type StaleThresholds } from '../../functions/core/staleness';
import { runSweep, SWEEP_METRICS, type SweepResult } from '../../functions/stale-redraw-sweep/app';
import type { StaleRedrawNotification } from '../../functions/notices/notification';
import { createInMemoryNotifier, type Notifier } from '../../functions/notices/notifier';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { getOrder } from '../../functions/store/order-reads';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { recomputeTransaction } from '../../functions/store/transactions';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type Delivery, type FlowSpec, type RedrawOutcome } from '../support/junction';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let table: TestTable;
const logged: unknown[] = [];
const logger = {
  debug: (...args: unknown[]) => void logged.push(args),
  info: (...args: unknown[]) => void logged.push(args),
  warn: (...args: unknown[]) => void logged.push(args),
  error: (...args: unknown[]) => void logged.push(args),
};
const metricsSeen: { name: string; value: number }[] = [];
const metrics = { addMetric: (name: string, _unit: string, value: number) => void metricsSeen.push({ name, value }) };

beforeAll(async () => {
  table = await createTestTable('sweep');
});
afterAll(async () => {
  await table?.drop();
});

async function deliver(delivery: Delivery) {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'order') throw new Error(`test delivery not readable: ${read.kind}`);
  return putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
}

/** Delivers a flow's webhooks in order; returns the ids and the status time of each order's last step. */
async function seedFlow(spec: FlowSpec) {
  const deliveries = buildDeliveries(spec);
  for (const delivery of deliveries) await deliver(delivery);
  const statusTime = new Map<string, number>();
  for (const delivery of deliveries) {
    const data = delivery.body.data;
    if (typeof data === 'object' && data !== null && 'updated_at' in data && typeof data.updated_at === 'string') {
      statusTime.set(delivery.orderId, instantMillis(data.updated_at));
    }
  }
  return { deliveries, statusTime: (orderId: string) => statusTime.get(orderId) ?? Number.NaN };
}

function redrawIds() {
  return { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
}

async function seedRedraw(outcome: RedrawOutcome, start: Date) {
  const ids = redrawIds();
  const spec = redrawFlow(ids, outcome, start);
  const seeded = await seedFlow(spec);
  return { ...ids, spec, ...seeded };
}

async function sweep(now: number, notifier: Notifier, thresholds: StaleThresholds = DEFAULT_THRESHOLDS): Promise<SweepResult> {
  return runSweep({ db: table.db, tableName: table.tableName, now: new Date(now), thresholds, notifier, logger, metrics });
}

const about = (notifications: readonly StaleRedrawNotification[], orderId: string) => notifications.filter((n) => n.order_id === orderId);

/** What the transaction function does when the stream brings it these orders' items (their recompute). */
async function transactionFunctionSaw(transactionId: string, orderIds: readonly string[]) {
  const orders = await Promise.all(orderIds.map((orderId) => stored(orderId)));
  await recomputeTransaction(table.db, table.tableName, transactionId, { orders, listings: [] });
}

async function stored(orderId: string) {
  const order = await getOrder(table.db, table.tableName, orderId);
  if (!order) throw new Error('order not stored');
  return order;
}

describe('stale-redraw sweep', () => {
  it('flags redraw_not_created only once the initial order waited longer than REDRAW_MISSING_AFTER_HOURS', async () => {
    const flow = await seedRedraw('not_created', new Date('2026-04-01T09:00:00Z'));
    const since = flow.statusTime(flow.initialId);
    const notifier = createInMemoryNotifier();

    await sweep(since + 24 * HOUR - 1000, notifier);
    await sweep(since + 24 * HOUR, notifier); // exactly at the threshold: not yet
    expect(about(notifier.notifications, flow.initialId)).toEqual([]);
    expect((await stored(flow.initialId)).stale).toBeNull();

    const now = since + 24 * HOUR + 1000;
    await sweep(now, notifier);
    expect(about(notifier.notifications, flow.initialId)).toEqual([
      {
        order_id: flow.initialId,
        transaction_id: flow.transactionId,
        reason: 'redraw_not_created',
        status: 'collecting_sample',
        low_level_status: 'redraw_available',
        days_waiting: 1,
        since: canonicalFromDate(new Date(now)),
        status_time: canonicalFromDate(new Date(since)),
        look_up: `npx redraw-tracker order ${flow.initialId}`,
        next_step: NEXT_STEPS.redraw_not_created,
        next_step_operator: OPERATOR_STEPS.redraw_not_created,
        status_words: 'a redraw is offered: the lab could not return every result',
        // No follow-up here, so no follow-up commands either.
        commands: null,
        // Nor a link to a follow-up's page in the console.
        console_link: null,
        // No follow-up here: the transaction function, which opens them, did not run.
        follow_up: null,
        // What the alert says for people (issue 26): the notifier's own clock is the send time.
        subject: 'Redraw stuck 1 day (redraw not created) - no owner - local',
        environment: 'local',
        sent_at: expect.any(String),
        in_junction: `paste the order id ${flow.initialId} into the order search of Junction's dashboard`,
        // An initial order: no redraw order's appointment to name.
        appointment: null,
      },
    ]);
    const order = await stored(flow.initialId);
    expect(order.stale).toEqual({ since: canonicalFromDate(new Date(now)), reason: 'redraw_not_created' });
    expect(order.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.stale);
  });

  it('flags no_progress only once the redraw order made no progress for REDRAW_STALE_AFTER_DAYS', async () => {
    const flow = await seedRedraw('in_progress', new Date('2026-04-10T09:00:00Z'));
    const since = flow.statusTime(flow.redrawId);
    const notifier = createInMemoryNotifier();

    await sweep(since + 7 * DAY - 1000, notifier);
    expect(about(notifier.notifications, flow.redrawId)).toEqual([]);

    await sweep(since + 7 * DAY + 1000, notifier);
    expect(about(notifier.notifications, flow.redrawId)).toMatchObject([{ reason: 'no_progress', days_waiting: 7, transaction_id: flow.transactionId }]);
    expect((await stored(flow.redrawId)).stale?.reason).toBe('no_progress');
  });

  it('flags each episode once: a second sweep sends nothing and keeps the first since', async () => {
    const flow = await seedRedraw('in_progress', new Date('2026-04-20T09:00:00Z'));
    const now = flow.statusTime(flow.redrawId) + 8 * DAY;
    const notifier = createInMemoryNotifier();
    await sweep(now, notifier);
    const first = await stored(flow.redrawId);

    const second = await sweep(now + HOUR, notifier);
    expect(about(notifier.notifications, flow.redrawId)).toHaveLength(1);
    expect(second.flagged).toBe(0);
    expect((await stored(flow.redrawId)).stale).toEqual(first.stale);
  });

  it('flags once when two sweeps overlap', async () => {
    const flows = await Promise.all([0, 1, 2].map((i) => seedRedraw('not_created', new Date(Date.UTC(2026, 4, 1, 9 + i)))));
    const now = Date.UTC(2026, 4, 5);
    const [a, b] = [createInMemoryNotifier(), createInMemoryNotifier()];
    await Promise.all([sweep(now, a), sweep(now, b)]);
    for (const flow of flows) {
      expect(about([...a.notifications, ...b.notifications], flow.initialId)).toHaveLength(1);
    }
  });

  it('clears the flag when a newer webhook moves the order on, and the next sweep leaves it alone', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', new Date('2026-05-10T09:00:00Z'));
    // Two days between steps, so the step that moves the redraw on is recent at the sweep's time.
    const moved = { ...spec, stepMinutes: 2 * 24 * 60, steps: [...spec.steps, { order: 1, low: 'appointment_scheduled' }] };
    const deliveries = buildDeliveries(moved);
    for (const delivery of deliveries.slice(0, -1)) await deliver(delivery);
    const notifier = createInMemoryNotifier();
    const redrawTime = (await stored(ids.redrawId)).record.status_time;
    const now = instantMillis(redrawTime) + 7 * DAY + 1000;
    await sweep(now, notifier);
    expect((await stored(ids.redrawId)).stale?.reason).toBe('no_progress');

    expect(await deliver(deliveries[deliveries.length - 1]!)).toBe('applied');
    const after = await stored(ids.redrawId);
    expect(after.stale).toBeNull();
    expect(after.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
    expect(after.record.status_time > redrawTime).toBe(true);

    await sweep(now, notifier); // its new status time is two days younger than before: not due
    expect(about(notifier.notifications, ids.redrawId)).toHaveLength(1);
    expect((await stored(ids.redrawId)).stale).toBeNull();
  });

  it('takes an order that ends out of the index, flag and all', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', new Date('2026-05-20T09:00:00Z'));
    const ended = { ...spec, steps: [...spec.steps, { order: 1, low: 'completed' }] };
    const deliveries = buildDeliveries(ended);
    for (const delivery of deliveries.slice(0, -1)) await deliver(delivery);
    const notifier = createInMemoryNotifier();
    await sweep(Date.parse('2026-06-01T00:00:00Z'), notifier);
    expect((await stored(ids.redrawId)).stale).not.toBeNull();

    await deliver(deliveries[deliveries.length - 1]!);
    const after = await stored(ids.redrawId);
    expect(after.stale).toBeNull();
    expect(after.openRedraw).toBeNull();
  });

  it('does not flag an awaiting order whose redraw order is known, and takes it out of the index', async () => {
    // The transaction already knows the redraw (the transaction function saw its
    // webhooks) when the initial order's late webhooks put it in REDRAW#awaiting,
    // and the transaction function has not seen those yet: the sweep's double
    // check reads the transaction and takes the initial order out.
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress', new Date('2026-06-05T09:00:00Z')));
    for (const delivery of deliveries.filter((d) => d.orderId === ids.redrawId)) await deliver(delivery);
    await transactionFunctionSaw(ids.transactionId, [ids.redrawId]);
    const initialOnes = deliveries.filter((d) => d.orderId === ids.initialId);
    for (const delivery of initialOnes) await deliver(delivery);
    expect((await stored(ids.initialId)).openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    const notifier = createInMemoryNotifier();
    const awaitingSince = instantMillis((initialOnes.at(-1)!.body.data as { updated_at: string }).updated_at);
    const result = await sweep(awaitingSince + 2 * DAY, notifier);
    expect(about(notifier.notifications, ids.initialId)).toEqual([]);
    expect(result.cleared).toBeGreaterThanOrEqual(1);
    const initial = await stored(ids.initialId);
    expect(initial.openRedraw).toBeNull();
    expect(initial.stale).toBeNull();
  });

  it('clears redraw_not_created when the redraw order appears after the flag', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', new Date('2026-06-10T09:00:00Z'));
    const deliveries = buildDeliveries(spec);
    const initialOnly = deliveries.filter((delivery) => delivery.orderId === ids.initialId);
    for (const delivery of initialOnly) await deliver(delivery);
    await transactionFunctionSaw(ids.transactionId, [ids.initialId]);
    const notifier = createInMemoryNotifier();
    const now = Date.parse('2026-06-12T09:00:00Z');
    await sweep(now, notifier);
    expect((await stored(ids.initialId)).stale?.reason).toBe('redraw_not_created');

    // The redraw's webhooks, seen by the transaction function: the initial order leaves the index, flag and all.
    for (const delivery of deliveries.filter((d) => d.orderId === ids.redrawId)) await deliver(delivery);
    await transactionFunctionSaw(ids.transactionId, [ids.redrawId]);
    await sweep(now + HOUR, notifier);
    const initial = await stored(ids.initialId);
    expect(initial.stale).toBeNull();
    expect(initial.openRedraw).toBeNull();
    expect(about(notifier.notifications, ids.initialId)).toHaveLength(1);
  });

  it('clears flags that no longer hold under raised thresholds', async () => {
    const flow = await seedRedraw('in_progress', new Date('2026-06-20T09:00:00Z'));
    const now = flow.statusTime(flow.redrawId) + 8 * DAY;
    const notifier = createInMemoryNotifier();
    await sweep(now, notifier);
    expect((await stored(flow.redrawId)).stale).not.toBeNull();

    await sweep(now, notifier, { staleAfterDays: 30, missingAfterHours: 24 * 30 });
    const redraw = await stored(flow.redrawId);
    expect(redraw.stale).toBeNull();
    expect(redraw.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
  });

  it('keeps the flag when the notification cannot be sent, pending, and the next sweep sends it once with the same since', async () => {
    const flow = await seedRedraw('not_created', new Date('2026-07-01T09:00:00Z'));
    const now = flow.statusTime(flow.initialId) + 2 * DAY;
    const attempts: string[] = [];
    const failing: Notifier = {
      async notify(notification) {
        attempts.push(notification.order_id);
        throw new Error('topic unavailable');
      },
    };
    metricsSeen.length = 0;
    const failed = await sweep(now, failing);
    // The table holds other tests' due orders too: after a few failures in a row the sweep stops sending (ours may be among the unsent).
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(failed.flagged).toBeGreaterThanOrEqual(1);
    // No rollback: the flag stays (no redraw.stale_cleared/redraw.stale pair), its notification pending.
    const kept = await stored(flow.initialId);
    expect(kept.stale).toEqual({ since: canonicalFromDate(new Date(now)), reason: 'redraw_not_created' });
    expect(kept.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.stale);
    expect(metricsSeen.find((metric) => metric.name === SWEEP_METRICS.notificationFailures)?.value).toBeGreaterThanOrEqual(1);
    expect(metricsSeen.find((metric) => metric.name === SWEEP_METRICS.notificationsPending)?.value).toBeGreaterThanOrEqual(1);

    const notifier = createInMemoryNotifier();
    metricsSeen.length = 0;
    await sweep(now + HOUR, notifier);
    expect(about(notifier.notifications, flow.initialId)).toMatchObject([{ since: canonicalFromDate(new Date(now)), reason: 'redraw_not_created' }]);
    expect((await stored(flow.initialId)).stale).toEqual(kept.stale);
    expect(metricsSeen.find((metric) => metric.name === SWEEP_METRICS.notificationsPending)?.value).toBe(0);

    await sweep(now + 2 * HOUR, notifier);
    expect(about(notifier.notifications, flow.initialId)).toHaveLength(1);
  });

  it('reports flagged, stale and open counts under the alarm metric names', async () => {
    const flow = await seedRedraw('in_progress', new Date('2026-07-10T09:00:00Z'));
    metricsSeen.length = 0;
    const result = await sweep(flow.statusTime(flow.redrawId) + 8 * DAY, createInMemoryNotifier());
    const names = metricsSeen.map((metric) => metric.name);
    expect(names).toEqual(expect.arrayContaining(Object.values(SWEEP_METRICS)));
    expect(metricsSeen.find((metric) => metric.name === SWEEP_METRICS.flagged)?.value).toBe(result.flagged);
    const stale = metricsSeen.find((metric) => metric.name === SWEEP_METRICS.stale)?.value ?? 0;
    const open = metricsSeen.find((metric) => metric.name === SWEEP_METRICS.open)?.value ?? 0;
    expect(stale).toBeGreaterThanOrEqual(1);
    expect(open).toBeGreaterThanOrEqual(stale);
  });

  it('never puts PHI in a notification or a log line', async () => {
    const notifier = createInMemoryNotifier(logger);
    await seedRedraw('not_created', new Date('2026-07-20T09:00:00Z'));
    await sweep(Date.parse('2026-08-01T00:00:00Z'), notifier);
    expect(notifier.notifications.length).toBeGreaterThan(0);
    expect(JSON.stringify(notifier.notifications)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(logged)).not.toContain(PHI_CANARY);
  });
});
