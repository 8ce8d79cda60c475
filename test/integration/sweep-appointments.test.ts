/**
 * CONTRACT §10 through the real stores on DynamoDB Local and the table's real
 * stream (test/support/transaction-rig.ts): appointments stored by the
 * webhook's own write move the follow-up's due_at (the transaction function
 * keeps it current on the appointment item's stream record), and the sweep
 * holds no_progress for a booked appointment, flags appointment_missed once
 * its grace passed, notifies once with the appointment, and finds such an
 * order even when it is newer than its no_progress cutoff. Appointment and
 * order events in any delivery order (late, duplicated, before their order)
 * end in the stored states, due time and reason of the in-order delivery.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter } from '../../bench/meter';
import { projectAppointment } from '../../functions/core/appointment';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS, staleReason } from '../../functions/core/staleness';
import { nextStepFor } from '../../functions/core/next-steps';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { getAppointment, putAppointmentFromWebhook } from '../../functions/store/appointments';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { localEndpoint } from '../support/dynamodb';
import { APPOINTMENT_LOCATION, appointmentDelivery, buildDeliveries, freshId, PHI_CANARY, redrawFlow, redrawIds, type AppointmentSpec, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2031-05-04T09:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('sweep-appointments');
});
afterAll(async () => {
  await rig?.close();
});

/** Stores an appointment webhook the way the webhook function does. */
async function appointment(spec: AppointmentSpec) {
  const read = readWebhookBody(JSON.stringify(appointmentDelivery(spec).body));
  if (read.kind !== 'appointment') throw new Error(`not an appointment event: ${read.kind}`);
  return putAppointmentFromWebhook(rig.table.db, rig.table.tableName, projectAppointment(read.appointment));
}

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

const followUp = async (id: string) => (await getFollowUp(rig.table.db, rig.table.tableName, id, new Date()))!;
const statusTimeOf = async (orderId: string) => (await rig.order(orderId))!.record.status_time;
const plus = (instant: string, ms: number) => canonicalFromDate(new Date(instantMillis(instant) + ms));

async function sweep(now: number, notifier = createInMemoryNotifier()) {
  const result = await runSweep({ db: rig.table.db, tableName: rig.table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier, logger: silent, metrics: { addMetric: () => undefined } });
  return { result, notifier };
}

