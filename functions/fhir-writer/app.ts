/**
 * The FHIR writer (CONTRACT §13): fed by the table's stream (its own mapping,
 * filtered to follow-up items, so the stream's other work never waits on an
 * EHR), it keeps one Task per follow-up at the follow-up's current content.
 *
 * 1. The batch's follow-ups whose digest is not the one confirmed are marked
 *    pending first (fhir-writer/intake.ts), so nothing is lost from here on.
 * 2. Each is sent (fhir/sync/sync.ts) while time is left. A server that is
 *    unavailable (5xx, 429, a timeout) stops the batch: its first unsent record
 *    is reported as a batch item failure, the mapping retries it and then hands
 *    it to the dead-letter queue (alarmed), and the sweep sends what is still
 *    pending. A 401 or 403 is a configuration error: logged, counted
 *    (alarmed), and the batch ends without a retry (the sweep tries again).
 *    A refusal or a Task changed in the EHR is logged with codes only and
 *    counted (alarmed); neither is retried until the follow-up changes.
 *    A throttle (429, or 503 with Retry-After) is never sent to the
 *    dead-letter queue: its Retry-After is waited for when the function's
 *    time allows, else the batch ends without a failure and the sweep sends
 *    what is pending. A throw (DynamoDB failing under it) fails the batch for
 *    Lambda's retry, bisected: the pending records are written first.
 * 3. A follow-up left unsent by an outage gets its next try noted for its page
 *    (the writer's retry tick, fhir-writer/pending-run.ts); a batch whose Tasks
 *    the server all took shows the server answers: the pending ones are sent now.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { followUpChanges, markBehind, type BehindChange } from './intake';
import { sendPendingAfterAnswer } from './pending-run';
import { nextTryAfterOutage } from '../core/fhir/retry';
import { noteNextTry } from '../store/fhir-records';
import { recordOutcome } from '../fhir/sync/outcomes';
import { syncFollowUp } from '../fhir/sync/sync';
import { isUnavailable, unavailableReason } from '../fhir/client/failure';
import type { FlushingMetricSink, LogSink } from '../shared/observability';
import { writerSyncDeps, type WriterSyncParts } from './deps';

/** Time kept back for one more follow-up's requests (each bounded by the client's timeout) and the answer. */
export const WRITER_RESERVE_MS = 25_000;

/** The stream's dependencies: the order-safe write's parts (fhir-writer/deps.ts), the writer's logger and metrics. */
export interface FhirWriterDeps extends WriterSyncParts {
  logger: LogSink;
  metrics: FlushingMetricSink;
  /** How it waits out a Retry-After (tests pass a clock's). */
  pause?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFhirWriterHandler(deps: FhirWriterDeps) {
  const sync = writerSyncDeps(deps);
  const now = sync.now;
  return async (event: DynamoDBStreamEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<DynamoDBBatchResponse> => {
    try {
      const behind = await markBehind(sync, followUpChanges(event.Records));
      for (let index = 0; index < behind.length; ) {
        const left = behind.slice(index);
        if (context.getRemainingTimeInMillis() < WRITER_RESERVE_MS) return failedFrom(left, 'time');
        const { stored, digested } = behind[index]!;
        const id = stored.followUp.id;
        const outcome = await syncFollowUp(sync, id, stored.followUp.opened_at, digested);
        recordOutcome(deps.logger, deps.metrics, id, outcome);
        if (outcome.kind === 'unauthorized') return { batchItemFailures: [] };
        if (isUnavailable(outcome)) {
          if (outcome.kind !== 'retry_after') return failedFrom(await noted(left, outcome.retryAfterMs), unavailableReason(outcome));
          const wait = outcome.retryAfterMs;
          // Waited for when it fits the time left (then the same follow-up again), else the retry's: never dead-lettered.
          if (wait === null || context.getRemainingTimeInMillis() - wait < WRITER_RESERVE_MS) return leftToSweep(await noted(left, wait));
          await (deps.pause ?? sleep)(wait);
          continue;
        }
        index += 1;
      }
      // Every Task of the batch answered: the server is up, and what waits from an outage goes now.
      if (behind.length > 0) await sendPendingAfterAnswer({ sync, logger: deps.logger, metrics: deps.metrics }, { timeLeftMs: () => context.getRemainingTimeInMillis(), reserveMs: WRITER_RESERVE_MS });
      return { batchItemFailures: [] };
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };

  /** The next try of each follow-up left unsent by an outage, noted for its page (the retry tick's, or after Retry-After). */
  async function noted(left: BehindChange[], retryAfterMs: number | null): Promise<BehindChange[]> {
    const next = nextTryAfterOutage(now(), retryAfterMs);
    for (const change of left) await noteNextTry(deps.db, deps.tableName, change.stored.followUp.id, deps.baseUrl, next);
    return left;
  }

  /** A throttled server: what is left stays pending for the retry and the sweep, and the batch is done (no retry, no dead-letter queue). */
  function leftToSweep(left: readonly unknown[]): DynamoDBBatchResponse {
    deps.logger.warn('FHIR server throttles: Tasks left pending for the sweep', { follow_ups: left.length });
    return { batchItemFailures: [] };
  }

  /** Lambda retries from the lowest sequence number reported: the first follow-up not sent. */
  function failedFrom(left: readonly { sequenceNumber: string | undefined }[], reason: string): DynamoDBBatchResponse {
    const first = left.map((change) => change.sequenceNumber).find((sequence) => sequence !== undefined);
    deps.logger.warn('FHIR Tasks left pending for a retry', { reason, follow_ups: left.length });
    return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
  }
}
