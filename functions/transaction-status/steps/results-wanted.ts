/**
 * A follow-up whose `missing` names another order, status or status detail
 * (CONTRACT §9) asks for that order's results: a record for the sweep to read
 * them from Junction (store/results-wanted.ts), never in the webhook's answer.
 * The same want already there (a redelivered stream record) keeps its day and
 * attempts; another want of the order is replaced. Failed or late: the stream
 * record is reported, retried, nothing lost.
 */
import { canonicalFromDate } from '../../core/instant';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { wantResults } from '../../store/results-wanted';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { ResultsWantedBy } from './classify';
import type { RecordWork } from './intake';

/** Records the results the batch's follow-up writes want read. */
export async function wantMissingResults(ctx: StepContext, run: Run, works: Iterable<RecordWork>): Promise<void> {
  // The newest want of each order in the batch (its records in stream order): an older one would only be replaced,
  // and two written at once could land in either order within the second that dates them.
  const newest = new Map<string, { sequenceNumber: string } & ResultsWantedBy>();
  for (const { sequenceNumber, classified } of works) if (classified.resultsWanted !== undefined) newest.set(classified.resultsWanted.orderId, { sequenceNumber, ...classified.resultsWanted });
  await forEachLimited([...newest.values()], ctx.concurrency, async ({ sequenceNumber, ...want }) => {
    const { orderId, followUpId } = want;
    try {
      const at = canonicalFromDate(new Date(ctx.clock()));
      const outcome = await beforeDeadline(wantResults(ctx.db, ctx.tableName, { ...want, at }), run.workDeadline);
      if (outcome === 'late') run.failures.add(sequenceNumber);
    } catch (error) {
      ctx.logger.error('recording wanted results failed', { order_id: orderId, follow_up_id: followUpId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  });
}
