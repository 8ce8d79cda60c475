/**
 * The compact item layouts (functions/store/order-items.ts,
 * transaction-items.ts): every record and listing reads back exactly as
 * written, and an order item stays under 1 KB (one write unit, written or
 * refused) for transactions of a few orders, as AWS counts item sizes.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemBytes } from '../../bench/item-size';
import { projectOrder, type ListingSnapshot, type OrderRecord } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { hasRedrawOrder } from '../../functions/core/staleness';
import { encodeListing, orderItem, parseOrderItem } from '../../functions/store/order-items';
import { parseTransactionItem, transactionItem, type TransactionItem } from '../../functions/store/transaction-items';
import { arbFlow, buildDeliveries, freshId, redrawFlow, simpleFlow, type Delivery } from '../support/junction';
import { propertyRuns } from '../support/property-runs';

function projected(delivery: Delivery) {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'order') throw new Error('test delivery not readable');
  return projectOrder(read.order);
}

/** The item as DynamoDB stores it (no undefined attributes), as the document client writes it. */
function stored(item: Record<string, unknown>) {
  return marshall(item, { removeUndefinedValues: true });
}

describe('order items', () => {
  it('read back every record and listing of any flow exactly as written', () => {
    fc.assert(
      fc.property(arbFlow(), (spec) => {
        for (const delivery of buildDeliveries(spec)) {
          const { record, listing } = projected(delivery);
          const hasRedraw = listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== record.id));
          const item = orderItem(record, hasRedraw, listing);
          const back = parseOrderItem(JSON.parse(JSON.stringify(item)) as Record<string, unknown>);
          expect(back.record).toEqual(record);
          expect(back.listing).toEqual(listing);
          expect(back.stale).toBeNull();
        }
      }),
      { numRuns: propertyRuns(60) },
    );
  });

  it('keep a listed order whole when its record does not follow from Junction’s fields', () => {
    const { record, listing } = projected(buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed')).at(-1)!);
    // A listing built elsewhere (another collection method, a made-up status time): nothing may be lost.
    const odd: ListingSnapshot = {
      ...listing!,
      reported_status_time: '2030-01-01T00:00:00.000000Z',
      members: listing!.members.map((member, index): OrderRecord => (index === 0 ? { ...member, collection_method: 'testkit', status: 'unknown' } : member)),
    };
    const encoded = encodeListing(odd, record);
    expect(encoded.t).toBe(odd.reported_status_time);
    expect(encoded.m[0]?.x).toBeDefined();
    expect(encoded.m[1]?.x).toBeUndefined();
    expect(parseOrderItem(JSON.parse(JSON.stringify(orderItem(record, true, odd)))).listing).toEqual(odd);
  });

  it('stay under 1 KB with a listing of up to three orders', () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    let largest = 0;
    for (const spec of [redrawFlow(ids, 'completed'), redrawFlow(ids, 'in_progress'), simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 7)]) {
      for (const delivery of buildDeliveries(spec)) {
        const { record, listing } = projected(delivery);
        largest = Math.max(largest, itemBytes(stored(orderItem(record, false, listing))));
      }
    }
    // A third order listed (a second redraw): one more listed entry of the same size as the biggest.
    const { record, listing } = projected(buildDeliveries(redrawFlow(ids, 'completed')).at(-1)!);
    const third = { ...listing!.members.at(-1)!, id: freshId() };
    const three = itemBytes(stored(orderItem(record, false, { ...listing!, members: [...listing!.members, third] })));
    expect(largest).toBeLessThan(1024);
    expect(three).toBeLessThan(1024);
  });
});

describe('transaction items', () => {
  it('read back as written, with the catch-up keys exactly while a member is behind', () => {
    const base: TransactionItem = {
      id: freshId(),
      status: 'active',
      reported_status: 'active',
      reported_status_time: '2026-03-02T10:00:00.000000Z',
      members: {
        a: { id: 'a', origin: 'initial', low_level_status: 'redraw_available', status_time: '2026-03-02T10:00:00.000000Z', created_at: '2026-03-02T09:00:00Z', source: 'api', rank: '1', listed_status_time: '2026-03-02T11:00:00.000000Z' },
        b: { id: 'b', origin: 'redraw', low_level_status: 'ordered', status_time: '2026-03-02T12:00:00.000000Z', created_at: '2026-03-02T12:00:00Z', source: 'transaction_listing', rank: '2', listed_status_time: null },
      },
      version: 3,
      updated_at: '2026-03-02T12:00:00.000000Z',
      behind_status_time: '2026-03-02T11:00:00.000000Z',
      results_missing: false,
      expires_at: null,
      collection_method: 'walk_in_test',
    };
    const behind = transactionItem(base);
    expect(parseTransactionItem(JSON.parse(JSON.stringify(behind)))).toEqual(base);
    expect(behind.gsi2pk).toBe('RECONCILE#behind');
    const caughtUp = transactionItem({ ...base, behind_status_time: null });
    expect(parseTransactionItem(JSON.parse(JSON.stringify(caughtUp)))).toEqual({ ...base, behind_status_time: null });
    expect(caughtUp.gsi2pk).toBeUndefined();
    expect(itemBytes(stored(behind))).toBeLessThan(1024);
  });
});
