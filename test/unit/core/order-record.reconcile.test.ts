/**
 * The pure rules reconciliation adds to an order's record (CONTRACT §6): API
 * reads are the order's own state, ordered like webhooks, and a transaction
 * read from the API is a listing of its members. The members' side is
 * members.reconcile.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isNewerRecord, listedStatusTimeOf, listingFromTransaction, projectOrder } from '../../../functions/core/order-record';
import { ListedOrder, readWebhookBody, type OrderPayload } from '../../../functions/core/schemas';
import { buildDeliveries, freshId, redrawFlow } from '../../support/junction';
import { listedAt, record } from '../../support/records';

function payload(body: unknown): OrderPayload {
  const read = readWebhookBody(JSON.stringify(body));
  if (read.kind !== 'order') throw new Error(`not an order: ${read.kind}`);
  return read.order;
}

describe('an API read is the order’s own state', () => {
  const deliveries = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'in_progress'));

  it('projects exactly like the webhook of the same state, with source api', () => {
    for (const delivery of deliveries) {
      const fromWebhook = projectOrder(payload(delivery.body));
      const fromApi = projectOrder(payload(delivery.body), 'api');
      expect(fromApi.record).toEqual({ ...fromWebhook.record, source: 'api' });
      expect(fromApi.listing).toEqual(fromWebhook.listing);
      expect(fromApi.listing?.members.every((member) => member.source === 'transaction_listing')).toBe(true);
    }
  });

  it('orders webhook and API states by the one rule: the same event keeps whichever came first', () => {
    const webhook = record({ id: 'a', rank: '0002' });
    const api = { ...webhook, source: 'api' as const };
    expect(isNewerRecord(api, webhook)).toBe(false);
    expect(isNewerRecord(webhook, api)).toBe(false);
    expect(isNewerRecord({ ...api, rank: '0003' }, webhook)).toBe(true);
    expect(isNewerRecord({ ...webhook, rank: '0003' }, api)).toBe(true);
    expect(isNewerRecord({ ...api, rank: '0001' }, webhook)).toBe(false);
  });

  it('beats any listing, and no listing beats it', () => {
    const api = record({ id: 'a', source: 'api', rank: '0001' });
    const listed = listedAt('a', '2030-01-01T00:00:00.000000Z');
    expect(isNewerRecord(api, listed)).toBe(true);
    expect(isNewerRecord(listed, api)).toBe(false);
  });
});

describe('a transaction read from the API, as a listing', () => {
  it('reads both spellings of the status fields and keeps Junction’s status', () => {
    const orders = [
      ListedOrder.parse({ id: 'i', created_at: '2026-03-01T00:00:00Z', last_status: 'redraw_available', last_status_created_at: '2026-03-02T00:00:00Z', origin: 'initial' }),
      ListedOrder.parse({ id: 'r', created_at: '2026-03-03T00:00:00Z', low_level_status: 'ordered', low_level_status_created_at: '2026-03-03T00:00:00Z', origin: 'redraw' }),
    ];
    const snapshot = listingFromTransaction({ id: 'txn', status: 'active', orders }, 'walk_in_test');
    expect(snapshot).toMatchObject({ transaction_id: 'txn', reported_status: 'active', reported_status_time: '2026-03-03T00:00:00.000000Z' });
    expect(snapshot.members.map((member) => [member.id, member.low_level_status, member.status, member.source])).toEqual([
      ['i', 'redraw_available', 'collecting_sample', 'transaction_listing'],
      ['r', 'ordered', 'received', 'transaction_listing'],
    ]);
    expect(snapshot.members.map(listedStatusTimeOf)).toEqual(['2026-03-02T00:00:00.000000Z', '2026-03-03T00:00:00.000000Z']);
  });

  it('gives no listed status time for an entry without one (updated_at is no status time)', () => {
    const orders = [ListedOrder.parse({ id: 'i', created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-05T00:00:00Z', low_level_status: 'ordered' })];
    const [member] = listingFromTransaction({ id: 'txn', orders }, 'walk_in_test').members;
    expect(member?.status_time).toBe('2026-03-05T00:00:00.000000Z');
    expect(listedStatusTimeOf(member!)).toBeNull();
  });
});
