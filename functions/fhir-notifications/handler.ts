/**
 * Lambda entry of the notifications route (CONTRACT §13; issue 71): settings
 * (checked at cold start: a missing or malformed one fails loudly, by name)
 * and wiring only. The notify secret is read from Secrets Manager
 * (FHIR_NOTIFY_SECRET_ARN, cached five minutes) during the cold start, so a
 * secret still at its placeholder fails the init, not the first notification;
 * notices go to the writer's queue (FHIR_NOTIFY_QUEUE_URL).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { notifyConfig } from '../fhir/notify-settings';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';
import { createFhirNotificationsHandler } from './app';
import { sqsNoticeQueue } from './sqs-queue';

const config = notifyConfig();
if (config.secret !== null) await config.secret();

const queueUrl = config.queueUrl;

export const handler = createFhirNotificationsHandler({
  secret: config.secret,
  enqueue: queueUrl === null ? () => Promise.reject(new Error('no notice queue')) : sqsNoticeQueue(new SQSClient({ requestHandler: { ...SDK_REQUEST_HANDLER } }), queueUrl),
  logger: createLogger(SERVICES.fhirNotifications),
  metrics: createMetrics(SERVICES.fhirNotifications),
});
