import { describe, expect, it } from 'vitest';
import { FAILURE_TYPE_WORDS } from '../../../functions/core/missing-words';
import {
  clip,
  ENDED_MISSING_WORDS,
  endedMissingTotal,
  failureTypeCountWords,
  failureTypeRows,
  failureRows,
  failureTypeTotals,
  groupLabRows,
  labRowName,
  labWords,
  markersWords,
  methodWords,
  missingMarkers,
  RANK_MIN_COMPLETED,
  rateBarWords,
  rateWords,
  rowIntervalWords,
} from '../../../console/src/report/report-labs';
import type { ByLabRow } from '../../../console/src/report/report-doc';

/** A by-lab row with `with_redraw` of `completed` (the API's rate, one decimal) and the given failure types. */
function row(lab: string, method: string, withRedraw: number, completed: number, failureTypes: Record<string, number> = {}): ByLabRow {
  return {
    lab,
    method,
    completed,
    with_redraw: withRedraw,
    redraw_rate: completed === 0 ? null : Math.round((withRedraw / completed) * 1000) / 10,
    ended_missing: 0,
    time_to_redraw_results_hours: { n: 0, p50: null, p90: null },
    failure_types: failureTypes,
  };
}

describe('the by-lab rows in words', () => {
  it('says a method code with spaces, and a row by its lab in words with its code, and its method', () => {
    expect(methodWords('at_home_phlebotomy')).toBe('at home phlebotomy');
    expect(labWords('sonora_quest')).toBe('Sonora Quest (sonora_quest)');
    expect(labRowName({ lab: 'quest', method: 'walk_in_test' })).toBe('Quest Diagnostics (quest), walk in test');
    // A slug with no known name reads as its code alone; the report's "unknown" as no lab given.
    expect(labRowName({ lab: 'north-lab', method: 'walk_in_test' })).toBe('north-lab, walk in test');
    expect(labRowName({ lab: 'unknown', method: 'testkit' })).toBe('Lab not given (unknown), testkit');
  });

  it('says a rate in percent with its sample, and "no completions" where nothing completed', () => {
    expect(rateWords({ redraw_rate: 22.9, with_redraw: 22, completed: 96 })).toBe('22.9% (22 of 96)');
    expect(rateWords({ redraw_rate: 0, with_redraw: 0, completed: 2 })).toBe('0% (0 of 2)');
    expect(rateWords({ redraw_rate: null, with_redraw: 0, completed: 0 })).toBe('no completions');
  });

  it('says each rate with its sample and its 95% Wilson interval, and no interval where there is no rate', () => {
    expect(rowIntervalWords({ with_redraw: 3, completed: 9 })).toBe('12.1 to 64.6%');
    expect(rowIntervalWords({ with_redraw: 0, completed: 0 })).toBe('-');
    expect(rateBarWords({ redraw_rate: 33.3, with_redraw: 3, completed: 9 })).toBe('33.3% (3 of 9), 95% interval 12.1 to 64.6%');
    expect(rateBarWords({ redraw_rate: 50, with_redraw: 1, completed: 2 })).toBe('50% (1 of 2), 95% interval 9.5 to 90.5%');
    expect(rateBarWords({ redraw_rate: null, with_redraw: 0, completed: 0 })).toBe('no completions');
  });
});

describe('the by-lab rows in groups', () => {
  const rows = [
    row('quest', 'walk_in_test', 1, 2),
    row('labcorp', 'walk_in_test', 5, 40),
    row('bioreference', 'walk_in_test', 3, 9),
    row('quest', 'testkit', 0, 30),
    row('labcorp', 'at_home_phlebotomy', 2, 10),
    row('east-lab', 'walk_in_test', 0, 0),
    row('sonora_quest', 'walk_in_test', 0, 2),
  ];

  it('ranks only rows with 10 or more completed and a redraw, in the API\'s order; lists those with fewer apart, by name; folds those without a redraw', () => {
    expect(RANK_MIN_COMPLETED).toBe(10);
    const groups = groupLabRows(rows);
    const names = (list: readonly ByLabRow[]) => list.map((r) => `${r.lab} ${r.method}`);
    // 1 of 2 and 3 of 9 are never ranked above 5 of 40, whatever their rates.
    expect(names(groups.ranked)).toEqual(['labcorp walk_in_test', 'labcorp at_home_phlebotomy']);
    expect(names(groups.tooFew)).toEqual(['bioreference walk_in_test', 'quest walk_in_test']);
    expect(names(groups.zero)).toEqual(['east-lab walk_in_test', 'quest testkit', 'sonora_quest walk_in_test']);
  });

  it('puts every row in exactly one group', () => {
    const groups = groupLabRows(rows);
    expect(groups.ranked.length + groups.tooFew.length + groups.zero.length).toBe(rows.length);
    expect(new Set([...groups.ranked, ...groups.tooFew, ...groups.zero])).toEqual(new Set(rows));
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

  it('counts missing markers, and says them with their unit', () => {
    expect(missingMarkers({ non_failure: 1, internal_lab_failure: 2 })).toBe(3);
    expect(missingMarkers({})).toBe(0);
    expect(markersWords(1)).toBe('1 missing marker');
    expect(markersWords(9)).toBe('9 missing markers');
  });

  it('stacks the rows with a failure type counted, the most missing markers first, then by lab and method', () => {
    const rows = [
      row('quest', 'walk_in_test', 1, 20, { internal_lab_failure: 1 }),
      row('labcorp', 'walk_in_test', 2, 20, { collection_process_failure: 2, internal_lab_failure: 1 }),
      row('bioreference', 'walk_in_test', 0, 20),
      row('labcorp', 'testkit', 0, 4, { quantity_not_sufficient_failure: 1 }),
    ];
    expect(failureRows(rows).map((r) => `${r.lab} ${r.method}`)).toEqual(['labcorp walk_in_test', 'labcorp testkit', 'quest walk_in_test']);
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
