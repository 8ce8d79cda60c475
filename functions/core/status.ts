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
