/**
 * Section o's rig (bench/fhir-two-way.ts): the real two-way path of CONTRACT §13
 * on DynamoDB Local and the stand-in FHIR server, each part on a metered table
 * client of its own (meter.ts):
 * - the notifications route (functions/fhir-notifications/app.ts, the handler
 *   AWS runs) on an HTTP server of this process, as npm start serves it, its
 *   notices put on npm start's in-process queue (local/runtime/fhir-notice-queue.ts),
 *   worked by the writer's queue consumer (functions/fhir-writer/notice-entry.ts);
 * - the writer's stream handler (functions/fhir-writer/app.ts), handed each
 *   follow-up write as the stream's record, one record an invocation;
 * - the scheduled poll (functions/fhir-writer/poll-entry.ts).
 * The stand-in's clock runs `standinShiftMs` off the system clock (the seeds are
 * an hour old, as a day's Tasks are, so the poll's window does not read them);
 * the consumer's clock `consumerShiftMs` off (a notified poll is claimed at most
 * once a minute: the latency part moves it a minute on for each edit of the
 * style that notifies without a payload).
 */
import { createServer, type Server } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Subscription } from '@medplum/fhirtypes';
import { MAX_NOTICE_BYTES } from '../functions/core/fhir/notice';
import { DEFAULT_FHIR_SYSTEMS } from '../functions/core/fhir/task';
import { openingEntry } from '../functions/core/follow-up/history';
import { openFollowUp } from '../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { createFhirHttp } from '../functions/fhir/client/http';
import { DEFAULT_FHIR_POLL_MAX } from '../functions/fhir/client/settings';
import { syncFollowUp } from '../functions/fhir/sync/sync';
import { createFhirNotificationsHandler } from '../functions/fhir-notifications/app';
import { createFhirWriterHandler } from '../functions/fhir-writer/app';
import { createFhirNoticeHandler } from '../functions/fhir-writer/notice-entry';
import { createFhirPollHandler } from '../functions/fhir-writer/poll-entry';
import { forEachLimited } from '../functions/shared/concurrency';
import { SERVICES } from '../functions/shared/metric-names';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import type { StoredFollowUp } from '../functions/store/follow-ups/item';
import { A, FHIR_MARKER_VALUE } from '../functions/store/follow-ups/item';
import { TABLE } from '../functions/store/table';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../functions/store/follow-ups/write';
import { createTableInput } from '../functions/store/table';
import { keys } from '../functions/store/keys';
import type { TableClient } from '../functions/store/table-client';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { createLocalNoticeQueue, type FhirNoticeQueue } from '../local/runtime/fhir-notice-queue';
import { startFhirStandin, type FhirStandin } from '../local/fhir-standin';
import type { SubscriptionStyle } from '../local/fhir-standin/types';
import { MEDPLUM_SECRET_URL, HAPI_SEND_DELETES_URL } from '../local/fhir-standin/subscriptions';
import { listenOnLoopback, readBodyWithin, toApiGatewayEvent, writeResult } from '../local/http-adapter';
import { localContext } from '../local/lambda-context';
import { freshId } from '../local/junction/flows';
import { followUpRecord } from '../test/support/fhir-stream';
import { createTables } from './ingest';
import { attachMeter, type Meter, type MeterReading } from './meter';

export const systems = DEFAULT_FHIR_SYSTEMS;
const SECRET = 'bench-two-way-notify-secret-0123456789';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const noMetrics = { addMetric() {}, publishStoredMetrics() {} };
const context = { getRemainingTimeInMillis: () => 60_000 };

/** The parts whose table client is metered on its own. */
export const PARTS = ['consumer', 'writer', 'poll'] as const;
export type Part = (typeof PARTS)[number];

