/**
 * CONTRACT §10's stale rules for a redraw order in progress with an
 * appointment (functions/core/staleness.ts), the follow-up's due_at that
 * follows them (functions/core/follow-up/due.ts dueAt), and the rules as a
 * function of the newest stored states: appointment and order events
 * delivered in any order (late, out of order, duplicated, before their order)
 * give the reason of the in-order delivery.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueAt, type OpenRedrawTiming } from '../../../functions/core/follow-up/due';
import { openFollowUp, type FollowUp } from '../../../functions/core/follow-up/states';
import { canonicalFromDate, instantMillis } from '../../../functions/core/instant';
import {
  DEFAULT_THRESHOLDS,
  inProgressCandidatesBefore,
  inProgressDue,
  staleCutoffs,
  staleReason,
  type AppointmentTiming,
  type RedrawCandidate,
  type StaleThresholds,
} from '../../../functions/core/staleness';

const NOW = new Date('2026-03-20T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => canonicalFromDate(new Date(NOW.getTime() + ms));
const redraw = (statusTime: string, low = 'appointment_scheduled'): RedrawCandidate => ({ origin: 'redraw', low_level_status: low, status_time: statusTime });
const appointment = (startAt: string | null, status = 'confirmed'): AppointmentTiming => ({ start_at: startAt, status });

describe('staleReason with an appointment (CONTRACT §10)', () => {
  it('does not flag no_progress while a booked appointment is ahead, however old the order', () => {
    const order = redraw(at(-30 * DAY));
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS)).toBe('no_progress');
    for (const status of ['pending', 'reserved', 'confirmed']) {
      expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(3 * DAY), status))).toBeNull();
      // Passed, but still within the grace (48 h by default).
      expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(-47 * HOUR), status))).toBeNull();
    }
  });

  it('flags appointment_missed once start_at plus the grace passed and the order has not moved since start_at', () => {
    const order = redraw(at(-3 * DAY));
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(-49 * HOUR)))).toBe('appointment_missed');
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(-47 * HOUR)))).toBeNull();
    // Long before the order's own no_progress cutoff (7 days).
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS)).toBeNull();
    // In progress, or a status Junction adds later: not completed, so missed too.
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(-49 * HOUR), 'in_progress'))).toBe('appointment_missed');
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, appointment(at(-49 * HOUR), 'brand_new_status'))).toBe('appointment_missed');
  });

  it('takes APPOINTMENT_GRACE_HOURS from the thresholds', () => {
    const order = redraw(at(-3 * DAY));
    const booked = appointment(at(-5 * HOUR));
    expect(staleReason(order, false, NOW, DEFAULT_THRESHOLDS, booked)).toBeNull();
    expect(staleReason(order, false, NOW, { ...DEFAULT_THRESHOLDS, appointmentGraceHours: 4 }, booked)).toBe('appointment_missed');
    // Absent: the default, 48.
    expect(staleReason(order, false, NOW, { staleAfterDays: 7, missingAfterHours: 24 }, appointment(at(-49 * HOUR)))).toBe('appointment_missed');
  });

  it('does not call an order missed that moved on after start_at: the no_progress rule applies from its status time', () => {
    const start = at(-10 * DAY);
    expect(staleReason(redraw(at(-9 * DAY), 'collecting_sample'), false, NOW, DEFAULT_THRESHOLDS, appointment(start))).toBe('no_progress');
    expect(staleReason(redraw(at(-2 * DAY), 'collecting_sample'), false, NOW, DEFAULT_THRESHOLDS, appointment(start))).toBeNull();
    // A status time at start_at exactly is not before it.
    expect(staleReason(redraw(at(-3 * DAY)), false, NOW, DEFAULT_THRESHOLDS, appointment(at(-3 * DAY)))).toBeNull();
    expect(staleReason(redraw(at(-3 * DAY - 1)), false, NOW, DEFAULT_THRESHOLDS, appointment(at(-3 * DAY)))).toBe('appointment_missed');
  });

  it.each(['cancelled', 'completed'])('counts a %s appointment as none: the old no_progress rule', (status) => {
    expect(staleReason(redraw(at(-3 * DAY)), false, NOW, DEFAULT_THRESHOLDS, appointment(at(-5 * DAY), status))).toBeNull();
    expect(staleReason(redraw(at(-8 * DAY)), false, NOW, DEFAULT_THRESHOLDS, appointment(at(2 * DAY), status))).toBe('no_progress');
  });

  it('counts an appointment without a start time as none', () => {
    expect(staleReason(redraw(at(-8 * DAY)), false, NOW, DEFAULT_THRESHOLDS, appointment(null, 'pending'))).toBe('no_progress');
  });

  it('leaves redraw_not_created alone, and an ended redraw order unflagged', () => {
    const awaiting: RedrawCandidate = { origin: 'initial', low_level_status: 'redraw_available', status_time: at(-2 * DAY) };
    expect(staleReason(awaiting, false, NOW, DEFAULT_THRESHOLDS, appointment(at(3 * DAY)))).toBe('redraw_not_created');
    expect(staleReason(redraw(at(-30 * DAY), 'completed'), false, NOW, DEFAULT_THRESHOLDS, appointment(at(-5 * DAY)))).toBeNull();
  });
});

describe('inProgressCandidatesBefore', () => {
  it('reaches up to the later of the no_progress cutoff and now minus the grace', () => {
    expect(inProgressCandidatesBefore(NOW, DEFAULT_THRESHOLDS)).toBe('2026-03-18T12:00:00.000000Z');
    expect(inProgressCandidatesBefore(NOW, { ...DEFAULT_THRESHOLDS, appointmentGraceHours: 24 * 30 })).toBe(staleCutoffs(NOW, DEFAULT_THRESHOLDS).noProgressBefore);
  });

  it('finds every order a rule flags: its status time is before the cutoff', () => {
    fc.assert(
      fc.property(arbitraryCase(), ({ statusMs, appointment: booked, thresholds, nowMs }) => {
        const now = new Date(NOW.getTime() + nowMs);
        const order = redraw(at(statusMs));
        if (staleReason(order, false, now, thresholds, booked) !== null) expect(order.status_time < inProgressCandidatesBefore(now, thresholds)).toBe(true);
      }),
    );
  });
});

/** Status and appointment times on a whole-minute grid (the rules compare instants exactly). */
const minutes = (min: number, max: number) => fc.integer({ min, max }).map((m) => m * 60_000);
const STATUSES = ['pending', 'reserved', 'confirmed', 'in_progress', 'completed', 'cancelled', 'brand_new_status'];

