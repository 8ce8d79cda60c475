/**
 * CONTRACT §3 end to end on DynamoDB Local: webhooks stored as the webhook
 * function stores them, the table's real stream delivered by the local stream
 * reader, the transaction item recomputed by the transaction-status handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { readTransactionPartition } from '../../functions/store/transaction-partition';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { buildDeliveries, freshId, isRecord, redrawFlow, type FlowSpec, type RedrawOutcome } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('txn-status');
});
afterAll(async () => {
  await rig?.close();
});

function redrawIds() {
  return { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
}

async function deliverInOrder(spec: FlowSpec, settleEach = false) {
  for (const delivery of buildDeliveries(spec)) {
    await rig.webhook(delivery);
    if (settleEach) await rig.settle();
  }
  await rig.settle();
}

/** A flow of the given orders (walk-in) and low-level steps, on a fresh transaction. */
function customFlow(origins: ('initial' | 'redraw')[], steps: [number, string][]): FlowSpec {
  return {
    transactionId: freshId(),
    orders: origins.map((origin) => ({ id: freshId(), origin, method: 'walk_in_test' as const })),
    steps: steps.map(([order, low]) => ({ order, low })),
    start: new Date('2026-03-02T09:00:00Z'),
  };
}

describe('transaction status from member orders (CONTRACT §3)', () => {
  const cases: [RedrawOutcome, 'active' | 'completed'][] = [
    ['completed', 'completed'],
    ['cancelled', 'completed'],
    ['sample_error', 'completed'],
    ['not_created', 'active'],
    ['in_progress', 'active'],
  ];
  it.each(cases)('a redraw flow whose redraw ends %s makes the transaction %s', async (outcome, expected) => {
    const ids = redrawIds();
    await deliverInOrder(redrawFlow(ids, outcome));
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.status).toBe(expected);
    const members = outcome === 'not_created' ? [ids.initialId] : [ids.initialId, ids.redrawId];
    expect(Object.keys(transaction?.members ?? {}).sort()).toEqual([...members].sort());
    const partition = await readTransactionPartition(rig.table.db, rig.table.tableName, ids.transactionId);
    expect(partition.orders.map((order) => order.record.id)).toEqual(members);
  });

  it('an initial order cancelled with no redraw makes the transaction cancelled', async () => {
    const spec = customFlow(['initial'], [[0, 'ordered'], [0, 'requisition_created'], [0, 'cancelled']]);
    await deliverInOrder(spec);
    expect((await rig.transaction(spec.transactionId!))?.status).toBe('cancelled');
  });

  it('an initial order and its redraw both cancelled make the transaction cancelled', async () => {
    const spec = customFlow(['initial', 'redraw'], [[0, 'ordered'], [1, 'ordered'], [0, 'cancelled'], [1, 'cancelled']]);
    await deliverInOrder(spec, true);
    expect((await rig.transaction(spec.transactionId!))?.status).toBe('cancelled');
  });

  it('an order still in progress keeps the transaction active, then its completion completes it', async () => {
    const spec = customFlow(['initial'], [[0, 'ordered'], [0, 'appointment_scheduled']]);
    await deliverInOrder(spec);
    expect((await rig.transaction(spec.transactionId!))?.status).toBe('active');
    await deliverInOrder({ ...spec, steps: [...spec.steps, { order: 0, low: 'completed' }] });
    expect((await rig.transaction(spec.transactionId!))?.status).toBe('completed');
  });

  it('records the newest member status time as updated_at, and the members in ascending created_at', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'completed');
    await deliverInOrder(spec, true);
    const last = buildDeliveries(spec).at(-1)!;
    const read = readWebhookBody(JSON.stringify(last.body));
    if (read.kind !== 'order') throw new Error('not an order event');
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.updated_at).toBe(projectOrder(read.order).record.status_time);
    const partition = await readTransactionPartition(rig.table.db, rig.table.tableName, ids.transactionId);
    const created = partition.orders.map((order) => order.record.created_at);
    expect(created).toEqual([...created].sort());
    expect(partition.orders.map((order) => order.record.id)).toEqual([ids.initialId, ids.redrawId]);
  });
});

