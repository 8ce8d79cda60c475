/**
 * A booking (CONTRACT §14) in words, as the CLI prints it: times in the site's
 * zone, named ("Tue 1 Dec 08:30 MST"), or in UTC when the zone is not known
 * (and then it says so); what was booked, moved, cancelled or recorded; and the
 * follow-up's `booking` as one line of `follow-up <id>`. Pending is never
 * "booked": it reads "waiting for Quest to confirm" (§14).
 */
import * as z from 'zod';

/** The follow-up's `booking` as the CLI reads it (loose: the API's other fields pass through to --json). */
const BookingView = z
  .object({
    appointment_id: z.string().nullable(),
    site_code: z.string().nullable(),
    start_at: z.string().nullable(),
    end_at: z.string().nullable().optional(),
    iana_timezone: z.string().nullable(),
    status: z.string().nullable(),
    booked_by: z.string().nullable(),
    booked_with: z.enum(['junction', 'lab']).nullable(),
    unknown_since: z.string().nullable().optional(),
    attempt: z.object({ kind: z.string(), at: z.string(), by: z.string().optional() }).loose().nullable().optional(),
  })
  .loose();
export type BookingView = z.output<typeof BookingView>;

/** The `booking` of a follow-up as the API answered it (FollowUpView passes it through), or null: none, or a tracker before issue 83. */
export function bookingOf(followUp: object): BookingView | null {
  const parsed = BookingView.nullable().safeParse((followUp as { booking?: unknown }).booking ?? null);
  return parsed.success ? parsed.data : null;
}

/** Junction's appointment statuses of a booking still ahead (CONTRACT §10's active ones). */
const ACTIVE = new Set(['pending', 'reserved', 'confirmed']);

/** Whether the booking is one made through Junction and still active: what `reschedule-booking` moves and `cancel-booking` needs a reason for. */
export function activeJunctionBooking(booking: BookingView | null): booking is BookingView {
  return booking !== null && booking.booked_with === 'junction' && booking.status !== null && ACTIVE.has(booking.status);
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter of `zone`'s wall clock, or null when this machine does not know the zone. */
function formatterOf(zone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(zone)) {
    let formatter: Intl.DateTimeFormat | null;
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    } catch {
      formatter = null;
    }
    formatters.set(zone, formatter);
  }
  return formatters.get(zone) ?? null;
}

/** An instant's wall clock in a zone: "Tue 1 Dec", "08:30", "MST". */
interface ZonedTime {
  day: string;
  time: string;
  zoneName: string;
  /** False when the zone was not known (null, or unknown to this machine): the parts are UTC's. */
  inSiteZone: boolean;
}

/** `iso` in `zone` (the site's), else in UTC; null when `iso` is no time. */
export function zonedTime(iso: string, zone: string | null): ZonedTime | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const own = zone === null ? null : formatterOf(zone);
  const formatter = own ?? formatterOf('UTC')!;
  const parts = Object.fromEntries(formatter.formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  return { day: `${parts.weekday} ${parts.day} ${parts.month}`, time: `${parts.hour}:${parts.minute}`, zoneName: parts.timeZoneName ?? 'UTC', inSiteZone: own !== null };
}

/** "Tue 1 Dec 08:30 MST" (the site's zone), "Tue 1 Dec 15:30 UTC" (zone not known), or the text as given when it is no time. */
export function timeWords(iso: string, zone: string | null): string {
  const zoned = zonedTime(iso, zone);
  return zoned === null ? iso : `${zoned.day} ${zoned.time} ${zoned.zoneName}`;
}

/** A day of Junction's (YYYY-MM-DD, the site's own date) as "Tue 1 Dec". */
export function dayWords(date: string): string {
  const at = Date.parse(`${date}T12:00:00Z`);
  return Number.isNaN(at) ? date : zonedTime(new Date(at).toISOString(), 'UTC')!.day;
}