describe('the follow-up due_at follows the redraw order’s appointment (the transaction function on the real stream)', () => {
  it('moves with a booking, a reschedule and a cancellation, each an appointment item write on the stream', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'in_progress', START)));
    const statusTime = await statusTimeOf(ids.redrawId);
    const before = await followUp(ids.transactionId);
    expect(before.dueAt).toBe(plus(statusTime, 7 * DAY));

    // Booked ten days after the order's last status change: due when its grace ends (then appointment_missed).
    const start = new Date(instantMillis(statusTime) + 10 * DAY);
    const booking = { orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: start };
    expect(await appointment({ ...booking, status: 'confirmed', eventTimes: [new Date(instantMillis(statusTime) + HOUR)] })).toBe('applied');
    await rig.settle();
    const booked = await followUp(ids.transactionId);
    expect(booked.dueAt).toBe(canonicalFromDate(new Date(start.getTime() + 48 * HOUR)));
    expect(booked.redraw).toMatchObject({ kind: 'redraw_in_progress', orderId: ids.redrawId, appointment: { start_at: canonicalFromDate(start), status: 'confirmed' } });
    // An appointment moves no version (its due time is no version; CONTRACT §9).
    expect(booked.followUp.version).toBe(before.followUp.version);

    // Rescheduled two days later.
    const later = new Date(start.getTime() + 2 * DAY);
    await appointment({ ...booking, startAt: later, status: 'confirmed', eventTimes: [new Date(instantMillis(statusTime) + HOUR), new Date(instantMillis(statusTime) + 2 * HOUR)] });
    await rig.settle();
    expect((await followUp(ids.transactionId)).dueAt).toBe(canonicalFromDate(new Date(later.getTime() + 48 * HOUR)));

    // Cancelled: counts as none, the old rule again.
    await appointment({ ...booking, startAt: later, status: 'cancelled', eventTimes: [new Date(instantMillis(statusTime) + HOUR), new Date(instantMillis(statusTime) + 3 * HOUR)] });
    await rig.settle();
    expect((await followUp(ids.transactionId)).dueAt).toBe(plus(statusTime, 7 * DAY));
  });

  it('finds the transaction through the order item when the appointment carries no transaction id', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'in_progress', START)));
    const statusTime = await statusTimeOf(ids.redrawId);
    const start = new Date(instantMillis(statusTime) + 3 * DAY);
    await appointment({ orderId: ids.redrawId, transactionId: null, appointmentId: freshId(), startAt: start, status: 'reserved', eventTimes: [new Date(instantMillis(statusTime) + HOUR)] });
    await rig.settle();
    expect((await followUp(ids.transactionId)).dueAt).toBe(canonicalFromDate(new Date(start.getTime() + 48 * HOUR)));
  });

  it('keeps an appointment that arrives before its order, and joins it when the order arrives', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress', START));
    const start = new Date(START.getTime() + 30 * DAY);
    await appointment({ orderId: ids.redrawId, transactionId: null, appointmentId: freshId(), startAt: start, status: 'confirmed', eventTimes: [START] });
    await rig.settle();
    expect(await rig.order(ids.redrawId)).toBeNull();
    expect(await getAppointment(rig.table.db, rig.table.tableName, ids.redrawId)).toMatchObject({ start_at: canonicalFromDate(start), status: 'confirmed' });
    await deliver(deliveries);
    expect((await followUp(ids.transactionId)).dueAt).toBe(canonicalFromDate(new Date(start.getTime() + 48 * HOUR)));
  });

  it('writes nothing for an appointment update that changes neither its start nor its status', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'in_progress', START)));
    const statusTime = await statusTimeOf(ids.redrawId);
    const spec = { orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: new Date(instantMillis(statusTime) + 2 * DAY), status: 'confirmed' };
    await appointment({ ...spec, eventTimes: [new Date(instantMillis(statusTime) + HOUR)] });
    await rig.settle();
    const before = await followUp(ids.transactionId);
    rig.resetCounters();
    // A newer copy (another event, same start and status: e.g. a note changed).
    expect(await appointment({ ...spec, eventTimes: [new Date(instantMillis(statusTime) + HOUR), new Date(instantMillis(statusTime) + 2 * HOUR)] })).toBe('applied');
    await rig.settle();
    expect(rig.requests.get('TransactWriteItems') ?? 0).toBe(0);
    expect(rig.requests.get('GetItem') ?? 0).toBe(0);
    expect(await followUp(ids.transactionId)).toEqual(before);
  });
});

