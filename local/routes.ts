/**
 * Every route `npm start` answers, in one list: the banner prints it, and a
 * test holds it to the router (each answers, none is missing) and to
 * docs/openapi.json (every API path is here). Add a route here when you add it
 * to local/runtime/ (npm start's own: the table in local-routes.ts, whose unit
 * test holds it to this list; the others: router.ts).
 */
export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path as docs/openapi.json writes it (`{id}` parameters). */
  path: string;
  /** What it is, in a few words. */
  about: string;
}

export const LOCAL_ROUTES: readonly LocalRoute[] = [
  { method: 'GET', path: '/', about: 'the console: open it in a browser (CONTRACT §12)' },
  { method: 'POST', path: '/webhooks/junction', about: 'Svix-signed Junction webhooks (CONTRACT §1)' },
  { method: 'POST', path: '/fhir/notifications', about: "the FHIR server's Subscription notifications (with FHIR_NOTIFY_SECRET, CONTRACT §13)" },
  { method: 'PUT', path: '/fhir/notifications/Task/{id}', about: 'HAPI with a payload: a Task changed' },
  { method: 'DELETE', path: '/fhir/notifications/Task/{id}', about: 'HAPI with a payload: a Task deleted' },
  { method: 'GET', path: '/orders/{order_id}', about: 'an order' },
  { method: 'GET', path: '/transactions/{transaction_id}', about: 'a transaction and its orders' },
  { method: 'GET', path: '/redraws', about: '?state=open|stale' },
  { method: 'GET', path: '/follow-ups', about: '?queue=&state=&owner=&age=&ehr=needs_you (CONTRACT §9, §12)' },
  { method: 'GET', path: '/follow-ups/counts', about: 'the count of each open queue (x-redraw-actor: you)' },
  { method: 'GET', path: '/follow-ups/{follow_up_id}', about: 'a follow-up and its history' },
  { method: 'GET', path: '/follow-ups/{follow_up_id}/stamp', about: "what an open follow-up page checks: it changes when the page may show something else" },
  { method: 'GET', path: '/follow-ups/{follow_up_id}/booking/sites', about: "?radius=: the PSCs near the redraw order (with JUNCTION_API_KEY, CONTRACT §14)" },
  { method: 'GET', path: '/follow-ups/{follow_up_id}/booking/slots', about: '?site_codes=A,B&start_date=: their open slots' },
  { method: 'GET', path: '/booking/cancellation-reasons', about: "Junction's reasons to cancel a booking" },
  { method: 'POST', path: '/follow-ups/{follow_up_id}/actions', about: 'acknowledge, assign, snooze, unsnooze, record_contact, close, reopen; book, reschedule_booking, cancel_booking, record_booking (§14) (x-redraw-actor: you)' },
  { method: 'GET', path: '/reports/redraws', about: '?from=&to= or ?weeks=N (CONTRACT §11)' },
  { method: 'GET', path: '/me', about: 'who the tracker takes you for (x-redraw-actor)' },
  { method: 'GET', path: '/health', about: 'ok' },
  { method: 'POST', path: '/local/sweep', about: 'sweep now' },
  { method: 'POST', path: '/local/digest', about: "send last week's digest now (?format=email|chat|json)" },
  { method: 'GET', path: '/local/notifications', about: 'alerts and digests sent (?format=email|chat|json)' },
  { method: 'GET', path: '/local/events', about: '?type= (events for your systems, CONTRACT §7)' },
  { method: 'POST', path: '/local/backfill', about: "{since, until?}: Junction's orders (with JUNCTION_API_KEY)" },
];

/** The banner's route lines: `  POST http://127.0.0.1:3000/webhooks/junction   Svix-signed ...`, aligned. */
export function routeLines(baseUrl: string): string[] {
  const width = Math.max(...LOCAL_ROUTES.map((route) => `${baseUrl}${route.path}`.length));
  return LOCAL_ROUTES.map((route) => `  ${route.method.padEnd(4)} ${`${baseUrl}${route.path}`.padEnd(width)}  ${route.about}`);
}