function arbitraryCase() {
  return fc.record({
    statusMs: minutes(-40 * 24 * 60, 0),
    appointment: fc.option(
      fc.record({ start_at: fc.option(minutes(-20 * 24 * 60, 20 * 24 * 60).map(at), { nil: null }), status: fc.constantFrom(...STATUSES) }),
      { nil: null },
    ),
    thresholds: fc.record({ staleAfterDays: fc.integer({ min: 1, max: 14 }), missingAfterHours: fc.constant(24), appointmentGraceHours: fc.integer({ min: 1, max: 200 }) }),
    nowMs: minutes(-20 * 24 * 60, 20 * 24 * 60),
  });
}

describe('the due time of a redraw in progress (inProgressDue, the follow-up due_at)', () => {
  it('is the first instant after which staleReason flags it, for the reason it then gives', () => {
    fc.assert(
      fc.property(arbitraryCase(), ({ statusMs, appointment: booked, thresholds, nowMs }) => {
        const order = redraw(at(statusMs));
        const due = inProgressDue(order.status_time, booked, thresholds);
        const reasonAt = (ms: number) => staleReason(order, false, new Date(ms), thresholds, booked);
        expect(reasonAt(due.atMs)).toBeNull();
        expect(reasonAt(due.atMs + 1)).toBe(due.reason);
        // Monotonic: never flagged before it, always after it (until something moves).
        const now = NOW.getTime() + nowMs;
        expect(reasonAt(now) !== null).toBe(now > due.atMs);
      }),
    );
  });

  it('moves the follow-up due_at: the appointment end of grace while booked, the old rule when cancelled', () => {
    const followUp: FollowUp = openFollowUp({ id: 't-1', transactionId: 't-1', initialOrderId: 'o-1', redrawOrderId: 'r-1', openedAt: at(-10 * DAY) });
    const timing = (booked: AppointmentTiming | null): OpenRedrawTiming => ({ kind: 'redraw_in_progress', statusTime: at(-3 * DAY), orderId: 'r-1', appointment: booked });
    expect(dueAt(followUp, timing(null), DEFAULT_THRESHOLDS)).toBe(at(4 * DAY));
    expect(dueAt(followUp, { kind: 'redraw_in_progress', statusTime: at(-3 * DAY), orderId: 'r-1' }, DEFAULT_THRESHOLDS)).toBe(at(4 * DAY));
    expect(dueAt(followUp, timing(appointment(at(1 * DAY))), DEFAULT_THRESHOLDS)).toBe(at(3 * DAY));
    expect(dueAt(followUp, timing(appointment(at(10 * DAY))), DEFAULT_THRESHOLDS)).toBe(at(12 * DAY));
    expect(dueAt(followUp, timing(appointment(at(1 * DAY), 'cancelled')), DEFAULT_THRESHOLDS)).toBe(at(4 * DAY));
    // A snooze still holds it back.
    const snoozed: FollowUp = { ...followUp, state: 'snoozed', snoozed_until: at(20 * DAY) };
    expect(dueAt(snoozed, timing(appointment(at(1 * DAY))), DEFAULT_THRESHOLDS)).toBe(at(20 * DAY));
  });
});

// ---------------------------------------------------------------------------
// Any delivery order gives the reason of the newest states

type Delivery =
  | { kind: 'order'; version: number; statusTime: string; low: string }
  | { kind: 'appointment'; version: number; timing: AppointmentTiming };

