/**
 * The sweep's settings, checked once at start (handler.ts). Reconciliation with
 * Junction's API (CONTRACT §6) is optional: without JUNCTION_API_KEY_SECRET_ARN,
 * or while that secret still holds its deploy-time placeholder, the sweep makes no
 * request to Junction and works from webhooks alone (§4).
 */
import * as z from 'zod/mini';
import { optionalConsoleUrl, optionalSetting, parseEnv, required } from '../shared/config';
import { JunctionApiBaseUrl } from '../junction/settings';
import { FollowUpEnv, LeaseEnv, ReconcileEnv, SyncEnv, ThresholdsEnv } from './app';
import { AlertEnv } from '../notices/config';

export const SweepEnv = z.extend(z.extend(z.extend(z.extend(z.extend(z.extend(ThresholdsEnv, ReconcileEnv.shape), SyncEnv.shape), FollowUpEnv.shape), AlertEnv.shape), LeaseEnv.shape), {
  TABLE_NAME: required(),
  STALE_REDRAW_TOPIC_ARN: required(),
  /** The Secrets Manager secret holding Junction's team API key; absent: no reconciliation. */
  JUNCTION_API_KEY_SECRET_ARN: optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN'))),
  JUNCTION_API_BASE_URL: JunctionApiBaseUrl,
  /** The console's URL (the stack's ConsoleUrl, with `console` on): each alert links to its follow-up there; absent: no link. */
  CONSOLE_URL: optionalConsoleUrl(),
});
export type SweepConfig = z.output<typeof SweepEnv>;

/** Parses the sweep's environment, or throws a ConfigError naming each bad setting. */
export function sweepConfig(env: NodeJS.ProcessEnv = process.env): SweepConfig {
  return parseEnv(SweepEnv, env);
}

export { apiKeyFromSecretString, PLACEHOLDER_PREFIX } from '../junction/key-secret';
