/**
 * Events (CONTRACT §7) as the transaction function publishes them from the
 * table's real stream on DynamoDB Local, for realistic flows delivered in any
 * order, duplicated and in concurrent bursts, while publishing fails at random:
 * the facts chain through stored states only, each fact once, redelivery adds
 * no new id, and no fact is lost. No event carries PHI.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../functions/core/events';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { arbFlow, arbShuffledDeliveries, buildDeliveries, mulberry32, PHI_CANARY, type Delivery, type FlowSpec } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

let rig: TransactionRig;
let publisher: InMemoryPublisher;
/** The chance that one event's publication fails, redrawn per scenario (0: never). */
let failureRate = 0;
let random = mulberry32(1);
let failedPublications = 0;

beforeAll(async () => {
  publisher = createInMemoryPublisher({
    fails: () => {
      const fails = random() < failureRate;
      if (fails) failedPublications++;
      return fails;
    },
  });
  // Enough redeliveries that random failures never exhaust a batch: a dead letter would be a lost fact.
  rig = await startTransactionRig('events', { publisher, retentionDays: 365, maxAttempts: 200 });
});
afterAll(async () => {
  await rig?.close();
});

function eventsOf(spec: FlowSpec): TrackerEvent[] {
  const orderIds = new Set(spec.orders.map((order) => order.id));
  return publisher.events.filter(
    (event) => (event.order_id !== null && orderIds.has(event.order_id)) || (spec.transactionId !== null && event.transaction_id === spec.transactionId),
  );
}

/** Every low-level status the flow's deliveries show for an order, its own or in a listing. */
function statusesOf(deliveries: readonly Delivery[], orderId: string): Set<string> {
  const statuses = new Set<string>();
  for (const { body } of deliveries) {
    const data = body.data as { id: string; events: { status: string }[]; order_transaction: { orders: { id: string; low_level_status: string }[] } | null };
    if (data.id === orderId) for (const event of data.events) statuses.add(event.status.split('.').at(-1)!);
    for (const listed of data.order_transaction?.orders ?? []) if (listed.id === orderId) statuses.add(listed.low_level_status);
  }
  return statuses;
}

/**
 * Asserts that the transitions form one chain from null to `final`, each `from`
 * the previous `to`: as a multiset of edges, a path uses each status as often as
 * it enters it as it leaves it, except the start (null, left once) and the end.
 */
function expectChain(transitions: readonly { from: string | null; to: string }[], final: string): void {
  const balance = new Map<string | null, number>();
  const add = (status: string | null, delta: number) => balance.set(status, (balance.get(status) ?? 0) + delta);
  for (const { from, to } of transitions) {
    add(from, 1);
    add(to, -1);
  }
  add(null, -1);
  add(final, 1);
  expect([...balance].filter(([, count]) => count !== 0)).toEqual([]);
  expect(transitions.filter((transition) => transition.from === null)).toHaveLength(1);
}

async function deliver(deliveries: readonly Delivery[], bursts: readonly number[]): Promise<void> {
  for (let start = 0, index = 0; start < deliveries.length; index++) {
    const size = bursts[index % bursts.length]!;
    await Promise.all(deliveries.slice(start, start + size).map((delivery) => rig.webhook(delivery)));
    start += size;
  }
  await rig.settle();
}

describe('events from the stream', () => {
  it('chain every order and transaction through stored states, once per fact, whatever the delivery and publishing failures', async () => {
    const scenario = fc.record({
      flow: arbFlow(),
      seed: fc.integer(),
      failureRate: fc.constantFrom(0, 0.1, 0.3),
      bursts: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
    }).chain((base) => fc.record({ base: fc.constant(base), deliveries: arbShuffledDeliveries(buildDeliveries(base.flow)) }));

    await fc.assert(
      fc.asyncProperty(scenario, async ({ base: { flow, seed, failureRate: rate, bursts }, deliveries }) => {
        random = mulberry32(seed);
        failureRate = rate;
        await deliver(deliveries, bursts);
        const events = eventsOf(flow);
        const all = buildDeliveries(flow);

        for (const order of flow.orders) {
          const stored = await rig.order(order.id);
          const changes = events.filter((event) => event.type === 'order.status_changed' && event.order_id === order.id);
          if (stored === null) {
            expect(changes).toEqual([]);
            continue;
          }
          const transitions = changes.map((event) => (event.type === 'order.status_changed' ? event : null)).filter((event) => event !== null);
          expectChain(transitions, stored.record.low_level_status);
          const seen = statusesOf(all, order.id);
          for (const { to } of transitions) expect(seen).toContain(to);

          const available = events.filter((event) => event.type === 'redraw.available' && event.order_id === order.id);
          const reachedAvailable = order.origin !== 'redraw' && transitions.some(({ to }) => to === 'redraw_available');
          expect(available).toHaveLength(reachedAvailable ? 1 : 0);
        }

        if (flow.transactionId !== null) {
          const transaction = await rig.transaction(flow.transactionId);
          const changes = events.flatMap((event) => (event.type === 'transaction.status_changed' ? [event] : []));
          expect(transaction).not.toBeNull();
          expectChain(changes, transaction!.status);
          const redraw = flow.orders.find((order) => order.origin === 'redraw');
          const created = events.flatMap((event) => (event.type === 'redraw.order_created' ? [event] : []));
          const redrawKnown = redraw !== undefined && transaction!.members[redraw.id] !== undefined;
          expect(created).toEqual(
            redrawKnown ? [expect.objectContaining({ order_id: redraw.id, initial_order_id: flow.orders.find((order) => order.origin === 'initial')?.id ?? null })] : [],
          );
        }

        // Everything again, in Junction's order, and every batch the stream delivered again: no new fact.
        failureRate = 0;
        const ids = new Set(events.map((event) => event.id));
        await deliver(all, [1]);
        for (const { event } of rig.batches.slice(-3)) await rig.handle(event);
        expect(new Set(eventsOf(flow).map((event) => event.id))).toEqual(ids);
        expect(ids.size).toBe(events.length);
      }),
      { numRuns: 25 },
    );
    expect(rig.deadLetters).toEqual([]);
    // The property ran with failures: the stream's retries are what kept every fact.
    expect(failedPublications).toBeGreaterThan(0);
  });

  it('publish no PHI: canaries in every PHI field of every delivery appear in no event', async () => {
    const flows = fc.sample(arbFlow(), { numRuns: 6, seed: 7 });
    for (const flow of flows) await deliver(buildDeliveries(flow), [3]);
    const bodies = flows.flatMap((flow) => buildDeliveries(flow)).map((delivery) => JSON.stringify(delivery.body));
    // The canaries are there to be leaked.
    expect(bodies.every((body) => body.includes(PHI_CANARY))).toBe(true);
    const published = JSON.stringify(flows.flatMap(eventsOf));
    expect(flows.flatMap(eventsOf).length).toBeGreaterThan(0);
    expect(published).not.toContain(PHI_CANARY);
  });
});
