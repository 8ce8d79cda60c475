/**
 * The whole tracker on one machine (CONTRACT §5): DynamoDB Local with its real
 * stream, the table from the shared design, and the very handlers that run on
 * AWS behind a local HTTP server, the stream consumer and the periodic sweep.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createFollowUpActionsHandler, MAX_ACTION_BODY_BYTES, payloadTooLargeResponse } from '../functions/follow-up-actions/app';
import { junctionApiFor } from '../functions/junction/settings';
import { createQueryHandler } from '../functions/query/app';
import { SERVICES } from '../functions/shared/metric-names';
import { createLogger, createMetrics } from '../functions/shared/observability';
import { createSweepHandler, type SweepResult } from '../functions/stale-redraw-sweep/app';
import { followUpAckHoursOf, reconcileOf, syncOf } from '../functions/stale-redraw-sweep/config';
import { alertSettingsOf, LOCAL_ENVIRONMENT } from '../functions/notices/config';
import type { RenderedNotification } from '../functions/notices/formats';
import { createInMemoryNotifier, type InMemoryNotifier } from '../functions/notices/notifier';
import { createTransactionStatusHandler } from '../functions/transaction-status/app';
import { createInMemoryPublisher, type InMemoryPublisher } from '../functions/transaction-status/publisher';
import { EVENT_TYPES } from '../functions/core/events';
import { createWebhookHandler } from '../functions/webhook/app';
import { createBackfillHandler } from '../functions/backfill/app';
import { renderDigest, type RenderedDigest } from '../functions/core/digest-render';
import type { WeeklyDigest } from '../functions/core/digest';
import { SUBSCRIBER_FORMATS, type Rendered, type SubscriberFormat } from '../functions/core/subscriber-formats';
import { DigestError, sendDigest } from '../functions/weekly-digest/app';
import { createInMemoryDigestPublisher, type InMemoryDigestPublisher } from '../functions/weekly-digest/publisher';
import { tableReads } from '../functions/weekly-digest/reads';
import { applyApiOrder } from '../functions/store/api-orders';
import { createCheckpointStore } from '../functions/store/backfill-checkpoints';
import type { LocalSettings } from './config';
import { situationOptionsOf } from '../functions/shared/follow-up-env';
import { buildConsole, consoleAnswer, consoleFile, LOCAL_CONSOLE_CONFIG } from './console-assets';
import { localDynamoDbClientConfig, localTable, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { MAX_REQUEST_BYTES, readBodyWithin, toApiGatewayEvent, writeJson, writeResult } from './http-adapter';
import { logRequest, sweepLine } from './request-log';
import { ensureTable } from './table-setup';
import { crossSiteRefusal, isOwnHost, MISDIRECTED_PAGE_HEADERS, misdirectedPage } from './request-guards';
import { localContext } from './lambda-context';
import { findStreamArn, startStreamReader, type StreamReader } from './stream-reader';
import { fhirClientOf } from '../functions/fhir/client';
import { fhirConfigOf } from '../functions/fhir/settings';
import { startFhirWriterReader } from './fhir-writer-reader';
import { localFhirStatus } from './fhir-status';
import { startFhirPoller } from './fhir-poller';
import { startFhirNoticeQueue, type FhirNoticeQueue } from './fhir-notice-queue';
import { isNotificationsPath, localNotificationsRoute } from './fhir-notifications-route';
import { droppingNoticeSink, type NoticeSink } from './notice-sink';

export { isOwnHost } from './request-guards';

export interface LocalRuntime {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** The DynamoDB endpoint in use (embedded, or AWS_ENDPOINT_URL_DYNAMODB / DYNAMODB_ENDPOINT). */
  dynamodbEndpoint: string;
  /** The webhook secrets in use; `generated` when none was configured. */
  secrets: { values: readonly string[]; generated: boolean };
  notifier: InMemoryNotifier;
  /** The weekly digests sent so far (POST /local/digest), as each subscriber gets them. */
  digests: InMemoryDigestPublisher;
  /** The events published so far (CONTRACT §7: GET /local/events), each id once, oldest first. */
  events: InMemoryPublisher;
  /** Whether reconciliation with Junction's API is on (JUNCTION_API_KEY set), and where. */
  junctionApi: string | null;
  /** The FHIR server the follow-ups' Tasks are kept on (FHIR_BASE_URL, CONTRACT §13), or null when off. */
  fhir: string | null;
  /** The FHIR writer's notices queue (CONTRACT §13 "Notifications": the route enqueues, the writer works it), or null with FHIR off. */
  fhirNotices: FhirNoticeQueue | null;
  /** Runs one sweep now: `skipped` while another one (the timer's, or a POST) holds the lease. */
  sweep(): Promise<SweepResult>;
  /** Resolves once everything written so far has gone through the stream consumer. */
  whenStreamIdle(): Promise<void>;
  /** Stops the server, the timers, the stream reader and the embedded JVM. */
  stop(): Promise<void>;
}

