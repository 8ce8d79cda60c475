/**
 * A local stand-in for Junction's API (CONTRACT §6), for `npm start`, the
 * simulator and the tests: a node:http server on 127.0.0.1 that serves
 *
 *   GET /v3/order/{order_id}                 a ClientFacingOrder
 *   GET /v3/order_transaction/{transaction_id}  {id, team_id, status, orders: OrderSummary[]}
 *   GET /v3/orders?page&size&updated_start_date&updated_end_date&order_key&order_direction
 *                                            {orders, total, page, size}
 *   GET /v3/order/{order_id}/psc/appointment  a ClientFacingAppointment (CONTRACT §10)
 *   GET /v3/order/{order_id}/result          a LabResultsRaw, or 422 (CONTRACT §9; junction-standin-results.ts)
 *
 * from an in-memory store of orders (whole ClientFacingOrder objects, as the flow
 * builders of junction-flows.ts make them), requiring the `x-vital-api-key`
 * header (401 without it or with another key). Its answers are checked against
 * Junction's OpenAPI schemas (test/integration/junction-standin-openapi.test.ts),
 * so it cannot drift from the real service.
 *
 * Like Junction, it answers each order with its transaction as it is now: the
 * `order_transaction` of an answer (and the transaction endpoint) is derived
 * from the stand-in's orders of that transaction, so an order whose webhooks
 * were lost still shows up in its siblings' listings.
 *
 * Control surface, the same in-process (`StandinControl`, on the object
 * `startJunctionStandin` returns) and from another process (`connectStandin`,
 * over the HTTP routes below, which need the same `x-vital-api-key`, are never
 * logged as requests and never hit by faults):
 *
 *   putOrder(order)             PUT    /_standin/orders/{order_id}   body: the order     -> 204
 *   putOrders(orders)           POST   /_standin/orders              body: {orders: [...]} -> 204
 *   putAppointment(appointment) PUT    /_standin/appointments/{order_id}  body: a ClientFacingAppointment -> 204
 *   orders()                    GET    /_standin/orders              -> {orders: [...]} (as stored)
 *   reset()                     POST   /_standin/reset               drops orders, appointments, faults and the request log -> 204
 *   injectFault(fault)          POST   /_standin/faults              body: a StandinFault -> 204
 *   clearFaults()               DELETE /_standin/faults              -> 204
 *   requests()                  GET    /_standin/requests            -> {requests: [...]} (API requests seen, oldest first)
 *   clearRequests()             DELETE /_standin/requests            -> 204
 *   recordDeliveries(deliveries)          puts each order's newest state from a flow's webhooks
 *   recordAppointments(deliveries)        puts each order's newest appointment from appointment webhooks
 *   loseWebhooks(deliveries, lost)        the same, and says which webhooks never arrive
 *
 * Faults apply to the next matching API requests, first injected first:
 * `status` answers that status (e.g. 500, 503, 429 with `retryAfter`, or 403),
 * before the key is checked, as an outage at the edge would; `delay` waits
 * `delayMs` and then answers normally (to trigger a client's timeout);
 * `malformed_json` and `not_an_order` answer 200 with garbage (the latter a JSON
 * body with PHI canaries that is no order, transaction or page), after the key
 * check. `times` (default 1) or `'always'`; `endpoint` limits a fault to one
 * endpoint.
 *
 * In-process only, `onPageRead(hook)` lets a test change orders at Junction
 * between two page reads of `GET /v3/orders` (as Junction's own users do while a
 * sync pages): the hook sees each page as it was answered and returns the orders
 * to store before the next request is served (e.g. with a later `updated_at`,
 * which moves them out of an `updated_end_date` filter and shifts the later
 * pages by one towards page 1).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { canonicalInstant, instantMillis } from '../functions/core/instant';
import { Instant } from '../functions/core/schemas';
import { parseStatus } from '../functions/core/status';
import { transactionStatus } from '../functions/core/transaction-status';
import { FLOW_TEAM_ID, newestByOrder, PHI_CANARY, type AppointmentDelivery, type Delivery } from './junction-flows';
import { resultsAnswer } from './junction-standin-results';
import { listenOnLoopback } from './http-adapter';

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

export type StandinEndpoint = 'order' | 'order_transaction' | 'orders' | 'appointment' | 'results';
const ENDPOINTS = ['order', 'order_transaction', 'orders', 'appointment', 'results'] as const;

const Times = z.union([z.number().int().positive(), z.literal('always')]).default(1);
const Common = { times: Times, endpoint: z.enum(ENDPOINTS).optional() };
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
type Fault = z.output<typeof StandinFault>;

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

export interface StandinControl {
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
  close(): Promise<void>;
}

export interface StandinOptions {
  /** Default: a fresh random key. */
  apiKey?: string;
  /** Default 0: any free port. */
  port?: number;
}

