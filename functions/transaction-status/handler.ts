/**
 * Lambda entry of the transaction-status function (DynamoDB stream, with
 * ReportBatchItemFailures). Wiring only: configuration is checked once, at init.
 *
 * Environment: TABLE_NAME and EVENT_BUS_NAME (required), RETENTION_DAYS (default
 * 365), REDRAW_STALE_AFTER_DAYS and REDRAW_MISSING_AFTER_HOURS (follow-ups' due times), FOLLOW_UP_MISSING_RESULTS (on|off, default on: CONTRACT §9); the SDK reads the rest (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE locally).
 */
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/config';
import { FollowUpMissingResultsEnv, situationOptionsOf } from '../shared/follow-up-env';
import { SERVICES } from '../shared/metric-names';
import { functionTable } from '../store/document-table';
import { createLogger, createMetrics } from '../shared/observability';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';
import { ThresholdsEnv, thresholdsOf } from '../shared/thresholds-env';
import { createTransactionStatusHandler, RetentionEnv } from './app';
import { createEventBridgePublisher } from './publisher';

const config = parseEnv(z.extend(z.extend(z.extend(RetentionEnv, ThresholdsEnv.shape), FollowUpMissingResultsEnv.shape), { TABLE_NAME: required(), EVENT_BUS_NAME: required() }));

export const handler = createTransactionStatusHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  logger: createLogger(SERVICES.transactionStatus),
  metrics: createMetrics(SERVICES.transactionStatus),
  // Loaded on first use, built apart (lib/function-bundle.ts LAZY_PACKAGES): off the cold start.
  publisher: createEventBridgePublisher(
    () => import('@aws-sdk/client-eventbridge').then(({ EventBridgeClient }) => new EventBridgeClient({ requestHandler: { ...SDK_REQUEST_HANDLER } })),
    config.EVENT_BUS_NAME,
  ),
  retentionDays: config.RETENTION_DAYS,
  thresholds: thresholdsOf(config),
  situationOptions: situationOptionsOf(config),
});
