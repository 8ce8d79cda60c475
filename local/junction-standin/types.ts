/**
 * What the Junction API stand-in (local/junction-standin.ts) is made of and
 * offers: the orders and appointments it stores (only the fields it reads are
 * checked), the faults it can play, the requests it logs, its control surface
 * (in-process and over HTTP, local/junction-standin/control.ts) and the page
 * hook of `GET /v3/orders`.
 */
import * as z from 'zod';
import { Instant } from '../../functions/core/schemas';
import type { AppointmentDelivery, Delivery } from '../junction/flows';
import type { PscControl, PscSettings } from './psc-types';
import type { StandinWebhookOptions } from './webhook-types';

export * from './psc-types';

/** A whole ClientFacingOrder. The stand-in needs only these three fields to store, sort and filter it. */
export const StandinOrder = z.looseObject({
  id: z.string().min(1).max(200).regex(/^[^/?#]+$/, 'must be usable as a path segment'),
  created_at: Instant,
  updated_at: Instant,
});
export type StandinOrder = z.output<typeof StandinOrder>;

/**
 * A whole ClientFacingAppointment (an appointment webhook's `data`). The stand-in
 * needs only its order id (one appointment per order: the active one, as Junction's
 * GET answers it).
 */
export const StandinAppointment = z.looseObject({
  id: z.string().min(1).max(200),
  order_id: z.string().min(1).max(200).regex(/^[^/?#]+$/, 'must be usable as a path segment'),
});
export type StandinAppointment = z.output<typeof StandinAppointment>;

/** The API's endpoints, as faults and the request log name them (the `psc_*` ones: junction-standin/psc.ts). */
export const STANDIN_ENDPOINTS = [
  'order',
  'order_transaction',
  'orders',
  'appointment',
  'results',
  'psc_info',
  'psc_availability',
  'psc_book',
  'psc_reschedule',
  'psc_cancel',
  'psc_cancellation_reasons',
] as const;
export type StandinEndpoint = (typeof STANDIN_ENDPOINTS)[number];

const Times = z.union([z.number().int().positive(), z.literal('always')]).default(1);
const Common = { times: Times, endpoint: z.enum(STANDIN_ENDPOINTS).optional() };
export const StandinFault = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    /** The `Retry-After` header as sent: seconds ("2") or an HTTP date. */
    retryAfter: z.string().min(1).max(100).optional(),
    ...Common,
  }),
  z.object({ kind: z.literal('delay'), delayMs: z.number().int().min(0).max(600_000), ...Common }),
  z.object({ kind: z.literal('malformed_json'), ...Common }),
  z.object({ kind: z.literal('not_an_order'), ...Common }),
]);
export type StandinFault = z.input<typeof StandinFault>;
/** A fault as stored: its `times` given. */
export type Fault = z.output<typeof StandinFault>;

/** One API request the stand-in saw (control routes are not recorded). */
export interface StandinRequest {
  method: string;
  /** Path and query, as requested. */
  url: string;
  endpoint: StandinEndpoint | null;
  /** The status answered (for a `delay` fault, the status after the delay). */
  status: number;
  /** The fault that shaped the answer, if any. */
  fault: Fault['kind'] | null;
}

/** "This order's last N webhooks never arrive" (`'all'`: none of them does). */
export interface LostWebhooks {
  orderId: string;
  last: number | 'all';
}

export interface StandinControl extends PscControl {
  putOrder(order: StandinOrder): Promise<void>;
  putOrders(orders: readonly StandinOrder[]): Promise<void>;
  orders(): Promise<StandinOrder[]>;
  /** Junction's active appointment of its order (replaces the order's previous one). */
  putAppointment(appointment: StandinAppointment): Promise<void>;
  reset(): Promise<void>;
  injectFault(fault: StandinFault): Promise<void>;
  clearFaults(): Promise<void>;
  requests(): Promise<StandinRequest[]>;
  clearRequests(): Promise<void>;
  /** Junction knows every order of these webhooks at its newest state. */
  recordDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /**
   * Records every order of `deliveries` at its newest state (Junction knows it),
   * and splits the webhooks into those that reach the tracker and those that
   * never arrive (each listed order's last N, by event id). Both lists keep the
   * order of `deliveries`.
   */
  loseWebhooks(deliveries: readonly Delivery[], lost: readonly LostWebhooks[]): Promise<{ delivered: Delivery[]; withheld: Delivery[] }>;
  /** Junction knows each order's newest appointment of these webhooks (by their newest event time). */
  recordAppointments(deliveries: readonly AppointmentDelivery[]): Promise<void>;
}

/** A page of `GET /v3/orders` as the stand-in answered it, for `onPageRead` hooks. */
export interface StandinPageRead {
  page: number;
  size: number;
  /** Orders matching the filters when the page was answered. */
  total: number;
  /** The ids on the page, in the answer's order. */
  ids: string[];
  /** Every stored order as it is now (copies). */
  orders(): StandinOrder[];
}

/** Called after each answered page of `GET /v3/orders`; the orders it returns are stored before the next request. */
export type StandinPageHook = (read: StandinPageRead) => readonly StandinOrder[] | void;

export interface JunctionStandin extends StandinControl {
  /** e.g. http://127.0.0.1:4010: use it as JUNCTION_API_BASE_URL. */
  url: string;
  apiKey: string;
  /** Sets (or, with null, removes) the hook run between page reads (see the module's comment); `reset()` removes it too. */
  onPageRead(hook: StandinPageHook | null): void;
  /** Where it posts the appointment webhooks (`webhooks.to`, as a URL), or null: it posts none. */
  webhooksTo: string | null;
  close(): Promise<void>;
}

export interface StandinOptions {
  /** Default: a fresh random key. */
  apiKey?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The PSC scheduling routes' settings (DEFAULT_PSC_SETTINGS for those not given); `reset()` comes back to these. */
  psc?: Partial<PscSettings>;
  /**
   * Where to post the signed appointment webhooks after each booking change (`--webhooks-to` and
   * JUNCTION_WEBHOOK_SECRET: junction-standin/webhooks.ts); none are posted without it.
   */
  webhooks?: StandinWebhookOptions;
}
