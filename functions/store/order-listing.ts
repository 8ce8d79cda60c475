/**
 * Reading order items back from stream images (plain objects, already
 * unmarshalled): the order's record, its index state, and the transaction
 * listing the webhook stored beside it as `listing`.
 */
import * as z from 'zod';
import type { ListingSnapshot } from '../core/order-record';
import { OrderRecordShape, parseOrderItem, type StoredOrder } from './order-items';
import { keys } from './table';

const ListingShape = z.object({
  transaction_id: z.string(),
  reported_status: z.string().nullable(),
  reported_status_time: z.string(),
  members: z.array(OrderRecordShape),
});

export interface OrderImage {
  order: StoredOrder;
  listing: ListingSnapshot | null;
}

/** Whether an item (by its keys) is an order item. */
export function isOrderItem(item: Record<string, unknown>): boolean {
  const { pk, sk } = item;
  return typeof pk === 'string' && typeof sk === 'string' && sk === keys.order('').sk && pk.startsWith(keys.order('').pk);
}

/** Reads an order item with its listing; throws on an item that is not one (a bug, not bad input). */
export function parseOrderImage(item: Record<string, unknown>): OrderImage {
  const order = parseOrderItem(item);
  const listing = item.listing === undefined || item.listing === null ? null : ListingShape.parse(item.listing);
  return { order, listing };
}
