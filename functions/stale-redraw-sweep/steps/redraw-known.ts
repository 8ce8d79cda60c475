/**
 * Whether an order's transaction has a redraw order (CONTRACT §4's
 * redraw_not_created). The transaction function may lag behind the webhook, so
 * the sweep asks the transaction's partition, once per transaction per sweep;
 * a redraw order Junction showed in this sweep counts at once.
 */
import { hasRedrawOrder } from '../../core/staleness';
import type { IndexedOrder } from '../../store/redraws';
import type { TableClient } from '../../store/table-client';
import { readTransactionPartition } from '../../store/transaction-partition';

type Member = { id: string; origin: string | null };

/** The transaction to ask about an order's redraw order: none for a redraw order itself, or an order without a transaction. */
export function transactionToAsk(record: Pick<IndexedOrder['record'], 'origin' | 'transaction_id'>): string | null {
  return record.origin === 'redraw' ? null : record.transaction_id;
}

/** Whether a redraw order other than `orderId` is among the partition's orders or the transaction's members. */
export function redrawBesides(orderId: string, orders: readonly Member[], members: readonly Member[]): boolean {
  return hasRedrawOrder([...orders.filter((member) => member.id !== orderId), ...members.filter((member) => member.id !== orderId)]);
}

/** What the sweep knows of its transactions' redraw orders. */
export interface RedrawKnown {
  /** Whether the order's transaction has a redraw order (false for a redraw order, or an order without a transaction). */
  of(order: Pick<IndexedOrder, 'record'>): Promise<boolean>;
  /** The order's transaction has a redraw order (Junction said so in this sweep). */
  learned(order: Pick<IndexedOrder, 'record'>): void;
}

/** What one sweep knows: nothing until asked. */
export function createRedrawKnown(db: TableClient, tableName: string): RedrawKnown {
  const known = new Map<string, Promise<boolean>>();
  return {
    of(order) {
      const transactionId = transactionToAsk(order.record);
      if (transactionId === null) return Promise.resolve(false);
      let answer = known.get(transactionId);
      if (!answer) {
        answer = readTransactionPartition(db, tableName, transactionId).then(({ orders, transaction }) =>
          redrawBesides(order.record.id, orders.map((member) => member.record), Object.values(transaction?.members ?? {})),
        );
        known.set(transactionId, answer);
      }
      return answer;
    },
    learned(order) {
      const transactionId = transactionToAsk(order.record);
      if (transactionId !== null) known.set(transactionId, Promise.resolve(true));
    },
  };
}
