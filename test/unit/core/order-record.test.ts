import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNewerRecord, listedOrderRecord, projectOrder, type OrderRecord } from '../../../functions/core/order-record';
import { readWebhookBody, type ListedOrder, type OrderPayload } from '../../../functions/core/schemas';
import { arbFlow, buildDeliveries, docsFixtures, envelope, PHI_CANARY, phiFields, redrawFlow } from '../../../test/support/junction';
import { propertyRuns } from '../../support/property-runs';

function parseBody(body: unknown): OrderPayload {
  const result = readWebhookBody(JSON.stringify(body));
  if (result.kind !== 'order') throw new Error(`expected an order, got ${result.kind}`);
  return result.order;
}

function fixture(prefix: string): OrderPayload {
  const found = docsFixtures().find((candidate) => candidate.file.startsWith(prefix));
  if (!found) throw new Error(`no fixture ${prefix}`);
  return parseBody(found.body);
}

function orderData(overrides: Record<string, unknown>): OrderPayload {
  return parseBody(
    envelope('labtest.order.updated', {
      id: 'order-1',
      created_at: '2022-01-01T00:00:00Z',
      updated_at: '2022-01-03T10:00:00+02:00',
      ...overrides,
    }),
  );
}

describe('projectOrder on the docs fixtures', () => {
  it('01 walk-in: completed at event 6, in a completed transaction', () => {
    const { record, listing } = projectOrder(fixture('01-'));
    expect(record).toMatchObject({
      id: '84d96c03-6b1c-4226-ad8f-ef44a6bc08af',
      transaction_id: '6424dd45-ee1a-49c6-ad0c-5769b8e03fc1',
      origin: 'initial',
      collection_method: 'walk_in_test',
      status: 'completed',
      low_level_status: 'completed',
      last_event: { id: 6, created_at: '2022-01-04T00:00:00Z', status: 'completed.walk_in_test.completed' },
      has_missing_results: null,
      source: 'webhook',
      status_time: '2022-01-04T00:00:00.000000Z',
      rank: '0000000000000007|2020-01-01T00:00:00.000000Z',
    });
    expect(listing).toMatchObject({ transaction_id: '6424dd45-ee1a-49c6-ad0c-5769b8e03fc1', reported_status: 'completed', reported_status_time: '2022-01-04T00:00:00.000000Z' });
    expect(listing?.members).toHaveLength(1);
  });

  it('09 test kit: requisition_created, keeping microsecond times', () => {
    const { record, listing } = projectOrder(fixture('09-'));
    expect(record).toMatchObject({
      id: 'e1c380c1-7df4-487f-869e-f1be0193ca25',
      collection_method: 'testkit',
      status: 'received',
      low_level_status: 'requisition_created',
      last_event: { id: 4057, created_at: '2023-09-01T18:05:12.618156+00:00', status: 'received.testkit.requisition_created' },
      created_at: '2023-09-01T18:02:41.210495+00:00',
      updated_at: '2023-09-01T18:02:41.210495+00:00',
      status_time: '2023-09-01T18:05:12.618156Z',
      rank: '0000000000004058|2023-09-01T18:02:41.210495Z',
    });
    expect(listing?.reported_status).toBe('active');
    expect(listing?.reported_status_time).toBe('2023-09-01T18:05:12.618156Z');
    expect(listing?.members[0]).toMatchObject({ status: 'received', low_level_status: 'requisition_created', status_time: '2023-09-01T18:05:12.618156Z', source: 'transaction_listing' });
  });

  it('07 walk-in without a transaction: no listing and a null origin', () => {
    const { record, listing } = projectOrder(fixture('07-'));
    expect(listing).toBeNull();
    expect(record).toMatchObject({ transaction_id: null, origin: null, status: 'sample_with_lab', low_level_status: 'partial_results', last_event: { id: 4 } });
  });

  it('05 on-site collection: completed at event 5', () => {
    expect(projectOrder(fixture('05-')).record).toMatchObject({ collection_method: 'on_site_collection', status: 'completed', last_event: { id: 5 } });
  });
});

