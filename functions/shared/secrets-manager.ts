/**
 * The secrets the webhook, the sweep and the backfill read (webhook signing
 * secrets, the Junction API key), through Powertools Parameters' SecretsProvider:
 * the SDK's Secrets Manager client with a cache that asks again once `maxAge`
 * has passed (a secret set or rotated is picked up within minutes). Chosen over
 * the bare client for that cache; both cost the same at cold start (measured in
 * docs/engineering-notes.md). The SDK reads its endpoint, region and
 * credentials itself (AWS_ENDPOINT_URL_SECRETS_MANAGER points it at a stand-in).
 */
import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './config';
import { SDK_REQUEST_HANDLER } from './sdk-clients';

/** How long a read secret is kept, in seconds: a secret set or rotated is picked up within minutes. */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * A provider per function, created once at init; the client reads its settings
 * from the environment, its connection bounds from `clientConfig` (the shared
 * timeouts unless a function needs tighter ones: the webhook's).
 */
export function secretsProvider(clientConfig: SecretsManagerClientConfig = { requestHandler: { ...SDK_REQUEST_HANDLER } }): SecretsProvider {
  return new SecretsProvider({ clientConfig });
}

/**
 * Reads one secret's string (null when it holds binary data only), asking
 * Secrets Manager again once SECRET_MAX_AGE_SECONDS have passed since the last
 * answer. Failures are not cached: the next call asks again. Throws
 * Powertools' GetParameterError, its cause the SDK's error.
 */
export function secretStringReader(secretId: string, provider: SecretsProvider = secretsProvider()): () => Promise<string | null> {
  return async () => {
    const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    return typeof value === 'string' ? value : null;
  };
}

/**
 * For a `.catch` where a secret must be read to start: a Secrets Manager failure
 * becomes a ConfigError naming `setting` and the error's type
 * (`AccessDeniedException`, never its message or a value); anything else is
 * rethrown as it is.
 */
export function failAsSetting(setting: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof GetParameterError) {
      const cause = error.cause instanceof Error ? error.cause : undefined;
      const status = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
      throw new ConfigError(`invalid configuration: ${setting}: GetSecretValue failed: ${cause?.name ?? 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}`, { cause: error });
    }
    throw error;
  };
}
