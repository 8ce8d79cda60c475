/**
 * The webhook function, POST /webhooks/junction (CONTRACT.md §1), as a factory
 * over its dependencies: handler.ts wires the real ones, tests and the local
 * runtime their own. Checks run cheapest and safest first: size, signature
 * (on the raw bytes, before any parsing), then the body; an order event is one
 * conditional write, an unreadable body is quarantined whole for replay.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy, { type MiddlewareObj } from '@middy/core';
import { WEBHOOKS_METRIC, type WebhookResult } from '../shared/metric-names';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { projectOrder } from '../core/order-record';
import { readWebhookBody, type ReadBody } from '../core/schemas';
import { verifySvixSignature } from '../core/svix';
import { putOrderFromWebhook, type ApplyResult } from '../store/orders';
import { putQuarantine } from '../store/quarantine';

/** Svix and API Gateway allow more; the contract does not (1 MiB). */
export const MAX_BODY_BYTES = 1_048_576;

export { WEBHOOK_RESULTS, WEBHOOKS_METRIC, type WebhookResult } from '../shared/metric-names';

/** Reads a body to a typed result; replaceable so a replay can run fixed code over old bodies. */
export type BodyReader = (rawBody: string) => ReadBody;

/** What the apply path needs: the table, and optionally a reader other than the current one. */
export interface ApplyDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  readBody?: BodyReader;
}

export interface WebhookDeps extends ApplyDeps {
  /** The configured `whsec_` secrets (cached by the provider). */
  secrets: () => Promise<readonly string[]>;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

/** The outcome of a verified body: an order write's result, ignored, or unreadable (never stored here). */
export type ApplyOutcome =
  | { result: ApplyResult; eventType: string; orderId: string }
  | { result: 'ignored'; eventType: string }
  | { result: 'unreadable'; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads verified bytes with `readBody` (the current reader by default); bytes that are not UTF-8 are unreadable. */
export function readVerifiedBody(rawBody: Uint8Array, readBody: BodyReader = readWebhookBody): ReadBody {
  let text: string;
  try {
    text = utf8.decode(rawBody);
  } catch {
    return { kind: 'unreadable', reason: 'body is not valid UTF-8' };
  }
  return readBody(text);
}

/**
 * The apply path shared by the webhook and the quarantine replay: read the body,
 * and store an order event with its single conditional write. Exactly one
 * DynamoDB request for an order event, none otherwise.
 */
export async function processVerifiedBody(rawBody: Uint8Array, deps: ApplyDeps): Promise<ApplyOutcome> {
  const read = readVerifiedBody(rawBody, deps.readBody);
  switch (read.kind) {
    case 'unreadable':
      return { result: 'unreadable', reason: read.reason };
    case 'ignored':
      return { result: 'ignored', eventType: read.eventType };
    case 'order': {
      const result = await putOrderFromWebhook(deps.doc, deps.tableName, projectOrder(read.order));
      return { result, eventType: read.eventType, orderId: read.order.id };
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

  function answered(result: WebhookResult, response: Answer, fields: Record<string, string> = {}): Answer {
    metrics.addDimension('result', result);
    metrics.addMetric(WEBHOOKS_METRIC, MetricUnit.Count, 1);
    logger.info('webhook answered', { result, status_code: response.statusCode, ...fields });
    return response;
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<Answer> {
    const rawBody = rawBodyOf(event);
    logger.info('webhook received', { body_bytes: rawBody.length });
    if (rawBody.length > MAX_BODY_BYTES) return answered('payload_too_large', errorAnswer(413, 'payload_too_large'));

    const verified = verifySvixSignature({ headers: event.headers ?? {}, rawBody, secrets: await deps.secrets(), now: now() });
    if (!verified.ok) return answered(verified.code, errorAnswer(401, verified.code));
    logger.appendKeys({ svix_id: verified.messageId });

    const outcome = await processVerifiedBody(rawBody, deps);
    switch (outcome.result) {
      case 'unreadable':
        await putQuarantine(deps.doc, deps.tableName, {
          svixId: verified.messageId,
          svixTimestamp: verified.timestamp,
          reason: outcome.reason,
          receivedAt: now(),
          rawBody,
        });
        return answered('quarantined', resultAnswer(202, 'quarantined'), { reason: outcome.reason });
      case 'ignored':
        return answered('ignored', resultAnswer(200, 'ignored'), { event_type: outcome.eventType });
      default:
        logger.appendKeys({ order_id: outcome.orderId });
        return answered(outcome.result, resultAnswer(200, outcome.result), { event_type: outcome.eventType });
    }
  }

  /** The one error boundary: anything thrown is transient for Svix (it retries a 5xx); the body stays generic. */
  const errorBoundary: MiddlewareObj<APIGatewayProxyEventV2, Answer> = {
    onError: async (request) => {
      const name = request.error instanceof Error ? request.error.name : 'unknown';
      logger.error('webhook failed', { error_name: name });
      request.response = answered('error', errorAnswer(503, 'unavailable'));
    },
  };

  return middy<APIGatewayProxyEventV2, Answer>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(errorBoundary)
    .handler(handle);
}

/** The raw body bytes: API Gateway hands binary or non-text bodies over base64-encoded. */
function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function resultAnswer(statusCode: 200 | 202, result: WebhookResult): Answer {
  return json(statusCode, { result });
}

function errorAnswer(statusCode: 401 | 413 | 503, code: keyof typeof ERROR_MESSAGES): Answer {
  return json(statusCode, { error: { code, message: ERROR_MESSAGES[code] } });
}

function json(statusCode: number, body: unknown): Answer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
