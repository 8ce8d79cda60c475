/**
 * Lambda entry for POST /webhooks/junction: configuration (checked at cold
 * start: a missing or malformed setting fails loudly, by name) and wiring only.
 */
import type { SigningConfig } from '../shared/aws-json';
import { ConfigError } from '../shared/config';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { failAsSetting, secretStringReader } from '../shared/secrets-manager';
import { entryTable } from '../store/http-table';
import { createWebhookHandler } from './app';
import { secretsFromSecretString, webhookConfig, type SecretSource } from './config';

const config = webhookConfig();
// Lambda's credentials from the environment; no SDK client: the one write per
// webhook is a signed JSON request (store/http-table.ts), which keeps the cold
// start small.
const { db, signing } = entryTable(config.dynamodbEndpoint);
const secrets = secretProvider(config.secretSource, signing);

// Read the secret during the cold start (top-level await in the ESM bundle): a
// missing, unreadable or malformed secret (still the deploy-time placeholder,
// say) fails the function's init loudly, by name, instead of its first webhook.
await secrets().catch(failAsSetting('WEBHOOK_SECRET_ARN'));

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
  const read = secretStringReader(source.arn, signing, { endpoint: source.endpoint });
  return async () => {
    const text = await read();
    if (text === null) throw new ConfigError('invalid configuration: WEBHOOK_SECRET_ARN: the secret must be a string');
    return secretsFromSecretString(text);
  };
}