/** The newest state of each order of these webhooks, as Junction's API answers it (always with `last_event`). */
export function finalOrders(deliveries: readonly Delivery[]): StandinOrder[] {
  return [...newestByOrder(deliveries).values()].map((delivery) => {
    const order = StandinOrder.parse(delivery.body.data);
    if (order.last_event !== undefined) return order;
    // Webhooks may omit last_event (Junction's docs examples do); the API's ClientFacingOrder requires it.
    const events = Array.isArray(order.events) ? order.events.filter(isRecord) : [];
    const last = events.reduce<Record<string, unknown> | null>((newest, event) => (newest === null || Number(event.id) > Number(newest.id) ? event : newest), null);
    return { ...order, last_event: last };
  });
}

/** Which webhooks reach the tracker and which never arrive, per `lost`. Pure. */
export function splitDeliveries(deliveries: readonly Delivery[], lost: readonly LostWebhooks[]): { delivered: Delivery[]; withheld: Delivery[] } {
  const withheld = new Set<Delivery>();
  for (const { orderId, last } of lost) {
    const own = deliveries.filter((delivery) => delivery.orderId === orderId).sort((a, b) => a.eventId - b.eventId);
    const count = last === 'all' ? own.length : Math.max(0, Math.min(last, own.length));
    for (const delivery of own.slice(own.length - count)) withheld.add(delivery);
  }
  return {
    delivered: deliveries.filter((delivery) => !withheld.has(delivery)),
    withheld: deliveries.filter((delivery) => withheld.has(delivery)),
  };
}

/** The control methods that are built on the others, shared by both implementations. */
function withFlowHelpers(base: Omit<StandinControl, 'recordDeliveries' | 'loseWebhooks' | 'recordAppointments'>): StandinControl {
  return {
    ...base,
    async recordAppointments(deliveries) {
      const newest = new Map<string, AppointmentDelivery>();
      for (const delivery of deliveries) {
        const held = newest.get(delivery.orderId);
        if (!held || instantMillis(delivery.eventAt) > instantMillis(held.eventAt)) newest.set(delivery.orderId, delivery);
      }
      for (const delivery of newest.values()) await base.putAppointment(StandinAppointment.parse(delivery.body.data));
    },
    recordDeliveries: (deliveries) => base.putOrders(finalOrders(deliveries)),
    async loseWebhooks(deliveries, lost) {
      await base.putOrders(finalOrders(deliveries));
      return splitDeliveries(deliveries, lost);
    },
  };
}

