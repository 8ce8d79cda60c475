/**
 * Orders named by id (an appointment without a transaction id, a lone order of
 * parked work, a lone order's follow-up), read strongly consistently: an order
 * without a transaction is a lone order (retention, its follow-up); one with a
 * transaction has that transaction kept current (an appointment of it moved).
 * Not stored (yet, or expired): nothing; an appointment's order, once stored,
 * reads the appointment itself.
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import type { StoredOrder } from '../../store/order-items';
import { getOrder } from '../../store/order-reads';
import { beforeDeadline, type Run, type StepContext } from './context';
import { addRoute, type BatchWork, type Route } from './intake';

/** Where an order read by id goes: nowhere (not stored), a lone order, or its transaction (kept current only if it is stored). */
export function placementOf(order: StoredOrder | null): Route[] {
  if (order === null) return [];
  if (order.record.transaction_id === null) return [{ to: 'lone', order }];
  return [{ to: 'transaction', transactionId: order.record.transaction_id, order: null, orderIds: [], parked: true, retentionOnly: false }];
}

/** Reads the orders the batch names by id and adds each where it belongs. */
export async function placeOrders(ctx: StepContext, run: Run, batch: BatchWork): Promise<void> {
  await forEachLimited(batch.ordersToPlace, ctx.concurrency, async ({ sequenceNumber, orderId }) => {
    try {
      const order = await beforeDeadline(getOrder(ctx.db, ctx.tableName, orderId), run.workDeadline);
      if (order === 'late') run.failures.add(sequenceNumber);
      else for (const route of placementOf(order)) addRoute(batch, sequenceNumber, route);
    } catch (error) {
      ctx.logger.error('reading the order of an appointment failed', { order_id: orderId, error: errorName(error) });
      run.failures.add(sequenceNumber);
    }
  });
}
