/**
 * The digest's settings, checked once at start (handler.ts): the table, the
 * notification topic, the zone whose Monday 00:00 starts a week
 * (DIGEST_TIMEZONE, default UTC), the environment the subject ends with
 * (ENVIRONMENT_NAME, as the alerts') and the console's URL its worklist link
 * starts with (CONSOLE_URL, optional: no link without it).
 */
import * as z from 'zod/mini';
import { isTimeZone } from '../core/alert-time';
import { optionalConsoleUrl, optionalSetting, parseEnv, required } from '../shared/config';
import { AlertEnv } from '../notices/config';

export const DigestEnv = z.object({
  TABLE_NAME: required(),
  NOTIFICATIONS_TOPIC_ARN: required().check(z.startsWith('arn:', 'must be an SNS topic ARN')),
  DIGEST_TIMEZONE: z.pipe(
    optionalSetting(z.string().check(z.trim(), z.refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'))),
    z.transform((zone: string | undefined) => zone ?? 'UTC'),
  ),
  ENVIRONMENT_NAME: AlertEnv.shape.ENVIRONMENT_NAME,
  CONSOLE_URL: optionalConsoleUrl(),
});
export type DigestConfig = z.output<typeof DigestEnv>;

/** Parses the digest's environment, or throws a ConfigError naming each bad setting. */
export function digestConfig(env: NodeJS.ProcessEnv = process.env): DigestConfig {
  return parseEnv(DigestEnv, env);
}
