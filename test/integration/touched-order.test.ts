/**
 * CONTRACT §4 (amended, issue 24 item 4): a newer copy of the same state of a
 * flagged order (Junction touched `updated_at`: results attached,
 * `has_missing_results` set; the sync, a catch-up read or a backfill stores it)
 * neither clears the flag nor starts a new episode, through the webhook, the
 * API path and the stream's facts; a real move still clears it. Against
 * DynamoDB Local and its real stream.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../functions/core/events';
import { instantMillis } from '../../functions/core/instant';
import { projectOrder } from '../../functions/core/order-record';
import { OrderPayload } from '../../functions/core/schemas';
import { applyApiOrder, applyApiOrdersPage } from '../../functions/store/api-orders';
import { flagStale } from '../../functions/store/redraws';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import type { WebhookHandler } from '../../functions/webhook/app';
import { localTable } from '../../local/dynamodb-local';
import { localEndpoint } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { arbShuffledDeliveries, buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { captureOutput, lambdaContext, newSecret, parseAnswer, signedEvent, webhookHandlerFor } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

const secret = newSecret();
let rig: TransactionRig;
let publisher: InMemoryPublisher;
let proxy: DynamoDbProxy;
let handler: WebhookHandler;

beforeAll(async () => {
  publisher = createInMemoryPublisher();
  rig = await startTransactionRig('touched', { publisher, retentionDays: 365 });
  proxy = await startDynamoDbProxy(localEndpoint());
  handler = webhookHandlerFor(localTable(proxy.endpoint), rig.table.tableName, [secret]);
});
afterAll(async () => {
  await proxy?.close();
  await rig?.close();
});

const FLAG = { since: '2026-03-12T08:00:00.000000Z', reason: 'no_progress' as const };

/** A redraw flow whose redraw order is in progress (requisition_created): an open redraw the sweep can flag. */
function openRedraw() {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
  const own = deliveries.filter((delivery) => delivery.orderId === ids.redrawId);
  return { ids, deliveries, last: own.at(-1)! };
}

/** Junction touched the order: the same event, a later `updated_at` (results attached, has_missing_results set). */
function touched(delivery: Delivery, minutes: number, hasMissingResults: boolean | null = true): Delivery {
  const data = delivery.body.data as Record<string, unknown>;
  const updatedAt = new Date(Date.parse(String(data.updated_at)) + minutes * 60_000).toISOString();
  return { ...delivery, body: { ...delivery.body, data: { ...data, updated_at: updatedAt, has_missing_results: hasMissingResults } } };
}

/** The order's next event: a real move (a new low-level status at a new time). */
function moved(delivery: Delivery, low: string): Delivery {
  const data = delivery.body.data as { last_event: { id: number; created_at: string; status: string }; events: unknown[]; updated_at: string };
  const at = new Date(Date.parse(data.updated_at) + 5 * 3_600_000).toISOString();
  const event = { id: data.last_event.id + 1, created_at: at, status: data.last_event.status.replace(/[^.]+$/, low) };
  return { ...delivery, eventId: event.id, body: { ...delivery.body, data: { ...data, updated_at: at, last_event: event, events: [...data.events, event] } } };
}

async function deliverAll(deliveries: readonly Delivery[]): Promise<void> {
  for (const delivery of deliveries) await rig.webhook(delivery);
  await rig.settle();
}

