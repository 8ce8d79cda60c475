/**
 * Realistic Junction webhook bodies, for the simulator (`npm run simulate`),
 * tests, benchmarks and the API stand-in (junction-standin.ts): order snapshots
 * as Junction sends them (events so far, last_event, the transaction listing as
 * of that moment), complete ClientFacingOrder objects as Junction's OpenAPI
 * schema requires them (test/integration/junction-standin-openapi.test.ts checks),
 * with every free-text PHI field filled by canary values, so that anyone can
 * search stored items, logs and responses for them. Pure: no I/O, no randomness
 * but fresh ids and the seeded delivery schedule.
 */
import { createHash, randomUUID } from 'node:crypto';
import { instantMillis } from '../functions/core/instant';
import { transactionStatus } from '../functions/core/transaction-status';

/** Every value planted in a PHI field starts with this. Search for it. */
export const PHI_CANARY = 'CANARY-PHI';

/** The team and user of every generated order (fake ids; the API stand-in reports the same team). */
export const FLOW_TEAM_ID = '6353bcab-3526-4838-8c92-063fa760fb6b';
export const FLOW_USER_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
/** The customer's own id for the user: a UUID in Junction's schema, so it cannot carry a canary. */
export const FLOW_CLIENT_USER_ID = '0c1e0000-0000-4000-8000-00000000c1e0';

/**
 * The PHI-bearing fields of a ClientFacingOrder, complete as Junction's OpenAPI
 * schema requires them. Every free-text field holds a canary; fields the schema
 * constrains (a date-time date of birth, enums) hold obviously fake values.
 */
export function phiFields(tag: string, method: Method = 'walk_in_test', lab: string | null = STANDIN_LAB, sampleType = 'serum'): Record<string, unknown> {
  const canary = (field: string) => `${PHI_CANARY}-${field}-${tag}`;
  return {
    patient_details: {
      first_name: canary('first-name'),
      last_name: canary('last-name'),
      dob: '1900-01-01T00:00:00+00:00',
      gender: canary('gender'),
      email: canary('email'),
      phone_number: canary('phone'),
    },
    patient_address: {
      receiver_name: canary('receiver'),
      first_line: canary('address-1'),
      second_line: canary('address-2'),
      city: canary('city'),
      state: canary('state'),
      zip: canary('zip'),
      country: canary('country'),
      phone_number: canary('address-phone'),
    },
    shipping_details: {
      receiver_name: canary('shipping-name'),
      first_line: canary('shipping-address'),
      second_line: null,
      city: canary('shipping-city'),
      state: canary('shipping-state'),
      zip: canary('shipping-zip'),
      country: canary('shipping-country'),
      phone_number: canary('shipping-phone'),
    },
    notes: canary('notes'),
    clinical_notes: canary('clinical-notes'),
    icd_codes: [canary('icd-code')],
    sample_id: canary('sample-id'),
    passthrough: canary('passthrough'),
    physician: { first_name: canary('physician'), last_name: canary('physician-last-name'), npi: canary('npi') },
    lab_test: {
      id: '00000000-0000-4000-8000-00000000a001',
      slug: 'standin-panel',
      // A test's name can tell a diagnosis: PHI for our purposes.
      name: canary('lab-test-name'),
      sample_type: sampleType,
      method,
      price: 10,
      is_active: true,
      status: 'active',
      fasting: false,
      // Junction's lab is nullable (a test kit's example has none).
      lab:
        lab === null
          ? null
          : {
              id: 1,
              slug: lab,
              name: 'Stand-in Lab',
              first_line_address: '1 Example Street',
              city: 'Nowhere',
              zipcode: '00000',
              collection_methods: [method],
              sample_types: [sampleType],
            },
      markers: [{ id: 1, name: canary('marker'), slug: 'standin-marker' }],
    },
  };
}

/** The lab a flow's orders name unless they say otherwise. */
export const STANDIN_LAB = 'standin-lab';

export type Method = 'walk_in_test' | 'at_home_phlebotomy' | 'on_site_collection' | 'testkit';

/** Low-level status paths Junction documents for each collection method, ending in completed. */
export const HAPPY_PATHS: Record<Method, string[]> = {
  walk_in_test: ['ordered', 'requisition_created', 'appointment_pending', 'appointment_scheduled', 'partial_results', 'completed'],
  at_home_phlebotomy: ['ordered', 'requisition_created', 'appointment_scheduled', 'draw_completed', 'partial_results', 'completed'],
  on_site_collection: ['ordered', 'requisition_created', 'draw_completed', 'partial_results', 'completed'],
  testkit: ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'completed'],
};

