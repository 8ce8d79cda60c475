/**
 * When the catch-up (CONTRACT §6) reads a member again after Junction's answer
 * did not improve it (an older or the same state than a listing showed, or 404:
 * Junction lags its own listing). Without a pause such members stay the longest
 * behind, first in the catch-up order forever, and once RECONCILE_MAX_PER_SWEEP
 * of them exist no newer member is ever read (issue 24, item 8).
 */

/** The first pause after a read that did not improve. */
export const CATCH_UP_FIRST_PAUSE_MS = 3_600_000;
/** The longest pause: such a member is still read at least once a day. */
export const CATCH_UP_MAX_PAUSE_MS = 24 * 3_600_000;

/** The pause after the `reads`-th read in a row that did not improve (1, 2, ...): 1 h doubling up to 24 h. */
export function catchUpPauseMs(reads: number): number {
  if (!Number.isInteger(reads) || reads < 1) throw new RangeError('reads must be a positive integer');
  // 2 ** 5 = 32 h already exceeds the cap: no need to compute larger powers.
  return Math.min(CATCH_UP_FIRST_PAUSE_MS * 2 ** Math.min(reads - 1, 5), CATCH_UP_MAX_PAUSE_MS);
}
