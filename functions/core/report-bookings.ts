/**
 * Bookings counted (CONTRACT §14 "The report", issue 85): what a redraw
 * follow-up's `opened` tally carries of its bookings, what a follow-up's first
 * booking adds to the window it was made in, and the `bookings_by_lab` rows
 * they add up to. Plain data, merged by adding like the rest of the report's
 * counts (core/report-counts.ts).
 *
 * The cohort is the redraw follow-ups opened in the window, each counted as of
 * now: a follow-up opened in the window and booked later counts once it is
 * (its opened row is written again, which re-marks that hour's units). First
 * bookings by their own time (`first_bookings`) are the digest's line.
 */
import { addBookingCounts, EMPTY_SPREAD, emptyBookingCounts, spreadOf, type BookingCounts } from './report-counts';

/** A redraw follow-up's bookings as its opened tally carries them (ids, times and codes only). */
export interface BookingTally {
  /** The initial order's lab slug; null when Junction gave none ("unknown"). */
  lab: string | null;
  /** Hours from the redraw offer (the initial order's redraw_available, else opened_at) to the first booking; null: never booked. */
  booked_hours: number | null;
  /** The first booking was made through Junction (by the tracker, or elsewhere), not recorded as the lab's. */
  here: boolean;
  /** The redraw order's first status after the first booking was a draw (CONTRACT §14). */
  drawn: boolean;
  /** The redraw order was flagged appointment_missed after a first booking through Junction. */
  missed: boolean;
}

/** What the report names a lab Junction never gave (CONTRACT §11). */
const UNKNOWN_LAB = 'unknown';

/**
 * One redraw follow-up's counts, by its lab. Booked through Junction or not,
 * drawn and missed are counted only once booked; missed only for a booking
 * through Junction (a lab booking never counts there).
 */
export function bookingCountsOf(tally: BookingTally): Record<string, BookingCounts> {
  const booked = tally.booked_hours !== null;
  const here = booked && tally.here;
  return {
    [tally.lab ?? UNKNOWN_LAB]: {
      redraws: 1,
      booked: booked ? 1 : 0,
      booked_here: here ? 1 : 0,
      booked_then_drawn: booked && tally.drawn ? 1 : 0,
      appointment_missed: here && tally.missed ? 1 : 0,
      to_booking: booked ? spreadOf([tally.booked_hours!]) : EMPTY_SPREAD,
    },
  };
}

/** Every lab's counts added: the row for all labs. */
export function allLabs(byLab: Readonly<Record<string, BookingCounts>>): BookingCounts {
  return Object.values(byLab).reduce(addBookingCounts, emptyBookingCounts());
}
