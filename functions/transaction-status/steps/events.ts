/**
 * Publishing the batch's facts (CONTRACT §7): each fact once, whatever number
 * of records carry it; a record whose facts did not all go out is reported, so
 * the stream delivers it again and its facts go out under the same ids.
 */
import type { TrackerEvent } from '../../core/events';
import { errorName } from '../../shared/observability';
import { beforeDeadline, type StepContext } from './context';
import type { RecordFact } from './intake';

/** What did not go out: the records to report, and the number of distinct facts. */
export interface Unpublished {
  records: Set<string>;
  failed: number;
}

/** The events to publish: one fact can come twice in a batch (a record's images and parked work): it goes out once. */
export function distinctEvents(facts: readonly RecordFact[]): TrackerEvent[] {
  return [...new Map(facts.map((fact) => [fact.event.id, fact.event])).values()];
}

/** The records whose facts did not all go out, given the events that failed. */
export function unpublishedOf(facts: readonly RecordFact[], failed: readonly TrackerEvent[]): Unpublished {
  const failedIds = new Set(failed.map((fact) => fact.id));
  return { records: new Set(facts.filter((fact) => failedIds.has(fact.event.id)).map((fact) => fact.sequenceNumber)), failed: failedIds.size };
}

/** Distinct facts published: those of the batch less those that did not go out. */
export function publishedCount(facts: readonly RecordFact[], unpublished: Pick<Unpublished, 'failed'>): number {
  return new Set(facts.map((fact) => fact.event.id)).size - unpublished.failed;
}

/** Publishes the batch's facts; resolves with the records whose facts did not all go out. */
export async function publishFacts(ctx: StepContext, facts: readonly RecordFact[], deadline: number): Promise<Unpublished> {
  if (ctx.publisher === undefined || facts.length === 0) return { records: new Set(), failed: 0 };
  const events = distinctEvents(facts);
  let failed: readonly TrackerEvent[];
  try {
    const answer = await beforeDeadline(ctx.publisher.publish(events, { deadline }), deadline);
    failed = answer === 'late' ? events : answer;
  } catch (error) {
    // The error's type only: an SDK error's message can quote the request.
    ctx.logger.error('event publishing failed', { fact_count: events.length, error: errorName(error) });
    failed = events;
  }
  if (failed.length > 0) ctx.logger.warn('events not published; their records are reported for the stream to retry', { failed: failed.length, events: events.length });
  return unpublishedOf(facts, failed);
}
