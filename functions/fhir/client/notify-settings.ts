/**
 * The notifications route's settings (CONTRACT §13, "Notifications"), parsed
 * once at start: the notify secret, given as the value (`FHIR_NOTIFY_SECRET`,
 * npm start) or as a Secrets Manager secret's ARN (`FHIR_NOTIFY_SECRET_ARN`,
 * AWS), and the writer's queue the route sends notices to
 * (`FHIR_NOTIFY_QUEUE_URL`, AWS). Without a notify secret the route answers
 * 404 and nothing of it runs. Messages name settings, never a value.
 */
import * as z from 'zod/mini';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, optionalSetting, parseEnv } from '../../shared/config';

/** The rule a notify secret follows, in words (the setting's message, and docs/deploy.md's). */
export const NOTIFY_SECRET_RULE =
  'must be 16 to 1024 characters of A-Z a-z 0-9 - . _ ~ + / (then = only at the end), so that it fits an Authorization: Bearer header and a Subscription extension; e.g. openssl rand -hex 32';

/** Whether `secret` can be the notify secret: RFC 6750's token characters, long enough not to be guessed. */
export function isNotifySecret(secret: string): boolean {
  return secret.length >= 16 && secret.length <= 1024 && /^[A-Za-z0-9\-._~+/]+=*$/.test(secret);
}

const NotifySecret = z.string().check(z.trim(), z.refine(isNotifySecret, NOTIFY_SECRET_RULE));

/** Merge into an entry's settings (npm start takes FHIR_NOTIFY_SECRET only). */
export const notifySettingsShape = {
  FHIR_NOTIFY_SECRET: optionalSetting(NotifySecret),
  FHIR_NOTIFY_SECRET_ARN: optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN'))),
  FHIR_NOTIFY_QUEUE_URL: optionalSetting(z.url({ protocol: /^https?$/, error: 'must be the https URL of the writer’s notice queue' })),
};

const NotifySettings = z.object(notifySettingsShape);
export type NotifySettings = z.output<typeof NotifySettings>;

/** What the route needs: the secret (null: none configured, every request 404) and the queue's URL (AWS). */
export interface NotifyConfig {
  secret: (() => Promise<string>) | null;
  queueUrl: string | null;
}

export interface NotifyConfigOptions {
  /** Where FHIR_NOTIFY_SECRET_ARN is read (tests: a stand-in); default: the shared provider. */
  secrets?: SecretsProvider;
}

/** The route's configuration from the environment, or a ConfigError naming each bad setting. */
export function notifyConfig(env: NodeJS.ProcessEnv = process.env, options: NotifyConfigOptions = {}): NotifyConfig {
  return notifyConfigOf(parseEnv(NotifySettings, env), options);
}

/**
 * The configuration of parsed settings. The value wins over the ARN (a local
 * run overrides a deployed setting); a secret without a queue is refused on
 * AWS, where the route's only work is to queue (npm start passes its own queue).
 */
export function notifyConfigOf(settings: Partial<NotifySettings>, options: NotifyConfigOptions & { queueRequired?: boolean } = {}): NotifyConfig {
  const queueUrl = settings.FHIR_NOTIFY_QUEUE_URL ?? null;
  const value = settings.FHIR_NOTIFY_SECRET;
  const arn = settings.FHIR_NOTIFY_SECRET_ARN;
  if (value === undefined && arn === undefined) return { secret: null, queueUrl };
  if ((options.queueRequired ?? true) && queueUrl === null) {
    throw new ConfigError('invalid configuration: FHIR_NOTIFY_QUEUE_URL: is required with a notify secret (the route sends each notice there)');
  }
  if (value !== undefined) return { secret: () => Promise.resolve(value), queueUrl };
  return { secret: arnReader(arn!, options), queueUrl };
}

/**
 * A reader of the secret named by ARN (Powertools' cache: asked again after 5
 * minutes, a failure never kept), loaded at the first read. A failure or a
 * malformed secret is a ConfigError naming FHIR_NOTIFY_SECRET_ARN, never the value.
 */
function arnReader(arn: string, options: NotifyConfigOptions): () => Promise<string> {
  let reader: Promise<{ read: () => Promise<string | null>; fail: (error: unknown) => never }> | undefined;
  return async () => {
    reader ??= import('../../shared/secrets-manager').then(({ secretStringReader, secretsProvider, failAsSetting }) => ({
      read: secretStringReader(arn, options.secrets ?? secretsProvider()),
      fail: failAsSetting('FHIR_NOTIFY_SECRET_ARN'),
    }));
    const { read, fail } = await reader;
    const text = (await read().catch(fail))?.trim() ?? '';
    if (!isNotifySecret(text)) throw new ConfigError(`invalid configuration: FHIR_NOTIFY_SECRET_ARN: the secret ${NOTIFY_SECRET_RULE}`);
    return text;
  };
}
