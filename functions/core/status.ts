/**
 * Junction's event statuses are `HIGH.METHOD.LOW` strings. Junction warns that
 * new values appear, so nothing here matches them exhaustively: unknown low-level
 * statuses are simply "in progress".
 */

export interface ParsedStatus {
  /** High level: received, collecting_sample, sample_with_lab, completed, cancelled, failed, ... */
  high: string;
  /** Collection method, e.g. walk_in_test, or null when the status has no method part. */
  method: string | null;
  /** Low level, e.g. redraw_available. */
  low: string;
}

/** Splits `received.walk_in_test.ordered`; a status without dots is its own high and low level. */
export function parseStatus(status: string): ParsedStatus {
  const parts = status.split('.');
  if (parts.length >= 3) {
    return { high: parts[0]!, method: parts.slice(1, -1).join('.'), low: parts[parts.length - 1]! };
  }
  if (parts.length === 2) return { high: parts[0]!, method: null, low: parts[1]! };
  return { high: status, method: null, low: status };
}

export type StatusCategory = 'in_progress' | 'redraw_available' | 'done' | 'cancelled' | 'failed';

const ENDING: Readonly<Record<string, Exclude<StatusCategory, 'in_progress' | 'redraw_available'>>> = {
  completed: 'done',
  corrected: 'done',
  cancelled: 'cancelled',
  do_not_process: 'cancelled',
  sample_error: 'failed',
  lost: 'failed',
  failure_to_deliver_to_lab: 'failed',
  failure_to_deliver_to_customer: 'failed',
};

export const REDRAW_AVAILABLE = 'redraw_available';

/** Where a low-level status stands (CONTRACT §3). */
export function categorize(lowLevelStatus: string): StatusCategory {
  if (lowLevelStatus === REDRAW_AVAILABLE) return 'redraw_available';
  return Object.hasOwn(ENDING, lowLevelStatus) ? ENDING[lowLevelStatus]! : 'in_progress';
}

/** True for the ending states of CONTRACT §3 (done, cancelled, failed). */
export function isEnding(lowLevelStatus: string): boolean {
  const category = categorize(lowLevelStatus);
  return category === 'done' || category === 'cancelled' || category === 'failed';
}

/**
 * High-level status of a low-level one, for orders known only from a transaction
 * listing (which carries the low level alone). The method decides the ambiguous
 * ones: draw_completed is collecting_sample at home but sample_with_lab on site.
 */
export function highLevelOf(lowLevelStatus: string, method: string | null): string {
  if (lowLevelStatus === 'draw_completed') {
    return method === 'on_site_collection' ? 'sample_with_lab' : 'collecting_sample';
  }
  if (Object.hasOwn(ENDING, lowLevelStatus)) return HIGH_OF_ENDING[ENDING[lowLevelStatus]!];
  return Object.hasOwn(HIGH_BY_LOW, lowLevelStatus) ? HIGH_BY_LOW[lowLevelStatus]! : 'unknown';
}

const HIGH_BY_LOW: Readonly<Record<string, string>> = {
  ordered: 'received',
  requisition_created: 'received',
  requisition_bypassed: 'received',
  awaiting_registration: 'received',
  registered: 'received',
  appointment_pending: 'collecting_sample',
  appointment_scheduled: 'collecting_sample',
  appointment_cancelled: 'collecting_sample',
  redraw_available: 'collecting_sample',
  transit_customer: 'collecting_sample',
  out_for_delivery: 'collecting_sample',
  with_customer: 'collecting_sample',
  transit_lab: 'collecting_sample',
  problem_in_transit_customer: 'collecting_sample',
  problem_in_transit_lab: 'collecting_sample',
  partial_results: 'sample_with_lab',
  delivered_to_lab: 'sample_with_lab',
  lab_processing_blocked: 'sample_with_lab',
};

/** The high level of each ending category (the ending states themselves are listed once, in ENDING). */
const HIGH_OF_ENDING = { done: 'completed', cancelled: 'cancelled', failed: 'failed' } as const;

/**
 * A low-level status in plain words, for people who do not know Junction's
 * statuses (alerts, the digest, the console). The raw status always travels
 * beside it; one Junction adds later reads as itself with spaces.
 */
const STATUS_WORDS: Readonly<Record<string, string>> = {
  ordered: 'ordered, nothing done yet',
  requisition_created: 'requisition created, waiting for the patient',
  requisition_bypassed: 'ordered without a requisition, waiting for the patient',
  awaiting_registration: 'waiting for the patient to register',
  registered: 'registered, waiting for the draw',
  appointment_pending: 'waiting for the patient to book an appointment',
  appointment_scheduled: 'appointment booked',
  appointment_cancelled: 'appointment cancelled',
  redraw_available: 'a redraw is offered: the lab could not return every result',
  transit_customer: 'kit on its way to the patient',
  out_for_delivery: 'kit out for delivery to the patient',
  with_customer: 'kit with the patient',
  transit_lab: 'sample on its way to the lab',
  problem_in_transit_customer: 'a problem delivering the kit to the patient',
  problem_in_transit_lab: 'a problem delivering the sample to the lab',
  draw_completed: 'sample drawn',
  delivered_to_lab: 'sample at the lab',
  lab_processing_blocked: 'the lab cannot process the sample yet',
  partial_results: 'some results in',
  completed: 'results complete',
  corrected: 'results corrected',
  cancelled: 'cancelled',
  do_not_process: 'cancelled (do not process)',
  sample_error: 'a sample error (the lab could not test the sample)',
  lost: 'the sample lost',
  failure_to_deliver_to_lab: 'the sample never reached the lab',
  failure_to_deliver_to_customer: 'the kit never reached the patient',
};

/** "waiting for the patient to register" for awaiting_registration; an unknown status as itself with spaces. */
export function statusWords(lowLevelStatus: string): string {
  return Object.hasOwn(STATUS_WORDS, lowLevelStatus) ? STATUS_WORDS[lowLevelStatus]! : lowLevelStatus.replaceAll('_', ' ');
}
