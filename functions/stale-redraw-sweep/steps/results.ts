/**
 * Missing results (CONTRACT §9 `missing`), after the catch-up and before the
 * stale rules and the notices, so that a notice of this sweep carries the
 * counts it read: the records of orders whose results are wanted
 * (store/results-wanted.ts), due now, the soonest due first, at most
 * MISSING_RESULTS_MAX_PER_SWEEP, each read once from Junction through the
 * sweep's session (a 401 stops it; its deadline bounds it).
 *
 * - counts: written onto the follow-up (`missing` while it is still about that
 *   order in the state they were wanted for, and the causing order's counts
 *   once), the record deleted unless a newer want replaced it meanwhile;
 * - never (422, another 4xx): the record deleted, the counts stay null;
 * - retry (5xx, 429, a timeout, a malformed answer): read again at the next
 *   sweep, then by backoff (core/missing-results.ts, a longer `Retry-After`
 *   respected) until a day
 *   after the results were first wanted, then deleted and counted
 *   (MissingResultsReadsGivenUp, alarmed);
 * - not asked (the session stopped): left as it is for the next sweep.
 *
 * Without a Junction key the records are deleted: nothing is read, now or
 * later. With a key that cannot be used this sweep (its secret unreadable),
 * they are left for a sweep that has it.
 *
 * Logs name order and follow-up ids and outcome kinds only: never an answer.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { instantMillis } from '../../core/instant';
import { resultsOverdue, resultsRetry } from '../../core/missing-results';
import { forEachLimited } from '../../shared/concurrency';
import { MISSING_RESULTS_METRICS } from '../../shared/metric-names';
import { errorName, type MetricSink } from '../../shared/observability';
import { recordMissingCounts } from '../../store/follow-ups/missing-counts';
import { dropReadResultsWanted, dropResultsWanted, dueResultsWantedIds, readDueResultsWanted, rescheduleResultsWanted, type ResultsWanted } from '../../store/results-wanted';
import type { JunctionSession } from './junction-session';
import type { SweepContext } from './context';

/** Results reads in flight at once: polite to Junction's API, as the catch-up's. */
const JUNCTION_CONCURRENCY = 4;

/** What one results step did. */
export interface ResultsRun {
  /** Records due and read from the table (at most the budget). */
  due: number;
  /** Orders whose counts were read (and written, unless their follow-up is gone or counted already). */
  read: number;
  /** Orders Junction has no results for (422, another 4xx): not read again. */
  never: number;
  /** Reads that may succeed later, scheduled again. */
  retried: number;
  /** Orders given up after their day of reads. */
  givenUp: number;
  /** Records deleted unread because there is no Junction key. */
  dropped: number;
}

export interface ResultsStepInput {
  /** MISSING_RESULTS_MAX_PER_SWEEP: records read per sweep at most. */
  maxPerSweep: number;
  /** The key's secret could not be used this sweep: leave the records for a sweep that has it. */
  keyUnusable: boolean;
  metrics: MetricSink;
}

/** The results step, with time to start it; null when it did not run or threw. */
export async function missingResultsStep(ctx: SweepContext, input: ResultsStepInput): Promise<ResultsRun | null> {
  if ((ctx.session === null && input.keyUnusable) || !ctx.gate.mayStart('missing_results')) return null;
  try {
    const run = await readWantedResults(ctx, ctx.session, input.maxPerSweep);
    input.metrics.addMetric(MISSING_RESULTS_METRICS.read, MetricUnit.Count, run.read);
    input.metrics.addMetric(MISSING_RESULTS_METRICS.retried, MetricUnit.Count, run.retried);
    input.metrics.addMetric(MISSING_RESULTS_METRICS.givenUp, MetricUnit.Count, run.givenUp);
    if (run.due > 0) ctx.logger.info('missing results read', { ...run });
    return run;
  } catch (error) {
    ctx.tally.failures++;
    ctx.logger.error('missing results step failed', { error: errorName(error) });
    return null;
  }
}

async function readWantedResults(ctx: SweepContext, session: JunctionSession | null, maxPerSweep: number): Promise<ResultsRun> {
  const run: ResultsRun = { due: 0, read: 0, never: 0, retried: 0, givenUp: 0, dropped: 0 };
  // Without a key nothing is read, now or later: the records go by their keys, their items unread.
  const due = session === null ? await dueResultsWantedIds(ctx.db, ctx.tableName, ctx.since, maxPerSweep) : await readDueResultsWanted(ctx.db, ctx.tableName, ctx.since, maxPerSweep);
  run.due = due.length;
  await forEachLimited<string | ResultsWanted>(due, JUNCTION_CONCURRENCY, async (wanted) => {
    if (!ctx.gate.mayStart('missing_results')) return;
    const orderId = typeof wanted === 'string' ? wanted : wanted.orderId;
    try {
      const done = typeof wanted === 'string' || session === null ? await dropUnread(ctx, orderId) : await readOne(ctx, session, wanted);
      if (done !== null) run[done]++;
    } catch (error) {
      // The table failed: the record stays as it was, the next sweep reads it again.
      ctx.tally.failures++;
      ctx.logger.error('missing results of an order failed', { order_id: orderId, error: errorName(error) });
    }
  });
  return run;
}

type Done = Exclude<keyof ResultsRun, 'due'>;

async function dropUnread(ctx: SweepContext, orderId: string): Promise<Done> {
  await dropResultsWanted(ctx.db, ctx.tableName, orderId);
  return 'dropped';
}

/** One record: Junction read and the outcome kept; null when Junction was not asked (the session stopped) or the counts lost their races. */
async function readOne(ctx: SweepContext, session: JunctionSession, wanted: ResultsWanted): Promise<Done | null> {
  const { db, tableName, now, logger } = ctx;
  const firstWantedMs = instantMillis(wanted.firstWantedAt);
  if (resultsOverdue(firstWantedMs, now.getTime())) return giveUp(ctx, wanted);
  const read = await session.readMissingResults(wanted.orderId);
  switch (read.kind) {
    case 'stopped':
      return null;
    case 'ok': {
      const written = await recordMissingCounts(db, tableName, { followUpId: wanted.followUpId, orderId: wanted.orderId, counts: read.value, now, state: wanted.state });
      // Lost three races in a row: the record stays, the next sweep reads again.
      if (written === 'lost') return null;
      // A newer want that replaced the record meanwhile stays: the next sweep reads for it.
      await dropReadResultsWanted(db, tableName, wanted);
      return 'read';
    }
    case 'never':
      logger.info('junction has no results for the order: missing results stay unknown', { order_id: wanted.orderId, reason: read.reason });
      await dropReadResultsWanted(db, tableName, wanted);
      return 'never';
    case 'retry': {
      const retry = resultsRetry(wanted.attempts + 1, firstWantedMs, now.getTime(), read.retryAfterMs);
      if (retry.kind === 'give_up') return giveUp(ctx, wanted);
      await rescheduleResultsWanted(db, tableName, wanted, retry.atMs);
      return 'retried';
    }
  }
}

async function giveUp(ctx: SweepContext, wanted: ResultsWanted): Promise<Done> {
  ctx.logger.warn('missing results not read within a day: given up, they stay unknown', { order_id: wanted.orderId, follow_up_id: wanted.followUpId, attempts: wanted.attempts });
  await dropReadResultsWanted(ctx.db, ctx.tableName, wanted);
  return 'givenUp';
}
