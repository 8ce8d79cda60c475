import { describe, expect, it } from 'vitest';
import { verdictOf, type Attempted } from '../../functions/junction/client';
import type { JunctionOutcome } from '../../functions/junction/api';

/** What one attempt at Junction's API means: an outcome, or a failure worth retrying. */
describe('verdictOf', () => {
  const read = (json: unknown): JunctionOutcome<unknown> => ({ kind: 'ok', value: json });
  const NOW = Date.parse('2026-03-01T12:00:00Z');
  let clockReads = 0;
  const transport = { now: () => (clockReads++, NOW), maxRetryAfterMs: 30_000 };
  const verdict = (result: Attempted) => verdictOf(result, read, transport);

  it('reads a 2xx body as JSON, and calls one that is not invalid_answer', () => {
    expect(verdict({ status: 200, retryAfter: null, text: '{"id":"a"}' })).toEqual({ outcome: { kind: 'ok', value: { id: 'a' } } });
    expect(verdict({ status: 200, retryAfter: null, text: '<html>' })).toEqual({ outcome: { kind: 'invalid_answer', reason: 'body is not valid JSON' } });
  });

  it('never retries 401, 403, 404 or another 4xx', () => {
    expect(verdict({ status: 401, retryAfter: null, text: null })).toEqual({ outcome: { kind: 'unauthorized', status: 401 } });
    expect(verdict({ status: 403, retryAfter: null, text: null })).toEqual({ outcome: { kind: 'unauthorized', status: 403 } });
    expect(verdict({ status: 404, retryAfter: null, text: null })).toEqual({ outcome: { kind: 'not_found' } });
    expect(verdict({ status: 422, retryAfter: null, text: null })).toEqual({ outcome: { kind: 'unavailable', reason: 'unexpected status 422' } });
  });

  it('retries a timeout or network error with no wait asked', () => {
    expect(verdict({ failed: 'network error' })).toEqual({ reason: 'network error', askedWaitMs: null });
  });

  it('retries 429 and 5xx, with the Retry-After they ask for, capped', () => {
    expect(verdict({ status: 503, retryAfter: null, text: null })).toEqual({ reason: 'status 503', askedWaitMs: null });
    expect(verdict({ status: 429, retryAfter: '2', text: null })).toEqual({ reason: 'status 429', askedWaitMs: 2000 });
    expect(verdict({ status: 500, retryAfter: '3600', text: null })).toEqual({ reason: 'status 500', askedWaitMs: 30_000 });
    expect(verdict({ status: 502, retryAfter: 'Sun, 01 Mar 2026 12:00:05 GMT', text: null })).toEqual({ reason: 'status 502', askedWaitMs: 5000 });
  });

  it('reads the clock only for a 429 or 5xx, whose Retry-After may be a date', () => {
    clockReads = 0;
    verdict({ status: 200, retryAfter: null, text: '{}' });
    verdict({ failed: 'network error' });
    verdict({ status: 404, retryAfter: null, text: null });
    expect(clockReads).toBe(0);
    verdict({ status: 503, retryAfter: null, text: null });
    expect(clockReads).toBe(1);
  });
});
