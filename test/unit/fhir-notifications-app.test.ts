/**
 * The notifications route's entry (functions/fhir-notifications/app.ts, CONTRACT
 * §13 "Notifications") with an in-memory queue: what each request is answered,
 * what it queued, whether it read the secret, and what it logged and counted.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signNotification } from '../../functions/core/fhir/notification';
import { MAX_NOTICE_BYTES, readNoticeMessage, type FhirNotice } from '../../functions/core/fhir/notice';
import { createFhirNotificationsHandler, type FhirNotificationsDeps } from '../../functions/fhir-notifications/app';
import { NoticesNotQueued, sqsNoticeQueue } from '../../functions/fhir-notifications/sqs-queue';
import { notifyConfig } from '../../functions/fhir/client/notify-settings';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { apiEvent, captureOutput, emfRecords, jsonLines, lambdaContext } from '../support/webhook';

const secret = 'route-Secret_0123456789abcdef';
let output: ReturnType<typeof captureOutput>;
let queued: FhirNotice[][];
let secretReads: number;
let queueFails: boolean;

beforeEach(() => {
  output = captureOutput();
  queued = [];
  secretReads = 0;
  queueFails = false;
});
afterEach(() => output.restore());

function handler(configured = true) {
  const deps: FhirNotificationsDeps = {
    secret: configured
      ? async () => {
          secretReads++;
          return secret;
        }
      : null,
    enqueue: async (notices) => {
      if (queueFails) throw new NoticesNotQueued('1 of 1 notices not queued: ServiceUnavailable');
      queued.push(notices);
    },
    logger: createLogger('fhir-notifications'),
    metrics: createMetrics('fhir-notifications'),
  };
  return createFhirNotificationsHandler(deps);
}

function request(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}, isBase64Encoded = false): APIGatewayProxyEventV2 {
  const event = apiEvent(body, { headers, isBase64Encoded });
  return { ...event, rawPath: path, routeKey: '$default', requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method, path } } };
}

const bearer = { authorization: `Bearer ${secret}` };
const taskBody = JSON.stringify({ resourceType: 'Task', id: 'task-1', status: 'completed', note: [{ text: 'PHI-CANARY Jane Doe' }] });

async function send(event: APIGatewayProxyEventV2, configured = true) {
  const answer = await handler(configured)(event, lambdaContext());
  return { status: answer.statusCode, body: JSON.parse(answer.body ?? '') as unknown };
}

/** The route's metrics of this test's requests: name -> values, in order. */
function metrics(): Record<string, number[]> {
  const values: Record<string, number[]> = {};
  for (const record of emfRecords(output.lines())) {
    for (const name of [FHIR_METRICS.noticesQueued, FHIR_METRICS.notificationsRefused, FHIR_METRICS.notificationsUnqueued]) {
      const value = record[name];
      if (typeof value === 'number') (values[name] ??= []).push(value);
    }
  }
  return values;
}

