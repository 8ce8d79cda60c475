/**
 * Events (CONTRACT §7) as the transaction function publishes them from the
 * table's real stream on DynamoDB Local, for realistic flows delivered in any
 * order, duplicated and in concurrent bursts, while publishing fails at random:
 * the facts chain through stored states only, each fact once, redelivery adds
 * no new id, and no fact is lost. No event carries PHI. A follow-up's changes
 * (CONTRACT §9), the tracker's and people's, are one `follow_up.changed` each.
 *
 * Why it takes its time (issue 87): the properties (25 and 20 runs in CI)
 * deliver whole flows per run, in any order, duplicated and in concurrent
 * bursts, and read the table's real stream to its end while publishing fails at
 * random and failed batches are retried. The facts are chained from the
 * stream's records of stored states, so only the real stream, with its order
 * and its batching, shows that each fact is published once and none is lost.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../functions/core/events';
import { OrderTransaction } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { applyApiTransaction } from '../../functions/store/api-orders';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { ledgerReadsIn, tallyWritesIn } from '../support/report-rows';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { arbFlow, arbShuffledDeliveries, buildDeliveries, freshId, mulberry32, PHI_CANARY, redrawFlow, type Delivery, type FlowSpec } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

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

/** As deliver, letting the stream catch up after each burst. */
async function deliverSettling(deliveries: readonly Delivery[], bursts: readonly number[]): Promise<void> {
  for (let start = 0, index = 0; start < deliveries.length; index++) {
    const size = bursts[index % bursts.length]!;
    await deliver(deliveries.slice(start, start + size), [size]);
    start += size;
  }
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
      { numRuns: propertyRuns(25) },
    );
    expect(rig.deadLetters).toEqual([]);
    // The property ran with failures: the stream's retries are what kept every fact.
    expect(failedPublications).toBeGreaterThan(0);
  });

  it('publish the transaction’s results_missing right whatever the order of webhooks and listings (issue 24 item 11)', async () => {
    type Ending = 'completed, results missing' | 'completed, nothing missing' | 'sample_error';
    /** The redraw flow, its redraw order's last webhook saying whether results are missing. */
    const flowOf = (ending: Ending) => {
      const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
      const deliveries = buildDeliveries(redrawFlow(ids, ending === 'sample_error' ? 'sample_error' : 'completed')).map((delivery, index, all) => {
        if (index !== all.length - 1 || ending === 'sample_error') return delivery;
        const data = { ...(delivery.body.data as Record<string, unknown>), has_missing_results: ending === 'completed, results missing' };
        return { ...delivery, body: { ...delivery.body, data } };
      });
      return { ids, deliveries };
    };
    const scenario = fc
      .record({
        ending: fc.constantFrom<Ending>('completed, results missing', 'completed, nothing missing', 'sample_error'),
        // One webhook at a time (each batch then holds one image: an older one alone when redelivered), or bursts.
        bursts: fc.oneof(fc.constant<number[]>([1]), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 })),
        // Where Junction's transaction listing (read from its API: no has_missing_results) comes in, if at all.
        listingAt: fc.option(fc.nat(), { nil: null }),
        // The stream delivers the flow's batches again afterwards (a retried batch), older images and all.
        redeliver: fc.boolean(),
        // Let the stream catch up after each burst: batches of one burst's images.
        settleEach: fc.boolean(),
        seed: fc.integer(),
      })
      .chain((base) => {
        const flow = flowOf(base.ending);
        return fc.record({ base: fc.constant(base), flow: fc.constant(flow), deliveries: arbShuffledDeliveries(flow.deliveries) });
      });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ base: { ending, bursts, listingAt, redeliver, settleEach, seed }, flow, deliveries }) => {
        const { ids } = flow;
        const batchesBefore = rig.batches.length;
        random = mulberry32(seed);
        failureRate = 0.1;
        // Junction's listing once the flow is over: the redraw order ended, as its last webhook lists it.
        const listing = OrderTransaction.parse((flow.deliveries.at(-1)!.body.data as { order_transaction: unknown }).order_transaction);
        const at = listingAt === null ? -1 : listingAt % (deliveries.length + 1);
        const send = settleEach ? (part: Delivery[]) => deliverSettling(part, bursts) : (part: Delivery[]) => deliver(part, bursts);
        await send(deliveries.slice(0, Math.max(at, 0)));
        if (at >= 0) await applyApiTransaction(rig.table.db, rig.table.tableName, listing, 'walk_in_test');
        await send(deliveries.slice(Math.max(at, 0)));
        if (redeliver) {
          const ours = rig.batches.slice(batchesBefore).filter(({ event }) => JSON.stringify(event).includes(ids.transactionId));
          for (const { event } of ours) await rig.handle(event);
          await rig.settle();
        }

        const truth = ending !== 'completed, nothing missing';
        const facts = publisher.events.flatMap((event) =>
          event.transaction_id === ids.transactionId && (event.type === 'transaction.status_changed' || event.type === 'transaction.results_missing_changed') ? [event] : [],
        );
        const completed = facts.filter((fact) => fact.type === 'transaction.status_changed' && fact.to === 'completed');
        expect(completed.length).toBeGreaterThan(0);
        // What a consumer keeps: the results_missing of the newest of these facts (by the transaction's version).
        const newest = facts.filter((fact) => fact.type === 'transaction.results_missing_changed' || fact.to === 'completed').sort((a, b) => a.version - b.version).at(-1);
        expect(newest?.results_missing).toBe(truth);
        if (listingAt === null) {
          // From webhooks alone the redraw order's own state decides before the transaction completes: no correction.
          expect(completed.every((fact) => fact.results_missing === truth)).toBe(true);
          expect(facts.filter((fact) => fact.type === 'transaction.results_missing_changed')).toEqual([]);
        }
      }),
      { numRuns: propertyRuns(20) },
    );
    expect(rig.deadLetters).toEqual([]);
  }, 600_000); // 30 runs took 42 s beside one load, 222-225 s beside a second test run and 300 s at three loads

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

