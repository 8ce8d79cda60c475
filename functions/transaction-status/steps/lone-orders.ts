/**
 * Orders without a transaction (CONTRACT §8, §9): the follow-up of one with a
 * redraw (its id is the order's) is kept current, and, with retention, its
 * expiry set: its follow-up holds it off while open and moves it to its close.
 */
import { DEFAULT_SITUATION_OPTIONS, followUpSituation } from '../../core/follow-up';
import type { OrderRecord } from '../../core/order-record';
import { loneOrderExpiry } from '../../core/retention';
import { transactionStatus } from '../../core/transaction-status';
import { errorName } from '../../shared/observability';
import type { StoredOrder } from '../../store/order-items';
import { getOrder } from '../../store/order-reads';
import { retainLoneOrder } from '../../store/transactions';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { FollowUpKeeper } from './follow-ups';
import type { LoneOrder } from './intake';

/** Whether an order as read is (still) an order without a transaction. */
export function isLone(order: StoredOrder | null): order is StoredOrder {
  return order !== null && order.record.transaction_id === null;
}

/** A lone order's status, and whether its follow-up is read for its expiry (with retention, when it has a redraw). */
export function loneOrderNeeds(record: OrderRecord, retentionDays: number | null): { status: ReturnType<typeof transactionStatus>; readsFollowUp: boolean } {
  const status = transactionStatus([record]);
  return { status, readsFollowUp: retentionDays !== null && followUpSituation([record], status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp };
}

/** Keeps one lone order's follow-up and expiry current: whether its expiry was written, or 'late'. */
async function retainOne(ctx: StepContext, followUps: FollowUpKeeper, order: StoredOrder | string, deadline: number): Promise<boolean | 'late'> {
  const { retentionDays } = ctx;
  if (Date.now() >= deadline) return 'late';
  // Parked work names the order: its current item, if it is still an order without a transaction.
  const current = typeof order === 'string' ? await getOrder(ctx.db, ctx.tableName, order) : order;
  if (!isLone(current)) return false;
  const { record } = current;
  const { status, readsFollowUp } = loneOrderNeeds(record, retentionDays);
  // Its follow-up (of its own id) holds its expiry off while open, and moves it to its close (CONTRACT §8).
  const followUp = readsFollowUp ? await followUps.retained(record.id) : null;
  await followUps.keep(record.id, null, [record], status, retentionDays === null ? null : loneOrderExpiry(record, retentionDays, followUp));
  return retentionDays === null ? false : retainLoneOrder(ctx.db, ctx.tableName, current, retentionDays, followUp);
}

/** Handles the batch's lone orders one after another; resolves with the expiry writes made. */
export async function retainLoneOrders(ctx: StepContext, run: Run, followUps: FollowUpKeeper, lone: readonly LoneOrder[]): Promise<number> {
  let writes = 0;
  for (const { sequenceNumber, order } of lone) {
    const orderId = typeof order === 'string' ? order : order.record.id;
    try {
      const retained = await beforeDeadline(retainOne(ctx, followUps, order, run.workDeadline), run.workDeadline);
      if (retained === 'late') {
        ctx.logger.warn('order retention not done in the time left', { order_id: orderId });
        run.failures.add(sequenceNumber);
      } else if (retained) writes++;
    } catch (error) {
      ctx.logger.error('order retention failed', { order_id: orderId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  }
  return writes;
}
