/**
 * Lambda entry of the notifications route (CONTRACT §13; issue 71): settings
 * (checked at cold start: a missing or malformed one fails loudly, by name)
 * and wiring only. The notify secret is read from Secrets Manager
 * (FHIR_NOTIFY_SECRET_ARN, cached five minutes) during the cold start, so a
 * secret still at its placeholder fails the init, not the first notification;
 * notices go to the writer's queue (FHIR_NOTIFY_QUEUE_URL).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { notifyConfig } from '../fhir/client/notify-settings';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { webhookSdkClientConfig } from '../shared/sdk-clients';
import { secretsProvider } from '../shared/secrets-manager';
import { createFhirNotificationsHandler } from './app';
import { sqsNoticeQueue } from './sqs-queue';

// The webhook's bounds (2 attempts of at most 3 s each): a read of the secret or a send to the queue
// ends, or fails into a 503, well within the route's 10 s, so the EHR hears an answer and retries.
const config = notifyConfig(process.env, { secrets: secretsProvider(webhookSdkClientConfig()) });
if (config.secret !== null) await config.secret();

const queueUrl = config.queueUrl;

export const handler = createFhirNotificationsHandler({
  secret: config.secret,
  enqueue: queueUrl === null ? () => Promise.reject(new Error('no notice queue')) : sqsNoticeQueue(new SQSClient(webhookSdkClientConfig()), queueUrl),
  logger: createLogger(SERVICES.fhirNotifications),
  metrics: createMetrics(SERVICES.fhirNotifications),
});
