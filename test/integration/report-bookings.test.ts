/**
 * Bookings counted (CONTRACT §14 "The report", issue 85) on DynamoDB Local
 * through its real stream: redraws at two labs, some booked through Junction
 * (the stand-in), rescheduled, cancelled, recorded as the lab's, booked
 * elsewhere (an appointment webhook the tracker did not book), pending and
 * never confirmed or confirmed later by webhook; then drawn, failed with a
 * sample or cancelled after the booking, or not moving until the sweep flags
 * the appointment missed. `GET /reports/redraws`' `bookings_by_lab` and
 * `first_bookings` are compared with figures computed apart from the cases
 * themselves, for a window whose edges leave one redraw out on each side.
 *
 * Why it takes its time: each case is its webhooks through the stream, a booking
 * at the stand-in and the writes after it; one sweep a month later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { durations } from '../../functions/core/report';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler } from '../../functions/query/app';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { act, bookBody, bookingActions, CANCEL_REASON, freeSlots, recordingPsc, rescheduleBody } from '../support/booking';
import { appointmentDelivery, atLab, buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';
import { useJunctionStandin } from '../support/junction-standin';
import { openApiValidator } from '../support/openapi';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const standin = useJunctionStandin();
let rig: TransactionRig;
const assertDocumented = openApiValidator();
beforeAll(async () => {
  rig = await startTransactionRig('report-bookings');
});
afterAll(async () => {
  await rig?.close();
});

type Booking = 'none' | 'book' | 'reschedule' | 'cancel' | 'lab' | 'elsewhere' | 'pending' | 'pending_confirmed';
type After = 'in_progress' | 'completed' | 'sample_error' | 'cancelled';
interface Case {
  lab: 'quest' | 'labcorp';
  booking: Booking;
  after: After;
}

/** The cases, in the order their redraws were offered (an hour apart): the first and the last fall outside the window. */
const CASES: Case[] = [
  { lab: 'quest', booking: 'book', after: 'completed' },
  { lab: 'quest', booking: 'none', after: 'in_progress' },
  { lab: 'quest', booking: 'book', after: 'completed' },
  { lab: 'quest', booking: 'book', after: 'sample_error' },
  { lab: 'quest', booking: 'book', after: 'in_progress' },
  { lab: 'quest', booking: 'reschedule', after: 'in_progress' },
  { lab: 'quest', booking: 'cancel', after: 'in_progress' },
  { lab: 'quest', booking: 'elsewhere', after: 'completed' },
  { lab: 'quest', booking: 'elsewhere', after: 'in_progress' },
  { lab: 'quest', booking: 'pending', after: 'in_progress' },
  { lab: 'quest', booking: 'pending_confirmed', after: 'in_progress' },
  { lab: 'quest', booking: 'book', after: 'cancelled' },
  { lab: 'labcorp', booking: 'none', after: 'in_progress' },
  { lab: 'labcorp', booking: 'lab', after: 'completed' },
  { lab: 'labcorp', booking: 'lab', after: 'in_progress' },
  { lab: 'labcorp', booking: 'none', after: 'completed' },
  { lab: 'quest', booking: 'book', after: 'in_progress' },
];

/** What happened to each case, as the test saw it: when its redraw was offered and when its first booking counted. */
interface Run extends Case {
  followUpId: string;
  offeredAt: string;
  bookedAt: string | null;
}

const BASE = Date.now();

/** One case: its webhooks up to the redraw order in progress, its booking, then its redraw order's last step (after the booking). */
async function play(spec: Case, index: number, handlers: { sync: ReturnType<typeof bookingActions>; async: ReturnType<typeof bookingActions> }): Promise<Run> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  // The redraw offered (the fifth step) an hour apart per case, days ago; a last step after the booking comes an hour from now.
  const flow = atLab(redrawFlow(ids, spec.after, new Date(BASE - 10 * DAY + index * HOUR - 4 * HOUR)), spec.lab);
  const deliveries = buildDeliveries(flow);
  const later: Delivery[] = spec.after === 'in_progress' ? [] : deliveries.splice(-1).map((delivery) => retimed(delivery, new Date(BASE + HOUR)));
  await standin().recordDeliveries(deliveries);
  await rig.deliver(deliveries);
  const offeredAt = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp.opened_at;
  const bookedAt = await book(spec.booking, ids, handlers);
  if (later.length > 0) await rig.deliver(later);
  return { ...spec, followUpId: ids.transactionId, offeredAt, bookedAt };
}

/** A webhook moved to `at` (its last event, its updated time), as a status that came after the booking. */
function retimed(delivery: Delivery, at: Date): Delivery {
  const body = structuredClone(delivery.body) as { data: { updated_at: string; events: { created_at: string }[]; last_event?: { created_at: string } } };
  const time = at.toISOString();
  body.data.updated_at = time;
  body.data.events.at(-1)!.created_at = time;
  if (body.data.last_event) body.data.last_event.created_at = time;
  return { ...delivery, body };
}

