/**
 * Lambda entry of the stale-redraw sweep (EventBridge schedule). Configuration is
 * checked once, at start: a missing table or topic, or a threshold that is not a
 * positive number, fails the function loudly before any sweep.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { optionalEndpoint, parseEnv, required } from '../shared/config';
import { entryDocumentClient } from '../shared/dynamodb';
import { createLogger, createMetrics } from '../shared/observability';
import { createSweepHandler, SWEEP_SERVICE_NAME, thresholdsOf, ThresholdsEnv } from './app';
import { createSnsNotifier } from './notifier';

const config = parseEnv(
  ThresholdsEnv.extend({
    TABLE_NAME: required(),
    STALE_REDRAW_TOPIC_ARN: required(),
    DYNAMODB_ENDPOINT: optionalEndpoint(),
  }),
);

const logger = createLogger(SWEEP_SERVICE_NAME);

export const handler = createSweepHandler({
  doc: entryDocumentClient(config.DYNAMODB_ENDPOINT),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  notifier: createSnsNotifier(new SNSClient({}), config.STALE_REDRAW_TOPIC_ARN),
  logger,
  metrics: createMetrics(SWEEP_SERVICE_NAME),
});
