/**
 * The FHIR writer under `npm start` (CONTRACT §13): the deployed function's
 * handler on a stream reader of its own, as its own event source mapping reads
 * the table's stream on AWS: batches of FHIR_WRITER_MAPPING's size, a failing
 * batch tried its attempts and then handed to the "dead-letter queue" (a log
 * line here; its follow-ups stay pending, and the sweep sends them).
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createFhirWriterHandler } from '../../functions/fhir-writer/app';
import { fhirWriterDeps, type FhirWriterSettings } from '../../functions/fhir-writer/deps';
import { SERVICES } from '../../functions/shared/metric-names';
import { startStreamReader, type StreamReader } from '../stream-reader';
import type { StreamPositions } from '../stream-reader/positions';

/** The deployed mapping's batch size and attempts (lib/: one try and two retries). */
export const FHIR_WRITER_MAPPING = { batchSize: 10, maxAttempts: 3 } as const;

export function startFhirWriterReader(
  options: FhirWriterSettings & { streams: DynamoDBStreamsClient; streamArn: string; busy: () => boolean; positions?: StreamPositions | undefined },
): StreamReader {
  const deps = fhirWriterDeps(options);
  const logger = deps.logger;
  const handler = createFhirWriterHandler(deps);
  return startStreamReader({
    client: options.streams,
    streamArn: options.streamArn,
    handler,
    batchSize: FHIR_WRITER_MAPPING.batchSize,
    maxAttempts: FHIR_WRITER_MAPPING.maxAttempts,
    maxRetryPauseMs: 10_000,
    functionName: SERVICES.fhirWriter,
    busy: options.busy,
    positions: options.positions,
    logger,
    onDeadLetter: (letter) => logger.error('FHIR writer gave up a batch: its follow-ups stay pending for the sweep', { records: letter.records.length, reason: letter.reason, attempts: letter.attempts }),
  });
}
