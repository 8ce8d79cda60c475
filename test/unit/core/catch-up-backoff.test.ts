/** The catch-up's pause after reads that did not improve a member (issue 24, item 8): 1 h doubling up to 24 h. */
import { describe, expect, it } from 'vitest';
import { CATCH_UP_MAX_PAUSE_MS, catchUpPauseMs } from '../../../functions/core/catch-up-backoff';

const HOUR = 3_600_000;

describe('catch-up pause', () => {
  it('starts at one hour and doubles with each read in a row that did not improve', () => {
    expect([1, 2, 3, 4, 5].map(catchUpPauseMs)).toEqual([1, 2, 4, 8, 16].map((hours) => hours * HOUR));
  });

  it('never exceeds a day, however many reads', () => {
    expect(catchUpPauseMs(6)).toBe(CATCH_UP_MAX_PAUSE_MS);
    expect(catchUpPauseMs(10_000)).toBe(24 * HOUR);
  });

  it.each([0, -1, 1.5])('refuses %d reads', (reads) => {
    expect(() => catchUpPauseMs(reads)).toThrow(RangeError);
  });
});
