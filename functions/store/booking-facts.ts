/**
 * What can be booked for a follow-up (CONTRACT §14), from the table alone: its
 * state, and its redraw and initial orders' status, method and lab (one
 * eventually consistent BatchGetItem). Never a call to Junction; whether its key
 * is set is the caller's to say.
 */
import type { BookingFacts, OrderFacts } from '../core/booking/options';
import type { FollowUp } from '../core/follow-up/states';
import type { OrderRecord } from '../core/order-record';
import { getOrdersById } from './order-reads';
import type { TableClient } from './table-client';

export async function readBookingFacts(db: TableClient, tableName: string, followUp: FollowUp, junctionKeySet: boolean): Promise<BookingFacts> {
  const ids = [followUp.redraw_order_id, followUp.initial_order_id].filter((id): id is string => id !== null);
  const orders = await getOrdersById(db, tableName, ids, false);
  const redraw = followUp.redraw_order_id === null ? undefined : orders.get(followUp.redraw_order_id)?.record;
  const initial = followUp.initial_order_id === null ? undefined : orders.get(followUp.initial_order_id)?.record;
  return {
    followUpOpen: followUp.state !== 'closed',
    redrawOrderId: followUp.redraw_order_id,
    redraw: redraw === undefined ? null : orderFacts(redraw),
    initial: initial === undefined ? null : orderFacts(initial),
    junctionKeySet,
  };
}

function orderFacts(record: OrderRecord): OrderFacts {
  return {
    status: record.status === 'unknown' ? null : record.status,
    method: record.collection_method === 'unknown' ? null : record.collection_method,
    lab: record.lab ?? null,
  };
}
