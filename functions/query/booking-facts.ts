/**
 * What can be booked for a stored follow-up (CONTRACT §14), read from the
 * table: the follow-up's state and its redraw and initial orders' status,
 * method and lab, and whether the function has Junction's key. Never a call to
 * Junction: the key comes from the function's own settings (or secret).
 */
import { bookingOptions, type BookingFacts, type BookingOptions, type OrderFacts } from '../core/booking/options';
import type { FollowUp } from '../core/follow-up/states';
import type { OrderRecord } from '../core/order-record';
import type { PscApi } from '../junction/psc';
import { getOrdersById } from '../store/order-reads';
import type { QueryContext } from './request';

/** The booking facts of `followUp`, and its Junction client (null without a key). */
export async function bookingFactsOf(context: QueryContext, followUp: FollowUp): Promise<{ facts: BookingFacts; psc: PscApi | null }> {
  const ids = [followUp.redraw_order_id, followUp.initial_order_id].filter((id): id is string => id !== null);
  const [orders, psc] = await Promise.all([getOrdersById(context.db, context.tableName, ids, false), context.psc === null ? null : context.psc()]);
  const redraw = followUp.redraw_order_id === null ? undefined : orders.get(followUp.redraw_order_id)?.record;
  const initial = followUp.initial_order_id === null ? undefined : orders.get(followUp.initial_order_id)?.record;
  const facts: BookingFacts = {
    followUpOpen: followUp.state !== 'closed',
    redrawOrderId: followUp.redraw_order_id,
    redraw: redraw === undefined ? null : orderFacts(redraw),
    initial: initial === undefined ? null : orderFacts(initial),
    junctionKeySet: psc !== null,
  };
  return { facts, psc };
}

/** `booking_options` of GET /follow-ups/{id}. */
export async function bookingOptionsOf(context: QueryContext, followUp: FollowUp): Promise<BookingOptions> {
  return bookingOptions((await bookingFactsOf(context, followUp)).facts);
}

function orderFacts(record: OrderRecord): OrderFacts {
  return {
    status: record.status === 'unknown' ? null : record.status,
    method: record.collection_method === 'unknown' ? null : record.collection_method,
    lab: record.lab ?? null,
  };
}
