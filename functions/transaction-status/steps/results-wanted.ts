/**
 * A follow-up whose `missing` names a new order (CONTRACT §9) asks for that
 * order's results: a record for the sweep to read them from Junction
 * (store/results-wanted.ts), never in the webhook's answer. A record already
 * there (a redelivered stream record) keeps its day and attempts. Failed or
 * late: the stream record is reported, retried, nothing lost.
 */
import { canonicalFromDate } from '../../core/instant';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { wantResults } from '../../store/results-wanted';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { RecordWork } from './intake';

/** Records the results the batch's follow-up writes want read. */
export async function wantMissingResults(ctx: StepContext, run: Run, works: Iterable<RecordWork>): Promise<void> {
  const wanted = [...works].flatMap(({ sequenceNumber, classified }) => (classified.resultsWanted === undefined ? [] : [{ sequenceNumber, ...classified.resultsWanted }]));
  await forEachLimited(wanted, ctx.concurrency, async ({ sequenceNumber, orderId, followUpId }) => {
    try {
      const at = canonicalFromDate(new Date(ctx.clock()));
      const outcome = await beforeDeadline(wantResults(ctx.db, ctx.tableName, { orderId, followUpId, at }), run.workDeadline);
      if (outcome === 'late') run.failures.add(sequenceNumber);
    } catch (error) {
      ctx.logger.error('recording wanted results failed', { order_id: orderId, follow_up_id: followUpId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  });
}