/** What the route, the queue and its consumer did since the last reset. */
export interface Counters {
  /** Requests the route answered (one HTTP API request and one route invocation each). */
  routeRequests: number;
  /** Route answers that queued notices (one SendMessageBatch each). */
  routeSends: number;
  /** Notices queued (one SQS message each). */
  notices: number;
  /** Consumer invocations (SQS batches) and the messages in them. */
  consumerBatches: number;
  consumerMessages: number;
  writerInvocations: number;
  pollRuns: number;
  /** Handler time, ms, by part (the route's included). */
  ms: Record<Part | 'route', number>;
}

const zeroCounters = (): Counters => ({ routeRequests: 0, routeSends: 0, notices: 0, consumerBatches: 0, consumerMessages: 0, writerInvocations: 0, pollRuns: 0, ms: { consumer: 0, writer: 0, poll: 0, route: 0 } });

export interface Rig {
  standin: FhirStandin;
  routeUrl: string;
  tableName: string;
  check: TableClient;
  counters: Counters;
  meters: Record<Part, Meter>;
  standinShiftMs: number;
  consumerShiftMs: number;
  queue: FhirNoticeQueue;
  /** A fresh table (the stand-in reset): the consumer, the writer and the poll work on it. */
  freshTable(): Promise<void>;
  reset(): Promise<void>;
  readings(): Record<Part, MeterReading>;
  poll(): Promise<void>;
  /** Hands each follow-up's write to the writer, one stream record an invocation (unmarked writes invoke nothing). */
  streamToWriter(ids: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Records the partition key of every follow-up item a Put (alone or in a transaction) writes with the FHIR marker;
 * the item as the document client or the low-level client has it (the middleware may see either).
 */
function recordMarkedWrites(client: DynamoDBClient, marked: Set<string>): void {
  const plain = (value: unknown): unknown => (value !== null && typeof value === 'object' ? ((value as { S?: string; N?: string }).S ?? Number((value as { N?: string }).N)) : value);
  const note = (item: Record<string, unknown> | undefined) => {
    const pk = plain(item?.[TABLE.partitionKey]);
    if (item !== undefined && Number(plain(item[A.fhirMarker])) === FHIR_MARKER_VALUE && typeof pk === 'string') marked.add(pk);
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Item?: Record<string, unknown>; TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] };
      const answer = await next(args);
      note(input.Item);
      for (const one of input.TransactItems ?? []) note(one.Put?.Item);
      return answer;
    },
    { step: 'initialize', name: `benchMarked-${Math.random()}` },
  );
}

/** A Powertools logger that writes nothing, and metrics that publish nothing: the route's middleware needs the real classes. */
function quietPowertools(): { logger: Logger; metrics: Metrics } {
  const metrics = new Metrics({ namespace: 'bench', serviceName: SERVICES.fhirNotifications });
  metrics.addMetric = () => metrics;
  metrics.publishStoredMetrics = () => metrics;
  return { logger: new Logger({ serviceName: SERVICES.fhirNotifications, logLevel: 'SILENT' }), metrics };
}

const timed = async <T>(counters: Counters, part: keyof Counters['ms'], work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await work();
  } finally {
    counters.ms[part] += performance.now() - started;
  }
};

