/**
 * The stale-redraw sweep (CONTRACT §4): flags open redraws that waited too long,
 * notifies once per flag, and clears flags that no longer hold.
 *
 * It reads only the open-redraws index, never the table: due candidates of the
 * two unflagged partitions (a key condition on the status time) and the flagged
 * ones (to clear those that stopped being stale). Its cost follows the number of
 * open redraws, not the size of the table.
 *
 * With a Junction API client (CONTRACT §6) it also catches up on lost webhooks
 * (members behind their listings, from the index's `RECONCILE#behind`
 * partition) and verifies each candidate with the API before flagging it.
 * Without one it makes no request to Junction and behaves as §4 alone.
 */
import { errorName, type FlushingMetricSink, type LogSink, type MetricSink } from '../shared/observability';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TableClient } from '../store/table-client';
import * as z from 'zod/mini';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { membersBehindBefore } from '../core/members';
import type { ListingSnapshot } from '../core/order-record';
import { hasRedrawOrder, staleCutoffs, staleReason, type StaleReason, type StaleThresholds } from '../core/staleness';
import type { JunctionApi } from '../junction/api';
import { readBehindTransactions } from '../store/catch-up';
import { getOrder } from '../store/order-reads';
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
import { createJunctionSession, type JunctionSession } from './reconcile';
import { DEFAULT_SYNC, runSync, type SyncOutcome, type SyncSettings } from './sync';
import { RECONCILE_METRICS, SERVICES, SWEEP_METRICS, SYNC_METRICS } from '../shared/metric-names';

export { RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS };

export const SWEEP_SERVICE_NAME = SERVICES.staleRedrawSweep;

/** The thresholds' settings, checked at start: positive, and small enough to be dates. */
export const ThresholdsEnv = z.object({
  REDRAW_STALE_AFTER_DAYS: z._default(z.coerce.number().check(z.positive(), z.maximum(3650)), 7),
  REDRAW_MISSING_AFTER_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(87_600)), 24),
});

/** Thresholds from parsed settings (see ThresholdsEnv). */
export function thresholdsOf(env: z.output<typeof ThresholdsEnv>): StaleThresholds {
  return { staleAfterDays: env.REDRAW_STALE_AFTER_DAYS, missingAfterHours: env.REDRAW_MISSING_AFTER_HOURS };
}

/** Catch-up settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const ReconcileEnv = z.object({
  /** A member behind its listing for longer than this is read from the API (Svix delivers most retries well within it). */
  RECONCILE_AFTER_MINUTES: z._default(z.coerce.number().check(z.positive(), z.maximum(525_600)), 60),
  /** Catch-up reads per sweep at most (verification reads of flag candidates are not capped). */
  RECONCILE_MAX_PER_SWEEP: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000)), 100),
});

export interface ReconcileSettings {
  afterMinutes: number;
  maxPerSweep: number;
}

export const DEFAULT_RECONCILE: ReconcileSettings = { afterMinutes: 60, maxPerSweep: 100 };

/** Continuous sync settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const SyncEnv = z.object({
  /** How far back the first sync reaches (older orders are the backfill's). */
  SYNC_LOOKBACK_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(8760)), 24),
  /** Longest time one sweep spends on the sync; a backlog is worked off over as many sweeps as it takes. */
  SYNC_MAX_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(840)), 120),
});

/** Sync settings from parsed settings (see SyncEnv). */
export function syncOf(env: z.output<typeof SyncEnv>): SyncSettings {
  return { lookbackHours: env.SYNC_LOOKBACK_HOURS, maxSeconds: env.SYNC_MAX_SECONDS };
}

/** Catch-up settings from parsed settings (see ReconcileEnv). */
export function reconcileOf(env: z.output<typeof ReconcileEnv>): ReconcileSettings {
  return { afterMinutes: env.RECONCILE_AFTER_MINUTES, maxPerSweep: env.RECONCILE_MAX_PER_SWEEP };
}

export interface SweepInput {
  db: TableClient;
  tableName: string;
  now: Date;
  thresholds: StaleThresholds;
  notifier: Notifier;
  logger: LogSink;
  metrics: MetricSink;
  /** Junction's API (CONTRACT §6); null or absent: no reconciliation, and no request to Junction. */
  junction?: JunctionApi | null;
  /** Catch-up settings (default DEFAULT_RECONCILE). */
  reconcile?: ReconcileSettings;
  /** Continuous sync settings (default DEFAULT_SYNC). */
  sync?: SyncSettings;
  /** Milliseconds since the sweep started (monotonic; default from performance.now()): bounds the sync. */
  elapsedMs?: () => number;
  /** Milliseconds left for this invocation (Lambda's context), if known: Junction is not asked when it runs low. */
  timeLeft?: () => number;
}

