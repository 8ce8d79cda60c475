/**
 * A local stand-in for Junction's API (CONTRACT §6), for `npm start`, the
 * simulator and the tests: a node:http server on 127.0.0.1 that serves
 *
 *   GET /v3/order/{order_id}                 a ClientFacingOrder
 *   GET /v3/order_transaction/{transaction_id}  {id, team_id, status, orders: OrderSummary[]}
 *   GET /v3/orders?page&size&updated_start_date&updated_end_date&order_key&order_direction
 *                                            {orders, total, page, size}
 *   GET /v3/order/{order_id}/psc/appointment  a ClientFacingAppointment (CONTRACT §10)
 *   GET /v3/order/{order_id}/result          a LabResultsRaw, or 422 (CONTRACT §9; junction-standin/results.ts)
 *   the PSC scheduling routes of CONTRACT §14: psc/info, availability, book,
 *   reschedule, cancel, cancellation-reasons (junction-standin/psc.ts), whose
 *   bookings become the order's appointment above
 *
 * from an in-memory store of orders (whole ClientFacingOrder objects, as the flow
 * builders of junction/flows.ts make them), requiring the `x-vital-api-key`
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
 *   reset()                     POST   /_standin/reset               drops orders, appointments, faults, the request log and the
 *                                                                    PSC state (slots taken, idempotency keys, ...; settings as started) -> 204
 *   injectFault(fault)          POST   /_standin/faults              body: a StandinFault -> 204
 *   clearFaults()               DELETE /_standin/faults              -> 204
 *   requests()                  GET    /_standin/requests            -> {requests: [...]} (API requests seen, oldest first)
 *   clearRequests()             DELETE /_standin/requests            -> 204
 *   recordDeliveries(deliveries)          puts each order's newest state from a flow's webhooks
 *   recordAppointments(deliveries)        puts each order's newest appointment from appointment webhooks
 *   loseWebhooks(deliveries, lost)        the same, and says which webhooks never arrive
 *   setPsc, markNotBookable, confirmPending, cancelPending, bookings   the PSC routes' (junction-standin/psc-control.ts)
 *   webhooks()                  GET    /_standin/webhooks            -> {webhooks: [...]}: the appointment webhooks posted
 *
 * With `webhooks: {to, secret}` (`npm run junction-api -- --webhooks-to URL` with
 * JUNCTION_WEBHOOK_SECRET) it posts, after each booking change the PSC routes
 * make (a book, reschedule or cancel, Quest's confirmation or cancel of a pending
 * booking), the signed `labtest.appointment.created` / `updated` webhook Junction
 * sends, fire and forget, retried a few times (junction-standin/webhooks.ts).
 * Without it, it posts none.
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
 *
 * Its parts: junction-standin/types.ts (what it stores and offers),
 * junction-standin/orders.ts (its state), junction-standin/api.ts (the API and
 * its faults), junction-standin/transactions.ts and junction-standin/page.ts (the
 * answers derived from the orders), junction-standin/control.ts (the control
 * surface, on local/standin/control.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './http-adapter';
import { answerApi } from './junction-standin/api';
import { answerJunctionControl, localControl } from './junction-standin/control';
import { send } from './junction-standin/http';
import { StandinStore } from './junction-standin/orders';
import { DEFAULT_PSC_SETTINGS, PscSettings, type JunctionStandin, type StandinOptions } from './junction-standin/types';
import { AppointmentWebhooks } from './junction-standin/webhooks';
import { FaultDelays } from './standin/faults';

export { connectStandin, finalOrders } from './junction-standin/control';
export * from './junction-standin/types';
export type { StandinWebhookOptions, StandinWebhookPost } from './junction-standin/webhooks';

/** Starts the stand-in on 127.0.0.1. */
export async function startJunctionStandin(options: StandinOptions = {}): Promise<JunctionStandin> {
  const apiKey = options.apiKey ?? `sk_standin_${randomBytes(12).toString('hex')}`;
  const webhooks = options.webhooks === undefined ? null : new AppointmentWebhooks(options.webhooks);
  const store = new StandinStore(PscSettings.parse({ ...DEFAULT_PSC_SETTINGS, ...options.psc }), webhooks);
  const delays = new FaultDelays();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://standin.invalid');
    const authorized = request.headers['x-vital-api-key'] === apiKey;
    if (!url.pathname.startsWith('/_standin/')) return answerApi(store, delays, authorized, request, response, url);
    if (!authorized) return send(response, 401, { detail: 'Invalid API key' });
    return answerJunctionControl(store, request, response, url);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { detail: 'Internal Server Error' });
      else response.destroy();
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 0);
  return {
    ...localControl(store),
    url: `http://127.0.0.1:${port}`,
    apiKey,
    onPageRead: (hook) => {
      store.pageHook = hook;
    },
    webhooksTo: webhooks?.target ?? null,
    close: () => {
      store.psc.reset();
      webhooks?.close();
      return delays.close(server);
    },
  };
}
