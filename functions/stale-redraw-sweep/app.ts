/**
 * The stale-redraw sweep (CONTRACT §4): flags open redraws that waited too long,
 * notifies once per flag, and clears flags that no longer hold.
 *
 * It reads only the open-redraws index, never the table: due candidates of the
 * two unflagged partitions (a key condition on the status time) and the flagged
 * ones (to clear those that stopped being stale). Its cost follows the number of
 * open redraws, not the size of the table.
 */
import type { FlushingMetricSink, LogSink, MetricSink } from '../shared/observability';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { hasRedrawOrder, staleCutoffs, staleReason, type StaleThresholds } from '../core/staleness';
import {
  countOpenRedraws,
  flagStale,
  readOpenRedraws,
  refileOpenRedraw,
  unflagStale,
  type IndexedOrder,
} from '../store/redraws';
import { OPEN_REDRAW_PARTITIONS } from '../store/table';
import { readTransactionPartition } from '../store/transaction-partition';
import type { Notifier, StaleRedrawNotification } from './notifier';
import { SERVICES, SWEEP_METRICS } from '../shared/metric-names';

export { SWEEP_METRICS };

export const SWEEP_SERVICE_NAME = SERVICES.staleRedrawSweep;

/** The thresholds' settings, checked at start: positive, and small enough to be dates. */
export const ThresholdsEnv = z.object({
  REDRAW_STALE_AFTER_DAYS: z.coerce.number().positive().max(3650).default(7),
  REDRAW_MISSING_AFTER_HOURS: z.coerce.number().positive().max(87_600).default(24),
});

/** Thresholds from parsed settings (see ThresholdsEnv). */
export function thresholdsOf(env: z.output<typeof ThresholdsEnv>): StaleThresholds {
  return { staleAfterDays: env.REDRAW_STALE_AFTER_DAYS, missingAfterHours: env.REDRAW_MISSING_AFTER_HOURS };
}


export interface SweepInput {
  doc: DynamoDBDocumentClient;
  tableName: string;
  now: Date;
  thresholds: StaleThresholds;
  notifier: Notifier;
  logger: LogSink;
  metrics: MetricSink;
}

export interface SweepResult {
  /** Orders read from the open-redraws index (due candidates and flagged ones). */
  examined: number;
  /** Flags set and notified by this sweep. */
  flagged: number;
  /** Orders taken out of the flagged or awaiting partition because they are no longer stale or awaiting. */
  cleared: number;
}

/** Thrown after a sweep in which some orders failed unexpectedly (the others were swept). */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}

const DAY_MS = 86_400_000;
/** Candidates handled at once: enough to overlap round trips, few enough to stay polite to the table. */
const CONCURRENCY = 8;