/** Starts the rig on the DynamoDB Local at `endpoint`. */
export async function startRig(endpoint: string): Promise<Rig> {
  const config = localDynamoDbClientConfig(endpoint);
  const clients = { check: new DynamoDBClient(config), consumer: new DynamoDBClient(config), writer: new DynamoDBClient(config), poll: new DynamoDBClient(config) };
  const meters = { consumer: attachMeter(clients.consumer), writer: attachMeter(clients.writer), poll: attachMeter(clients.poll) };
  // The follow-up items whose write carried the FHIR marker, as the stream's records would (the item may lose it since:
  // the writer's stamp of a confirmed write removes it, store/follow-ups/ehr-attention.ts).
  const marked = new Set<string>();
  for (const client of [clients.consumer, clients.writer, clients.poll]) recordMarkedWrites(client, marked);
  const dbOf = (client: DynamoDBClient) => documentTable(documentClientOf(client));
  const rig = { counters: zeroCounters(), meters, standinShiftMs: 0, consumerShiftMs: 0, tableName: '', check: dbOf(clients.check) } as Rig;
  rig.standin = await startFhirStandin({ now: () => new Date(Date.now() + rig.standinShiftMs) });
  const http = createFhirHttp({ baseUrl: rig.standin.url, tokens: null, timeoutMs: 5_000 });
  const base = { http, systems, baseUrl: rig.standin.url, logger: silent, metrics: noMetrics };
  const ehr = { thresholds: DEFAULT_THRESHOLDS };
  const tableName = () => rig.tableName;
  const consumer = (event: Parameters<ReturnType<typeof createFhirNoticeHandler>>[0]) =>
    createFhirNoticeHandler({ ...base, db: dbOf(clients.consumer), tableName: tableName(), ehr, pollMax: DEFAULT_FHIR_POLL_MAX, now: () => new Date(Date.now() + rig.consumerShiftMs) })(event, context);
  rig.queue = createLocalNoticeQueue({
    logger: silent,
    handler: async (event) => {
      rig.counters.consumerBatches += 1;
      rig.counters.consumerMessages += event.Records.length;
      return timed(rig.counters, 'consumer', () => consumer(event));
    },
  });
  const server = routeServer(rig);
  rig.routeUrl = `http://127.0.0.1:${await listenOnLoopback(server, 0)}/fhir/notifications`;
  rig.freshTable = async () => {
    await rig.standin.control.reset();
    rig.tableName = `fhir-two-way-${Date.now()}-${freshId().slice(0, 6)}`;
    await createTables(clients.check, [createTableInput(rig.tableName)]);
  };
  rig.reset = async () => {
    rig.counters = zeroCounters();
    for (const meter of Object.values(meters)) meter.reset();
    await rig.standin.control.clearRequests();
  };
  rig.readings = () => ({ consumer: meters.consumer.reading(), writer: meters.writer.reading(), poll: meters.poll.reading() });
  rig.poll = async () => {
    rig.counters.pollRuns += 1;
    await timed(rig.counters, 'poll', () => createFhirPollHandler({ ...base, db: dbOf(clients.poll), tableName: tableName(), ehr, pollMax: DEFAULT_FHIR_POLL_MAX })({ source: 'aws.events' }, context));
  };
  let sequence = 1;
  rig.streamToWriter = async (ids) => {
    const writer = createFhirWriterHandler({ ...base, db: dbOf(clients.writer), tableName: tableName(), ehr });
    for (const id of ids) {
      if (!marked.delete(keys.followUp(id).pk)) continue;
      const stored = (await getFollowUp(rig.check, tableName(), id, new Date()))!;
      rig.counters.writerInvocations += 1;
      const answer = await timed(rig.counters, 'writer', () => writer({ Records: [followUpRecord(stored, sequence++, 'MODIFY')] }, context));
      if (answer.batchItemFailures.length > 0) throw new Error('bench: the writer reported a failure');
    }
  };
  rig.stop = async () => {
    await rig.queue.stop();
    await new Promise((resolve) => server.close(resolve));
    for (const meter of Object.values(meters)) meter.detach();
    await rig.standin.stop();
    for (const client of Object.values(clients)) client.destroy();
  };
  return rig;
}

/** The route's handler on an HTTP server of this process, its notices on the rig's queue. */
function routeServer(rig: Rig): Server {
  const { logger, metrics } = quietPowertools();
  const handler = createFhirNotificationsHandler({
    secret: () => Promise.resolve(SECRET),
    enqueue: async (notices) => {
      rig.counters.routeSends += 1;
      rig.counters.notices += notices.length;
      await rig.queue.enqueue(notices);
    },
    logger,
    metrics,
  });
  return createServer((request, response) => {
    void (async () => {
      const body = (await readBodyWithin(request, MAX_NOTICE_BYTES)) ?? Buffer.alloc(0);
      rig.counters.routeRequests += 1;
      const answer = await timed(rig.counters, 'route', () => handler(toApiGatewayEvent(request, body), localContext(SERVICES.fhirNotifications)));
      writeResult(response, answer);
    })();
  });
}

