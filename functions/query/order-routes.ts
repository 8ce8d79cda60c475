/**
 * The query API's routes over orders (CONTRACT §2, §9, §10): GET
 * /orders/{order_id}, GET /transactions/{transaction_id} and GET /redraws.
 * Each order is answered with its appointment and the id of its follow-up,
 * if one exists.
 */
import * as z from 'zod/mini';
import { toAppointmentAnswer, type Appointment, type AppointmentAnswer } from '../core/appointment';
import type { OrderRecord } from '../core/order-record';
import { toOrder, type Order, type StaleFlag } from '../core/order-view';
import type { TransactionStatus } from '../core/transaction-status';
import { getAppointments, getOrderWithAppointment } from '../store/appointments';
import type { FollowUpState } from '../core/follow-up/states';
import { getFollowUps } from '../store/follow-ups/reads';
import { listRedraws, type RedrawListState } from '../store/redraws';
import { readTransactionPartition } from '../store/transaction-partition';
import { decodeCursor, encodeCursor, isFollowUpPosition } from './cursor';
import { HttpError, pageSize, resourceId, type QueryContext, type RouteHandler } from './request';

/**
 * An order as the API answers it: the contract's Order, its appointment (CONTRACT §10;
 * null when none is known) and the id of its follow-up, if one exists (CONTRACT §9).
 */
export type OrderAnswer = Order & { appointment: AppointmentAnswer | null; follow_up_id: string | null };

/**
 * A /redraws item (CONTRACT §9): the order as answered, with its follow-up's state
 * and owner (null when it has none), so the stale redraws page tells a snoozed or
 * taken redraw from one nobody works.
 */
export type RedrawItem = OrderAnswer & { follow_up_state: FollowUpState | null; follow_up_owner: string | null };

/** The contract's Transaction (CONTRACT §2), with its follow-up's id (§9). */
export interface Transaction {
  id: string;
  status: TransactionStatus;
  reported_status: string | null;
  /** Ascending created_at. */
  orders: OrderAnswer[];
  updated_at: string;
  follow_up_id: string | null;
}

const ListState = z.enum(['open', 'stale']);

/** The id of an order's follow-up, if it had one: its transaction's id, or its own for an order without a transaction (CONTRACT §9). */
function followUpIdOf(record: Pick<OrderRecord, 'id' | 'transaction_id'>): string {
  return record.transaction_id ?? record.id;
}

/**
 * Orders as answered, each with its appointment and the id of its follow-up
 * when one exists: the follow-ups one read by key per distinct id, `alsoIds`
 * included (a transaction's own); the appointments given, or read with one
 * BatchGetItem per 100 orders (`consistent` or not), at the same time.
 * `followUps`: what those reads found, by id.
 */
async function orderAnswers(
  { db, tableName, now }: QueryContext,
  stored: readonly { record: OrderRecord; stale: StaleFlag | null }[],
  options: { alsoIds?: readonly string[]; appointments?: ReadonlyMap<string, Appointment>; consistent?: boolean } = {},
) {
  const [followUps, appointments] = await Promise.all([
    getFollowUps(db, tableName, [...stored.map(({ record }) => followUpIdOf(record)), ...(options.alsoIds ?? [])], now()),
    options.appointments ?? getAppointments(db, tableName, stored.map(({ record }) => record.id), options.consistent ?? false),
  ]);
  const orders: OrderAnswer[] = stored.map(({ record, stale }) => {
    const id = followUpIdOf(record);
    return { ...toOrder(record, stale), appointment: toAppointmentAnswer(appointments.get(record.id) ?? null), follow_up_id: followUps.has(id) ? id : null };
  });
  return { orders, followUps };
}

/** GET /orders/{order_id}: the order and its appointment, one Query of the order's partition. */
export const orderRoute: RouteHandler = async (context, request) => {
  const orderId = resourceId(request.id, 'order_id');
  const { order, appointment } = await getOrderWithAppointment(context.db, context.tableName, orderId);
  if (!order) throw new HttpError(404, 'not_found', 'no order with this id');
  const { orders } = await orderAnswers(context, [order], { appointments: new Map(appointment ? [[orderId, appointment]] : []) });
  return { order: orders[0] };
};

/** GET /transactions/{transaction_id}: the transaction and its orders. */
export const transactionRoute: RouteHandler = async (context, request) => {
  const transactionId = resourceId(request.id, 'transaction_id');
  // Known once the transaction function has seen one of its orders (milliseconds after the webhook).
  const { transaction, orders } = await readTransactionPartition(context.db, context.tableName, transactionId);
  if (!transaction) {
    throw new HttpError(404, 'not_found', 'no transaction with this id yet: a transaction appears once its first order has been processed (a moment after that order\'s webhook)');
  }
  const answers = await orderAnswers(context, orders, { alsoIds: [transactionId], consistent: true });
  const answer: Transaction = {
    id: transactionId,
    status: transaction.status,
    reported_status: transaction.reported_status,
    orders: answers.orders,
    updated_at: transaction.updated_at,
    follow_up_id: answers.followUps.has(transactionId) ? transactionId : null,
  };
  return { transaction: answer };
};

/** GET /redraws: a page of the open or stale redraws. */
export const redrawsRoute: RouteHandler = async (context, { query }) => {
  const state = ListState.safeParse(query.state ?? 'open');
  if (!state.success) throw new HttpError(400, 'invalid_parameter', 'state must be "open" or "stale"');
  const limit = pageSize(query.limit);
  const decoded = query.cursor === undefined ? null : decodeCursor(query.cursor, context.cursorSecret);
  // A cursor of the other state (or of another list) would resume in the wrong partition.
  const from = decoded === null || isFollowUpPosition(decoded) ? null : decoded;
  if (query.cursor !== undefined && (from === null || from.state !== state.data)) {
    throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API gave for this state');
  }
  const page = await listRedraws(context.db, context.tableName, state.data satisfies RedrawListState, limit, from);
  const { orders, followUps } = await orderAnswers(context, page.orders);
  const items: RedrawItem[] = orders.map((order) => {
    const followUp = order.follow_up_id === null ? null : (followUps.get(order.follow_up_id)?.followUp ?? null);
    return { ...order, follow_up_state: followUp?.state ?? null, follow_up_owner: followUp?.owner ?? null };
  });
  return {
    items,
    next_cursor: page.next ? encodeCursor(page.next, context.cursorSecret) : null,
  };
};
