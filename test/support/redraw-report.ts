/**
 * A week's report (CONTRACT §11) for the report's and the digest's tests: the
 * week of Monday 2026-11-16 in UTC in which nothing happened (every count 0,
 * every time none), with the figures a test counts on top. For the CLI's
 * report tests, `redrawReport()`: a week with something in every count
 * (no by-lab rows, nothing ended missing), and BY_LAB, two labs and methods
 * as §11 orders them; BOOKINGS_BY_LAB, two labs' bookings and the row for all.
 */
import type { BookingsByLab, ByLab, RedrawReport } from '../../functions/core/report';

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
  return quietReport({
    // A week to Monday 15:00Z (the CLI tests' now).
    from: '2026-11-16T15:00:00.000000Z', to: '2026-11-23T15:00:00.000000Z',
    opened: 3, closed: 2, by_disposition: { redraw_completed: 1, cancelled: 0, patient_declined: 1 }, closed_by_people: 1, closed_by_tracker: 1,
    open_now: 5, stale_now: 1, unassigned_now: 2, aging_now: { '0_7': 3, '8_14': 0, '15_30': 1, over_30: 1 },
    time_to_redraw_order_hours: { n: 1, p50: 20, p90: 20 }, time_to_close_hours: { n: 2, p50: 30.25, p90: 150.6 },
    ...overrides,
  });
}

/**
 * `bookings_by_lab` (CONTRACT §14 "The report") of two labs, then the row for
 * all labs (lab null, last): quest's redraws mostly booked and drawn, one
 * appointment missed; a lab without a known name (its code alone) with none
 * booked.
 */
export const BOOKINGS_BY_LAB: BookingsByLab[] = [
  { lab: 'quest', redraws: 12, booked: 9, booked_here: 8, booked_then_drawn: 6, appointment_missed: 1, time_to_booking_hours: { n: 9, p50: 20.5, p90: 70 } },
  { lab: 'westlab', redraws: 3, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } },
  { lab: null, redraws: 15, booked: 9, booked_here: 8, booked_then_drawn: 6, appointment_missed: 1, time_to_booking_hours: { n: 9, p50: 20.5, p90: 70 } },
];
