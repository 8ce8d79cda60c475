/**
 * What is missing and why, in words (functions/core/missing-words.ts): the one
 * text the notices, the CLI and the console give. Counts and codes only.
 */
import { describe, expect, it } from 'vitest';
import { PERSON_DISPOSITIONS } from '../../../functions/core/follow-up/states';
import {
  allNonFailure,
  attentionWords,
  decisionWords,
  dispositionsInOrder,
  failureTypesWords,
  markersWords,
  missingLines,
  missingStatusWords,
  statusDetailWords,
  whyWords,
} from '../../../functions/core/missing-words';

describe('what is missing and why, in words', () => {
  it('says each attention in a few words, and a later one as itself', () => {
    expect(attentionWords('redraw_failed')).toBe('redraw failed');
    expect(attentionWords('results_still_missing')).toBe('incomplete redraw');
    expect(attentionWords('no_redraw')).toBe('result missing without a redraw');
    expect(attentionWords('some_new_one')).toBe('some new one');
  });

  it("says Junction's status details and failure types in plain language", () => {
    expect(statusDetailWords('sample_hemolyzed')).toBe('the sample was hemolyzed');
    expect(statusDetailWords('sample_quantity_not_sufficient')).toBe('not enough sample');
    expect(statusDetailWords('a_later_detail')).toBe('a later detail');
    expect(failureTypesWords({ quantity_not_sufficient_failure: 2, internal_lab_failure: 1 })).toBe(
      "2 not enough sample (quantity_not_sufficient_failure), 1 the lab could not run it: not the patient's fault (internal_lab_failure)",
    );
    expect(failureTypesWords({ non_failure: 2 })).toBe('2 should not affect the patient (non_failure); all non_failure: the clinician may accept partial results');
    expect(failureTypesWords(null)).toBe('not known yet');
    expect(failureTypesWords({})).toBe('none given');
  });

  it('counts markers when known, and says "not known yet" until Junction was read', () => {
    expect(markersWords(null)).toBe('not known yet');
    expect(markersWords(0)).toBe('none listed by the lab');
    expect(markersWords(1)).toBe('1 marker');
    expect(markersWords(4)).toBe('4 markers');
  });

  it('says why from the status and its detail; a completed order is completed with results still missing', () => {
    expect(whyWords({ status: 'sample_error', status_detail: 'sample_hemolyzed' })).toBe('a sample error (the lab could not test the sample); the sample was hemolyzed');
    expect(whyWords({ status: 'lost', status_detail: null })).toBe('the sample lost');
    expect(missingStatusWords('completed')).toBe('completed, with results still missing');
    const lines = missingLines({ order_id: 'o1', status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 3 } });
    expect(lines.map(([label]) => label)).toEqual(['Missing from', 'Why', 'Markers missing', 'Failure types']);
  });

  it('offers clinician_accepted_partial_results first only when every missing marker is non_failure', () => {
    expect(allNonFailure({ non_failure: 2 })).toBe(true);
    expect(allNonFailure({ non_failure: 2, internal_lab_failure: 1 })).toBe(false);
    expect(allNonFailure({ non_failure: 0 })).toBe(false);
    expect(allNonFailure(null)).toBe(false);
    expect(dispositionsInOrder(PERSON_DISPOSITIONS, { failure_types: { non_failure: 2 } })[0]).toBe('clinician_accepted_partial_results');
    expect(dispositionsInOrder(PERSON_DISPOSITIONS, { failure_types: { internal_lab_failure: 2 } })).toEqual([...PERSON_DISPOSITIONS]);
    expect(dispositionsInOrder(PERSON_DISPOSITIONS, null)).toEqual([...PERSON_DISPOSITIONS]);
    expect(decisionWords({ failure_types: { non_failure: 1 } })).toMatch(/re-order the test through Junction's dashboard .* close it with another disposition \(clinician_accepted_partial_results, patient_declined/);
    // A re-order is its own choice, closed as reordered with the new order's id: never listed among the other dispositions.
    expect(decisionWords(null)).toMatch(/and close this follow-up as reordered, with the new order's id as its reference; or close it with another disposition \(patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, other\)\.$/);
    expect(decisionWords(null)).not.toMatch(/create/);
  });
});
