/**
 * Bookings counted (core/report-bookings.ts, CONTRACT §14 "The report"): what a
 * redraw follow-up's opened tally adds to its lab's row, the row for all labs,
 * and the same figures whatever the grouping (as units add hours and days),
 * checked against a count made apart over the follow-ups themselves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookingCountsOf, type BookingTally } from '../../../functions/core/report-bookings';
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
