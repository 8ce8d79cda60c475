/**
 * The sweep's settings, checked once at start (handler.ts). Reconciliation with
 * Junction's API (CONTRACT §6) is optional: without JUNCTION_API_KEY_SECRET_ARN,
 * or while that secret still holds its deploy-time placeholder, the sweep makes no
 * request to Junction and works from webhooks alone (§4).
 */
import { fhirSettingsShape } from '../fhir/client/settings';
import * as z from 'zod/mini';
import { optionalConsoleUrl, optionalSetting, parseEnv, required } from '../shared/config';
import { JunctionApiBaseUrl } from '../junction/settings';
import { ThresholdsEnv } from '../shared/thresholds-env';
import { AlertEnv } from '../notices/config';
import type { SyncSettings } from './steps/sync';

/** Catch-up settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const ReconcileEnv = z.object({
  /** A member behind its listing for longer than this is read from the API (Svix delivers most retries well within it). */
  RECONCILE_AFTER_MINUTES: z._default(z.coerce.number().check(z.positive(), z.maximum(525_600)), 60),
  /** Catch-up reads per sweep at most (verification reads of flag candidates are not capped). */
  RECONCILE_MAX_PER_SWEEP: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000)), 100),
  /** Reads of orders' missing results per sweep at most (CONTRACT §9 `missing`); the rest wait for the next sweep. */
  MISSING_RESULTS_MAX_PER_SWEEP: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000)), 100),
});

export interface ReconcileSettings {
  afterMinutes: number;
  maxPerSweep: number;
  /** Missing results' reads per sweep at most (default DEFAULT_RESULTS_PER_SWEEP). */
  resultsMaxPerSweep?: number;
}

/** MISSING_RESULTS_MAX_PER_SWEEP's default. */
export const DEFAULT_RESULTS_PER_SWEEP = 100;

export const DEFAULT_RECONCILE: ReconcileSettings = { afterMinutes: 60, maxPerSweep: 100, resultsMaxPerSweep: DEFAULT_RESULTS_PER_SWEEP };

/** Continuous sync settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const SyncEnv = z.object({
  /** How far back the first sync reaches (older orders are the backfill's). */
  SYNC_LOOKBACK_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(8760)), 24),
  /** Longest time one sweep spends on the sync; a backlog is worked off over as many sweeps as it takes. */
  SYNC_MAX_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(840)), 120),
});

/**
 * The sweep's lease (CONTRACT §4): one sweep at a time. On AWS it ends the
 * sweep's Lambda timeout after it was taken (the stack passes its own timeout:
 * SWEEP_TIMEOUT_SECONDS), so a sweep that died holds it no longer than Lambda
 * would have let it run.
 */
export const LeaseEnv = z.object({
  SWEEP_TIMEOUT_SECONDS: z.pipe(required(), z.coerce.number<string>().check(z.int(), z.minimum(1), z.maximum(900))),
});

/** The lease's length in seconds from parsed settings (see LeaseEnv). */
export function leaseSecondsOf(env: z.output<typeof LeaseEnv>): number {
  return env.SWEEP_TIMEOUT_SECONDS;
}

/** Follow-up settings (CONTRACT §9), checked at start. */
export const FollowUpEnv = z.object({
  /**
   * Opt-in: a follow-up still `new` this many hours after it opened is notified
   * once (`not_acknowledged`). Unset (or empty): no reminder.
   */
  FOLLOW_UP_ACK_HOURS: optionalSetting(z.coerce.number().check(z.positive(), z.maximum(8760))),
});

/** The not_acknowledged reminder's delay in hours, or null when off (see FollowUpEnv). */
export function followUpAckHoursOf(env: z.output<typeof FollowUpEnv>): number | null {
  return env.FOLLOW_UP_ACK_HOURS ?? null;
}

/** Sync settings from parsed settings (see SyncEnv). */
export function syncOf(env: z.output<typeof SyncEnv>): SyncSettings {
  return { lookbackHours: env.SYNC_LOOKBACK_HOURS, maxSeconds: env.SYNC_MAX_SECONDS };
}

/** Catch-up settings from parsed settings (see ReconcileEnv). */
export function reconcileOf(env: z.output<typeof ReconcileEnv>): ReconcileSettings {
  return { afterMinutes: env.RECONCILE_AFTER_MINUTES, maxPerSweep: env.RECONCILE_MAX_PER_SWEEP, resultsMaxPerSweep: env.MISSING_RESULTS_MAX_PER_SWEEP };
}

export const SweepEnv = z.extend(z.extend(z.extend(z.extend(z.extend(z.extend(ThresholdsEnv, ReconcileEnv.shape), SyncEnv.shape), FollowUpEnv.shape), AlertEnv.shape), LeaseEnv.shape), {
  TABLE_NAME: required(),
  STALE_REDRAW_TOPIC_ARN: required(),
  /** The Secrets Manager secret holding Junction's team API key; absent: no reconciliation. */
  JUNCTION_API_KEY_SECRET_ARN: optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN'))),
  JUNCTION_API_BASE_URL: JunctionApiBaseUrl,
  // The follow-ups' Tasks in the team's EHR (CONTRACT §13): off without FHIR_BASE_URL.
  ...fhirSettingsShape,
  /** The console's URL (the stack's ConsoleUrl, with `console` on): each alert, and each Task, links to its follow-up there; absent: no link. */
  CONSOLE_URL: optionalConsoleUrl(),
});
export type SweepConfig = z.output<typeof SweepEnv>;

/** Parses the sweep's environment, or throws a ConfigError naming each bad setting. */
export function sweepConfig(env: NodeJS.ProcessEnv = process.env): SweepConfig {
  return parseEnv(SweepEnv, env);
}

export { apiKeyFromSecretString, PLACEHOLDER_PREFIX } from '../junction/key-secret';
