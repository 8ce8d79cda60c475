/**
 * Lambda entry of the transaction-status function (DynamoDB stream, with
 * ReportBatchItemFailures). Wiring only: configuration is checked once, at init.
 *
 * Environment: TABLE_NAME (required), DYNAMODB_ENDPOINT (optional, DynamoDB Local).
 */
import * as z from 'zod/mini';
import { optionalEndpoint, parseEnv, required } from '../shared/config';
import { SERVICES } from '../shared/metric-names';
import { entryTable } from '../store/http-table';
import { createLogger, createMetrics } from '../shared/observability';
import { createTransactionStatusHandler } from './app';

const config = parseEnv(z.object({ TABLE_NAME: required(), DYNAMODB_ENDPOINT: optionalEndpoint() }));

export const handler = createTransactionStatusHandler({
  db: entryTable(config.DYNAMODB_ENDPOINT).db,
  tableName: config.TABLE_NAME,
  logger: createLogger(SERVICES.transactionStatus),
  metrics: createMetrics(SERVICES.transactionStatus),
});
