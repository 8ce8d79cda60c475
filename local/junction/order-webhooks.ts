/**
 * Junction's order webhooks for a flow (junction/flows.ts): order snapshots as
 * Junction sends them (events so far, last_event, the transaction listing as of
 * that moment), complete ClientFacingOrder objects as Junction's OpenAPI schema
 * requires them, with every free-text PHI field filled by canary values. Pure.
 */
import { createHash } from 'node:crypto';
import { transactionStatus } from '../../functions/core/transaction-status';
import { STANDIN_LAB, statusString, type FlowOrder, type FlowSpec, type Method } from './flow-specs';

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
