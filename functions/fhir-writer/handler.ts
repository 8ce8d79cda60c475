/**
 * Lambda entry of the FHIR writer (CONTRACT §13): the table's stream, filtered
 * by its mapping to follow-up items, with ReportBatchItemFailures. Wiring
 * only: configuration is checked once, at init (the stack creates this
 * function only with FHIR_BASE_URL set, so an unset one fails loudly here).
 *
 * Environment: TABLE_NAME, FHIR_BASE_URL and the other FHIR_* settings, the
 * stale thresholds (STALE_*: the due time of an action applied from the EHR)
 * (functions/fhir/settings.ts); the credential by FHIR_CLIENT_SECRET_ARN or
 * FHIR_PRIVATE_KEY_SECRET_ARN (Secrets Manager), read when a token is first needed.
 */
import * as z from 'zod/mini';
import { fhirClientOf } from '../fhir/client';
import { fhirConfigOf, fhirSettingsShape } from '../fhir/settings';
import { ConfigError, parseEnv, required } from '../shared/config';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { functionTable } from '../store/document-table';
import { createFhirWriterHandler } from './app';

const config = parseEnv(z.extend(ThresholdsEnv, { ...fhirSettingsShape, TABLE_NAME: required() }));
const fhir = fhirConfigOf(config);
if (fhir === null) throw new ConfigError('FHIR_BASE_URL must be set: the FHIR writer runs only when Tasks are kept in an EHR');

export const handler = createFhirWriterHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  http: fhirClientOf(fhir),
  systems: fhir.systems,
  baseUrl: fhir.baseUrl,
  ehr: fhir.ehrActions ? { thresholds: thresholdsOf(config) } : null,
  logger: createLogger(SERVICES.fhirWriter),
  metrics: createMetrics(SERVICES.fhirWriter),
});
