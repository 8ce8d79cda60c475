/**
 * npm start's functions: the very handlers that run on AWS, each made with its
 * deployed dependencies and the local settings: the webhook (its own table
 * client, the webhook secrets), the query and the follow-up actions (the actor
 * is the x-redraw-actor header or `local`, CONTRACT §9), the transaction
 * function (its events kept in memory, the bus's stand-in), the sweep (its
 * alerts kept in memory), the weekly digest and Junction's backfill. What the
 * outboxes hold is what GET /local/notifications and /local/events show.
 */
import { randomBytes } from 'node:crypto';
import { createBackfillHandler, type BackfillHandler } from '../../functions/backfill/app';
import type { WeeklyDigest } from '../../functions/core/digest';
import type { StaleThresholds } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import type { JunctionApi } from '../../functions/junction/api';
import { pscApiFor } from '../../functions/junction/psc';
import { junctionApiFor } from '../../functions/junction/settings';
import { alertSettingsOf, LOCAL_ENVIRONMENT } from '../../functions/notices/config';
import { createInMemoryNotifier, type InMemoryNotifier } from '../../functions/notices/notifier';
import { createQueryHandler } from '../../functions/query/app';
import { situationOptionsOf } from '../../functions/shared/follow-up-env';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createSweepHandler, type SweepResult } from '../../functions/stale-redraw-sweep/app';
import { followUpAckHoursOf, reconcileOf, syncOf } from '../../functions/stale-redraw-sweep/config';
import { applyApiOrder } from '../../functions/store/api-orders';
import { createCheckpointStore } from '../../functions/store/backfill-checkpoints';
import { createTransactionStatusHandler, type TransactionStatusHandler } from '../../functions/transaction-status/app';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { createWebhookHandler, type WebhookHandler } from '../../functions/webhook/app';
import { sendDigest } from '../../functions/weekly-digest/app';
import { createInMemoryDigestPublisher, type InMemoryDigestPublisher } from '../../functions/weekly-digest/publisher';
import { tableReads } from '../../functions/weekly-digest/reads';
import type { LocalSettings } from '../config';
import { localTable } from '../dynamodb-local';
import { sweepFhirOf, fhirTargetOf, type FhirSetup } from './fhir';
import type { LocalStorage } from './storage';

/** What the webhook's table client adds to its requests' user agent under npm start (a count at the table tells them apart). */
export const WEBHOOK_USER_AGENT = 'redraw-tracker-webhook';

/** The webhook secrets in use; `generated` when none was configured. */
export interface WebhookSecrets {
  values: readonly string[];
  generated: boolean;
}

/** What the functions are made with beside the settings and the storage. */
export interface FunctionWiring {
  secrets: WebhookSecrets;
  fhir: FhirSetup | null;
  /** The console's base, for the links in the alerts and the digest: npm start's own URL, known once it listens. */
  consoleUrl: () => string | null;
}

export interface LocalFunctions {
  webhook: WebhookHandler;
  query: ReturnType<typeof createQueryHandler>;
  followUpActions: ReturnType<typeof createFollowUpActionsHandler>;
  transactionStatus: TransactionStatusHandler;
  /** One sweep now: `skipped` while another one (the timer's, or a POST) holds the lease (CONTRACT §4). */
  sweep(): Promise<SweepResult>;
  /** Last week's digest, sent now to the same list (CONTRACT §11: locally only when asked, POST /local/digest). */
  sendDigest(): Promise<WeeklyDigest>;
  backfill: BackfillHandler;
  /** The bus's stand-in: what the transaction function publishes, kept in memory. */
  events: InMemoryPublisher;
  notifier: InMemoryNotifier;
  digests: InMemoryDigestPublisher;
  /** Junction's API client (reconciliation, backfill): null without JUNCTION_API_KEY, and no request to Junction ever. */
  junctionApi: JunctionApi | null;
}

/** The stale thresholds (CONTRACT §4, §10): the sweep flags by them, the follow-ups are due by them. */
export function thresholdsOf(settings: LocalSettings): StaleThresholds {
  return {
    staleAfterDays: settings.REDRAW_STALE_AFTER_DAYS,
    missingAfterHours: settings.REDRAW_MISSING_AFTER_HOURS,
    appointmentGraceHours: settings.APPOINTMENT_GRACE_HOURS,
  };
}

/** JUNCTION_WEBHOOK_SECRET's secrets (comma-separated), or a development one made for this start. */
export function webhookSecretsOf(settings: LocalSettings): WebhookSecrets {
  const generated = !settings.JUNCTION_WEBHOOK_SECRET;
  return { values: (settings.JUNCTION_WEBHOOK_SECRET ?? generateDevelopmentSecret()).split(',').map((secret) => secret.trim()), generated };
}

/** A development secret, printed at start, when JUNCTION_WEBHOOK_SECRET is not set. */
function generateDevelopmentSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * npm start's message for a webhook whose signature matches none of its
 * secrets: without JUNCTION_WEBHOOK_SECRET, a new one is generated at every
 * start, so a webhook signed before a restart is refused. Says where the
 * current one is and how to keep one; never the secret itself.
 */
