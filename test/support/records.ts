/** A plain order record for tests of the pure rules: a received walk-in order, with what the test overrides. */
import type { OrderRecord } from '../../functions/core/order-record';

export function record(overrides: Partial<OrderRecord> & Pick<OrderRecord, 'id'>): OrderRecord {
  return {
    transaction_id: 'txn',
    origin: 'initial',
    collection_method: 'walk_in_test',
    status: 'received',
    low_level_status: 'ordered',
    last_event: null,
    created_at: '2026-03-02T09:00:00Z',
    updated_at: '2026-03-02T09:00:00Z',
    has_missing_results: null,
    source: 'webhook',
    status_time: '2026-03-02T09:00:00.000000Z',
    rank: '0001',
    ...overrides,
  };
}

/** A listing's entry for an order, with a real status time (its rank starts with it, as listedOrderRecord makes it). */
export function listedAt(id: string, statusTime: string, low = 'appointment_scheduled'): OrderRecord {
  return record({ id, source: 'transaction_listing', low_level_status: low, status_time: statusTime, rank: `${statusTime}|${statusTime}` });
}
