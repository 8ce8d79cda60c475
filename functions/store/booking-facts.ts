/**
 * What can be booked for a follow-up (CONTRACT §14), from the table alone: its
 * state, and its redraw and initial orders' status, method and lab (an
 * eventually consistent GetItem each). Never a call to Junction; whether its key
 * is set is the caller's to say.
 */
import type { BookingFacts, OrderFacts } from '../core/booking/options';
import type { FollowUp } from '../core/follow-up/states';
import type { OrderRecord } from '../core/order-record';
import { getOrdersById } from './order-reads';
import type { TableClient } from './table-client';

export async function readBookingFacts(db: TableClient, tableName: string, followUp: FollowUp, junctionKeySet: boolean): Promise<BookingFacts> {
  // One GetItem each (the actions function reads by key only, as its grants say), side by side.
  const read = async (id: string | null) => (id === null ? undefined : (await getOrdersById(db, tableName, [id], false)).get(id)?.record);
  const same = followUp.initial_order_id === followUp.redraw_order_id;
  const [redraw, other] = await Promise.all([read(followUp.redraw_order_id), read(same ? null : followUp.initial_order_id)]);
  const initial = same ? redraw : other;
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
