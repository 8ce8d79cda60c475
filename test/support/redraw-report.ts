/**
 * A redraw report (CONTRACT §11) for the CLI's tests: `redrawReport()` is a
 * week's document with overrides on top (no by-lab rows, nothing ended
 * missing), and BY_LAB two labs and methods as §11 orders them.
 */
import type { ByLab, RedrawReport } from '../../functions/core/report';

/** Two labs and methods as §11 orders them: a rate first, a row with nothing completed (rate null) last. */
export const BY_LAB: ByLab[] = [
  {
    lab: 'quest',
    method: 'walk_in_test',
    completed: 96,
    with_redraw: 22,
    redraw_rate: 22.9,
    ended_missing: 2,
    time_to_redraw_results_hours: { n: 20, p50: 121.5, p90: 260.4 },
    failure_types: { internal_lab_failure: 4, quantity_not_sufficient_failure: 9, collection_process_failure: 1 },
  },
  {
    lab: 'unknown',
    method: 'testkit',
    completed: 0,
    with_redraw: 0,
    redraw_rate: null,
    ended_missing: 3,
    time_to_redraw_results_hours: { n: 0, p50: null, p90: null },
    failure_types: {},
  },
];

export function redrawReport(overrides: Partial<RedrawReport> = {}): RedrawReport {
  return {
    from: '2026-11-16T15:00:00.000000Z',
    to: '2026-11-23T15:00:00.000000Z',
    opened: 3,
    closed: 2,
    by_disposition: { redraw_completed: 1, cancelled: 0, patient_declined: 1 },
    open_now: 5,
    stale_now: 1,
    unassigned_now: 2,
    aging_now: { '0_7': 3, '8_14': 0, '15_30': 1, over_30: 1 },
    time_to_redraw_order_hours: { n: 1, p50: 20, p90: 20 },
    time_to_acknowledge_hours: { n: 0, p50: null, p90: null },
    time_to_close_hours: { n: 2, p50: 30.25, p90: 150.6 },
    walk_in_completed: 0,
    with_redraw: 0,
    ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
    by_lab: [],
    time_zone: 'UTC',
    closed_by_people: 1,
    closed_by_tracker: 1,
    redraw_failed_now: 0,
    ...overrides,
  };
}
