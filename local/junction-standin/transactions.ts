/**
 * A transaction as the Junction API stand-in lists it (local/junction-standin.ts),
 * derived from the orders it stores, as Junction answers each order with its
 * transaction as it is now: every stored order of it at its own newest state,
 * plus orders that only a stored order's listing names. Pure: over the stored
 * orders given.
 */
import * as z from 'zod';
import { instantMillis } from '../../functions/core/instant';
import { Instant } from '../../functions/core/schemas';
import { parseStatus } from '../../functions/core/status';
import { transactionStatus } from '../../functions/core/transaction-status';
import { FLOW_TEAM_ID } from '../junction/flows';
import { isRecord } from './http';
import type { StandinOrder } from './types';

/** The orders a stand-in stores (its StandinStore): all of them, and one by id; never changed here. */
export interface KnownOrders {
  stored(): readonly StandinOrder[];
  get(id: string): StandinOrder | undefined;
}

/** The order as the API answers it: its transaction listing as the stand-in knows it now. */
export function orderView(orders: KnownOrders, order: StandinOrder): StandinOrder {
  const copy = structuredClone(order);
  const transactionId = transactionIdOf(order);
  if (transactionId === null) return copy;
  const members = membersOf(orders.stored(), transactionId);
  return {
    ...copy,
    order_transaction: {
      id: transactionId,
      status: statusOf(members),
      orders: members.map((member) => ({ ...member })),
    },
  };
}

/** `GET /v3/order_transaction/{id}`: the transaction and its orders, or 404 when no stored order is (or lists) one of it. */
export function transactionAnswer(orders: KnownOrders, id: string): { status: number; body: unknown } {
  const members = membersOf(orders.stored(), id);
  if (members.length === 0) return { status: 404, body: { detail: 'Order transaction not found' } };
  const known = members.map((member) => orders.get(member.id)).find((order) => order !== undefined);
  return {
    status: 200,
    body: {
      id,
      team_id: typeof known?.team_id === 'string' ? known.team_id : FLOW_TEAM_ID,
      status: statusOf(members),
      orders: members.map((member) => ({
        id: member.id,
        origin: member.origin,
        parent_id: member.parent_id,
        last_status: member.low_level_status ?? 'ordered',
        last_status_created_at: member.low_level_status_created_at ?? member.created_at,
        updated_at: member.updated_at,
        created_at: member.created_at,
      })),
    },
  };
}

/**
 * The members of a transaction as Junction would list them: every stored order
 * of it at its own newest state, plus orders that only a stored order's listing
 * names (at the newest status that any listing gives them).
 */
function membersOf(stored: readonly StandinOrder[], transactionId: string): Member[] {
  const own = stored.filter((order) => transactionIdOf(order) === transactionId);
  const listed = new Map<string, Member>();
  const parents = new Map<string, string>();
  for (const order of own) {
    for (const entry of listingOf(order)) {
      if (entry.parent_id) parents.set(entry.id, entry.parent_id);
      const known = listed.get(entry.id);
      if (!known || statusTime(entry) > statusTime(known)) listed.set(entry.id, entry);
    }
  }
  const members = new Map<string, Member>(listed);
  for (const order of own) {
    const event = newestEventOf(order);
    members.set(order.id, {
      id: order.id,
      low_level_status: event ? parseStatus(event.status).low : (listed.get(order.id)?.low_level_status ?? null),
      low_level_status_created_at: event ? event.created_at : (listed.get(order.id)?.low_level_status_created_at ?? null),
      origin: typeof order.origin === 'string' ? order.origin : null,
      parent_id: parents.get(order.id) ?? null,
      created_at: order.created_at,
      updated_at: order.updated_at,
    });
  }
  return [...members.values()].sort(byCreation);
}

/** An order in a transaction listing (`ClientFacingOrderInTransaction`). */
interface Member {
  id: string;
  low_level_status: string | null;
  low_level_status_created_at: string | null;
  origin: string | null;
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

const ListingEntry = z.object({
  id: z.string().min(1),
  low_level_status: z.string().nullish(),
  low_level_status_created_at: z.nullish(Instant),
  origin: z.string().nullish(),
  parent_id: z.string().nullish(),
  created_at: Instant,
  updated_at: Instant,
});

const EventShape = z.object({ id: z.number(), created_at: Instant, status: z.string() });

function listingOf(order: StandinOrder): Member[] {
  const transaction = order.order_transaction;
  if (!isRecord(transaction) || !Array.isArray(transaction.orders)) return [];
  return transaction.orders.flatMap((entry) => {
    const parsed = ListingEntry.safeParse(entry);
    if (!parsed.success) return [];
    const { low_level_status, low_level_status_created_at, origin, parent_id, ...rest } = parsed.data;
    return [{ ...rest, low_level_status: low_level_status ?? null, low_level_status_created_at: low_level_status_created_at ?? null, origin: origin ?? null, parent_id: parent_id ?? null }];
  });
}

function transactionIdOf(order: StandinOrder): string | null {
  const transaction = order.order_transaction;
  return isRecord(transaction) && typeof transaction.id === 'string' ? transaction.id : null;
}

export function newestEventOf(order: StandinOrder): z.output<typeof EventShape> | null {
  const last = EventShape.safeParse(order.last_event);
  if (last.success) return last.data;
  const events = Array.isArray(order.events) ? order.events.flatMap((event) => {
    const parsed = EventShape.safeParse(event);
    return parsed.success ? [parsed.data] : [];
  }) : [];
  return events.reduce<z.output<typeof EventShape> | null>((newest, event) => (newest === null || event.id > newest.id ? event : newest), null);
}

function statusTime(member: Member): number {
  return member.low_level_status_created_at === null ? -Infinity : instantMillis(member.low_level_status_created_at);
}

function statusOf(members: readonly Member[]): string {
  return transactionStatus(members.flatMap((member) => (member.low_level_status ? [{ origin: member.origin, low_level_status: member.low_level_status }] : [])));
}

export function byCreation(a: { id: string; created_at: string }, b: { id: string; created_at: string }): number {
  const byTime = instantMillis(a.created_at) - instantMillis(b.created_at);
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