export interface SweepResult {
  /** Orders read from the open-redraws index (due candidates and flagged ones). */
  examined: number;
  /** Flags set and notified by this sweep. */
  flagged: number;
  /** Orders taken out of the flagged or awaiting partition because they are no longer stale or awaiting. */
  cleared: number;
  /** Orders whose stored state an API read replaced in this sweep (0 without a Junction API key). */
  reconciled: number;
  /** Orders this sweep's sync read from Junction (0 without a Junction API key). */
  synced: number;
}

/** Thrown after a sweep in which some orders failed unexpectedly (the others were swept). */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}

const DAY_MS = 86_400_000;
/** Candidates handled at once: enough to overlap round trips, few enough to stay polite to the table. */
const CONCURRENCY = 8;
/** Catch-up reads in flight at once: polite to Junction's API. */
const JUNCTION_CONCURRENCY = 4;
const MINUTE_MS = 60_000;

/** One sweep at `now`. */
export async function runSweep(input: SweepInput): Promise<SweepResult> {
  const { db, tableName, now, thresholds, logger, metrics } = input;
  const since = canonicalFromDate(now);
  const cutoffs = staleCutoffs(now, thresholds);
  const session: JunctionSession | null = input.junction
    ? createJunctionSession({ db, tableName, junction: input.junction, logger, timeLeft: input.timeLeft })
    : null;

  let failures = 0;
  let behind = 0;
  let sync: SyncOutcome | null = null;
  // The sync first (CONTRACT §6): the catch-up and the stale rules then work on what it brought.
  if (session !== null) {
    const started = performance.now();
    try {
      sync = await runSync({
        db,
        tableName,
        session,
        now,
        settings: input.sync ?? DEFAULT_SYNC,
        logger,
        elapsedMs: input.elapsedMs ?? (() => performance.now() - started),
        ...(input.timeLeft ? { timeLeft: input.timeLeft } : {}),
      });
      if (sync.stopped === 'apply_failed') failures++;
    } catch (error) {
      failures++;
      logger.error('sync failed', { error: errorName(error) });
    }
  }
  // Catch-up next, so that the candidates read next already show what it repaired.
  if (session !== null) {
    try {
      behind = await catchUp(input, session, () => void failures++);
    } catch (error) {
      failures++;
      logger.error('catch-up failed', { error: errorName(error) });
    }
  }

  const [inProgress, awaiting, flaggedBefore] = await Promise.all([
    readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.redrawInProgress, cutoffs.noProgressBefore),
    readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.awaitingRedraw, cutoffs.redrawMissingBefore),
    readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.stale),
  ]);

  // The transaction function may lag behind the webhook: ask the transaction's
  // partition whether a redraw order is known, once per transaction per sweep.
  const redrawKnown = new Map<string, Promise<boolean>>();
  const transactionHasRedraw = (order: IndexedOrder): Promise<boolean> => {
    const transactionId = order.record.transaction_id;
    if (order.record.origin === 'redraw' || transactionId === null) return Promise.resolve(false);
    let known = redrawKnown.get(transactionId);
    if (!known) {
      known = readTransactionPartition(db, tableName, transactionId).then(({ orders, transaction }) =>
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

  const seenOf = (order: IndexedOrder) => ({ orderId: order.record.id, rank: order.record.rank, partition: order.openRedraw });

  /**
   * Verify before flagging (CONTRACT §6): read the candidate (and, for
   * redraw_not_created, its transaction) from Junction, apply what is newer, and
   * say what is still stale. Null: nothing to flag any more. When Junction gives
   * nothing usable, the candidate stands as read (§4).
   */
  const verify = async (
    order: IndexedOrder,
    reason: StaleReason,
    hasRedraw: boolean,
  ): Promise<{ order: IndexedOrder; reason: StaleReason } | null> => {
    if (session === null) return { order, reason };
    const orderId = order.record.id;
    const transactionId = order.record.transaction_id;
    const applied = await session.reconcileOrder(orderId);
    const transactionRead =
      reason === 'redraw_not_created' && transactionId !== null
        ? await session.reconcileTransaction(transactionId, order.record.collection_method)
        : null;
    if (applied === null && transactionRead === null) return { order, reason };

    const redrawNow =
      hasRedraw ||
      listingHasRedraw(applied?.listing ?? null, orderId) ||
      hasRedrawOrder(otherMembers(applied?.recompute?.transaction.members, orderId)) ||
      hasRedrawOrder(otherMembers(transactionRead?.transaction.members, orderId));
    if (redrawNow && transactionId !== null && order.record.origin !== 'redraw') redrawKnown.set(transactionId, Promise.resolve(true));
    // What is stored now (strongly consistent): the API's state, or a newer one, with its partition.
    const current = await getOrder(db, tableName, orderId);
    if (current === null) return null;
    const partition = current.openRedraw;
    if (partition === null || partition === OPEN_REDRAW_PARTITIONS.stale) return null; // left the index, or flagged meanwhile
    const currentOrder: IndexedOrder = { ...current, openRedraw: partition };
    const stillStale = staleReason(current.record, redrawNow, now, thresholds);
    if (stillStale === null) {
      if (redrawNow && (await refileOpenRedraw(db, tableName, seenOf(currentOrder), current.record, true)) === 'written') cleared++;
      return null;
    }
    return { order: currentOrder, reason: stillStale };
  };

  const sweepCandidate = async (candidate: IndexedOrder): Promise<void> => {
    const hasRedraw = await transactionHasRedraw(candidate);
    const candidateReason = staleReason(candidate.record, hasRedraw, now, thresholds);
    if (candidateReason === null) {
      // Not stale after all: its redraw order is known by now (the index was not updated yet).
      if (hasRedraw && (await refileOpenRedraw(db, tableName, seenOf(candidate), candidate.record, hasRedraw)) === 'written') cleared++;
      return;
    }
    const verified = await verify(candidate, candidateReason, hasRedraw);
    if (verified === null) return;
    const { order, reason } = verified;
    if ((await flagStale(db, tableName, seenOf(order), { since, reason })) === 'lost') {
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
      await unflagStale(db, tableName, order.record.id, since, order.openRedraw);
    }
  };

  const reexamineFlagged = async (order: IndexedOrder): Promise<void> => {
    const hasRedraw = await transactionHasRedraw(order);
    if (staleReason(order.record, hasRedraw, now, thresholds) !== null) return;
    if ((await refileOpenRedraw(db, tableName, seenOf(order), order.record, hasRedraw)) === 'written') {
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

  const counts = await countOpenRedraws(db, tableName);
  const openNow = counts[OPEN_REDRAW_PARTITIONS.redrawInProgress] + counts[OPEN_REDRAW_PARTITIONS.awaitingRedraw] + counts[OPEN_REDRAW_PARTITIONS.stale];
  metrics.addMetric(SWEEP_METRICS.flagged, MetricUnit.Count, flagged);
  // From this sweep's own reads and writes: the index may not show its writes yet.
  metrics.addMetric(SWEEP_METRICS.stale, MetricUnit.Count, flaggedBefore.length - staleCleared + flagged);
  metrics.addMetric(SWEEP_METRICS.open, MetricUnit.Count, openNow);
  metrics.addMetric(SWEEP_METRICS.notificationFailures, MetricUnit.Count, notificationFailures);
  // Today a failed notification rolls its flag back and the sweep runs to its end (issue 24 changes both).
  metrics.addMetric(SWEEP_METRICS.notificationsPending, MetricUnit.Count, 0);
  metrics.addMetric(SWEEP_METRICS.stoppedEarly, MetricUnit.Count, 0);

  const junction = session?.stats() ?? null;
  if (junction !== null) {
    const readFailures = junction.failures.unavailable + junction.failures.invalid_answer + junction.failures.not_found;
    metrics.addMetric(RECONCILE_METRICS.reconciled, MetricUnit.Count, junction.reconciled);
    metrics.addMetric(RECONCILE_METRICS.failures, MetricUnit.Count, readFailures);
    metrics.addMetric(RECONCILE_METRICS.unavailable, MetricUnit.Count, junction.failures.unavailable);
    metrics.addMetric(RECONCILE_METRICS.invalidAnswers, MetricUnit.Count, junction.failures.invalid_answer);
    metrics.addMetric(RECONCILE_METRICS.notFound, MetricUnit.Count, junction.failures.not_found);
    metrics.addMetric(RECONCILE_METRICS.unauthorized, MetricUnit.Count, junction.unauthorized);
    metrics.addMetric(RECONCILE_METRICS.requests, MetricUnit.Count, junction.requests);
    metrics.addMetric(RECONCILE_METRICS.behind, MetricUnit.Count, behind);
    if (sync !== null) {
      metrics.addMetric(SYNC_METRICS.synced, MetricUnit.Count, sync.synced);
      metrics.addMetric(SYNC_METRICS.applied, MetricUnit.Count, sync.applied);
      metrics.addMetric(SYNC_METRICS.lagSeconds, MetricUnit.Seconds, sync.lagSeconds);
      metrics.addMetric(SYNC_METRICS.invalid, MetricUnit.Count, sync.invalid);
    }
  }

  const result: SweepResult = {
    examined: inProgress.length + awaiting.length + flaggedBefore.length,
    flagged,
    cleared,
    reconciled: (junction?.reconciled ?? 0) + (sync?.applied ?? 0),
    synced: sync?.synced ?? 0,
  };
  logger.info('stale redraw sweep done', {
    ...result,
    notification_failures: notificationFailures,
    failures,
    open_redraws: openNow,
    ...(junction === null
      ? {}
      : {
          junction_requests: junction.requests,
          junction_failures: junction.failures,
          junction_unauthorized: junction.unauthorized,
          junction_stopped: junction.stopped,
          behind,
          sync_stopped: sync?.stopped ?? null,
          sync_lag_seconds: sync?.lagSeconds ?? null,
        }),
  });
  if (failures > 0) throw new SweepError(`${failures} order(s) could not be swept`);
  return result;
}

/**
 * Catch-up (CONTRACT §6): reads from Junction the members whose own state has
 * been behind what a listing showed for them for longer than
 * RECONCILE_AFTER_MINUTES (by Junction's status times, never our clock), the
 * longest behind first, at most RECONCILE_MAX_PER_SWEEP, each once. A member
 * whose answer is not newer stays behind: the next sweep reads it again.
 * Returns how many members were due.
 */
async function catchUp(input: SweepInput, session: JunctionSession, onFailure: () => void): Promise<number> {
  const { db, tableName, now, logger } = input;
  const settings = input.reconcile ?? DEFAULT_RECONCILE;
  const before = canonicalFromDate(new Date(now.getTime() - settings.afterMinutes * MINUTE_MS));
  const transactions = await readBehindTransactions(db, tableName, before, settings.maxPerSweep);
  const due = [...new Set(transactions.flatMap((transaction) => membersBehindBefore(Object.values(transaction.members), before).map((member) => member.id)))];
  const reading = due.slice(0, settings.maxPerSweep);
  if (due.length > reading.length) logger.info('catch-up capped: the rest waits for the next sweep', { due: due.length, reading: reading.length });
  await forEachLimited(reading, JUNCTION_CONCURRENCY, async (orderId) => {
    try {
      await session.reconcileOrder(orderId);
    } catch (error) {
      logger.error('applying an api read failed', { order_id: orderId, error: errorName(error) });
      onFailure();
    }
  });
  return due.length;
}

function listingHasRedraw(listing: ListingSnapshot | null, orderId: string): boolean {
  return listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== orderId));
}

function otherMembers(members: Readonly<Record<string, { id: string; origin: string | null }>> | undefined, orderId: string) {
  return Object.values(members ?? {}).filter((member) => member.id !== orderId);
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



export interface SweepHandlerDeps extends Omit<SweepInput, 'now' | 'metrics' | 'junction' | 'timeLeft' | 'elapsedMs'> {
  metrics: FlushingMetricSink;
  /** The sweep's clock; injectable so tests need no waiting. */
  clock?: () => Date;
  /**
   * Junction's API, or a provider asked once per sweep (so a key set after the
   * start is picked up); null or absent: no reconciliation, no request to Junction.
   */
  junction?: JunctionApi | null | (() => Promise<JunctionApi | null>);
}

/**
 * The sweep's entry: one sweep per invocation (an EventBridge schedule on AWS,
 * a timer or `POST /local/sweep` locally). The event carries nothing it needs;
 * Lambda's context, when given, bounds the time spent asking Junction.
 */
export function createSweepHandler(deps: SweepHandlerDeps): (event?: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<SweepResult> {
  const clock = deps.clock ?? (() => new Date());
  const { junction, ...rest } = deps;
  return async (_event, context) => {
    try {
      return await runSweep({
        ...rest,
        junction: await resolveJunction(junction, deps.logger),
        now: clock(),
        ...(context ? { timeLeft: () => context.getRemainingTimeInMillis() } : {}),
      });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** The Junction client for this sweep; when its provider fails (the key cannot be read), the sweep goes on without it. */
async function resolveJunction(junction: SweepHandlerDeps['junction'], logger: LogSink): Promise<JunctionApi | null> {
  if (typeof junction !== 'function') return junction ?? null;
  try {
    return await junction();
  } catch (error) {
    logger.error('junction api key could not be read: sweeping without reconciliation', { error: errorName(error) });
    return null;
  }
}
