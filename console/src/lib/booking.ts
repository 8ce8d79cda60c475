/**
 * Booking the redraw from the follow-up (CONTRACT §14), as the first screen
 * reads and says it: `booking_options` and `booking` of GET /follow-ups/{id},
 * checked where they are read, never cast blindly, and the booking in words.
 * An appointment's time reads in the site's zone, as the patient will see it at
 * the PSC ("Tue 1 Dec 08:30 MST"), with the browser's beside it when its clock
 * differs (an exception to §12's "the browser's zone beside UTC", named in
 * docs/contract.md); where the site's zone is not known, the browser's zone,
 * saying so. A booking recorded as made with the lab was typed in the browser's
 * zone: it reads there, UTC beside. The booking panel's reads and words are
 * lib/booking-reads.ts and lib/booking-answers.ts (in the panel's chunk).
 */
import { browserZone, zonedParts } from './time';

/** What the first screen's words read of a follow-up (lib/types.ts FollowUp has it). */
interface Booked {
  state: string;
  snoozed_until: string | null;
  booking?: Booking | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type BookHow = 'here' | 'with_lab_only' | 'no';

/** How the follow-up's redraw can be booked, from stored facts only. */
export interface BookingOptions {
  book: BookHow;
  why: string | null;
}

/** A call to Junction claimed and not yet answered (someone is booking now, or its outcome is unknown). */
export interface BookingAttempt {
  kind: string;
  at: string;
  by: string | null;
}

/** `follow_up.booking`: the redraw's booking, a Junction appointment or one recorded as made with the lab. */
export interface Booking {
  appointment_id: string | null;
  site_code: string | null;
  start_at: string | null;
  iana_timezone: string | null;
  /** Junction's appointment status (pending, confirmed, cancelled, completed, ...), or `recorded` for the lab's. */
  status: string | null;
  /** Who booked it; null: the patient or someone elsewhere. */
  booked_by: string | null;
  booked_with: 'junction' | 'lab' | null;
  attempt: BookingAttempt | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** `booking_options` of GET /follow-ups/{id}: `no` when absent (a tracker before §14). */
export function asBookingOptions(value: unknown): BookingOptions {
  if (!isRecord(value) || (value.book !== 'here' && value.book !== 'with_lab_only' && value.book !== 'no')) return { book: 'no', why: null };
  return { book: value.book, why: text(value.why) };
}

/** `follow_up.booking`, or null (none, or a tracker before §14). */
export function bookingOf(value: unknown): Booking | null {
  if (!isRecord(value)) return null;
  const attempt = isRecord(value.attempt) && typeof value.attempt.at === 'string' ? { kind: text(value.attempt.kind) ?? 'book', at: value.attempt.at, by: text(value.attempt.by) } : null;
  return {
    appointment_id: text(value.appointment_id),
    site_code: text(value.site_code),
    start_at: text(value.start_at),
    iana_timezone: text(value.iana_timezone),
    status: text(value.status),
    booked_by: text(value.booked_by),
    booked_with: value.booked_with === 'junction' || value.booked_with === 'lab' ? value.booked_with : null,
    attempt,
  };
}

/** A Junction booking still ahead and not ended (pending, reserved, confirmed): reschedule and cancel apply, book does not. */
export function activeBooking(booking: Booking | null, now: Date): boolean {
  if (booking === null || booking.booked_with !== 'junction' || booking.start_at === null) return false;
  return ['pending', 'reserved', 'confirmed'].includes(booking.status ?? '') && Date.parse(booking.start_at) > now.getTime();
}

/** A booking recorded as made with the lab, still ahead: recording again replaces it, cancel ends it. */
export function recordedBooking(booking: Booking | null, now: Date): boolean {
  return booking !== null && booking.booked_with === 'lab' && booking.status === 'recorded' && booking.start_at !== null && Date.parse(booking.start_at) > now.getTime();
}

/** The words of the booking group's refusal (403), kept for the rest of this tab: a follow-up opened later shows Book disabled too. */
let forbiddenInTab: string | null = null;
export const bookingForbidden = (): string | null => forbiddenInTab;
export const forbidBooking = (words: string): string => (forbiddenInTab = words);

/** "Tue 1 Dec" of a wall-clock date ("2026-12-01"); with its year when it is not `thisYear`. */
export function dayLabel(date: string, thisYear = String(new Date().getFullYear())): string {
  const at = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  const [weekday, month] = (['weekday', 'month'] as const).map((part) => at.toLocaleString('en-US', { [part]: 'short', timeZone: 'UTC' }));
  return `${weekday} ${at.getUTCDate()} ${month}${date.startsWith(thisYear) ? '' : ` ${date.slice(0, 4)}`}`;
}

/** An instant's wall clock in `zone`: "Tue 1 Dec" and "08:30 MST". */
export function clockIn(iso: string, zone: string): { day: string; time: string; date: string } {
  const parts = zonedParts(new Date(iso), zone);
  return { day: dayLabel(parts.date), time: `${parts.time} ${parts.zoneName}`, date: parts.date };
}

/** The browser's clock beside the site's, when it reads otherwise: "10:30 EST" (its day too when another), else null. */
export function yoursBeside(iso: string, siteZone: string | null, zone = browserZone()): string | null {
  if (siteZone === null) return null;
  const site = zonedParts(new Date(iso), siteZone);
  const yours = zonedParts(new Date(iso), zone);
  if (site.date === yours.date && site.time === yours.time) return null;
  return `${site.date === yours.date ? '' : `${dayLabel(yours.date)} `}${yours.time} ${yours.zoneName}`;
}

/**
 * "Tue 1 Dec 08:30 MST", "Tue 1 Dec 08:30 MST (10:30 EST, your zone)", or, with
 * no site zone, "Tue 1 Dec 10:30 EST (your zone; the site's time zone is not
 * known)"; `comma` puts one after the day ("Tue 1 Dec, 08:30 MST").
 */
export function slotWhen(iso: string, siteZone: string | null, comma = false, zone = browserZone()): string {
  const clock = clockIn(iso, siteZone ?? zone);
  const when = `${clock.day}${comma ? ',' : ''} ${clock.time}`;
  if (siteZone === null) return `${when} (your zone; the site's time zone is not known)`;
  const beside = yoursBeside(iso, siteZone, zone);
  return beside === null ? when : `${when} (${beside}, your zone)`;
}

/** A recorded lab booking's time: the browser's zone, named, UTC beside (as the snooze picker says it). */
function labWhen(iso: string, zone: string): string {
  const clock = clockIn(iso, zone);
  const utc = new Date(iso).toISOString();
  return `${clock.day}, ${clock.time} (${utc.slice(11, 16)} UTC)`;
}

/** "snoozed until Thu 3 Dec 08:30 (your zone)", or '' while it is not snoozed. */
function snoozeWords(followUp: Booked, zone: string): string {
  if (followUp.state !== 'snoozed' || !followUp.snoozed_until) return '';
  const parts = zonedParts(new Date(followUp.snoozed_until), zone);
  return `; snoozed until ${dayLabel(parts.date)} ${parts.time} (your zone)`;
}

/**
 * The booking as the first screen says it: "Booked Tue 1 Dec, 08:30 MST at
 * Quest site 23070; snoozed until Thu 3 Dec 08:30 (your zone)"; a pending one
 * "Waiting for Quest to confirm ..." (never as booked); one the tracker did not
 * book "Booked by the patient or elsewhere: ..."; a lab booking, a cancelled and
 * a completed one in their words. Null without a booking.
 */
export function bookingLine(followUp: Booked, zone = browserZone()): string | null {
  const booking = followUp.booking ?? null;
  if (booking === null || booking.start_at === null || Number.isNaN(Date.parse(booking.start_at))) return null;
  const lab = booking.booked_with === 'lab';
  const when = lab ? labWhen(booking.start_at, zone) : slotWhen(booking.start_at, booking.iana_timezone, true, zone);
  const site = booking.site_code === null ? '' : ` at ${lab ? 'the lab’s site' : 'Quest site'} ${booking.site_code}`;
  const snoozed = snoozeWords(followUp, zone);
  if (booking.status === 'cancelled') return `The booking of ${when}${site} was cancelled`;
  if (booking.status === 'completed') return `The appointment of ${when}${site} took place (completed)`;
  if (lab) return `Booked with the lab: ${when}${site}${snoozed}`;
  if (booking.status === 'pending') return `Waiting for Quest to confirm ${when}${site}${snoozed}`;
  if (booking.booked_by === null) return `Booked by the patient or elsewhere: ${when}${site}${snoozed}`;
  return `Booked ${when}${site}${snoozed}`;
}

/** A claimed call to Junction in words: someone booking now (under a minute), or an outcome not known yet. Null without one. */
export function attemptWords(booking: Booking | null, now: Date, zone = browserZone()): string | null {
  const attempt = booking?.attempt ?? null;
  if (attempt === null || Number.isNaN(Date.parse(attempt.at))) return null;
  const since = zonedParts(new Date(attempt.at), zone);
  const who = attempt.by ?? 'Someone';
  if (now.getTime() - Date.parse(attempt.at) < 60_000) return `${who} is booking this redraw now (since ${since.time} ${since.zoneName}).`;
  return `${who}’s booking at ${since.time} ${since.zoneName} has no known outcome yet: booking again reads Junction first and books at most once.`;
}