/** One sweep at `now`. */
export async function runSweep(input: SweepInput): Promise<SweepResult> {
  const { doc, tableName, now, thresholds, logger, metrics } = input;
  const since = canonicalFromDate(now);
  const cutoffs = staleCutoffs(now, thresholds);
  const [inProgress, awaiting, flaggedBefore] = await Promise.all([
    readOpenRedraws(doc, tableName, OPEN_REDRAW_PARTITIONS.redrawInProgress, cutoffs.noProgressBefore),
    readOpenRedraws(doc, tableName, OPEN_REDRAW_PARTITIONS.awaitingRedraw, cutoffs.redrawMissingBefore),
    readOpenRedraws(doc, tableName, OPEN_REDRAW_PARTITIONS.stale),
  ]);

  // The transaction function may lag behind the webhook: ask the transaction's
  // partition whether a redraw order is known, once per transaction per sweep.
  const redrawKnown = new Map<string, Promise<boolean>>();
  const transactionHasRedraw = (order: IndexedOrder): Promise<boolean> => {
    const transactionId = order.record.transaction_id;
    if (order.record.origin === 'redraw' || transactionId === null) return Promise.resolve(false);
    let known = redrawKnown.get(transactionId);
    if (!known) {
      known = readTransactionPartition(doc, tableName, transactionId).then(({ orders, transaction }) =>
        hasRedrawOrder([
          ...orders.map((member) => member.record).filter((member) => member.id !== order.record.id),
          ...Object.values(transaction?.members ?? {}).filter((member) => member.id !== order.record.id),
        ]),
      );
      redrawKnown.set(transactionId, known);
    }
    return known;
  };

  let flagged = 0;
  let cleared = 0;
  let staleCleared = 0;
  let notificationFailures = 0;
  let failures = 0;

  const seenOf = (order: IndexedOrder) => ({ orderId: order.record.id, rank: order.record.rank, partition: order.openRedraw });

  const sweepCandidate = async (order: IndexedOrder): Promise<void> => {
    const hasRedraw = await transactionHasRedraw(order);
    const reason = staleReason(order.record, hasRedraw, now, thresholds);
    if (reason === null) {
      // Not stale after all: its redraw order is known by now (the index was not updated yet).
      if (hasRedraw && (await refileOpenRedraw(doc, tableName, seenOf(order), order.record, hasRedraw)) === 'written') cleared++;
      return;
    }
    if ((await flagStale(doc, tableName, seenOf(order), { since, reason })) === 'lost') {
      logger.debug('stale flag not set: the order moved on or is flagged already', { order_id: order.record.id });
      return;
    }
    try {
      await input.notifier.notify(notificationOf(order, reason, since, now));
      flagged++;
    } catch (error) {
      notificationFailures++;
      logger.error('stale redraw notification failed; flag rolled back for the next sweep', {
        order_id: order.record.id,
        error: errorName(error),
      });
      await unflagStale(doc, tableName, order.record.id, since, order.openRedraw);
    }
  };

  const reexamineFlagged = async (order: IndexedOrder): Promise<void> => {
    const hasRedraw = await transactionHasRedraw(order);
    if (staleReason(order.record, hasRedraw, now, thresholds) !== null) return;
    if ((await refileOpenRedraw(doc, tableName, seenOf(order), order.record, hasRedraw)) === 'written') {
      cleared++;
      staleCleared++;
    }
  };

  const guarded = (work: (order: IndexedOrder) => Promise<void>) => async (order: IndexedOrder) => {
    try {
      await work(order);
    } catch (error) {
      failures++;
      logger.error('sweeping an order failed', { order_id: order.record.id, error: errorName(error) });
    }
  };
  await forEachLimited([...inProgress, ...awaiting], CONCURRENCY, guarded(sweepCandidate));
  await forEachLimited(flaggedBefore, CONCURRENCY, guarded(reexamineFlagged));

  const counts = await countOpenRedraws(doc, tableName);
  const openNow = counts[OPEN_REDRAW_PARTITIONS.redrawInProgress] + counts[OPEN_REDRAW_PARTITIONS.awaitingRedraw] + counts[OPEN_REDRAW_PARTITIONS.stale];
  metrics.addMetric(SWEEP_METRICS.flagged, MetricUnit.Count, flagged);
  // From this sweep's own reads and writes: the index may not show its writes yet.
  metrics.addMetric(SWEEP_METRICS.stale, MetricUnit.Count, flaggedBefore.length - staleCleared + flagged);
  metrics.addMetric(SWEEP_METRICS.open, MetricUnit.Count, openNow);
  metrics.addMetric(SWEEP_METRICS.notificationFailures, MetricUnit.Count, notificationFailures);

  const result = { examined: inProgress.length + awaiting.length + flaggedBefore.length, flagged, cleared };
  logger.info('stale redraw sweep done', { ...result, notification_failures: notificationFailures, failures, open_redraws: openNow });
  if (failures > 0) throw new SweepError(`${failures} order(s) could not be swept`);
  return result;
}

function notificationOf(order: IndexedOrder, reason: StaleRedrawNotification['reason'], since: string, now: Date): StaleRedrawNotification {
  const { record } = order;
  return {
    order_id: record.id,
    transaction_id: record.transaction_id,
    reason,
    status: record.status,
    low_level_status: record.low_level_status,
    days_waiting: Math.floor((now.getTime() - instantMillis(record.status_time)) / DAY_MS),
    since,
    status_time: record.status_time,
  };
}

/** The error's class name only: messages of SDK errors can quote request data. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}


export interface SweepHandlerDeps extends Omit<SweepInput, 'now' | 'metrics'> {
  metrics: FlushingMetricSink;
  /** The sweep's clock; injectable so tests need no waiting. */
  clock?: () => Date;
}

/**
 * The sweep's entry: one sweep per invocation (an EventBridge schedule on AWS,
 * a timer or `POST /local/sweep` locally). The event carries nothing it needs.
 */
export function createSweepHandler(deps: SweepHandlerDeps): (event?: unknown) => Promise<SweepResult> {
  const clock = deps.clock ?? (() => new Date());
  return async () => {
    try {
      return await runSweep({ ...deps, now: clock() });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
