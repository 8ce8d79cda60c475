/**
 * The FHIR writer's scheduled poll (CONTRACT §13, "Found within
 * FHIR_POLL_SECONDS"): every FHIR_POLL_SECONDS an EventBridge schedule (a
 * timer under `npm start`) invokes the writer with a scheduled event, and one
 * poll run (fhir-writer/poll-run.ts) hands each follow-up whose Task holds work not yet
 * seen to the order-safe write (fhir/sync/sync.ts), which applies the EHR's work
 * first. Each Task it sends is logged and counted as the stream's are
 * (fhir/sync/outcomes.ts); the run counts the Tasks it read (FhirTasksPolled) and,
 * when it could not finish, FhirPollFailed (alarmed), logged without a URL's
 * query. A Task version set aside after 3 failed syncs (FhirPollVersionsSetAside)
 * and a `lastUpdated` past the tracker's clock plus 5 minutes
 * (FhirPollLastUpdatedAhead) are counted and logged by ids and instant only.
 * 401/403 is a configuration error (FhirUnauthorized). With
 * FHIR_EHR_ACTIONS=off nothing is polled: the writer's own read before a
 * write finds the EHR's changes, as before. A run the server answered (it read
 * a page) sends the pending Tasks now (fhir-writer/pending-run.ts): an outage
 * heals at the first poll after it, as at the writer's retry tick.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { FhirSystems } from '../core/fhir/task';
import type { EhrSettings } from '../fhir/sync/ehr-work';
import { recordOutcome } from '../fhir/sync/outcomes';
import { pollOnce, type PollNotes, type PollResult } from './poll-run';
import { syncFollowUp } from '../fhir/sync/sync';
import type { FhirHttp } from '../fhir/client/http';
import { FHIR_METRICS } from '../shared/metric-names';
import type { FlushingMetricSink, LogSink } from '../shared/observability';
import type { TableClient } from '../store/table-client';
import { WRITER_RESERVE_MS } from './app';
import { sendPendingAfterAnswer } from './pending-run';

export interface FhirPollDeps {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  /** FHIR_EHR_ACTIONS on: the EHR's work applies as the person's actions (fhir/sync/ehr-work.ts); null: off, no run. */
  ehr: EhrSettings | null;
  /** FHIR_POLL_MAX. */
  pollMax: number;
  logger: LogSink;
  metrics: FlushingMetricSink;
  now?: () => Date;
}

/** A scheduled invocation (EventBridge's `aws.events`), told from the stream's batches by its `source`. */
export function isScheduledEvent(event: unknown): event is { source: 'aws.events' } {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'aws.events';
}

export type FhirPollAnswer = PollResult | { kind: 'off' };

export function createFhirPollHandler(deps: FhirPollDeps) {
  const now = deps.now ?? (() => new Date());
  const sync = { db: deps.db, tableName: deps.tableName, http: deps.http, systems: deps.systems, baseUrl: deps.baseUrl, now, ehr: deps.ehr };
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FhirPollAnswer> => {
    if (deps.ehr === null) return { kind: 'off' };
    try {
      const result = await pollOnce({
        db: deps.db,
        tableName: deps.tableName,
        http: deps.http,
        systems: deps.systems,
        baseUrl: deps.baseUrl,
        pollMax: deps.pollMax,
        timeLeftMs: () => context.getRemainingTimeInMillis(),
        reserveMs: WRITER_RESERVE_MS,
        now,
        handle: async (id) => {
          const outcome = await syncFollowUp(sync, id);
          recordOutcome(deps.logger, deps.metrics, id, outcome);
          return outcome;
        },
      });
      report(deps, result);
      // A search answered: the server is up, and what waits from an outage goes now.
      if (result.kind === 'complete' || result.kind === 'cut' || result.kind === 'lost') {
        await sendPendingAfterAnswer({ sync, logger: deps.logger, metrics: deps.metrics }, { timeLeftMs: () => context.getRemainingTimeInMillis(), reserveMs: WRITER_RESERVE_MS });
      }
      return result;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** One log line per run (kinds and counts only: never a URL, a query or a body) and its metrics. */
function report(deps: Pick<FhirPollDeps, 'logger' | 'metrics'>, result: PollResult): void {
  const { logger, metrics } = deps;
  if (result.read > 0) metrics.addMetric(FHIR_METRICS.polled, MetricUnit.Count, result.read);
  reportNotes(deps, result);
  switch (result.kind) {
    case 'failed':
      metrics.addMetric(FHIR_METRICS.pollFailed, MetricUnit.Count, 1);
      return logger.warn('FHIR poll stopped: the next run reads on from where it stopped', { read: result.read, reason: result.why, status: result.status });
    case 'unauthorized':
      metrics.addMetric(FHIR_METRICS.unauthorized, MetricUnit.Count, 1);
      return logger.error('FHIR server or token endpoint refused the credentials (401/403) to the poll: a configuration error', { read: result.read, where: result.where });
    case 'cut':
      return logger.info('FHIR poll cut: the next run resumes where it stopped', { read: result.read, by: result.by });
    case 'lost':
      return logger.info('FHIR poll ended: another run moved the cursor meanwhile', { read: result.read });
    default:
      return logger.debug('FHIR poll complete', { read: result.read });
  }
}

/** The versions a run set aside or found ahead of the clock: counted, and logged by ids and instant only (never a Task's content). */
function reportNotes({ logger, metrics }: Pick<FhirPollDeps, 'logger' | 'metrics'>, result: PollNotes): void {
  const { setAside = [], ahead = [] } = result;
  if (setAside.length > 0) metrics.addMetric(FHIR_METRICS.pollSetAside, MetricUnit.Count, setAside.length);
  for (const one of setAside) {
    logger.warn('FHIR poll set a Task version aside after 3 failed syncs: the catch-up and the writer\'s read take it', {
      task_id: one.taskId,
      version_id: one.versionId,
      follow_up_id: one.followUpId,
      reason: one.why,
      status: one.status,
    });
  }
  if (ahead.length > 0) metrics.addMetric(FHIR_METRICS.pollAhead, MetricUnit.Count, ahead.length);
  for (const one of ahead) logger.warn('FHIR Task lastUpdated is ahead of the tracker\'s clock by more than 5 minutes: not taken as the poll cursor', { task_id: one.taskId, last_updated: one.at });
}