describe('the sweep with appointments', () => {
  it('holds no_progress for a booked appointment ahead, flags appointment_missed once its grace passed, once, naming the appointment', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'in_progress', START)));
    const statusTime = await statusTimeOf(ids.redrawId);
    const statusMs = instantMillis(statusTime);
    // Booked 9 days after the order's status time: the order is 8 days old, the appointment one day ahead.
    const start = new Date(statusMs + 9 * DAY);
    const appointmentId = freshId();
    await appointment({ orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId, startAt: start, status: 'confirmed', eventTimes: [new Date(statusMs + HOUR)] });
    await rig.settle();
    const notifier = createInMemoryNotifier();
    const about = () => notifier.notifications.filter((sent) => sent.order_id === ids.redrawId);

    await sweep(statusMs + 8 * DAY, notifier);
    expect(about()).toEqual([]);
    // Within the grace after the start: still held.
    await sweep(start.getTime() + 47 * HOUR, notifier);
    expect(about()).toEqual([]);
    expect((await rig.order(ids.redrawId))!.stale).toBeNull();

    const now = start.getTime() + 49 * HOUR;
    await sweep(now, notifier);
    await sweep(now + HOUR, notifier); // one flag per episode, one notification per flag
    expect(about()).toHaveLength(1);
    expect(about()[0]).toMatchObject({
      reason: 'appointment_missed',
      since: canonicalFromDate(new Date(now)),
      appointment: { id: appointmentId, start_at: canonicalFromDate(start), status: 'confirmed' },
      next_step: nextStepFor('appointment_missed', { start_at: canonicalFromDate(start) }),
    });
    expect(about()[0]!.next_step).toContain('The patient had an appointment at');
    // Ids, a time and a status: none of the appointment's PHI (canaries in every free-text field, the fake coordinates).
    const sent = JSON.stringify(notifier.notifications);
    expect(sent).not.toContain(PHI_CANARY);
    expect(sent).not.toContain(String(APPOINTMENT_LOCATION.lat));
    expect(sent).not.toContain(String(APPOINTMENT_LOCATION.lng));
    expect((await rig.order(ids.redrawId))!.stale).toEqual({ since: canonicalFromDate(new Date(now)), reason: 'appointment_missed' });

    // Rebooked: the flag clears at the next sweep (the new appointment is ahead).
    await appointment({ orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: new Date(now + 3 * DAY), status: 'confirmed', eventTimes: [new Date(now + HOUR)] });
    await rig.settle();
    const cleared = await sweep(now + 2 * HOUR, notifier);
    expect(cleared.result.cleared).toBeGreaterThanOrEqual(1);
    expect((await rig.order(ids.redrawId))!.stale).toBeNull();
  });

  it('finds an appointment_missed order newer than its no_progress cutoff, and reads no order of the newer ones without an appointment', async () => {
    const missed = redrawIds();
    const plain = redrawIds();
    // Both redraw orders three days old at the sweep: far from no_progress (7 days).
    await deliver([...buildDeliveries(redrawFlow(missed, 'in_progress', START)), ...buildDeliveries(redrawFlow(plain, 'in_progress', START))]);
    const statusMs = instantMillis(await statusTimeOf(missed.redrawId));
    await appointment({ orderId: missed.redrawId, transactionId: missed.transactionId, appointmentId: freshId(), startAt: new Date(statusMs + HOUR), status: 'confirmed', eventTimes: [new Date(statusMs + 1000)] });
    await rig.settle();
    const now = statusMs + 3 * DAY;
    const { notifier } = await sweep(now);
    const reasons = new Map(notifier.notifications.map((sent) => [sent.order_id, sent.reason]));
    expect(reasons.get(missed.redrawId)).toBe('appointment_missed');
    expect(reasons.has(plain.redrawId)).toBe(false);
  });
});

describe('what appointments add to a sweep’s bill (bench/meter.ts over DynamoDB Local’s consumed capacity)', () => {
  it('reads the newer redraws in progress only to their appointments (one BatchGetItem), and their orders only when the appointment may be missed', async () => {
    // A table of its own: the sweep reads every open redraw of its table.
    const own = await startTransactionRig('sweep-appointments-cost');
    const client = new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
    try {
      const db = documentTable(documentClientOf(client));
      const COUNT = 10;
      const flows = Array.from({ length: COUNT }, redrawIds);
      for (const ids of flows) for (const delivery of buildDeliveries(redrawFlow(ids, 'in_progress', START))) await own.webhook(delivery);
      await own.settle();
      const statusMs = instantMillis((await own.order(flows[0]!.redrawId))!.record.status_time);
      const meter = attachMeter(client);
      const measure = async (now: number) => {
        meter.reset();
        const notifier = createInMemoryNotifier();
        const result = await runSweep({ reportUnits: false, db, tableName: own.table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier, logger: silent, metrics: { addMetric: () => undefined } });
        return { result, reading: meter.reading(), notified: notifier.notifications.length };
      };
      // Three days after their last status change: in the window (older than the 48 h grace, newer than 7 days).
      const now = statusMs + 3 * DAY + HOUR;
      const without = await measure(now);
      // Half of them had an appointment a day after that status change, and did not come: due now (appointment_missed).
      for (const ids of flows.slice(0, COUNT / 2)) {
        const read = readWebhookBody(JSON.stringify(appointmentDelivery({ orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: new Date(statusMs + DAY), status: 'confirmed', eventTimes: [new Date(statusMs + HOUR)] }).body));
        if (read.kind !== 'appointment') throw new Error('not an appointment');
        await putAppointmentFromWebhook(own.table.db, own.table.tableName, projectAppointment(read.appointment));
      }
      await own.settle();
      const missed = await measure(now);
      meter.detach();
      const figures = {
        redraws_in_progress_in_window: COUNT,
        without_appointments: { read_units: without.reading.read, requests: without.reading.byCommand, examined: without.result.examined },
        half_missed: { read_units: missed.reading.read, write_units: missed.reading.write, requests: missed.reading.byCommand, flagged: missed.result.flagged },
      };
      console.info('sweep appointment cost', JSON.stringify(figures));
      // Without appointments: the index entries and one BatchGetItem of their appointments, no order or follow-up read, nothing
      // examined; and one BatchGetItem of the open follow-ups' newest history entries (issue 82: the sweep looks for gaps).
      expect(without.result).toMatchObject({ examined: 0, flagged: 0 });
      expect(without.reading.byCommand.BatchGetItemCommand).toBe(2);
      expect(without.reading.byCommand.GetItemCommand ?? 0).toBe(0);
      // With: the missed ones' orders and follow-ups read by key, flagged and notified once each, and each
      // notified follow-up read once more to set its alerted marker (its chat buttons may act, issue 45 item 5).
      expect(missed.result).toMatchObject({ examined: COUNT / 2, flagged: COUNT / 2 });
      expect(missed.notified).toBe(COUNT / 2);
      expect(missed.reading.byCommand.BatchGetItemCommand).toBe(2); // the appointments', and the history check's (above)
      expect(missed.reading.byCommand.GetItemCommand).toBe(3 * (COUNT / 2));
    } finally {
      client.destroy();
      await own.close();
    }
  });
});

