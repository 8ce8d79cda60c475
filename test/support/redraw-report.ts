/**
 * A week's report (CONTRACT §11) for the report's and the digest's tests: the
 * week of Monday 2026-11-16 in UTC in which nothing happened (every count 0,
 * every time none), with the figures a test counts on top.
 */
import type { RedrawReport } from '../../functions/core/report';

/** A quiet week, then `figures` over it. */
export function quietReport(figures: Partial<RedrawReport> = {}): RedrawReport {
  const none = () => ({ n: 0, p50: null, p90: null });
  return {
    // The week, Monday to Monday, and the zone it is counted in.
    from: '2026-11-16T00:00:00.000000Z', to: '2026-11-23T00:00:00.000000Z', time_zone: 'UTC',
    // Follow-ups opened and closed in it, and by whom.
    opened: 0, closed: 0, by_disposition: {}, closed_by_people: 0, closed_by_tracker: 0,
    // Open now, and how old.
    open_now: 0, stale_now: 0, unassigned_now: 0, redraw_failed_now: 0, aging_now: { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 0 },
    // Hours to each step.
    time_to_redraw_order_hours: none(), time_to_acknowledge_hours: none(), time_to_close_hours: none(),
    // The transactions that ended in it, and how many by lab.
    walk_in_completed: 0, with_redraw: 0, ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 }, by_lab: [],
    ...figures,
  };
}
