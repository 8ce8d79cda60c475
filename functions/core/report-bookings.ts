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
import { hoursBetween } from './instant';
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

/** What a redraw's members say for its bookings report (CONTRACT §14 "The report"). */
export interface BookingSituation {
  /** It had a redraw: an initial order once in redraw_available, or a redraw order. */
  redraw: boolean;
  /** The initial order's lab slug, or null when not known. */
  lab: string | null;
  /** The initial order's first redraw_available status time: when the redraw was offered. */
  offeredAt: string | null;
  /** The earliest status time at which a redraw order was seen drawn (sample with the lab, completed, or a failure that implies a sample). */
  drawnAt: string | null;
}

/**
 * A redraw follow-up's facts for the report, kept on its item without a
 * version: the situation's (sticky: the lab once known, the earliest offer and
 * draw seen) and its first booking's (set once).
 */
export interface BookingFacts extends BookingSituation {
  /** When its first booking counted (a booking through Junction once not pending, a lab booking recorded). */
  firstAt: string | null;
  /** That first booking was through Junction. */
  firstHere: boolean;
  /** Its redraw order was flagged appointment_missed after a first booking through Junction. */
  missed: boolean;
}

export const NO_BOOKING_FACTS: BookingFacts = { redraw: false, lab: null, offeredAt: null, drawnAt: null, firstAt: null, firstHere: false, missed: false };

/**
 * Statuses of a redraw order that say the patient was drawn (CONTRACT §14:
 * sample_with_lab, completed or corrected, or a failure that implies a sample).
 */
const DRAWN_STATUSES: ReadonlySet<string> = new Set([
  'draw_completed',
  'partial_results',
  'delivered_to_lab',
  'lab_processing_blocked',
  'completed',
  'corrected',
  'sample_error',
  'lost',
  'failure_to_deliver_to_lab',
]);

/** The members a report reads: what the follow-up reads, and the lab and creation time. */
export interface BookingMember {
  id: string;
  origin: string | null;
  low_level_status: string;
  status_time: string;
  created_at?: string;
  lab?: string | null;
  redraw_available_at?: string | null;
}

const isRedraw = (member: BookingMember) => member.origin === 'redraw' || member.origin === 'recreation';
const earliest = (times: readonly (string | null | undefined)[]): string | null => times.filter((at): at is string => typeof at === 'string').sort()[0] ?? null;

/** The bookings report's situation of a transaction's members (`lab`: its initial order's, as by_lab names it). */
export function bookingSituationOf(members: readonly BookingMember[], lab: string | null): BookingSituation {
  const offeredAt = earliest(members.filter((member) => !isRedraw(member)).map((member) => member.redraw_available_at));
  const drawnAt = earliest(members.filter((member) => isRedraw(member) && DRAWN_STATUSES.has(member.low_level_status)).map((member) => member.status_time));
  return { redraw: offeredAt !== null || members.some(isRedraw), lab, offeredAt, drawnAt };
}

/** The stored facts with what the members say now: a redraw stays one, the lab once known stays, the earliest offer and draw seen. */
export function withBookingSituation(facts: BookingFacts | null, situation: BookingSituation): BookingFacts {
  const stored = facts ?? NO_BOOKING_FACTS;
  return {
    ...stored,
    redraw: stored.redraw || situation.redraw,
    lab: situation.lab ?? stored.lab,
    offeredAt: earliest([stored.offeredAt, situation.offeredAt]),
    drawnAt: earliest([stored.drawnAt, situation.drawnAt]),
  };
}

/** A booking as the report reads it (core/booking/record.ts Booking). */
export interface CountedBooking {
  status: string | null;
  booked_with: 'junction' | 'lab' | null;
  booked_at: string | null;
}

/** Junction's statuses of a booking that count it as booked (a pending one counts once confirmed). */
const BOOKED_STATUSES: ReadonlySet<string> = new Set(['reserved', 'confirmed', 'in_progress', 'completed']);

/** Whether a booking counts as booked now: through Junction and no longer pending, or recorded as the lab's. */
export function countsAsBooked(booking: CountedBooking | null | undefined): booking is CountedBooking & { booked_with: 'junction' | 'lab' } {
  if (booking == null || booking.status === null) return false;
  if (booking.booked_with === 'lab') return booking.status === 'recorded';
  return booking.booked_with === 'junction' && BOOKED_STATUSES.has(booking.status);
}

/**
 * The facts after a write of the follow-up (`now`, the writer's clock): its
 * first booking, once its booking counts (at the booking's `booked_at`, else
 * now: a booking made elsewhere is counted when the tracker learns it), and
 * `missed` once a stale flag for appointment_missed, set after a first booking
 * through Junction, was on the item before or after the write. Both stay.
 */
export function advanceBookingFacts(
  facts: BookingFacts | null,
  write: { booking: CountedBooking | null | undefined; flags: readonly ({ reason: string; since: string } | null | undefined)[] },
  now: string,
): BookingFacts | null {
  const stored = facts ?? NO_BOOKING_FACTS;
  const first = stored.firstAt !== null || !countsAsBooked(write.booking) ? null : { at: write.booking.booked_at ?? now, here: write.booking.booked_with === 'junction' };
  const next = first === null ? stored : { ...stored, firstAt: first.at, firstHere: first.here };
  const missed = next.missed || (next.firstAt !== null && next.firstHere && write.flags.some((flag) => flag?.reason === 'appointment_missed' && flag.since > next.firstAt!));
  const advanced = missed === next.missed ? next : { ...next, missed };
  return facts === null && advanced === NO_BOOKING_FACTS ? null : advanced;
}

/** What a redraw follow-up's opened tally carries (null for one that is no redraw, or without facts yet). */
export function bookingTallyOf(facts: BookingFacts | null | undefined, openedAt: string): BookingTally | null {
  if (facts == null || !facts.redraw) return null;
  return {
    lab: facts.lab,
    booked_hours: facts.firstAt === null ? null : hoursBetween(facts.offeredAt ?? openedAt, facts.firstAt),
    here: facts.firstHere,
    drawn: facts.firstAt !== null && facts.drawnAt !== null && facts.drawnAt > facts.firstAt,
    missed: facts.missed,
  };
}
