/**
 * An order's appointment (CONTRACT §10): Junction's `ClientFacingAppointment`
 * (webhooks `labtest.appointment.created` / `.updated`) projected to what the
 * tracker keeps. The payload schema names only the kept fields and the events'
 * times, so everything else (address, location, appointment_notes, user_id,
 * provider_id, event_data, the events' data: PHI or nothing the tracker needs) is
 * stripped by the parse and never travels further than here.
 *
 * Ordering (its own rule, not the orders'): an appointment's version is the
 * newest of its `events[].created_at`; more events at that time come later;
 * anything else still tied is broken by a fingerprint of the kept content, so
 * every permutation of a set of deliveries converges on the same stored one.
 * The rank is that version as sortable text: DynamoDB's condition enforces it.
 * It does not depend on the appointment id: per order, the newest appointment
 * wins (a rescheduled booking with a new id replaces the old one by its rank).
 */
import { createHash } from 'node:crypto';
import { canonicalInstant } from './instant';
import type { AppointmentPayload } from './schemas';

/** Junction's appointment statuses (non-exhaustive: an unknown one is kept as sent). */
export const APPOINTMENT_STATUSES = ['pending', 'reserved', 'confirmed', 'in_progress', 'completed', 'cancelled'] as const;
export type KnownAppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** An order's appointment as the tracker keeps it (no PHI). Instants are canonical (core/instant.ts) or null. */
export interface Appointment {
  id: string;
  order_id: string;
  transaction_id: string | null;
  start_at: string | null;
  end_at: string | null;
  iana_timezone: string | null;
  /** Junction's status: pending | reserved | confirmed | in_progress | completed | cancelled | other. */
  status: string;
  type: string | null;
  provider: string | null;
  /** The ordering key (see the module comment): compare as text, higher is newer. */
  rank: string;
}

/** The contract's answer (CONTRACT §10): what order answers carry as `appointment`. */
export interface AppointmentAnswer {
  id: string;
  start_at: string | null;
  end_at: string | null;
  status: string;
  type: string | null;
  provider: string | null;
}

/** The rank's time when the payload has no event: before any real time. */
export const NO_EVENT_TIME = '0000-00-00T00:00:00.000000Z';

const COUNT_WIDTH = 4; // events[] holds at most 1000

function canonicalOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : canonicalInstant(value);
}

/** The newest `events[].created_at`, canonical, or NO_EVENT_TIME; and how many events carry it. */
function newestEventTime(events: readonly { created_at: string }[]): { time: string; count: number } {
  let time = NO_EVENT_TIME;
  let count = 0;
  for (const event of events) {
    const at = canonicalInstant(event.created_at) ?? NO_EVENT_TIME;
    if (at > time) {
      time = at;
      count = 1;
    } else if (at === time && at !== NO_EVENT_TIME) {
      count++;
    }
  }
  return { time, count };
}

/** A short fingerprint of the kept content (never of PHI: only kept fields go in). */
function fingerprint(kept: Omit<Appointment, 'rank'>): string {
  const text = JSON.stringify([kept.id, kept.order_id, kept.transaction_id, kept.start_at, kept.end_at, kept.iana_timezone, kept.status, kept.type, kept.provider]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The rank of an appointment: `<newest event time>|<events at that time>|<fingerprint>`. */
export function appointmentRank(events: readonly { created_at: string }[], kept: Omit<Appointment, 'rank'>): string {
  const { time, count } = newestEventTime(events);
  return `${time}|${String(count).padStart(COUNT_WIDTH, '0')}|${fingerprint(kept)}`;
}

/** The time part of a rank: the appointment's newest event time (NO_EVENT_TIME when it had none). */
export function rankTime(rank: string): string {
  return rank.slice(0, rank.indexOf('|'));
}

/** Projects a parsed payload, field by field, to the kept appointment. */
export function projectAppointment(payload: AppointmentPayload): Appointment {
  const kept: Omit<Appointment, 'rank'> = {
    id: payload.id,
    order_id: payload.order_id,
    transaction_id: payload.order_transaction_id ?? null,
    start_at: canonicalOrNull(payload.start_at),
    end_at: canonicalOrNull(payload.end_at),
    iana_timezone: payload.iana_timezone ?? null,
    status: payload.status,
    type: payload.type ?? null,
    provider: payload.provider ?? null,
  };
  return { ...kept, rank: appointmentRank(payload.events, kept) };
}

/** Whether `candidate` is newer than `stored` (the rule the conditional write enforces). */
export function isNewerAppointment(candidate: Pick<Appointment, 'rank'>, stored: Pick<Appointment, 'rank'>): boolean {
  return candidate.rank > stored.rank;
}

/** Active appointments (CONTRACT §10): a visit still ahead. */
export function isActiveAppointment(appointment: Pick<Appointment, 'status'>): boolean {
  return appointment.status === 'pending' || appointment.status === 'reserved' || appointment.status === 'confirmed';
}

/** The contract's answer for an order's appointment, fields in the contract's order. */
export function toAppointmentAnswer(appointment: Appointment | null): AppointmentAnswer | null {
  if (appointment === null) return null;
  return {
    id: appointment.id,
    start_at: appointment.start_at,
    end_at: appointment.end_at,
    status: appointment.status,
    type: appointment.type,
    provider: appointment.provider,
  };
}
