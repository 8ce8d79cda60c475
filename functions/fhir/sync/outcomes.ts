/**
 * What the FHIR writer and the sweep's catch-up say of each Task they send
 * (CONTRACT §13): one log line with the follow-up id and the outcome's kind,
 * codes or status (never an OperationOutcome's text, a token or a body), and
 * the FHIR_METRICS count ops alarms on.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { FHIR_METRICS } from '../../shared/metric-names';
import type { LogSink, MetricSink } from '../../shared/observability';
import { unavailableReason } from '../client/failure';
import type { EhrNote, SyncOutcome } from './sync';

/** The metric of what a write met of work done in the EHR (CONTRACT §13). */
const EHR_METRIC_OF: Record<EhrNote, string> = {
  applied: FHIR_METRICS.ehrApplied,
  held: FHIR_METRICS.ehrHeld,
  conflict: FHIR_METRICS.ehrConflict,
};

const METRIC_OF: Record<SyncOutcome['kind'], string | null> = {
  written: FHIR_METRICS.written,
  unchanged: FHIR_METRICS.unchanged,
  gone: null,
  refused: FHIR_METRICS.refused,
  changed_in_ehr: FHIR_METRICS.changedInEhr,
  deleted_in_ehr: FHIR_METRICS.deletedInEhr,
  // Every failure that leaves the pending record is the server unavailable (a search's 404 is also counted on its own, below).
  version_moved: FHIR_METRICS.unavailable,
  retry_after: FHIR_METRICS.unavailable,
  base_not_found: FHIR_METRICS.unavailable,
  not_final: FHIR_METRICS.unavailable,
  unauthorized: FHIR_METRICS.unauthorized,
};

export function recordOutcome(logger: LogSink, metrics: MetricSink, followUpId: string, outcome: SyncOutcome): void {
  const metric = METRIC_OF[outcome.kind];
  if (metric !== null) metrics.addMetric(metric, MetricUnit.Count, 1);
  if (outcome.restated === true) {
    metrics.addMetric(FHIR_METRICS.restatedDigest, MetricUnit.Count, 1);
    logger.warn('a Task stated the tracker\'s digest over a content the tracker never wrote: read as work done in the EHR', { follow_up_id: followUpId });
  }
  if (outcome.ehr !== undefined) {
    metrics.addMetric(EHR_METRIC_OF[outcome.ehr], MetricUnit.Count, 1);
    // Which follow-up, and what was met: never the Task, its actor or an owner (the record says who).
    const say = outcome.ehr === 'applied' ? logger.info : logger.warn;
    say.call(logger, `work done in the EHR ${outcome.ehr === 'applied' ? 'applied as the person\'s actions' : outcome.ehr === 'held' ? 'not applied: held until a person acts' : 'met a person\'s action here: the tracker\'s content written back'}`, { follow_up_id: followUpId, ehr: outcome.ehr });
  }
  switch (outcome.kind) {
    case 'refused':
      return logger.error('FHIR server refused the Task: not retried until the follow-up changes', { follow_up_id: followUpId, status: outcome.status, codes: outcome.codes });
    case 'changed_in_ehr':
      return logger.warn('Task changed in the EHR: not overwritten until a person acts on the follow-up', { follow_up_id: followUpId });
    case 'unauthorized':
      return logger.error('FHIR server or token endpoint refused the credentials (401/403): a configuration error', { follow_up_id: followUpId, where: outcome.where });
    case 'deleted_in_ehr':
      return logger.warn('Task deleted in the EHR: not created again until a person acts on the follow-up', { follow_up_id: followUpId });
    case 'base_not_found':
      metrics.addMetric(FHIR_METRICS.baseUrlNotFound, MetricUnit.Count, 1);
      return logger.error('FHIR search answered 404: FHIR_BASE_URL is not a FHIR server\'s base (a configuration error); the Task stays pending', { follow_up_id: followUpId, status: outcome.status });
    case 'version_moved':
    case 'retry_after':
    case 'not_final':
      return logger.warn('FHIR server unavailable: the Task stays pending', { follow_up_id: followUpId, reason: unavailableReason(outcome), status: outcome.status, retry_after_ms: outcome.retryAfterMs });
    default:
      return logger.debug('FHIR Task', { follow_up_id: followUpId, outcome: outcome.kind });
  }
}
