/**
 * A follow-up's booking (CONTRACT §14) as one sentence of its EHR Task's
 * `description` (§13): "Draw booked for 2026-12-01 08:30 America/Phoenix at
 * Quest site 23070". The time is the booking's start in the site's zone, named;
 * without a zone this runtime knows, in UTC, named so. The words follow the
 * console's and the CLI's (console/src/lib/booking.ts, cli/booking-words.ts):
 * a pending booking is never "booked" ("Waiting for Quest to confirm ..."), a
 * lab booking is "booked with the lab", one the tracker did not make is
 * "booked by the patient or elsewhere", a cancelled one says so.
 *
 * Only codes, times and zone names: never who booked it, the appointment's id,
 * the booking key's hash or the attempt; a site code only in the form an
 * operational code has (anything else is left out, never echoed), a zone name
 * only when it is a zone the runtime knows.
 */
import { isTimeZone, wallClock } from '../alert-time';
import { canonicalInstant } from '../instant';
import type { Booking } from '../booking/record';

/** What the sentence reads of a booking. */
export type BookingFacts = Pick<Booking, 'site_code' | 'start_at' | 'iana_timezone' | 'status' | 'booked_by' | 'booked_with'>;

/** A site code as §14 accepts one; anything else is not written. */
const SITE_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** "2026-12-01 08:30 America/Phoenix" (the site's zone), "2026-12-01 15:30 UTC" (no zone known), or null when `startAt` is no time. */
export function bookingTime(startAt: string | null, zone: string | null): string | null {
  const canonical = startAt === null ? null : canonicalInstant(startAt);
  if (canonical === null) return null;
  const named = zone !== null && zone !== '' && isTimeZone(zone) ? zone : 'UTC';
  return `${wallClock(Date.parse(canonical), named)} ${named}`;
}

/**
 * The booking as a sentence (no final period), or null when nothing is
 * booked (no status: an attempt alone, or none). " for <time>" and
 * " at <site>" are each left out when not known.
 */
export function bookingSentence(booking: BookingFacts): string | null {
  if (booking.status === null) return null;
  const lab = booking.booked_with === 'lab';
  const time = bookingTime(booking.start_at, booking.iana_timezone);
  const site = booking.site_code !== null && SITE_CODE.test(booking.site_code) ? booking.site_code : null;
  const where = `${time === null ? '' : ` for ${time}`}${site === null ? '' : ` at ${lab ? 'the lab’s site' : 'Quest site'} ${site}`}`;
  if (booking.status === 'cancelled') return `${lab ? 'Booking with the lab cancelled' : 'Booking cancelled'}: the draw${where}`;
  if (booking.status === 'completed') return `The draw appointment${where} took place`;
  if (lab) return `Draw booked with the lab${where}`;
  if (booking.status === 'pending') return `Waiting for Quest to confirm the draw${where}`;
  if (booking.booked_by === null) return `Draw booked by the patient or elsewhere${where}`;
  return `Draw booked${where}`;
}
