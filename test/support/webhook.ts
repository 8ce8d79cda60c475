/**
 * Helpers for webhook tests: API Gateway v2 events signed as Svix signs them,
 * a Lambda context, captured stdout (Powertools logs and EMF metrics). Requests
 * to DynamoDB are counted on the wire (test/support/dynamodb-proxy.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { vi } from 'vitest';
import * as z from 'zod';
import { signSvixMessage } from '../../functions/core/svix';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import type { ItemWrites } from '../../functions/store/table-client';
import { createWebhookHandler, type WebhookDeps, type WebhookHandler } from '../../functions/webhook/app';

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

export interface EventOptions {
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An HTTP API (payload 2.0) event for POST /webhooks/junction: header names lowercase, as API Gateway sends them. */
export function apiEvent(body: string | undefined, options: EventOptions = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/junction',
    rawPath: '/webhooks/junction',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0', ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path: '/webhooks/junction', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Svix-Webhooks/1.0' },
      requestId: randomUUID(),
      routeKey: 'POST /webhooks/junction',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(body === undefined ? {} : { body }),
  };
}

export interface SignOptions {
  secret: string;
  messageId?: string;
  /** Unix seconds; now by default. */
  timestamp?: number;
  family?: 'svix' | 'webhook';
  /** Hand the body over base64-encoded, as API Gateway does for binary bodies. */
  base64?: boolean;
}

/** A Svix-signed webhook event for `body` (text or bytes). */
export function signedEvent(body: string | Buffer, options: SignOptions): APIGatewayProxyEventV2 {
  const messageId = options.messageId ?? newMessageId();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const family = options.family ?? 'svix';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const signature = signSvixMessage({ secret: options.secret, messageId, timestamp, rawBody: bytes });
  const headers = { [`${family}-id`]: messageId, [`${family}-timestamp`]: String(timestamp), [`${family}-signature`]: signature };
  return options.base64 || typeof body !== 'string'
    ? apiEvent(bytes.toString('base64'), { headers, isBase64Encoded: true })
    : apiEvent(body, { headers });
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'webhook',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:webhook',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/webhook',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const AnswerBody = z.union([
  z.object({ result: z.string() }).strict(),
  z.object({ error: z.object({ code: z.string(), message: z.string() }).strict() }).strict(),
]);

/** The status code and parsed JSON body of an answer (fails on anything else). */
export function parseAnswer(answer: APIGatewayProxyStructuredResultV2): { statusCode: number; body: z.output<typeof AnswerBody> } {
  return { statusCode: answer.statusCode ?? 0, body: AnswerBody.parse(JSON.parse(answer.body ?? '')) };
}

/** Everything written to stdout and stderr while capturing (Powertools writes logs and EMF there). */
export function captureOutput(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(record), vi.spyOn(process.stderr, 'write').mockImplementation(record)];
  return {
    lines: () => chunks.join('').split('\n').filter((line) => line.length > 0),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

const EmfLine = z.object({
  _aws: z.object({ CloudWatchMetrics: z.array(z.object({ Namespace: z.string(), Metrics: z.array(z.object({ Name: z.string() })) })) }),
});

/** The JSON objects among captured lines (log entries and EMF records), in order. */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof parsed === 'object' && parsed !== null) records.push(parsed as Record<string, unknown>);
  }
  return records;
}

/** The EMF records (JSON objects with an `_aws` key) among captured lines. */
export function emfRecords(lines: readonly string[]): Record<string, unknown>[] {
  return jsonLines(lines).filter((record) => '_aws' in record);
}

/** The `error_name` of each "webhook failed" log entry among captured lines. */
export function webhookFailures(lines: readonly string[]): unknown[] {
  return jsonLines(lines)
    .filter((entry) => entry['message'] === 'webhook failed')
    .map((entry) => entry['error_name']);
}

/** Metric values (name -> the last value) of the EMF records among captured lines. */
export function emfValues(lines: readonly string[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const record of emfRecords(lines)) {
    for (const [name, value] of Object.entries(record)) if (typeof value === 'number') values.set(name, value);
  }
  return values;
}

/** The `result` dimension of every `Webhooks` EMF record among captured lines. */
export function webhookMetricResults(lines: readonly string[]): string[] {
  const results: string[] = [];
  for (const parsed of emfRecords(lines)) {
    const emf = EmfLine.safeParse(parsed);
    if (!emf.success) continue;
    const isWebhooks = emf.data._aws.CloudWatchMetrics.some((metric) => metric.Namespace === 'RedrawTracker' && metric.Metrics.some((m) => m.Name === 'Webhooks'));
    const result = z.object({ result: z.string(), service: z.literal('webhook') }).safeParse(parsed);
    if (isWebhooks && result.success) results.push(result.data.result);
  }
  return results;
}

/** The webhook's answer metrics (Webhooks, SmokeWebhooks) in the captured EMF records, as `<metric> <result>`, in order. */
export function webhookAnswerMetrics(lines: readonly string[]): string[] {
  const found: string[] = [];
  for (const parsed of emfRecords(lines)) {
    const emf = EmfLine.safeParse(parsed);
    const result = z.object({ result: z.string(), service: z.literal('webhook') }).safeParse(parsed);
    if (!emf.success || !result.success) continue;
    for (const metric of emf.data._aws.CloudWatchMetrics.flatMap((entry) => (entry.Namespace === 'RedrawTracker' ? entry.Metrics : []))) {
      if (metric.Name === 'Webhooks' || metric.Name === 'SmokeWebhooks') found.push(`${metric.Name} ${result.data.result}`);
    }
  }
  return found;
}

/** The webhook handler as the tests build it: the given table and secrets, real Powertools logger and metrics. */
export function webhookHandlerFor(
  writes: ItemWrites,
  tableName: string,
  secrets: readonly string[],
  overrides: Partial<WebhookDeps> = {},
): WebhookHandler {
  return createWebhookHandler({
    writes,
    tableName,
    secrets: async () => secrets,
    logger: createLogger(SERVICES.webhook),
    metrics: createMetrics(SERVICES.webhook),
    ...overrides,
  });
}

/** POSTs `raw` to a running tracker's webhook route, signed now with `secret` as Svix signs it. */
export async function postSignedRaw(trackerUrl: string, secret: string, raw: string): Promise<Response> {
  const messageId = newMessageId();
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`${trackerUrl}/webhooks/junction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: raw }) },
    body: raw,
  });
}

/**
 * POSTs `body` to a running tracker's webhook route (`npm start`'s, in the browser tests), signed with
 * `secret` as Svix signs it, and answers the response's status code.
 */
export async function postSignedWebhook(trackerUrl: string, secret: string, body: unknown): Promise<number> {
  return (await postSignedRaw(trackerUrl, secret, JSON.stringify(body))).status;
}
