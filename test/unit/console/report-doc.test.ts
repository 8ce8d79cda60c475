import { describe, expect, it } from 'vitest';
import { knownZone, readReport } from '../../../console/src/report/report-doc';

const report = {
  from: '2026-11-16T00:00:00.000000Z',
  to: '2026-11-23T00:00:00.000000Z',
  opened: 5,
  closed: 3,
  by_disposition: { redraw_completed: 2, patient_declined: 1 },
  open_now: 7,
  stale_now: 2,
  unassigned_now: 1,
  aging_now: { '0_7': 3, '8_14': 2, '15_30': 1, over_30: 1 },
  time_to_redraw_order_hours: { n: 2, p50: 20, p90: 40 },
  time_to_acknowledge_hours: { n: 0, p50: null, p90: null },
  time_to_close_hours: { n: 3, p50: 70.5, p90: 200 },
  walk_in_completed: 10,
  with_redraw: 2,
  time_zone: 'Europe/Berlin',
  closed_by_people: 1,
  closed_by_tracker: 2,
  redraw_failed_now: 1,
};

describe('readReport', () => {
  it('reads a whole report as the API answers it', () => {
    expect(readReport(report)).toEqual({ ok: true, report: { ...report, results_still_missing_now: 0, no_redraw_now: 0 } });
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
