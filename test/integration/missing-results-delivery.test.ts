/**
 * Every result still missing is someone's (CONTRACT §9, issue 46), whatever the
 * delivery order: an incomplete redraw, its correction, a failed test kit (with
 * and without a transaction), a walk-in completed with results missing and
 * corrected later, a failed kit that Junction recreates. Each flow is delivered
 * in random permutations, with duplicates and concurrent bursts, through the
 * real webhook write and the real transaction function on DynamoDB Local and
 * its stream; the follow-up's end state (state, attention, disposition,
 * closed_by, `missing`) must be the one §9 gives, the same as in order. A
 * person's close is never overwritten; FOLLOW_UP_MISSING_RESULTS=off opens no
 * `no_redraw` follow-up (what would have had one expires like anything else)
 * but keeps an incomplete redraw.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { getOrders } from '../../functions/store/order-reads';
import { getTransactionItem } from '../../functions/store/transaction-partition';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { TRANSACTION_METRICS } from '../../functions/shared/metric-names';
import { arbShuffledDeliveries, buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';
import type { FlowSpec } from '../../local/junction/flows';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
let redrawsOnly: TransactionRig;
let retained: TransactionRig;
const RETENTION_DAYS = 30;
beforeAll(async () => {
  [rig, redrawsOnly, retained] = await Promise.all([
    startTransactionRig('missing-results'),
    startTransactionRig('redraws-only', { situationOptions: { missingResults: false }, retentionDays: RETENTION_DAYS }),
    startTransactionRig('missing-retention', { retentionDays: RETENTION_DAYS }),
  ]);
});
afterAll(async () => {
  await Promise.all([rig?.close(), redrawsOnly?.close(), retained?.close()]);
});

type Ids = { transactionId: string; initialId: string; redrawId: string };

/** What one delivery of an order says besides its status: has_missing_results and its newest event's status_detail. */
interface Said {
  missing?: boolean | null;
  detail?: string;
}

/** The deliveries of `spec`, each one's body saying what `said` gives for its order and status. */
function deliveriesOf(spec: FlowSpec, said: (orderId: string, low: string) => Said): Delivery[] {
  return buildDeliveries(spec).map((delivery) => {
    const data = structuredClone(delivery.body.data) as Record<string, unknown> & { last_event: { status: string; status_detail?: string }; events: { id: number; status_detail?: string }[] };
    const low = data.last_event.status.split('.').at(-1)!;
    const { missing, detail } = said(delivery.orderId, low);
    if (missing !== undefined) data.has_missing_results = missing;
    if (detail !== undefined) {
      data.last_event.status_detail = detail;
      for (const event of data.events) if (event.id === delivery.eventId) event.status_detail = detail;
    }
    return { ...delivery, body: { ...delivery.body, data } };
  });
}

/** The flows of issue 46, each with the end state CONTRACT §9 gives it (`order` names which order `missing` is about). */
const FLOWS = {
  /** Junction completes the redraw with markers still missing: it stays open for a person to decide. */
  incomplete_redraw: {
    deliveries: (ids: Ids) => deliveriesOf(redrawFlow(ids, 'completed'), (id, low) => (id === ids.redrawId && low === 'completed' ? { missing: true } : {})),
    end: { state: 'new', attention: 'results_still_missing', disposition: null, closed_by: null, missing: { order: 'redraw', status: 'completed', status_detail: null } },
  },
  /** The lab corrects the incomplete redraw with every result: closed as a completed redraw. */
  incomplete_redraw_corrected: {
    deliveries: (ids: Ids) => {
      const spec = redrawFlow(ids, 'completed');
      spec.steps.push({ order: 1, low: 'corrected' });
      return deliveriesOf(spec, (id, low) => (id !== ids.redrawId ? {} : low === 'completed' ? { missing: true } : low === 'corrected' ? { missing: false } : {}));
    },
    end: { state: 'closed', attention: null, disposition: 'redraw_completed', closed_by: 'tracker', missing: null },
  },
  /** A test kit the lab could not use (Junction never redraws a kit). */
  failed_kit: {
    deliveries: (ids: Ids) =>
      deliveriesOf(
        { transactionId: ids.transactionId, orders: [{ id: ids.initialId, origin: 'initial', method: 'testkit' }], steps: kitSteps('sample_error'), start: new Date('2026-03-02T09:00:00Z') },
        (_id, low) => (low === 'sample_error' ? { detail: 'sample_hemolyzed' } : {}),
      ),
    end: { state: 'new', attention: 'no_redraw', disposition: null, closed_by: null, missing: { order: 'initial', status: 'sample_error', status_detail: 'sample_hemolyzed' } },
  },
  /** The same kit without a transaction: a transaction of one order here (its follow-up's id is the order's). */
  lone_lost_kit: {
    deliveries: (ids: Ids) =>
      deliveriesOf({ transactionId: null, orders: [{ id: ids.initialId, origin: null, method: 'testkit' }], steps: kitSteps('lost'), start: new Date('2026-03-02T09:00:00Z') }, () => ({})),
    end: { state: 'new', attention: 'no_redraw', disposition: null, closed_by: null, missing: { order: 'initial', status: 'lost', status_detail: null } },
  },
  /** A walk-in at a lab without redraws, completed with results missing, then corrected with all of them. */
  walk_in_corrected: {
    deliveries: (ids: Ids) =>
      deliveriesOf(
        {
          transactionId: ids.transactionId,
          orders: [{ id: ids.initialId, origin: 'initial', method: 'walk_in_test' }],
          steps: ['ordered', 'requisition_created', 'appointment_scheduled', 'completed', 'corrected'].map((low) => ({ order: 0, low })),
          start: new Date('2026-03-02T09:00:00Z'),
        },
        (_id, low) => (low === 'completed' ? { missing: true } : low === 'corrected' ? { missing: false } : {}),
      ),
    end: { state: 'closed', attention: null, disposition: 'results_received', closed_by: 'tracker', missing: null },
  },
  /** A failed kit Junction recreates, and the recreation's results all come: closed as a completed redraw. */
  recreated_kit: {
    deliveries: (ids: Ids) =>
      deliveriesOf(
        {
          transactionId: ids.transactionId,
          orders: [
            { id: ids.initialId, origin: 'initial', method: 'testkit' },
            { id: ids.redrawId, origin: 'recreation', method: 'testkit', parentId: ids.initialId },
          ],
          steps: [...kitSteps('sample_error'), ...kitSteps('completed').map((step) => ({ ...step, order: 1 }))],
          start: new Date('2026-03-02T09:00:00Z'),
        },
        () => ({}),
      ),
    end: { state: 'closed', attention: null, disposition: 'redraw_completed', closed_by: 'tracker', missing: null },
  },
} as const;
type FlowName = keyof typeof FLOWS;

