/**
 * Settings of the one-machine runtime (CONTRACT §5), parsed once at start.
 */
import { FollowUpMissingResultsEnv } from '../functions/shared/follow-up-env';
import * as z from 'zod';
import { fhirLocalSettingsShape } from '../functions/fhir/client/settings';
import { notifySettingsShape } from '../functions/fhir/client/notify-settings';
import { junctionApiSettingsShape } from '../functions/junction/settings';
import { parseEnv, optionalEndpoint, positiveNumber } from '../functions/shared/config';
import { ThresholdsEnv } from '../functions/shared/thresholds-env';
import { FollowUpEnv, ReconcileEnv, SyncEnv } from '../functions/stale-redraw-sweep/config';
import { AlertEnv } from '../functions/notices/config';
import { DigestEnv } from '../functions/weekly-digest/config';
import { dynamodbEndpointSetting } from './dynamodb-endpoint';

const WebhookSecrets = z
  .string()
  .trim()
  .min(1)
  .refine(
    (value) => value.split(',').every((secret) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret.trim())),
    'must be one or more comma-separated whsec_<base64> secrets',
  );

const LocalSettings = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  JUNCTION_WEBHOOK_SECRET: WebhookSecrets.optional(),
  REDRAW_STALE_AFTER_DAYS: positiveNumber(7),
  REDRAW_MISSING_AFTER_HOURS: positiveNumber(24),
  /** CONTRACT §10: no_progress waits for a booked appointment's start plus this many hours; then appointment_missed. */
  APPOINTMENT_GRACE_HOURS: ThresholdsEnv.shape.APPOINTMENT_GRACE_HOURS,
  SWEEP_INTERVAL_SECONDS: positiveNumber(60),
  /** Days a transaction that is over (and its orders) is kept (CONTRACT §8): items carry expires_at. */
  RETENTION_DAYS: z.coerce.number().int().positive().max(36_500).default(365),
  DATA_DIR: z.string().trim().min(1).optional(),
  /** An already running DynamoDB (dynamodb-endpoint.ts: AWS_ENDPOINT_URL_DYNAMODB or DYNAMODB_ENDPOINT); the embedded one when unset. */
  DYNAMODB_ENDPOINT: optionalEndpoint(),
  TABLE_NAME: z.string().trim().min(3).max(255).default('redraw-tracker'),
  // Reconciliation with Junction's API (CONTRACT §6): off without JUNCTION_API_KEY.
  ...junctionApiSettingsShape,
  /** CONTRACT §14: `on` asks Junction to confirm a booking asynchronously (pending until Quest confirms). */
  JUNCTION_BOOKING_ASYNC: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  // The follow-ups' Tasks in the team's EHR (CONTRACT §13): off without FHIR_BASE_URL (no CONSOLE_URL: npm start links to its own URL).
  ...fhirLocalSettingsShape,
  // The FHIR server's notifications (CONTRACT §13): POST /fhir/notifications answers 404 without it; the value itself (no ARN, no queue URL).
  FHIR_NOTIFY_SECRET: notifySettingsShape.FHIR_NOTIFY_SECRET,
  ...ReconcileEnv.shape,
  ...SyncEnv.shape,
  // Follow-ups (CONTRACT §9): the opt-in not_acknowledged reminder, off when unset; what opens one (on: missing results too).
  ...FollowUpEnv.shape,
  ...FollowUpMissingResultsEnv.shape,
  // The alerts' environment name (default `local`) and optional time zone (functions/notices/config.ts).
  ...AlertEnv.shape,
  // The weekly digest's week starts Monday 00:00 in this zone (default UTC; CONTRACT §11).
  DIGEST_TIMEZONE: DigestEnv.shape.DIGEST_TIMEZONE,
  /**
   * What npm start prints: `text` (default) one readable line per request and scheduled sweep, the
   * functions' logs from WARN up; `json` every function's Powertools JSON at info, as on AWS.
   */
  LOG_FORMAT: z.enum(['text', 'json'], { error: 'must be text (one readable line per request) or json (the functions\' JSON logs, as on AWS)' }).default('text'),
}).refine((settings) => settings.FHIR_NOTIFY_SECRET === undefined || settings.FHIR_BASE_URL !== undefined, {
  path: ['FHIR_NOTIFY_SECRET'],
  message: 'needs FHIR_BASE_URL: notifications name Tasks the tracker reads from that server',
});
export type LocalSettings = z.output<typeof LocalSettings>;

export function parseLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const dynamodb = dynamodbEndpointSetting(env);
  return parseEnv(LocalSettings, { ...env, DYNAMODB_ENDPOINT: dynamodb?.endpoint });
}