describe('the notifications route', () => {
  it('queues the Task a signed Medplum notification names and answers 202', async () => {
    const answer = await send(request('POST', '/fhir/notifications', taskBody, { 'x-signature': signNotification(taskBody, secret), 'content-type': 'application/fhir+json' }));
    expect(answer).toEqual({ status: 202, body: { result: 'queued', tasks: 1, poll: false } });
    expect(queued).toEqual([[{ kind: 'task', task_id: 'task-1', deleted: false, source: 'signature:post' }]]);
    expect(metrics()).toEqual({ [FHIR_METRICS.noticesQueued]: [1] });
  });

  it('takes a base64-encoded body as its bytes (the signature covers them)', async () => {
    const answer = await send(request('POST', '/fhir/notifications', Buffer.from(taskBody).toString('base64'), { 'x-signature': signNotification(taskBody, secret) }, true));
    expect(answer.status).toBe(202);
    expect(queued).toHaveLength(1);
  });

  it("queues HAPI's PUT and DELETE by path, and an empty POST as one poll run", async () => {
    expect((await send(request('PUT', '/fhir/notifications/Task/h1', taskBody, bearer))).status).toBe(202);
    expect((await send(request('DELETE', '/fhir/notifications/Task/h1', undefined, bearer))).status).toBe(202);
    expect(await send(request('POST', '/fhir/notifications', undefined, bearer))).toEqual({ status: 202, body: { result: 'queued', tasks: 0, poll: true } });
    expect(queued).toEqual([[{ kind: 'task', task_id: 'h1', deleted: false, source: 'bearer:path' }], [{ kind: 'task', task_id: 'h1', deleted: true, source: 'bearer:path' }], [{ kind: 'poll' }]]);
  });

  it('queues a replayed notification again, and nothing else: it only causes the same read', async () => {
    const event = () => request('POST', '/fhir/notifications', taskBody, bearer);
    await send(event());
    await send(event());
    const notice = { kind: 'task', task_id: 'task-1', deleted: false, source: 'bearer:post' };
    expect(queued).toEqual([[notice], [notice]]);
  });

  it('names each Task notice by the proof it passed with and the route it came by, never by the body (issue 82: the writer caps each source)', async () => {
    const claiming = JSON.stringify({ resourceType: 'Bundle', type: 'history', source: 'signature:path', entry: [{ resource: { resourceType: 'Task', id: 'b1', source: 'x:y' } }] });
    expect((await send(request('POST', '/fhir/notifications', claiming, bearer))).status).toBe(202);
    expect((await send(request('PUT', '/fhir/notifications/Task/h2', claiming, { 'x-signature': signNotification(claiming, secret) }))).status).toBe(202);
    expect(queued).toEqual([[{ kind: 'task', task_id: 'b1', deleted: false, source: 'bearer:post' }], [{ kind: 'task', task_id: 'h2', deleted: false, source: 'signature:path' }]]);
    // What the writer reads back off the queue carries the same source.
    expect(readNoticeMessage(JSON.stringify(queued[1]![0]))).toEqual({ kind: 'task', task_id: 'h2', deleted: false, source: 'signature:path' });
  });

  it('answers a heartbeat 200 and queues nothing', async () => {
    const heartbeat = JSON.stringify({ resourceType: 'Bundle', type: 'history', entry: [{ resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }] } }] });
    expect(await send(request('POST', '/fhir/notifications', heartbeat, bearer))).toEqual({ status: 200, body: { result: 'no_task' } });
    expect(queued).toEqual([]);
  });

  it.each([
    ['no proof', {}],
    ['a wrong bearer', { authorization: 'Bearer wrong-secret-0123456789abc' }],
    ['a forged signature', { 'x-signature': signNotification(taskBody, 'forger-secret-0123456789abc') }],
  ])('answers %s 401, queues nothing, counts it, and reads the secret once', async (_name, headers) => {
    const answer = await send(request('POST', '/fhir/notifications', taskBody, headers));
    expect(answer).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } });
    expect(queued).toEqual([]);
    expect(secretReads).toBe(1);
    expect(metrics()).toEqual({ [FHIR_METRICS.noticesQueued]: [0], [FHIR_METRICS.notificationsRefused]: [1] });
  });

  it('refuses a body over 1 MiB with 413 before reading the secret, and more than 100 Tasks with 413 after', async () => {
    const big = ' '.repeat(MAX_NOTICE_BYTES + 1);
    expect((await send(request('POST', '/fhir/notifications', big, bearer))).status).toBe(413);
    expect(secretReads).toBe(0);
    const many = JSON.stringify({ resourceType: 'Bundle', entry: Array.from({ length: 101 }, (_, index) => ({ fullUrl: `Task/t${index}` })) });
    expect(await send(request('POST', '/fhir/notifications', many, bearer))).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: expect.any(String) } } });
    expect(queued).toEqual([]);
  });

  it('answers a body it cannot read 400, but only once authenticated (401 first)', async () => {
    expect((await send(request('POST', '/fhir/notifications', '{"resourceType":', {}))).status).toBe(401);
    expect(await send(request('POST', '/fhir/notifications', '{"resourceType":', bearer))).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: expect.any(String) } } });
    expect(queued).toEqual([]);
  });

  it('answers 404 without a notify secret, and for any other route', async () => {
    expect(await send(request('POST', '/fhir/notifications', taskBody, bearer), false)).toEqual({ status: 404, body: { error: { code: 'not_found', message: expect.any(String) } } });
    expect((await send(request('GET', '/fhir/notifications', undefined, bearer))).status).toBe(404);
    expect((await send(request('PUT', '/fhir/notifications/Patient/p1', taskBody, bearer))).status).toBe(404);
    expect(queued).toEqual([]);
    expect(secretReads).toBe(0);
  });

  it('answers 503 when the queue fails, so that the server sends it again', async () => {
    queueFails = true;
    expect(await send(request('POST', '/fhir/notifications', taskBody, bearer))).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.any(String) } } });
    // Counted for its alarm: the function itself did not fail.
    expect(metrics()[FHIR_METRICS.notificationsUnqueued]).toEqual([1]);
  });

  it('logs no header value, no body and no secret', async () => {
    await send(request('POST', '/fhir/notifications', taskBody, { ...bearer, 'x-signature': signNotification(taskBody, secret) }));
    await send(request('POST', '/fhir/notifications', taskBody, { authorization: 'Bearer wrong-secret-0123456789abc' }));
    const logged = output.lines().join('\n');
    expect(jsonLines(output.lines()).some((line) => line['message'] === 'fhir notification answered')).toBe(true);
    for (const leak of [secret, 'wrong-secret', 'PHI-CANARY', 'task-1', signNotification(taskBody, secret)]) expect(logged).not.toContain(leak);
  });
});

