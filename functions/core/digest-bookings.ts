/**
 * The weekly digest's line of issue 85 (CONTRACT §14 "The report"): how many
 * redraws were booked last week, beside the week before, and the median days
 * from the redraw offer to a booking: "Last week 5 redraws were booked (week
 * before 3), median 1.4 days from the redraw offer to a booking." It counts
 * the report's `first_bookings` (first bookings made in the week, by their own
 * time, whenever their follow-up opened) and names no lab: none with fewer
 * than 20 redraws, the contract's rule, holds so. Counts and hours only. Pure.
 */
import type { RedrawReport } from './report';

/** What the digest's JSON carries of the line (`bookings`). */
export interface DigestBookings {
  /** First bookings made last week (the report's `first_bookings.n`). */
  booked: number;
  /** Their median hours from the redraw offer, in days with one decimal; null when none was booked. */
  median_days: number | null;
  /** First bookings made the week before; null when the week before is not known. */
  week_before: number | null;
}

/** Hours as days with one decimal, as a number: 33.6 h -> 1.4. */
const daysOf = (hours: number): number => Number((hours / 24).toFixed(1));

/**
 * The line's figures from last week's report and the week before's; null when
 * last week's report counts no bookings (a report built before issue 85).
 */
export function digestBookings(report: Pick<RedrawReport, 'first_bookings'>, weekBefore: Pick<RedrawReport, 'first_bookings'> | null): DigestBookings | null {
  const first = report.first_bookings;
  if (first === undefined) return null;
  return {
    booked: first.n,
    median_days: first.n === 0 || first.p50 === null ? null : daysOf(first.p50),
    week_before: weekBefore?.first_bookings?.n ?? null,
  };
}

/**
 * The digest's sentence (CONTRACT §14): "Last week 5 redraws were booked (week
 * before 3), median 1.4 days from the redraw offer to a booking.", "Last week 1
 * redraw was booked (...), median 0.5 days ...", and with none booked "Last
 * week no booking was made for a redraw (week before 3)." Without the week
 * before, nothing is said of it.
 */
export function bookingsWords(bookings: DigestBookings): string {
  const before = bookings.week_before === null ? '' : ` (week before ${bookings.week_before})`;
  if (bookings.booked === 0) return `Last week no booking was made for a redraw${before}.`;
  const booked = bookings.booked === 1 ? '1 redraw was booked' : `${bookings.booked} redraws were booked`;
  const median = bookings.median_days === null ? '' : `, median ${bookings.median_days.toFixed(1)} days from the redraw offer to a booking`;
  return `Last week ${booked}${before}${median}.`;
}
