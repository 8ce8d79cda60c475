/**
 * Lambda entry for POST /webhooks/junction: configuration (checked at cold
 * start: a missing or malformed setting fails loudly, by name) and wiring only.
 */
import { ConfigError } from '../shared/config';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { webhookSdkClientConfig } from '../shared/sdk-clients';
import { failAsSetting, secretsProvider, secretStringReader } from '../shared/secrets-manager';
import { functionTable } from '../store/document-table';
import { createWebhookHandler } from './app';
import { secretsFromSecretString, webhookConfig, type SecretSource } from './config';

const config = webhookConfig();
const secrets = secretProvider(config.secretSource);

// Read the secret during the cold start (top-level await in the ESM bundle): a
// missing, unreadable or malformed secret (still the deploy-time placeholder,
// say) fails the function's init loudly, by name, instead of its first webhook.
await secrets().catch(failAsSetting('WEBHOOK_SECRET_ARN'));

export const handler = createWebhookHandler({
  // Bounded so that the write ends, or fails, in time for a 503 (shared/sdk-clients.ts).
  writes: functionTable(webhookSdkClientConfig()),
  tableName: config.tableName,
  retentionDays: config.retentionDays,
  secrets,
  logger: createLogger(SERVICES.webhook),
  metrics: createMetrics(SERVICES.webhook),
});

/** The configured secrets; read from Secrets Manager (cached, shared/secrets-manager.ts). */
function secretProvider(source: SecretSource): () => Promise<readonly string[]> {
  if (source.kind === 'environment') return async () => source.secrets;
  const read = secretStringReader(source.arn, secretsProvider(webhookSdkClientConfig()));
  return async () => {
    const text = await read();
    if (text === null) throw new ConfigError('invalid configuration: WEBHOOK_SECRET_ARN: the secret must be a string');
    return secretsFromSecretString(text);
  };
}
