/**
 * A booking's whole life as a property (CONTRACT §14): book, reschedule, cancel
 * and record from the follow-up, a person's other actions between, and
 * Junction's appointment webhooks of every step delivered through the table's
 * real stream in any order and twice. At the end the follow-up's `booking` and
 * state say what the newest appointment says, each call Junction acted on is one
 * history entry, and no webhook, late or repeated, added a version of its own.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalInstant } from '../../functions/core/instant';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { act, bookBody, bookingActions, CANCEL_REASON, freeSlots, recordingPsc, rescheduleBody } from '../support/booking';
import { atLab, buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { useJunctionStandin } from '../support/junction-standin';
import { propertyRuns } from '../support/property-runs';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const standin = useJunctionStandin();
let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('booking-lifecycle');
});
afterAll(async () => {
  await rig?.close();
});

const step = fc.oneof(
  fc.record({ kind: fc.constant('book' as const), slot: fc.nat(2) }),
  fc.record({ kind: fc.constant('reschedule' as const), slot: fc.nat(2) }),
  fc.record({ kind: fc.constant('cancel' as const) }),
  fc.record({ kind: fc.constant('record' as const), days: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('contact' as const) }),
  fc.record({ kind: fc.constant('deliver' as const), seed: fc.nat() }),
);

/** `items` in an order `seed` picks, each once or twice. */
function shuffledTwice<T>(items: readonly T[], seed: number): T[] {
  const twice = items.flatMap((item, index) => ((seed >> index % 16) & 1 ? [item, item] : [item]));
  return twice.map((item, index) => ({ item, key: (Math.imul(seed ^ (index + 1), 2654435761) >>> 0) % 1000 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
}

const ACTIVE = new Set(['pending', 'reserved', 'confirmed']);

describe('a booking from start to end (CONTRACT §14)', () => {
  it("ends where the newest appointment says, one history entry per call Junction acted on, for any order of steps and webhooks (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 6 }), fc.nat(), async (steps, finalSeed) => {
        await standin().reset();
        const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
        const deliveries = buildDeliveries(atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * 86_400_000)), 'quest'));
        await standin().recordDeliveries(deliveries);
        await rig.deliver(deliveries);
        const slots = await freeSlots(standin(), ids.redrawId, 3);
        const { psc, answers } = recordingPsc(standin());
        const handler = bookingActions(rig.table, { psc, now: () => new Date() });
        const webhook = (data: Record<string, unknown>) => ({ body: { event_type: 'labtest.appointment.updated', data } });
        let lastBooking: 'junction' | 'lab' | 'lab_cancelled' | null = null;
        for (const one of steps) {
          const body =
            one.kind === 'book' ? bookBody(slots[one.slot]!)
            : one.kind === 'reschedule' ? rescheduleBody(slots[one.slot]!)
            : one.kind === 'cancel' ? { action: 'cancel_booking', ...(lastBooking === 'junction' ? { cancellation_reason_id: CANCEL_REASON } : {}) }
            : one.kind === 'record' ? { action: 'record_booking', start_at: new Date(Date.now() + one.days * 86_400_000).toISOString() }
            : one.kind === 'contact' ? { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }
            : null;
          if (body === null) {
            for (const data of shuffledTwice(answers, (one as { seed: number }).seed)) await rig.webhook(webhook(data));
            await rig.settle();
            continue;
          }
          const answer = await act(handler, ids.transactionId, body);
          expect([200, 400, 409]).toContain(answer.statusCode);
          if (answer.statusCode === 200 && one.kind === 'record') lastBooking = 'lab';
          if (answer.statusCode === 200 && (one.kind === 'book' || one.kind === 'reschedule')) lastBooking = 'junction';
          if (answer.statusCode === 200 && one.kind === 'cancel') lastBooking = lastBooking === 'lab' ? 'lab_cancelled' : lastBooking;
          await rig.settle();
        }
        // Every webhook Junction sent, in any order and twice, at the end.
        for (const data of shuffledTwice(answers, finalSeed)) await rig.webhook(webhook(data));
        await rig.settle();

        const stored = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp;
        const history = await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
        const changes = (await standin().bookings()).filter((change) => change.orderId === ids.redrawId);
        const newest = answers.at(-1);
        if (lastBooking === 'lab') expect(stored.booking).toMatchObject({ booked_with: 'lab', status: 'recorded' });
        else if (lastBooking === 'lab_cancelled') expect(stored.booking).toMatchObject({ booked_with: 'lab', status: 'cancelled' });
        else if (newest !== undefined) expect(stored.booking).toMatchObject({ booked_with: 'junction', appointment_id: newest.id, status: newest.status, start_at: canonicalInstant(String(newest.start_at)) });
        else expect(stored.booking ?? null).toBeNull();
        const active = stored.booking !== null && stored.booking !== undefined && (ACTIVE.has(stored.booking.status ?? '') || stored.booking.status === 'recorded');
        expect(stored.state).toBe(active ? 'snoozed' : stored.state === 'new' ? 'new' : 'acknowledged');
        if (active) expect(stored.snooze_reason).toBe('appointment_booked');
        const count = (action: string) => history.filter((entry) => entry.action === action).length;
        expect(count('book')).toBe(changes.filter((change) => change.kind === 'book').length);
        expect(count('reschedule_booking')).toBe(changes.filter((change) => change.kind === 'reschedule').length);
        expect(history.filter((entry) => entry.action === 'cancel_booking' && entry.booked_with === 'junction')).toHaveLength(changes.filter((change) => change.kind === 'cancel').length);
        // No webhook, late or repeated, made a version of its own: each was what an action had written already.
        const tracker = history.filter((entry) => entry.actor === 'tracker' && entry.action !== 'open' && entry.action !== 'redraw_order_known');
        expect(tracker.map((entry) => entry.action)).toEqual([]);
      }),
      { numRuns: propertyRuns(8) },
    );
  });
});
