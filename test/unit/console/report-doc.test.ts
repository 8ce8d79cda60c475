import { describe, expect, it } from 'vitest';
import { knownZone, readReport } from '../../../console/src/report/report-doc';
import { quietReport } from '../../support/redraw-report';

const report = quietReport({
  time_zone: 'Europe/Berlin',
  opened: 5, closed: 3, by_disposition: { redraw_completed: 2, patient_declined: 1 }, closed_by_people: 1, closed_by_tracker: 2,
  open_now: 7, stale_now: 2, unassigned_now: 1, redraw_failed_now: 1, aging_now: { '0_7': 3, '8_14': 2, '15_30': 1, over_30: 1 },
  time_to_redraw_order_hours: { n: 2, p50: 20, p90: 40 }, time_to_close_hours: { n: 3, p50: 70.5, p90: 200 },
  walk_in_completed: 10, with_redraw: 2, ended_missing: { results_still_missing: 1, no_redraw: 2, redraw_failed: 0 },
  by_lab: [
    { lab: 'north-lab', method: 'walk_in_test', completed: 4, with_redraw: 1, redraw_rate: 25, ended_missing: 1, time_to_redraw_results_hours: { n: 1, p50: 30, p90: 30 }, failure_types: { quantity_not_sufficient_failure: 2 } },
    { lab: 'unknown', method: 'testkit', completed: 0, with_redraw: 0, redraw_rate: null, ended_missing: 1, time_to_redraw_results_hours: { n: 0, p50: null, p90: null }, failure_types: {} },
  ],
});
const [labRow, nullRow] = report.by_lab as unknown as [Record<string, unknown>, Record<string, unknown>];

