/**
 * One sweep at a time (CONTRACT §4): the sweep's lease in the table
 * (LEASE#sweep, store/claims.ts), taken first and released at the end,
 * whatever happened. A sweep that finds it held does nothing (SweepSkipped = 1).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { canonicalFromDate } from '../../core/instant';
import { SWEEP_METRICS } from '../../shared/metric-names';
import { errorName, type LogSink, type MetricSink } from '../../shared/observability';
import { releaseLease, takeLease } from '../../store/claims';
import type { TableClient } from '../../store/table-client';

/** The lease's length when none is given (`npm start`, tests): the deployed sweep's timeout (lib/table-bound-function.ts TIMEOUTS.sweep). */
export const DEFAULT_SWEEP_LEASE_SECONDS = 300;

/** The lease's name (its item is `LEASE#sweep`, store/claims.ts). */
export const SWEEP_LEASE = 'sweep';

/** What the lease needs. */
export interface SweepLeaseInput {
  db: TableClient;
  tableName: string;
  now: Date;
  logger: LogSink;
  metrics: MetricSink;
  /** The sweep's id: the lease's holder. */
  holder: string;
  /** How long the lease lasts (s; default DEFAULT_SWEEP_LEASE_SECONDS). */
  seconds?: number;
}

/** Until when another sweep holds the lease, as a log says it (null when unknown). */
export function heldUntilOf(heldUntilMs: number | null): string | null {
  return heldUntilMs === null ? null : canonicalFromDate(new Date(heldUntilMs));
}

/**
 * Runs `work` under the sweep's lease, released after it in any case; when
 * another sweep holds the lease, does nothing and answers `skipped()`.
 */
export async function withSweepLease<T>(input: SweepLeaseInput, work: () => Promise<T>, skipped: () => T): Promise<T> {
  const { db, tableName, now, logger, metrics } = input;
  const taken = await takeLease(db, tableName, { name: SWEEP_LEASE, holder: input.holder, now, seconds: input.seconds ?? DEFAULT_SWEEP_LEASE_SECONDS });
  metrics.addMetric(SWEEP_METRICS.skipped, MetricUnit.Count, taken.taken ? 0 : 1);
  if (!taken.taken) {
    logger.info('sweep skipped: another sweep holds the lease', { held_until: heldUntilOf(taken.heldUntilMs) });
    return skipped();
  }
  try {
    return await work();
  } finally {
    try {
      if ((await releaseLease(db, tableName, taken.lease)) === 'lost') logger.warn('sweep lease had ended and was taken by another sweep before this one finished', {});
    } catch (error) {
      // It ends by itself (SWEEP_TIMEOUT_SECONDS after it was taken); until then sweeps are skipped.
      logger.warn('releasing the sweep lease failed: it ends by itself', { error: errorName(error) });
    }
  }
}
