/**
 * What the tracker keeps of Junction's results API for an order whose results
 * are missing (CONTRACT §9 `missing`): how many markers are missing and how many
 * per inferred failure type. Nothing else of the answer: marker names, slugs,
 * LOINC codes, notes, metadata and results are PHI (the client's schema drops
 * them before they get here, functions/junction/schemas.ts). Pure.
 *
 * And when the sweep asks again after a read that may succeed later (5xx, 429,
 * a malformed answer, a timeout): the second attempt at the next sweep, then by
 * backoff, for up to a day after the results were first wanted, then never.
 */
import { OPERATIONAL_CODE } from './follow-up/states';

/** What counts of the results API's answer are kept: the number missing and the count per failure type. */
export interface MissingResultsCounts {
  markers: number;
  failure_types: Record<string, number>;
}

/** The failure type an entry counts under when Junction's is not an operational code (or absent). */
export const UNKNOWN_FAILURE = 'unknown_failure';

/**
 * The counts of `missing_results` (null or absent: none missing). An
 * `inferred_failure_type` outside `^[a-z0-9_]{1,64}$` (Junction's enum is
 * non-exhaustive, so any code is kept; anything else could be free text)
 * counts as `unknown_failure`.
 */
export function countMissingResults(entries: readonly { inferred_failure_type?: unknown }[] | null | undefined): MissingResultsCounts {
  // Counted in a Map, then made own properties: a code such as `constructor` or `__proto__` must not meet Object.prototype.
  const counts = new Map<string, number>();
  for (const entry of entries ?? []) {
    const type = typeof entry.inferred_failure_type === 'string' && OPERATIONAL_CODE.test(entry.inferred_failure_type) ? entry.inferred_failure_type : UNKNOWN_FAILURE;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return { markers: entries?.length ?? 0, failure_types: Object.fromEntries(counts) };
}

/** How long a read that may succeed later is tried again, from when the results were first wanted (CONTRACT §9). */
export const RESULTS_WANTED_FOR_MS = 24 * 3_600_000;
/** The wait before the third attempt (the second comes at the next sweep); it doubles with each one after. */
export const RESULTS_FIRST_RETRY_MS = 15 * 60_000;
/** The longest wait between two reads (without a longer `Retry-After`): a few tries still fit in the day. */
export const RESULTS_MAX_RETRY_MS = 4 * 3_600_000;

/**
 * Whether a record whose results were first wanted at `firstWantedMs` is given
 * up at `nowMs` without a read: its day ended longer ago than the longest wait
 * between two reads (sweeps that could not ask Junction, or none ran). A record
 * due at the end of its day still gets its last read.
 */
export function resultsOverdue(firstWantedMs: number, nowMs: number): boolean {
  return nowMs >= firstWantedMs + RESULTS_WANTED_FOR_MS + RESULTS_MAX_RETRY_MS;
}

/** After a failed read: read again at `atMs` (the first sweep from then on), or give up (the day is over: the counts stay null). */
export type ResultsRetry = { kind: 'again'; atMs: number } | { kind: 'give_up' };

/**
 * The wait before attempt `next` (2, 3, ...) of a read (CONTRACT §9): none for the
 * second (the next sweep), min(15 min x 2^(next-3), 4 h) for each one after.
 */
export function resultsRetryWait(next: number): number {
  if (next <= 2) return 0;
  // 2 ** 5 * 15 min already exceeds the cap: no need to compute larger powers.
  return Math.min(RESULTS_FIRST_RETRY_MS * 2 ** Math.min(next - 3, 5), RESULTS_MAX_RETRY_MS);
}

/**
 * When to read again after the `attempts`-th failed read (1, 2, ...) at `nowMs`,
 * for results first wanted at `firstWantedMs`: at the next sweep after the first,
 * then resultsRetryWait later, or after `retryAfterMs` if Junction asked for
 * longer; never later than the end of the day they are wanted for (one last read
 * then), and not at all once that day is over. A sweep reads the records due at
 * its start once, so one due "now" waits for the next sweep.
 */
export function resultsRetry(attempts: number, firstWantedMs: number, nowMs: number, retryAfterMs: number | null): ResultsRetry {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be a positive integer');
  const endMs = firstWantedMs + RESULTS_WANTED_FOR_MS;
  if (nowMs >= endMs) return { kind: 'give_up' };
  const wait = Math.max(resultsRetryWait(attempts + 1), retryAfterMs ?? 0);
  return { kind: 'again', atMs: Math.min(nowMs + wait, endMs) };
}
