/**
 * The FHIR writer's retry of the pending records (CONTRACT §13: "within 2
 * minutes of the server answering again (a successful poll, notification or
 * write sends the pending ones), not at the next hourly sweep; the follow-up
 * page says when the next try is"; core/fhir/retry.ts has the rules).
 *
 * - Triggers: the writer's own schedule every FHIR_RETRY_SECONDS (its retry
 *   event; a timer under `npm start`), and any answer that shows the server is
 *   back: a stream batch whose Tasks the server took, a poll run that read a
 *   page, a notice's read.
 * - One page (FHIR_RETRY_PAGE) of the records due within one tick, oldest
 *   follow-up first, then those moved behind by an outage (their next try is
 *   at most a tick away, so they go at once); those waiting out a backoff for
 *   their own failures do not. Never past the invocation's time reserve.
 * - The first answer that says the server is still down (5xx, 429, a timeout)
 *   ends the run: one request a tick while it is down. A record whose send
 *   throws is its own failure: the next one is tried.
 * - Each failed try is counted on its record as the sweep counts them (after
 *   PENDING_TRIES it goes behind the others: due at the next tick after an
 *   outage, after the catch-up's backoff when the server took others), and the
 *   next try is noted on the follow-up's confirmation for its page.
 */
import { catchUpPauseMs } from '../core/catch-up-backoff';
import { FHIR_RETRY_PAGE, nextTryAfterOutage, retryHorizon } from '../core/fhir/retry';
import { recordOutcome } from '../fhir/sync/outcomes';
import { syncFollowUp, type SyncDeps, type SyncOutcome } from '../fhir/sync/sync';
import { isUnavailable, notFinal, unavailableReason, type Unavailable } from '../fhir/client/failure';
import { errorName, type LogSink, type MetricSink } from '../shared/observability';
import { countFailedTry, dropPendingKey, movedBehind, noteNextTry, PENDING_TRIES, readPending, type PendingRecord } from '../store/fhir-records';

export interface RetryDeps {
  sync: SyncDeps;
  logger: LogSink;
  metrics: MetricSink;
}

/** What the invocation has left, and what it keeps back for one more follow-up and its answer. */
export interface RetryTime {
  timeLeftMs: () => number;
  reserveMs: number;
}

export interface RetryResult {
  sent: number;
  failed: number;
  stopped: 'unavailable' | 'unauthorized' | 'time' | null;
}

/** Sends one page of the pending records due within a tick (see the file's header). */
export async function sendPendingNow(deps: RetryDeps, time: RetryTime): Promise<RetryResult> {
  const { db, tableName } = deps.sync;
  const now = deps.sync.now();
  const result: RetryResult = { sent: 0, failed: 0, stopped: null };
  const failed: { pending: PendingRecord; outcome: Unavailable }[] = [];
  for (const pending of await readPending(db, tableName, FHIR_RETRY_PAGE, retryHorizon(now))) {
    if (time.timeLeftMs() < time.reserveMs) {
      result.stopped = 'time';
      break;
    }
    const outcome = await sendOne(deps, pending);
    recordOutcome(deps.logger, deps.metrics, pending.id, outcome);
    if (outcome.kind === 'unauthorized') {
      result.stopped = 'unauthorized';
      break;
    }
    if (isUnavailable(outcome)) {
      failed.push({ pending, outcome });
      if (unavailableReason(outcome) === 'error') continue;
      result.stopped = 'unavailable';
      break;
    }
    result.sent += 1;
  }
  for (const { pending, outcome } of failed) await countFailure(deps.sync, pending, outcome, result.sent > 0, now);
  result.failed = failed.length;
  if (result.sent > 0 || result.failed > 0) deps.logger.info('FHIR pending Tasks retried', { ...result });
  return result;
}

/**
 * The retry after an answer that shows the server is back (a write, a poll, a
 * notice): what the trigger did stands whatever the retry meets, so a throw
 * (DynamoDB failing under it) is logged by its name and left to the next trigger.
 */
export async function sendPendingAfterAnswer(deps: RetryDeps, time: RetryTime): Promise<void> {
  try {
    await sendPendingNow(deps, time);
  } catch (error) {
    deps.logger.error('FHIR pending Tasks not retried: the next trigger or the retry tick sends them', { error: errorName(error) });
  }
}

/** One pending record sent; one moved behind that went through is deleted (the write clears only the record under its own key). */
async function sendOne(deps: RetryDeps, pending: PendingRecord): Promise<SyncOutcome> {
  let outcome: SyncOutcome;
  try {
    outcome = await syncFollowUp(deps.sync, pending.id, pending.openedAt);
  } catch (error) {
    deps.logger.error('FHIR Task could not be sent: an answer the tracker cannot use', { follow_up_id: pending.id, error: errorName(error) });
    outcome = notFinal('error');
  }
  if (!isUnavailable(outcome) && outcome.kind !== 'unauthorized' && movedBehind(pending)) await dropPendingKey(deps.sync.db, deps.sync.tableName, pending);
  return outcome;
}

/**
 * A failed try, counted on its record. Its own failure (the server took
 * another Task in the run, or the send threw) waits out the backoff once moved
 * behind; an outage's is due at the next tick (or after the server's Retry-After).
 */
async function countFailure(sync: SyncDeps, pending: PendingRecord, outcome: Unavailable, serverAnswered: boolean, now: Date): Promise<void> {
  const own = serverAnswered || unavailableReason(outcome) === 'error';
  const tick = nextTryAfterOutage(now, outcome.retryAfterMs);
  const backoff = new Date(now.getTime() + catchUpPauseMs(Math.max(1, pending.tries + 1 - PENDING_TRIES + 1)));
  const moved = await countFailedTry(sync.db, sync.tableName, pending, own ? backoff : tick);
  await noteNextTry(sync.db, sync.tableName, pending.id, sync.baseUrl, moved === 'moved' && own ? backoff : tick);
}
