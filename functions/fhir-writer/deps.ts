/**
 * The FHIR writer's dependencies, built one way for all its triggers (CONTRACT
 * §13): the stream (app.ts), the poll's schedule (poll-entry.ts), the notices
 * queue (notice-entry.ts) and the retry tick (retry-entry.ts).
 *
 * - `fhirWriterDeps` builds the writer's set from its settings, parsed once at
 *   start: the deployed function's handler.ts and `npm start`
 *   (local/runtime/) both build theirs with it.
 * - `writerSyncDeps` gives the order-safe write (fhir/sync/sync.ts) its set
 *   from a trigger's dependencies: each trigger builds it with this one
 *   function, never by listing the fields again.
 */
import type { FhirSystems } from '../core/fhir/task';
import type { StaleThresholds } from '../core/staleness';
import type { FhirHttp } from '../fhir/client/http';
import type { FhirConfig } from '../fhir/client/settings';
import type { EhrSettings } from '../fhir/sync/ehr-work';
import type { SyncDeps } from '../fhir/sync/sync';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics, type FlushingMetricSink, type LogSink } from '../shared/observability';
import type { TableClient } from '../store/table-client';

/** What the order-safe write needs from a trigger: the table, the server, the EHR settings, the clock. */
export interface WriterSyncParts {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  /** FHIR_EHR_ACTIONS on: work done in the EHR applies as the person's actions (with the stale thresholds for due times); absent or null: off. */
  ehr?: EhrSettings | null;
  /** The tracker's clock; the system's by default (tests pass one). */
  now?: () => Date;
}

/** The order-safe write's dependencies from a trigger's: the system's clock unless one is given, the EHR's work off unless set. */
export function writerSyncDeps(parts: WriterSyncParts): SyncDeps {
  const { db, tableName, http, systems, baseUrl } = parts;
  return { db, tableName, http, systems, baseUrl, now: parts.now ?? (() => new Date()), ehr: parts.ehr ?? null };
}

/** What the writer is built from: the table, the FHIR client, and the settings parsed at start. */
export interface FhirWriterSettings {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  /** The FHIR settings (fhir/client/settings.ts fhirConfigOf). */
  config: FhirConfig;
  /** The stale thresholds: an action applied from the EHR computes its due time as a person's does. */
  thresholds: StaleThresholds;
}

/** The writer's dependencies, the same for each of its triggers: the write's parts, FHIR_POLL_MAX, the writer's logger and metrics. */
export interface FhirWriterSet extends WriterSyncParts {
  /** FHIR_EHR_ACTIONS on: the EHR's work applies as the person's actions (fhir/sync/ehr-work.ts); null: off, no poll run. */
  ehr: EhrSettings | null;
  /** FHIR_POLL_MAX. */
  pollMax: number;
  logger: LogSink;
  metrics: FlushingMetricSink;
}

/** The writer's set from its settings (the deployed handler's and npm start's alike), with its own logger and metrics. */
export function fhirWriterDeps(settings: FhirWriterSettings): FhirWriterSet {
  const { config } = settings;
  return {
    db: settings.db,
    tableName: settings.tableName,
    http: settings.http,
    systems: config.systems,
    baseUrl: config.baseUrl,
    ehr: config.ehrActions ? { thresholds: settings.thresholds, closesHeld: config.ehrClosesHeld === true } : null,
    pollMax: config.pollMax,
    logger: createLogger(SERVICES.fhirWriter),
    metrics: createMetrics(SERVICES.fhirWriter),
  };
}
