import { describe, expect, it } from 'vitest';
import { FAILURE_TYPE_WORDS } from '../../../functions/core/missing-words';
import {
  clip,
  ENDED_MISSING_WORDS,
  endedMissingTotal,
  failureTypeCountWords,
  failureTypeRows,
  failureTypeTotals,
  labRowName,
  methodWords,
  rateBarWords,
  rateWords,
  rowFailureWords,
} from '../../../console/src/report/report-labs';

describe('the by-lab rows in words', () => {
  it('says a method code with spaces, and a row by its lab and method', () => {
    expect(methodWords('at_home_phlebotomy')).toBe('at home phlebotomy');
    expect(labRowName({ lab: 'north-lab', method: 'walk_in_test' })).toBe('north-lab, walk in test');
    expect(labRowName({ lab: 'unknown', method: 'unknown' })).toBe('unknown, unknown');
  });

  it('says a rate per 100, and "-" where nothing completed', () => {
    expect(rateWords(22.9)).toBe('22.9 per 100');
    expect(rateWords(0)).toBe('0 per 100');
    expect(rateWords(null)).toBe('-');
  });

  it('writes a rate beside its bar with its counts, and "no completions" where there is no rate (never a zero)', () => {
    expect(rateBarWords({ redraw_rate: 33.3, with_redraw: 1, completed: 3 })).toBe('33.3 per 100 (1 of 3)');
    expect(rateBarWords({ redraw_rate: 0, with_redraw: 0, completed: 2 })).toBe('0 per 100 (0 of 2)');
    expect(rateBarWords({ redraw_rate: null, with_redraw: 0, completed: 0 })).toBe('no completions');
  });
});

describe('failure types', () => {
  it('lists those that occur, the most first, then by code', () => {
    expect(failureTypeRows({ non_failure: 1, internal_lab_failure: 3, drop_off_failure: 1, unknown_failure: 0 })).toEqual([
      ['internal_lab_failure', 3],
      ['drop_off_failure', 1],
      ['non_failure', 1],
    ]);
    expect(failureTypeRows({})).toEqual([]);
  });

  it('sums every row\'s failure types, the largest first', () => {
    const rows: { failure_types: Record<string, number> }[] = [
      { failure_types: { non_failure: 1, quantity_not_sufficient_failure: 1 } },
      { failure_types: {} },
      { failure_types: { quantity_not_sufficient_failure: 2, internal_lab_failure: 2 } },
    ];
    expect(failureTypeTotals(rows)).toEqual([
      ['quantity_not_sufficient_failure', 3],
      ['internal_lab_failure', 2],
      ['non_failure', 1],
    ]);
    expect(failureTypeTotals([])).toEqual([]);
  });

  it('says a type in missing-words\' words with its code, and one it does not know as its code with spaces', () => {
    expect(failureTypeCountWords('quantity_not_sufficient_failure', 2)).toBe(`2 ${FAILURE_TYPE_WORDS.quantity_not_sufficient_failure} (quantity_not_sufficient_failure)`);
    expect(failureTypeCountWords('new_kind_failure', 1)).toBe('1 new kind failure (new_kind_failure)');
  });

  it('says a row\'s types the most first, or "none counted"', () => {
    expect(rowFailureWords({ non_failure: 1, internal_lab_failure: 2 })).toBe(
      `2 ${FAILURE_TYPE_WORDS.internal_lab_failure} (internal_lab_failure), 1 ${FAILURE_TYPE_WORDS.non_failure} (non_failure)`,
    );
    expect(rowFailureWords({})).toBe('none counted');
    expect(rowFailureWords({ non_failure: 0 })).toBe('none counted');
  });
});

describe('ended without all results', () => {
  it('says the three ways in the contract\'s order, and their total', () => {
    expect(ENDED_MISSING_WORDS.map(({ key }) => key)).toEqual(['results_still_missing', 'no_redraw', 'redraw_failed']);
    expect(ENDED_MISSING_WORDS.map(({ words }) => words)).toEqual(['Redraw came back incomplete', 'No redraw possible', 'Redraw failed']);
    expect(endedMissingTotal({ results_still_missing: 1, no_redraw: 4, redraw_failed: 2 })).toBe(7);
  });
});

describe('clip', () => {
  it('keeps a label that fits, and shortens a longer one to the limit with an ellipsis', () => {
    expect(clip('north-lab, walk in test', 30)).toBe('north-lab, walk in test');
    expect(clip('abcdefghij', 10)).toBe('abcdefghij');
    expect(clip('abcdefghijk', 10)).toBe('abcdefghi…');
    expect(clip('abcdefghijk', 10)).toHaveLength(10);
  });
});
