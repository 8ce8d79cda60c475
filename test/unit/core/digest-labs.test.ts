/**
 * The weekly digest's issue-48 lines (CONTRACT §11), pure: which lab and method
 * has the highest redraw rate among those with at least 20 completed (the
 * threshold's edge, ties by §11's row order, null rates), its figures the week
 * before, and the words of both lines.
 */
import { describe, expect, it } from 'vitest';
import {
  DIGEST_LAB_MIN_COMPLETED,
  digestLabRate,
  endedMissingParts,
  endedMissingWords,
  highestRedrawRate,
  labRateWords,
  type DigestLabRate,
} from '../../../functions/core/digest-labs';
import type { ByLab } from '../../../functions/core/report';

/** A by_lab row: `with_redraw` of `completed`, its rate as the report rounds it (null with none completed). */
function row(lab: string, method: string, completed: number, withRedraw: number, extra: Partial<ByLab> = {}): ByLab {
  return {
    lab,
    method,
    completed,
    with_redraw: withRedraw,
    redraw_rate: completed === 0 ? null : Math.round((1000 * withRedraw) / completed) / 10,
    ended_missing: 0,
    time_to_redraw_results_hours: { n: 0, p50: null, p90: null },
    failure_types: {},
    ...extra,
  };
}

describe('the lab and method with the highest redraw rate (highestRedrawRate)', () => {
  it('counts only rows with at least 20 completed: 19 is too few, 20 is enough', () => {
    expect(DIGEST_LAB_MIN_COMPLETED).toBe(20);
    const nineteen = row('quest', 'walk_in_test', 19, 10);
    const twenty = row('labcorp', 'walk_in_test', 20, 2);
    expect(highestRedrawRate([nineteen, twenty])).toBe(twenty);
    expect(highestRedrawRate([nineteen])).toBeNull();
    expect(highestRedrawRate([row('quest', 'walk_in_test', 20, 10), twenty])?.lab).toBe('quest');
  });

  it('gives a tie to the row that comes first in the report (§11: rate, then lab, then method)', () => {
    const first = row('labcorp', 'walk_in_test', 40, 4);
    const second = row('quest', 'testkit', 20, 2);
    const third = row('quest', 'walk_in_test', 50, 5);
    expect(first.redraw_rate).toBe(second.redraw_rate);
    expect(highestRedrawRate([first, second, third])).toBe(first);
    expect(highestRedrawRate([third, second, first])).toBe(third);
  });

  it('never names a null rate, nor a row with nothing completed; none at all reads null', () => {
    expect(highestRedrawRate([row('unknown', 'testkit', 0, 0, { ended_missing: 30 })])).toBeNull();
    expect(highestRedrawRate([row('quest', 'testkit', 25, 0, { redraw_rate: null }), row('labcorp', 'testkit', 25, 0)])?.lab).toBe('labcorp');
    expect(highestRedrawRate([])).toBeNull();
    // A rate of 0 over enough completed is still the highest when it is the only one.
    expect(highestRedrawRate([row('labcorp', 'walk_in_test', 30, 0)])?.redraw_rate).toBe(0);
  });
});

describe('its figures beside the same lab and method the week before (digestLabRate)', () => {
  const last = [row('quest', 'walk_in_test', 96, 22, { failure_types: { internal_lab_failure: 4 }, ended_missing: 2 }), row('labcorp', 'walk_in_test', 84, 12)];

  it('takes the week before of the same lab and method, not the week before\'s own highest', () => {
    const before = [row('labcorp', 'walk_in_test', 90, 30), row('quest', 'testkit', 30, 1), row('quest', 'walk_in_test', 100, 18)];
    expect(digestLabRate({ by_lab: last }, { by_lab: before })).toEqual({
      lab: 'quest',
      method: 'walk_in_test',
      completed: 96,
      with_redraw: 22,
      redraw_rate: 22.9,
      week_before: { completed: 100, with_redraw: 18, redraw_rate: 18 },
    });
  });

  it('says null for the week before when that lab and method had no row, or the week before is not known; null in all without 20 completed', () => {
    expect(digestLabRate({ by_lab: last }, { by_lab: [row('quest', 'testkit', 30, 1)] })?.week_before).toBeNull();
    expect(digestLabRate({ by_lab: last }, null)?.week_before).toBeNull();
    expect(digestLabRate({ by_lab: [row('quest', 'walk_in_test', 19, 19)] }, { by_lab: last })).toBeNull();
  });
});

describe('the words', () => {
  const rate = (weekBefore: DigestLabRate['week_before']): DigestLabRate => ({ lab: 'quest', method: 'walk_in_test', completed: 96, with_redraw: 22, redraw_rate: 22.9, week_before: weekBefore });

  it('names the lab and method, its rate per 100 with one decimal and its counts, beside the week before', () => {
    expect(labRateWords(rate({ completed: 100, with_redraw: 18, redraw_rate: 18 }), true)).toBe(
      'Highest redraw rate (20 or more completed): quest walk_in_test, 22.9 per 100 (22 of 96; week before 18.0 per 100, 18 of 100).',
    );
    expect(labRateWords(rate(null), true)).toBe('Highest redraw rate (20 or more completed): quest walk_in_test, 22.9 per 100 (22 of 96; week before -).');
    // Fewer than 20 the week before: no rate to compare, but how many it had.
    expect(labRateWords(rate({ completed: 19, with_redraw: 10, redraw_rate: 52.6 }), true)).toBe(
      'Highest redraw rate (20 or more completed): quest walk_in_test, 22.9 per 100 (22 of 96; week before -, 19 completed).',
    );
    expect(labRateWords(rate({ completed: 20, with_redraw: 0, redraw_rate: 0 }), true)).toContain('(22 of 96; week before 0.0 per 100, 0 of 20).');
    expect(labRateWords(rate(null), false)).toBe('Highest redraw rate (20 or more completed): quest walk_in_test, 22.9 per 100 (22 of 96).');
    expect(labRateWords(null, true)).toBe('No lab and method completed 20 transactions last week.');
  });

  it('counts the transactions that ended without all their results, by how (only the ways some ended), beside the week before', () => {
    expect(endedMissingWords({ results_still_missing: 2, no_redraw: 3, redraw_failed: 1 }, { results_still_missing: 0, no_redraw: 4, redraw_failed: 0 })).toBe(
      '6 transactions ended without all their results (week before 4): 2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed.',
    );
    expect(endedMissingWords({ results_still_missing: 0, no_redraw: 1, redraw_failed: 0 }, null)).toBe('1 transaction ended without all their results: 1 with no redraw possible.');
    expect(endedMissingWords({ results_still_missing: 0, no_redraw: 0, redraw_failed: 0 }, { results_still_missing: 1, no_redraw: 0, redraw_failed: 2 })).toBe(
      'No transaction ended without all its results (week before 3).',
    );
    expect(endedMissingParts({ results_still_missing: 0, no_redraw: 2, redraw_failed: 0 }, true)).toBe('0 incomplete after a redraw, 2 with no redraw possible, 0 redraw failed');
  });
});
