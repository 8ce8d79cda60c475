/**
 * The FHIR writer's queue consumer (CONTRACT §13, "Notifications"): the
 * notifications route puts one message per notified Task on the writer's
 * queue (core/fhir/notice.ts), and the writer works them within seconds, SQS
 * invoking it with batches and ReportBatchItemFailures.
 *
 * - A message that is no notice is dropped, logged without its body, counted
 *   (FhirNoticesDropped): retrying it would never make it one.
 * - A Task notice reads the Task again with the tracker's own token
 *   (fhir-writer/notice-reads.ts; several notices of one Task in a batch: one read),
 *   and the follow-up it names goes through the order-safe write
 *   (fhir/sync/sync.ts), which applies the EHR's work first and, for a Task the
 *   server had confirmed and now answers 404 or 410, records `deleted_in_ehr`.
 *   A Task of another system, or gone with no history, costs that read only.
 * - The server unavailable (5xx, 429, a timeout), or a throw (DynamoDB failing
 *   under it): the notice is a batch item failure, and SQS delivers it again,
 *   then hands it to the queue's dead-letter queue (alarmed). Time short of
 *   WRITER_RESERVE_MS: the notices left are failures too, delivered again.
 * - 401/403 is a configuration error: logged, counted (FhirUnauthorized,
 *   alarmed), and the batch ends without a retry (the poll finds the work).
 * - Each notifying source's Task notices are held to NOTICE_CAP_PER_MINUTE
 *   (fhir-writer/notice-cap.ts, issue 82): those over it are not read, but
 *   counted (FhirNoticesLeftToPoll) and left to one notified poll run.
 * - A poll notice (a notification that names no Task) runs one poll, the
 *   schedule's `runPoll` (fhir-writer/poll-entry.ts), at most one a minute per server: a
 *   conditional claim in the poll's partition (store/fhir-poll.ts). With
 *   FHIR_EHR_ACTIONS=off nothing is polled, as on the schedule; a Task notice
 *   still brings the Task and its follow-up together, as the writer's read does.
 * - A batch in which a notice's follow-up was brought to its Task shows the
 *   server answers: the pending Tasks are sent now (fhir-writer/pending-run.ts),
 *   within the time left. A notice that costs its read alone costs no more.
 * Each sync is logged and counted as the stream's are (fhir/sync/outcomes.ts);
 * FhirNoticesWorked counts the notices worked (not those left for a retry).
 * A batch publishes its metrics once, at its end (a poll run's with them). A
 * notice's `deleted` flag is not read: whether a Task is gone is decided by
 * the order-safe write's read of it.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readNoticeMessage } from '../core/fhir/notice';
import { UNNAMED_SOURCE } from '../core/fhir/notice-cap';
import { readNoticedTask } from './notice-reads';
import { isUnavailable, unavailableReason, type FhirFailure } from '../fhir/client/failure';
import { recordOutcome } from '../fhir/sync/outcomes';
import { syncFollowUp, type SyncDeps } from '../fhir/sync/sync';
import { FHIR_METRICS } from '../shared/metric-names';
import { claimNotifiedPoll } from '../store/fhir-poll';
import { WRITER_RESERVE_MS } from './app';
import { writerSyncDeps } from './deps';
import { capNotices } from './notice-cap';
import { runPoll, type FhirPollDeps } from './poll-entry';
import { sendPendingAfterAnswer } from './pending-run';

/** The consumer needs what the poll needs: the table, the server, the EHR settings, FHIR_POLL_MAX. */
export type FhirNoticeDeps = FhirPollDeps;

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'>;

/** An SQS batch (its first record's `eventSource` is `aws:sqs`), told from the stream's batches and the schedule's event. */
export function isQueueEvent(event: unknown): event is SQSEvent {
  const records = typeof event === 'object' && event !== null ? (event as { Records?: unknown }).Records : undefined;
  return Array.isArray(records) && (records[0] as { eventSource?: unknown } | undefined)?.eventSource === 'aws:sqs';
}

/** A batch's notices: each Task's messages (read once), the poll notices' messages. */
interface Batch {
  tasks: Map<string, { messageIds: string[]; source: string }>;
  polls: string[];
}

/**
 * How one Task's (or the polls') notices ended: worked (`synced`: its follow-up's write answered), or the failure met,
 * as the read or the write gave it: left for SQS to deliver again (the server unavailable, or a throw), or the batch ends (401/403).
 */
type Worked = { kind: 'worked' | 'synced' | 'threw' } | FhirFailure;

const WORKED: Worked = { kind: 'worked' };

/** What the handler's steps share: the deps, the order-safe write's. */
interface Worker {
  deps: FhirNoticeDeps;
  sync: SyncDeps;
}