/** What a caller may hand the runtime beside its settings. */
export interface LocalRuntimeOptions {
  /**
   * Where the notifications route (POST /fhir/notifications, with FHIR_NOTIFY_SECRET) puts its notices:
   * the FHIR writer's in-process queue (`fhirNotices`), unless a test gives its own. Absent with FHIR off: a sink
   * that logs and drops them (the route answers 404 then anyway: FHIR_NOTIFY_SECRET needs FHIR_BASE_URL).
   */
  noticeSink?: NoticeSink;
}

/** What the webhook's table client adds to its requests' user agent under npm start (a count at the table tells them apart). */
export const WEBHOOK_USER_AGENT = 'redraw-tracker-webhook';

/** A clear, user-facing start-up failure (busy port, no Java, ...). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * npm start's message for a webhook whose signature matches none of its
 * secrets: without JUNCTION_WEBHOOK_SECRET, a new one is generated at every
 * start, so a webhook signed before a restart is refused. Says where the
 * current one is and how to keep one; never the secret itself.
 */
export function invalidSignatureMessage(generated: boolean): string {
  return generated
    ? 'The webhook signature matches no secret of this npm start. Without JUNCTION_WEBHOOK_SECRET, npm start makes a new development secret at every start, so a webhook signed with the secret of an earlier start is refused. ' +
        'Sign with the one its banner printed at this start ("Webhook secret (development, generated): whsec_..."): export JUNCTION_WEBHOOK_SECRET=<that secret> for npx redraw-tracker sign-webhook and simulate. ' +
        'To keep one secret across restarts, start it with one: JUNCTION_WEBHOOK_SECRET=<whsec_ secret> npm start.'
    : 'The webhook signature matches none of the secrets this npm start was given (JUNCTION_WEBHOOK_SECRET when it started). ' +
        'Sign with one of them (npx redraw-tracker sign-webhook and simulate read JUNCTION_WEBHOOK_SECRET), or restart npm start with JUNCTION_WEBHOOK_SECRET set to the secret you sign with.';
}

