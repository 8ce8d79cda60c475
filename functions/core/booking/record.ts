/**
 * A follow-up's booking (CONTRACT §14, "Where it is kept"): the appointment the
 * tracker booked, moved, cancelled or recorded for its redraw order, and the
 * bookkeeping that makes a booking happen at most once (`attempt`, `seq`,
 * `unknown_since`). No PHI: times, operational codes, an actor and hashes.
 */
import { canonicalFromDate, instantMillis } from '../instant';

export const BOOKING_CALLS = ['book', 'reschedule', 'cancel'] as const;
export type BookingCallKind = (typeof BOOKING_CALLS)[number];

/**
 * A call to Junction claimed before it is sent (§14's `attempt`): its kind, when it
 * was claimed, the idempotency key it is sent with, and what this implementation
 * also keeps to recognise its outcome later: who claimed it, and the slot (its
 * start and site) a book or reschedule asked for.
 */
export interface BookingAttempt {
  kind: BookingCallKind;
  at: string;
  key: string;
  by: string;
  slot_start: string | null;
  site_code: string | null;
}

export interface Booking {
  appointment_id: string | null;
  site_code: string | null;
  start_at: string | null;
  end_at: string | null;
  iana_timezone: string | null;
  /** Junction's appointment status (pending, reserved, confirmed, completed, cancelled, ...), or `recorded` for a booking made with the lab; null: none yet. */
  status: string | null;
  /** Who booked it (a verified actor); null when Junction's appointment was booked elsewhere. */
  booked_by: string | null;
  booked_at: string | null;
  booked_with: 'junction' | 'lab' | null;
  /** The first 16 hex of the booking key's SHA-256 (the key itself is never kept). */
  key_hash: string | null;
  unknown_since: string | null;
  attempt: BookingAttempt | null;
  /** How many of this follow-up's calls to Junction have a known outcome. */
  seq: number;
}

/** An attempt younger than this is someone booking now (409 booking_in_progress); an older one is an unknown outcome. */
export const ATTEMPT_HOLD_MS = 60_000;

/** Junction's statuses of an appointment still ahead (CONTRACT §10's active ones). */
const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['pending', 'reserved', 'confirmed']);

/** A booking before any: nothing booked, nothing attempted. */
export const NO_BOOKING: Booking = {
  appointment_id: null,
  site_code: null,
  start_at: null,
  end_at: null,
  iana_timezone: null,
  status: null,
  booked_by: null,
  booked_at: null,
  booked_with: null,
  key_hash: null,
  unknown_since: null,
  attempt: null,
  seq: 0,
};

/** The follow-up's booking, or NO_BOOKING (a follow-up stored before bookings, or never booked). */
export function bookingOf(followUp: { booking?: Booking | null }): Booking {
  return followUp.booking ?? NO_BOOKING;
}

/** Whether a Junction appointment is active (§14: `pending`, `reserved`, `confirmed`, its start ahead of `now`). */
export function hasActiveJunctionBooking(booking: Booking, now: Date): boolean {
  return booking.booked_with === 'junction' && booking.status !== null && ACTIVE_STATUSES.has(booking.status) && startAhead(booking, now);
}

/** Whether a booking made with the lab is recorded and still ahead. */
export function hasActiveLabBooking(booking: Booking, now: Date): boolean {
  return booking.booked_with === 'lab' && booking.status === 'recorded' && startAhead(booking, now);
}

function startAhead(booking: Booking, now: Date): boolean {
  return booking.start_at === null || instantMillis(booking.start_at) > now.getTime();
}

/** Whether the attempt was claimed under ATTEMPT_HOLD_MS before `now`: someone is booking now. */
export function attemptInProgress(booking: Booking, now: Date): boolean {
  return booking.attempt !== null && now.getTime() - instantMillis(booking.attempt.at) < ATTEMPT_HOLD_MS;
}

/** The hash of the booking key an attempt was sent with (the idempotency key's last part). */
export function attemptKeyHash(attempt: BookingAttempt): string {
  return attempt.key.slice(attempt.key.lastIndexOf(':') + 1);
}

/** When a booking's snooze ends (§14, §10's moment): its start plus APPOINTMENT_GRACE_HOURS. */
export function bookingSnoozeUntil(startAt: string, graceHours: number): string {
  return canonicalFromDate(new Date(instantMillis(startAt) + graceHours * 3_600_000));
}

/** The four booking actions (CONTRACT §14), in the contract's order. */
export const BOOKING_ACTION_NAMES = ['book', 'reschedule_booking', 'cancel_booking', 'record_booking'] as const;
export type BookingActionName = (typeof BOOKING_ACTION_NAMES)[number];

/** Whether a body's `action` names one of the booking actions. */
export function isBookingAction(body: unknown): boolean {
  const action = typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
  return (BOOKING_ACTION_NAMES as readonly unknown[]).includes(action);
}

const BOOKING_FIELDS = Object.keys(NO_BOOKING) as (keyof Booking)[];
const ATTEMPT_FIELDS: (keyof BookingAttempt)[] = ['kind', 'at', 'key', 'by', 'slot_start', 'site_code'];

/** Whether two bookings say the same, field by field (a map read back from DynamoDB may hold its keys in another order). */
export function sameBooking(a: Booking, b: Booking): boolean {
  return BOOKING_FIELDS.every((field) => {
    if (field !== 'attempt') return (a[field] ?? null) === (b[field] ?? null);
    if (a.attempt === null || b.attempt === null) return a.attempt === b.attempt;
    return ATTEMPT_FIELDS.every((part) => (a.attempt![part] ?? null) === (b.attempt![part] ?? null));
  });
}
