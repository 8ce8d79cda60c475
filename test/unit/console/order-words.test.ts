import { describe, expect, it } from 'vitest';
import { orderStatusWords } from '../../../console/src/lib/order-words';
import type { MissingResults } from '../../../console/src/lib/types';

const missing = (markers: number | null, order_id = 'ord-1'): MissingResults => ({ order_id, status: 'completed', status_detail: null, markers, failure_types: null });

describe("an order's status on a follow-up's page (CONTRACT §9)", () => {
  it('never says "results complete" of an order that ended without all its results', () => {
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'completed', has_missing_results: true }, null)).toBe('ended without all its results');
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'completed', has_missing_results: true }, missing(2))).toBe('ended without all its results (2 markers missing)');
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'corrected', has_missing_results: true }, missing(1))).toBe('results corrected, still without all of them (1 marker missing)');
  });

  it("says so from the follow-up's missing markers when Junction's flag is not known", () => {
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'completed', has_missing_results: null }, missing(3))).toBe('ended without all its results (3 markers missing)');
    // Another order's markers say nothing of this one.
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'completed', has_missing_results: null }, missing(3, 'ord-2'))).toBe('results complete');
  });

  it('says "results complete" only of an order with all its results, and any other status as before', () => {
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'completed', has_missing_results: false }, missing(0))).toBe('results complete');
    expect(orderStatusWords({ id: 'ord-1', low_level_status: 'sample_error', has_missing_results: null }, missing(2))).toBe('a sample error (the lab could not test the sample)');
  });
});