/** Books a case as it says; the first booking's time when it counts, else null. */
async function book(kind: Booking, ids: { transactionId: string; redrawId: string }, handlers: { sync: ReturnType<typeof bookingActions>; async: ReturnType<typeof bookingActions> }): Promise<string | null> {
  const id = ids.transactionId;
  const answer = async (handler: ReturnType<typeof bookingActions>, body: Record<string, unknown>) => {
    const acted = await act(handler, id, body);
    expect(acted.statusCode, JSON.stringify(acted.json)).toBe(200);
    await rig.settle();
    return acted.json.follow_up!.booking as { booked_at: string | null; appointment_id: string | null; start_at: string };
  };
  switch (kind) {
    case 'none':
      return null;
    case 'lab':
      return (await answer(handlers.sync, { action: 'record_booking', start_at: canonicalFromDate(new Date(BASE + 3 * DAY)) })).booked_at;
    case 'elsewhere': {
      await rig.webhook(appointmentDelivery({ orderId: ids.redrawId, transactionId: id, appointmentId: freshId(), startAt: new Date(BASE + 3 * DAY), status: 'confirmed', eventTimes: [new Date()] }));
      await rig.settle();
      const stored = await getFollowUp(rig.table.db, rig.table.tableName, id, new Date());
      expect(stored!.followUp.booking).toMatchObject({ booked_by: null, status: 'confirmed' });
      return stored!.bookingFacts!.firstAt;
    }
    default: {
      const [slot, other] = await freeSlots(standin(), ids.redrawId, 2);
      const pending = kind === 'pending' || kind === 'pending_confirmed';
      const first = await answer(pending ? handlers.async : handlers.sync, bookBody(slot!));
      if (kind === 'reschedule') await answer(handlers.sync, rescheduleBody(other!));
      if (kind === 'cancel') await answer(handlers.sync, { action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON });
      if (kind === 'pending') return null;
      if (kind === 'pending_confirmed') {
        await rig.webhook(appointmentDelivery({ orderId: ids.redrawId, transactionId: id, appointmentId: first.appointment_id!, startAt: new Date(first.start_at), status: 'confirmed', eventTimes: [new Date(), new Date(Date.now() + 1000)] }));
        await rig.settle();
      }
      return first.booked_at;
    }
  }
}

const HERE: ReadonlySet<Booking> = new Set(['book', 'reschedule', 'cancel', 'elsewhere', 'pending_confirmed']);
/** Whose appointment is still ahead when the sweep looks, the redraw order not having moved: flagged appointment_missed. */
const STILL_BOOKED: ReadonlySet<Booking> = new Set(['book', 'reschedule', 'elsewhere', 'pending_confirmed']);

/** The figures of these runs, computed apart (CONTRACT §14's definitions over the cases), one row per lab and the row for all labs. */
function expectedRows(runs: readonly Run[]) {
  const row = (lab: string | null, of: readonly Run[]) => {
    const booked = of.filter((run) => run.bookedAt !== null);
    const here = booked.filter((run) => HERE.has(run.booking));
    const hours = booked.map((run) => Math.round(((instantMillis(run.bookedAt!) - instantMillis(run.offeredAt)) / HOUR) * 100) / 100);
    return {
      lab,
      redraws: of.length,
      booked: booked.length,
      booked_here: here.length,
      booked_then_drawn: booked.filter((run) => run.after === 'completed' || run.after === 'sample_error').length,
      appointment_missed: here.filter((run) => STILL_BOOKED.has(run.booking) && run.after === 'in_progress').length,
      time_to_booking_hours: durations(hours),
    };
  };
  const labs = [...new Set(runs.map((run) => run.lab))].sort();
  return [...labs.map((lab) => row(lab, runs.filter((run) => run.lab === lab))), row(null, runs)];
}

describe('bookings by lab (CONTRACT §14 "The report")', () => {
  it('counts the redraws opened in the window, booked, through Junction, drawn after and missed, and the time to booking, as computed apart', async () => {
    const { psc } = recordingPsc(standin());
    const handlers = { sync: bookingActions(rig.table, { psc, now: () => new Date() }), async: bookingActions(rig.table, { psc, now: () => new Date(), bookingAsync: true }) };
    const runs: Run[] = [];
    for (const [index, spec] of CASES.entries()) runs.push(await play(spec, index, handlers));
    // A month later, the sweep flags every appointment the redraw order did not move after (appointment_missed).
    await runSweep({ db: rig.table.db, tableName: rig.table.tableName, now: new Date(BASE + 30 * DAY), thresholds: DEFAULT_THRESHOLDS, notifier: createInMemoryNotifier(), logger: silent, metrics: { addMetric: () => undefined } });
    await rig.settle();

    const query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: { error: () => {} } });
    const report = async (from: string, to: string) => {
      const response = await query({ rawPath: '/reports/redraws', requestContext: { http: { method: 'GET' } }, queryStringParameters: { from, to } });
      assertDocumented('GET', '/reports/redraws', response);
      expect(response.statusCode).toBe(200);
      return JSON.parse(response.body) as { bookings_by_lab: unknown[]; first_bookings: { n: number } };
    };
    // The window: from the second offer (inclusive) to the last (exclusive): the first and the last case are outside.
    const from = runs[1]!.offeredAt;
    const to = runs.at(-1)!.offeredAt;
    const inside = runs.slice(1, -1);
    const window = await report(from, to);
    expect(window.bookings_by_lab).toEqual(expectedRows(inside));
    // Their first bookings were made now, not in that window; a window around now holds every one, by its own time.
    expect(window.first_bookings.n).toBe(0);
    const now = await report(canonicalFromDate(new Date(BASE - HOUR)), canonicalFromDate(new Date(BASE + 2 * DAY)));
    expect(now.first_bookings.n).toBe(runs.filter((run) => run.bookedAt !== null).length);
    // The whole story: every row as computed apart, the cases outside the window too.
    const all = await report(runs[0]!.offeredAt, canonicalFromDate(new Date(instantMillis(to) + 1000)));
    expect(all.bookings_by_lab).toEqual(expectedRows(runs));
  });
});
