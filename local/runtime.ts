/**
 * The whole tracker on one machine (CONTRACT §5): DynamoDB Local with its real
 * stream, the table from the shared design, and the very handlers that run on
 * AWS behind a local HTTP server, the stream consumer and the periodic sweep.
 * A composition of named parts (local/runtime/): each is started in turn,
 * registered with the lifecycle, and stopped the last started first.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { InMemoryNotifier } from '../functions/notices/notifier';
import { createLogger } from '../functions/shared/observability';
import type { SweepResult } from '../functions/stale-redraw-sweep/app';
import type { InMemoryPublisher } from '../functions/transaction-status/publisher';
import type { InMemoryDigestPublisher } from '../functions/weekly-digest/publisher';
import type { LocalSettings } from './config';
import type { FhirNoticeQueue } from './runtime/fhir-notice-queue';
import { localNotificationsRoute } from './runtime/fhir-notifications-route';
import { droppingNoticeSink, type NoticeSink } from './runtime/notice-sink';
import { loadConsole } from './runtime/console';
import { fhirSetupOf, fhirStatusOf, linkTasksTo, startFhir } from './runtime/fhir';
import { localFunctions, thresholdsOf, webhookSecretsOf } from './runtime/functions';
import { startParts } from './runtime/lifecycle';
import { localRouteTable } from './runtime/local-routes';
import { isServerToServer, localRouter } from './runtime/router';
import { startSweepSchedule } from './runtime/schedules';
import { assertPortFree, localAddress, startServer } from './runtime/server';
import { startStorage } from './runtime/storage';
import { startStreams } from './runtime/streams';

export { WEBHOOK_USER_AGENT } from './runtime/functions';
export { KEEP_ALIVE, StartupError } from './runtime/server';

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
  return startParts(async (lifecycle) => {
    // A busy port is the commonest start-up failure: say so before spending seconds on a JVM.
    if (settings.PORT !== 0) await assertPortFree(settings.PORT);
    const storage = await startStorage(settings, progress, lifecycle);
    const address = localAddress(settings.PORT);
    const secrets = webhookSecretsOf(settings);
    const fhirSetup = fhirSetupOf(settings);
    const functions = localFunctions(settings, storage, { secrets, fhir: fhirSetup, consoleUrl: address.consoleUrl });
    const streams = startStreams(storage, functions.transactionStatus, lifecycle);
    const fhir = startFhir(fhirSetup, storage, thresholdsOf(settings), streams.busy, lifecycle);
    streams.add(fhir?.reader ?? null);
    lifecycle.started(startSweepSchedule({ sweep: functions.sweep, intervalSeconds: settings.SWEEP_INTERVAL_SECONDS, afterRun: streams.nudge, logger, requestLog }));
    // The FHIR server's notifications (CONTRACT §13): 404 without FHIR_NOTIFY_SECRET (which needs FHIR_BASE_URL), as on AWS.
    const notifications = localNotificationsRoute(settings.FHIR_NOTIFY_SECRET ?? null, options.noticeSink ?? fhir?.notices ?? droppingNoticeSink(logger));
    const localRoutes = localRouteTable({
      sweep: functions.sweep,
      sendDigest: functions.sendDigest,
      sent: () => ({ alerts: functions.notifier.rendered, digests: functions.digests.digests }),
      events: () => functions.events.events,
      fhirStatus: fhirStatusOf(fhirSetup, storage),
      backfill: functions.backfill,
    });
    const route = localRouter({ notifications, console: await loadConsole(), localRoutes, functions, streams });
    const port = await startServer(address, { route, serverToServer: isServerToServer, afterChange: streams.nudge, logger, requestLog }, lifecycle);
    linkTasksTo(fhirSetup, address.consoleUrl());
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamodbEndpoint: storage.endpoint,
      secrets,
      notifier: functions.notifier,
      digests: functions.digests,
      events: functions.events,
      junctionApi: functions.junctionApi === null ? null : settings.JUNCTION_API_BASE_URL,
      fhir: fhirSetup === null ? null : fhirSetup.config.baseUrl,
      fhirNotices: fhir?.notices ?? null,
      sweep: functions.sweep,
      // The FHIR writer's reader too: what the transaction function wrote reaches it after its own batch.
      whenStreamIdle: streams.whenIdle,
      stop: lifecycle.stop,
    };
  });
}
