/**
 * Lambda entry for POST /webhooks/junction: configuration (checked at cold
 * start: a missing or malformed setting fails loudly, by name) and wiring only.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../shared/config';
import { entryDocumentClient } from '../shared/dynamodb';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { createWebhookHandler } from './app';
import { secretsFromSecretString, webhookConfig, type SecretSource } from './config';

/** Secrets Manager values are cached this long, so a rotation is picked up within minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

const config = webhookConfig();
const secrets = secretProvider(config.secretSource);

// Read the secret during the cold start (top-level await in the ESM bundle): a
// missing, unreadable or malformed secret (still the deploy-time placeholder,
// say) fails the function's init loudly, by name, instead of its first webhook.
await secrets();

export const handler = createWebhookHandler({
  doc: entryDocumentClient(config.dynamodbEndpoint),
  tableName: config.tableName,
  secrets,
  logger: createLogger(SERVICES.webhook),
  metrics: createMetrics(SERVICES.webhook),
});

function secretProvider(source: SecretSource): () => Promise<readonly string[]> {
  if (source.kind === 'environment') return async () => source.secrets;
  return async () => {
    const text = await getSecret(source.arn, { maxAge: SECRET_MAX_AGE_SECONDS });
    if (typeof text !== 'string') throw new ConfigError('invalid configuration: WEBHOOK_SECRET_ARN: the secret must be a string');
    return secretsFromSecretString(text);
  };
}
