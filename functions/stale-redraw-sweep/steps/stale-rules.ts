/**
 * The stale rules (CONTRACT §4), in three passes over what the sweep read:
 * the flags of earlier sweeps whose notification is still pending (sent oldest
 * first, or cleared if they no longer hold), the due candidates (each flagged,
 * then notified at once), and the other flags (cleared if they no longer
 * hold). An order that fails for the table's sake is counted and logged; the
 * others are swept.
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import type { IndexedOrder } from '../../store/redraws';
import { clearIfOver } from './clear';
import { CONCURRENCY } from './context';
import { sweepCandidate } from './flag';
import { pendingFlags, sendPending } from './flag-notices';
import type { StaleRules } from './rules';

/**
 * `work` for one order, started only while the step may start (a notification
 * asks for itself); its failure counted and logged by order id.
 */
function guarded(rules: StaleRules, step: string, work: (rules: StaleRules, order: IndexedOrder) => Promise<unknown>) {
  const { ctx } = rules;
  return async (order: IndexedOrder): Promise<void> => {
    if (step !== 'notification' && !ctx.gate.mayStart(step)) return;
    try {
      await work(rules, order);
    } catch (error) {
      ctx.tally.failures++;
      ctx.logger.error('sweeping an order failed', { order_id: order.record.id, error: errorName(error) });
    }
  };
}

/** Runs the stale rules' three passes. */
export async function runStaleRules(rules: StaleRules): Promise<void> {
  const { inProgress, awaiting, flaggedBefore } = rules.reads;
  await forEachLimited(pendingFlags(flaggedBefore), CONCURRENCY, guarded(rules, 'notification', sendPending));
  await forEachLimited([...inProgress, ...awaiting], CONCURRENCY, guarded(rules, 'candidate', sweepCandidate));
  await forEachLimited(
    flaggedBefore.filter((order) => !order.notificationPending),
    CONCURRENCY,
    guarded(rules, 'flagged', clearIfOver),
  );
}
