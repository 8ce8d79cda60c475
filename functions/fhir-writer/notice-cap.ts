/**
 * The cap on a notifying source's Task notices (issue 82, "Floods"; the rule
 * is core/fhir/notice-cap.ts): before a batch's Tasks are read, each source's
 * are counted for the minute in the table (store/fhir-poll.ts `takeNotices`,
 * one conditional update per source and batch, so the count holds across the
 * writer's instances). What fits is read as ever; the rest is not read: it is
 * counted (FhirNoticesLeftToPoll), logged with counts only, and the batch asks
 * for one notified poll run (at most one a minute per server), which finds
 * those changes with everything else the EHR changed. A count that cannot be
 * written (DynamoDB failing) leaves that source's notices for SQS to deliver again.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { NOTICE_CAP_PER_MINUTE, splitByCap } from '../core/fhir/notice-cap';
import { FHIR_METRICS } from '../shared/metric-names';
import { errorName, type LogSink, type MetricSink } from '../shared/observability';
import { takeNotices } from '../store/fhir-poll';
import type { TableClient } from '../store/table-client';

export interface NoticeCapDeps {
  db: TableClient;
  tableName: string;
  baseUrl: string;
  now: () => Date;
  logger: LogSink;
  metrics: MetricSink;
}

/** A Task's notices in a batch: who sent the first, and the messages naming it. */
export interface SourcedNotices {
  source: string;
  messageIds: string[];
}

/** The Tasks to read now (in the batch's order), how many were left to the poll, and the messages to deliver again. */
export interface CappedNotices<G extends SourcedNotices> {
  read: Map<string, G>;
  left: number;
  failed: string[];
}

/** Holds each source's Tasks in `tasks` to its cap for the minute. */
export async function capNotices<G extends SourcedNotices>(deps: NoticeCapDeps, tasks: ReadonlyMap<string, G>): Promise<CappedNotices<G>> {
  const bySource = new Map<string, string[]>();
  for (const [taskId, { source }] of tasks) bySource.set(source, [...(bySource.get(source) ?? []), taskId]);
  const reading = new Set<string>();
  const failed: string[] = [];
  let left = 0;
  for (const [source, ids] of bySource) {
    let taken: number;
    try {
      ({ taken } = await takeNotices(deps.db, deps.tableName, { baseUrl: deps.baseUrl, source, now: deps.now(), asked: ids.length }));
    } catch (error) {
      deps.logger.error('FHIR notices not counted against their cap: left for the queue to deliver again', { source, notices: ids.length, error_name: errorName(error) });
      failed.push(...ids.flatMap((id) => tasks.get(id)?.messageIds ?? []));
      continue;
    }
    const split = splitByCap(ids, taken);
    for (const id of split.read) reading.add(id);
    if (split.left.length > 0) {
      left += split.left.length;
      deps.logger.warn('FHIR notices over their source\'s cap this minute: not read, left to the poll', { source, left: split.left.length, cap: NOTICE_CAP_PER_MINUTE });
    }
  }
  if (left > 0) deps.metrics.addMetric(FHIR_METRICS.noticesLeftToPoll, MetricUnit.Count, left);
  return { read: new Map([...tasks].filter(([id]) => reading.has(id))), left, failed };
}
