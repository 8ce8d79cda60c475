import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiOn, handleAuth, sessionAuth, SESSION_ENDED, SIGN_IN_UNREACHABLE } from '../../../console/src/lib/api';
import { ApiError, NoAnswerError, REQUEST_TIMEOUT_MS } from '../../../console/src/lib/http';
import { errorWords } from '../../../console/src/lib/load';
import type { Session } from '../../../console/src/lib/session';

function recorder(answer: () => Response) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetcher = async (input: URL, init: RequestInit) => {
    requests.push({ url: input.href, init });
    return answer();
  };
  return { requests, fetcher };
}

const base = new URL('http://127.0.0.1:3000/');

describe('the console API client', () => {
  it('sends the handle as x-redraw-actor on every request, and none before one is chosen', async () => {
    let handle: string | null = 'ana';
    const { requests, fetcher } = recorder(() => new Response('{"ok":true}', { status: 200 }));
    const api = apiOn(base, handleAuth(() => handle), fetcher);
    await api.get('/follow-ups?queue=mine');
    await api.post('/follow-ups/x/actions', { action: 'reopen' });
    handle = null;
    await api.get('/me');
    expect(requests.map((request) => (request.init.headers as Record<string, string>)['x-redraw-actor'])).toEqual(['ana', 'ana', undefined]);
    expect(requests[1]!.init).toMatchObject({ method: 'POST', body: '{"action":"reopen"}' });
    expect((requests[1]!.init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('never leaves the base origin, whatever the path looks like', async () => {
    const { requests, fetcher } = recorder(() => new Response('{}', { status: 200 }));
    const api = apiOn(base, handleAuth(() => 'ana'), fetcher);
    for (const path of ['//evil.example/x', '/follow-ups/a', '///evil.example']) await api.get(path);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(new URL(request.url).origin).toBe('http://127.0.0.1:3000');
    // An absolute URL elsewhere is refused before any request.
    await expect(api.get('http://evil.example/y')).rejects.toThrow(/another origin/);
    expect(requests).toHaveLength(3);
  });

  it('rejects a non-2xx answer with ApiError keeping status, code, message and body', async () => {
    const body = { error: { code: 'conflict', message: 'changed' }, follow_up: { id: 'x', version: 4, state: 'new' } };
    const api = apiOn(base, handleAuth(() => 'ana'), async () => new Response(JSON.stringify(body), { status: 409 }));
    const error = await api.post('/follow-ups/x/actions', {}).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'changed', body });
  });

  it('answers send() with any status and the Retry-After header, for Bulk to judge', async () => {
    const api = apiOn(base, handleAuth(() => 'ana'), async () => new Response('{"error":{"code":"too_many_requests","message":"slow"}}', { status: 429, headers: { 'retry-after': '2' } }));
    expect(await api.send('/follow-ups/x/actions', {})).toEqual({ status: 429, body: { error: { code: 'too_many_requests', message: 'slow' } }, retryAfter: '2' });
  });
});

describe('the console API client on AWS (a signed-in session)', () => {
  /** A session stand-in: the tokens it hands out, whether a renewal succeeds. */
  function fakeSession(tokens: (string | null)[], renewals: boolean[], signedIn = false) {
    const calls = { renew: 0 };
    let held: string | null = tokens[0] ?? null;
    return {
      calls,
      session: {
        accessToken: async () => (held = tokens.length > 1 ? tokens.shift()! : tokens[0]!),
        renew: async () => {
          calls.renew += 1;
          return renewals.shift() ?? false;
        },
        signedIn,
        get heldToken() {
          return held;
        },
      } satisfies Pick<Session, 'accessToken' | 'renew' | 'signedIn' | 'heldToken'>,
    };
  }

  it('sends the access token as a bearer token and never the handle header', async () => {
    const { requests, fetcher } = recorder(() => new Response('{"actor":"user:maria"}', { status: 200 }));
    const { session } = fakeSession(['tok-1'], []);
    const api = apiOn(new URL('https://d1.cloudfront.net/api/'), sessionAuth(session, () => {}), fetcher);
    await api.get('/me');
    expect(requests[0]!.url).toBe('https://d1.cloudfront.net/api/me');
    expect(requests[0]!.init.headers).toEqual({ accept: 'application/json', authorization: 'Bearer tok-1' });
  });

  it('renews once after a 401 and sends the request again with the new token', async () => {
    const statuses = [401, 200];
    const { requests, fetcher } = recorder(() => new Response('{}', { status: statuses.shift()! }));
    const { session, calls } = fakeSession(['old', 'new'], [true]);
    let ended = 0;
    const api = apiOn(base, sessionAuth(session, () => (ended += 1)), fetcher);
    await api.post('/follow-ups/x/actions', { action: 'acknowledge' });
    expect(requests.map((request) => (request.init.headers as Record<string, string>).authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(requests[1]!.init.body).toBe('{"action":"acknowledge"}');
    expect(calls.renew).toBe(1);
    expect(ended).toBe(0);
  });

  it('does not renew again for a 401 to a token already renewed by a concurrent request: it sends again with the new one', async () => {
    const fake = fakeSession(['old', 'new'], [true]);
    const requests: string[] = [];
    const api = apiOn(
      base,
      sessionAuth(fake.session, () => {}),
      async (_input, init) => {
        const sent = (init.headers as Record<string, string>).authorization!;
        requests.push(sent);
        if (sent !== 'Bearer old') return new Response('{}', { status: 200 });
        // While this request was in flight, another one's 401 renewed the session: 'new' is held now.
        await fake.session.accessToken();
        return new Response('{"message":"Unauthorized"}', { status: 401 });
      },
    );
    await api.get('/follow-ups/counts');
    expect(requests).toEqual(['Bearer old', 'Bearer new']);
    expect(fake.calls.renew).toBe(0);
  });

  it('ends the session when a 401 cannot be renewed, and sends nothing once no token is left', async () => {
    const { requests, fetcher } = recorder(() => new Response('{"message":"Unauthorized"}', { status: 401 }));
    const { session } = fakeSession(['expired'], [false]);
    let ended = 0;
    const api = apiOn(base, sessionAuth(session, () => (ended += 1)), fetcher);
    const error = await api.get('/me').catch((failure: unknown) => failure);
    expect(error).toMatchObject({ status: 401, message: 'Your session has ended: sign in again.' });
    expect(requests).toHaveLength(1);
    expect(ended).toBe(1);

    const over = fakeSession([null], []);
    const silent = recorder(() => new Response('{}', { status: 200 }));
    const after = apiOn(base, sessionAuth(over.session, () => (ended += 1)), silent.fetcher);
    await expect(after.get('/me')).rejects.toBe(SESSION_ENDED);
    expect(silent.requests).toHaveLength(0);
    expect(ended).toBe(2);
  });

  it('keeps the session when the sign-in service does not answer a renewal, and says so instead of sending', async () => {
    const { requests, fetcher } = recorder(() => new Response('{"message":"Unauthorized"}', { status: 401 }));
    let ended = 0;
    // A 401, then a renewal nobody answered (the session still holds its tokens).
    const unanswered = apiOn(base, sessionAuth(fakeSession(['expired'], [false], true).session, () => (ended += 1)), fetcher);
    await expect(unanswered.get('/redraws')).rejects.toBe(SIGN_IN_UNREACHABLE);
    // No token could be renewed before sending: nothing is sent.
    const before = apiOn(base, sessionAuth(fakeSession([null], [], true).session, () => (ended += 1)), fetcher);
    await expect(before.post('/follow-ups/x/actions', { action: 'acknowledge' })).rejects.toMatchObject({ status: 503, code: 'sign_in_unreachable' });
    expect(requests).toHaveLength(1);
    expect(ended).toBe(0);
  });

  it('words API Gateway’s own 403 (no act scope) for the person', async () => {
    const { fetcher } = recorder(() => new Response('{"message":"Forbidden"}', { status: 403 }));
    const api = apiOn(base, sessionAuth(fakeSession(['tok'], []).session, () => {}), fetcher);
    await expect(api.post('/follow-ups/x/actions', {})).rejects.toMatchObject({ status: 403, code: 'http_403', message: expect.stringMatching(/^Refused: your sign-in does not allow this/) });
  });
});

describe('the console API client when no answer comes (issue 43 item 9)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A fetch that never answers, as a stalled connection; like the browser's, it rejects once its signal aborts. */
  function stalled() {
    const requests: { url: string; init: RequestInit }[] = [];
    const fetcher = (input: URL, init: RequestInit) => {
      requests.push({ url: input.href, init });
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    };
    return { requests, fetcher };
  }

  /** What a promise has come to so far (after the microtasks queued now). */
  async function settled(promise: Promise<unknown>): Promise<{ state: 'pending' } | { state: 'rejected'; error: unknown } | { state: 'resolved' }> {
    let outcome: { state: 'pending' } | { state: 'rejected'; error: unknown } | { state: 'resolved' } = { state: 'pending' };
    promise.then(
      () => (outcome = { state: 'resolved' }),
      (error: unknown) => (outcome = { state: 'rejected', error }),
    );
    await vi.advanceTimersByTimeAsync(0);
    return outcome;
  }

  it('waits 35 s, above CloudFront’s 30 s origin timeout', () => {
    expect(REQUEST_TIMEOUT_MS).toBe(35_000);
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(30_000);
  });

  it('gives up on an action at 35 s by default, aborts its request, says it may have been applied, and never sends it again', async () => {
    vi.useFakeTimers();
    const { requests, fetcher } = stalled();
    const api = apiOn(base, handleAuth(() => 'ana'), fetcher);
    const action = api.post('/follow-ups/x/actions', { action: 'record_contact', channel: 'phone', outcome: 'reached', expected_version: 3 });
    action.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect((await settled(action)).state).toBe('pending');
    expect(requests[0]!.init.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await settled(action);
    expect(outcome.state).toBe('rejected');
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(NoAnswerError);
    expect(error).toMatchObject({ method: 'POST', timeoutMs: 35_000 });
    expect(errorWords(error)).toBe('Failed. No answer in 35 s: the action may or may not have been applied; reload the follow-up to see.');
    expect(requests[0]!.init.signal?.aborted).toBe(true);
    // Long after: still the one request.
    await vi.advanceTimersByTimeAsync(10 * REQUEST_TIMEOUT_MS);
    expect(requests).toHaveLength(1);
  });

  it('gives up on a read, on Bulk’s send() and on an answer whose body stalls, each at its timeout, sending each once', async () => {
    vi.useFakeTimers();
    const { requests, fetcher } = stalled();
    const api = apiOn(base, handleAuth(() => 'ana'), fetcher, 1_500);
    const read = api.get('/follow-ups?queue=open');
    const sent = api.send('/follow-ups/y/actions', { action: 'acknowledge', expected_version: 1 });
    // Headers came, then nothing: the body never ends.
    const bodyless = apiOn(base, handleAuth(() => 'ana'), async () => new Response(new ReadableStream({ start() {} }), { status: 200 }), 1_500);
    const slowBody = bodyless.get('/follow-ups/z');
    for (const call of [read, sent, slowBody]) call.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_499);
    for (const call of [read, sent, slowBody]) expect((await settled(call)).state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await expect(read).rejects.toMatchObject({ name: 'NoAnswerError', method: 'GET', message: 'No answer from the tracker in 1.5 s' });
    await expect(sent).rejects.toMatchObject({ name: 'NoAnswerError', method: 'POST' });
    await expect(slowBody).rejects.toBeInstanceOf(NoAnswerError);
    expect(errorWords(await read.catch((error: unknown) => error))).toBe('No answer from the tracker in 1.5 s. Try again.');
    expect(requests).toHaveLength(2);
  });

  it('leaves an answer in time alone: no abort, no timer left behind', async () => {
    vi.useFakeTimers();
    const { requests, fetcher } = recorder(() => new Response('{"ok":true}', { status: 200 }));
    const api = apiOn(base, handleAuth(() => 'ana'), fetcher);
    expect(await api.get('/me')).toEqual({ ok: true });
    expect(requests[0]!.init.signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
