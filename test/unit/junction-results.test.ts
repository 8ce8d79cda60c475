/**
 * Junction's results route in the client (functions/junction/client.ts
 * resultsVerdictOf, schemas.ts LabResultsAnswer): what each answer means for the
 * sweep's record of wanted results, and that nothing but the failure types
 * survives the parse (CONTRACT §9: the rest is PHI).
 */
import { describe, expect, it } from 'vitest';
import { resultsVerdictOf } from '../../functions/junction/client';
import { LabResultsAnswer } from '../../functions/junction/schemas';
import { resultsAnswer } from '../../local/junction-standin/results';

const NOW = Date.UTC(2026, 3, 1, 9);

describe('an answer of GET /v3/order/{id}/result', () => {
  it('is counted from a LabResultsRaw, of which the parse keeps the failure types alone', () => {
    const body = resultsAnswer({ id: 'ord-1', lowLevelStatus: 'sample_error', hasMissingResults: null }).body;
    const parsed = LabResultsAnswer.parse(body);
    expect(JSON.stringify(parsed)).not.toContain('CANARY');
    expect(Object.keys(parsed)).toEqual(['missing_results']);
    for (const entry of parsed.missing_results ?? []) expect(Object.keys(entry)).toEqual(['inferred_failure_type']);
    const verdict = resultsVerdictOf({ status: 200, retryAfter: null, text: JSON.stringify(body) }, NOW);
    expect(verdict).toMatchObject({ outcome: { kind: 'ok', value: { markers: parsed.missing_results?.length } } });
    expect(JSON.stringify(verdict)).not.toContain('CANARY');
  });

  it('is never read again after a 422, 404, 400 or a redirect; a 401/403 is unauthorized', () => {
    for (const status of [422, 404, 400, 409, 302]) {
      expect(resultsVerdictOf({ status, retryAfter: null, text: null }, NOW)).toEqual({ outcome: { kind: 'never', reason: `status ${status}` } });
    }
    expect(resultsVerdictOf({ status: 401, retryAfter: null, text: null }, NOW)).toEqual({ outcome: { kind: 'unauthorized', status: 401 } });
  });

  it('is tried again after a 5xx, a 429 (with the wait its Retry-After asks, uncapped), a timeout, or a body that is not one', () => {
    expect(resultsVerdictOf({ status: 503, retryAfter: null, text: null }, NOW)).toEqual({ reason: 'status 503', askedWaitMs: null });
    expect(resultsVerdictOf({ status: 429, retryAfter: '7200', text: null }, NOW)).toEqual({ reason: 'status 429', askedWaitMs: 7_200_000 });
    expect(resultsVerdictOf({ failed: 'timeout after 10000 ms' }, NOW)).toEqual({ reason: 'timeout after 10000 ms', askedWaitMs: null });
    for (const text of ['{"metadata"', '{"detail": "CANARY-x"}', '{"metadata": {}, "results": [], "missing_results": "CANARY-y"}']) {
      const verdict = resultsVerdictOf({ status: 200, retryAfter: null, text }, NOW);
      expect(verdict).toMatchObject({ outcome: { kind: 'retry', invalidAnswer: true, retryAfterMs: null } });
      expect(JSON.stringify(verdict)).not.toContain('CANARY');
    }
  });

  it('counts none for a completed order with all its results, and an entry whose type is not a code as unknown_failure', () => {
    const complete = resultsAnswer({ id: 'ord-2', lowLevelStatus: 'completed', hasMissingResults: false }).body;
    expect(resultsVerdictOf({ status: 200, retryAfter: null, text: JSON.stringify(complete) }, NOW)).toEqual({ outcome: { kind: 'ok', value: { markers: 0, failure_types: {} } } });
    const odd = { metadata: {}, results: {}, missing_results: [{ name: 'CANARY-a', slug: 'b', inferred_failure_type: 'Not A Code' }] };
    expect(resultsVerdictOf({ status: 200, retryAfter: null, text: JSON.stringify(odd) }, NOW)).toEqual({ outcome: { kind: 'ok', value: { markers: 1, failure_types: { unknown_failure: 1 } } } });
  });
});