const HIGH: Record<string, string> = {
  ordered: 'received', requisition_created: 'received', requisition_bypassed: 'received',
  appointment_pending: 'collecting_sample', appointment_scheduled: 'collecting_sample', redraw_available: 'collecting_sample',
  transit_customer: 'collecting_sample', with_customer: 'collecting_sample', transit_lab: 'collecting_sample',
  partial_results: 'sample_with_lab', delivered_to_lab: 'sample_with_lab',
  completed: 'completed', corrected: 'completed', cancelled: 'cancelled', sample_error: 'failed', lost: 'failed',
};

export function statusString(method: Method, low: string): string {
  const high = low === 'draw_completed' ? (method === 'on_site_collection' ? 'sample_with_lab' : 'collecting_sample') : (HIGH[low] ?? 'collecting_sample');
  return `${high}.${method}.${low}`;
}

export interface FlowOrder {
  id: string;
  origin: 'initial' | 'redraw' | 'recreation' | null;
  method: Method;
  parentId?: string;
  /** Its `lab_test.lab.slug` (null: `lab: null`, as a test kit's may be); STANDIN_LAB by default. */
  lab?: string | null;
  /** Its `lab_test.sample_type`; serum by default. */
  sampleType?: string;
}

export interface FlowStep {
  /** Index into the flow's orders. */
  order: number;
  low: string;
  /** The event's `status_detail` (Junction's OrderStatusDetail, e.g. sample_hemolyzed on a test kit's sample_error); none by default. */
  detail?: string;
  /** The order's `has_missing_results` in this step's webhook; by default true in redraw_available, null otherwise. */
  missingResults?: boolean | null;
}

export interface FlowSpec {
  transactionId: string | null;
  orders: FlowOrder[];
  steps: FlowStep[];
  /** Time of the first step; steps are `stepMinutes` apart. */
  start: Date;
  stepMinutes?: number;
  /** First event id; Junction's event ids grow across orders. */
  firstEventId?: number;
  /** Leave `last_event` out of these bodies, as the docs' examples do (ordering falls back to events[]). */
  omitLastEvent?: boolean;
}

/** One webhook Junction sends: the order's snapshot right after one of its events. */
export interface Delivery {
  orderId: string;
  eventId: number;
  eventType: 'labtest.order.created' | 'labtest.order.updated';
  body: Record<string, unknown>;
}

interface Snapshot {
  events: { id: number; created_at: string; status: string; status_detail?: string }[];
  low: string;
  lowAt: string;
  createdAt: string;
}

/** The webhooks of a flow, in the order Junction emits them (each order's newest is its last one). */
export function buildDeliveries(spec: FlowSpec): Delivery[] {
  const minutes = spec.stepMinutes ?? 60;
  let eventId = spec.firstEventId ?? 1000;
  const state = new Map<number, Snapshot>();
  const deliveries: Delivery[] = [];
  spec.steps.forEach((step, index) => {
    const order = spec.orders[step.order]!;
    const at = new Date(spec.start.getTime() + index * minutes * 60_000).toISOString();
    const previous = state.get(step.order);
    const event = { id: eventId++, created_at: at, status: statusString(order.method, step.low), ...(step.detail === undefined ? {} : { status_detail: step.detail }) };
    const snapshot: Snapshot = {
      events: [...(previous?.events ?? []), event],
      low: step.low,
      lowAt: at,
      createdAt: previous?.createdAt ?? at,
    };
    state.set(step.order, snapshot);
    const listed = [...state.entries()];
    const listing = spec.transactionId === null ? null : {
      id: spec.transactionId,
      // Junction reports its own view of the transaction; the contract's rule stands in for it here.
      status: transactionStatus(listed.map(([i, s]) => ({ origin: spec.orders[i]!.origin, low_level_status: s.low }))),
      orders: listed
        .sort(([, a], [, b]) => a.createdAt.localeCompare(b.createdAt))
        .map(([i, s]) => ({
          id: spec.orders[i]!.id,
          created_at: s.createdAt,
          updated_at: s.lowAt,
          low_level_status: s.low,
          low_level_status_created_at: s.lowAt,
          origin: spec.orders[i]!.origin,
          ...(spec.orders[i]!.parentId ? { parent_id: spec.orders[i]!.parentId } : {}),
        })),
    };
    const data: Record<string, unknown> = {
      id: order.id,
      team_id: FLOW_TEAM_ID,
      user_id: FLOW_USER_ID,
      ...phiFields(`${order.id}-${event.id}`, order.method, order.lab === undefined ? STANDIN_LAB : order.lab, order.sampleType),
      details: detailsOf(order, snapshot.createdAt, at, `${order.id}-${event.id}`),
      created_at: snapshot.createdAt,
      updated_at: at,
      status: statusString(order.method, step.low).split('.')[0],
      events: snapshot.events,
      ...(spec.omitLastEvent ? {} : { last_event: event }),
      origin: order.origin,
      order_transaction: listing,
      has_missing_results: step.missingResults !== undefined ? step.missingResults : step.low === 'redraw_available' ? true : null,
      interpretation: step.low === 'completed' ? 'normal' : null,
      health_insurance_id: null,
      requisition_form_url: null,
      priority: false,
      billing_type: 'client_bill',
      has_abn: false,
      activate_by: null,
      expected_result_by_date: null,
      worst_case_result_by_date: null,
    };
    deliveries.push({
      orderId: order.id,
      eventId: event.id,
      eventType: previous ? 'labtest.order.updated' : 'labtest.order.created',
      body: envelope(previous ? 'labtest.order.updated' : 'labtest.order.created', data),
    });
  });
  return deliveries;
}

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

