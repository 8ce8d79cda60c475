/**
 * The end of a sweep: the open redraws counted (when the stale rules ran), the
 * metrics, the run summary (SweepResult) and its log line, from what the steps
 * tallied. The stale rules' own figures come from this sweep's reads and
 * writes: the index may not show its writes yet.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS } from '../../shared/metric-names';
import type { MetricSink } from '../../shared/observability';
import { countOpenRedraws } from '../../store/redraws';
import { OPEN_REDRAW_PARTITIONS, type OpenRedrawPartition } from '../../store/keys';
import type { JunctionSessionStats } from './junction-session';
import type { SyncOutcome } from './sync';
import type { CatchUpRun } from './catch-up';
import type { SweepContext, SweepTally } from './context';
import type { StaleRulesReads } from './read';

export interface SweepResult {
  /** Orders read from the open-redraws index (due candidates and flagged ones). */
  examined: number;
  /** Flags set by this sweep (each notified at once, or left pending for the next sweep). */
  flagged: number;
  /** Orders taken out of the flagged or awaiting partition because they are no longer stale or awaiting. */
  cleared: number;
  /** Orders whose stored state an API read replaced in this sweep (0 without a Junction API key). */
  reconciled: number;
  /** Orders this sweep's sync read from Junction (0 without a Junction API key). */
  synced: number;
  /** True when another sweep held the lease: this one did nothing (every count 0). */
  skipped: boolean;
}

/** What the summary is made of: the steps' outcomes besides the tally. */
export interface SweepOutcomes {
  reads: StaleRulesReads;
  sync: SyncOutcome | null;
  catchUp: CatchUpRun | null;
  /** Junction's figures for this sweep, or null without a session. */
  junction: JunctionSessionStats | null;
  /** The open redraws per partition after the stale rules, or null when they did not run. */
  counts: Record<OpenRedrawPartition, number> | null;
  stoppedAt: string | null;
}

/** The open redraws in every partition of the index, or null when not counted. */
export function openRedrawsOf(counts: Record<OpenRedrawPartition, number> | null): number | null {
  return counts === null ? null : counts[OPEN_REDRAW_PARTITIONS.redrawInProgress] + counts[OPEN_REDRAW_PARTITIONS.awaitingRedraw] + counts[OPEN_REDRAW_PARTITIONS.stale];
}

/** The run summary. */
export function sweepResultOf(tally: SweepTally, outcomes: Omit<SweepOutcomes, 'counts' | 'stoppedAt' | 'catchUp'>): SweepResult {
  const { reads, sync, junction } = outcomes;
  return {
    examined: reads.inProgress.length + reads.awaiting.length + reads.flaggedBefore.length,
    flagged: tally.flagged,
    cleared: tally.cleared,
    reconciled: (junction?.reconciled ?? 0) + (sync?.applied ?? 0),
    synced: sync?.synced ?? 0,
    skipped: false,
  };
}

/** The fields of the sweep's last log line ('stale redraw sweep done'), in their order. */
export function summaryFields(result: SweepResult, tally: SweepTally, outcomes: SweepOutcomes): Record<string, unknown> {
  const { reads, sync, catchUp, junction } = outcomes;
  return {
    ...result,
    notified: tally.notified,
    reminded: tally.reminded,
    redraw_failed_notified: tally.attentionNotified.redraw_failed,
    results_still_missing_notified: tally.attentionNotified.results_still_missing,
    no_redraw_notified: tally.attentionNotified.no_redraw,
    held_back_by_follow_up: tally.heldBack,
    cleared_follow_up_closed: tally.clearedClosed,
    cleared_follow_up_snoozed: tally.clearedSnoozed,
    snoozes_ended: tally.snoozesEnded,
    stale_flag_copies: tally.staleCopies,
    notification_failures: tally.notificationFailures,
    notifications_held_by_claim: tally.heldByClaim,
    notifications_pending: reads.ran ? tally.pendingAfter : null,
    stopped_early_at: outcomes.stoppedAt,
    failures: tally.failures,
    open_redraws: openRedrawsOf(outcomes.counts),
    ...(junction === null
      ? {}
      : {
          junction_requests: junction.requests,
          junction_failures: junction.failures,
          junction_unauthorized: junction.unauthorized,
          junction_stopped: junction.stopped,
          behind: catchUp?.due ?? 0,
          catch_up_not_improved: catchUp?.notImproved ?? 0,
          catch_up_paused: catchUp?.paused ?? 0,
          sync_stopped: sync?.stopped ?? null,
          sync_skipped: sync?.skipped ?? null,
          sync_lag_seconds: sync?.lagSeconds ?? null,
        }),
  };
}

/** The stale rules' metrics, and Junction's and the sync's with a session. */
function emitMetrics(metrics: MetricSink, tally: SweepTally, outcomes: SweepOutcomes): void {
  const { reads, sync, catchUp, junction } = outcomes;
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count(SWEEP_METRICS.flagged, tally.flagged);
  count(SWEEP_METRICS.notificationFailures, tally.notificationFailures);
  count(SWEEP_METRICS.stoppedEarly, outcomes.stoppedAt === null ? 0 : 1);
  count(SWEEP_METRICS.historyGaps, tally.historyGaps);
  const openNow = openRedrawsOf(outcomes.counts);
  if (openNow !== null) {
    count(SWEEP_METRICS.stale, reads.flaggedBefore.length - tally.staleCleared + tally.flagged);
    count(SWEEP_METRICS.open, openNow);
    count(SWEEP_METRICS.notificationsPending, tally.pendingAfter);
  }
  if (junction === null) return;
  // Real failures only: an answer that did not improve a behind member (404 included) is Junction lagging its listing, counted apart.
  count(RECONCILE_METRICS.reconciled, junction.reconciled);
  count(RECONCILE_METRICS.failures, junction.failures.unavailable + junction.failures.invalid_answer);
  count(RECONCILE_METRICS.unavailable, junction.failures.unavailable);
  count(RECONCILE_METRICS.invalidAnswers, junction.failures.invalid_answer);
  count(RECONCILE_METRICS.notFound, junction.failures.not_found);
  count(RECONCILE_METRICS.unauthorized, junction.unauthorized);
  count(RECONCILE_METRICS.requests, junction.requests);
  count(RECONCILE_METRICS.behind, catchUp?.due ?? 0);
  count(RECONCILE_METRICS.notImproved, catchUp?.notImproved ?? 0);
  if (sync === null) return;
  count(SYNC_METRICS.synced, sync.synced);
  count(SYNC_METRICS.applied, sync.applied);
  metrics.addMetric(SYNC_METRICS.lagSeconds, MetricUnit.Seconds, sync.lagSeconds);
  count(SYNC_METRICS.invalid, sync.invalid);
  count(SYNC_METRICS.skipped, sync.skipped);
}

/** Counts the open redraws (when the stale rules ran), emits the metrics and logs the run summary; answers it. */
export async function summarize(
  ctx: SweepContext,
  metrics: MetricSink,
  steps: Pick<SweepOutcomes, 'reads' | 'sync' | 'catchUp'>,
): Promise<SweepResult> {
  const counts = steps.reads.ran ? await countOpenRedraws(ctx.db, ctx.tableName) : null;
  const outcomes: SweepOutcomes = { ...steps, counts, stoppedAt: ctx.gate.stoppedAt, junction: ctx.session?.stats() ?? null };
  emitMetrics(metrics, ctx.tally, outcomes);
  const result = sweepResultOf(ctx.tally, outcomes);
  ctx.logger.info('stale redraw sweep done', summaryFields(result, ctx.tally, outcomes));
  return result;
}
