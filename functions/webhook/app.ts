/**
 * The webhook function, POST /webhooks/junction (CONTRACT.md §1), as a factory
 * over its dependencies: handler.ts wires the real ones, tests and the local
 * runtime their own. Checks run cheapest and safest first: size, signature
 * (on the raw bytes, before any parsing), then the body; an order event, or an
 * appointment event (CONTRACT §10), is one conditional write, an unreadable body
 * is quarantined whole for replay.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import { SMOKE_WEBHOOKS_METRIC, WEBHOOKS_METRIC, type WebhookResult } from '../shared/metric-names';
import { errorName } from '../shared/observability';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { projectAppointment, rankTime } from '../core/appointment';
import { projectOrder } from '../core/order-record';
import { isSmokeOrderId } from '../core/smoke';
import type { ReadBody } from '../core/schemas';
import type { ItemWrites } from '../store/table-client';
import { putAppointmentFromWebhook } from '../store/appointments';
import { appointmentExpiry } from '../core/retention';
import { putOrderFromWebhook, type ApplyResult } from '../store/orders';
import { putQuarantine } from '../store/quarantine';
import { beforeDeadline, type StartTimer } from './deadline';
import { readVerifiedBody, verifiedJunctionBody, WebhookRejection, type BodyReader } from './verified-body';

export { MAX_BODY_BYTES, readVerifiedBody, type BodyReader } from './verified-body';

export { SMOKE_WEBHOOKS_METRIC, WEBHOOK_RESULTS, WEBHOOKS_METRIC, type WebhookResult } from '../shared/metric-names';

/** What the apply path needs: the table's writes, and optionally a reader other than the current one. */
export interface ApplyDeps {
  writes: ItemWrites;
  tableName: string;
  readBody?: BodyReader;
  /**
   * RETENTION_DAYS (CONTRACT §8): days an appointment item is kept after its latest time, and an
   * order that alone decides its expiry (core/retention.ts ownOrderExpiry) after it ended; none: no expiry is set here.
   */
  retentionDays?: number | null;
}

export interface WebhookDeps extends ApplyDeps {
  /** The configured `whsec_` secrets (cached by the provider). */
  secrets: () => Promise<readonly string[]>;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
  /** The answer deadline's timer (deadline.ts); tests drive it with their own clock. */
  startTimer?: StartTimer;
  /**
   * The message of an `invalid_signature` answer in place of the fixed one:
   * npm start's says how to get its current secret. Deployed: absent.
   */
  invalidSignatureMessage?: string;
}

/** The outcome of a verified body: an order write's result, ignored, or unreadable (never stored here). */
export type ApplyOutcome =
  | { result: ApplyResult; eventType: string; orderId: string; appointmentId?: string }
  | { result: 'ignored'; eventType: string }
  | { result: 'unreadable'; reason: string };

/**
 * The apply path shared by the webhook and the quarantine replay: read the body,
 * and store an order or appointment event with its single conditional write.
 * One DynamoDB request for either, none otherwise; a second write only in the
 * two cases store/orders.ts names (CONTRACT §4, §9). Never a read: a refused
 * write's ALL_OLD tells what is stored (test/integration/webhook-requests.test.ts).
 */
export async function processVerifiedBody(rawBody: Uint8Array, deps: ApplyDeps): Promise<ApplyOutcome> {
  return applyRead(readVerifiedBody(rawBody, deps.readBody), deps);
}

async function applyRead(read: ReadBody, deps: ApplyDeps): Promise<ApplyOutcome> {
  switch (read.kind) {
    case 'unreadable':
      return { result: 'unreadable', reason: read.reason };
    case 'ignored':
      return { result: 'ignored', eventType: read.eventType };
    case 'order': {
      const result = await putOrderFromWebhook(deps.writes, deps.tableName, projectOrder(read.order), deps.retentionDays ?? null);
      return { result, eventType: read.eventType, orderId: read.order.id };
    }
    case 'appointment': {
      const appointment = projectAppointment(read.appointment);
      const days = deps.retentionDays ?? null;
      const expiresAt = days === null ? null : appointmentExpiry([rankTime(appointment.rank), appointment.start_at, appointment.end_at], days);
      const result = await putAppointmentFromWebhook(deps.writes, deps.tableName, appointment, expiresAt);
      return { result, eventType: read.eventType, orderId: appointment.order_id, appointmentId: appointment.id };
    }
  }
}