export function envelope(eventType: string, data: unknown): Record<string, unknown> {
  return {
    event_type: eventType,
    user_id: FLOW_USER_ID,
    client_user_id: FLOW_CLIENT_USER_ID,
    team_id: FLOW_TEAM_ID,
    data,
  };
}

/** `details` of a ClientFacingOrder for the order's collection method (a test kit's shipment carries canaries). */
function detailsOf(order: FlowOrder, createdAt: string, updatedAt: string, tag: string): Record<string, unknown> {
  const data: Record<string, unknown> = { id: uuidFrom('details', order.id), created_at: createdAt, updated_at: updatedAt };
  if (order.method === 'walk_in_test' || order.method === 'at_home_phlebotomy') data.appointment_id = uuidFrom('appointment', order.id);
  if (order.method === 'testkit') {
    const canary = (field: string) => `${PHI_CANARY}-${field}-${tag}`;
    data.shipment = {
      id: uuidFrom('shipment', order.id),
      outbound_tracking_number: canary('outbound-tracking'),
      outbound_tracking_url: null,
      inbound_tracking_number: canary('inbound-tracking'),
      inbound_tracking_url: null,
      outbound_courier: 'usps',
      inbound_courier: 'usps',
      notes: canary('shipment-notes'),
    };
  }
  return { type: order.method, data };
}

/** A UUID-shaped id derived from its parts: the same order always has the same sub-resource ids, without randomness. */
export function uuidFrom(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The newest delivery of each order: what the stored state must converge to. */
export function newestByOrder(deliveries: readonly Delivery[]): Map<string, Delivery> {
  const newest = new Map<string, Delivery>();
  for (const delivery of deliveries) {
    const current = newest.get(delivery.orderId);
    if (!current || delivery.eventId > current.eventId) newest.set(delivery.orderId, delivery);
  }
  return newest;
}

export type RedrawOutcome =
  | 'completed'
  /** The redraw order completes with results still missing (Junction completes it regardless, and redraws once). */
  | 'incomplete'
  | 'cancelled'
  | 'sample_error'
  | 'not_created'
  | 'in_progress'
  /** The initial order's results came after all: it leaves redraw_available for completed, no redraw order. */
  | 'results_received'
  /** The initial order is cancelled in redraw_available, no redraw order: the transaction is cancelled. */
  | 'initial_cancelled'
  /** The initial order is cancelled, then support reinstates the transaction: its redraw order comes and is in progress. */
  | 'reinstated';

/**
 * A walk-in redraw flow: the initial order reaches redraw_available, then a
 * redraw order joins the transaction and ends as `outcome` (or never appears, or
 * is still in progress), or the initial order moves on without one.
 */
export function redrawFlow(ids: { transactionId: string; initialId: string; redrawId: string }, outcome: RedrawOutcome, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const steps: FlowStep[] = ['ordered', 'requisition_created', 'appointment_scheduled', 'partial_results', 'redraw_available'].map((low) => ({ order: 0, low }));
  const initialAfter = { results_received: ['completed'], initial_cancelled: ['cancelled'], reinstated: ['cancelled'] }[outcome as 'results_received' | 'initial_cancelled' | 'reinstated'] ?? [];
  steps.push(...initialAfter.map((low) => ({ order: 0, low })));
  const redrawPath = {
    completed: ['ordered', 'requisition_created', 'appointment_scheduled', 'completed'],
    incomplete: ['ordered', 'requisition_created', 'appointment_scheduled', 'completed'],
    cancelled: ['ordered', 'cancelled'],
    sample_error: ['ordered', 'requisition_created', 'sample_error'],
    not_created: [],
    in_progress: ['ordered', 'requisition_created'],
    results_received: [],
    initial_cancelled: [],
    reinstated: ['ordered', 'requisition_created'],
  }[outcome];
  steps.push(...redrawPath.map((low) => ({ order: 1, low, ...(outcome === 'incomplete' && low === 'completed' ? { missingResults: true } : {}) })));
  return {
    transactionId: ids.transactionId,
    orders: [
      { id: ids.initialId, origin: 'initial', method: 'walk_in_test' },
      { id: ids.redrawId, origin: 'redraw', method: 'walk_in_test', parentId: ids.initialId },
    ],
    steps,
    start,
  };
}

/** A single order's flow along its method's documented path, cut at `length` steps. */
export function simpleFlow(ids: { transactionId: string | null; orderId: string }, method: Method, length?: number, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const path = HAPPY_PATHS[method].slice(0, length ?? HAPPY_PATHS[method].length);
  return { transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method }], steps: path.map((low) => ({ order: 0, low })), start };
}

