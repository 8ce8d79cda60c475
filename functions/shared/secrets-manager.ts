/**
 * Secrets Manager's GetSecretValue, the one call the webhook, the sweep and the
 * backfill make to it (once per cold start, then every few minutes). Not a second
 * SDK client: that would bundle another protocol, its models and a second
 * credential chain, parsed at every cold start for one request. It is one signed
 * JSON request (shared/aws-json.ts) with the function's own credentials.
 */
import * as z from 'zod/mini';
import { AwsJsonError, awsJsonCaller, partitionDomain, type AwsJsonOptions, type SigningConfig } from './aws-json';
import { ConfigError } from './config';

export type { SigningConfig } from './aws-json';

export interface GetSecretValueOptions extends AwsJsonOptions {
  /** Endpoint override (AWS_ENDPOINT_URL_SECRETS_MANAGER); the regional endpoint when absent. */
  endpoint?: string | undefined;
}

/** How long a read secret is kept: a secret set or rotated is picked up within minutes. */
export const SECRET_MAX_AGE_MS = 300_000;

/** Secrets Manager refused or failed: the error type it named (never a value), and the HTTP status. */
export class SecretsManagerError extends Error {
  override readonly name = 'SecretsManagerError';
  constructor(
    readonly errorType: string,
    readonly statusCode: number | undefined,
  ) {
    super(`GetSecretValue failed: ${errorType}${statusCode === undefined ? '' : ` (HTTP ${statusCode})`}`);
  }
}

/** The fields read from an answer. */
const Output = z.object({ SecretString: z.optional(z.string()) });

/**
 * The secret's SecretString, or null when the secret holds binary data only.
 * Throws a SecretsManagerError naming what Secrets Manager answered.
 */
export async function getSecretString(secretId: string, signing: SigningConfig, options: GetSecretValueOptions = {}): Promise<string | null> {
  const call = awsJsonCaller(
    { signingName: 'secretsmanager', targetPrefix: 'secretsmanager', jsonVersion: '1.1', endpoint: options.endpoint, regionalHost: regionalHost },
    signing,
    options,
  );
  let output: Record<string, unknown>;
  try {
    output = await call('GetSecretValue', { SecretId: secretId });
  } catch (error) {
    if (error instanceof AwsJsonError) throw new SecretsManagerError(error.errorType, error.statusCode);
    throw error;
  }
  const parsed = Output.safeParse(output);
  if (!parsed.success) throw new SecretsManagerError('InvalidResponse', 200);
  return parsed.data.SecretString ?? null;
}

/**
 * Reads one secret's string, asking Secrets Manager again once `maxAgeMs`
 * (SECRET_MAX_AGE_MS by default) have passed since the last answer (a rotation
 * is picked up within that time). Failures are not cached: the next call asks again.
 */
export function secretStringReader(
  secretId: string,
  signing: SigningConfig,
  options: GetSecretValueOptions & { maxAgeMs?: number } = {},
): () => Promise<string | null> {
  const maxAgeMs = options.maxAgeMs ?? SECRET_MAX_AGE_MS;
  let cached: { value: string | null; readAt: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.readAt < maxAgeMs) return cached.value;
    const value = await getSecretString(secretId, signing, options);
    cached = { value, readAt: Date.now() };
    return value;
  };
}

/**
 * For a `.catch` where a secret must be read to start: a Secrets Manager failure
 * becomes a ConfigError naming `setting` (its error type, never a value);
 * anything else is rethrown as it is.
 */
export function failAsSetting(setting: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof SecretsManagerError) throw new ConfigError(`invalid configuration: ${setting}: ${error.message}`, { cause: error });
    throw error;
  };
}

/** Secrets Manager's host in the region's partition (China has its own domain). */
function regionalHost(region: string): string {
  return `secretsmanager.${region}.${partitionDomain(region)}`;
}

/** Secrets Manager's endpoint in the region's partition. */
export function regionalEndpoint(region: string): string {
  return `https://${regionalHost(region)}`;
}
