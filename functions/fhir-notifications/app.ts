/**
 * The notifications route (CONTRACT §13, "Notifications"): `POST
 * /fhir/notifications`, and `PUT`/`DELETE /fhir/notifications/Task/{id}`, as a
 * factory over its dependencies: handler.ts wires the real ones (the secret in
 * Secrets Manager, the writer's SQS queue), npm start and the tests their own.
 *
 * Checks run cheapest and safest first, and each refusal reads nothing more:
 * 1. no notify secret configured: 404 `not_found` (nothing of the route runs);
 * 2. not one of the routes: 404 `not_found`;
 * 3. a body over MAX_NOTICE_BYTES: 413, before the secret is read or the body
 *    hashed (npm start stops reading at the limit; API Gateway has the body already);
 * 4. neither the bearer nor the signature of the body: 401 (counted, alarmed);
 * 5. the body read (core/fhir/notification.ts): unreadable 400, over
 *    MAX_NOTICE_IDS Tasks 413, no Task named 200; else every notice is queued
 *    and the answer is 202, or 503 when the queue refuses (the server retries:
 *    a notice queued twice only causes the same read).
 * Logs say what was answered and counts, never a header's value, the body or the secret.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  authenticateNotification,
  MAX_NOTICE_BYTES,
  MAX_NOTICE_IDS,
  notificationRoute,
  readNotification,
  type NotificationAuth,
} from '../core/fhir/notification';
import type { FhirNotice } from '../core/fhir/notice';
import { noticeSource } from '../core/fhir/notice-cap';
import { FHIR_METRICS } from '../shared/metric-names';
import { errorName } from '../shared/observability';

type Answer = APIGatewayProxyStructuredResultV2;
export type FhirNotificationsHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;

export interface FhirNotificationsDeps {
  /** The notify secret (cached by its provider); null when none is configured: every request is 404. */
  secret: (() => Promise<string>) | null;
  /** Puts the notices on the writer's queue, all or none said done: a rejection is answered 503. */
  enqueue: (notices: FhirNotice[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
}

/** What each answer's `result` or error `code` is. */
export type NotificationResult = 'queued' | 'no_task' | 'unauthorized' | 'payload_too_large' | 'invalid_request' | 'not_found' | 'unavailable';

const MESSAGES = {
  unauthorized: 'The notification carries neither Authorization: Bearer with the notify secret nor an X-Signature of its body keyed by it.',
  payload_too_large: `A notification may be at most ${MAX_NOTICE_BYTES.toLocaleString('en-US')} bytes and name at most ${MAX_NOTICE_IDS} Tasks.`,
  invalid_request: 'The body is not a FHIR resource in JSON (a Task, or a Bundle of them).',
  not_found: 'No such route: the tracker takes notifications at POST /fhir/notifications (and PUT or DELETE /fhir/notifications/Task/{id}) when it has a notify secret.',
  unavailable: 'The notification could not be queued now; it can be sent again.',
} as const;

/** The 413 of a body over MAX_NOTICE_BYTES, for npm start, which stops reading at the limit. */
export function notificationTooLarge(): Answer {
  return errorAnswer(413, 'payload_too_large');
}

/** Creates the route's handler (middy): logs with per-request keys, one answer per request, one error boundary. */
export function createFhirNotificationsHandler(deps: FhirNotificationsDeps): FhirNotificationsHandler {
  const { logger, metrics } = deps;

  /** Every answer: counted (queued Tasks, refusals) and logged with its counts only. */
  function answered(result: NotificationResult, response: Answer, counts: { tasks?: number; skipped?: number; auth?: NotificationAuth } = {}): Answer {
    metrics.addMetric(FHIR_METRICS.noticesQueued, MetricUnit.Count, counts.tasks ?? 0);
    if (result === 'unauthorized') metrics.addMetric(FHIR_METRICS.notificationsRefused, MetricUnit.Count, 1);
    logger.info('fhir notification answered', { result, status_code: response.statusCode, ...counts });
    return response;
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<Answer> {
    const route = notificationRoute(event.requestContext.http.method, event.rawPath);
    if (deps.secret === null || route === null) return answered('not_found', errorAnswer(404, 'not_found'));
    const bodyBytes = bodyBytesOf(event);
    logger.info('fhir notification received', { body_bytes: bodyBytes });
    if (bodyBytes > MAX_NOTICE_BYTES) return answered('payload_too_large', notificationTooLarge());
    const rawBody = rawBodyOf(event);
    const auth = authenticateNotification(event.headers ?? {}, rawBody, await deps.secret());
    if (auth === null) return answered('unauthorized', errorAnswer(401, 'unauthorized'));
    const read = readNotification(route, event.headers ?? {}, rawBody);
    switch (read.kind) {
      case 'unreadable':
        logger.warn('fhir notification unreadable', { reason: read.reason });
        return answered('invalid_request', errorAnswer(400, 'invalid_request'), { auth });
      case 'too_many':
        return answered('payload_too_large', notificationTooLarge(), { auth });
      case 'none':
        return answered('no_task', json(200, { result: 'no_task' }), { auth, skipped: read.skipped });
      case 'notices': {
        // Each Task notice names who sent it, as verified here (never from the body): the writer caps each source a minute.
        const source = noticeSource(auth, route);
        await deps.enqueue(read.notices.map((notice) => (notice.kind === 'task' ? { ...notice, source } : notice)));
        const tasks = read.notices.filter((notice) => notice.kind === 'task').length;
        return answered('queued', json(202, { result: 'queued', tasks, poll: tasks === 0 }), { auth, tasks, skipped: read.skipped });
      }
    }
  }

  /** The one error boundary: the secret's read or the queue failed; the server sends the notification again. */
  const errorBoundary: MiddlewareObj<APIGatewayProxyEventV2, Answer> = {
    onError: async (request) => {
      logger.error('fhir notification failed', { error_name: errorName(request.error) });
      metrics.addMetric(FHIR_METRICS.notificationsUnqueued, MetricUnit.Count, 1);
      request.response = answered('unavailable', errorAnswer(503, 'unavailable'));
    },
  };

  return middy<APIGatewayProxyEventV2, Answer>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false /* the body and the headers carry the secret or PHI */ }))
    .use(logMetrics(metrics))
    .use(errorBoundary)
    .handler(handle);
}

/** The body's size in bytes, counted without decoding it (a body over the limit is never copied). */
function bodyBytesOf(event: APIGatewayProxyEventV2): number {
  if (event.body === undefined) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The raw body bytes: API Gateway hands a binary or non-text body over base64-encoded. */
function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function errorAnswer(statusCode: 400 | 401 | 404 | 413 | 503, code: keyof typeof MESSAGES): Answer {
  return json(statusCode, { error: { code, message: MESSAGES[code] } });
}

function json(statusCode: number, body: unknown): Answer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
