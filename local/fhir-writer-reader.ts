/**
 * The FHIR writer under `npm start` (CONTRACT §13): the deployed function's
 * handler on a stream reader of its own, as its own event source mapping reads
 * the table's stream on AWS: batches of FHIR_WRITER_MAPPING's size, a failing
 * batch tried its attempts and then handed to the "dead-letter queue" (a log
 * line here; its follow-ups stay pending, and the sweep sends them).
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createFhirWriterHandler } from '../functions/fhir-writer/app';
import type { FhirHttp } from '../functions/fhir/http';
import type { StaleThresholds } from '../functions/core/staleness';
import type { FhirConfig } from '../functions/fhir/settings';
import { SERVICES } from '../functions/shared/metric-names';
import { createLogger, createMetrics } from '../functions/shared/observability';
import type { TableClient } from '../functions/store/table-client';
import { startStreamReader, type StreamReader } from './stream-reader';

/** The deployed mapping's batch size and attempts (lib/: one try and two retries). */
export const FHIR_WRITER_MAPPING = { batchSize: 10, maxAttempts: 3 } as const;

export function startFhirWriterReader(options: {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  config: FhirConfig;
  /** The stale thresholds: an action applied from the EHR computes its due time as a person's does. */
  thresholds: StaleThresholds;
  busy: () => boolean;
}): StreamReader {
  const logger = createLogger(SERVICES.fhirWriter);
  const handler = createFhirWriterHandler({
    db: options.db,
    tableName: options.tableName,
    http: options.http,
    systems: options.config.systems,
    baseUrl: options.config.baseUrl,
    ehr: options.config.ehrActions ? { thresholds: options.thresholds } : null,
    logger,
    metrics: createMetrics(SERVICES.fhirWriter),
  });
  return startStreamReader({
    client: options.streams,
    streamArn: options.streamArn,
    handler,
    batchSize: FHIR_WRITER_MAPPING.batchSize,
    maxAttempts: FHIR_WRITER_MAPPING.maxAttempts,
    maxRetryPauseMs: 10_000,
    functionName: SERVICES.fhirWriter,
    busy: options.busy,
    logger,
    onDeadLetter: (letter) => logger.error('FHIR writer gave up a batch: its follow-ups stay pending for the sweep', { records: letter.records.length, reason: letter.reason, attempts: letter.attempts }),
  });
}
