/**
 * Lambda entry of the transaction-status function (DynamoDB stream, with
 * ReportBatchItemFailures). Wiring only: configuration is checked once, at init.
 *
 * Environment: TABLE_NAME (required); the SDK reads the rest (AWS_ENDPOINT_URL_DYNAMODB locally).
 */
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/config';
import { SERVICES } from '../shared/metric-names';
import { functionTable } from '../store/document-table';
import { createLogger, createMetrics } from '../shared/observability';
import { createTransactionStatusHandler } from './app';

const config = parseEnv(z.object({ TABLE_NAME: required() }));

export const handler = createTransactionStatusHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  logger: createLogger(SERVICES.transactionStatus),
  metrics: createMetrics(SERVICES.transactionStatus),
});