/** docs/deploy.md's Subscription of `style`, its endpoint the rig's route, its secret the rig's. */
export function subscriptionOf(style: SubscriptionStyle, endpoint: string): Subscription {
  const subscription: Subscription = {
    resourceType: 'Subscription',
    status: style === 'medplum' ? 'active' : 'requested',
    reason: 'redraw-tracker: Tasks changed in the EHR',
    criteria: `Task?identifier=${systems.task}|`,
    channel: { type: 'rest-hook', endpoint },
  };
  if (style === 'medplum') subscription.extension = [{ url: MEDPLUM_SECRET_URL, valueString: SECRET }];
  else subscription.channel.header = [`Authorization: Bearer ${SECRET}`];
  if (style === 'hapi-payload') {
    subscription.channel.payload = 'application/fhir+json';
    subscription.channel.extension = [{ url: HAPI_SEND_DELETES_URL, valueBoolean: true }];
  }
  return subscription;
}

export async function subscribe(rig: Rig, style: SubscriptionStyle): Promise<void> {
  const answer = await fetch(`${rig.standin.url}/Subscription`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(subscriptionOf(style, rig.routeUrl)) });
  if (answer.status !== 201) throw new Error(`bench: the stand-in refused the ${style} Subscription (${answer.status})`);
}

/** `count` follow-ups opened as the tracker opens them, each with its Task written and confirmed: [follow-up id, Task id][]. */
export async function seed(rig: Rig, count: number): Promise<[string, string][]> {
  const sync = { db: rig.check, tableName: rig.tableName, http: createFhirHttp({ baseUrl: rig.standin.url, tokens: null }), systems, baseUrl: rig.standin.url, now: () => new Date() };
  const seeded: [string, string][] = [];
  await forEachLimited(Array.from({ length: count }, (_, index) => index), 8, async (index) => {
    const id = freshId();
    const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: new Date(Date.now() - 7_200_000).toISOString() });
    const stored: Omit<StoredFollowUp, 'revision'> = {
      followUp,
      redraw: { kind: 'awaiting_redraw', statusTime: followUp.opened_at, orderId: followUp.initial_order_id! },
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      applied: [],
      expiresAt: null,
      remindedAt: null,
    };
    if ((await writeStoredFollowUp(rig.check, rig.tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())) !== 'written') throw new Error('bench: a follow-up could not be opened');
    if ((await syncFollowUp(sync, id)).kind !== 'written') throw new Error('bench: a Task could not be written');
    seeded[index] = [id, ''];
  });
  const taskIds = new Map<string, string>();
  for (const task of await rig.standin.control.tasks()) {
    const value = task.identifier?.find((identifier) => identifier.system === systems.task)?.value;
    if (value !== undefined) taskIds.set(value, task.id!);
  }
  return seeded.map(([id]) => [id, taskIds.get(id)!]);
}

/**
 * Waits until the route has answered at least `requests` notifications, then until all is quiet: the queue
 * idle and no notification for `quietMs` (a notice worked writes the Task back, which is notified too).
 */
export async function settle(rig: Rig, requests: number, quietMs = 150, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  while (rig.counters.routeRequests < requests) {
    if (Date.now() > until) {
      const sent = (await rig.standin.control.notifications()).map((one) => `${one.method} ${one.status}`);
      throw new Error(`bench: the route answered ${rig.counters.routeRequests} of ${requests} notifications (the stand-in sent ${sent.length}: ${[...new Set(sent)].join(', ')})`);
    }
    await sleep(5);
  }
  for (;;) {
    await rig.queue.whenIdle();
    const answered = rig.counters.routeRequests;
    await sleep(quietMs);
    if (rig.counters.routeRequests === answered) return;
  }
}