describe('listing members', () => {
  it('stores an order known only from a listing as a listing-sourced order, replaced by its own webhook', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
    // Only the redraw's webhooks arrive: the initial order is known from their listings.
    for (const delivery of deliveries.filter((d) => d.orderId === ids.redrawId)) await rig.webhook(delivery);
    await rig.settle();
    const listed = await rig.order(ids.initialId);
    expect(listed?.record).toMatchObject({ source: 'transaction_listing', low_level_status: 'redraw_available', last_event: null });
    expect(listed?.openRedraw).toBeNull(); // its redraw is known: not awaiting
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.members[ids.initialId]?.source).toBe('transaction_listing');
    expect(transaction?.status).toBe('active');

    const initialNewest = deliveries.filter((d) => d.orderId === ids.initialId).at(-1)!;
    expect(await rig.webhook(initialNewest)).toBe('applied');
    await rig.settle();
    expect((await rig.order(ids.initialId))?.record.source).toBe('webhook');
    expect((await rig.transaction(ids.transactionId))?.members[ids.initialId]?.source).toBe('webhook');
  });

  it('never lets a listing overwrite an order stored from its own webhook', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    // The initial's newest webhook first, then the redraw's (whose listings name the initial too).
    const initialNewest = deliveries.filter((d) => d.orderId === ids.initialId).at(-1)!;
    await rig.webhook(initialNewest);
    await rig.settle();
    for (const delivery of deliveries.filter((d) => d.orderId === ids.redrawId)) await rig.webhook(delivery);
    await rig.settle();
    const initial = await rig.order(ids.initialId);
    expect(initial?.record.source).toBe('webhook');
    expect(initial?.record.last_event?.id).toBe(initialNewest.eventId);
    expect((await rig.transaction(ids.transactionId))?.status).toBe('completed');
  });

  it('takes an order that never sent a webhook from the newest listing naming it', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const redrawOnes = deliveries.filter((d) => d.orderId === ids.redrawId);
    // Deliver the redraw's webhooks newest first: the listing-sourced member must still end at the newest listing.
    for (const delivery of [...redrawOnes].reverse()) {
      await rig.webhook(delivery);
      await rig.settle();
    }
    const member = (await rig.transaction(ids.transactionId))?.members[ids.initialId];
    expect(member).toMatchObject({ source: 'transaction_listing', low_level_status: 'redraw_available' });
  });
});

describe('open redraws', () => {
  it('takes an awaiting initial order out of the open-redraws index when its redraw appears', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
    const initialOnes = deliveries.filter((d) => d.orderId === ids.initialId);
    for (const delivery of initialOnes) await rig.webhook(delivery);
    await rig.settle();
    expect((await rig.order(ids.initialId))?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    const [firstRedraw] = deliveries.filter((d) => d.orderId === ids.redrawId);
    await rig.webhook(firstRedraw!);
    await rig.settle();
    const initial = await rig.order(ids.initialId);
    expect(initial?.openRedraw).toBeNull();
    expect(initial?.stale).toBeNull();
    expect(initial?.record.source).toBe('webhook');
    expect((await rig.order(ids.redrawId))?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
  });

  it('takes an initial order whose redraw_available webhook arrives after its redraw out of the index', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress'));
    for (const delivery of deliveries.filter((d) => d.orderId === ids.redrawId)) await rig.webhook(delivery);
    await rig.settle();
    // An older snapshot of the initial order: its own listing does not name the redraw yet.
    await rig.webhook(deliveries.filter((d) => d.orderId === ids.initialId).at(-1)!);
    await rig.settle();
    expect((await rig.order(ids.initialId))?.openRedraw).toBeNull();
  });
});

describe('reported status', () => {
  it("keeps Junction's own status from the listing with the newest status time", async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const withStatus = deliveries.map((delivery, index) => {
      const data = structuredClone(delivery.body.data);
      if (!isRecord(data) || !isRecord(data.order_transaction)) throw new Error('not an order with a transaction');
      data.order_transaction.status = index === deliveries.length - 1 ? 'completed' : 'active';
      return { ...delivery, body: { ...delivery.body, data } };
    });
    // Newest first: older listings arriving later must not replace the newest reported status.
    for (const delivery of [...withStatus].reverse()) await rig.webhook(delivery);
    await rig.settle();
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.reported_status).toBe('completed');
    expect(transaction?.status).toBe('completed');
  });
});