/**
 * How an order Junction never redraws ends without all its results (CONTRACT §9
 * `no_redraw`): a test kit's sample the lab could not use (`sample_error`, with
 * its `events[].status_detail`), a kit lost on its way, or a walk-in order of a
 * team without redraws completed with `has_missing_results: true`.
 */
export type NoRedrawEnding = { low: 'sample_error'; detail: string } | { low: 'lost' } | { low: 'completed' };

/** A single order along its method's documented path to `ending`, with results missing and no redraw. */
export function noRedrawFlow(ids: { transactionId: string | null; orderId: string }, method: Method, ending: NoRedrawEnding, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const path = HAPPY_PATHS[method].slice(0, -1);
  // A lost kit never reaches the lab: it is lost on its way there.
  const before = ending.low === 'lost' ? path.filter((low) => low !== 'delivered_to_lab') : path;
  const last: FlowStep =
    ending.low === 'sample_error' ? { order: 0, low: 'sample_error', detail: ending.detail } : ending.low === 'completed' ? { order: 0, low: 'completed', missingResults: true } : { order: 0, low: 'lost' };
  return { transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method }], steps: [...before.map((low) => ({ order: 0, low })), last], start };
}

/** The flow with every order at `lab` (`lab_test.lab.slug`; null: `lab: null`, as a test kit's may be): a redraw is drawn where its initial order was. */
export function atLab(spec: FlowSpec, lab: string | null): FlowSpec {
  return { ...spec, orders: spec.orders.map((order) => ({ ...order, lab })) };
}

/** A fresh UUID, for test isolation on a shared table (and fresh orders on every simulator run). */
export function freshId(): string {
  return randomUUID();
}


/** One HTTP request Svix makes: an attempt at one delivery. Every attempt of a delivery keeps its message id. */
export interface DeliveryAttempt {
  delivery: Delivery;
  /** Position of the delivery in the order Junction emitted it (0-based). */
  index: number;
  /** The Svix message id (`svix-id`), shared by all attempts of one delivery. */
  messageId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

export interface SvixScheduleOptions {
  /** Seed of the shuffle and of the retries: the same seed gives the same schedule. */
  seed: number;
  /** Chance that a delivery is attempted again (each further attempt has the same chance). Default 0.4. */
  retryRate?: number;
  /** Most attempts of one delivery. Default 3. */
  maxAttempts?: number;
  /** Message ids; fresh `msg_<uuid>` ids by default. */
  messageId?: () => string;
}

/**
 * The requests Svix might make for these deliveries: every delivery at least
 * once, some again (a retry after a timeout or a 5xx keeps its message id), all
 * in a shuffled order (Svix guarantees none).
 */
export function svixSchedule(deliveries: readonly Delivery[], options: SvixScheduleOptions): DeliveryAttempt[] {
  const random = mulberry32(options.seed);
  const retryRate = options.retryRate ?? 0.4;
  const maxAttempts = options.maxAttempts ?? 3;
  const messageId = options.messageId ?? (() => `msg_${randomUUID().replaceAll('-', '')}`);
  const requests: Omit<DeliveryAttempt, 'attempt'>[] = [];
  deliveries.forEach((delivery, index) => {
    const id = messageId();
    let attempts = 1;
    while (attempts < maxAttempts && random() < retryRate) attempts++;
    for (let n = 0; n < attempts; n++) requests.push({ delivery, index, messageId: id });
  });
  // Fisher-Yates, then number the attempts of each message in the order they are sent.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [requests[i], requests[j]] = [requests[j]!, requests[i]!];
  }
  const seen = new Map<string, number>();
  return requests.map((request) => {
    const attempt = (seen.get(request.messageId) ?? 0) + 1;
    seen.set(request.messageId, attempt);
    return { ...request, attempt };
  });
}

/** A small seeded PRNG (mulberry32): reproducible schedules without a dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