export function createFhirNoticeHandler(deps: FhirNoticeDeps) {
  const worker: Worker = { deps, sync: writerSyncDeps(deps) };
  return async (event: SQSEvent, context: LambdaContext): Promise<SQSBatchResponse> => {
    try {
      return await workBatch(worker, batchOf(deps, event.Records), context);
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** Works each Task's notices, then the polls', while time is left; what is not worked is reported for SQS to deliver again. */
async function workBatch(worker: Worker, batch: Batch, context: LambdaContext): Promise<SQSBatchResponse> {
  const { logger, metrics } = worker.deps;
  const capped = await capNotices({ ...worker.deps, now: worker.sync.now }, batch.tasks);
  const groups: [string[], () => Promise<Worked>][] = [...capped.read].map(([taskId, group]) => [group.messageIds, () => workTask(worker, taskId)]);
  // Notices over their source's cap are the poll's: one notified run (at most one a minute) finds their changes.
  if (batch.polls.length > 0 || capped.left > 0) groups.push([batch.polls, () => workPoll(worker, context)]);
  const failed: string[] = [...capped.failed];
  let worked = 0;
  let synced = false;
  for (const [index, [messageIds, work]] of groups.entries()) {
    if (context.getRemainingTimeInMillis() < WRITER_RESERVE_MS) {
      const left = groups.slice(index).flatMap(([ids]) => ids);
      logger.warn('FHIR notices left for the queue to deliver again: the invocation\'s time is short', { notices: left.length });
      failed.push(...left);
      break;
    }
    const outcome = await guarded(worker, work);
    if (outcome.kind === 'threw' || isUnavailable(outcome)) failed.push(...messageIds);
    else worked += messageIds.length;
    synced ||= outcome.kind === 'synced';
    if (outcome.kind === 'unauthorized') {
      // The same credentials would be refused for every other notice: the poll finds their work once they are fixed.
      logger.error('FHIR notices not worked: the credentials are refused (401/403), a configuration error', { notices: groups.slice(index + 1).flatMap(([ids]) => ids).length });
      break;
    }
  }
  if (worked > 0) metrics.addMetric(FHIR_METRICS.noticesWorked, MetricUnit.Count, worked);
  if (synced) await sendPendingAfterAnswer({ sync: worker.sync, logger, metrics }, { timeLeftMs: () => context.getRemainingTimeInMillis(), reserveMs: WRITER_RESERVE_MS });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The notices of `records`, by Task; a message that is no notice dropped, logged with its id alone. */
function batchOf({ logger, metrics }: Pick<FhirNoticeDeps, 'logger' | 'metrics'>, records: readonly SQSRecord[]): Batch {
  const batch: Batch = { tasks: new Map(), polls: [] };
  for (const record of records) {
    const notice = readNoticeMessage(record.body);
    if (notice === null) {
      metrics.addMetric(FHIR_METRICS.noticesDropped, MetricUnit.Count, 1);
      logger.error('FHIR writer queue message is no notice: dropped', { message_id: record.messageId });
    } else if (notice.kind === 'poll') {
      batch.polls.push(record.messageId);
    } else {
      const group = batch.tasks.get(notice.task_id) ?? { messageIds: [], source: notice.source ?? UNNAMED_SOURCE };
      batch.tasks.set(notice.task_id, { ...group, messageIds: [...group.messageIds, record.messageId] });
    }
  }
  return batch;
}

/** A throw (DynamoDB failing under the write): logged by its name only, and the notices are delivered again. */
async function guarded(worker: Worker, work: () => Promise<Worked>): Promise<Worked> {
  try {
    return await work();
  } catch (error) {
    worker.deps.logger.error('FHIR notice failed: left for the queue to deliver again', { error_name: error instanceof Error ? error.name : 'unknown' });
    return { kind: 'threw' };
  }
}

/** One Task's notices: read it, then the order-safe write of the follow-up it names. */
async function workTask(worker: Worker, taskId: string): Promise<Worked> {
  const { logger, metrics } = worker.deps;
  const read = await readNoticedTask(worker.deps, taskId);
  switch (read.kind) {
    case 'unauthorized':
      metrics.addMetric(FHIR_METRICS.unauthorized, MetricUnit.Count, 1);
      logger.error('FHIR server or token endpoint refused the credentials (401/403) to a notice\'s read: a configuration error', { where: read.where });
      return read;
    case 'none':
      logger.debug('FHIR notice names no follow-up: nothing to do', { why: read.why });
      return WORKED;
    case 'follow_up': {
      const outcome = await syncFollowUp(worker.sync, read.id);
      recordOutcome(logger, metrics, read.id, outcome);
      return isUnavailable(outcome) || outcome.kind === 'unauthorized' ? outcome : { kind: 'synced' };
    }
    default:
      metrics.addMetric(FHIR_METRICS.unavailable, MetricUnit.Count, 1);
      logger.warn('FHIR server unavailable to a notice\'s read: the notice is delivered again', { reason: unavailableReason(read), status: read.status });
      return read;
  }
}

/** The batch's poll notices: one poll run, unless one was claimed within the minute (or FHIR_EHR_ACTIONS is off). */
async function workPoll({ deps, sync }: Worker, context: LambdaContext): Promise<Worked> {
  if (deps.ehr === null) return WORKED;
  if ((await claimNotifiedPoll(deps.db, deps.tableName, deps.baseUrl, sync.now())) === 'too_soon') {
    deps.logger.debug('FHIR poll notice: a notified poll ran within the minute');
    return WORKED;
  }
  // The schedule's run, its metrics published with the batch's (at the handler's end).
  const result = await runPoll({ sync, pollMax: deps.pollMax, logger: deps.logger, metrics: deps.metrics }, () => context.getRemainingTimeInMillis());
  return result.kind === 'unauthorized' ? result : WORKED;
}
