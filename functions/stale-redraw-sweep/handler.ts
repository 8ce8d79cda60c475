/**
 * Lambda entry of the stale-redraw sweep (EventBridge schedule, hourly; never
 * retried: neither EventBridge nor Lambda's asynchronous retries run a failed
 * sweep again, since a retry would only re-ask Junction and the next hour's sweep
 * carries on from what is stored). Configuration is
 * checked once, at start: a missing table or topic, or a threshold that is not a
 * positive number, fails the function loudly before any sweep.
 *
 * Reconciliation (CONTRACT §6) is on when JUNCTION_API_KEY_SECRET_ARN names a
 * secret holding a key. The secret is read during the cold start and again at
 * most every 5 minutes (so a key set after the deploy is picked up without one);
 * while it holds the deploy-time placeholder the sweep runs without Junction and
 * says so (WARN) at each cold start. A secret that cannot be read or holds
 * something that is not a key never fails the init: on a cold start as on a warm
 * one, that sweep runs its stale rules without Junction, logs an error and emits
 * JunctionKeyUnusable = 1 (alarmed); reconciliation is optional, the stale rules
 * are not. FOLLOW_UP_ACK_HOURS (optional) turns on the not_acknowledged reminder
 * of follow-ups (CONTRACT §9). SWEEP_TIMEOUT_SECONDS, the function's own
 * timeout (the stack sets it), is how long the sweep's lease lasts (§4). ENVIRONMENT_NAME and ALERT_TIMEZONE shape the
 * alerts' subjects and times (notices/); CONSOLE_URL (the stack's ConsoleUrl, with `console` on) gives each
 * alert a link to its follow-up in the console.
 */
import { lazyFhirHttp } from '../fhir/client/lazy';
import { fhirConfigOf } from '../fhir/client/settings';
import { junctionFromSecret } from '../junction/key-secret';
import { functionTable } from '../store/document-table';
import { createLogger, createMetrics } from '../shared/observability';
import { secretStringReader } from '../shared/secrets-manager';
import { thresholdsOf } from '../shared/thresholds-env';
import { createSweepHandler, secretErrorName, SWEEP_SERVICE_NAME } from './app';
import { followUpAckHoursOf, leaseSecondsOf, reconcileOf, sweepConfig, syncOf } from './config';
import { alertSettingsOf, DEPLOYED_STACK_NAME, SNS_CLIENT_CONFIG } from '../notices/config';
import { createSnsNotifier } from '../notices/notifier';

const config = sweepConfig();
const logger = createLogger(SWEEP_SERVICE_NAME);
const db = functionTable();

const arn = config.JUNCTION_API_KEY_SECRET_ARN;
const junction =
  arn === undefined
    ? null
    : junctionFromSecret(secretStringReader(arn), config.JUNCTION_API_BASE_URL);

// Read the secret during the cold start (top-level await in the ESM bundle), so
// the first sweep has it at hand. A placeholder turns reconciliation off (WARN);
// an unreadable or malformed secret is logged here and reported by each sweep
// that meets it (the handler's JunctionKeyUnusable), never an init failure.
const startingApi = await junction?.().catch((error: unknown) => {
  logger.error('junction api key unusable at start: sweeping without reconciliation', { setting: 'JUNCTION_API_KEY_SECRET_ARN', error: secretErrorName(error) });
  return undefined;
});
if (startingApi === null) {
  logger.warn('junction api key not set: sweeping without reconciliation until the secret holds a key', { setting: 'JUNCTION_API_KEY_SECRET_ARN' });
}

// The follow-ups' Tasks (CONTRACT §13): with FHIR_BASE_URL only; the client loads at the catch-up's first request.
const fhirConfig = fhirConfigOf(config);
const fhir =
  fhirConfig === null
    ? null
    : {
        http: lazyFhirHttp(() => import('../fhir/client/client').then(({ fhirClientOf }) => fhirClientOf(fhirConfig, { logger }))),
        systems: fhirConfig.systems,
        baseUrl: fhirConfig.baseUrl,
        perSweep: fhirConfig.catchUpPerSweep,
        ehrActions: fhirConfig.ehrActions,
        ehrClosesHeld: fhirConfig.ehrClosesHeld === true,
      };

export const handler = createSweepHandler({
  db,
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  reconcile: reconcileOf(config),
  sync: syncOf(config),
  followUpAckHours: followUpAckHoursOf(config),
  // One sweep at a time: its lease ends the function's timeout after it was taken (CONTRACT §4).
  leaseSeconds: leaseSecondsOf(config),
  // Loaded at the first notification (notices/notifier.ts): most sweeps send none.
  notifier: createSnsNotifier(() => import('@aws-sdk/client-sns').then(({ SNSClient }) => new SNSClient({ ...SNS_CLIENT_CONFIG })), config.STALE_REDRAW_TOPIC_ARN, alertSettingsOf(config, DEPLOYED_STACK_NAME)),
  logger,
  metrics: createMetrics(SWEEP_SERVICE_NAME),
  junction,
  fhir,
});