type Answer = APIGatewayProxyStructuredResultV2;
export type WebhookHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;

const ERROR_MESSAGES = {
  invalid_signature: 'The webhook signature headers are missing, malformed, or match no configured secret.',
  timestamp_out_of_range: 'The webhook timestamp is more than 300 seconds away from now.',
  payload_too_large: 'The webhook body is larger than 1,048,576 bytes.',
  unavailable: 'The webhook could not be processed now; it can be retried.',
} as const;

/** Creates the webhook handler (middy): logs with per-request keys, one metric per answer, one error boundary. */
export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());

  /** One metric per answer: `Webhooks`, or `SmokeWebhooks` for a smoke order's (never one of Junction's, for NoOrderWebhooks). */
  function answered(result: WebhookResult, response: Answer, fields: Record<string, string> = {}, metricName: string = WEBHOOKS_METRIC): Answer {
    metrics.addDimension('result', result);
    metrics.addMetric(metricName, MetricUnit.Count, 1);
    logger.info('webhook answered', { result, status_code: response.statusCode, ...fields });
    return response;
  }

  // Every AWS call of a delivery (the secret read, the one write) ends before the answer
  // deadline, or the delivery is answered 503 in time (issue 24, item 9; deadline.ts).
  const inTime = <T>(work: Promise<T>, context: Context): Promise<T> => beforeDeadline(work, context, { startTimer: deps.startTimer });
  const input = verifiedJunctionBody({ secrets: deps.secrets, now, logger, readBody: deps.readBody, inTime });

  async function handle(_event: APIGatewayProxyEventV2, context: Context): Promise<Answer> {
    const verified = input.verifiedOf(context);
    const outcome = await inTime(applyRead(verified.read, deps), context);
    switch (outcome.result) {
      case 'unreadable':
        await inTime(
          putQuarantine(deps.writes, deps.tableName, {
            svixId: verified.messageId,
            svixTimestamp: verified.timestamp,
            reason: outcome.reason,
            receivedAt: now(),
            rawBody: verified.rawBody,
          }),
          context,
        );
        return answered('quarantined', resultAnswer(202, 'quarantined'), { reason: outcome.reason });
      case 'ignored':
        return answered('ignored', resultAnswer(200, 'ignored'), { event_type: outcome.eventType });
      default:
        logger.appendKeys({ order_id: outcome.orderId, ...(outcome.appointmentId === undefined ? {} : { appointment_id: outcome.appointmentId }) });
        return answered(outcome.result, resultAnswer(200, outcome.result), { event_type: outcome.eventType }, isSmokeOrderId(outcome.orderId) ? SMOKE_WEBHOOKS_METRIC : WEBHOOKS_METRIC);
    }
  }

  /**
   * The one error boundary: a typed rejection gets its 4xx; anything else is
   * transient for Svix (it retries a 5xx) and the body stays generic.
   */
  const errorBoundary: MiddlewareObj<APIGatewayProxyEventV2, Answer> = {
    onError: async (request) => {
      if (request.error instanceof WebhookRejection) {
        const { statusCode, code } = request.error;
        const message = code === 'invalid_signature' ? deps.invalidSignatureMessage : undefined;
        request.response = answered(code, errorAnswer(statusCode, code, message));
        return;
      }
      logger.error('webhook failed', { error_name: errorName(request.error) });
      request.response = answered('error', errorAnswer(503, 'unavailable'));
    },
  };

  return middy<APIGatewayProxyEventV2, Answer>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false /* the event carries PHI, whatever POWERTOOLS_LOGGER_LOG_EVENT says */ }))
    .use(logMetrics(metrics))
    .use(errorBoundary)
    .use(input.middleware)
    .handler(handle);
}

function resultAnswer(statusCode: 200 | 202, result: WebhookResult): Answer {
  return json(statusCode, { result });
}

function errorAnswer(statusCode: 401 | 413 | 503, code: keyof typeof ERROR_MESSAGES, message: string = ERROR_MESSAGES[code]): Answer {
  return json(statusCode, { error: { code, message } });
}

function json(statusCode: number, body: unknown): Answer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
