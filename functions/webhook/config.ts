/**
 * The webhook function's settings, checked once at start (handler.ts). Secrets
 * come from Secrets Manager in AWS (WEBHOOK_SECRET_ARN) or from the environment
 * locally (JUNCTION_WEBHOOK_SECRET); either holds comma-separated `whsec_`
 * secrets. A malformed secret is reported by the setting's name, never echoed.
 * Endpoints are the SDK's to read (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
import * as z from 'zod/mini';
import { svixSecretKey } from '../core/svix';
import { ConfigError, optionalSetting, parseEnv, required } from '../shared/config';

/** Comma-separated `whsec_` secrets, or null when any part is not one (or there are none). */
export function parseWebhookSecrets(text: string): string[] | null {
  const secrets = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (secrets.length === 0 || secrets.some((secret) => svixSecretKey(secret) === null)) return null;
  return secrets;
}

const MALFORMED = 'must be comma-separated whsec_<base64> secrets';

const WebhookEnv = z
  .object({
    TABLE_NAME: required(),
    /** Days an appointment item is kept (CONTRACT §8); unset: none expires (the stack sets it). */
    RETENTION_DAYS: optionalSetting(z.coerce.number().check(z.int(), z.positive(), z.maximum(36_500))),
    WEBHOOK_SECRET_ARN: optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN'))),
    JUNCTION_WEBHOOK_SECRET: optionalSetting(
      z.pipe(
        z.string(),
        z.transform((text, context) => {
          const secrets = parseWebhookSecrets(text);
          if (secrets === null) {
            context.issues.push({ code: 'custom', message: MALFORMED, input: text });
            return z.NEVER;
          }
          return secrets;
        }),
      ),
    ),
  })
  .check(z.refine((env) => env.WEBHOOK_SECRET_ARN !== undefined || env.JUNCTION_WEBHOOK_SECRET !== undefined, {
    path: ['WEBHOOK_SECRET_ARN'],
    message: 'WEBHOOK_SECRET_ARN (AWS) or JUNCTION_WEBHOOK_SECRET (local) is required',
  }));

/** Where the secrets come from: a Secrets Manager secret, or the environment itself. */
export type SecretSource =
  | { kind: 'secrets_manager'; arn: string }
  | { kind: 'environment'; secrets: readonly string[] };

export interface WebhookConfig {
  tableName: string;
  secretSource: SecretSource;
  retentionDays: number | null;
}

/** Parses the webhook's environment, or throws a ConfigError naming each bad setting. */
export function webhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const parsed = parseEnv(WebhookEnv, env);
  // The environment wins when both are set: that is how a local run overrides a deployed setting.
  const secretSource: SecretSource = parsed.JUNCTION_WEBHOOK_SECRET
    ? { kind: 'environment', secrets: parsed.JUNCTION_WEBHOOK_SECRET }
    : { kind: 'secrets_manager', arn: requireArn(parsed.WEBHOOK_SECRET_ARN) };
  return { tableName: parsed.TABLE_NAME, secretSource, retentionDays: parsed.RETENTION_DAYS ?? null };
}

function requireArn(arn: string | undefined): string {
  if (arn === undefined) throw new ConfigError('invalid configuration: WEBHOOK_SECRET_ARN: is required');
  return arn;
}

/** Parses the text of the Secrets Manager secret, naming the setting (never the value) when it is malformed. */
export function secretsFromSecretString(text: string): string[] {
  const secrets = parseWebhookSecrets(text);
  if (secrets === null) throw new ConfigError(`invalid configuration: WEBHOOK_SECRET_ARN: the secret ${MALFORMED}`);
  return secrets;
}
