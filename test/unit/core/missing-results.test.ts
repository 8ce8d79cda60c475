/**
 * What the tracker keeps of Junction's results API (functions/core/missing-results.ts,
 * CONTRACT §9 `missing`): the number of missing markers and the count per
 * failure type, and when a failed read is tried again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countMissingResults,
  RESULTS_FIRST_RETRY_MS,
  RESULTS_MAX_RETRY_MS,
  RESULTS_WANTED_FOR_MS,
  resultsOverdue,
  resultsRetry,
  resultsRetryWait,
  UNKNOWN_FAILURE,
} from '../../../functions/core/missing-results';

const CODE = /^[a-z0-9_]{1,64}$/;
const anyType = fc.oneof(
  fc.constantFrom('quantity_not_sufficient_failure', 'internal_lab_failure', 'non_failure', 'unknown_failure', 'constructor', '__proto__', 'toString'),
  fc.stringMatching(/^[a-z0-9_]{1,64}$/),
  fc.string({ maxLength: 80 }),
  fc.constant(undefined),
  fc.integer(),
  fc.constant(null),
);

describe('counting missing results', () => {
  it('counts none for a null, absent or empty list', () => {
    for (const entries of [null, undefined, []]) expect(countMissingResults(entries)).toEqual({ markers: 0, failure_types: {} });
  });

  it('counts each entry once, under its failure type, anything that is no operational code as unknown_failure', () => {
    expect(
      countMissingResults([
        { inferred_failure_type: 'quantity_not_sufficient_failure' },
        { inferred_failure_type: 'non_failure' },
        { inferred_failure_type: 'quantity_not_sufficient_failure' },
        { inferred_failure_type: 'Hemoglobin A1c was not run' },
        {},
        { inferred_failure_type: 7 },
      ]),
    ).toEqual({ markers: 6, failure_types: { quantity_not_sufficient_failure: 2, non_failure: 1, [UNKNOWN_FAILURE]: 3 } });
  });

  it('for any list: the counts add up to the markers, every key is an operational code, and each code counts its entries', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ inferred_failure_type: anyType }, { requiredKeys: [] }), { maxLength: 50 }), (entries) => {
        const { markers, failure_types: types } = countMissingResults(entries);
        expect(markers).toBe(entries.length);
        expect(Object.values(types).reduce((sum, count) => sum + count, 0)).toBe(markers);
        for (const [type, count] of Object.entries(types)) {
          expect(type).toMatch(CODE);
          expect(count).toBeGreaterThan(0);
          const own = entries.filter((entry) => entry.inferred_failure_type === type).length;
          const unknown = entries.filter((entry) => typeof entry.inferred_failure_type !== 'string' || !CODE.test(entry.inferred_failure_type)).length;
          expect(count).toBe(type === UNKNOWN_FAILURE ? own + unknown : own);
        }
        // Plain data: nothing inherited.
        expect(Object.getPrototypeOf(types)).toBe(Object.prototype);
      }),
    );
  });
});

describe('reading again after a failed read', () => {
  const first = Date.UTC(2026, 3, 1, 9);

  it('reads a second time at the next sweep, then waits 15 minutes doubling to 4 hours, or longer when Retry-After asks (CONTRACT §9)', () => {
    // After the first failure: due at once, so the next sweep (this one has read its due records) reads it.
    expect(resultsRetry(1, first, first, null)).toEqual({ kind: 'again', atMs: first });
    // Attempt n > 2 at least min(15 min x 2^(n-3), 4 h) after the one before.
    expect([2, 3, 4, 5, 6, 7, 8, 20].map((failed) => resultsRetryWait(failed + 1) / 60_000)).toEqual([15, 30, 60, 120, 240, 240, 240, 240]);
    expect(resultsRetry(2, first, first, null)).toEqual({ kind: 'again', atMs: first + RESULTS_FIRST_RETRY_MS });
    expect(resultsRetry(3, first, first, null)).toEqual({ kind: 'again', atMs: first + 2 * RESULTS_FIRST_RETRY_MS });
    expect(resultsRetry(9, first, first, null)).toEqual({ kind: 'again', atMs: first + RESULTS_MAX_RETRY_MS });
    expect(resultsRetry(1, first, first, 2 * 3_600_000)).toEqual({ kind: 'again', atMs: first + 2 * 3_600_000 });
    expect(resultsRetry(2, first, first, 1_000)).toEqual({ kind: 'again', atMs: first + RESULTS_FIRST_RETRY_MS });
  });

  it('on the hourly schedule (AWS) reads at every sweep for the first hours, then every 2 and 4 hours, within the day', () => {
    // Each failed read at an hourly sweep: the next read is the first sweep at or after the time given.
    const sweeps: number[] = [];
    let at = first;
    for (let failed = 1; ; failed++) {
      const retry = resultsRetry(failed, first, at, null);
      if (retry.kind === 'give_up') break;
      at = Math.max(Math.ceil(retry.atMs / 3_600_000) * 3_600_000, at + 3_600_000);
      sweeps.push((at - first) / 3_600_000);
    }
    expect(sweeps).toEqual([1, 2, 3, 4, 6, 10, 14, 18, 22, 24]);
  });

  it('never schedules past the day, and gives up once it is over', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 2 * RESULTS_WANTED_FOR_MS }), fc.option(fc.integer({ min: 0, max: 10 * RESULTS_WANTED_FOR_MS })), (attempts, elapsed, retryAfter) => {
        const retry = resultsRetry(attempts, first, first + elapsed, retryAfter);
        if (elapsed >= RESULTS_WANTED_FOR_MS) expect(retry).toEqual({ kind: 'give_up' });
        else {
          expect(retry.kind).toBe('again');
          if (retry.kind === 'again') {
            expect(retry.atMs).toBeGreaterThanOrEqual(first + elapsed);
            if (attempts > 1) expect(retry.atMs).toBeGreaterThan(first + elapsed);
            expect(retry.atMs).toBeLessThanOrEqual(first + RESULTS_WANTED_FOR_MS);
          }
        }
      }),
    );
  });

  it('gives a record up unread only well after its day, so its last read still happens', () => {
    expect(resultsOverdue(first, first + RESULTS_WANTED_FOR_MS)).toBe(false);
    expect(resultsOverdue(first, first + RESULTS_WANTED_FOR_MS + RESULTS_MAX_RETRY_MS)).toBe(true);
    expect(() => resultsRetry(0, first, first, null)).toThrow(RangeError);
  });
});
