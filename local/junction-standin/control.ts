/**
 * The Junction API stand-in's control surface (local/junction-standin.ts lists
 * it): the same in-process (`localControl`, over the stand-in's store) and from
 * another process (`connectStandin`, over the `/_standin/` routes that
 * `answerJunctionControl` serves, which need the API key), with the methods built
 * on the others (a flow's webhooks recorded, some of them lost) shared by both.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { instantMillis } from '../../functions/core/instant';
import { newestByOrder, type AppointmentDelivery, type Delivery } from '../junction/flows';
import { isRecord, readJson, safeDecode, send } from './http';
import type { StandinStore } from './orders';
import { localPscControl, pscControlRoutes, remotePscControl } from './psc-control';
import { StandinAppointment, StandinFault, StandinOrder, type LostWebhooks, type StandinControl, type StandinRequest } from './types';
import { answerControl, controlClient, listing, noContent, type ControlRoutes } from '../standin/control';

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
function splitDeliveries(deliveries: readonly Delivery[], lost: readonly LostWebhooks[]): { delivered: Delivery[]; withheld: Delivery[] } {
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

/** The control surface over the stand-in's own store. */
export function localControl(store: StandinStore): StandinControl {
  return withFlowHelpers({
    ...localPscControl(store),
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
}

/** The control routes, over `store`. */
function routesOf(store: StandinStore): ControlRoutes {
  const psc = pscControlRoutes(store);
  return {
    patterns: [
      ...psc.patterns,
      {
        method: 'PUT',
        path: /^\/_standin\/appointments\/([^/]+)$/,
        handler: async ({ params, body }) => {
          const appointment = StandinAppointment.parse(await body());
          if (appointment.order_id !== safeDecode(params[0]!)) return { status: 400, body: { detail: 'the body order_id is not the order id in the path' } };
          store.appointments.set(appointment.order_id, structuredClone(appointment));
          return { status: 204 };
        },
      },
      {
        method: 'PUT',
        path: /^\/_standin\/orders\/([^/]+)$/,
        handler: async ({ params, body }) => {
          const order = StandinOrder.parse(await body());
          if (order.id !== safeDecode(params[0]!)) return { status: 400, body: { detail: 'the body id is not the id in the path' } };
          store.put([order]);
          return { status: 204 };
        },
      },
    ],
    fixed: {
      ...psc.fixed,
      'POST /_standin/orders': noContent(async (body) => store.put(z.object({ orders: z.array(StandinOrder) }).parse(await body()).orders)),
      'GET /_standin/orders': listing('orders', () => store.all()),
      'POST /_standin/reset': noContent(() => store.reset()),
      'POST /_standin/faults': noContent(async (body) => {
        store.faults.push(StandinFault.parse(await body()));
      }),
      'DELETE /_standin/faults': noContent(() => {
        store.faults.length = 0;
      }),
      'GET /_standin/requests': listing('requests', () => store.log),
      'DELETE /_standin/requests': noContent(() => {
        store.log.length = 0;
      }),
    },
  };
}

/** Answers one request to a control route (the API key already checked); a body that is not JSON is 400. */
export async function answerJunctionControl(store: StandinStore, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  try {
    const answer = await answerControl(routesOf(store), request.method ?? 'GET', url.pathname, () => readJson(request));
    send(response, answer.status, answer.body);
  } catch (error) {
    if (error instanceof SyntaxError) return send(response, 400, { detail: 'body is not valid JSON' });
    throw error;
  }
}

/** The control surface of a stand-in running in another process (e.g. `npm run junction-api`). */
export function connectStandin(url: string, apiKey: string): StandinControl {
  const client = controlClient(url.replace(/\/+$/, ''), { name: 'stand-in', headers: { 'x-vital-api-key': apiKey } });
  const { done, read } = client;
  return withFlowHelpers({
    ...remotePscControl(client),
    putOrder: (order) => done('PUT', `/orders/${encodeURIComponent(order.id)}`, order),
    putOrders: (orders) => done('POST', '/orders', { orders }),
    orders: () => read(z.array(StandinOrder), 'orders', 'GET', '/orders'),
    putAppointment: (appointment) => done('PUT', `/appointments/${encodeURIComponent(appointment.order_id)}`, appointment),
    reset: () => done('POST', '/reset'),
    injectFault: (fault) => done('POST', '/faults', fault),
    clearFaults: () => done('DELETE', '/faults'),
    requests: () => read(z.array(z.custom<StandinRequest>(isRecord)), 'requests', 'GET', '/requests'),
    clearRequests: () => done('DELETE', '/requests'),
  });
}
