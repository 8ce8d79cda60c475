/**
 * Closes by person (CONTRACT §11 `closes_by_person`; core/report-closers.ts,
 * core/report-tallies.ts, core/report-counts.ts): counted from each follow-up's
 * `closed` tally by its actor, the tracker's own left out, and claimed only for
 * a window that starts once counting began and whose people's closes all carry
 * their actor.
 */
import { describe, expect, it } from 'vitest';
import { assembleReport } from '../../../functions/core/report';
import { closerRows, closesByPerson } from '../../../functions/core/report-closers';
import { addReportCounts } from '../../../functions/core/report-counts';
import { countsOfTallies, followUpTallies, type Tally } from '../../../functions/core/report-tallies';

const SINCE = '2026-11-10T08:00:00.000000Z';
const WINDOW = { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') };
const NOW = new Date('2026-11-23T10:30:00Z');

function closed(by: string | undefined, disposition: string, at = '2026-11-17T09:00:00.000000Z'): Tally {
  return { kind: 'closed', at, disposition, hours: { redraw_order: null, acknowledge: null, close: 5 }, ...(by === undefined ? {} : { by }) };
}

describe('a follow-up’s closed tally', () => {
  it('carries who closed it, and only while it is closed', () => {
    const followUp = { state: 'closed', opened_at: '2026-11-02T09:00:00.000000Z', acknowledged_at: null, closed_at: '2026-11-04T09:00:00.000000Z', disposition: 'patient_declined', closed_by: 'j.doe' };
    expect(followUpTallies(followUp, null).find((tally) => tally.kind === 'closed')).toMatchObject({ by: 'j.doe' });
    // Reopened: its close is no longer counted (a second close counts once, at its own time, by its own actor).
    expect(followUpTallies({ ...followUp, state: 'acknowledged', closed_at: null, closed_by: null }, null).map((tally) => tally.kind)).toEqual(['opened']);
  });
});

describe('counting closes by actor', () => {
  it('counts people’s closes by actor, never the tracker’s, nor a row without an actor', () => {
    const counts = countsOfTallies([closed('j.doe', 'patient_declined'), closed('a.lee', 'other'), closed('j.doe', 'reordered'), closed('tracker', 'redraw_completed'), closed(undefined, 'tested_elsewhere')]);
    expect(counts.closed_by).toEqual({ 'j.doe': 2, 'a.lee': 1 });
    expect(counts.by_disposition).toMatchObject({ patient_declined: 1, other: 1, reordered: 1, redraw_completed: 1, tested_elsewhere: 1 });
  });

  it('adds the same whatever the grouping (hours and days of units, or the rows)', () => {
    const tallies = [closed('j.doe', 'other'), closed('a.lee', 'other'), closed('j.doe', 'other'), closed('tracker', 'cancelled')];
    const grouped = addReportCounts(countsOfTallies(tallies.slice(0, 2)), countsOfTallies(tallies.slice(2)));
    expect(grouped.closed_by).toEqual(countsOfTallies(tallies).closed_by);
  });
});

describe('closerRows', () => {
  it('orders most closes first, a tie by actor, and leaves out zero', () => {
    expect(closerRows({ 'b.kim': 2, 'c.ng': 5, 'a.lee': 2, 'z.ero': 0 })).toEqual([
      { actor: 'c.ng', closed: 5 },
      { actor: 'a.lee', closed: 2 },
      { actor: 'b.kim', closed: 2 },
    ]);
  });
});

describe('closesByPerson', () => {
  const fromMs = WINDOW.from.getTime();
  it('claims nothing before counting began, nor before anything was counted', () => {
    expect(closesByPerson({ fromMs, since: null, byActor: {}, peopleCloses: 0 })).toBeNull();
    expect(closesByPerson({ fromMs: Date.parse('2026-11-10T07:59:59.999Z'), since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 1 })).toBeNull();
    expect(closesByPerson({ fromMs: Date.parse('2026-11-10T08:00:00Z'), since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 1 })).toEqual([{ actor: 'j.doe', closed: 1 }]);
  });

  it('claims nothing for a window holding a person’s close without its actor (an older version’s row or unit)', () => {
    expect(closesByPerson({ fromMs, since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 2 })).toBeNull();
    expect(closesByPerson({ fromMs, since: SINCE, byActor: {}, peopleCloses: 0 })).toEqual([]);
  });
});

describe('the report’s closes_by_person', () => {
  const tallies = [closed('j.doe', 'patient_declined'), closed('a.lee', 'other'), closed('j.doe', 'patient_unreachable'), closed('tracker', 'redraw_completed')];

  it('answers the people’s closes in the window, most first, with when counting began beside them', () => {
    const report = assembleReport({ window: WINDOW, now: NOW, tallies, open: [], closesCountedSince: SINCE });
    expect(report.closes_by_person).toEqual([
      { actor: 'j.doe', closed: 2 },
      { actor: 'a.lee', closed: 1 },
    ]);
    expect(report.closes_counted_since).toBe(SINCE);
    expect(report.closed_by_people).toBe(3);
  });

  it('answers null for a window that starts before counting began, or when it never has', () => {
    const early = assembleReport({ window: WINDOW, now: NOW, tallies, open: [], closesCountedSince: '2026-11-16T00:00:00.001000Z' });
    expect(early.closes_by_person).toBeNull();
    expect(early.closes_counted_since).toBe('2026-11-16T00:00:00.001000Z');
    const never = assembleReport({ window: WINDOW, now: NOW, tallies: [], open: [] });
    expect(never).toMatchObject({ closes_by_person: null, closes_counted_since: null });
  });
});
