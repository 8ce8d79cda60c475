/**
 * Order writes. An order's own state (from its webhook, or read from
 * Junction's API) is one conditional PutItem: the condition is the ordering
 * rule, so duplicates, late and concurrent deliveries and API reads can never
 * replace a newer state, and a lost race is a result. The webhook loads this
 * module at cold start: it reaches DynamoDB only through ItemWrites (reads are
 * in store/order-reads.ts).
 */
import type { OwnSource, ProjectedOrder } from '../core/order-record';
import { hasRedrawOrder } from '../core/staleness';
import type { ItemWrites } from './table-client';
import { ORDER_ATTRIBUTES, orderItem } from './order-items';
import { TABLE } from './table';

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

/**
 * Stores an order's own state (from its webhook, or an API read of it: `source`),
 * unless the same or a newer event of that order is stored already, from either.
 * Replacing the whole item also clears a stale flag: the order has moved on. The
 * payload's transaction listing rides along on the item for the transaction
 * function (it reaches it through the stream). `source` changes only when the
 * write applies: a duplicate keeps the source of the event's first write. The
 * item stays under 1 KB for transactions of a few orders: this write, and a
 * refused one (billed by the stored item's size), then costs one write unit.
 */
export async function putOwnOrder(
  writes: ItemWrites,
  tableName: string,
  projected: ProjectedOrder,
  source: OwnSource,
): Promise<ApplyResult> {
  const { listing } = projected;
  const record = { ...projected.record, source };
  const listingHasRedraw = listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== record.id));
  const item = orderItem(record, listingHasRedraw, listing);
  const outcome = await writes.put({
    TableName: tableName,
    Item: item,
    // Newer than what is stored, or nothing of the order's own stored yet (only a listing, or nothing).
    ConditionExpression: 'attribute_not_exists(#pk) OR #source = :listing OR #rank < :rank',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#source': ORDER_ATTRIBUTES.source, '#rank': ORDER_ATTRIBUTES.rank },
    ExpressionAttributeValues: { ':listing': 'transaction_listing', ':rank': record.rank },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  if (outcome.written) return 'applied';
  // The stored item is at least as new: the same event is a duplicate, anything else is newer.
  return outcome.stored?.[ORDER_ATTRIBUTES.rank]?.S === record.rank ? 'duplicate' : 'stale';
}

/** Stores an order's state from its own webhook (see putOwnOrder). */
export function putOrderFromWebhook(writes: ItemWrites, tableName: string, projected: ProjectedOrder): Promise<ApplyResult> {
  return putOwnOrder(writes, tableName, projected, 'webhook');
}
