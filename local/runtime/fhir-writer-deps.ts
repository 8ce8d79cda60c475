/**
 * The FHIR writer's dependencies under `npm start`, built once the same way
 * for each of its three entries (the stream reader, the poll's timer, the
 * notices queue), as the deployed function's handler.ts builds them once for
 * its stream, schedule and queue.
 */
import type { StaleThresholds } from '../../functions/core/staleness';
import type { FhirPollDeps } from '../../functions/fhir-writer/poll-entry';
import type { FhirHttp } from '../../functions/fhir/client/http';
import type { FhirConfig } from '../../functions/fhir/client/settings';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import type { TableClient } from '../../functions/store/table-client';

/** What each local entry of the writer is given: the runtime's table and FHIR client, the FHIR settings and the stale thresholds. */
export interface LocalFhirWriterOptions {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  config: FhirConfig;
  /** The stale thresholds: an action applied from the EHR computes its due time as a person's does. */
  thresholds: StaleThresholds;
}

/** The writer's dependencies (its poll's, which are its stream handler's and its queue's too), with its logger and metrics. */
export function localFhirWriterDeps(options: LocalFhirWriterOptions): FhirPollDeps {
  const { config } = options;
  return {
    db: options.db,
    tableName: options.tableName,
    http: options.http,
    systems: config.systems,
    baseUrl: config.baseUrl,
    ehr: config.ehrActions ? { thresholds: options.thresholds, closesHeld: config.ehrClosesHeld === true } : null,
    pollMax: config.pollMax,
    logger: createLogger(SERVICES.fhirWriter),
    metrics: createMetrics(SERVICES.fhirWriter),
  };
}
