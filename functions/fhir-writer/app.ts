/**
 * The FHIR writer (CONTRACT §13): fed by the table's stream (its own mapping,
 * filtered to follow-up items, so the stream's other work never waits on an
 * EHR), it keeps one Task per follow-up at the follow-up's current content.
 *
 * 1. The batch's follow-ups whose digest is not the one confirmed are marked
 *    pending first (fhir/changes.ts), so nothing is lost from here on.
 * 2. Each is sent (fhir/sync.ts) while time is left. A server that is
 *    unavailable (5xx, 429, a timeout) stops the batch: its first unsent record
 *    is reported as a batch item failure, the mapping retries it and then hands
 *    it to the dead-letter queue (alarmed), and the sweep sends what is still
 *    pending. A 401 or 403 is a configuration error: logged, counted
 *    (alarmed), and the batch ends without a retry (the sweep tries again).
 *    A refusal or a Task changed in the EHR is logged with codes only and
 *    counted (alarmed); neither is retried until the follow-up changes.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { FhirSystems } from '../core/fhir-task';
import { followUpChanges, markBehind } from '../fhir/changes';
import { recordOutcome } from '../fhir/outcomes';
import { syncFollowUp } from '../fhir/sync';
import type { FhirHttp } from '../fhir/http';
import type { FlushingMetricSink, LogSink } from '../shared/observability';
import type { TableClient } from '../store/table-client';

/** Time kept back for one more follow-up's requests (each bounded by the client's timeout) and the answer. */
export const WRITER_RESERVE_MS = 25_000;

export interface FhirWriterDeps {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  logger: LogSink;
  metrics: FlushingMetricSink;
  now?: () => Date;
}

export function createFhirWriterHandler(deps: FhirWriterDeps) {
  const now = deps.now ?? (() => new Date());
  const sync = { db: deps.db, tableName: deps.tableName, http: deps.http, systems: deps.systems, baseUrl: deps.baseUrl, now };
  return async (event: DynamoDBStreamEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<DynamoDBBatchResponse> => {
    try {
      const behind = await markBehind(sync, followUpChanges(event.Records));
      for (const [index, change] of behind.entries()) {
        const left = behind.slice(index);
        if (context.getRemainingTimeInMillis() < WRITER_RESERVE_MS) return failedFrom(left, 'time');
        const outcome = await syncFollowUp(sync, change.stored.followUp.id, change.stored.followUp.opened_at);
        recordOutcome(deps.logger, deps.metrics, change.stored.followUp.id, outcome);
        if (outcome.kind === 'unavailable') return failedFrom(left, outcome.reason);
        if (outcome.kind === 'unauthorized') return { batchItemFailures: [] };
      }
      return { batchItemFailures: [] };
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };

  /** Lambda retries from the lowest sequence number reported: the first follow-up not sent. */
  function failedFrom(left: readonly { sequenceNumber: string | undefined }[], reason: string): DynamoDBBatchResponse {
    const first = left.map((change) => change.sequenceNumber).find((sequence) => sequence !== undefined);
    deps.logger.warn('FHIR Tasks left pending for a retry', { reason, follow_ups: left.length });
    return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
  }
}