/** Flags the redraw order as the sweep does (conditional on the rank and partition it saw). */
async function flag(orderId: string): Promise<void> {
  const stored = await rig.order(orderId);
  expect(stored?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
  expect(await flagStale(rig.table.db, rig.table.tableName, { orderId, rank: stored!.record.rank, partition: stored!.openRedraw! }, FLAG)).toBe('written');
  await rig.settle();
}

async function webhook(delivery: Delivery) {
  const output = captureOutput();
  try {
    return parseAnswer(await handler(signedEvent(JSON.stringify(delivery.body), { secret }), lambdaContext()));
  } finally {
    output.restore();
  }
}

function factsOf(orderId: string, type: TrackerEvent['type']): TrackerEvent[] {
  return publisher.events.filter((event) => event.order_id === orderId && event.type === type);
}

describe('a flagged order touched by a newer copy of the same state', () => {
  it('keeps its flag through the webhook (applied: its put refused, one update), and a real move clears it', async () => {
    const { ids, deliveries, last } = openRedraw();
    await deliverAll(deliveries);
    await flag(ids.redrawId);

    proxy.reset();
    expect(await webhook(touched(last, 30))).toEqual({ statusCode: 200, body: { result: 'applied' } });
    expect(proxy.counts()).toEqual({ PutItem: 1, UpdateItem: 1 });
    await rig.settle();
    const kept = await rig.order(ids.redrawId);
    expect(kept?.stale).toEqual(FLAG);
    expect(kept?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.stale);
    expect(kept?.record).toEqual({ ...projectOrder(OrderPayload.parse(touched(last, 30).body.data)).record });
    // The same copy again is a duplicate (one refused put), an older copy stale: the flag stays.
    proxy.reset();
    expect(await webhook(touched(last, 30))).toEqual({ statusCode: 200, body: { result: 'duplicate' } });
    expect(await webhook(touched(last, 10))).toEqual({ statusCode: 200, body: { result: 'stale' } });
    expect(proxy.counts()).toEqual({ PutItem: 2 });
    expect((await rig.order(ids.redrawId))?.stale).toEqual(FLAG);
    expect(factsOf(ids.redrawId, 'redraw.stale_cleared')).toEqual([]);

    // The stream record's creation time is when the flag cleared (AWS gives whole seconds,
    // DynamoDB Local whole minutes).
    const movedAt = Math.floor(Date.now() / 60_000) * 60_000;
    expect(await webhook(moved(last, 'appointment_scheduled'))).toEqual({ statusCode: 200, body: { result: 'applied' } });
    await rig.settle();
    const cleared = await rig.order(ids.redrawId);
    expect(cleared?.stale).toBeNull();
    expect(cleared?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
    const [clearedFact] = factsOf(ids.redrawId, 'redraw.stale_cleared');
    expect(clearedFact).toEqual(expect.objectContaining({ since: FLAG.since, reason: FLAG.reason, cleared_by: 'moved' }));
    const clearedAt = instantMillis(clearedFact!.status_time);
    expect(clearedAt).toBeGreaterThanOrEqual(movedAt);
    expect(clearedAt).toBeLessThanOrEqual(Date.now());
  });

  it('keeps its flag when the copy is read from Junction’s API (the sync, catch-up, a backfill), and a real move read there clears it', async () => {
    const { ids, deliveries, last } = openRedraw();
    await deliverAll(deliveries);
    await flag(ids.redrawId);

    // The continuous sync's page: read first, then the write of what is newer.
    const synced = OrderPayload.parse(touched(last, 20).body.data);
    expect(await applyApiOrdersPage(rig.table.db, rig.table.tableName, [synced])).toMatchObject({ applied: 1, refused: 0, appliedIds: [ids.redrawId] });
    await rig.settle();
    expect(await rig.order(ids.redrawId)).toMatchObject({ stale: FLAG, openRedraw: OPEN_REDRAW_PARTITIONS.stale });
    expect(await applyApiOrdersPage(rig.table.db, rig.table.tableName, [synced])).toMatchObject({ applied: 0, unchanged: 1 });

    // A catch-up read or a backfill: the order read alone.
    const copy = OrderPayload.parse(touched(last, 45).body.data);
    expect((await applyApiOrder(rig.table.db, rig.table.tableName, copy)).result).toBe('applied');
    await rig.settle();
    const kept = await rig.order(ids.redrawId);
    expect(kept).toMatchObject({ stale: FLAG, openRedraw: OPEN_REDRAW_PARTITIONS.stale });
    expect(kept?.record).toMatchObject({ source: 'api', has_missing_results: true, updated_at: copy.updated_at });
    expect((await applyApiOrder(rig.table.db, rig.table.tableName, copy)).result).toBe('duplicate');
    expect(factsOf(ids.redrawId, 'redraw.stale_cleared')).toEqual([]);
    expect(factsOf(ids.redrawId, 'order.status_changed').filter((fact) => fact.type === 'order.status_changed' && fact.source === 'api')).toEqual([]);

    expect((await applyApiOrder(rig.table.db, rig.table.tableName, OrderPayload.parse(moved(last, 'completed').body.data))).result).toBe('applied');
    await rig.settle();
    expect(await rig.order(ids.redrawId)).toMatchObject({ stale: null, openRedraw: null });
    expect(factsOf(ids.redrawId, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ cleared_by: 'ended' })]);
  });

  it('clears the flag of an order awaiting its redraw when the copy’s listing shows the redraw order (it is no open redraw any more)', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
    const initial = deliveries.filter((delivery) => delivery.orderId === ids.initialId);
    await deliverAll(initial);
    const stored = await rig.order(ids.initialId);
    expect(stored?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    const flagged = { since: '2026-03-04T08:00:00.000000Z', reason: 'redraw_not_created' as const };
    expect(await flagStale(rig.table.db, rig.table.tableName, { orderId: ids.initialId, rank: stored!.record.rank, partition: stored!.openRedraw! }, flagged)).toBe('written');
    await rig.settle();

    // The same state of the initial order, touched, its listing now naming the redraw order.
    const listing = (deliveries.find((delivery) => delivery.orderId === ids.redrawId)!.body.data as { order_transaction: unknown }).order_transaction;
    const copy = touched(initial.at(-1)!, 90);
    expect(await webhook({ ...copy, body: { ...copy.body, data: { ...(copy.body.data as object), order_transaction: listing } } })).toEqual({ statusCode: 200, body: { result: 'applied' } });
    await rig.settle();
    expect(await rig.order(ids.initialId)).toMatchObject({ stale: null, openRedraw: null });
    expect(factsOf(ids.initialId, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ since: flagged.since, reason: flagged.reason, cleared_by: 'redraw_created' })]);
  });

  it('converges to the newest copy with its flag kept, whatever the order, duplication and path of the deliveries (property)', async () => {
    const scenario = fc
      .record({
        minutes: fc.uniqueArray(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 4 }),
        viaApi: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        bursts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
      })
      .chain(({ minutes, viaApi, bursts }) => {
        const flow = openRedraw();
        const own = flow.deliveries.filter((delivery) => delivery.orderId === flow.ids.redrawId);
        // Later: the order's own earlier webhooks again (late retries), and Junction's touched copies of its state.
        const later = [...own, ...minutes.map((minute, index) => touched(flow.last, minute, index % 2 === 0))];
        return fc.record({ flow: fc.constant(flow), later: arbShuffledDeliveries(later), minutes: fc.constant(minutes), viaApi: fc.constant(viaApi), bursts: fc.constant(bursts) });
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ flow, later, minutes, viaApi, bursts }) => {
        await deliverAll(flow.deliveries);
        await flag(flow.ids.redrawId);
        for (let start = 0, index = 0; start < later.length; index++) {
          const burst = later.slice(start, start + bursts[index % bursts.length]!);
          await Promise.all(
            burst.map((delivery, offset) =>
              viaApi[(start + offset) % viaApi.length]
                ? applyApiOrder(rig.table.db, rig.table.tableName, OrderPayload.parse(delivery.body.data))
                : rig.webhook(delivery),
            ),
          );
          start += burst.length;
        }
        await rig.settle();
        const newest = touched(flow.last, Math.max(...minutes), minutes.indexOf(Math.max(...minutes)) % 2 === 0);
        const stored = await rig.order(flow.ids.redrawId);
        const { source: _source, ...record } = stored!.record;
        const { source: _expected, ...expected } = projectOrder(OrderPayload.parse(newest.body.data)).record;
        expect(record).toEqual(expected);
        expect(stored).toMatchObject({ stale: FLAG, openRedraw: OPEN_REDRAW_PARTITIONS.stale });
        expect(factsOf(flow.ids.redrawId, 'redraw.stale_cleared')).toEqual([]);
        expect(factsOf(flow.ids.redrawId, 'redraw.stale')).toHaveLength(1);
      }),
      { numRuns: propertyRuns(15) },
    );
    expect(rig.deadLetters).toEqual([]);
  });
});
