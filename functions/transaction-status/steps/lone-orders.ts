/**
 * Orders without a transaction (CONTRACT §8, §9): the follow-up of one with a
 * redraw (its id is the order's) is kept current, and, with retention, its
 * expiry set: its follow-up holds it off while open and moves it to its close.
 */
import { DEFAULT_SITUATION_OPTIONS, followUpSituation } from '../../core/follow-up/situation';
import type { OrderRecord } from '../../core/order-record';
import { loneOrderExpiry } from '../../core/retention';
import { isEnding } from '../../core/status';
import { transactionStatus } from '../../core/transaction-status';
import { errorName } from '../../shared/observability';
import type { StoredOrder } from '../../store/order-items';
import { getOrder } from '../../store/order-reads';
import { retainLoneOrder } from '../../store/transactions';
import { beforeDeadline, type Run, type StepContext } from './context';
import { keptForever, type FollowUpKeeper } from './follow-ups';
import type { LoneOrder } from './intake';

/** Whether an order as read is (still) an order without a transaction. */
export function isLone(order: StoredOrder | null): order is StoredOrder {
  return order !== null && order.record.transaction_id === null;
}

/** A lone order's status, and whether its follow-up is read for its expiry (with retention, when it may have one stored). */
export function loneOrderNeeds(record: OrderRecord, retentionDays: number | null): { status: ReturnType<typeof transactionStatus>; readsFollowUp: boolean } {
  const status = transactionStatus([record]);
  return { status, readsFollowUp: retentionDays !== null && followUpSituation([record], status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp };
}

/** What keeping one lone order did: its expiry written, and whether it ended kept forever (keptForever), or 'late'. */
type Retained = { written: boolean; keptForever: boolean } | 'late';

/** Keeps one lone order's follow-up and expiry current. */
async function retainOne(ctx: StepContext, followUps: FollowUpKeeper, order: StoredOrder | string, deadline: number): Promise<Retained> {
  const { retentionDays } = ctx;
  if (Date.now() >= deadline) return 'late';
  // Parked work names the order: its current item, if it is still an order without a transaction.
  const current = typeof order === 'string' ? await getOrder(ctx.db, ctx.tableName, order) : order;
  if (!isLone(current)) return { written: false, keptForever: false };
  const { record } = current;
  const { status, readsFollowUp } = loneOrderNeeds(record, retentionDays);
  // Its follow-up (of its own id) holds its expiry off while open, and moves it to its close (CONTRACT §8).
  const at = new Date(ctx.clock());
  const followUp = readsFollowUp ? await followUps.retained(record.id, null, [record], status, at) : null;
  const expiresAt = retentionDays === null ? null : loneOrderExpiry(record, retentionDays, followUp);
  const kept = await followUps.keep(record.id, null, [record], status, expiresAt, undefined, at);
  const forever = keptForever(retentionDays, isEnding(record.low_level_status), expiresAt, kept);
  if (forever) ctx.logger.warn('order ended without an expiry or a follow-up to hold it', { order_id: record.id });
  return { written: retentionDays === null ? false : await retainLoneOrder(ctx.db, ctx.tableName, current, retentionDays, followUp), keptForever: forever };
}

/** Handles the batch's lone orders one after another: the expiry writes made, and the orders kept forever (keptForever). */
export async function retainLoneOrders(ctx: StepContext, run: Run, followUps: FollowUpKeeper, lone: readonly LoneOrder[]): Promise<{ writes: number; keptForever: number }> {
  const tally = { writes: 0, keptForever: 0 };
  for (const { sequenceNumber, order } of lone) {
    const orderId = typeof order === 'string' ? order : order.record.id;
    try {
      const retained = await beforeDeadline(retainOne(ctx, followUps, order, run.workDeadline), run.workDeadline);
      if (retained === 'late') {
        ctx.logger.warn('order retention not done in the time left', { order_id: orderId });
        run.failures.add(sequenceNumber);
        continue;
      }
      if (retained.written) tally.writes++;
      if (retained.keptForever) tally.keptForever++;
    } catch (error) {
      ctx.logger.error('order retention failed', { order_id: orderId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  }
  return tally;
}
