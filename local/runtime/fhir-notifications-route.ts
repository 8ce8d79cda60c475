/**
 * npm start's notifications route (CONTRACT §13, "Notifications"): `POST
 * /fhir/notifications` and `PUT`/`DELETE /fhir/notifications/Task/{id}`,
 * answered by the very handler that runs on AWS (functions/fhir-notifications/app.ts)
 * with FHIR_NOTIFY_SECRET as its secret and npm start's notice queue as its
 * queue; 404 without the secret. The body is read up to MAX_NOTICE_BYTES and
 * no further: a larger one is answered 413 as the handler answers it, unread.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_NOTICE_BYTES, notificationRoute, NOTIFICATIONS_PATH } from '../../functions/core/fhir/notification';
import { createFhirNotificationsHandler, notificationTooLarge } from '../../functions/fhir-notifications/app';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { readBodyWithin, toApiGatewayEvent, writeResult } from '../http-adapter';
import { localContext } from '../lambda-context';
import type { NoticeSink } from './notice-sink';

/** Whether `path` is the notifications route's (served here whatever the method: the handler answers 404 for the rest). */
export function isNotificationsPath(path: string): boolean {
  return path === NOTIFICATIONS_PATH || path.startsWith(`${NOTIFICATIONS_PATH}/`);
}

/** Answers a request to the notifications route. `secret`: FHIR_NOTIFY_SECRET, or null (every request 404). */
export function localNotificationsRoute(secret: string | null, sink: NoticeSink): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const handler = createFhirNotificationsHandler({
    secret: secret === null ? null : () => Promise.resolve(secret),
    enqueue: (notices) => sink.enqueue(notices),
    logger: createLogger(SERVICES.fhirNotifications),
    metrics: createMetrics(SERVICES.fhirNotifications),
  });
  return async (request, response) => {
    const body = await readBodyWithin(request, MAX_NOTICE_BYTES);
    // As on AWS: no secret or no such route is 404 whatever the size; else a body over the limit is 413, unread.
    const routed = secret !== null && notificationRoute(request.method ?? 'GET', new URL(request.url ?? '/', 'http://127.0.0.1').pathname) !== null;
    if (body === null && routed) return writeResult(response, notificationTooLarge());
    writeResult(response, await handler(toApiGatewayEvent(request, body ?? Buffer.alloc(0)), localContext(SERVICES.fhirNotifications)));
  };
}
