/**
 * The report's document (CONTRACT §11; functions/core/report.ts): percentiles,
 * aging buckets, and the report assembled from the window's tallies and the
 * follow-ups open now.
 */
import { describe, expect, it } from 'vitest';
import { agingBucket, assembleReport, durations } from '../../../functions/core/report';

const NOW = new Date('2026-11-23T10:30:00Z');

describe('durations', () => {
  it('gives n and nearest-rank percentiles to a tenth of an hour, null without values', () => {
    expect(durations([])).toEqual({ n: 0, p50: null, p90: null });
    expect(durations([5])).toEqual({ n: 1, p50: 5, p90: 5 });
    expect(durations([10, 1, 4, 3, 2, 9, 8, 7, 6, 5])).toEqual({ n: 10, p50: 5, p90: 9 });
    expect(durations([1.26, 2.04])).toEqual({ n: 2, p50: 1.3, p90: 2 });
  });
});

describe('agingBucket', () => {
  it('buckets by whole days since opened: 0-7, 8-14, 15-30, over 30', () => {
    const daysAgo = (days: number, hours = 0) => new Date(NOW.getTime() - days * 86_400_000 - hours * 3_600_000).toISOString();
    expect(agingBucket(daysAgo(0), NOW)).toBe('0_7');
    expect(agingBucket(daysAgo(7, 23), NOW)).toBe('0_7');
    expect(agingBucket(daysAgo(8), NOW)).toBe('8_14');
    expect(agingBucket(daysAgo(14, 23), NOW)).toBe('8_14');
    expect(agingBucket(daysAgo(15), NOW)).toBe('15_30');
    expect(agingBucket(daysAgo(30, 23), NOW)).toBe('15_30');
    expect(agingBucket(daysAgo(31), NOW)).toBe('over_30');
  });
});

describe('assembleReport', () => {
  it('adds up the window’s tallies and the follow-ups open now, in the contract’s shape', () => {
    const report = assembleReport({
      window: { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') },
      now: NOW,
      tallies: [
        { kind: 'opened', at: '2026-11-16T09:00:00.000000Z' },
        { kind: 'closed', at: '2026-11-17T09:00:00.000000Z', disposition: 'redraw_completed', hours: { redraw_order: 2, acknowledge: null, close: 24 } },
        { kind: 'closed', at: '2026-11-18T09:00:00.000000Z', disposition: 'patient_declined', hours: { redraw_order: null, acknowledge: 3, close: 48 } },
        { kind: 'ended', at: '2026-11-17T09:00:00.000000Z', with_redraw: true },
        { kind: 'ended', at: '2026-11-19T09:00:00.000000Z', with_redraw: false },
      ],
      open: [
        { owner: null, opened_at: '2026-11-20T09:00:00.000000Z', stale: false, redraw_failed: false },
        { owner: 'j.doe', opened_at: '2026-10-01T09:00:00.000000Z', stale: true, redraw_failed: false },
        { owner: 'j.doe', opened_at: '2026-11-19T09:00:00.000000Z', stale: false, redraw_failed: true, attention: 'redraw_failed' },
        { owner: 'j.doe', opened_at: '2026-11-19T09:00:00.000000Z', stale: false, redraw_failed: false, attention: 'no_redraw' },
        { owner: 'j.doe', opened_at: '2026-11-19T09:00:00.000000Z', stale: false, redraw_failed: false, attention: 'no_redraw' },
      ],
    });
    expect(report).toEqual({
      from: '2026-11-16T00:00:00.000000Z',
      to: '2026-11-23T00:00:00.000000Z',
      opened: 1,
      closed: 2,
      by_disposition: { patient_declined: 1, redraw_completed: 1 },
      open_now: 5,
      stale_now: 1,
      unassigned_now: 1,
      aging_now: { '0_7': 4, '8_14': 0, '15_30': 0, over_30: 1 },
      time_to_redraw_order_hours: { n: 1, p50: 2, p90: 2 },
      time_to_acknowledge_hours: { n: 1, p50: 3, p90: 3 },
      time_to_close_hours: { n: 2, p50: 24, p90: 48 },
      walk_in_completed: 2,
      with_redraw: 1,
      ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
      // Rows kept before issue 48 were completed walk-in transactions, lab unknown.
      by_lab: [
        { lab: 'unknown', method: 'walk_in_test', completed: 2, with_redraw: 1, redraw_rate: 50, ended_missing: 0, time_to_redraw_results_hours: { n: 0, p50: null, p90: null }, failure_types: {} },
      ],
      // Nothing counted by person yet (no closes_counted_since given): no claim.
      closes_by_person: null,
      closes_counted_since: null,
      closes_partial: null,
      time_zone: 'UTC',
      // redraw_completed is the tracker's close, patient_declined a person's.
      closed_by_people: 1,
      closed_by_tracker: 1,
      redraw_failed_now: 1,
      // Every attention counted, 0 when no open follow-up has it (CONTRACT §9: each waits for a person's decision).
      attention_now: { redraw_failed: 1, results_still_missing: 0, no_redraw: 2 },
      // No redraw follow-up opened with its bookings in this window: the row for all labs alone (CONTRACT §14 "The report").
      bookings_by_lab: [{ lab: null, redraws: 0, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } }],
      first_bookings: { n: 0, p50: null, p90: null },
    });
    // §11's fields in its order, then the extensions.
    expect(Object.keys(report)).toEqual([
      'from', 'to', 'opened', 'closed', 'by_disposition', 'open_now', 'stale_now', 'unassigned_now', 'aging_now', 'time_to_redraw_order_hours', 'time_to_acknowledge_hours', 'time_to_close_hours', 'walk_in_completed', 'with_redraw',
      'ended_missing', 'by_lab', 'closes_by_person', 'closes_counted_since', 'closes_partial', 'time_zone', 'closed_by_people', 'closed_by_tracker', 'redraw_failed_now', 'attention_now',
      'bookings_by_lab', 'first_bookings',
    ]);
  });
});
