/**
 * The report's pure parts (CONTRACT §11): the window of ?from&to, percentiles,
 * aging buckets, and the tallies a follow-up and a transaction contribute.
 */
import { describe, expect, it } from 'vitest';
import { agingBucket, assembleReport, durations, followUpTallies, parseReportWindow, transactionTallies, weeksOf, wholeWeeksBefore, type ParsedWindow } from '../../../functions/core/report';
import { digestWeek } from '../../../functions/core/digest';

const NOW = new Date('2026-11-23T10:30:00Z');

describe('parseReportWindow', () => {
  it('takes dates as whole days: from at 00:00Z, to through the end of its day', () => {
    expect(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW)).toEqual({
      kind: 'ok',
      window: { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') },
    });
  });

  it('takes date-times as given, in any offset', () => {
    expect(parseReportWindow({ from: '2026-11-16T08:00:00+01:00', to: '2026-11-16T12:00:00Z' }, NOW)).toEqual({
      kind: 'ok',
      window: { from: new Date('2026-11-16T07:00:00Z'), to: new Date('2026-11-16T12:00:00Z') },
    });
  });

  it('defaults to the 7 days up to now, or before `to`', () => {
    expect(parseReportWindow({}, NOW)).toEqual({ kind: 'ok', window: { from: new Date('2026-11-16T10:30:00Z'), to: NOW } });
    expect(parseReportWindow({ to: '2026-01-07' }, NOW)).toEqual({ kind: 'ok', window: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-08T00:00:00Z') } });
  });

  it('refuses what is not a date, days that do not exist, a backwards window and one over 366 days, naming the field', () => {
    expect(parseReportWindow({ from: 'last week' }, NOW)).toEqual({ kind: 'invalid', message: expect.stringMatching(/^from must be a date/) });
    expect(parseReportWindow({ to: '2026-02-29' }, NOW)).toEqual({ kind: 'invalid', message: expect.stringMatching(/^to must be a date/) });
    expect(parseReportWindow({ from: '2026-11-20', to: '2026-11-19' }, NOW)).toEqual({ kind: 'invalid', message: 'from must be before to' });
    expect(parseReportWindow({ from: '2025-11-21', to: '2026-11-22' }, NOW)).toMatchObject({ kind: 'invalid' });
    // 366 days exactly (a leap year's) is allowed.
    expect(parseReportWindow({ from: '2024-01-01', to: '2024-12-31' }, NOW)).toMatchObject({ kind: 'ok' });
  });

  it('refuses a window ending more than a year after today (CONTRACT §11), the end of the same day next year being the last allowed', () => {
    const now = new Date('2026-11-25T15:00:00Z');
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-25' }, now)).toEqual({ kind: 'ok', window: { from: new Date('2027-11-20T00:00:00Z'), to: new Date('2027-11-26T00:00:00Z') } });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26T00:00:00.001Z' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    // The report that answered 500: past year 9999 no instant has an ISO 8601 form the store's keys could hold.
    expect(parseReportWindow({ from: '9999-01-01', to: '9999-12-31' }, now)).toEqual({ kind: 'invalid', message: 'to must be at most a year after today' });
    // 29 February's year after is 1 March; in a zone, its day there.
    expect(parseReportWindow({ from: '2029-02-25', to: '2029-03-01' }, new Date('2028-02-29T12:00:00Z'))).toMatchObject({ kind: 'ok' });
    expect(parseReportWindow({ from: '2029-02-25', to: '2029-03-02' }, new Date('2028-02-29T12:00:00Z'))).toMatchObject({ kind: 'invalid' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-25' }, new Date('2026-11-26T02:00:00Z'), 'America/New_York')).toMatchObject({ kind: 'ok' });
    expect(parseReportWindow({ from: '2027-11-20', to: '2027-11-26' }, new Date('2026-11-26T02:00:00Z'), 'America/New_York')).toMatchObject({ kind: 'invalid' });
  });
});

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

describe('tallies', () => {
  const open = { state: 'acknowledged', opened_at: '2026-11-02T09:00:00.000000Z', acknowledged_at: '2026-11-02T15:00:00.000000Z', closed_at: null, disposition: null };

  it('counts an open follow-up as opened only, a closed one also as closed with its durations', () => {
    expect(followUpTallies(open, null)).toEqual([{ kind: 'opened', at: open.opened_at }]);
    const closed = { ...open, state: 'closed', closed_at: '2026-11-04T09:00:00.000000Z', disposition: 'patient_unreachable' };
    expect(followUpTallies(closed, '2026-11-02T10:30:00.000000Z')).toEqual([
      { kind: 'opened', at: open.opened_at },
      { kind: 'closed', at: closed.closed_at, disposition: 'patient_unreachable', hours: { redraw_order: 1.5, acknowledge: 6, close: 48 } },
    ]);
  });

  it('counts every transaction that ended (completed or cancelled, any method) once, with its lab, method and how it ended; not an active one', () => {
    const base = { status: 'completed', updated_at: '2026-11-05T09:00:00.000000Z', collection_method: 'walk_in_test', had_redraw: false };
    const ended = { kind: 'ended', at: base.updated_at, with_redraw: false, completed: true, walk_in: true, lab: null, method: 'walk_in_test', missing: null, redraw_results_hours: null };
    expect(transactionTallies(base)).toEqual([ended]);
    // A redraw exists only for walk-in orders: one with a redraw is walk-in whatever its stored method.
    expect(transactionTallies({ ...base, collection_method: null, had_redraw: true })).toEqual([{ ...ended, with_redraw: true, method: null }]);
    expect(transactionTallies({ ...base, status: 'active' })).toEqual([]);
    expect(transactionTallies({ ...base, status: 'cancelled' })).toEqual([{ ...ended, completed: false }]);
    expect(transactionTallies({ ...base, collection_method: 'testkit', lab: 'quest', missing: 'no_redraw' })).toEqual([{ ...ended, walk_in: false, method: 'testkit', lab: 'quest', missing: 'no_redraw' }]);
  });

  it("counts a follow-up's causing failure types where its transaction ended, once it has both", () => {
    const closed = { ...open, state: 'closed', closed_at: '2026-11-04T09:00:00.000000Z', disposition: 'patient_unreachable' };
    const end = { at: '2026-11-04T08:00:00.000000Z', lab: 'quest', method: 'walk_in_test' };
    expect(followUpTallies(closed, null, { ended: end, failure_types: { internal_lab_failure: 2 } }).at(-1)).toEqual({ kind: 'failures', ...end, failure_types: { internal_lab_failure: 2 } });
    expect(followUpTallies(closed, null, { ended: null, failure_types: { internal_lab_failure: 2 } }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
    expect(followUpTallies(closed, null, { ended: end, failure_types: null }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
    expect(followUpTallies(closed, null, { ended: end, failure_types: {} }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
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
      time_zone: 'UTC',
      // redraw_completed is the tracker's close, patient_declined a person's.
      closed_by_people: 1,
      closed_by_tracker: 1,
      redraw_failed_now: 1,
      // Every attention counted, 0 when no open follow-up has it (CONTRACT §9: each waits for a person's decision).
      attention_now: { redraw_failed: 1, results_still_missing: 0, no_redraw: 2 },
    });
    // §11's fields in its order, then the extensions.
    expect(Object.keys(report)).toEqual([
      'from', 'to', 'opened', 'closed', 'by_disposition', 'open_now', 'stale_now', 'unassigned_now', 'aging_now', 'time_to_redraw_order_hours', 'time_to_acknowledge_hours', 'time_to_close_hours', 'walk_in_completed', 'with_redraw',
      'ended_missing', 'by_lab', 'time_zone', 'closed_by_people', 'closed_by_tracker', 'redraw_failed_now', 'attention_now',
    ]);
  });
});

describe("the report's window in DIGEST_TIMEZONE (CONTRACT §11: dates are days there, weeks Monday to Sunday)", () => {
  const NOW = new Date('2026-11-25T10:00:00Z'); // a Wednesday
  const at = (window: ParsedWindow) => (window.kind === 'ok' ? [window.window.from.toISOString(), window.window.to.toISOString()] : window.message);

  it('reads a date as that day in the zone: from its 00:00, to its end', () => {
    expect(at(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW))).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(at(parseReportWindow({ from: '2026-11-16', to: '2026-11-22' }, NOW, 'Europe/Berlin'))).toEqual(['2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z']);
    expect(at(parseReportWindow({ from: '2026-07-01', to: '2026-07-01' }, NOW, 'America/New_York'))).toEqual(['2026-07-01T04:00:00.000Z', '2026-07-02T04:00:00.000Z']);
    // A date-time is what it says, whatever the zone.
    expect(at(parseReportWindow({ from: '2026-11-16T12:00:00Z', to: '2026-11-17T12:00:00Z' }, NOW, 'Europe/Berlin'))).toEqual(['2026-11-16T12:00:00.000Z', '2026-11-17T12:00:00.000Z']);
  });

  it('takes weeks=N as the N whole weeks before the current one, the digest\'s weeks', () => {
    expect(at(parseReportWindow({ weeks: '2' }, NOW))).toEqual(['2026-11-09T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(at(parseReportWindow({ weeks: '1' }, NOW, 'Europe/Berlin'))).toEqual([digestWeek(NOW, 'Europe/Berlin').from.toISOString(), digestWeek(NOW, 'Europe/Berlin').to.toISOString()]);
    for (const bad of ['0', '53', 'two', '1.5', '']) expect(at(parseReportWindow({ weeks: bad }, NOW))).toBe('weeks must be a whole number from 1 to 52');
    expect(at(parseReportWindow({ weeks: '2', from: '2026-11-01' }, NOW))).toBe('weeks cannot be combined with from or to');
  });

  it('cuts a window into its weeks at Mondays 00:00, marking the ones it cuts partial', () => {
    const weeks = weeksOf({ from: new Date('2026-11-12T00:00:00Z'), to: new Date('2026-11-25T10:00:00Z') }, 'UTC');
    expect(weeks.map((week) => [week.from.toISOString().slice(0, 10), week.to.toISOString().slice(0, 13), week.partial])).toEqual([
      ['2026-11-12', '2026-11-16T00', true],
      ['2026-11-16', '2026-11-23T00', false],
      ['2026-11-23', '2026-11-25T10', true],
    ]);
    // A week with a DST change is 169 hours long in its zone, and still whole.
    const autumn = weeksOf(wholeWeeksBefore(new Date('2026-10-28T12:00:00Z'), 1, 'Europe/Berlin'), 'Europe/Berlin');
    expect(autumn).toHaveLength(1);
    expect(autumn[0]!.partial).toBe(false);
    expect((autumn[0]!.to.getTime() - autumn[0]!.from.getTime()) / 3_600_000).toBe(169);
  });
});
