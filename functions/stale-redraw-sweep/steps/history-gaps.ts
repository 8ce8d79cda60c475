/**
 * The follow-ups' histories against their items (issue 82): for each open
 * follow-up the sweep reads whose newest entry settled (HISTORY_SETTLE_MS), the
 * history item of its own version is read (one BatchGetItem per 100, half a unit
 * each). One that is missing, or another entry's, is a gap: counted
 * (HistoryGaps, alarmed) and logged, and repaired from the entries the item
 * carries when it carries that version's (every write carries them until they
 * are known written: store/follow-ups/write.ts), with the follow-up's expiry as it is now.
 */
import { historyDue, historyGapOf } from '../../core/follow-up/history-gap';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { newestEntries, repairCarried } from '../../store/follow-ups/history';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { CONCURRENCY, type SweepContext } from './context';

/** Compares the histories of `open` (the worklist's open partition, as read) with their items; gaps counted in the tally. */
export async function compareHistories(ctx: Pick<SweepContext, 'db' | 'tableName' | 'now' | 'logger' | 'tally'>, open: readonly StoredFollowUp[]): Promise<void> {
  const { db, tableName, now, logger, tally } = ctx;
  const due = open.filter((stored) => historyDue(stored.last, now));
  if (due.length === 0) return;
  const found = await newestEntries(db, tableName, due, now);
  const gaps = due.flatMap((stored) => {
    const carries = (stored.pending?.length ?? 0) > 0;
    const gap = historyGapOf(stored.last!, found.get(stored.followUp.id), carries);
    return gap === 'none' ? [] : [{ stored, gap }];
  });
  tally.historyGaps += gaps.length;
  await forEachLimited(gaps, CONCURRENCY, async ({ stored, gap }) => {
    const fields = { follow_up_id: stored.followUp.id, version: stored.followUp.version };
    if (gap === 'unrepairable') return logger.error('history gap: the follow-up carries no entry for it', fields);
    try {
      const outcome = await repairCarried(db, tableName, stored, now);
      logger.error('history gap repaired from the follow-up item', { ...fields, written: outcome.written, conflicts: outcome.conflicts });
    } catch (error) {
      tally.failures++;
      logger.error('history gap not repaired', { ...fields, error: errorName(error) });
    }
  });
}