/** A development secret, printed at start, when JUNCTION_WEBHOOK_SECRET is not set. */
export function generateDevelopmentSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Starts the whole tracker. `progress` hears about slow steps as they happen
 * (the first fetch of DynamoDB Local, the JVM's start): `npm start` prints them.
 */
export async function startLocalRuntime(
  settings: LocalSettings,
  logger: Logger = createLogger('local'),
  progress: (line: string) => void = () => undefined,
  /** Where LOG_FORMAT=text writes its line per request and scheduled sweep (npm start: stdout); absent: none. */
  requestLog?: (line: string) => void,
  options: LocalRuntimeOptions = {},
): Promise<LocalRuntime> {
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  const startEmbedded = async (): Promise<DynamoDbLocal> => {
    progress('starting DynamoDB Local (Java)...');
    const jvm = await startDynamoDbLocal({ ...(settings.DATA_DIR ? { dataDir: settings.DATA_DIR } : {}), progress });
    stoppers.push(() => jvm.stop());
    return jvm;
  };
  try {
    // A busy port is the commonest start-up failure: say so before spending seconds on a JVM.
    if (settings.PORT !== 0) await assertPortFree(settings.PORT);
    const endpoint = settings.DYNAMODB_ENDPOINT ?? (await startEmbedded()).endpoint;
    const clientConfig = localDynamoDbClientConfig(endpoint);
    const client = new DynamoDBClient(clientConfig);
    const streams = new DynamoDBStreamsClient(clientConfig);
    stoppers.push(async () => {
      client.destroy();
      streams.destroy();
    });
    const tableName = settings.TABLE_NAME;
    // The functions' table client as deployed (the SDK's document client), with the local settings.
    const db = localTable(endpoint);
    await ensureTable(client, db, tableName, progress);

    const generated = !settings.JUNCTION_WEBHOOK_SECRET;
    const secrets = (settings.JUNCTION_WEBHOOK_SECRET ?? generateDevelopmentSecret()).split(',').map((secret) => secret.trim());

    const webhook = createWebhookHandler({
      // Its own client, as each deployed function has: its requests carry its name at the table.
      writes: localTable(endpoint, { userAgent: WEBHOOK_USER_AGENT }),
      tableName,
      retentionDays: settings.RETENTION_DAYS,
      secrets: async () => secrets,
      // A webhook signed with another secret, most often the one of an earlier start, is told how to get this one.
      invalidSignatureMessage: invalidSignatureMessage(generated),
      logger: createLogger(SERVICES.webhook),
      metrics: createMetrics(SERVICES.webhook),
    });
    // The stale thresholds (CONTRACT §4, §10): the sweep flags by them, the follow-ups are due by them.
    const thresholds = {
      staleAfterDays: settings.REDRAW_STALE_AFTER_DAYS,
      missingAfterHours: settings.REDRAW_MISSING_AFTER_HOURS,
      appointmentGraceHours: settings.APPOINTMENT_GRACE_HOURS,
    };
    // The caller (GET /me, the Mine queue) is the x-redraw-actor header or `local`, as for the actions.
    // The follow-ups' Tasks in the team's EHR (CONTRACT §13): with FHIR_BASE_URL only; otherwise no client, no request.
    // The Task links to the follow-up's page in this console (its digest covers the link): npm start's own URL, set below once it listens.
    const fhirConfig = fhirConfigOf(settings, { consoleUrl: null });
    const fhirHttp = fhirConfig === null ? null : fhirClientOf(fhirConfig, { logger: createLogger(SERVICES.fhirWriter) });
    const fhirTarget = fhirConfig === null ? null : { baseUrl: fhirConfig.baseUrl, systems: fhirConfig.systems };
    const query = createQueryHandler({ db, tableName, logger: createLogger(SERVICES.query), timeZone: settings.DIGEST_TIMEZONE, actorSource: 'header', fhir: fhirTarget });
    // Open on 127.0.0.1: the actor is the x-redraw-actor header (a handle) or `local` (CONTRACT §9).
    const followUpActions = createFollowUpActionsHandler({
      db,
      tableName,
      thresholds,
      logger: createLogger(SERVICES.followUpActions),
      actorSource: 'header',
    });
    // The bus's stand-in: what the transaction function publishes, kept in memory.
    const events = createInMemoryPublisher();
    const transactionStatus = createTransactionStatusHandler({
      db,
      tableName,
      publisher: events,
      retentionDays: settings.RETENTION_DAYS,
      thresholds,
      situationOptions: situationOptionsOf(settings),
      logger: createLogger(SERVICES.transactionStatus),
      metrics: createMetrics(SERVICES.transactionStatus),
    });
    // The port it listens on, once it does (PORT=0 picks one): the Host check and the console's links read it.
    const listening = { port: settings.PORT };
    // The console's base, for the links in the alerts and the digest: npm start's own URL (the console is served at /).
    const consoleUrl = (): string | null => (listening.port === 0 ? null : `http://127.0.0.1:${listening.port}/`);
    const notifier = createInMemoryNotifier(createLogger(SERVICES.staleRedrawSweep), {
      ...alertSettingsOf(settings, LOCAL_ENVIRONMENT),
      // Read at each alert: with PORT=0 the port is known only once the server listens.
      get consoleUrl() {
        return consoleUrl();
      },
    });
    // The weekly digest (CONTRACT §11): locally only when asked (POST /local/digest), to the same list.
    const digests = createInMemoryDigestPublisher(createLogger(SERVICES.weeklyDigest));
    const digestDeps = {
      reads: tableReads(db, tableName),
      publisher: digests,
      logger: createLogger(SERVICES.weeklyDigest),
      timeZone: settings.DIGEST_TIMEZONE,
      environment: settings.ENVIRONMENT_NAME ?? LOCAL_ENVIRONMENT,
    };
    const digest = async (format: string | null): Promise<[number, unknown]> => {
      const wanted = format ?? 'json';
      if (!isSubscriberFormat(wanted)) return [400, { error: { code: 'invalid_request', message: `format must be one of ${SUBSCRIBER_FORMATS.join(', ')}` } }];
      let sent: WeeklyDigest;
      try {
        sent = await sendDigest({ ...digestDeps, consoleUrl: consoleUrl() });
      } catch (error) {
        // Logged by the digest (step, error type); the answer says which step, never the error's message.
        if (error instanceof DigestError) return [503, { error: { code: 'digest_not_sent', message: error.message } }];
        throw error;
      }
      return [200, { format: wanted, item: asFormat(renderDigest(sent), wanted) }];
    };
    const junctionApi = junctionApiFor(settings);
    const backfillHandler = createBackfillHandler({
      junction: async () => junctionApi,
      keySetting: 'JUNCTION_API_KEY',
      apply: async (order) => (await applyApiOrder(db, tableName, order)).result,
      checkpoints: createCheckpointStore(db, tableName),
      logger: createLogger(SERVICES.backfill),
      metrics: createMetrics(SERVICES.backfill),
      // Locally each request reads one page and answers `continuing`; `npm run
      // backfill` asks again (and shows progress in between).
      continueLater: async () => undefined,
      marginMs: 0,
    });
    const backfill = async (body: Buffer): Promise<[number, unknown]> => {
      const refuse = (status: number, code: string, message: string): [number, unknown] => [status, { error: { code, message } }];
      let event: unknown;
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(400, 'invalid_request', 'the body must be JSON: {"since": "...", "until": "..."}');
      }
      // No time left after the first page: one page per request.
      const answer = await backfillHandler(event, { getRemainingTimeInMillis: () => 0 });
      if (answer.status === 'invalid_request') return refuse(400, 'invalid_request', answer.message);
      if (answer.status === 'not_configured') {
        return refuse(409, 'junction_api_not_configured', 'the tracker has no Junction API key: restart `npm start` with JUNCTION_API_KEY (and JUNCTION_API_BASE_URL) set; nothing was changed');
      }
      return [200, answer];
    };
    const sweepHandler = createSweepHandler({
      db,
      tableName,
      thresholds,
      notifier,
      logger: createLogger(SERVICES.staleRedrawSweep),
      metrics: createMetrics(SERVICES.staleRedrawSweep),
      // Without JUNCTION_API_KEY: no client, and no request to Junction ever.
      junction: junctionApi,
      reconcile: reconcileOf(settings),
      sync: syncOf(settings),
      followUpAckHours: followUpAckHoursOf(settings),
      fhir: fhirConfig === null || fhirHttp === null ? null : { http: fhirHttp, systems: fhirConfig.systems, baseUrl: fhirConfig.baseUrl, perSweep: fhirConfig.catchUpPerSweep, ehrActions: fhirConfig.ehrActions },
    });

    // One sweep at a time, as on AWS: the sweep's lease in the table (CONTRACT §4). A sweep
    // (the timer's or POST /local/sweep) that finds another one running answers `skipped`.
    const sweep = (): Promise<SweepResult> => sweepHandler();

    // Webhooks being answered: the stream reader rests while there are any (stream-reader.ts `busy`),
    // as on AWS, where the webhook and the stream function never share a CPU.
    let webhooksInFlight = 0;
    const streamArn = await findStreamArn(client, tableName);
    const reader: StreamReader = startStreamReader({
      client: streams,
      streamArn,
      // Each delivery's context counts down from the deployed function's timeout (60 s);
      // failing records are retried as the deployed mapping does (no attempt limit, issue 24),
      // their pauses growing to 10 s; past the park age their work is parked.
      handler: transactionStatus,
      maxRetryPauseMs: 10_000,
      busy: () => webhooksInFlight > 0,
      logger: createLogger('stream-reader'),
    });
    stoppers.push(() => reader.stop());
    // The FHIR writer (CONTRACT §13) reads the same stream with its own reader, as its own mapping does on AWS.
    const fhirReader = fhirConfig === null || fhirHttp === null ? null : startFhirWriterReader({ streams, streamArn, db, tableName, http: fhirHttp, config: fhirConfig, thresholds, busy: () => webhooksInFlight > 0 });
    if (fhirReader !== null) stoppers.push(() => fhirReader.stop());
    if (fhirConfig !== null && fhirHttp !== null) stoppers.push(startFhirPoller({ db, tableName, http: fhirHttp, config: fhirConfig, thresholds }).stop);
    const fhirNotices = fhirConfig === null || fhirHttp === null ? null : stoppedAtEnd(stoppers, startFhirNoticeQueue({ db, tableName, http: fhirHttp, config: fhirConfig, thresholds }));

    const timer = setInterval(() => {
      sweep()
        .then(
          (result) => requestLog?.(sweepLine(new Date(), result)),
          (error: unknown) => logger.error('scheduled sweep failed', { error_name: errorName(error) }),
        )
        .finally(() => {
          reader.nudge();
          fhirReader?.nudge();
        });
    }, settings.SWEEP_INTERVAL_SECONDS * 1000);
    timer.unref();
    stoppers.push(async () => clearInterval(timer));

    // The FHIR server's notifications (CONTRACT §13): 404 without FHIR_NOTIFY_SECRET (which needs FHIR_BASE_URL), as on AWS.
    const notifications = localNotificationsRoute(settings.FHIR_NOTIFY_SECRET ?? null, options.noticeSink ?? fhirNotices ?? droppingNoticeSink(logger));

    // The console (CONTRACT §12), bundled once at start: the page, its script and style, config.json.
    const consoleFiles = (await buildConsole()).files;
    consoleFiles.set('/config.json', consoleFile({ body: Buffer.from(JSON.stringify(LOCAL_CONSOLE_CONFIG)), contentType: 'application/json; charset=utf-8', immutable: false, firstLoad: true }));

    const server = createServer((request, response) => {
      const method = request.method ?? 'GET';
      // Clients keep an idle connection for what this says, less a second; the server keeps it far longer (KEEP_ALIVE).
      if (!/\bclose\b/i.test(request.headers.connection ?? '')) response.setHeader('keep-alive', `timeout=${KEEP_ALIVE.advertisedSeconds}`);
      if (requestLog) logRequest(response, { method, path: new URL(request.url ?? '/', 'http://127.0.0.1').pathname }, requestLog);
      route(request, response)
        .catch((error: unknown) => {
          logger.error('local request failed', { error_name: errorName(error) });
          if (!response.headersSent) writeJson(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
        })
        // A request that changed the table (a webhook, an action, a sweep) is on the stream now: read it without waiting out the idle pause.
        .finally(() => {
          if (method !== 'GET' && method !== 'HEAD') {
            reader.nudge();
            fhirReader?.nudge();
          }
        });
    });
    const route = async (request: IncomingMessage, response: ServerResponse) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const method = request.method ?? 'GET';
      // CONTRACT §12: only this machine's own names, so no page elsewhere reaches it through DNS rebinding.
      // A browser asking for the console under another Host (a port forward to another port) gets a page saying what to open.
      if (!isOwnHost(request.headers.host, listening.port)) {
        if (method === 'GET' && path === '/') {
          response.writeHead(421, MISDIRECTED_PAGE_HEADERS);
          return void response.end(misdirectedPage(request.headers.host, listening.port));
        }
        return writeJson(response, 421, {
          error: {
            code: 'misdirected_request',
            message: `npm start answers only Host 127.0.0.1:${listening.port} or localhost:${listening.port}; through a port forward, forward the same port (ssh -L ${listening.port}:127.0.0.1:${listening.port} ...)`,
          },
        });
      }
      // No page of another site changes anything (request-guards.ts); the webhook and the notifications are signed, and server to server.
      if (isNotificationsPath(path)) return notifications(request, response);
      const refusal = path === WEBHOOK_PATH ? null : crossSiteRefusal(method, request.headers, listening.port);
      if (refusal !== null) return writeJson(response, 403, { error: { code: 'forbidden', message: refusal } });
      const served = method === 'GET' ? consoleFiles.get(path) : undefined;
      if (served) {
        const answer = consoleAnswer(served, { 'accept-encoding': request.headers['accept-encoding'], 'if-none-match': request.headers['if-none-match'] });
        response.writeHead(answer.status, answer.headers);
        return void response.end(answer.body ?? undefined);
      }
      if (method === 'GET' && path === '/health') return writeJson(response, 200, { ok: true });
      if (method === 'POST' && path === '/local/sweep') return writeJson(response, 200, await sweep());
      if (method === 'POST' && path === '/local/digest') {
        return writeJson(response, ...(await digest(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('format'))));
      }
      if (method === 'GET' && path === '/local/notifications') {
        const format = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('format');
        // Without format: the notifications as JSON, as before; with it, as that subscriber gets them.
        // Weekly digests (POST /local/digest) are among them, in the order sent.
        if (format === null) return writeJson(response, 200, { items: sentInOrder(notifier.rendered, digests.digests).map((sent) => sent.json) });
        if (!isSubscriberFormat(format)) {
          return writeJson(response, 400, { error: { code: 'invalid_request', message: `format must be one of ${SUBSCRIBER_FORMATS.join(', ')}` } });
        }
        return writeJson(response, 200, {
          format,
          items: sentInOrder(notifier.rendered, digests.digests).map((sent) => asFormat(sent, format)),
        });
      }
      if (method === 'GET' && path === '/local/fhir') {
        if (fhirTarget === null) return writeJson(response, 409, { error: { code: 'fhir_not_configured', message: 'npm start keeps no FHIR Tasks: restart it with FHIR_BASE_URL set (npm run fhir-server starts a stand-in; docs/local.md)' } });
        return writeJson(response, 200, await localFhirStatus(db, tableName, fhirTarget, new Date()));
      }
      if (method === 'GET' && path === '/local/events') {
        const type = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('type');
        if (type !== null && !EVENT_TYPES.some((known) => known === type)) {
          return writeJson(response, 400, { error: { code: 'invalid_request', message: `type must be one of ${EVENT_TYPES.join(', ')}` } });
        }
        return writeJson(response, 200, { items: type === null ? events.events : events.events.filter((event) => event.type === type) });
      }
      // The action route's own limit, answered as its function answers it; the others', as API Gateway answers.
      const actionRoute = method === 'POST' && FOLLOW_UP_ACTIONS_PATH.test(path);
      const body = await readBodyWithin(request, actionRoute ? MAX_ACTION_BODY_BYTES : MAX_REQUEST_BYTES);
      if (body === null) {
        return actionRoute ? writeResult(response, payloadTooLargeResponse()) : writeJson(response, 413, { error: { code: 'payload_too_large', message: 'request body too large' } });
      }
      if (method === 'POST' && path === '/local/backfill') return writeJson(response, ...(await backfill(body)));
      const event = toApiGatewayEvent(request, body);
      if (path === WEBHOOK_PATH && method === 'POST') {
        webhooksInFlight++;
        try {
          return writeResult(response, await webhook(event, localContext('webhook')));
        } finally {
          webhooksInFlight--;
        }
      }
      if (FOLLOW_UP_ACTIONS_PATH.test(path)) {
        return writeResult(response, await followUpActions(event));
      }
      return writeResult(response, await query(event));
    };
    server.keepAliveTimeout = KEEP_ALIVE.serverMs;
    server.headersTimeout = KEEP_ALIVE.serverMs + 1_000;
    const port = await listen(server, settings.PORT);
    listening.port = port;
    // Every part that computes a Task (the writer, the sweep, the query) shares these systems.
    if (fhirConfig !== null) fhirConfig.systems.consoleUrl = consoleUrl();
    stoppers.push(() => close(server));

    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamodbEndpoint: endpoint,
      secrets: { values: secrets, generated },
      notifier,
      digests,
      events,
      junctionApi: junctionApi === null ? null : settings.JUNCTION_API_BASE_URL,
      fhir: fhirConfig === null ? null : fhirConfig.baseUrl,
      fhirNotices,
      sweep,
      // The FHIR writer's reader too: what the transaction function wrote reaches it after its own batch.
      whenStreamIdle: async () => {
        await reader.whenIdle();
        await fhirReader?.whenIdle();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function isSubscriberFormat(format: string): format is SubscriberFormat {
  return SUBSCRIBER_FORMATS.some((known) => known === format);
}

/** A notification or a digest in one format: the e-mail's subject and text, the chat notification, or the JSON. */
function asFormat(rendered: Rendered<unknown, unknown>, format: SubscriberFormat): unknown {
  if (format === 'email') return { subject: rendered.subject, text: rendered.email };
  if (format === 'chat') return rendered.chat;
  return rendered.json;
}

/** Alerts and digests as the topic's subscribers got them: by when each was sent (alerts first at the same instant). */
function sentInOrder(alerts: readonly RenderedNotification[], digests: readonly RenderedDigest[]): (RenderedNotification | RenderedDigest)[] {
  return [...alerts, ...digests].sort((a, b) => Date.parse(a.json.sent_at) - Date.parse(b.json.sent_at));
}

const WEBHOOK_PATH = '/webhooks/junction';

/** POST /follow-ups/{follow_up_id}/actions: served by the follow-up actions function (any other method answers 405 there). */
const FOLLOW_UP_ACTIONS_PATH = /^\/follow-ups\/[^/]+\/actions$/;

/** Listens on `port` once and closes again: a StartupError when it is taken (the real listen may still lose a race). */
async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  await listen(probe, port);
  await close(probe);
}

/**
 * How long an idle connection is kept. A client that reuses a connection the
 * server is closing gets EPIPE or "other side closed" for a request that never
 * arrived (a POST is not retried). Node's server advertises its own timeout
 * (`Keep-Alive: timeout=5`) and closes at exactly that, and Node's fetch drops
 * an idle connection a second before it: on a busy machine a client that reads
 * the response a second late reuses a connection the server has just closed
 * (seen as the e2e 413 test's EPIPE, issue 43). So the server advertises 5 s
 * and keeps an idle connection 65 s: every client has let it go long before.
 */
export const KEEP_ALIVE = { advertisedSeconds: 5, serverMs: 65_000 } as const;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} is already in use: set PORT to a free port`));
      else if (error.code === 'EACCES') reject(new StartupError(`port ${port} needs privileges: set PORT to 1024 or above`));
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `part`, its `stop` run with the runtime's (the last started, the first stopped). */
function stoppedAtEnd<T extends { stop(): Promise<void> }>(stoppers: (() => Promise<void>)[], part: T): T {
  stoppers.push(() => part.stop());
  return part;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
