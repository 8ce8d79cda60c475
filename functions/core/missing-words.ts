/**
 * What is missing and why, and what to decide, in plain words (CONTRACT §9
 * `missing`, `attention`): the one text the notices, the digest, the CLI and
 * the console give. It speaks of counts and operational codes only (an order
 * id, a status, a status detail, failure types): the tracker never knows which
 * markers are missing, so no word here could name one. Imports only leaf
 * modules, so the console's browser bundle takes it as it is.
 */
import type { Attention } from './attention';
import { statusWords } from './status';

/** `missing` as this module reads it (core/follow-up/states.ts MissingResults, the API's and the console's copies alike). */
export interface MissingFacts {
  order_id: string;
  status: string;
  status_detail: string | null;
  markers: number | null;
  failure_types: Readonly<Record<string, number>> | null;
}

/** Each attention in a few words: the worklist, the digest, a subject. */
export const ATTENTION_WORDS: Readonly<Record<Attention, string>> = {
  redraw_failed: 'redraw failed',
  results_still_missing: 'incomplete redraw',
  no_redraw: 'result missing without a redraw',
};

/** Each attention as a sentence: what happened, so that a person must decide. */
export const ATTENTION_WHAT: Readonly<Record<Attention, string>> = {
  redraw_failed: 'the redraw order ended without the missing results, and Junction supports one redraw per transaction',
  results_still_missing: 'the redraw order completed with results still missing, and Junction supports one redraw per transaction',
  no_redraw: 'the order ended with results missing and Junction will not redraw it',
};

/** An attention in words; one the tracker learns later reads as itself with spaces. */
export function attentionWords(attention: string): string {
  return Object.hasOwn(ATTENTION_WORDS, attention) ? ATTENTION_WORDS[attention as Attention] : attention.replaceAll('_', ' ');
}

/** Junction's `events[].status_detail` values (OpenAPI OrderStatusDetail) in plain words. */
export const STATUS_DETAIL_WORDS: Readonly<Record<string, string>> = {
  sample_hemolyzed: 'the sample was hemolyzed',
  sample_quantity_not_sufficient: 'not enough sample',
  sample_contaminated: 'the sample was contaminated',
  sample_improper_collection: 'the sample was not collected properly',
  sample_stability_exceeded: 'the sample was too old to test',
  fulfillment_error: 'the kit could not be sent out',
  date_of_collection_unspecified: 'the collection date was not given',
  demographic_information_unspecified: "the patient's details were not given",
  demographic_information_mismatch: "the patient's details did not match",
};

/** A status detail in words; one Junction adds later reads as itself with spaces. */
export function statusDetailWords(detail: string): string {
  return Object.hasOwn(STATUS_DETAIL_WORDS, detail) ? STATUS_DETAIL_WORDS[detail]! : detail.replaceAll('_', ' ');
}

/** Junction's `inferred_failure_type` values (DOMAIN.md "Missing results") in plain words. */
export const FAILURE_TYPE_WORDS: Readonly<Record<string, string>> = {
  quantity_not_sufficient_failure: 'not enough sample',
  insufficient_volume: 'not enough sample',
  collection_process_failure: 'the sample was not collected properly',
  drop_off_failure: 'the sample was not dropped off properly',
  internal_lab_failure: "the lab could not run it: not the patient's fault",
  order_entry_failure: 'the order was entered wrongly',
  patient_condition_failure: "the patient's condition prevented it",
  missing_result_calc_failure: 'a calculated result could not be made',
  missing_demo_aoe_calc_failure: "a calculated result lacked the patient's details or answers",
  non_failure: 'should not affect the patient',
  unknown_failure: 'the reason is not known',
};

/** A failure type in words; one Junction adds later reads as itself with spaces. */
export function failureTypeWords(type: string): string {
  return Object.hasOwn(FAILURE_TYPE_WORDS, type) ? FAILURE_TYPE_WORDS[type]! : type.replaceAll('_', ' ');
}

