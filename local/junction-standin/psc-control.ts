/**
 * The PSC part of the Junction stand-in's control surface (PscControl,
 * junction-standin/psc-types.ts): in-process over the store, the `/_standin/psc/`
 * routes that serve it to another process, and their client.
 *
 *   setPsc(settings)               POST /_standin/psc/settings               body: some PscSettings -> 204
 *   markNotBookable(id, flag?)     PUT  /_standin/psc/not-bookable/{order_id}  body: {notBookable} -> 204
 *   confirmPending(id)             POST /_standin/psc/pending/{order_id}/confirm -> {settled: boolean}
 *   cancelPending(id)              POST /_standin/psc/pending/{order_id}/cancel  -> {settled: boolean}
 *   bookings()                     GET  /_standin/psc/bookings               -> {bookings: [...]}
 *   webhooks()                     GET  /_standin/webhooks                   -> {webhooks: [...]} (the appointment webhooks posted)
 */
import * as z from 'zod';
import { isRecord, safeDecode } from './http';
import type { StandinStore } from './orders';
import { settlePending } from './psc-book';
import { PscSettings, type PscBooking, type PscControl } from './psc-types';
import type { StandinWebhookPost } from './webhooks';
import { listing, noContent, type ControlClient, type ControlRoutes } from '../standin/control';

const NotBookable = z.object({ notBookable: z.boolean().default(true) });
const Settled = z.object({ settled: z.boolean() });

/** PscControl over the stand-in's own store. */
export function localPscControl(store: StandinStore): PscControl {
  return {
    setPsc: async (settings) => store.psc.set(PscSettings.partial().parse(settings)),
    markNotBookable: async (orderId, notBookable = true) => {
      if (notBookable) store.psc.notBookable.add(orderId);
      else store.psc.notBookable.delete(orderId);
    },
    confirmPending: async (orderId) => settlePending(store, orderId, 'confirmed', Date.now()),
    cancelPending: async (orderId) => settlePending(store, orderId, 'cancelled', Date.now()),
    bookings: async () => store.psc.bookings.map((booking) => ({ ...booking })),
    webhooks: async () => store.psc.webhooks?.list() ?? [],
  };
}

/** The `/_standin/psc/` control routes over `store`. */
export function pscControlRoutes(store: StandinStore): ControlRoutes {
  const local = localPscControl(store);
  const settle = (outcome: 'confirmed' | 'cancelled') => async ({ params }: { params: readonly string[] }) => {
    const orderId = safeDecode(params[0]!);
    return { status: 200, body: { settled: orderId !== null && settlePending(store, orderId, outcome, Date.now()) } };
  };
  return {
    patterns: [
      {
        method: 'PUT',
        path: /^\/_standin\/psc\/not-bookable\/([^/]+)$/,
        handler: async ({ params, body }) => {
          const orderId = safeDecode(params[0]!);
          if (orderId === null) return { status: 400, body: { detail: 'the order id is not a path segment' } };
          await local.markNotBookable(orderId, NotBookable.parse(await body()).notBookable);
          return { status: 204 };
        },
      },
      { method: 'POST', path: /^\/_standin\/psc\/pending\/([^/]+)\/confirm$/, handler: settle('confirmed') },
      { method: 'POST', path: /^\/_standin\/psc\/pending\/([^/]+)\/cancel$/, handler: settle('cancelled') },
    ],
    fixed: {
      'POST /_standin/psc/settings': noContent(async (body) => local.setPsc(PscSettings.partial().parse(await body()))),
      'GET /_standin/psc/bookings': listing('bookings', () => store.psc.bookings),
      'GET /_standin/webhooks': listing('webhooks', () => local.webhooks()),
    },
  };
}

/** PscControl of a stand-in in another process, over its control client. */
export function remotePscControl({ call, done, read }: ControlClient): PscControl {
  const path = (orderId: string, rest: string) => `/psc/pending/${encodeURIComponent(orderId)}/${rest}`;
  return {
    setPsc: (settings) => done('POST', '/psc/settings', settings),
    markNotBookable: (orderId, notBookable = true) => done('PUT', `/psc/not-bookable/${encodeURIComponent(orderId)}`, { notBookable }),
    confirmPending: async (orderId) => Settled.parse(await call('POST', path(orderId, 'confirm'))).settled,
    cancelPending: async (orderId) => Settled.parse(await call('POST', path(orderId, 'cancel'))).settled,
    bookings: () => read(z.array(z.custom<PscBooking>(isRecord)), 'bookings', 'GET', '/psc/bookings'),
    webhooks: () => read(z.array(z.custom<StandinWebhookPost>(isRecord)), 'webhooks', 'GET', '/webhooks'),
  };
}
