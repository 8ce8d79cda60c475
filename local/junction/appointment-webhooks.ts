/**
 * Junction's `labtest.appointment.*` webhooks (CONTRACT §10; junction/flows.ts):
 * one appointment's webhook in the shape of Junction's documented example, every
 * PHI field filled, with canaries where free text can go. Pure.
 */
import { instantMillis } from '../../functions/core/instant';
import { envelope, FLOW_USER_ID, PHI_CANARY } from './order-webhooks';

/** One `labtest.appointment.*` webhook (CONTRACT §10): posted like an order's Delivery. */
export interface AppointmentDelivery {
  orderId: string;
  appointmentId: string;
  eventType: 'labtest.appointment.created' | 'labtest.appointment.updated';
  /** The newest of its events' times (ISO): the appointment's version. */
  eventAt: string;
  body: Record<string, unknown>;
}

export interface AppointmentSpec {
  orderId: string;
  transactionId?: string | null;
  appointmentId: string;
  /** When the visit starts (a string is sent as given: the docs' examples have no offset, UTC); null for none yet. */
  startAt: Date | string | null;
  /** Default: 30 minutes after startAt. */
  endAt?: Date | string | null;
  /** Junction's status: pending | reserved | confirmed | in_progress | completed | cancelled (or a new one). */
  status: string;
  /** The times of its events[], oldest first (at least one): the newest one orders it. */
  eventTimes: readonly (Date | string)[];
  /** Default: created for the first event, updated after. */
  eventType?: AppointmentDelivery['eventType'];
  type?: string;
  provider?: string;
  ianaTimezone?: string;
}

/** Junction's `event_status` for an appointment status (the docs pair `confirmed` with `scheduled`). */
const EVENT_STATUS: Record<string, string> = { confirmed: 'scheduled' };

/**
 * A date as an RFC 3339 date-time (what Junction's schema requires), or a string as
 * given: pass `2022-01-01T00:00:00` for the offset-less UTC form of Junction's docs examples.
 */
function appointmentTime(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString();
}

/**
 * A `labtest.appointment.*` webhook in the shape of Junction's documented
 * example (test/fixtures/junction-docs/02-*.json): every PHI field filled, with
 * canaries where free text can go (address, notes, provider_id, event data), as
 * buildDeliveries does for orders.
 */
export function appointmentDelivery(spec: AppointmentSpec): AppointmentDelivery {
  if (spec.eventTimes.length === 0) throw new RangeError('an appointment webhook has at least one event');
  const canary = (field: string) => `${PHI_CANARY}-${field}-${spec.appointmentId}`;
  const times = spec.eventTimes.map((time) => (typeof time === 'string' ? time : time.toISOString()));
  const eventStatus = EVENT_STATUS[spec.status] ?? spec.status;
  // A start without an offset is UTC (Junction's docs): instantMillis reads it so.
  const start = spec.startAt === null ? null : new Date(typeof spec.startAt === 'string' ? instantMillis(spec.startAt) : spec.startAt.getTime());
  const end = spec.endAt !== undefined ? spec.endAt : start === null ? null : new Date(start.getTime() + 30 * 60_000);
  const eventType = spec.eventType ?? (times.length === 1 ? 'labtest.appointment.created' : 'labtest.appointment.updated');
  const data: Record<string, unknown> = {
    id: spec.appointmentId,
    user_id: FLOW_USER_ID,
    order_id: spec.orderId,
    ...(spec.transactionId ? { order_transaction_id: spec.transactionId } : {}),
    address: {
      first_line: canary('appointment-address-1'),
      second_line: canary('appointment-address-2'),
      city: canary('appointment-city'),
      state: canary('appointment-state'),
      // Junction's schema constrains the zip code to digits: an obviously fake one.
      zip_code: '00000',
      access_notes: canary('appointment-access-notes'),
    },
    // Numbers cannot carry a canary: distinctive fake coordinates instead (searched for as text).
    location: { lng: APPOINTMENT_LOCATION.lng, lat: APPOINTMENT_LOCATION.lat },
    start_at: spec.startAt === null ? null : appointmentTime(spec.startAt),
    end_at: end === null ? null : appointmentTime(end),
    iana_timezone: spec.ianaTimezone ?? 'America/New_York',
    type: spec.type ?? 'patient_service_center',
    provider: spec.provider ?? 'quest',
    status: spec.status,
    event_status: eventStatus,
    provider_id: canary('provider-id'),
    external_id: canary('external-id'),
    can_reschedule: spec.status !== 'cancelled' && spec.status !== 'completed',
    appointment_notes: canary('appointment-notes'),
    event_data: { origin: 'patient', is_reschedule: false, note: canary('event-data') },
    events: times.map((created_at, index) => ({
      created_at,
      status: index === times.length - 1 ? eventStatus : 'pending',
      data: index === 0 ? null : { origin: 'patient', note: canary(`event-${index}`) },
    })),
  };
  const eventAt = times.reduce((newest, time) => (Date.parse(time) > Date.parse(newest) ? time : newest));
  return { orderId: spec.orderId, appointmentId: spec.appointmentId, eventType, eventAt, body: envelope(eventType, data) };
}

/** The fake coordinates of every generated appointment (PHI in Junction's payload: never stored). */
export const APPOINTMENT_LOCATION = { lng: -122.4194155123, lat: 37.7749295321 } as const;
