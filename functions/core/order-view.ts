/**
 * The contract's `Order` (CONTRACT §2): what the query API returns for a record.
 */
import type { OrderRecord } from './order-record';
import type { StaleReason } from './staleness';

export interface StaleFlag {
  since: string;
  reason: StaleReason;
}

/** The stored record without the tracker's own bookkeeping (status_time, rank), plus its stale flag. */
export type Order = Omit<OrderRecord, 'status_time' | 'rank' | 'redraw_available_at' | 'missing_results_at' | 'status_detail' | 'lab' | 'sample_type' | 'completed_at'> & {
  status_detail: string | null;
  lab: string | null;
  sample_type: string | null;
  stale: StaleFlag | null;
};

/** Picks the contract's fields, in the contract's order, from a stored record. */
export function toOrder(record: OrderRecord, stale: StaleFlag | null): Order {
  return {
    id: record.id,
    transaction_id: record.transaction_id,
    origin: record.origin,
    collection_method: record.collection_method,
    status: record.status,
    low_level_status: record.low_level_status,
    last_event: record.last_event,
    // Junction's events[].status_detail of its newest event (CONTRACT §9), when an operational code.
    status_detail: record.status_detail ?? null,
    created_at: record.created_at,
    updated_at: record.updated_at,
    has_missing_results: record.has_missing_results,
    // The lab's slug and the sample type (CONTRACT §11): operational codes, null when Junction gave none.
    lab: record.lab ?? null,
    sample_type: record.sample_type ?? null,
    source: record.source,
    stale,
  };
}