/** Where and when: "Tue 1 Dec 08:30 MST at site 23070" (no site: the time alone; no time: "no time yet"). */
export function placeWords(booking: Pick<BookingView, 'start_at' | 'site_code' | 'iana_timezone'>): string {
  const when = booking.start_at === null ? 'no time yet' : timeWords(booking.start_at, booking.iana_timezone);
  return booking.site_code === null ? when : `${when} at site ${booking.site_code}`;
}

/** An attempt younger than this is someone booking now (409 booking_in_progress); an older one has no known outcome (CONTRACT §14). */
const ATTEMPT_HOLD_MS = 60_000;

/**
 * The follow-up's booking in one line (`follow-up <id>`, after an action), or
 * null when there is nothing to say (no booking, nothing attempted). An attempt
 * with nothing booked yet is someone booking now for a minute, then one whose
 * outcome is not known.
 */
export function bookingLine(booking: BookingView | null, now: Date): string | null {
  if (booking === null) return null;
  if (booking.status === null) {
    const attempt = booking.attempt;
    if (!attempt) return null;
    return now.getTime() - Date.parse(attempt.at) < ATTEMPT_HOLD_MS
      ? `someone is booking it now (a ${attempt.kind} sent at ${attempt.at}${attempt.by ? ` by ${attempt.by}` : ''})`
      : `a ${attempt.kind} sent to Junction at ${attempt.at} has no known outcome: the next book or reschedule reads Junction first`;
  }
  const place = placeWords(booking);
  if (booking.booked_with === 'lab') return booking.status === 'cancelled' ? `cancelled: the booking made with the lab for ${place}` : `booked with the lab for ${place} (recorded here)`;
  switch (booking.status) {
    case 'pending':
      return `waiting for Quest to confirm ${place}`;
    case 'cancelled':
      return `cancelled: ${place}`;
    case 'completed':
      return `completed: ${place}`;
    default:
      return `${booking.booked_by === null ? 'booked by the patient or elsewhere' : `booked by ${booking.booked_by}`}: ${place} (${booking.status})`;
  }
}

/** The booking actions of the CLI, by what they ask the API. */
export type BookingActionKind = 'book' | 'reschedule_booking' | 'cancel_booking' | 'record_booking';

/** The follow-up after a booking action, as much of it as the words need. */
interface BookedFollowUp {
  state: string;
  snoozed_until: string | null;
}

/**
 * What a booking action did, in one sentence: "Booked Tue 1 Dec 08:30 MST at
 * site 23070; snoozed until Thu 3 Dec 08:30 MST." (a pending one: "Asked Quest
 * for ...: waiting for Quest to confirm; ..."). The snooze's end is in the
 * booking's zone too.
 */
export function bookedWords(kind: BookingActionKind, booking: BookingView | null, followUp: BookedFollowUp): string {
  if (booking === null) return 'Nothing is booked.';
  const place = placeWords(booking);
  const pending = booking.status === 'pending';
  const lead = {
    book: pending ? `Asked Quest for ${place}: waiting for Quest to confirm` : booking.status === 'cancelled' ? `The booking of ${place} is cancelled` : `Booked ${place}`,
    reschedule_booking: pending ? `Asked Quest to move the booking to ${place}: waiting for Quest to confirm` : `Moved the booking to ${place}`,
    cancel_booking: booking.booked_with === 'lab' ? `Recorded the cancel of the booking made with the lab for ${place}` : `Cancelled the booking of ${place}`,
    record_booking: `Recorded a booking made with the lab: ${place}`,
  }[kind];
  const tail =
    followUp.state === 'snoozed' && followUp.snoozed_until !== null
      ? `snoozed until ${timeWords(followUp.snoozed_until, booking.iana_timezone)}`
      : `the follow-up is ${followUp.state}${kind === 'cancel_booking' && followUp.state === 'acknowledged' ? ' again' : ''}`;
  return `${lead}; ${tail}.`;
}
