/**
 * Never twice (CONTRACT §14), as a property: bursts of people booking one
 * redraw at once, the same slot and others, double clicks, with Junction
 * failing in each way a booking can fail (a 500 that booked nothing, Quest's
 * 500 over a booking that was made, a hang past the client's bound), and the
 * tracker's clock moving past the claim's minute between bursts. Whatever the
 * order, once Junction holds the appointment the tracker never sends another
 * book; and one more try after the storm converges: the follow-up holds
 * Junction's one appointment, with one `book` in its history.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { act, bookBody, bookingActions, freeSlots, recordingPsc, seedBookable } from '../support/booking';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { useJunctionStandin } from '../support/junction-standin';
import { propertyRuns } from '../support/property-runs';

const standin = useJunctionStandin();
let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('booking-never-twice');
});

const CLIENT_BOUND_MS = 300;
const HANG_MS = 450;
const FAULTS = ['none', 'unavailable', 'booked_anyway', 'hang'] as const;
type Fault = (typeof FAULTS)[number];

const request = fc.record({ actor: fc.constantFrom('sam.c', 'kim.w', 'lee.p'), slot: fc.nat(2), stale: fc.boolean() });
const round = fc.record({ fault: fc.constantFrom(...FAULTS), requests: fc.array(request, { minLength: 1, maxLength: 3 }), clickTwice: fc.boolean(), afterwards: fc.constantFrom(0, 61_000) });

/** Waits until the stand-in has answered every appointment call the client sent (it logs a request once answered). */
async function junctionDone(sent: readonly { path: string }[]): Promise<void> {
  const calls = (paths: readonly string[]) => paths.filter((path) => path.split('?')[0]!.includes('/psc/appointment') && !path.includes('/availability')).length;
  for (let waited = 0; calls((await standin().requests()).map((one) => one.url)) < calls(sent.map((one) => one.path)); waited += 25) {
    if (waited > 15_000) throw new Error('the stand-in did not answer every call');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function injectFault(fault: Fault): Promise<void> {
  if (fault === 'unavailable') await standin().injectFault({ kind: 'status', status: 500, endpoint: 'psc_book' });
  if (fault === 'booked_anyway') await standin().setPsc({ questConfirm: 'booked_anyway' });
  if (fault === 'hang') await standin().injectFault({ kind: 'delay', delayMs: HANG_MS, endpoint: 'psc_book' });
}

describe('never twice (CONTRACT §14)', () => {
  it('never sends a book once Junction holds the appointment, for any burst, retry and failure, and converges on it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 4 }), fc.constantFrom('on' as const, 'off' as const), async (rounds, idempotency) => {
        await standin().reset();
        // An account outside Junction's idempotency beta: never-twice rests on the claim and the read first alone.
        await standin().setPsc({ idempotency });
        const seeded = await seedBookable(table, standin());
        const slots = await freeSlots(standin(), seeded.redrawId, 3);
        const { psc, sent } = recordingPsc(standin(), { timeoutMs: CLIENT_BOUND_MS });
        let now = new Date();
        const handler = bookingActions(table, { psc, now: () => now });
        for (const { fault, requests, clickTwice, afterwards } of rounds) {
          await injectFault(fault);
          const bodies = requests.map(({ actor, slot, stale }) => ({ actor, body: bookBody(slots[slot]!, stale ? { expected_version: 1 } : {}) }));
          const burst = clickTwice ? [...bodies, bodies[0]!] : bodies;
          const answers = await Promise.all(burst.map(({ actor, body }) => act(handler, seeded.followUpId, body, actor)));
          for (const answer of answers) expect([200, 409, 502]).toContain(answer.statusCode);
          // Every call ends at Junction before the tracker's clock passes the claim's minute, as a call bounded to 20 s does
          // (a hang, or a call this busy machine made slower than the client's bound: another unknown outcome).
          await junctionDone(sent);
          await standin().clearFaults();
          await standin().setPsc({ questConfirm: 'yes' });
          now = new Date(now.getTime() + afterwards);
        }
        const made = (await standin().bookings()).filter((change) => change.orderId === seeded.redrawId && change.kind === 'book');
        expect(made.length).toBeLessThanOrEqual(1);
        const booked = made[0] === undefined ? Number.POSITIVE_INFINITY : Date.parse(made[0].at);
        const books = sent.filter((call) => call.path.endsWith('/psc/appointment/book'));
        expect(books.filter((call) => call.sentAt > booked)).toEqual([]);

        // One more try after the storm: the appointment Junction holds, or a first one.
        now = new Date(now.getTime() + 61_000);
        const slot = slots.find((candidate) => made[0] !== undefined && Date.parse(candidate.slot_start) === Date.parse(made[0].startAt)) ?? slots[0]!;
        expect((await act(handler, seeded.followUpId, bookBody(slot))).statusCode).toBe(200);
        const held = (await standin().bookings()).filter((change) => change.orderId === seeded.redrawId && change.kind === 'book');
        expect(held).toHaveLength(1);
        const stored = await getFollowUp(table.db, table.tableName, seeded.followUpId, now);
        expect(stored?.followUp.booking).toMatchObject({ appointment_id: held[0]!.appointmentId, attempt: null, unknown_since: null });
        expect(stored?.followUp.state).toBe('snoozed');
        expect((await readHistory(table.db, table.tableName, seeded.followUpId, now)).filter((entry) => entry.action === 'book')).toHaveLength(1);
      }),
      { numRuns: propertyRuns(10) },
    );
  });
});