function invalidSignatureMessage(generated: boolean): string {
  return generated
    ? 'The webhook signature matches no secret of this npm start. Without JUNCTION_WEBHOOK_SECRET, npm start makes a new development secret at every start, so a webhook signed with the secret of an earlier start is refused. ' +
        'Sign with the one its banner printed at this start ("Webhook secret (development, generated): whsec_..."): export JUNCTION_WEBHOOK_SECRET=<that secret> for npx redraw-tracker sign-webhook and simulate. ' +
        'To keep one secret across restarts, start it with one: JUNCTION_WEBHOOK_SECRET=<whsec_ secret> npm start.'
    : 'The webhook signature matches none of the secrets this npm start was given (JUNCTION_WEBHOOK_SECRET when it started). ' +
        'Sign with one of them (npx redraw-tracker sign-webhook and simulate read JUNCTION_WEBHOOK_SECRET), or restart npm start with JUNCTION_WEBHOOK_SECRET set to the secret you sign with.';
}

/** Makes every function npm start runs (no I/O: each reaches the table when called). */
export function localFunctions(settings: LocalSettings, storage: LocalStorage, wiring: FunctionWiring): LocalFunctions {
  const thresholds = thresholdsOf(settings);
  return { ...apiFunctions(settings, storage, wiring, thresholds), ...streamFunction(settings, storage, thresholds), ...scheduledFunctions(settings, storage, wiring, thresholds) };
}

/** The HTTP API's functions: the webhook, the query and the follow-up actions. */
function apiFunctions(settings: LocalSettings, { endpoint, db, tableName }: LocalStorage, wiring: FunctionWiring, thresholds: StaleThresholds) {
  const { secrets } = wiring;
  const webhook = createWebhookHandler({
    // Its own client, as each deployed function has: its requests carry its name at the table.
    writes: localTable(endpoint, { userAgent: WEBHOOK_USER_AGENT }),
    tableName,
    retentionDays: settings.RETENTION_DAYS,
    secrets: async () => [...secrets.values],
    // A webhook signed with another secret, most often the one of an earlier start, is told how to get this one.
    invalidSignatureMessage: invalidSignatureMessage(secrets.generated),
    logger: createLogger(SERVICES.webhook),
    metrics: createMetrics(SERVICES.webhook),
  });
  // The caller (GET /me, the Mine queue) is the x-redraw-actor header or `local`, as for the actions.
  // CONTRACT §14: the booking's reads reach Junction (or its stand-in) with JUNCTION_API_KEY, else answer 409 not_bookable.
  const psc = pscApiFor(settings);
  const query = createQueryHandler({ db, tableName, logger: createLogger(SERVICES.query), timeZone: settings.DIGEST_TIMEZONE, actorSource: 'header', fhir: fhirTargetOf(wiring.fhir), psc: async () => psc });
  // Open on 127.0.0.1: the actor is the x-redraw-actor header (a handle) or `local` (CONTRACT §9).
  const followUpActions = createFollowUpActionsHandler({
    db,
    tableName,
    thresholds,
    logger: createLogger(SERVICES.followUpActions),
    actorSource: 'header',
    psc: async () => psc,
    bookingAsync: settings.JUNCTION_BOOKING_ASYNC === 'on',
    retentionDays: settings.RETENTION_DAYS,
  });
  return { webhook, query, followUpActions };
}

/** The transaction function, read by the stream reader, and the events it publishes. */
function streamFunction(settings: LocalSettings, { db, tableName }: LocalStorage, thresholds: StaleThresholds) {
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
  return { events, transactionStatus };
}

/** The scheduled functions: the sweep (and its alerts), the weekly digest, and Junction's backfill. */
function scheduledFunctions(settings: LocalSettings, { db, tableName }: LocalStorage, { fhir, consoleUrl }: FunctionWiring, thresholds: StaleThresholds) {
  const notifier = createInMemoryNotifier(createLogger(SERVICES.staleRedrawSweep), {
    ...alertSettingsOf(settings, LOCAL_ENVIRONMENT),
    // Read at each alert: with PORT=0 the port is known only once the server listens.
    get consoleUrl() {
      return consoleUrl();
    },
  });
  const digests = createInMemoryDigestPublisher(createLogger(SERVICES.weeklyDigest));
  const digestDeps = { reads: tableReads(db, tableName), publisher: digests, logger: createLogger(SERVICES.weeklyDigest), timeZone: settings.DIGEST_TIMEZONE, environment: settings.ENVIRONMENT_NAME ?? LOCAL_ENVIRONMENT };
  const junctionApi = junctionApiFor(settings);
  const backfill = createBackfillHandler({
    junction: async () => junctionApi,
    keySetting: 'JUNCTION_API_KEY',
    apply: async (order) => (await applyApiOrder(db, tableName, order)).result,
    checkpoints: createCheckpointStore(db, tableName),
    logger: createLogger(SERVICES.backfill),
    metrics: createMetrics(SERVICES.backfill),
    // Locally each request reads one page and answers `continuing`; `npm run backfill` asks again (and shows progress in between).
    continueLater: async () => undefined,
    marginMs: 0,
  });
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
    fhir: sweepFhirOf(fhir),
  });
  return { notifier, digests, junctionApi, backfill, sweep: () => sweepHandler(), sendDigest: () => sendDigest({ ...digestDeps, consoleUrl: consoleUrl() }) };
}