describe('appointment and order events in any delivery order (real stores, real stream)', () => {
  it('end in the in-order stored states, due time and stale reason: late, out of order, duplicated, appointments before their order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ startDays: fc.integer({ min: -12, max: 12 }), status: fc.constantFrom('pending', 'confirmed', 'in_progress', 'completed', 'cancelled') }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 30 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (bookings, sweepDays, randoms) => {
          const ids = redrawIds();
          const orderDeliveries = buildDeliveries(redrawFlow(ids, 'in_progress', START));
          const appointmentId = freshId();
          const appointmentEvents = bookings.map((booking, i) => ({
            orderId: ids.redrawId,
            transactionId: i % 2 ? null : ids.transactionId,
            appointmentId,
            startAt: new Date(START.getTime() + booking.startDays * DAY),
            status: booking.status,
            eventTimes: Array.from({ length: i + 1 }, (_, k) => new Date(START.getTime() + (k + 1) * HOUR)),
          }));
          type Step = { kind: 'order'; delivery: Delivery } | { kind: 'appointment'; spec: AppointmentSpec };
          const steps: Step[] = [...orderDeliveries.map((delivery) => ({ kind: 'order' as const, delivery })), ...appointmentEvents.map((spec) => ({ kind: 'appointment' as const, spec }))];
          const it = randoms[Symbol.iterator]();
          const next = () => it.next().value as number;
          // Some delivered twice, all shuffled.
          const delivered = [...steps, ...steps.filter(() => next() < 0.3)].map((step) => ({ step, key: next() })).sort((a, b) => a.key - b.key).map(({ step }) => step);
          for (const step of delivered) {
            if (step.kind === 'order') await rig.webhook(step.delivery);
            else await appointment(step.spec);
          }
          await rig.settle();
          const stored = { order: (await rig.order(ids.redrawId))!.record, appointment: await getAppointment(rig.table.db, rig.table.tableName, ids.redrawId) };
          const newest = appointmentEvents.at(-1)!;
          // The newest states, whatever the order.
          expect(stored.appointment).toMatchObject({ start_at: canonicalFromDate(newest.startAt), status: newest.status });
          expect(stored.order.low_level_status).toBe('requisition_created');
          const thresholds = DEFAULT_THRESHOLDS;
          const now = new Date(START.getTime() + sweepDays * DAY);
          const expectedReason = staleReason(stored.order, false, now, thresholds, { start_at: canonicalFromDate(newest.startAt), status: newest.status });
          expect(staleReason(stored.order, false, now, thresholds, stored.appointment)).toBe(expectedReason);
          const kept = await followUp(ids.transactionId);
          const { dueAt } = await import('../../functions/core/follow-up/due');
          expect(kept.dueAt).toBe(dueAt(kept.followUp, { kind: 'redraw_in_progress', statusTime: stored.order.status_time, orderId: ids.redrawId, appointment: { start_at: canonicalFromDate(newest.startAt), status: newest.status } }, thresholds));
        },
      ),
      { numRuns: propertyRuns(12) },
    );
  });
});
