/**
 * The FHIR exchange's one failure shape (functions/fhir/client/exchange.ts,
 * failure.ts; CONTRACT §13): how an answer the caller does not read is
 * judged, by what it answered, and the words each kind prints in a log line.
 */
import { describe, expect, it } from 'vitest';
import { exchange, failureOf, type AnswerTo } from '../../functions/fhir/client/exchange';
import { isFhirFailure, isUnavailable, notFinal, unavailableReason, type FhirFailure, type Unavailable } from '../../functions/fhir/client/failure';
import type { FhirAnswer, FhirExchange, FhirHttp } from '../../functions/fhir/client/http';
import { ConfigError } from '../../functions/shared/config';

const OUTCOME = { resourceType: 'OperationOutcome', issue: [{ code: 'invalid', diagnostics: 'quotes the Task' }, { code: 'required' }] };

function answer(status: number, retryAfterMs: number | null = null, body: unknown = null): FhirAnswer {
  return { kind: 'answer', status, etag: null, location: null, retryAfterMs, contentType: 'application/fhir+json', bodyState: body === null ? 'empty' : 'json', body };
}

const serving = (sent: FhirExchange | (() => Promise<FhirExchange>)): FhirHttp => ({ send: typeof sent === 'function' ? sent : async () => sent });

describe('failureOf', () => {
  it.each<[number, number | null, AnswerTo, FhirFailure]>([
    [400, null, 'write', { kind: 'refused', status: 400, codes: ['invalid', 'required'] }],
    [422, null, 'write', { kind: 'refused', status: 422, codes: ['invalid', 'required'] }],
    [400, null, 'read', notFinal('unexpected_status', { status: 400, retryAfterMs: null })],
    [422, null, 'search', notFinal('unexpected_status', { status: 422, retryAfterMs: null })],
    [401, null, 'search', { kind: 'unauthorized', where: 'server' }],
    [403, null, 'write', { kind: 'unauthorized', where: 'server' }],
    [429, null, 'write', { kind: 'retry_after', status: 429, retryAfterMs: null }],
    [429, 7_000, 'read', { kind: 'retry_after', status: 429, retryAfterMs: 7_000 }],
    [503, 2_000, 'search', { kind: 'retry_after', status: 503, retryAfterMs: 2_000 }],
    [503, null, 'write', notFinal('server', { status: 503, retryAfterMs: null })],
    [500, 1_000, 'write', notFinal('server', { status: 500, retryAfterMs: 1_000 })],
    [404, null, 'search', { kind: 'base_not_found', status: 404, retryAfterMs: null }],
    [404, null, 'read', notFinal('not_found', { status: 404, retryAfterMs: null })],
    [302, null, 'search', notFinal('redirect', { status: 302, retryAfterMs: null })],
    [405, null, 'write', notFinal('not_allowed', { status: 405, retryAfterMs: null })],
    [408, null, 'read', notFinal('timeout', { status: 408, retryAfterMs: null })],
    [409, null, 'write', notFinal('unexpected_status', { status: 409, retryAfterMs: null })],
    [413, null, 'write', notFinal('unexpected_status', { status: 413, retryAfterMs: null })],
  ])('judges a %i (Retry-After %j ms) to a %s: only a write\'s 400/422 refuses, a search\'s 404 is the base URL', (status, retryAfterMs, asked, expected) => {
    const judged = asked === 'write' ? failureOf(answer(status, retryAfterMs, OUTCOME), 'write') : failureOf(answer(status, retryAfterMs, OUTCOME), asked);
    expect(judged).toEqual(expected);
  });

  it('prints the reason words the log lines printed before the kinds: a 429 throttled, a 503 with Retry-After the server\'s, a moved version conflicts', () => {
    const reasons = (failures: Unavailable[]) => failures.map(unavailableReason);
    expect(reasons([
      { kind: 'retry_after', status: 429, retryAfterMs: null },
      { kind: 'retry_after', status: 503, retryAfterMs: 1_000 },
      { kind: 'base_not_found', status: 404, retryAfterMs: null },
      { kind: 'version_moved', status: 412, retryAfterMs: null },
      notFinal('unreadable', { status: 200, retryAfterMs: null }),
    ])).toEqual(['throttled', 'server', 'base_url_not_found', 'conflicts', 'unreadable']);
    expect([{ kind: 'refused' }, { kind: 'unauthorized' }, { kind: 'written' }, { kind: 'not_final' }].map((one) => [isFhirFailure(one), isUnavailable(one)])).toEqual([[true, false], [true, false], [false, false], [true, true]]);
  });
});

describe('exchange', () => {
  it('gives the answers the caller reads, judges the others, and passes a failure without an answer on unchanged', async () => {
    const reads = { asked: 'read', statuses: [200, 404] } as const;
    expect(await exchange(serving(answer(404)), { method: 'GET', path: 'Task/t1' }, reads)).toEqual(answer(404));
    expect(await exchange(serving(answer(503, 3_000)), { method: 'GET', path: 'Task/t1' }, reads)).toEqual({ kind: 'retry_after', status: 503, retryAfterMs: 3_000 });
    // Without `reads`, every answer is the caller's, a 401 included.
    expect(await exchange(serving(answer(401)), { method: 'PUT', path: 'Task/t1', body: {} })).toEqual(answer(401));
    const timeout = notFinal('timeout');
    expect(await exchange(serving(timeout), { method: 'GET', path: 'Task/t1' }, reads)).toBe(timeout);
  });

  it('answers a credential that cannot be had (a ConfigError) as unauthorized at the credential, and throws anything else', async () => {
    const noSecret = serving(() => Promise.reject(new ConfigError('invalid configuration: FHIR_CLIENT_SECRET_ARN: the secret must hold a string')));
    expect(await exchange(noSecret, { method: 'GET', path: 'Task/t1' })).toEqual({ kind: 'unauthorized', where: 'credential' });
    const badPath = serving(() => Promise.reject(new TypeError('a FHIR path must be relative to the base URL, e.g. Task/abc')));
    await expect(exchange(badPath, { method: 'GET', path: '/Task/t1' })).rejects.toThrow(TypeError);
  });
});
