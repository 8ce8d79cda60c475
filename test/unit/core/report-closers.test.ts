/**
 * Closes by person (CONTRACT §11 `closes_by_person`; core/report-closers.ts,
 * core/report-tallies.ts, core/report-counts.ts): counted from each follow-up's
 * `closed` tally by its actor, the tracker's own left out, with the name an EHR
 * gave that person on their latest close; a window answers what was counted in
 * it, partial when it starts before counting began or holds a person's close
 * without its actor, and null only when nothing was ever counted.
 */
import { describe, expect, it } from 'vitest';
import { assembleReport } from '../../../functions/core/report';
import { closerDisplayOf, closerRows, closesByPerson, MAX_ACTOR_DISPLAY } from '../../../functions/core/report-closers';
import { addReportCounts } from '../../../functions/core/report-counts';
import { countsOfTallies, followUpTallies, type Tally } from '../../../functions/core/report-tallies';

const SINCE = '2026-11-10T08:00:00.000000Z';
const WINDOW = { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') };
const NOW = new Date('2026-11-23T10:30:00Z');

function closed(by: string | undefined, disposition: string, at = '2026-11-17T09:00:00.000000Z', display?: string): Tally {
  return { kind: 'closed', at, disposition, hours: { redraw_order: null, acknowledge: null, close: 5 }, ...(by === undefined ? {} : { by }), ...(display === undefined ? {} : { by_display: display }) };
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
      { actor: 'c.ng', actor_display: null, closed: 5 },
      { actor: 'a.lee', actor_display: null, closed: 2 },
      { actor: 'b.kim', actor_display: null, closed: 2 },
    ]);
  });
});

describe('closesByPerson', () => {
  const fromMs = WINDOW.from.getTime();
  const one = [{ actor: 'j.doe', actor_display: null, closed: 1 }];
  it('answers null only when nothing was ever counted', () => {
    expect(closesByPerson({ fromMs, since: null, byActor: {}, peopleCloses: 0 })).toEqual({ rows: null, partial: null });
  });

  it('answers what was counted for a window that starts before counting began, marked partial', () => {
    expect(closesByPerson({ fromMs: Date.parse('2026-11-10T07:59:59.999Z'), since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 3 })).toEqual({ rows: one, partial: true });
    expect(closesByPerson({ fromMs: Date.parse('2026-11-10T08:00:00Z'), since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 1 })).toEqual({ rows: one, partial: false });
  });

  it('marks partial a window holding a person’s close without its actor (an older version’s row or unit)', () => {
    expect(closesByPerson({ fromMs, since: SINCE, byActor: { 'j.doe': 1 }, peopleCloses: 2 })).toEqual({ rows: one, partial: true });
    expect(closesByPerson({ fromMs, since: SINCE, byActor: {}, peopleCloses: 0 })).toEqual({ rows: [], partial: false });
  });
});

describe('the name an EHR gave a closer', () => {
  it('is kept as one line of at most 120 characters, and none when the entry gave none', () => {
    expect(closerDisplayOf({ actor_display: '  Ann\n Lee ' })).toBe('Ann Lee');
    expect(closerDisplayOf({ actor_display: 'x'.repeat(500) })).toHaveLength(MAX_ACTOR_DISPLAY);
    expect(closerDisplayOf({ actor_display: '   ' })).toBeNull();
    expect(closerDisplayOf({ actor_display: 42 })).toBeNull();
    expect(closerDisplayOf({})).toBeNull();
  });

  it('is the latest close’s, whatever grouping the counts were added in; a person without one shows none', () => {
    const tallies = [
      closed('ehr:Practitioner/123', 'other', '2026-11-17T09:00:00.000000Z', 'Ann Lee'),
      closed('ehr:Practitioner/123', 'other', '2026-11-18T09:00:00.000000Z', 'Ann Lee-Park'),
      closed('ehr:Practitioner/123', 'other', '2026-11-16T09:00:00.000000Z'),
      closed('j.doe', 'other'),
    ];
    const late = addReportCounts(countsOfTallies(tallies.slice(1)), countsOfTallies(tallies.slice(0, 1)));
    const early = addReportCounts(countsOfTallies(tallies.slice(0, 1)), countsOfTallies(tallies.slice(1)));
    expect(late.closer_names).toEqual(early.closer_names);
    expect(closerRows(late.closed_by, late.closer_names)).toEqual([
      { actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee-Park', closed: 3 },
      { actor: 'j.doe', actor_display: null, closed: 1 },
    ]);
  });
});

describe('the report’s closes_by_person', () => {
  const tallies = [closed('j.doe', 'patient_declined'), closed('a.lee', 'other'), closed('j.doe', 'patient_unreachable'), closed('tracker', 'redraw_completed')];

  it('answers the people’s closes in the window, most first, with when counting began beside them', () => {
    const report = assembleReport({ window: WINDOW, now: NOW, tallies, open: [], closesCountedSince: SINCE });
    expect(report.closes_by_person).toEqual([
      { actor: 'j.doe', actor_display: null, closed: 2 },
      { actor: 'a.lee', actor_display: null, closed: 1 },
    ]);
    expect(report.closes_counted_since).toBe(SINCE);
    expect(report.closes_partial).toBe(false);
    expect(report.closed_by_people).toBe(3);
  });

  it('answers what was counted for a window that starts before counting began, marked partial; null when it never has', () => {
    const early = assembleReport({ window: WINDOW, now: NOW, tallies: [...tallies, closed(undefined, 'other', '2026-11-16T00:00:00.000000Z')], open: [], closesCountedSince: '2026-11-16T00:00:00.001000Z' });
    expect(early.closes_by_person).toEqual([
      { actor: 'j.doe', actor_display: null, closed: 2 },
      { actor: 'a.lee', actor_display: null, closed: 1 },
    ]);
    expect(early).toMatchObject({ closes_counted_since: '2026-11-16T00:00:00.001000Z', closes_partial: true, closed_by_people: 4 });
    const never = assembleReport({ window: WINDOW, now: NOW, tallies: [], open: [] });
    expect(never).toMatchObject({ closes_by_person: null, closes_counted_since: null, closes_partial: null });
  });
});