/** Starts the stand-in on 127.0.0.1. */
export async function startJunctionStandin(options: StandinOptions = {}): Promise<JunctionStandin> {
  const apiKey = options.apiKey ?? `sk_standin_${randomBytes(12).toString('hex')}`;
  const store = new StandinStore();
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { detail: 'Internal Server Error' });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://standin.invalid');
    const authorized = request.headers['x-vital-api-key'] === apiKey;
    if (url.pathname.startsWith('/_standin/')) {
      if (!authorized) return send(response, 401, { detail: 'Invalid API key' });
      return control(request, response, url);
    }
    const endpoint = endpointOf(url.pathname);
    const record: StandinRequest = { method: request.method ?? 'GET', url: `${url.pathname}${url.search}`, endpoint, status: 0, fault: null };
    store.log.push(record);
    const fault = store.takeFault(endpoint);
    record.fault = fault?.kind ?? null;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(response, status, body, headers);
    };
    if (fault?.kind === 'delay') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, fault.delayMs);
        pending.add(timer);
      });
      if (response.destroyed) return;
    }
    if (fault?.kind === 'status') {
      return answer(fault.status, { detail: `injected status ${fault.status}` }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
    }
    if (!authorized) return answer(401, { detail: 'Invalid API key' });
    if (fault?.kind === 'malformed_json') {
      record.status = 200;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"orders": [{"id": "${PHI_CANARY}-malformed`);
      return;
    }
    if (fault?.kind === 'not_an_order') {
      return answer(200, { detail: `${PHI_CANARY}-not-an-order`, orders: `${PHI_CANARY}-not-a-list`, patient_details: { first_name: `${PHI_CANARY}-first-name` } });
    }
    if (endpoint === null) return answer(404, { detail: 'Not Found' });
    if (request.method !== 'GET') return answer(405, { detail: 'Method Not Allowed' });
    const result = store.answer(endpoint, url);
    answer(result.status, result.body);
  }

  async function control(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    const orderPath = /^\/_standin\/orders\/([^/]+)$/.exec(url.pathname);
    const appointmentPath = /^\/_standin\/appointments\/([^/]+)$/.exec(url.pathname);
    try {
      if (request.method === 'PUT' && appointmentPath) {
        const appointment = StandinAppointment.parse(await readJson(request));
        if (appointment.order_id !== safeDecode(appointmentPath[1]!)) return send(response, 400, { detail: 'the body order_id is not the order id in the path' });
        store.appointments.set(appointment.order_id, structuredClone(appointment));
        return send(response, 204);
      }
      if (request.method === 'PUT' && orderPath) {
        const order = StandinOrder.parse(await readJson(request));
        if (order.id !== safeDecode(orderPath[1]!)) return send(response, 400, { detail: 'the body id is not the id in the path' });
        store.put([order]);
        return send(response, 204);
      }
      switch (route) {
        case 'POST /_standin/orders':
          store.put(z.object({ orders: z.array(StandinOrder) }).parse(await readJson(request)).orders);
          return send(response, 204);
        case 'GET /_standin/orders':
          return send(response, 200, { orders: store.all() });
        case 'POST /_standin/reset':
          store.reset();
          return send(response, 204);
        case 'POST /_standin/faults':
          store.faults.push(StandinFault.parse(await readJson(request)));
          return send(response, 204);
        case 'DELETE /_standin/faults':
          store.faults.length = 0;
          return send(response, 204);
        case 'GET /_standin/requests':
          return send(response, 200, { requests: store.log });
        case 'DELETE /_standin/requests':
          store.log.length = 0;
          return send(response, 204);
        default:
          return send(response, 404, { detail: 'Not Found' });
      }
    } catch (error) {
      if (error instanceof z.ZodError || error instanceof SyntaxError) return send(response, 400, { detail: error instanceof z.ZodError ? z.prettifyError(error) : 'body is not valid JSON' });
      throw error;
    }
  }

  const port = await listenOnLoopback(server, options.port ?? 0);

  const local = withFlowHelpers({
    putOrder: async (order) => store.put([StandinOrder.parse(order)]),
    putOrders: async (orders) => store.put(orders.map((order) => StandinOrder.parse(order))),
    orders: async () => store.all(),
    putAppointment: async (appointment) => {
      const parsed = StandinAppointment.parse(appointment);
      store.appointments.set(parsed.order_id, structuredClone(parsed));
    },
    reset: async () => store.reset(),
    injectFault: async (fault) => {
      store.faults.push(StandinFault.parse(fault));
    },
    clearFaults: async () => {
      store.faults.length = 0;
    },
    requests: async () => store.log.map((entry) => ({ ...entry })),
    clearRequests: async () => {
      store.log.length = 0;
    },
  });
  return {
    ...local,
    url: `http://127.0.0.1:${port}`,
    apiKey,
    onPageRead: (hook) => {
      store.pageHook = hook;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The control surface of a stand-in running in another process (e.g. `npm run junction-api`). */
export function connectStandin(url: string, apiKey: string): StandinControl {
  const base = url.replace(/\/+$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${base}/_standin${path}`, {
      method,
      headers: { 'x-vital-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`stand-in: ${method} /_standin${path} answered ${response.status}`);
    return response.status === 204 ? null : response.json();
  }
  return withFlowHelpers({
    putOrder: async (order) => {
      await call('PUT', `/orders/${encodeURIComponent(order.id)}`, order);
    },
    putOrders: async (orders) => {
      await call('POST', '/orders', { orders });
    },
    orders: async () => z.object({ orders: z.array(StandinOrder) }).parse(await call('GET', '/orders')).orders,
    putAppointment: async (appointment) => {
      await call('PUT', `/appointments/${encodeURIComponent(appointment.order_id)}`, appointment);
    },
    reset: async () => {
      await call('POST', '/reset');
    },
    injectFault: async (fault) => {
      await call('POST', '/faults', fault);
    },
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    requests: async () => z.object({ requests: z.array(z.custom<StandinRequest>(isRecord)) }).parse(await call('GET', '/requests')).requests,
    clearRequests: async () => {
      await call('DELETE', '/requests');
    },
  });
}

/** The orders, faults and request log of one stand-in, and how it answers the three endpoints. */
class StandinStore {
  private readonly byId = new Map<string, StandinOrder>();
  /** Each order's active appointment, by order id. */
  readonly appointments = new Map<string, StandinAppointment>();
  readonly faults: Fault[] = [];
  readonly log: StandinRequest[] = [];
  pageHook: StandinPageHook | null = null;

  put(orders: readonly StandinOrder[]): void {
    for (const order of orders) this.byId.set(order.id, structuredClone(order));
  }

  all(): StandinOrder[] {
    return [...this.byId.values()].map((order) => structuredClone(order));
  }

  reset(): void {
    this.byId.clear();
    this.appointments.clear();
    this.faults.length = 0;
    this.log.length = 0;
    this.pageHook = null;
  }

  /** The first fault for this endpoint, one of its times used up. */
  takeFault(endpoint: StandinEndpoint | null): Fault | null {
    const index = this.faults.findIndex((fault) => fault.endpoint === undefined || fault.endpoint === endpoint);
    if (index < 0) return null;
    const fault = this.faults[index]!;
    if (fault.times !== 'always') {
      if (fault.times <= 1) this.faults.splice(index, 1);
      else this.faults[index] = { ...fault, times: fault.times - 1 };
    }
    return fault;
  }

  answer(endpoint: StandinEndpoint, url: URL): { status: number; body: unknown } {
    if (endpoint === 'appointment') {
      const orderId = safeDecode(url.pathname.split('/')[3] ?? '');
      const appointment = orderId === null ? undefined : this.appointments.get(orderId);
      return appointment ? { status: 200, body: structuredClone(appointment) } : { status: 404, body: { detail: 'Appointment not found' } };
    }
    if (endpoint === 'results') {
      const orderId = safeDecode(url.pathname.split('/')[3] ?? '');
      const order = orderId === null ? undefined : this.byId.get(orderId);
      if (!order) return { status: 404, body: { detail: 'Order not found' } };
      const event = newestEventOf(order);
      return resultsAnswer({ id: order.id, lowLevelStatus: event ? parseStatus(event.status).low : null, hasMissingResults: order.has_missing_results });
    }
    const id = safeDecode(url.pathname.split('/').pop() ?? '');
    if (id === null) return { status: 404, body: { detail: 'Not Found' } };
    switch (endpoint) {
      case 'order': {
        const order = this.byId.get(id);
        return order ? { status: 200, body: this.view(order) } : { status: 404, body: { detail: 'Order not found' } };
      }
      case 'order_transaction': {
        const members = this.members(id);
        if (members.length === 0) return { status: 404, body: { detail: 'Order transaction not found' } };
        const stored = members.map((member) => this.byId.get(member.id)).find((order) => order !== undefined);
        return {
          status: 200,
          body: {
            id,
            team_id: typeof stored?.team_id === 'string' ? stored.team_id : FLOW_TEAM_ID,
            status: statusOf(members),
            orders: members.map((member) => ({
              id: member.id,
              origin: member.origin,
              parent_id: member.parent_id,
              last_status: member.low_level_status ?? 'ordered',
              last_status_created_at: member.low_level_status_created_at ?? member.created_at,
              updated_at: member.updated_at,
              created_at: member.created_at,
            })),
          },
        };
      }
      case 'orders':
        return this.page(url.searchParams);
    }
  }

  private page(params: URLSearchParams): { status: number; body: unknown } {
    const problems: unknown[] = [];
    const page = integerParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER, problems);
    const size = integerParam(params, 'size', 50, 1, 100, problems);
    const start = dateParam(params, 'updated_start_date', problems);
    const end = dateParam(params, 'updated_end_date', problems);
    const key = enumParam(params, 'order_key', ORDER_KEYS, problems);
    const direction = enumParam(params, 'order_direction', ORDER_DIRECTIONS, problems);
    if (problems.length > 0) return { status: 422, body: { detail: problems } };
    const ascending = SORTS[key ?? 'created_at'];
    const compare = direction === 'desc' ? (a: StandinOrder, b: StandinOrder) => ascending(b, a) : ascending;
    const matching = [...this.byId.values()]
      .filter((order) => {
        const updated = instantMillis(order.updated_at);
        return (start === null || updated >= start) && (end === null || updated <= end);
      })
      .sort(compare);
    const slice = matching.slice((page - 1) * size, page * size);
    const body = { orders: slice.map((order) => this.view(order)), total: matching.length, page, size };
    const changed = this.pageHook?.({ page, size, total: matching.length, ids: slice.map((order) => order.id), orders: () => this.all() });
    if (changed) this.put(changed.map((order) => StandinOrder.parse(order)));
    return { status: 200, body };
  }

  /** The order as the API answers it: its transaction listing as the stand-in knows it now. */
  private view(order: StandinOrder): StandinOrder {
    const copy = structuredClone(order);
    const transactionId = transactionIdOf(order);
    if (transactionId === null) return copy;
    const members = this.members(transactionId);
    return {
      ...copy,
      order_transaction: {
        id: transactionId,
        status: statusOf(members),
        orders: members.map((member) => ({ ...member })),
      },
    };
  }

  /**
   * The members of a transaction as Junction would list them: every stored order
   * of it at its own newest state, plus orders that only a stored order's listing
   * names (at the newest status that any listing gives them).
   */
  private members(transactionId: string): Member[] {
    const stored = [...this.byId.values()].filter((order) => transactionIdOf(order) === transactionId);
    const listed = new Map<string, Member>();
    const parents = new Map<string, string>();
    for (const order of stored) {
      for (const entry of listingOf(order)) {
        if (entry.parent_id) parents.set(entry.id, entry.parent_id);
        const known = listed.get(entry.id);
        if (!known || statusTime(entry) > statusTime(known)) listed.set(entry.id, entry);
      }
    }
    const members = new Map<string, Member>(listed);
    for (const order of stored) {
      const event = newestEventOf(order);
      members.set(order.id, {
        id: order.id,
        low_level_status: event ? parseStatus(event.status).low : (listed.get(order.id)?.low_level_status ?? null),
        low_level_status_created_at: event ? event.created_at : (listed.get(order.id)?.low_level_status_created_at ?? null),
        origin: typeof order.origin === 'string' ? order.origin : null,
        parent_id: parents.get(order.id) ?? null,
        created_at: order.created_at,
        updated_at: order.updated_at,
      });
    }
    return [...members.values()].sort(byCreation);
  }
}

/** An order in a transaction listing (`ClientFacingOrderInTransaction`). */
interface Member {
  id: string;
  low_level_status: string | null;
  low_level_status_created_at: string | null;
  origin: string | null;
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

const ListingEntry = z.object({
  id: z.string().min(1),
  low_level_status: z.string().nullish(),
  low_level_status_created_at: z.nullish(Instant),
  origin: z.string().nullish(),
  parent_id: z.string().nullish(),
  created_at: Instant,
  updated_at: Instant,
});

const EventShape = z.object({ id: z.number(), created_at: Instant, status: z.string() });

function listingOf(order: StandinOrder): Member[] {
  const transaction = order.order_transaction;
  if (!isRecord(transaction) || !Array.isArray(transaction.orders)) return [];
  return transaction.orders.flatMap((entry) => {
    const parsed = ListingEntry.safeParse(entry);
    if (!parsed.success) return [];
    const { low_level_status, low_level_status_created_at, origin, parent_id, ...rest } = parsed.data;
    return [{ ...rest, low_level_status: low_level_status ?? null, low_level_status_created_at: low_level_status_created_at ?? null, origin: origin ?? null, parent_id: parent_id ?? null }];
  });
}

function transactionIdOf(order: StandinOrder): string | null {
  const transaction = order.order_transaction;
  return isRecord(transaction) && typeof transaction.id === 'string' ? transaction.id : null;
}

function newestEventOf(order: StandinOrder): z.output<typeof EventShape> | null {
  const last = EventShape.safeParse(order.last_event);
  if (last.success) return last.data;
  const events = Array.isArray(order.events) ? order.events.flatMap((event) => {
    const parsed = EventShape.safeParse(event);
    return parsed.success ? [parsed.data] : [];
  }) : [];
  return events.reduce<z.output<typeof EventShape> | null>((newest, event) => (newest === null || event.id > newest.id ? event : newest), null);
}

function statusTime(member: Member): number {
  return member.low_level_status_created_at === null ? -Infinity : instantMillis(member.low_level_status_created_at);
}

function statusOf(members: readonly Member[]): string {
  return transactionStatus(members.flatMap((member) => (member.low_level_status ? [{ origin: member.origin, low_level_status: member.low_level_status }] : [])));
}

function byCreation(a: { id: string; created_at: string }, b: { id: string; created_at: string }): number {
  const byTime = instantMillis(a.created_at) - instantMillis(b.created_at);
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `order_key` values (Junction's OpenAPI: GET /v3/orders); Junction does not document its default sort: creation here. */
const ORDER_KEYS = ['created_at', 'patient_name', 'last_status'] as const;
const ORDER_DIRECTIONS = ['asc', 'desc'] as const;

/** Ascending sorts by `order_key`, each a total order (ties by creation, then id), so offset pages are stable while nothing changes. */
const SORTS: Record<(typeof ORDER_KEYS)[number], (a: StandinOrder, b: StandinOrder) => number> = {
  created_at: byCreation,
  patient_name: (a, b) => compareText(patientNameOf(a), patientNameOf(b)) || byCreation(a, b),
  last_status: (a, b) => compareText(newestEventOf(a)?.status ?? '', newestEventOf(b)?.status ?? '') || byCreation(a, b),
};

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function patientNameOf(order: StandinOrder): string {
  const details = order.patient_details;
  if (!isRecord(details)) return '';
  return [details.first_name, details.last_name].filter((part) => typeof part === 'string').join(' ');
}

function endpointOf(pathname: string): StandinEndpoint | null {
  if (/^\/v3\/order\/[^/]+$/.test(pathname)) return 'order';
  if (/^\/v3\/order\/[^/]+\/psc\/appointment$/.test(pathname)) return 'appointment';
  if (/^\/v3\/order\/[^/]+\/result$/.test(pathname)) return 'results';
  if (/^\/v3\/order_transaction\/[^/]+$/.test(pathname)) return 'order_transaction';
  if (pathname === '/v3/orders') return 'orders';
  return null;
}

/** FastAPI's 422 detail entry, as Junction (a FastAPI service) answers it. */
function problem(name: string, message: string, input: string): unknown {
  return { type: 'value_error', loc: ['query', name], msg: message, input };
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number, problems: unknown[]): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(problem(name, `Input should be an integer from ${min} to ${max}`, raw));
    return fallback;
  }
  return value;
}

/** An enum query parameter, refused as FastAPI refuses it (type `enum`, the expected values in `ctx`). */
function enumParam<T extends string>(params: URLSearchParams, name: string, values: readonly T[], problems: unknown[]): T | null {
  const raw = params.get(name);
  if (raw === null) return null;
  const known = values.find((value) => value === raw);
  if (known !== undefined) return known;
  const expected = values.map((value) => `'${value}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
  problems.push({ type: 'enum', loc: ['query', name], msg: `Input should be ${expected}`, input: raw, ctx: { expected } });
  return null;
}

/**
 * `updated_start_date` / `updated_end_date`: a date-time (UTC when it has no
 * offset) or a date alone, which per Junction's parameter descriptions means
 * 00:00:00 of that day for both of them (the document says 23:59:59 only for
 * `end_date`). Inclusive.
 */
function dateParam(params: URLSearchParams, name: string, problems: unknown[]): number | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  const canonical = canonicalInstant(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (canonical === null) {
    problems.push(problem(name, 'Input should be a valid date or datetime', raw));
    return null;
  }
  return instantMillis(canonical);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
