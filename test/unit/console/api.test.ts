import { describe, expect, it } from 'vitest';
import { apiOn } from '../../../console/src/api';
import { ApiError } from '../../../console/src/http';

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
    const api = apiOn(base, () => handle, fetcher);
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
    const api = apiOn(base, () => 'ana', fetcher);
    for (const path of ['//evil.example/x', '/follow-ups/a', '///evil.example']) await api.get(path);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(new URL(request.url).origin).toBe('http://127.0.0.1:3000');
    // An absolute URL elsewhere is refused before any request.
    await expect(api.get('http://evil.example/y')).rejects.toThrow(/another origin/);
    expect(requests).toHaveLength(3);
  });

  it('rejects a non-2xx answer with ApiError keeping status, code, message and body', async () => {
    const body = { error: { code: 'conflict', message: 'changed' }, follow_up: { id: 'x', version: 4, state: 'new' } };
    const api = apiOn(base, () => 'ana', async () => new Response(JSON.stringify(body), { status: 409 }));
    const error = await api.post('/follow-ups/x/actions', {}).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'changed', body });
  });

  it('answers send() with any status and the Retry-After header, for Bulk to judge', async () => {
    const api = apiOn(base, () => 'ana', async () => new Response('{"error":{"code":"too_many_requests","message":"slow"}}', { status: 429, headers: { 'retry-after': '2' } }));
    expect(await api.send('/follow-ups/x/actions', {})).toEqual({ status: 429, body: { error: { code: 'too_many_requests', message: 'slow' } }, retryAfter: '2' });
  });
});