describe('projectOrder', () => {
  it('prefers last_event over the events list', () => {
    const order = orderData({
      events: [{ id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.walk_in_test.ordered' }, { id: 9, created_at: '2022-01-09T00:00:00Z', status: 'completed.walk_in_test.completed' }],
      last_event: { id: 2, created_at: '2022-01-02T00:00:00Z', status: 'received.walk_in_test.requisition_created' },
    });
    expect(projectOrder(order).record).toMatchObject({ low_level_status: 'requisition_created', last_event: { id: 2 }, status_time: '2022-01-02T00:00:00.000000Z' });
  });

  it('falls back to the top-level status and updated_at when there are no events', () => {
    const { record } = projectOrder(orderData({ status: 'received' }));
    expect(record).toMatchObject({
      status: 'received',
      low_level_status: 'received',
      last_event: null,
      status_time: '2022-01-03T08:00:00.000000Z',
      collection_method: 'unknown',
      rank: '0000000000000000|2022-01-03T08:00:00.000000Z',
    });
  });

  it("says 'unknown' for an order without events or status", () => {
    expect(projectOrder(orderData({})).record).toMatchObject({ status: 'unknown', low_level_status: 'unknown' });
  });

  it('takes the collection method from the event status when details are absent', () => {
    const order = orderData({ events: [{ id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.testkit.ordered' }] });
    expect(projectOrder(order).record.collection_method).toBe('testkit');
  });

  it('projects every listed order as a transaction_listing record with a derived high level', () => {
    const order = orderData({
      origin: 'redraw',
      details: { type: 'at_home_phlebotomy' },
      events: [{ id: 20, created_at: '2022-01-05T00:00:00Z', status: 'received.at_home_phlebotomy.ordered' }],
      order_transaction: {
        id: 'txn-1',
        status: 'active',
        orders: [
          { id: 'initial-1', created_at: '2022-01-01T00:00:00Z', updated_at: '2022-01-04T00:00:00Z', last_status: 'draw_completed', last_status_created_at: '2022-01-06T00:00:00Z', origin: 'initial' },
          { id: 'order-1', created_at: '2022-01-05T00:00:00Z', low_level_status: 'ordered', origin: 'redraw', parent_id: 'initial-1' },
        ],
      },
    });
    const { listing } = projectOrder(order);
    expect(listing?.members).toEqual([
      {
        id: 'initial-1',
        transaction_id: 'txn-1',
        origin: 'initial',
        collection_method: 'at_home_phlebotomy',
        status: 'collecting_sample',
        low_level_status: 'draw_completed',
        last_event: null,
        created_at: '2022-01-01T00:00:00Z',
        updated_at: '2022-01-04T00:00:00Z',
        has_missing_results: null,
        source: 'transaction_listing',
        status_time: '2022-01-06T00:00:00.000000Z',
        rank: '2022-01-06T00:00:00.000000Z|2022-01-04T00:00:00.000000Z',
      },
      expect.objectContaining({ id: 'order-1', status: 'received', updated_at: '2022-01-05T00:00:00Z', status_time: '2022-01-05T00:00:00.000000Z' }),
    ]);
    // The newest status time anywhere in the payload: a listed order's, here.
    expect(listing?.reported_status_time).toBe('2022-01-06T00:00:00.000000Z');
  });

  it('never lets a PHI field of any flow reach the projection', () => {
    fc.assert(
      fc.property(arbFlow(), (spec) => {
        for (const delivery of buildDeliveries(spec)) {
          expect(JSON.stringify(delivery.body)).toContain(PHI_CANARY);
          expect(JSON.stringify(projectOrder(parseBody(delivery.body)))).not.toContain(PHI_CANARY);
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('drops PHI placed beside the listed orders and events too', () => {
    const phi = phiFields('nested');
    const order = orderData({
      ...phi,
      events: [{ id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.walk_in_test.ordered', ...phi }],
      last_event: { id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.walk_in_test.ordered', ...phi },
      details: { type: 'walk_in_test', data: phi },
      order_transaction: { id: 'txn-1', status: 'active', orders: [{ id: 'order-1', created_at: '2022-01-01T00:00:00Z', ...phi }], ...phi },
    });
    expect(JSON.stringify(projectOrder(order))).not.toContain(PHI_CANARY);
  });
});

describe('listedOrderRecord', () => {
  const listed = (overrides: Partial<ListedOrder>): ListedOrder => ({
    id: 'order-1',
    created_at: '2022-01-01T00:00:00Z',
    updated_at: null,
    low_level_status: null,
    low_level_status_created_at: null,
    origin: null,
    parent_id: null,
    ...overrides,
  });

  it('falls back to updated_at, then created_at, for its status time; unknown status without one', () => {
    expect(listedOrderRecord(listed({ updated_at: '2022-01-02T00:00:00Z' }), 'txn-1', 'walk_in_test')).toMatchObject({
      status_time: '2022-01-02T00:00:00.000000Z',
      low_level_status: 'unknown',
      status: 'unknown',
    });
    expect(listedOrderRecord(listed({}), 'txn-1', 'walk_in_test')).toMatchObject({ status_time: '2022-01-01T00:00:00.000000Z', updated_at: '2022-01-01T00:00:00Z' });
  });

  it('ranks a listing with a status time above one without, whatever their updated_at', () => {
    const withTime = listedOrderRecord(listed({ low_level_status_created_at: '2022-01-01T00:00:00Z', updated_at: '2022-01-01T00:00:00Z' }), 'txn-1', 'walk_in_test');
    const withoutTime = listedOrderRecord(listed({ updated_at: '2030-01-01T00:00:00Z' }), 'txn-1', 'walk_in_test');
    expect(isNewerRecord(withTime, withoutTime)).toBe(true);
    expect(isNewerRecord(withoutTime, withTime)).toBe(false);
  });
});

describe('isNewerRecord', () => {
  const deliveries = buildDeliveries(redrawFlow({ transactionId: 'txn-1', initialId: 'initial-1', redrawId: 'redraw-1' }, 'completed'));
  const projected = deliveries.map((delivery) => projectOrder(parseBody(delivery.body)));
  const initialWebhooks = projected.filter(({ record }) => record.id === 'initial-1').map(({ record }) => record);
  const oldestWebhook = initialWebhooks[0]!;
  const newestWebhook = initialWebhooks[initialWebhooks.length - 1]!;
  const listings = projected.flatMap(({ listing }) => listing?.members.filter((member) => member.id === 'initial-1') ?? []);
  const oldestListing = listings[0]!;
  const newestListing = listings[listings.length - 1]!;

  it('lets a webhook record replace any listing record, even an older webhook over a newer listing', () => {
    expect(oldestWebhook.status_time < newestListing.status_time).toBe(true);
    expect(isNewerRecord(oldestWebhook, newestListing)).toBe(true);
  });

  it('never lets a listing record replace a webhook record', () => {
    expect(isNewerRecord(newestListing, oldestWebhook)).toBe(false);
  });

  it('within one source, lets the higher rank win', () => {
    expect(isNewerRecord(newestWebhook, oldestWebhook)).toBe(true);
    expect(isNewerRecord(oldestWebhook, newestWebhook)).toBe(false);
    expect(isNewerRecord(newestListing, oldestListing)).toBe(true);
    expect(isNewerRecord(oldestListing, newestListing)).toBe(false);
  });

  it('keeps the stored record on a tie', () => {
    const twin: OrderRecord = { ...newestWebhook };
    expect(isNewerRecord(twin, newestWebhook)).toBe(false);
    expect(isNewerRecord({ ...newestListing }, newestListing)).toBe(false);
  });
});

describe('what an order says of its missing results (CONTRACT §9, issue 46)', () => {
  const events = [
    { id: 1, created_at: '2026-03-01T09:00:00Z', status: 'received.testkit.ordered' },
    { id: 2, created_at: '2026-03-03T09:00:00Z', status: 'failed.testkit.sample_error', status_detail: 'sample_hemolyzed' },
  ];

  it('keeps the newest event’s status_detail when it is an operational code, from last_event or the same event in events[]', () => {
    expect(projectOrder(orderData({ events, last_event: events[1] })).record.status_detail).toBe('sample_hemolyzed');
    // last_event without it: the same event in events[] says it.
    expect(projectOrder(orderData({ events, last_event: { ...events[1], status_detail: undefined } })).record.status_detail).toBe('sample_hemolyzed');
    // Free text, a number or nothing: never kept (and the event is not quarantined for it).
    for (const detail of ['Sample hemolyzed, call Jane Doe', 'CANARY-PHI-detail', 42, null]) {
      const record = projectOrder(orderData({ events: [events[0], { ...events[1], status_detail: detail }] })).record;
      expect(record.status_detail ?? null, String(detail)).toBeNull();
      expect(record.low_level_status).toBe('sample_error');
    }
  });

  it('knows when it first ended without all its results: a failed event of its history, or completed with has_missing_results', () => {
    expect(projectOrder(orderData({ events })).record.missing_results_at).toBe('2026-03-03T09:00:00.000000Z');
    const completed = { id: 3, created_at: '2026-03-05T09:00:00Z', status: 'completed.walk_in_test.completed' };
    expect(projectOrder(orderData({ events: [completed], has_missing_results: true })).record.missing_results_at).toBe('2026-03-05T09:00:00.000000Z');
    expect(projectOrder(orderData({ events: [completed], has_missing_results: false })).record.missing_results_at).toBeUndefined();
    expect(projectOrder(orderData({ events: [completed], has_missing_results: null })).record.missing_results_at).toBeUndefined();
    // In progress with has_missing_results (Junction sets it at redraw_available too): not ended, nothing to remember.
    const available = { id: 4, created_at: '2026-03-05T09:00:00Z', status: 'collecting_sample.walk_in_test.redraw_available' };
    expect(projectOrder(orderData({ events: [available], has_missing_results: true })).record.missing_results_at).toBeUndefined();
  });
});
