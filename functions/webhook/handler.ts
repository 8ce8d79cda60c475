/**
 * Lambda entry for POST /webhooks/junction: configuration (checked at cold
 * start: a missing or malformed setting fails loudly, by name) and wiring only.
 */
import type { SigningConfig } from '../shared/aws-json';
import { ConfigError } from '../shared/config';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { SecretsManagerError, secretStringReader } from '../shared/secrets-manager';
import { entryTable } from '../store/http-table';
import { createWebhookHandler } from './app';
import { secretsFromSecretString, webhookConfig, type SecretSource } from './config';

/** Secrets Manager values are cached this long, so a rotation is picked up within minutes. */
const SECRET_MAX_AGE_MS = 300_000;

const config = webhookConfig();
// Lambda's credentials from the environment; no SDK client: the one write per
// webhook is a signed JSON request (store/http-table.ts), which keeps the cold
// start small.
const { db, signing } = entryTable(config.dynamodbEndpoint);
const secrets = secretProvider(config.secretSource, signing);

// Read the secret during the cold start (top-level await in the ESM bundle): a
// missing, unreadable or malformed secret (still the deploy-time placeholder,
// say) fails the function's init loudly, by name, instead of its first webhook.
await secrets().catch((error: unknown) => {
  if (error instanceof SecretsManagerError) throw new ConfigError(`invalid configuration: WEBHOOK_SECRET_ARN: ${error.message}`, { cause: error });
  throw error;
});

export const handler = createWebhookHandler({
  writes: db,
  tableName: config.tableName,
  secrets,
  logger: createLogger(SERVICES.webhook),
  metrics: createMetrics(SERVICES.webhook),
});

/** The configured secrets; read from Secrets Manager with the function's credentials, and cached. */
function secretProvider(source: SecretSource, signing: SigningConfig): () => Promise<readonly string[]> {
  if (source.kind === 'environment') return async () => source.secrets;
  const read = secretStringReader(source.arn, signing, { endpoint: source.endpoint, maxAgeMs: SECRET_MAX_AGE_MS });
  return async () => {
    const text = await read();
    if (text === null) throw new ConfigError('invalid configuration: WEBHOOK_SECRET_ARN: the secret must be a string');
    return secretsFromSecretString(text);
  };
}