describe("the writer's SQS queue (sqs-queue.ts)", () => {
  it('sends each notice as one message, ten a call, and rejects when SQS did not take one', async () => {
    const calls: { QueueUrl?: string; Entries?: { Id?: string; MessageBody?: string }[] }[] = [];
    let failed = false;
    const client = {
      send: async (command: { input: (typeof calls)[number] }) => {
        calls.push(command.input);
        return failed ? { Successful: [], Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] } : { Successful: [], Failed: [] };
      },
    };
    const enqueue = sqsNoticeQueue(client as never, 'https://sqs.eu-west-1.amazonaws.com/1/notices');
    const notices: FhirNotice[] = Array.from({ length: 23 }, (_, index) => ({ kind: 'task', task_id: `t${index}`, deleted: false }));
    await enqueue(notices);
    expect(calls.map((call) => call.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.every((call) => call.QueueUrl === 'https://sqs.eu-west-1.amazonaws.com/1/notices')).toBe(true);
    expect(calls.flatMap((call) => call.Entries ?? []).map((entry) => readNoticeMessage(entry.MessageBody ?? ''))).toEqual(notices);
    failed = true;
    await expect(enqueue(notices.slice(0, 1))).rejects.toThrow(NoticesNotQueued);
  });
});

describe("the route's settings (fhir/client/notify-settings.ts)", () => {
  it('has no secret without FHIR_NOTIFY_SECRET or its ARN, and needs the queue with one', async () => {
    expect(notifyConfig({}).secret).toBeNull();
    expect(() => notifyConfig({ FHIR_NOTIFY_SECRET: secret })).toThrow(/FHIR_NOTIFY_QUEUE_URL: is required/);
    const config = notifyConfig({ FHIR_NOTIFY_SECRET: ` ${secret} `, FHIR_NOTIFY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/notices' });
    expect(await config.secret?.()).toBe(secret);
  });

  it('refuses a secret too short or not fit for a header, naming the setting and never the value', () => {
    for (const bad of ['short-secret', 'has a space in it 0123456789', 'colon:inside-0123456789abc']) {
      let message = '';
      try {
        notifyConfig({ FHIR_NOTIFY_SECRET: bad, FHIR_NOTIFY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/notices' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('FHIR_NOTIFY_SECRET');
      expect(message).not.toContain(bad);
    }
  });
});