/** The status of the order whose results are missing: a completed one is "completed, with results missing". */
export function missingStatusWords(status: string): string {
  if (status === 'completed' || status === 'corrected') return `${status}, with results still missing`;
  return statusWords(status);
}

/** "sample error: the sample was hemolyzed" style: the order's status, and its detail when Junction gave one. */
export function whyWords(missing: Pick<MissingFacts, 'status' | 'status_detail'>): string {
  const status = missingStatusWords(missing.status);
  return missing.status_detail === null ? status : `${status}; ${statusDetailWords(missing.status_detail)}`;
}

/** How many markers are missing: "3 markers", "1 marker", "none listed by the lab", or "not known yet". */
export function markersWords(markers: number | null): string {
  if (markers === null) return 'not known yet';
  if (markers === 0) return 'none listed by the lab';
  return markers === 1 ? '1 marker' : `${markers} markers`;
}

/** Whether every missing marker is `non_failure` (Junction: "should not impact the patient"): partial results may do. */
export function allNonFailure(failureTypes: Readonly<Record<string, number>> | null): boolean {
  if (failureTypes === null) return false;
  const types = Object.entries(failureTypes).filter(([, count]) => count > 0);
  return types.length > 0 && types.every(([type]) => type === 'non_failure');
}

/**
 * The failure types in words, the most frequent first: "2 not enough sample
 * (quantity_not_sufficient_failure), 1 the lab could not run it: not the
 * patient's fault (internal_lab_failure)"; "not known yet" while unread.
 */
export function failureTypesWords(failureTypes: Readonly<Record<string, number>> | null): string {
  if (failureTypes === null) return 'not known yet';
  const types = Object.entries(failureTypes)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (types.length === 0) return 'none given';
  const listed = types.map(([type, count]) => `${count} ${failureTypeWords(type)} (${type})`).join(', ');
  return allNonFailure(failureTypes) ? `${listed}; all non_failure: the clinician may accept partial results` : listed;
}

/** The dispositions a person may close with, `clinician_accepted_partial_results` first when every missing marker is non_failure. */
export function dispositionsInOrder<T extends string>(dispositions: readonly T[], missing: Pick<MissingFacts, 'failure_types'> | null): T[] {
  const partial = 'clinician_accepted_partial_results';
  if (missing === null || !allNonFailure(missing.failure_types)) return [...dispositions];
  return [...dispositions.filter((d) => d === partial), ...dispositions.filter((d) => d !== partial)];
}

/**
 * What is missing and why, one line per fact (label, text): the order, why
 * (its status and detail), how many markers, the failure types.
 */
export function missingLines(missing: MissingFacts): Array<[label: string, text: string]> {
  return [
    ['Missing from', `order ${missing.order_id}`],
    ['Why', whyWords(missing)],
    ['Markers missing', markersWords(missing.markers)],
    ['Failure types', failureTypesWords(missing.failure_types)],
  ];
}

/**
 * The person dispositions but `reordered`, as the close action takes them
 * (CONTRACT §9): a re-order is the first choice, these the other.
 */
const OTHER_DISPOSITIONS = ['patient_declined', 'patient_unreachable', 'clinician_accepted_partial_results', 'tested_elsewhere', 'other'] as const;

/**
 * What to decide, in a sentence: re-order through Junction and close as
 * `reordered`, or close with another disposition
 * (clinician_accepted_partial_results first when every missing marker is
 * non_failure). Junction creates redraw orders itself: this never tells anyone
 * to create one; a re-order is a new order.
 */
export function decisionWords(missing: Pick<MissingFacts, 'failure_types'> | null): string {
  const dispositions = dispositionsInOrder(OTHER_DISPOSITIONS, missing).join(', ');
  const partial = missing !== null && allNonFailure(missing.failure_types) ? ' Every missing marker is non_failure: the clinician may accept partial results.' : '';
  return `Decide with the clinician: re-order the test through Junction's dashboard (a new order, with its own transaction) and close this follow-up as reordered, with the new order's id as its reference; or close it with another disposition (${dispositions}).${partial}`;
}
