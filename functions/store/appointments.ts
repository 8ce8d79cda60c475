/**
 * Appointments (CONTRACT §10): one item per order, `keys.appointment(orderId)`,
 * in the order's partition (sort key `APPT`), holding the newest appointment of
 * the order. Its own item: an appointment that arrives before its order is kept
 * and joins the order when the order is read (one Query of the partition, or a
 * BatchGetItem of the appointment keys for a page of orders).
 *
 * Names are short like the order items' (store/order-items.ts): every write,
 * and every write its condition refuses, is billed by the stored item's size.
 * The order id is not repeated: it is the partition key. Never PHI: the item
 * holds only the fields of `Appointment` (core/appointment.ts).
 *
 * The webhook's write is one conditional PutItem; the condition is the
 * appointments' ordering rule (the higher rank wins, whatever the appointment
 * id), so duplicates, late and concurrent deliveries never replace a newer
 * appointment, and a lost race is a result.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import type { Appointment } from '../core/appointment';
import { isOrderItem, parseOrderItem, type StoredOrder } from './order-items';
import type { ApplyResult } from './orders';
import { queryItems } from './query-pages';
import { TABLE } from './table';
import { keys, parseAppointmentKey } from './keys';
import { BATCH_GET_MAX_KEYS, type ItemWrites, type TableClient } from './table-client';

/** Attribute names of an appointment item (besides the table keys). */
export const APPOINTMENT_ATTRIBUTES = {
  id: 'a',
  transactionId: 't',
  startAt: 'b',
  endAt: 'n',
  timezone: 'z',
  status: 's',
  type: 'y',
  provider: 'p',
  rank: 'r',
} as const;
const A = APPOINTMENT_ATTRIBUTES;

const StoredAppointment = z.object({
  [A.id]: z.string(),
  [A.transactionId]: z.nullable(z.string()),
  [A.startAt]: z.nullable(z.string()),
  [A.endAt]: z.nullable(z.string()),
  [A.timezone]: z.nullable(z.string()),
  [A.status]: z.string(),
  [A.type]: z.nullable(z.string()),
  [A.provider]: z.nullable(z.string()),
  [A.rank]: z.string(),
});

/** Whether an item (by its keys) is an appointment item. */
export function isAppointmentItem(item: Record<string, unknown>): boolean {
  return parseAppointmentKey(item) !== null;
}

/** The item of an appointment. */
export function appointmentItem(appointment: Appointment): Record<string, unknown> {
  return {
    ...keys.appointment(appointment.order_id),
    [A.id]: appointment.id,
    [A.transactionId]: appointment.transaction_id,
    [A.startAt]: appointment.start_at,
    [A.endAt]: appointment.end_at,
    [A.timezone]: appointment.iana_timezone,
    [A.status]: appointment.status,
    [A.type]: appointment.type,
    [A.provider]: appointment.provider,
    [A.rank]: appointment.rank,
  };
}

/** Reads an appointment item back; throws on an item that is not one (a bug, not bad input). */
export function parseAppointmentItem(item: Record<string, unknown>): Appointment {
  const key = parseAppointmentKey(item);
  if (key === null) throw new Error('not an appointment item');
  const stored = StoredAppointment.parse(item);
  return {
    id: stored[A.id],
    order_id: key.orderId,
    transaction_id: stored[A.transactionId],
    start_at: stored[A.startAt],
    end_at: stored[A.endAt],
    iana_timezone: stored[A.timezone],
    status: stored[A.status],
    type: stored[A.type],
    provider: stored[A.provider],
    rank: stored[A.rank],
  };
}

/**
 * Stores an order's appointment from its webhook, unless the same or a newer
 * one (by rank, CONTRACT §10) is stored: `duplicate` when the stored rank is
 * the same (same newest event time, count and content), `stale` when higher.
 * One conditional PutItem; a refused one reads back only the stored rank.
 */
export async function putAppointmentFromWebhook(writes: ItemWrites, tableName: string, appointment: Appointment, expiresAt: number | null = null): Promise<ApplyResult> {
  const outcome = await writes.put({
    TableName: tableName,
    // Retention (CONTRACT §8): the item carries its own expiry (core/retention.ts appointmentExpiry).
    Item: { ...appointmentItem(appointment), ...(expiresAt === null ? {} : { [TABLE.ttlAttribute]: expiresAt }) },
    ConditionExpression: 'attribute_not_exists(#pk) OR #rank < :rank',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#rank': A.rank },
    ExpressionAttributeValues: { ':rank': appointment.rank },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  if (outcome.written) return 'applied';
  const stored = outcome.stored === undefined ? undefined : unmarshall(outcome.stored)[A.rank];
  return stored === appointment.rank ? 'duplicate' : 'stale';
}

/** The order's appointment, or null. Strongly consistent: it answers right after a webhook. */
export async function getAppointment(db: TableClient, tableName: string, orderId: string): Promise<Appointment | null> {
  const item = await db.get({ TableName: tableName, Key: keys.appointment(orderId), ConsistentRead: true });
  return item ? parseAppointmentItem(item) : null;
}

/**
 * The appointments of these orders (those that have one), by order id: one
 * BatchGetItem per 100 orders, eventually consistent unless asked (the sweep's
 * and the /redraws pages' reads are eventual, like the index they follow).
 * Duplicate ids are read once.
 */
export async function getAppointments(db: TableClient, tableName: string, orderIds: readonly string[], consistent = false): Promise<Map<string, Appointment>> {
  const ids = [...new Set(orderIds)];
  const found = new Map<string, Appointment>();
  for (let start = 0; start < ids.length; start += BATCH_GET_MAX_KEYS) {
    const chunk = ids.slice(start, start + BATCH_GET_MAX_KEYS);
    const answer = await db.batchGet({ RequestItems: { [tableName]: { Keys: chunk.map((id) => keys.appointment(id)), ConsistentRead: consistent } } });
    for (const item of answer[tableName] ?? []) {
      const appointment = parseAppointmentItem(item);
      found.set(appointment.order_id, appointment);
    }
  }
  return found;
}

/**
 * An order and its appointment, strongly consistent, with ONE Query of the
 * order's partition (both items usually fit one read unit: cheaper than two
 * GetItems). Either may be missing: an appointment of an order the tracker does
 * not know yet is kept, but there is no order to answer.
 */
export async function getOrderWithAppointment(db: TableClient, tableName: string, orderId: string): Promise<{ order: StoredOrder | null; appointment: Appointment | null }> {
  let order: StoredOrder | null = null;
  let appointment: Appointment | null = null;
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.order(orderId).pk },
    ConsistentRead: true,
  })) {
    if (isOrderItem(item)) order = parseOrderItem(item);
    else if (isAppointmentItem(item)) appointment = parseAppointmentItem(item);
  }
  return { order, appointment };
}
