/**
 * Floods of notifications (issue 82, CONTRACT §13 notes): each notifying source's Task notices are read at most
 * NOTICE_CAP_PER_MINUTE a minute; the rest are left to the poll and counted. Through the real code: the
 * notifications route (functions/fhir-notifications/app.ts) queues what a notification names, with its source as
 * the route verified it; the writer's consumer (functions/fhir-writer/notice-entry.ts) works those messages against
 * DynamoDB Local, where the count lives, and the FHIR stand-in.
 */
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noticeMessage, type FhirNotice } from '../../functions/core/fhir/notice';
import { NOTICE_CAP_PER_MINUTE } from '../../functions/core/fhir/notice-cap';
import { signNotification } from '../../functions/core/fhir/notification';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { createFhirNotificationsHandler } from '../../functions/fhir-notifications/app';
import { createFhirNoticeHandler } from '../../functions/fhir-writer/notice-entry';
import { FHIR_METRICS, SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { takeNotices } from '../../functions/store/fhir-poll';
import { fhirKeys } from '../../functions/store/keys';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { jsonLogger, recordingMetrics } from '../support/recording-logs';
import { apiEvent, captureOutput, lambdaContext } from '../support/webhook';

const SECRET = 'floods-Secret_0123456789abcdef';
let table: TestTable;
let standin: FhirStandin;
let clock = new Date('2026-04-06T10:15:05.000Z');
const now = () => clock;

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-floods'), startFhirStandin({ now })]);
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
let output: ReturnType<typeof captureOutput>;
beforeEach(async () => {
  output = captureOutput();
  await standin.control.reset();
});
afterEach(() => output.restore());

const { logger } = jsonLogger();

/** The route as deployed, its queue a list: what each notification queued. */
function route() {
  const queued: FhirNotice[] = [];
  const handle = createFhirNotificationsHandler({
    secret: async () => SECRET,
    enqueue: async (notices) => void queued.push(...notices),
    logger: createLogger(SERVICES.fhirNotifications),
    metrics: createMetrics(SERVICES.fhirNotifications),
  });
  const send = async (method: string, path: string, body: string, headers: Record<string, string>) => {
    const event = apiEvent(body, { headers });
    const request: APIGatewayProxyEventV2 = { ...event, rawPath: path, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method, path } } };
    return (await handle(request, lambdaContext())).statusCode;
  };
  return { queued, send };
}

function consumer() {
  const metrics = recordingMetrics();
  const http = createFhirHttp({ baseUrl: standin.url, tokens: null, timeoutMs: 2_000 });
  const handle = createFhirNoticeHandler({ db: table.db, tableName: table.tableName, http, systems: DEFAULT_FHIR_SYSTEMS, baseUrl: standin.url, ehr: { thresholds: DEFAULT_THRESHOLDS }, pollMax: 1000, logger, metrics, now });
  return { metrics, work: (notices: FhirNotice[]) => handle(batch(notices), { getRemainingTimeInMillis: () => 60_000 }) };
}

function batch(notices: FhirNotice[]): SQSEvent {
  return {
    Records: notices.map((notice, index) => ({
      messageId: `m${index + 1}`,
      receiptHandle: `r${index + 1}`,
      body: noticeMessage(notice),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fhir-notices',
      awsRegion: 'us-east-1',
    })),
  };
}

const bundleOf = (ids: string[]) => JSON.stringify({ resourceType: 'Bundle', type: 'history', entry: ids.map((id) => ({ fullUrl: `Task/${id}` })) });
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
/** The Tasks the stand-in was asked for by id, and whether a poll searched it. */
async function reads() {
  const requests = (await standin.control.requests()).map((request) => `${request.method} ${request.path}`);
  return { tasks: requests.flatMap((line) => /^GET \S*\/Task\/([^/?]+)$/.exec(line)?.[1] ?? []), polled: requests.some((line) => /^GET \S*\/Task\?/.test(line)) };
}

describe('a flood of notifications from one source', () => {
  it('reads its Tasks up to the cap this minute; the rest are not read but left to one poll run and counted, and another source or the next minute has its own', async () => {
    const { queued, send } = route();
    // The source has had NOTICE_CAP_PER_MINUTE - 4 Tasks read this minute already (by other writers).
    expect(await takeNotices(table.db, table.tableName, { baseUrl: standin.url, source: 'bearer:post', now: clock, asked: NOTICE_CAP_PER_MINUTE - 4 })).toEqual({ taken: NOTICE_CAP_PER_MINUTE - 4 });
    expect(await send('POST', '/fhir/notifications', bundleOf(ids('a', 10)), { authorization: `Bearer ${SECRET}` })).toBe(202);
    expect(queued.map((notice) => (notice.kind === 'task' ? notice.source : null))).toEqual(Array(10).fill('bearer:post'));

    const writer = consumer();
    expect(await writer.work(queued.splice(0))).toEqual({ batchItemFailures: [] });
    expect(await reads()).toEqual({ tasks: ids('a', 4), polled: true });
    expect(writer.metrics.counts.get(FHIR_METRICS.noticesLeftToPoll)).toBe(6);
    expect(writer.metrics.counts.get(FHIR_METRICS.noticesWorked)).toBe(4);
    const count = await table.db.get({ TableName: table.tableName, Key: fhirKeys.noticeCount(standin.url, 'bearer:post', '2026-04-06T10:15'), ConsistentRead: true });
    expect(count?.['n']).toBe(NOTICE_CAP_PER_MINUTE);
    expect(count?.['expires_at']).toBeGreaterThan(clock.getTime() / 1000);

    // Another source the same minute (Medplum's signature) is not held by the first's count.
    await standin.control.clearRequests();
    const signed = bundleOf(ids('b', 3));
    expect(await send('POST', '/fhir/notifications', signed, { 'x-signature': signNotification(signed, SECRET) })).toBe(202);
    const other = consumer();
    expect(await other.work(queued.splice(0))).toEqual({ batchItemFailures: [] });
    expect(await reads()).toEqual({ tasks: ids('b', 3), polled: false });
    expect(other.metrics.counts.get(FHIR_METRICS.noticesLeftToPoll)).toBeUndefined();

    // The next minute, the first source is read again.
    clock = new Date('2026-04-06T10:16:01.000Z');
    await standin.control.clearRequests();
    expect(await send('POST', '/fhir/notifications', bundleOf(ids('c', 2)), { authorization: `Bearer ${SECRET}` })).toBe(202);
    expect(await consumer().work(queued.splice(0))).toEqual({ batchItemFailures: [] });
    expect((await reads()).tasks).toEqual(ids('c', 2));
  });

  it('never takes more than the cap when writers count at once: a lost race takes none, a value and not an error', async () => {
    const input = { baseUrl: standin.url, source: 'bearer:path', now: new Date('2026-04-06T11:00:00.000Z') };
    expect(await takeNotices(table.db, table.tableName, { ...input, asked: 250 })).toEqual({ taken: 250 });
    const racing = await Promise.all([takeNotices(table.db, table.tableName, { ...input, asked: 100 }), takeNotices(table.db, table.tableName, { ...input, asked: 100 })]);
    expect(racing.map((result) => result.taken).sort((a, b) => a - b)).toEqual([0, 50]);
    const count = await table.db.get({ TableName: table.tableName, Key: fhirKeys.noticeCount(standin.url, 'bearer:path', '2026-04-06T11:00'), ConsistentRead: true });
    expect(count?.['n']).toBe(NOTICE_CAP_PER_MINUTE);
  });
});
