/**
 * Bookings counted (core/report-bookings.ts, CONTRACT §14 "The report"): what a
 * redraw follow-up's opened tally adds to its lab's row, the row for all labs,
 * and the same figures whatever the grouping (as units add hours and days),
 * checked against a count made apart over the follow-ups themselves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceBookingFacts, bookingCountsOf, bookingSituationOf, bookingTallyOf, NO_BOOKING_FACTS, withBookingSituation, type BookingFacts, type BookingTally } from '../../../functions/core/report-bookings';
import { addReportCounts, emptyCounts } from '../../../functions/core/report-counts';
import { bookingsByLabRows, durations, spreadDurations } from '../../../functions/core/report';
import { countsOfTallies, type Tally } from '../../../functions/core/report-tallies';

const AT = '2026-11-16T09:00:00.000000Z';
const tally = (booking: Partial<BookingTally> = {}): BookingTally => ({ lab: 'quest', booked_hours: null, here: false, drawn: false, missed: false, ...booking });

const bookingTally = fc.record({
  lab: fc.constantFrom('quest', 'labcorp', null),
  booked_hours: fc.option(fc.integer({ min: 0, max: 50_000 }).map((n) => n / 100), { nil: null }),
  here: fc.boolean(),
  drawn: fc.boolean(),
  missed: fc.boolean(),
});

describe('a redraw follow-up’s bookings', () => {
  it('count as a redraw of its lab, booked, here, drawn and missed only as the rules say', () => {
    expect(bookingCountsOf(tally())).toEqual({ quest: expect.objectContaining({ redraws: 1, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0 }) });
    // Drawn and missed mean nothing without a booking; missed only for a booking through Junction.
    expect(bookingCountsOf(tally({ drawn: true, missed: true, here: true }))).toEqual({ quest: expect.objectContaining({ booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0 }) });
    expect(bookingCountsOf(tally({ booked_hours: 5, here: false, drawn: true, missed: true }))).toEqual({ quest: expect.objectContaining({ booked: 1, booked_here: 0, booked_then_drawn: 1, appointment_missed: 0 }) });
    expect(bookingCountsOf(tally({ lab: null, booked_hours: 5, here: true, missed: true }))).toEqual({ unknown: expect.objectContaining({ booked: 1, booked_here: 1, appointment_missed: 1 }) });
  });

  it('ride on the opened tally; a first booking adds to the window it was made in; rows before issue 85 add no bookings', () => {
    const tallies: Tally[] = [
      { kind: 'opened', at: AT, booking: tally({ booked_hours: 30, here: true }) },
      { kind: 'opened', at: AT },
      { kind: 'booked', at: AT, lab: 'quest', hours: 30 },
    ];
    const counts = countsOfTallies(tallies);
    expect(counts.opened).toBe(2);
    expect(Object.keys(counts.bookings)).toEqual(['quest']);
    expect(counts.bookings.quest).toMatchObject({ redraws: 1, booked: 1, booked_here: 1 });
    expect(spreadDurations(counts.first_bookings)).toEqual({ n: 1, p50: 30, p90: 30 });
  });

  it('give one row per lab, sorted, then the row for all labs, equal to a count made apart, whatever the grouping', () => {
    fc.assert(
      fc.property(fc.array(bookingTally, { maxLength: 40 }), fc.nat(), (followUps, cut) => {
        const tallies: Tally[] = followUps.map((booking) => ({ kind: 'opened', at: AT, booking }));
        const at = followUps.length === 0 ? 0 : cut % (followUps.length + 1);
        // Two units added (as hours and days are) and all tallies at once give the same rows.
        const grouped = addReportCounts(countsOfTallies(tallies.slice(0, at)), countsOfTallies(tallies.slice(at)));
        const rows = bookingsByLabRows(grouped.bookings);
        expect(bookingsByLabRows(countsOfTallies(tallies).bookings)).toEqual(rows);
        const apart = (of: readonly BookingTally[], lab: string | null) => {
          const booked = of.filter((one) => one.booked_hours !== null);
          const here = booked.filter((one) => one.here);
          return {
            lab,
            redraws: of.length,
            booked: booked.length,
            booked_here: here.length,
            booked_then_drawn: booked.filter((one) => one.drawn).length,
            appointment_missed: here.filter((one) => one.missed).length,
            time_to_booking_hours: durations(booked.map((one) => one.booked_hours!)),
          };
        };
        const labs = [...new Set(followUps.map((one) => one.lab ?? 'unknown'))].sort();
        const expected = [...labs.map((lab) => apart(followUps.filter((one) => (one.lab ?? 'unknown') === lab), lab)), apart(followUps, null)];
        // Exact while a lab has at most 32 bookings (the spread's values), as here.
        expect(rows.map((row) => ({ ...row, time_to_booking_hours: row.time_to_booking_hours.n > 32 ? null : row.time_to_booking_hours }))).toEqual(
          expected.map((row) => ({ ...row, time_to_booking_hours: row.time_to_booking_hours.n > 32 ? null : row.time_to_booking_hours })),
        );
      }),
    );
  });

  it('always has the row for all labs, with nothing opened', () => {
    expect(bookingsByLabRows(emptyCounts().bookings)).toEqual([
      { lab: null, redraws: 0, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } },
    ]);
  });
});

const T = (hour: number) => `2026-11-${String(16 + Math.floor(hour / 24)).padStart(2, '0')}T${String(hour % 24).padStart(2, '0')}:00:00.000000Z`;
const facts = (over: Partial<BookingFacts> = {}): BookingFacts => ({ ...NO_BOOKING_FACTS, redraw: true, lab: 'quest', offeredAt: T(0), ...over });
const member = (over: Record<string, unknown>) => ({ id: 'o', origin: null, low_level_status: 'ordered', status_time: T(0), ...over });

describe('a redraw follow-up’s booking facts', () => {
  it('take from the members: a redraw, the initial order’s first offer, the redraw order’s earliest draw seen', () => {
    const initial = member({ id: 'i', low_level_status: 'redraw_available', status_time: T(2), redraw_available_at: T(1) });
    expect(bookingSituationOf([initial], 'quest')).toEqual({ redraw: true, lab: 'quest', offeredAt: T(1), drawnAt: null });
    // Scheduled is no draw; sample with the lab, a completion and a failure that implies a sample are.
    for (const [status, drawn] of [['appointment_scheduled', null], ['partial_results', T(9)], ['completed', T(9)], ['sample_error', T(9)], ['cancelled', null]] as const) {
      const redraw = member({ id: 'r', origin: 'redraw', low_level_status: status, status_time: T(9) });
      expect(bookingSituationOf([initial, redraw], 'quest').drawnAt, status).toBe(drawn);
    }
    // No redraw at all: a kit that failed.
    expect(bookingSituationOf([member({ low_level_status: 'sample_error' })], null).redraw).toBe(false);
  });

  it('keep what was known: a redraw stays one, the lab once known, the earliest offer and draw', () => {
    const kept = withBookingSituation(facts({ drawnAt: T(9) }), { redraw: false, lab: null, offeredAt: T(3), drawnAt: T(12) });
    expect(kept).toMatchObject({ redraw: true, lab: 'quest', offeredAt: T(0), drawnAt: T(9) });
    expect(withBookingSituation(null, { redraw: true, lab: 'labcorp', offeredAt: null, drawnAt: null })).toEqual({ ...NO_BOOKING_FACTS, redraw: true, lab: 'labcorp' });
  });

  it('count the first booking once it counts, at its time, and keep it through a reschedule and a cancel', () => {
    const pending = { status: 'pending', booked_with: 'junction' as const, booked_at: T(5) };
    expect(advanceBookingFacts(facts(), { booking: pending, flags: [] }, T(6))).toMatchObject({ firstAt: null });
    const confirmed = advanceBookingFacts(facts(), { booking: { ...pending, status: 'confirmed' }, flags: [] }, T(6))!;
    expect(confirmed).toMatchObject({ firstAt: T(5), firstHere: true });
    // A later booking (a reschedule, another after a cancel) never moves the first.
    expect(advanceBookingFacts(confirmed, { booking: { status: 'confirmed', booked_with: 'junction', booked_at: T(30) }, flags: [] }, T(31))).toBe(confirmed);
    expect(advanceBookingFacts(confirmed, { booking: { ...pending, status: 'cancelled' }, flags: [] }, T(31))).toBe(confirmed);
    // A lab booking, recorded; a booking made elsewhere (no booked_at): when the tracker learns it.
    expect(advanceBookingFacts(facts(), { booking: { status: 'recorded', booked_with: 'lab', booked_at: T(4) }, flags: [] }, T(6))).toMatchObject({ firstAt: T(4), firstHere: false });
    expect(advanceBookingFacts(facts(), { booking: { status: 'confirmed', booked_with: 'junction', booked_at: null }, flags: [] }, T(7))).toMatchObject({ firstAt: T(7), firstHere: true });
    // Nothing to count: no facts stay none.
    expect(advanceBookingFacts(null, { booking: null, flags: [] }, T(7))).toBeNull();
  });

  it('count a missed appointment flagged after a first booking through Junction, before or after the write, and keep it', () => {
    const booked = facts({ firstAt: T(5), firstHere: true });
    const flag = (since: string, reason = 'appointment_missed') => ({ since, reason });
    expect(advanceBookingFacts(booked, { booking: null, flags: [null, flag(T(60))] }, T(61))).toMatchObject({ missed: true });
    // The flag dropped by this write (the order moved on, a person snoozed it) still counts.
    expect(advanceBookingFacts(booked, { booking: null, flags: [flag(T(60)), null] }, T(61))).toMatchObject({ missed: true });
    // Another reason, a flag from before the booking, a lab booking: no.
    expect(advanceBookingFacts(booked, { booking: null, flags: [flag(T(60), 'no_progress')] }, T(61))!.missed).toBe(false);
    expect(advanceBookingFacts(booked, { booking: null, flags: [flag(T(4))] }, T(61))!.missed).toBe(false);
    expect(advanceBookingFacts({ ...booked, firstHere: false }, { booking: null, flags: [flag(T(60))] }, T(61))!.missed).toBe(false);
    const missed = advanceBookingFacts(booked, { booking: null, flags: [flag(T(60))] }, T(61))!;
    expect(advanceBookingFacts(missed, { booking: null, flags: [] }, T(90))).toBe(missed);
  });

  it('give the opened tally of a redraw only: hours from the offer (else opened_at), drawn only after the first booking', () => {
    expect(bookingTallyOf(facts({ redraw: false }), T(0))).toBeNull();
    expect(bookingTallyOf(null, T(0))).toBeNull();
    expect(bookingTallyOf(facts({ firstAt: T(30), firstHere: true, drawnAt: T(40) }), T(2))).toEqual({ lab: 'quest', booked_hours: 30, here: true, drawn: true, missed: false });
    expect(bookingTallyOf(facts({ offeredAt: null, firstAt: T(30), drawnAt: T(20) }), T(2))).toEqual({ lab: 'quest', booked_hours: 28, here: false, drawn: false, missed: false });
  });
});