/** What the stores keep: per kind, the delivery of the highest version (a lower or equal one is stale or a duplicate). */
function stored(deliveries: readonly Delivery[]) {
  let order: Extract<Delivery, { kind: 'order' }> | null = null;
  let booked: Extract<Delivery, { kind: 'appointment' }> | null = null;
  for (const delivery of deliveries) {
    if (delivery.kind === 'order' && (order === null || delivery.version > order.version)) order = delivery;
    if (delivery.kind === 'appointment' && (booked === null || delivery.version > booked.version)) booked = delivery;
  }
  return { order, appointment: booked };
}

function reasonOf(deliveries: readonly Delivery[], now: Date, thresholds: StaleThresholds) {
  const { order, appointment: booked } = stored(deliveries);
  if (order === null) return 'no order';
  return staleReason(redraw(order.statusTime, order.low), false, now, thresholds, booked?.timing ?? null);
}

/** A redraw order's history (status times growing with the version) and its appointment's (rebooked, cancelled...). */
const histories = fc
  .record({
    orderSteps: fc.array(fc.record({ gap: minutes(1, 5 * 24 * 60), low: fc.constantFrom('ordered', 'requisition_created', 'appointment_scheduled', 'collecting_sample', 'completed') }), { minLength: 1, maxLength: 4 }),
    appointmentSteps: fc.array(fc.record({ start: fc.option(minutes(-15 * 24 * 60, 10 * 24 * 60), { nil: null }), status: fc.constantFrom(...STATUSES) }), { maxLength: 4 }),
    firstStatusMs: minutes(-30 * 24 * 60, -1),
  })
  .map(({ orderSteps, appointmentSteps, firstStatusMs }) => {
    let statusMs = firstStatusMs;
    const orders: Delivery[] = orderSteps.map((step, i) => {
      if (i > 0) statusMs += step.gap;
      return { kind: 'order', version: i, statusTime: at(Math.min(statusMs, 0)), low: step.low };
    });
    const appointments: Delivery[] = appointmentSteps.map((step, i) => ({ kind: 'appointment', version: i, timing: { start_at: step.start === null ? null : at(step.start), status: step.status } }));
    return [...orders, ...appointments];
  });

describe('the rules over appointment and order events in any order', () => {
  it('give the in-order reason whatever the delivery order: late, out of order, duplicated, appointments before their order', () => {
    fc.assert(
      fc.property(
        histories.chain((inOrder) =>
          fc.record({
            inOrder: fc.constant(inOrder),
            // Every event at least once, some twice, shuffled.
            delivered: fc.shuffledSubarray(inOrder, { minLength: 0, maxLength: inOrder.length }).chain((again) => fc.shuffledSubarray([...inOrder, ...again], { minLength: inOrder.length + again.length, maxLength: inOrder.length + again.length })),
          }),
        ),
        fc.record({ staleAfterDays: fc.integer({ min: 1, max: 14 }), missingAfterHours: fc.constant(24), appointmentGraceHours: fc.integer({ min: 1, max: 200 }) }),
        ({ inOrder, delivered }, thresholds) => {
          expect(reasonOf(delivered, NOW, thresholds)).toBe(reasonOf(inOrder, NOW, thresholds));
          // Before the order arrives, nothing is flagged; the appointment kept then joins it.
          const appointmentsFirst = [...delivered.filter((d) => d.kind === 'appointment'), ...delivered.filter((d) => d.kind === 'order')];
          expect(reasonOf(appointmentsFirst.filter((d) => d.kind === 'appointment'), NOW, thresholds)).toBe('no order');
          expect(reasonOf(appointmentsFirst, NOW, thresholds)).toBe(reasonOf(inOrder, NOW, thresholds));
        },
      ),
    );
  });

  it('agree with the rules written out: missed, held, or the old rule', () => {
    fc.assert(
      fc.property(histories, fc.record({ staleAfterDays: fc.integer({ min: 1, max: 14 }), missingAfterHours: fc.constant(24), appointmentGraceHours: fc.integer({ min: 1, max: 200 }) }), (events, thresholds) => {
        const { order, appointment: booked } = stored(events);
        if (order === null) return;
        const reason = reasonOf(events, NOW, thresholds);
        const ended = ['completed'].includes(order.low);
        const oldRule = instantMillis(order.statusTime) < NOW.getTime() - thresholds.staleAfterDays * DAY ? 'no_progress' : null;
        const timing = booked?.timing ?? null;
        const counts = timing !== null && timing.start_at !== null && timing.status !== 'cancelled' && timing.status !== 'completed';
        let expected: string | null = oldRule;
        if (ended) expected = null;
        else if (counts) {
          const graceEnd = instantMillis(timing.start_at!) + thresholds.appointmentGraceHours * HOUR;
          const passed = NOW.getTime() > graceEnd;
          if (passed && order.statusTime < timing.start_at!) expected = 'appointment_missed';
          else if (!passed && ['pending', 'reserved', 'confirmed'].includes(timing.status)) expected = null;
        }
        expect(reason).toBe(expected);
      }),
    );
  });
});
