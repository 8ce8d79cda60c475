/**
 * Lambda entry of the FHIR writer (CONTRACT §13): the table's stream, filtered
 * by its mapping to follow-up items, with ReportBatchItemFailures; and its
 * schedule (an EventBridge scheduled event, `source: aws.events`), which runs
 * one poll for work done in the EHR (fhir-writer/poll-entry.ts); its retry tick
 * (a rule of its own with FHIR_RETRY_EVENT as input), which sends the pending
 * Tasks (fhir-writer/retry-entry.ts); and its notices
 * queue (SQS, `eventSource: aws:sqs`, ReportBatchItemFailures), fed by the
 * notifications route (fhir-writer/notice-entry.ts). Wiring only:
 * configuration is checked once, at init (the stack creates this function
 * only with FHIR_BASE_URL set, so an unset one fails loudly here).
 *
 * Environment: TABLE_NAME, FHIR_BASE_URL and the other FHIR_* settings, the
 * stale thresholds (STALE_*: the due time of an action applied from the EHR)
 * (functions/fhir/client/settings.ts); the credential by FHIR_CLIENT_SECRET_ARN or
 * FHIR_PRIVATE_KEY_SECRET_ARN (Secrets Manager), read when a token is first needed.
 */
import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { fhirClientOf } from '../fhir/client/client';
import { fhirConfigOf, fhirSettingsShape } from '../fhir/client/settings';
import { ConfigError, parseEnv, required } from '../shared/config';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { createFhirWriterHandler } from './app';
import { fhirWriterDeps } from './deps';
import { createFhirNoticeHandler, isQueueEvent } from './notice-entry';
import { createFhirPollHandler, isScheduledEvent } from './poll-entry';
import { isRetryEvent } from '../core/fhir/retry';
import { createFhirRetryHandler } from './retry-entry';

const config = parseEnv(z.extend(ThresholdsEnv, { ...fhirSettingsShape, TABLE_NAME: required() }));
const fhir = fhirConfigOf(config);
if (fhir === null) throw new ConfigError('FHIR_BASE_URL must be set: the FHIR writer runs only when Tasks are kept in an EHR');

const shared = fhirWriterDeps({ db: functionTable(), tableName: config.TABLE_NAME, http: fhirClientOf(fhir), config: fhir, thresholds: thresholdsOf(config) });
const write = createFhirWriterHandler(shared);
const poll = createFhirPollHandler(shared);
const notices = createFhirNoticeHandler(shared);
const retry = createFhirRetryHandler(shared);

export const handler = async (event: DynamoDBStreamEvent | SQSEvent | { source: 'aws.events' } | { fhir: 'retry_pending' }, context: Context) =>
  isRetryEvent(event) ? retry(event, context) : isScheduledEvent(event) ? poll(event, context) : isQueueEvent(event) ? notices(event, context) : write(event, context);
