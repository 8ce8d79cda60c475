/**
 * The tracker's history entries that ride on its follow-up items
 * (store/follow-ups/pending-history.ts): for each record whose follow-up item
 * carries entries (or parked work that does), their history items are written
 * if they are not there, with the follow-up's expiry as it is now (issue 82).
 * Those the batch shows written need nothing; the others are read first (the
 * tracker writes them just after the item, so they are there but for a write
 * it could not finish), and a version held by another entry is counted. A
 * record whose entries cannot be written is reported, and parked with them if
 * it keeps failing.
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { pendingVersions, writePendingHistory, type HistoryWriteOutcome } from '../../store/follow-ups/pending-history';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { RecordWork } from './intake';

/** The history items of the batch's records still to write: the items written (each a write the tracker did not finish) and the versions another entry holds. */
export async function keepHistory(ctx: StepContext, run: Run, works: Iterable<RecordWork>, written: ReadonlyMap<string, ReadonlySet<number>>): Promise<HistoryWriteOutcome> {
  const total: HistoryWriteOutcome = { written: 0, conflicts: 0 };
  const unseen = [...works].flatMap((work) => {
    const { history } = work;
    if (history === undefined) return [];
    const skip = written.get(history.followUpId) ?? new Set<number>();
    return pendingVersions(history).every(({ version }) => skip.has(version)) ? [] : [{ work, history, skip }];
  });
  await forEachLimited(unseen, ctx.concurrency, async ({ work, history, skip }) => {
    try {
      const outcome = await beforeDeadline(writePendingHistory(ctx.db, ctx.tableName, history, new Date(ctx.clock()), { skip, check: true, current: true }), run.workDeadline);
      if (outcome === 'late') run.failures.add(work.sequenceNumber);
      else {
        total.written += outcome.written;
        total.conflicts += outcome.conflicts;
        if (outcome.conflicts > 0) ctx.logger.error('history versions held by another entry', { follow_up_id: history.followUpId, versions: outcome.conflicts });
      }
    } catch (error) {
      ctx.logger.error('history entries not written', { follow_up_id: history.followUpId, error: errorName(error) });
      run.failures.add(work.sequenceNumber);
    }
  });
  if (total.written > 0) ctx.logger.warn('history entries written from their follow-up items', { entries: total.written });
  return total;
}
