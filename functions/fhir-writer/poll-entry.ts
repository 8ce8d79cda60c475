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
 * heals at the first poll after it, as at the writer's retry tick. A notice
 * that names no Task runs the same `runPoll` (fhir-writer/notice-entry.ts),
 * its metrics published with its batch's.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { recordOutcome } from '../fhir/sync/outcomes';
import { pollOnce, type PollNotes, type PollResult } from './poll-run';
import { syncFollowUp, type SyncDeps } from '../fhir/sync/sync';
import { unavailableReason } from '../fhir/client/failure';
import { FHIR_METRICS } from '../shared/metric-names';
import type { LogSink, MetricSink } from '../shared/observability';
import { WRITER_RESERVE_MS } from './app';
import { writerSyncDeps, type FhirWriterSet } from './deps';
import { sendPendingAfterAnswer } from './pending-run';

/** The schedule's dependencies: the writer's set (fhir-writer/deps.ts), with FHIR_POLL_MAX and `ehr` given. */
export type FhirPollDeps = FhirWriterSet;

/** What one poll run needs: the order-safe write's set, FHIR_POLL_MAX, and where it logs and counts (its caller publishes). */
export interface PollRunDeps {
  sync: SyncDeps;
  /** FHIR_POLL_MAX. */
  pollMax: number;
  logger: LogSink;
  metrics: MetricSink;
}

/** A scheduled invocation (EventBridge's `aws.events`), told from the stream's batches by its `source`. */
export function isScheduledEvent(event: unknown): event is { source: 'aws.events' } {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'aws.events';
}

export type FhirPollAnswer = PollResult | { kind: 'off' };

export function createFhirPollHandler(deps: FhirPollDeps) {
  const run: PollRunDeps = { sync: writerSyncDeps(deps), pollMax: deps.pollMax, logger: deps.logger, metrics: deps.metrics };
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FhirPollAnswer> => {
    if (deps.ehr === null) return { kind: 'off' };
    try {
      return await runPoll(run, () => context.getRemainingTimeInMillis());
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/**
 * One poll run, the schedule's or a notice's that names no Task (`timeLeft`: the ms its invocation has
 * left): each new EHR version's follow-up through the order-safe write, logged and counted; the run's log
 * line and metrics; then, when a search answered, the pending Tasks. Off with FHIR_EHR_ACTIONS=off. Its
 * metrics are added, not published: the caller publishes them once, at its invocation's end.
 */
export async function runPoll(deps: PollRunDeps, timeLeft: () => number): Promise<FhirPollAnswer> {
  const { sync, logger, metrics } = deps;
  if (!sync.ehr) return { kind: 'off' };
  const result = await pollOnce({
    db: sync.db,
    tableName: sync.tableName,
    http: sync.http,
    systems: sync.systems,
    baseUrl: sync.baseUrl,
    pollMax: deps.pollMax,
    timeLeftMs: timeLeft,
    reserveMs: WRITER_RESERVE_MS,
    now: sync.now,
    handle: async (id) => {
      const outcome = await syncFollowUp(sync, id);
      recordOutcome(logger, metrics, id, outcome);
      return outcome;
    },
  });
  report(deps, result);
  // A search answered: the server is up, and what waits from an outage goes now.
  if (result.kind === 'complete' || result.kind === 'cut' || result.kind === 'lost') {
    await sendPendingAfterAnswer({ sync, logger, metrics }, { timeLeftMs: timeLeft, reserveMs: WRITER_RESERVE_MS });
  }
  return result;
}

/** One log line per run (kinds and counts only: never a URL, a query or a body) and its metrics. */
function report(deps: Pick<PollRunDeps, 'logger' | 'metrics'>, result: PollResult): void {
  const { logger, metrics } = deps;
  if (result.read > 0) metrics.addMetric(FHIR_METRICS.polled, MetricUnit.Count, result.read);
  reportNotes(deps, result);
  switch (result.kind) {
    case 'failed':
    case 'not_final':
    case 'retry_after':
    case 'version_moved':
    case 'base_not_found':
      metrics.addMetric(FHIR_METRICS.pollFailed, MetricUnit.Count, 1);
      return logger.warn('FHIR poll stopped: the next run reads on from where it stopped', { read: result.read, reason: result.kind === 'failed' ? result.why : unavailableReason(result), status: result.status });
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
function reportNotes({ logger, metrics }: Pick<PollRunDeps, 'logger' | 'metrics'>, result: PollNotes): void {
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