/** A test kit's path to `end` (DOMAIN: testkit statuses). */
function kitSteps(end: string): { order: number; low: string }[] {
  return ['ordered', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', end].map((low) => ({ order: 0, low }));
}

function idsOf(flow: FlowName): Ids & { followUpId: string } {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  return { ...ids, followUpId: flow === 'lone_lost_kit' ? ids.initialId : ids.transactionId };
}

/** The follow-up's end state as §9 names it (ids as the order's role), or null when none exists. */
async function endOf(on: TransactionRig, ids: ReturnType<typeof idsOf>): Promise<Record<string, unknown> | null> {
  const stored = await getFollowUp(on.table.db, on.table.tableName, ids.followUpId, new Date());
  if (stored === null) return null;
  const { state, attention, disposition, closed_by, missing } = stored.followUp;
  const role = (id: string) => (id === ids.initialId ? 'initial' : id === ids.redrawId ? 'redraw' : id);
  return { state, attention, disposition, closed_by, missing: missing === null ? null : { order: role(missing.order_id), status: missing.status, status_detail: missing.status_detail } };
}

/** A nurse closes the follow-up with `disposition`, as the actions route does. */
function nurseCloses(on: TransactionRig, followUpId: string, disposition: string) {
  return actOnFollowUp(on.table.db, on.table.tableName, { id: followUpId, body: { action: 'close', disposition }, actor: 'arn:aws:iam::123456789012:user/nurse', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
}

/** Sends the deliveries in bursts of the given sizes (each burst at once), then lets the stream settle. */
async function deliver(on: TransactionRig, deliveries: readonly Delivery[], burstSizes: readonly number[]): Promise<void> {
  let next = 0;
  for (let index = 0; next < deliveries.length; index++) {
    const size = burstSizes[index % burstSizes.length]!;
    await Promise.all(deliveries.slice(next, next + size).map((delivery) => on.webhook(delivery)));
    next += size;
  }
  await on.settle();
}

describe('every result still missing, in any delivery order (CONTRACT §9)', () => {
  it('ends each flow in the state §9 gives it when delivered in order', async () => {
    for (const [name, flow] of Object.entries(FLOWS)) {
      const ids = idsOf(name as FlowName);
      await deliver(rig, flow.deliveries(ids), [1]);
      expect(await endOf(rig, ids), name).toEqual(flow.end);
    }
  });

  it('converges on the same follow-up for any permutation, duplication and burst of each flow (property)', async () => {
    const scenario = fc.constantFrom(...(Object.keys(FLOWS) as FlowName[])).chain((flow) => {
      const ids = idsOf(flow);
      return fc.record({
        flow: fc.constant(flow),
        ids: fc.constant(ids),
        deliveries: arbShuffledDeliveries(FLOWS[flow].deliveries(ids)),
        burstSizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
      });
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ flow, ids, deliveries, burstSizes }) => {
        await deliver(rig, deliveries, burstSizes);
        expect(await endOf(rig, ids)).toEqual(FLOWS[flow].end);
      }),
      { numRuns: propertyRuns(30) },
    );
    expect(rig.deadLetters).toEqual([]);
  }, 600_000);

  it('never overwrites a person’s close: a clinician accepts partial results, and a later incomplete fact leaves it closed', async () => {
    const ids = idsOf('failed_kit');
    const deliveries = FLOWS.failed_kit.deliveries(ids);
    await deliver(rig, deliveries.slice(0, -1), [1]);
    expect(await endOf(rig, ids)).toBeNull();
    await deliver(rig, deliveries.slice(-1), [1]);
    const closed = await nurseCloses(rig, ids.followUpId, 'clinician_accepted_partial_results');
    expect(closed.kind).toBe('changed');
    // The same failure delivered again, and a duplicate burst: the person's close stands.
    await deliver(rig, [...deliveries, ...deliveries], [3]);
    expect(await endOf(rig, ids)).toEqual({
      state: 'closed',
      attention: 'no_redraw',
      disposition: 'clinician_accepted_partial_results',
      closed_by: 'arn:aws:iam::123456789012:user/nurse',
      missing: { order: 'initial', status: 'sample_error', status_detail: 'sample_hemolyzed' },
    });
  });

  it('with FOLLOW_UP_MISSING_RESULTS=off opens no no_redraw follow-up, lets those transactions and orders expire like any other, and still keeps an incomplete redraw open (CONTRACT §8)', async () => {
    for (const name of ['failed_kit', 'lone_lost_kit', 'walk_in_corrected'] as const) {
      const ids = idsOf(name);
      await deliver(redrawsOnly, FLOWS[name].deliveries(ids), [1]);
      expect(await endOf(redrawsOnly, ids), name).toBeNull();
      // Over, with nothing to hold it: RETENTION_DAYS after its newest status time, the transaction and its order alike.
      const orders = await getOrders(redrawsOnly.table.db, redrawsOnly.table.tableName, [ids.initialId], true);
      const order = orders[0]!;
      const expected = Math.floor(Date.parse(order.record.status_time) / 1000) + RETENTION_DAYS * 86_400;
      expect(order.expiresAt, name).toBe(expected);
      if (name !== 'lone_lost_kit') expect((await getTransactionItem(redrawsOnly.table.db, redrawsOnly.table.tableName, ids.transactionId, true))?.expires_at, name).toBe(expected);
    }
    const ids = idsOf('incomplete_redraw');
    await deliver(redrawsOnly, FLOWS.incomplete_redraw.deliveries(ids), [2]);
    expect(await endOf(redrawsOnly, ids)).toEqual(FLOWS.incomplete_redraw.end);
    // Its open follow-up holds it.
    expect((await getTransactionItem(redrawsOnly.table.db, redrawsOnly.table.tableName, ids.transactionId, true))?.expires_at ?? null).toBeNull();
    // Nothing ended was left without an expiry and without a follow-up to hold it.
    expect(redrawsOnly.metrics.get(TRANSACTION_METRICS.keptForever)).toBe(0);
  });

  it('never expires the transaction, its orders or its follow-up while a no_redraw follow-up is open; a person’s close starts the retention (CONTRACT §8)', async () => {
    const expiriesOf = async (ids: ReturnType<typeof idsOf>, transaction: boolean) => {
      const orders = await getOrders(retained.table.db, retained.table.tableName, [ids.initialId], true);
      const followUp = await getFollowUp(retained.table.db, retained.table.tableName, ids.followUpId, new Date());
      return {
        transaction: transaction ? ((await getTransactionItem(retained.table.db, retained.table.tableName, ids.transactionId, true))?.expires_at ?? null) : 'none',
        orders: orders.map((order) => order.expiresAt),
        followUp: followUp === null ? 'none' : followUp.expiresAt,
      };
    };
    // The control: a kit that completed with all its results is over, and expires RETENTION_DAYS after its end.
    const complete = idsOf('failed_kit');
    await deliver(
      retained,
      deliveriesOf({ transactionId: complete.transactionId, orders: [{ id: complete.initialId, origin: 'initial', method: 'testkit' }], steps: kitSteps('completed'), start: new Date('2026-03-02T09:00:00Z') }, () => ({ missing: false })),
      [1],
    );
    const completeExpiry = await expiriesOf(complete, true);
    expect(completeExpiry.transaction).toBeTypeOf('number');
    expect(completeExpiry).toEqual({ transaction: completeExpiry.transaction, orders: [completeExpiry.transaction], followUp: 'none' });

    for (const name of ['failed_kit', 'lone_lost_kit'] as const) {
      const ids = idsOf(name);
      const withTransaction = name === 'failed_kit';
      await deliver(retained, FLOWS[name].deliveries(ids), [2]);
      expect(await expiriesOf(ids, withTransaction), name).toEqual({ transaction: withTransaction ? null : 'none', orders: [null], followUp: null });
      const closed = await nurseCloses(retained, ids.followUpId, 'patient_declined');
      if (closed.kind !== 'changed') throw new Error(`close answered ${closed.kind}`);
      await retained.settle();
      const expected = Math.floor(Date.parse(closed.stored.followUp.closed_at!) / 1000) + RETENTION_DAYS * 86_400;
      expect(await expiriesOf(ids, withTransaction), name).toEqual({ transaction: withTransaction ? expected : 'none', orders: [expected], followUp: expected });
    }
    expect(retained.metrics.get(TRANSACTION_METRICS.keptForever)).toBe(0);
  });
});