describe('readReport', () => {
  it('reads a whole report as the API answers it', () => {
    expect(readReport(report)).toEqual({ ok: true, report: { ...report, results_still_missing_now: 0, no_redraw_now: 0, closes_by_person: null, closes_counted_since: null, closes_partial: false, bookings_by_lab: [], first_bookings: null } });
  });

  it('reads closes by person (issue 73): handles and counts in the API’s order, null when not counted, and names a wrong row', () => {
    const rows = [
      { actor: 'dee.park', actor_display: null, closed: 4 },
      { actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee', closed: 3 },
      { actor: 'arn:aws:iam::123456789012:user/ana', actor_display: null, closed: 2 },
    ];
    const since = '2026-11-10T08:00:00.000000Z';
    const read = readReport({ ...report, closes_by_person: rows, closes_counted_since: since, closes_partial: true });
    expect(read.ok && read.report).toMatchObject({ closes_by_person: rows, closes_counted_since: since, closes_partial: true });
    // A tracker before issue 84: no actor_display (none), no closes_partial (whether the window starts before the instant).
    const older = readReport({ ...report, closes_by_person: [{ actor: 'dee.park', closed: 4 }], closes_counted_since: since });
    expect(older.ok && older.report).toMatchObject({ closes_by_person: [{ actor: 'dee.park', actor_display: null, closed: 4 }], closes_partial: Date.parse(since) > Date.parse(report.from as string) });
    expect(readReport({ ...report, closes_by_person: [{ actor: 'j.doe', actor_display: 'x'.repeat(121), closed: 1 }] })).toEqual({ ok: false, field: 'closes_by_person[0].actor_display' });
    expect(readReport({ ...report, closes_partial: 'yes' })).toEqual({ ok: false, field: 'closes_partial' });
    const notCounted = readReport({ ...report, closes_by_person: null, closes_counted_since: since });
    expect(notCounted.ok && notCounted.report).toMatchObject({ closes_by_person: null, closes_counted_since: since });
    // A handle is held to its character set: nothing else is shown.
    expect(readReport({ ...report, closes_by_person: [{ actor: 'Jane <script>', closed: 1 }] })).toEqual({ ok: false, field: 'closes_by_person[0].actor' });
    expect(readReport({ ...report, closes_by_person: [{ actor: 'j.doe', closed: -1 }] })).toEqual({ ok: false, field: 'closes_by_person[0].closed' });
    expect(readReport({ ...report, closes_by_person: 'j.doe' })).toEqual({ ok: false, field: 'closes_by_person' });
    expect(readReport({ ...report, closes_counted_since: 'yesterday' })).toEqual({ ok: false, field: 'closes_counted_since' });
  });

  it('reads the booking figures (CONTRACT §14 "The report"), and names the first wrong field', () => {
    const spans = { n: 1, p50: 30, p90: 30 };
    const quest = { lab: 'quest', redraws: 3, booked: 2, booked_here: 1, booked_then_drawn: 1, appointment_missed: 1, time_to_booking_hours: spans };
    const all = { ...quest, lab: null };
    const read = readReport({ ...report, bookings_by_lab: [quest, all], first_bookings: spans });
    expect(read.ok && read.report).toMatchObject({ bookings_by_lab: [quest, all], first_bookings: spans });
    expect(readReport({ ...report, bookings_by_lab: [{ ...quest, lab: 'Quest <b>' }] })).toEqual({ ok: false, field: 'bookings_by_lab[0].lab' });
    expect(readReport({ ...report, bookings_by_lab: [{ ...quest, booked: 4 }] })).toEqual({ ok: false, field: 'bookings_by_lab[0].booked' });
    expect(readReport({ ...report, bookings_by_lab: [{ ...quest, appointment_missed: 2 }] })).toEqual({ ok: false, field: 'bookings_by_lab[0].appointment_missed' });
    expect(readReport({ ...report, bookings_by_lab: [{ ...quest, time_to_booking_hours: { n: 1 } }] })).toEqual({ ok: false, field: 'bookings_by_lab[0].time_to_booking_hours' });
    expect(readReport({ ...report, bookings_by_lab: {} })).toEqual({ ok: false, field: 'bookings_by_lab' });
    expect(readReport({ ...report, first_bookings: { n: -1, p50: null, p90: null } })).toEqual({ ok: false, field: 'first_bookings' });
  });

  it('reads the open counts per attention (issue 46), and names attention_now when it is wrong', () => {
    const read = readReport({ ...report, attention_now: { redraw_failed: 1, results_still_missing: 2, no_redraw: 3 } });
    expect(read.ok && read.report).toMatchObject({ redraw_failed_now: 1, results_still_missing_now: 2, no_redraw_now: 3 });
    expect(readReport({ ...report, attention_now: { redraw_failed: 1, results_still_missing: -1, no_redraw: 3 } })).toEqual({ ok: false, field: 'attention_now' });
    expect(readReport({ ...report, attention_now: 4 })).toEqual({ ok: false, field: 'attention_now' });
  });

  it('reads a report of a tracker without the extensions, as UTC with zero extension counts', () => {
    const { time_zone: _zone, closed_by_people: _people, closed_by_tracker: _tracker, redraw_failed_now: _failed, ...older } = report;
    const read = readReport(older);
    expect(read.ok && read.report).toMatchObject({ time_zone: 'UTC', closed_by_people: 0, closed_by_tracker: 0, redraw_failed_now: 0, opened: 5 });
  });

  it.each([
    ['opened', { ...report, opened: '5' }],
    ['closed', { ...report, closed: -1 }],
    ['aging_now', { ...report, aging_now: { '0_7': 1 } }],
    ['by_disposition', { ...report, by_disposition: { other: 1.5 } }],
    ['time_to_close_hours', { ...report, time_to_close_hours: { n: 1, p50: 'x', p90: 1 } }],
    ['from', { ...report, from: 'yesterday' }],
    ['redraw_failed_now', { ...report, redraw_failed_now: null }],
  ])('names %s when it is missing or wrong', (field, body) => {
    expect(readReport(body)).toEqual({ ok: false, field });
  });

  it('reads ended_missing and the by_lab rows in the API\'s order', () => {
    const read = readReport(report);
    expect(read.ok && read.report.ended_missing).toEqual({ results_still_missing: 1, no_redraw: 2, redraw_failed: 0 });
    expect(read.ok && read.report.by_lab.map((row) => [row.lab, row.method, row.redraw_rate])).toEqual([
      ['north-lab', 'walk_in_test', 25],
      ['unknown', 'testkit', null],
    ]);
    expect(readReport({ ...report, by_lab: [] })).toMatchObject({ ok: true, report: { by_lab: [] } });
  });

  it.each([
    ['ended_missing', { ...report, ended_missing: undefined }],
    ['ended_missing', { ...report, ended_missing: { results_still_missing: 1, no_redraw: 2 } }],
    ['ended_missing', { ...report, ended_missing: { results_still_missing: 1, no_redraw: 2, redraw_failed: 0.5 } }],
    ['by_lab', { ...report, by_lab: undefined }],
    ['by_lab', { ...report, by_lab: { lab: 'x' } }],
    ['by_lab[1]', { ...report, by_lab: [labRow, 'north-lab'] }],
    ['by_lab[0].lab', { ...report, by_lab: [{ ...labRow, lab: 'North Lab, 5th Street' }] }],
    ['by_lab[0].lab', { ...report, by_lab: [{ ...labRow, lab: '' }] }],
    ['by_lab[0].method', { ...report, by_lab: [{ ...labRow, method: 7 }] }],
    ['by_lab[0].completed', { ...report, by_lab: [{ ...labRow, completed: -1 }] }],
    ['by_lab[0].with_redraw', { ...report, by_lab: [{ ...labRow, with_redraw: 5 }] }],
    ['by_lab[0].ended_missing', { ...report, by_lab: [{ ...labRow, ended_missing: '1' }] }],
    ['by_lab[0].redraw_rate', { ...report, by_lab: [{ ...labRow, redraw_rate: null }] }],
    ['by_lab[0].redraw_rate', { ...report, by_lab: [{ ...labRow, redraw_rate: 120 }] }],
    ['by_lab[1].redraw_rate', { ...report, by_lab: [labRow, { ...nullRow, redraw_rate: 0 }] }],
    ['by_lab[0].time_to_redraw_results_hours', { ...report, by_lab: [{ ...labRow, time_to_redraw_results_hours: { n: 1 } }] }],
    ['by_lab[0].failure_types', { ...report, by_lab: [{ ...labRow, failure_types: { 'Not enough!': 1 } }] }],
    ['by_lab[0].failure_types', { ...report, by_lab: [{ ...labRow, failure_types: { non_failure: -2 } }] }],
    ['by_lab[0].failure_types', { ...report, by_lab: [{ ...labRow, failure_types: null }] }],
  ])('names %s when ended_missing or a by_lab row is missing or wrong', (field, body) => {
    expect(readReport(body)).toEqual({ ok: false, field });
  });

  it('refuses what is no document at all', () => {
    expect(readReport(null)).toEqual({ ok: false, field: 'the document' });
    expect(readReport([report])).toEqual({ ok: false, field: 'the document' });
  });
});

describe('knownZone', () => {
  it('keeps an IANA zone the runtime knows and falls back to UTC otherwise', () => {
    expect(knownZone('America/New_York')).toBe('America/New_York');
    expect(knownZone('Mars/Olympus_Mons')).toBe('UTC');
  });
});
