/**
 * The FHIR writer's retry tick (CONTRACT §13: a Task behind after an outage is
 * sent within 2 minutes of the server answering again): every
 * FHIR_RETRY_SECONDS an EventBridge rule of its own (a timer under `npm
 * start`) invokes the writer with FHIR_RETRY_EVENT, and one page of the
 * pending records is sent (fhir-writer/pending-run.ts). The poll's schedule
 * (FHIR_POLL_SECONDS, 300 s by default) is too slow for the promise, and a
 * write or a notice may never come. With nothing pending a tick costs one
 * Query of the pending partition; while the server is down, one request.
 */
import type { Context } from 'aws-lambda';
import type { FhirWriterDeps } from './app';
import { WRITER_RESERVE_MS } from './app';
import { writerSyncDeps } from './deps';
import { sendPendingNow, type RetryResult } from './pending-run';

export function createFhirRetryHandler(deps: FhirWriterDeps) {
  const sync = writerSyncDeps(deps);
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RetryResult> => {
    try {
      return await sendPendingNow({ sync, logger: deps.logger, metrics: deps.metrics }, { timeLeftMs: () => context.getRemainingTimeInMillis(), reserveMs: WRITER_RESERVE_MS });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
