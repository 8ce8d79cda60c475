/**
 * The ordering rule of CONTRACT §1: an order's state is the one from its event
 * with the highest `last_event.id` (the largest `events[].id` when `last_event` is
 * absent); `updated_at` breaks ties and serves when there are no events.
 */
import { canonicalInstant } from './instant';
import type { OrderEvent, OrderPayload } from './schemas';

export interface OrderVersion {
  /** Null when the payload has no event at all. */
  eventId: number | null;
  /** Canonical UTC instant (see instant.ts). */
  updatedAt: string;
}

/** The payload's `last_event`, or its event with the largest id when absent. */
export function newestEvent(order: Pick<OrderPayload, 'last_event' | 'events'>): OrderEvent | null {
  if (order.last_event) return order.last_event;
  let newest: OrderEvent | null = null;
  for (const event of order.events) {
    if (newest === null || event.id > newest.id) newest = event;
  }
  return newest;
}

export function versionOf(order: Pick<OrderPayload, 'last_event' | 'events' | 'updated_at'>): OrderVersion {
  const updatedAt = canonicalInstant(order.updated_at);
  if (updatedAt === null) throw new RangeError('updated_at is not an ISO 8601 date-time');
  return { eventId: newestEvent(order)?.id ?? null, updatedAt };
}

/** Negative when `a` is older than `b`, zero when they are the same event, positive when newer. */
export function compareVersions(a: OrderVersion, b: OrderVersion): number {
  const eventA = a.eventId ?? -1;
  const eventB = b.eventId ?? -1;
  if (eventA !== eventB) return eventA < eventB ? -1 : 1;
  return a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0;
}

const EVENT_ID_WIDTH = 16; // Number.MAX_SAFE_INTEGER + 1 has 16 digits

/**
 * A string whose text order is the ordering rule's order, so that DynamoDB can
 * enforce the rule in a condition expression (`#rank < :rank`).
 */
export function rankOf(version: OrderVersion): string {
  const eventPart = version.eventId === null ? 0 : version.eventId + 1;
  return `${String(eventPart).padStart(EVENT_ID_WIDTH, '0')}|${version.updatedAt}`;
}
