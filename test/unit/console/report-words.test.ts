import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationsCell, redrawRateCell } from '../../../cli/report-views';
import { hoursWords as digestHoursWords } from '../../../functions/core/digest-words';
import { REASON_TEXT } from '../../../functions/core/next-steps';
import { statusWords } from '../../../functions/core/status';
import {
  agingRoute,
  AGING_BUCKETS,
  dispositionRows,
  durationsWords,
  hoursWords,
  instantWords,
  isTrackerDisposition,
  redrawRateWords,
} from '../../../console/src/report/report-words';
import { sinceWords } from '../../../console/src/lib/time';
import { reasonWords } from '../../../console/src/lib/words';

const durations = fc.record({
  n: fc.nat({ max: 1000 }),
  p50: fc.option(fc.double({ min: 0, max: 5000, noNaN: true })),
  p90: fc.option(fc.double({ min: 0, max: 5000, noNaN: true })),
});

describe('the ports say what the CLI and the digest say', () => {
  it('hoursWords equals the digest\'s (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 100_000, noNaN: true }), (hours) => {
        expect(hoursWords(hours)).toBe(digestHoursWords(hours));
      }),
    );
  });

  it('durationsWords equals the CLI\'s durationsCell (property)', () => {
    fc.assert(fc.property(durations, (d) => {
        expect(durationsWords(d)).toBe(durationsCell(d));
      }),
    );
  });

  it('redrawRateWords equals the CLI\'s redrawRateCell (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 }), (a, b) => {
        const report = { walk_in_completed: Math.max(a, b), with_redraw: Math.min(a, b) };
        expect(redrawRateWords(report)).toBe(redrawRateCell(report));
      }),
    );
  });

  it('reasonWords equals next-steps REASON_TEXT words for every reason it knows, and spaces out one it does not', () => {
    for (const [reason, text] of Object.entries(REASON_TEXT)) expect(reasonWords(reason)).toBe(text.words);
    expect(reasonWords('lab_on_fire')).toBe('lab on fire');
  });

  it('says durations and the rate as the CLI does', () => {
    expect(durationsWords({ n: 0, p50: null, p90: null })).toBe('- (n 0)');
    expect(durationsWords({ n: 14, p50: 12.5, p90: 151.2 })).toBe('p50 12.5 h · p90 6.3 days (n 14)');
    expect(redrawRateWords({ with_redraw: 1, walk_in_completed: 3 })).toBe('33.3% (1 of 3 completed walk-in transactions had a redraw)');
    expect(statusWords('redraw_available')).toMatch(/redraw is offered/);
  });
});

describe('dispositions', () => {
  it('lists the dispositions that occur, most first, then by name', () => {
    expect(dispositionRows({ patient_declined: 2, redraw_completed: 5, cancelled: 2, other: 0 })).toEqual([
      ['redraw_completed', 5],
      ['cancelled', 2],
      ['patient_declined', 2],
    ]);
  });

  it('tells the tracker\'s dispositions from people\'s', () => {
    expect(['redraw_completed', 'cancelled', 'results_received'].every(isTrackerDisposition)).toBe(true);
    expect(['patient_declined', 'patient_unreachable', 'clinician_accepted_partial_results', 'tested_elsewhere', 'reordered', 'other'].some(isTrackerDisposition)).toBe(false);
  });
});

describe('aging links', () => {
  it('links each bucket to the open worklist filtered to it', () => {
    expect(AGING_BUCKETS.map((bucket) => agingRoute(bucket.key))).toEqual([
      '/worklist?queue=open&age=0_7',
      '/worklist?queue=open&age=8_14',
      '/worklist?queue=open&age=15_30',
      '/worklist?queue=open&age=over_30',
    ]);
  });
});

describe('times', () => {
  it('shows an instant in the report\'s zone, naming it', () => {
    expect(instantWords('2026-11-16T09:30:00.000000Z')).toBe('2026-11-16 09:30 UTC');
    expect(instantWords('2026-11-16T09:30:00Z', 'Europe/Berlin')).toBe('2026-11-16 10:30 Europe/Berlin');
    expect(instantWords('not a time')).toBe('not a time');
  });

  it('says how long ago in the largest whole unit', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(sinceWords('2026-11-24T11:59:30Z', now)).toBe('0 minutes');
    expect(sinceWords('2026-11-24T11:00:00Z', now)).toBe('1 hour');
    expect(sinceWords('2026-11-23T00:00:00Z', now)).toBe('36 hours');
    expect(sinceWords('2026-11-15T12:00:00Z', now)).toBe('9 days');
    expect(sinceWords('2026-11-25T12:00:00Z', now)).toBe('0 minutes');
  });
});
