/**
 * The decisions of one sweep's Junction session (functions/stale-redraw-sweep/steps/junction-session.ts)
 * and of its sync (sync.ts): when a request may still start, when the session
 * stops asking, what a catch-up read did, why the sync stops on a page read.
 */
import { describe, expect, it } from 'vitest';
import { MIN_ATTEMPT_MS } from '../../functions/junction/client';
import { catchUpReadOf, pastDeadline, stopAfterFailure, UNAVAILABLE_IN_A_ROW_LIMIT } from '../../functions/stale-redraw-sweep/steps/junction-session';
import { stopOfRead } from '../../functions/stale-redraw-sweep/steps/sync';

describe("the session's deadline", () => {
  it('starts no request that could not make a useful attempt before it', () => {
    expect(pastDeadline(1_000, 1_000 + MIN_ATTEMPT_MS)).toBe(false);
    expect(pastDeadline(1_001, 1_000 + MIN_ATTEMPT_MS)).toBe(true);
  });
});

describe('when the session stops asking Junction', () => {
  it('stops for the deadline when it cut an unavailable answer short', () => {
    expect(stopAfterFailure('unavailable', true, 1)).toBe('time');
  });

  it(`stops after ${UNAVAILABLE_IN_A_ROW_LIMIT} unavailable answers in a row`, () => {
    expect(stopAfterFailure('unavailable', false, UNAVAILABLE_IN_A_ROW_LIMIT - 1)).toBeNull();
    expect(stopAfterFailure('unavailable', false, UNAVAILABLE_IN_A_ROW_LIMIT)).toBe('unavailable');
  });

  it('never stops for a 404 or an invalid answer', () => {
    expect(stopAfterFailure('not_found', false, UNAVAILABLE_IN_A_ROW_LIMIT)).toBeNull();
    expect(stopAfterFailure('invalid_answer', true, UNAVAILABLE_IN_A_ROW_LIMIT)).toBeNull();
  });
});

describe('what a catch-up read did', () => {
  it('improved the member only when its own state was replaced', () => {
    expect(catchUpReadOf({ kind: 'ok', value: { result: 'applied' } })).toBe('improved');
    expect(catchUpReadOf({ kind: 'ok', value: { result: 'stale' } })).toBe('not_improved');
    expect(catchUpReadOf({ kind: 'ok', value: { result: 'duplicate' } })).toBe('not_improved');
  });

  it('counts a 404 as Junction lagging its listing, other failures as failed', () => {
    expect(catchUpReadOf({ kind: 'failed', failure: 'not_found' })).toBe('not_improved');
    expect(catchUpReadOf({ kind: 'failed', failure: 'unavailable' })).toBe('failed');
    expect(catchUpReadOf({ kind: 'failed', failure: 'invalid_answer' })).toBe('failed');
    expect(catchUpReadOf({ kind: 'stopped' })).toBe('stopped');
  });
});

describe('why the sync stops on a page read that gave no page', () => {
  it("says why the session stopped, or what the page's failure was (a 404 as unavailable)", () => {
    expect(stopOfRead({ kind: 'stopped', why: 'unauthorized' })).toBe('unauthorized');
    expect(stopOfRead({ kind: 'stopped', why: 'time' })).toBe('time');
    expect(stopOfRead({ kind: 'failed', failure: 'invalid_answer' })).toBe('invalid_answer');
    expect(stopOfRead({ kind: 'failed', failure: 'unavailable' })).toBe('unavailable');
    expect(stopOfRead({ kind: 'failed', failure: 'not_found' })).toBe('unavailable');
  });
});
