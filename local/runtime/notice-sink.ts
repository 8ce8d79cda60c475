/**
 * Where npm start's notifications route puts its notices (CONTRACT §13,
 * "Notifications"): on AWS an SQS queue the FHIR writer works; in npm start the
 * writer's in-process queue (local/runtime/fhir-notice-queue.ts, `createLocalNoticeQueue()`),
 * which the runtime passes in. Without one, {@link droppingNoticeSink} logs the
 * count and drops them: the poll still finds the changes within FHIR_POLL_SECONDS.
 */
import type { FhirNotice } from '../../functions/core/fhir/notice';
import type { LogSink } from '../../functions/shared/observability';

/** What the route needs of a queue: all the notices taken, or a rejection (answered 503). */
export interface NoticeSink {
  enqueue(notices: FhirNotice[]): Promise<void>;
}

/** A sink that keeps nothing: it logs how many notices it dropped (never an id). */
export function droppingNoticeSink(logger: LogSink): NoticeSink {
  return {
    enqueue: async (notices) => {
      logger.warn('fhir notices dropped: npm start has no notice queue', { notices: notices.length });
    },
  };
}
