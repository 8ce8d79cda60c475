/**
 * A snoozed or closed follow-up's stale flag clears with the action, not at
 * the next sweep (CONTRACT §9). Failed: the stream retries the record (and the
 * next sweep would clear it anyway).
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { clearFlagOfHeldFollowUp } from '../../store/redraws';
import type { ReleasedFlag } from './classify';
import { beforeDeadline, type Run, type StepContext } from './context';

/** Clears the stale flags the batch's follow-up writes released. */
export async function clearReleasedFlags(ctx: StepContext, run: Run, released: readonly { sequenceNumber: string; flag: ReleasedFlag }[]): Promise<void> {
  await forEachLimited(released, ctx.concurrency, async ({ sequenceNumber, flag }) => {
    try {
      const outcome = await beforeDeadline(
        clearFlagOfHeldFollowUp(ctx.db, ctx.tableName, { orderId: flag.orderId, since: flag.since, statusTime: flag.statusTime, by: flag.by }),
        run.workDeadline,
      );
      if (outcome === 'late') run.failures.add(sequenceNumber);
      else if (outcome === 'cleared') ctx.logger.info('stale flag cleared', { order_id: flag.orderId, reason: `follow_up_${flag.by}` });
    } catch (error) {
      ctx.logger.error('clearing the stale flag of a held follow-up failed', { order_id: flag.orderId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  });
}
