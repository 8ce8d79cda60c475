/**
 * What the sync writes for an order read from the API, given what the table
 * holds (functions/core/sync-apply.ts): a write only when the API's state is
 * newer, the listing alone when only the transaction learnt something, else none.
 */
import { describe, expect, it } from 'vitest';
import { projectOrder, type ListingSnapshot } from '../../../functions/core/order-record';
import { readWebhookBody, type OrderPayload } from '../../../functions/core/schemas';
import { listingAddsTo, syncAction } from '../../../functions/core/sync-apply';
import { buildDeliveries, freshId, redrawFlow } from '../../support/junction';

/** The orders of a redraw flow, step by step, as the API would answer them. */
function redrawSteps(): OrderPayload[] {
  const deliveries = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed'));
  return deliveries.map((delivery) => {
    const parsed = readWebhookBody(JSON.stringify(delivery.body));
    if (parsed.kind !== 'order') throw new Error('not an order event');
    return parsed.order;
  });
}

const held = (order: OrderPayload, source: 'webhook' | 'api' | 'transaction_listing' = 'webhook') => {
  const projected = projectOrder(order);
  return { record: { ...projected.record, source }, listing: projected.listing };
};

describe('syncAction', () => {
  const steps = redrawSteps();
  const initial = steps.filter((order) => order.id === steps[0]!.id);
  const first = initial[0]!;
  const later = initial.at(-1)!;

  it('puts an order the table does not hold, or holds only from a listing', () => {
    expect(syncAction(projectOrder(first, 'api'), null)).toBe('put');
    expect(syncAction(projectOrder(first, 'api'), { record: { source: 'transaction_listing', rank: '9999' }, listing: null })).toBe('put');
  });

  it('puts a newer state, whichever source stored the older one', () => {
    expect(syncAction(projectOrder(later, 'api'), held(first, 'webhook'))).toBe('put');
    expect(syncAction(projectOrder(later, 'api'), held(first, 'api'))).toBe('put');
  });

  it('writes nothing for the state already held, or an older one, with the same listing', () => {
    expect(syncAction(projectOrder(later, 'api'), held(later))).toBe('none');
    const olderWithSameListing = { ...first, order_transaction: later.order_transaction };
    expect(syncAction(projectOrder(olderWithSameListing, 'api'), held(later))).toBe('none');
  });

  it('carries only the listing when the held state is current but its listing misses a member', () => {
    const redrawLast = steps.filter((order) => order.id !== first.id).at(-1)!;
    const current = held(redrawLast);
    expect(current.listing!.members.map((member) => member.id).sort()).toEqual([first.id, redrawLast.id].sort());
    const missingInitial = { ...current, listing: { ...current.listing!, members: current.listing!.members.filter((member) => member.id === redrawLast.id) } };
    expect(syncAction(projectOrder(redrawLast, 'api'), missingInitial)).toBe('listing');
    expect(syncAction(projectOrder(redrawLast, 'api'), current)).toBe('none');
  });
});

describe('listingAddsTo', () => {
  const member = (id: string, rank: string) => ({ ...projectOrder(redrawSteps()[0]!).record, id, rank, source: 'transaction_listing' as const });
  const listing = (members: ReturnType<typeof member>[], status = 'active', time = '2026-03-02T09:00:00.000000Z'): ListingSnapshot => ({
    transaction_id: 'txn',
    reported_status: status,
    reported_status_time: time,
    members,
  });

  it('says yes for a member not listed before, or listed at an older rank', () => {
    expect(listingAddsTo(listing([member('a', '1'), member('b', '1')]), listing([member('a', '1')]))).toBe(true);
    expect(listingAddsTo(listing([member('a', '2')]), listing([member('a', '1')]))).toBe(true);
    expect(listingAddsTo(listing([member('a', '1')]), null)).toBe(true);
  });

  it('says no for the same members at the same or older ranks and the same status', () => {
    expect(listingAddsTo(listing([member('a', '1')]), listing([member('a', '1'), member('b', '1')]))).toBe(false);
    expect(listingAddsTo(listing([member('a', '1')]), listing([member('a', '2')]))).toBe(false);
  });

  it('says yes for a newer transaction status, no for an older one', () => {
    const known = listing([member('a', '1')], 'active', '2026-03-02T09:00:00.000000Z');
    expect(listingAddsTo(listing([member('a', '1')], 'completed', '2026-03-03T09:00:00.000000Z'), known)).toBe(true);
    expect(listingAddsTo(listing([member('a', '1')], 'completed', '2026-03-01T09:00:00.000000Z'), known)).toBe(false);
  });
});
