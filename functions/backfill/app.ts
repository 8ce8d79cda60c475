/**
 * The backfill function (CONTRACT §6), invoked by hand (docs/deploy.md):
 * `{"since": "2026-01-01", "until": "2026-03-31"}` (`until` optional). It pages
 * through Junction's orders updated in that window and applies each one as an
 * API read. Lambda stops a function after 15 minutes, so it works while more
 * than `marginMs` of its time is left, saves its checkpoint after every page and
 * then hands the rest of the window to a fresh invocation of itself
 * (`continueLater`, an asynchronous invoke of the same event): one invoke by
 * hand runs the whole window, however long. Why not Step Functions or a queue:
 * the work is a sequence of pages with a checkpoint, not a fan-out; a
 * self-continuation keeps it to one function, one grant and nothing to operate.
 *
 * It answers (and logs) `{status, page, next_page, pages, total, read, applied,
 * duplicate, stale, failed}` (`page`: the page it read last; `next_page`: the
 * next one of the walk from the last page back to page 1, null when done;
 * `total`: the orders in the window as Junction last said); the final counts
 * are in the log line `backfill finished`.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { backfillWindow, type BackfillCounts } from '../core/backfill-window';
import type { JunctionApi } from '../junction/api';
import { BACKFILL_METRICS } from '../shared/metric-names';
import { errorName, type FlushingMetricSink, type LogSink } from '../shared/observability';
import type { CheckpointStore } from '../store/backfill-checkpoints';
import { runBackfill, type ApplyOrder, type BackfillStatus } from './run';

export const BackfillEvent = z.object({
  since: z.string({ error: 'is required (a date such as 2026-01-31, or an ISO date-time)' }),
  until: z.optional(z.string()),
});
export type BackfillEvent = z.infer<typeof BackfillEvent>;

export interface BackfillDeps {
  /** Junction's client for the key configured now; null when there is none (the function then says so and changes nothing). */
  junction: () => Promise<JunctionApi | null>;
  apply: ApplyOrder;
  checkpoints: CheckpointStore;
  logger: LogSink;
  metrics: FlushingMetricSink;
  /** Starts a fresh invocation with the same event (asynchronously). */
  continueLater: (event: BackfillEvent) => Promise<void>;
  now?: () => Date;
  /** Time to leave unused at the end of an invocation (default 90 s: a page of 100 orders takes seconds). */
  marginMs?: number;
  pageSize?: number;
  /** The setting that holds the key where this runs, named when there is none (JUNCTION_API_KEY_SECRET_ARN in AWS, JUNCTION_API_KEY locally). */
  keySetting?: string;
}

export type BackfillAnswer =
  | ({ status: BackfillStatus | 'continuing'; page: number | null; next_page: number | null; pages: number | null; total: number | null } & BackfillCounts)
  | { status: 'not_configured' | 'invalid_request'; message: string };

export type BackfillHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<BackfillAnswer>;

export function createBackfillHandler(deps: BackfillDeps): BackfillHandler {
  const { logger, metrics } = deps;
  const marginMs = deps.marginMs ?? 90_000;
  return async (rawEvent, context) => {
    const event = BackfillEvent.safeParse(rawEvent);
    if (!event.success) {
      const message = event.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
      logger.error('backfill request is invalid', { problem: message });
      return { status: 'invalid_request', message };
    }
    const junction = await deps.junction();
    if (junction === null) {
      const message = `no Junction API key is configured (${deps.keySetting ?? 'JUNCTION_API_KEY_SECRET_ARN'}): nothing to backfill from`;
      logger.error(message);
      return { status: 'not_configured', message };
    }
    const window = backfillWindow(event.data.since, event.data.until, (deps.now ?? (() => new Date()))());
    if (!window.ok) return { status: 'invalid_request', message: window.message };
    const key = { since: window.window.since, until: event.data.until === undefined ? null : window.window.until };
    const outcome = await runBackfill(
      {
        junction,
        apply: deps.apply,
        checkpoints: deps.checkpoints,
        pageSize: deps.pageSize,
        onPage: (progress) => logger.info('backfill page', { page: progress.page, pages: progress.pages, ...progress.counts }),
        onOrderFailure: (orderId, error) => logger.error('backfill could not apply an order', { order_id: orderId, error: errorName(error) }),
        onPageFailure: (page, failure) => logger.warn('Junction did not answer a backfill page', { page, failure: failure.kind }),
      },
      { key, window: window.window, shouldContinue: () => context.getRemainingTimeInMillis() > marginMs },
    );
    if (outcome.status === 'unauthorized') logger.error('JunctionApiKeyRejected: Junction answered 401/403 to the backfill; check the API key secret');
    let status: BackfillStatus | 'continuing' = outcome.status;
    if (outcome.status === 'paused') {
      await deps.continueLater(event.data);
      status = 'continuing';
    }
    const answer = { status, page: outcome.page, next_page: outcome.nextPage, pages: outcome.pages, total: outcome.total, ...outcome.counts };
    if (status !== 'continuing') {
      logger.info('backfill finished', answer);
      metrics.addMetric(BACKFILL_METRICS.applied, MetricUnit.Count, outcome.counts.applied);
      metrics.addMetric(BACKFILL_METRICS.failed, MetricUnit.Count, outcome.counts.failed);
    }
    metrics.publishStoredMetrics();
    return answer;
  };
}