describe('follow_up.changed from the stream (CONTRACT §9)', () => {
  const NURSE = 'arn:aws:iam::123456789012:user/nurse';
  const followUpEvents = (id: string) => publisher.events.flatMap((event) => (event.type === 'follow_up.changed' && event.follow_up_id === id ? [event] : []));
  const recordsOf = (event: { Records: { dynamodb?: { Keys?: Record<string, { S?: string }> } }[] }) =>
    event.Records.map((record) => record.dynamodb?.Keys?.pk?.S ?? '');

  it('publishes the tracker’s open, each action and the tracker’s fact once, the same ids on redelivery, and no PHI', async () => {
    random = mulberry32(25);
    failureRate = 0.2;
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const toAvailable = deliveries.findIndex((delivery) => JSON.stringify(delivery.body).includes('.redraw_available')) + 1;
    const batchesBefore = rig.batches.length;

    // The initial order reaches redraw_available: the transaction function opens the follow-up (version 1, the tracker's open).
    await deliver(deliveries.slice(0, toAvailable), [1]);
    expect(followUpEvents(ids.transactionId)).toEqual([
      expect.objectContaining({
        type: 'follow_up.changed',
        follow_up_id: ids.transactionId,
        transaction_id: ids.transactionId,
        order_id: null,
        action: 'open',
        actor: 'tracker',
        from_state: 'new',
        to_state: 'new',
        version: 1,
        // Junction's time of what opened it, the initial order's redraw_available, rides along; the event is
        // dated when the tracker recorded it (CONTRACT §9: history's clock never goes back).
        fact_time: '2026-03-02T13:00:00.000000Z',
      }),
    ]);
    expect(followUpEvents(ids.transactionId)[0]!.status_time > '2026-03-02T13:00:00.000000Z').toBe(true);

    // People act on it (store/follow-ups/actions.ts, as POST /follow-ups/{id}/actions does), each change settled by the stream.
    const act = async (body: Record<string, unknown>) => {
      const now = new Date();
      const result = await actOnFollowUp(rig.table.db, rig.table.tableName, { id: ids.transactionId, body, actor: NURSE, now, thresholds: DEFAULT_THRESHOLDS });
      expect(result.kind).toBe('changed');
      await rig.settle();
      return now;
    };
    await act({ action: 'acknowledge', owner: 'team.outreach' });
    const snoozedAt = await act({ action: 'snooze', until: new Date(Date.now() + 2 * 86_400_000).toISOString(), reason: 'appointment_booked' });
    await act({ action: 'record_contact', channel: 'phone', outcome: 'no_answer', reference: 'CRM-4711' });
    await act({ action: 'close', disposition: 'patient_unreachable' });
    // The redraw order comes and completes: the person's close stands; the redraw order once known is the tracker's version.
    await deliver(deliveries.slice(toAvailable), [1]);

    const events = followUpEvents(ids.transactionId);
    expect(events.map((event) => [event.version, event.action, event.actor, event.from_state, event.to_state])).toEqual([
      [1, 'open', 'tracker', 'new', 'new'],
      [2, 'acknowledge', NURSE, 'new', 'acknowledged'],
      [3, 'snooze', NURSE, 'acknowledged', 'snoozed'],
      [4, 'record_contact', NURSE, 'snoozed', 'snoozed'],
      [5, 'close', NURSE, 'snoozed', 'closed'],
      [6, 'redraw_order_known', 'tracker', 'closed', 'closed'],
    ]);
    expect(events[1]).toMatchObject({ owner: 'team.outreach' });
    expect(events[2]).toMatchObject({ reason: 'appointment_booked', status_time: snoozedAt.toISOString().replace('Z', '000Z') });
    expect(events[3]).toMatchObject({ channel: 'phone', outcome: 'no_answer', reference: 'CRM-4711' });
    expect(events[4]).toMatchObject({ disposition: 'patient_unreachable' });
    expect(events[5]).toMatchObject({ redraw_order_id: ids.redrawId });
    // One fact per history entry, dated by it: the follow-up item's own writes (order ids, due time) and retention's history updates publish none.
    const history = await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    expect(events.map((event) => event.status_time)).toEqual(history.map((entry) => entry.at));

    // A follow-up's records recompute nothing yet their facts went out; the only writes are the report rows
    // (CONTRACT §11) its item's writes change, one PutItem each, after a read of its report ledger. A person's
    // close moves no expiry here (the transaction is still active): retention checks it (the transaction and the
    // follow-up read) and writes nothing (CONTRACT §8).
    const ours = rig.batches.slice(batchesBefore);
    const followUpOnly = ours.filter(({ event }) => recordsOf(event).every((pk) => pk.startsWith('FOLLOWUP#')));
    expect(followUpOnly.length).toBeGreaterThanOrEqual(4);
    for (const batch of followUpOnly) {
      const rows = tallyWritesIn([batch.event]);
      const { GetItem: reads = 0, ...others } = Object.fromEntries([...batch.requests].filter(([, count]) => count > 0));
      expect(others).toEqual(rows === 0 ? {} : { PutItem: rows });
      expect(reads).toBeGreaterThanOrEqual(ledgerReadsIn([batch.event]));
      expect(reads).toBeLessThanOrEqual(ledgerReadsIn([batch.event]) + 2);
    }

    // Every batch of the story delivered again (a retried stream batch): no new id.
    failureRate = 0;
    const before = new Set(events.map((event) => event.id));
    for (const { event } of ours) await rig.handle(event);
    await rig.settle();
    expect(new Set(followUpEvents(ids.transactionId).map((event) => event.id))).toEqual(before);
    expect(before.size).toBe(6);

    // The order webhooks carried canaries in every PHI field; no follow_up.changed carries one.
    expect(deliveries.every((delivery) => JSON.stringify(delivery.body).includes(PHI_CANARY))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(PHI_CANARY);
    expect(rig.deadLetters).toEqual([]);
  });
});
