/**
 * How an order record is laid out as a table item, and read back. Only the store
 * modules know these attribute names.
 */
import * as z from 'zod';
import { canonicalInstant } from '../core/instant';
import type { OrderRecord } from '../core/order-record';
import type { StaleFlag } from '../core/order-view';
import { openRedrawKind, type OpenRedrawKind } from '../core/staleness';
import { keys, OPEN_REDRAW_PARTITIONS, type OpenRedrawPartition } from './table';

/** An order record as stored (also the shape of the members of a stored listing). */
export const OrderRecordShape = z.object({
  id: z.string(),
  transaction_id: z.string().nullable(),
  origin: z.string().nullable(),
  collection_method: z.string(),
  status: z.string(),
  low_level_status: z.string(),
  last_event: z.object({ id: z.number(), created_at: z.string(), status: z.string() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  has_missing_results: z.boolean().nullable(),
  source: z.enum(['webhook', 'api', 'transaction_listing']),
  status_time: z.string(),
  rank: z.string(),
});

const StoredOrder = OrderRecordShape.extend({
  stale_since: z.string().optional(),
  stale_reason: z.enum(['no_progress', 'redraw_not_created']).optional(),
});

export interface StoredOrder {
  record: OrderRecord;
  stale: StaleFlag | null;
  /** The open-redraws partition the item is in, if any. */
  openRedraw: OpenRedrawPartition | null;
}

/** Reads an order item back; throws on an item that is not one (a bug, not bad input). */
export function parseOrderItem(item: Record<string, unknown>): StoredOrder {
  const { stale_since, stale_reason, ...record } = StoredOrder.parse(item);
  const partition = item.gsi2pk;
  return {
    record,
    stale: stale_since && stale_reason ? { since: stale_since, reason: stale_reason } : null,
    openRedraw: isOpenRedrawPartition(partition) ? partition : null,
  };
}

function isOpenRedrawPartition(value: unknown): value is OpenRedrawPartition {
  return Object.values(OPEN_REDRAW_PARTITIONS).some((partition) => partition === value);
}

const PARTITION_OF_KIND: Record<OpenRedrawKind, OpenRedrawPartition> = {
  redraw_in_progress: OPEN_REDRAW_PARTITIONS.redrawInProgress,
  awaiting_redraw: OPEN_REDRAW_PARTITIONS.awaitingRedraw,
};

/** The index attributes of an order: its transaction membership and, if any, its open-redraw entry (unflagged). */
export function orderIndexAttributes(record: OrderRecord, transactionHasRedraw: boolean): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (record.transaction_id !== null) {
    attributes.gsi1pk = keys.transactionPartition(record.transaction_id);
    attributes.gsi1sk = keys.orderInTransaction(canonicalInstant(record.created_at) ?? record.created_at, record.id);
  }
  const kind = openRedrawKind(record, transactionHasRedraw);
  if (kind !== null) {
    attributes.gsi2pk = PARTITION_OF_KIND[kind];
    attributes.gsi2sk = keys.openRedrawSort(record.status_time, record.id);
  }
  return attributes;
}

/** The whole item for an order record (no stale flag: a fresh state starts a new episode). */
export function orderItem(record: OrderRecord, transactionHasRedraw: boolean, extra: Record<string, unknown> = {}) {
  return { ...keys.order(record.id), ...record, ...orderIndexAttributes(record, transactionHasRedraw), ...extra };
}
