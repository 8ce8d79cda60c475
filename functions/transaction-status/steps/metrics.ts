/** The metrics of one invocation, in the order they are recorded, flushed before the answer. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { TRANSACTION_METRICS as METRIC } from '../../shared/metric-names';
import type { FlushingMetricSink } from '../../shared/observability';

/** What one invocation did. */
export interface BatchCounts {
  recomputed: number;
  /** Null: no publisher, no event metrics. */
  events: { published: number; failed: number } | null;
  writes: number;
  followUpWrites: number;
  reportRowWrites: number;
  conflicts: number;
  parked: number;
  redone: number;
  /** Ended transactions and orders left with retention on, no expiry and no follow-up to hold it. */
  keptForever: number;
  /** History items written from the entries a follow-up item carried (a tracker's write it did not finish). */
  historyRepaired: number;
  /** History versions found held by another entry (neither expired nor this one). */
  historyConflicts: number;
}

/** The invocation's metrics (all counts), by name, in the order they are recorded. */
export function batchMetrics(counts: BatchCounts): [name: string, value: number][] {
  return [
    [METRIC.recomputed, counts.recomputed],
    ...(counts.events === null
      ? []
      : ([
          [METRIC.eventsPublished, counts.events.published],
          [METRIC.publishFailures, counts.events.failed],
        ] as [string, number][])),
    [METRIC.writes, counts.writes],
    [METRIC.followUpWrites, counts.followUpWrites],
    [METRIC.reportRowWrites, counts.reportRowWrites],
    [METRIC.conflicts, counts.conflicts],
    [METRIC.parked, counts.parked],
    [METRIC.redone, counts.redone],
    [METRIC.keptForever, counts.keptForever],
    [METRIC.historyRepaired, counts.historyRepaired],
    [METRIC.historyConflicts, counts.historyConflicts],
  ];
}

/** Records the invocation's metrics and flushes them. */
export function publishBatchMetrics(metrics: FlushingMetricSink, counts: BatchCounts): void {
  for (const [name, value] of batchMetrics(counts)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
