/**
 * The follow-up's choice lists in words (CONTRACT §9's snooze reasons and
 * dispositions): the one text the console's forms and pages and the EHR's
 * Task (core/fhir/task-words.ts, CONTRACT §13's `display`) give. A leaf with
 * type imports only, so the console's browser bundle takes it as it is.
 */
import type { PERSON_DISPOSITIONS, SNOOZE_REASONS, TRACKER_DISPOSITIONS } from './follow-up/states';

/** Why a follow-up is snoozed, in the order the forms offer them. */
export const SNOOZE_REASON_WORDS = {
  appointment_booked: 'Appointment booked',
  patient_requested: 'Patient requested',
  awaiting_clinician: 'Awaiting clinician',
  other: 'Other',
} as const satisfies Record<(typeof SNOOZE_REASONS)[number], string>;

/** The dispositions a person may choose, in the order the close form offers them. */
export const PERSON_DISPOSITION_WORDS = {
  patient_declined: 'Patient declined',
  patient_unreachable: 'Patient unreachable',
  clinician_accepted_partial_results: 'Clinician accepted partial results',
  tested_elsewhere: 'Tested elsewhere',
  reordered: 'Reordered at Junction',
  other: 'Other',
} as const satisfies Record<(typeof PERSON_DISPOSITIONS)[number], string>;

/** The dispositions the tracker closes with, from Junction's facts. */
export const TRACKER_DISPOSITION_WORDS: Readonly<Record<(typeof TRACKER_DISPOSITIONS)[number], string>> = {
  redraw_completed: 'Redraw completed',
  cancelled: 'Cancelled',
  results_received: 'Results received',
};

/** A value of `list` in words; one the tracker learns later reads as itself with spaces. */
export function wordsIn(list: Readonly<Record<string, string>>, value: string): string {
  return Object.hasOwn(list, value) ? list[value]! : value.replaceAll('_', ' ');
}

/** A disposition in words, a person's or the tracker's. */
export function dispositionWords(disposition: string): string {
  return Object.hasOwn(PERSON_DISPOSITION_WORDS, disposition) ? wordsIn(PERSON_DISPOSITION_WORDS, disposition) : wordsIn(TRACKER_DISPOSITION_WORDS, disposition);
}

/** A snooze reason in words. */
export function snoozeReasonWords(reason: string): string {
  return wordsIn(SNOOZE_REASON_WORDS, reason);
}
