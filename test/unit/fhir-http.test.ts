/**
 * One exchange with the FHIR server (functions/fhir/client/http.ts, CONTRACT §13)
 * against a scripted server on 127.0.0.1 and a real token endpoint: the headers
 * sent, every status handed back as an answer, a 401 met once with a new token,
 * token failures, timeouts and network errors as their kinds, Retry-After read,
 * an OperationOutcome's codes (never its text), and identifier searches encoded;
 * bodies read as a stream and cut past 5 MiB (too_large), redirects never
 * followed, and an empty body told from one that is not JSON.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFhirHttp, FHIR_JSON, FHIR_MAX_BODY_BYTES, identifierQuery, identifierSearch, operationOutcomeCodes } from '../../functions/fhir/client/http';
import { retryAfterMs } from '../../functions/shared/retry-after';
import { createTokenSource, type TokenSource } from '../../functions/fhir/client/token';
import { clientKey, startFhirServer, startTokenEndpoint, type ClientKey, type Listening, type Received, type Scripted, type TokenEndpoint } from '../support/fhir-servers';

const CLIENT_ID = 'redraw-tracker';
const TASK = { resourceType: 'Task', id: 'abc', meta: { versionId: '3' }, status: 'ready', intent: 'order' };

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function fhirServer(answer: (request: Received) => Scripted): Promise<Listening> {
  const server = await startFhirServer(answer);
  open.push(server);
  return server;
}

let key: ClientKey;
beforeAll(async () => {
  key = await clientKey('ES384');
});

async function tokens(answer?: Parameters<typeof startTokenEndpoint>[0]['answer']): Promise<{ endpoint: TokenEndpoint; source: TokenSource }> {
  const endpoint = await startTokenEndpoint({ clientId: CLIENT_ID, key, ...(answer ? { answer } : {}) });
  open.push(endpoint);
  const source = createTokenSource({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, scope: 'system/Task.rs system/Task.cu', credential: { kind: 'private_key', keyId: 'k1', read: async () => key.privatePem } });
  return { endpoint, source };
}

describe('what is sent', () => {
  it('sends fhir+json both ways, the bearer token, and the caller headers, under the base path', async () => {
    const server = await fhirServer(() => ({ status: 200, body: TASK, headers: { etag: 'W/"4"', 'content-type': FHIR_JSON } }));
    const { source } = await tokens();
    const http = createFhirHttp({ baseUrl: `${server.url}/fhir/R4/`, tokens: source });
    const answer = await http.send({ method: 'PUT', path: 'Task/abc', headers: { 'If-Match': 'W/"3"', Authorization: 'Bearer forged', accept: 'text/html' }, body: TASK });
    expect(answer).toEqual({ kind: 'answer', status: 200, etag: 'W/"4"', location: null, retryAfterMs: null, contentType: FHIR_JSON, bodyState: 'json', body: TASK });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'PUT', path: '/fhir/R4/Task/abc' });
    expect(request?.headers).toMatchObject({ accept: FHIR_JSON, 'content-type': `${FHIR_JSON}; charset=utf-8`, authorization: 'Bearer access-1', 'if-match': 'W/"3"' });
    expect(JSON.parse(request!.body)).toEqual(TASK);
  });

  it('sends no Authorization without a token source, and no Content-Type without a body', async () => {
    const server = await fhirServer(() => ({ status: 200, body: { resourceType: 'Bundle', type: 'searchset', entry: [] } }));
    const http = createFhirHttp({ baseUrl: server.url, tokens: null });
    await http.send({ method: 'GET', path: identifierSearch('urn:redraw-tracker:follow-up', 'f-1') });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers['content-type']).toBeUndefined();
    expect(request?.path).toBe('/Task?identifier=urn%3Aredraw-tracker%3Afollow-up%7Cf-1');
    expect(new URL(request!.path, server.url).searchParams.get('identifier')).toBe('urn:redraw-tracker:follow-up|f-1');
  });

  it('escapes FHIR search characters in an identifier, then URL-encodes it', () => {
    expect(identifierSearch('https://x.example/ids?a=b&c', 'a|b,c$d\\e f')).toBe(`Task?identifier=${encodeURIComponent('https://x.example/ids?a=b&c|a\\|b\\,c\\$d\\\\e f')}`);
    expect(identifierQuery('urn:a:b', 'id-1')).toBe('identifier=urn%3Aa%3Ab%7Cid-1');
    expect(identifierSearch('urn:a:b', 'id-1', 'ServiceRequest')).toBe('ServiceRequest?identifier=urn%3Aa%3Ab%7Cid-1');
  });

  it.each(['/Task/abc', 'https://evil.example/Task', '../Task/abc', 'Task/../../admin', ''])('refuses the path %j, which would leave the base, before any request', async (path) => {
    const server = await fhirServer(() => ({ status: 200 }));
    await expect(createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'GET', path })).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('what comes back', () => {
  it.each([201, 304, 400, 404, 409, 412, 422, 429, 500, 503])('hands back %i as an answer, never throwing', async (status) => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Task for Jane Doe' }] };
    const server = await fhirServer(() => ({ status, body: status === 304 ? undefined : outcome }));
    const answer = await createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'POST', path: 'Task', body: TASK });
    expect(answer).toMatchObject({ kind: 'answer', status, body: status === 304 ? null : outcome });
  });

  it('gives a create Location, an ETag, and a body that is not JSON as null and unreadable', async () => {
    const server = await fhirServer(() => ({ status: 201, body: '<html>created</html>', headers: { location: `Task/abc/_history/1`, etag: 'W/"1"' } }));
    const http = createFhirHttp({ baseUrl: server.url, tokens: null });
    expect(await http.send({ method: 'POST', path: 'Task', headers: { 'If-None-Exist': identifierQuery('urn:a:b', 'f-1') }, body: TASK })).toEqual({
      kind: 'answer', status: 201, etag: 'W/"1"', location: 'Task/abc/_history/1', retryAfterMs: null, contentType: 'application/json', bodyState: 'unreadable', body: null,
    });
    expect(server.requests[0]?.headers['if-none-exist']).toBe('identifier=urn%3Aa%3Ab%7Cf-1');
  });

  it("reads Retry-After in seconds, or as an HTTP date on the caller's clock", async () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    const given = ['7', 'Fri, 27 Nov 2026 10:00:30 GMT', 'Fri, 27 Nov 2026 09:00:00 GMT', 'soon'];
    const server = await fhirServer((request) => ({ status: 503, headers: { 'retry-after': given[Number(request.path.slice(-1))]! } }));
    const http = createFhirHttp({ baseUrl: server.url, tokens: null, now: () => now });
    const waits = [];
    for (const index of [0, 1, 2, 3]) waits.push(((await http.send({ method: 'GET', path: `Task/t${index}` })) as { retryAfterMs: number | null }).retryAfterMs);
    expect(waits).toEqual([7000, 30_000, 0, null]);
    expect(retryAfterMs(' 2 ', 0)).toBe(2000);
    expect(retryAfterMs('-5', 0)).toBeNull();
  });

  it('answers a hang as unavailable (timeout) and a refused connection as unavailable (network)', async () => {
    const hanging = await fhirServer(() => 'hang');
    expect(await createFhirHttp({ baseUrl: hanging.url, tokens: null, timeoutMs: 150 }).send({ method: 'GET', path: 'Task/abc' })).toEqual({ kind: 'not_final', reason: 'timeout', status: null, retryAfterMs: null });
    const closed = await fhirServer(() => ({ status: 200 }));
    await closed.close();
    expect(await createFhirHttp({ baseUrl: closed.url, tokens: null }).send({ method: 'GET', path: 'Task/abc' })).toEqual({ kind: 'not_final', reason: 'network', status: null, retryAfterMs: null });
  });
});

describe('an empty body told from one that is not JSON', () => {
  it('gives a 200 HTML page as unreadable, with its media type', async () => {
    const server = await fhirServer(() => ({ status: 200, body: '<!doctype html><html><body>Sign in</body></html>', headers: { 'content-type': 'text/html; charset=UTF-8' } }));
    expect(await createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'GET', path: identifierSearch('urn:a:b', 'f-1') })).toEqual({
      kind: 'answer', status: 200, etag: null, location: null, retryAfterMs: null, contentType: 'text/html', bodyState: 'unreadable', body: null,
    });
  });

  it('gives an empty 201 with a Location as empty, with no media type', async () => {
    const server = await fhirServer(() => ({ status: 201, headers: { location: 'Task/abc/_history/1' } }));
    expect(await createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'POST', path: 'Task', body: TASK })).toEqual({
      kind: 'answer', status: 201, etag: null, location: 'Task/abc/_history/1', retryAfterMs: null, contentType: null, bodyState: 'empty', body: null,
    });
  });

  it('sends a DELETE with no body and no Content-Type', async () => {
    const server = await fhirServer(() => ({ status: 204 }));
    expect(await createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'DELETE', path: 'Task/abc' })).toMatchObject({ kind: 'answer', status: 204, bodyState: 'empty' });
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/Task/abc', body: '' });
    expect(server.requests[0]?.headers['content-type']).toBeUndefined();
  });
});

describe('redirects, never followed', () => {
  it.each([301, 302, 303, 307, 308])('hands back a %i to a login page as the answer, and never asks for the page', async (status) => {
    let login = '';
    const server = await fhirServer((request): Scripted =>
      request.path === '/login'
        ? { status: 200, body: '<html><form>Sign in</form></html>', headers: { 'content-type': 'text/html' } }
        : { status, body: '<html>Moved</html>', headers: { location: login, 'content-type': 'text/html' } },
    );
    login = `${server.url}/login`;
    const { endpoint, source } = await tokens();
    const answer = await createFhirHttp({ baseUrl: `${server.url}/fhir`, tokens: source }).send({ method: 'POST', path: 'Task', body: TASK });
    expect(answer).toEqual({ kind: 'answer', status, etag: null, location: login, retryAfterMs: null, contentType: 'text/html', bodyState: 'unreadable', body: null });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /fhir/Task']);
    expect(endpoint.requests).toHaveLength(1);
  });
});

describe('bodies bounded at 5 MiB', () => {
  /** Samples the process's resident memory every few ms while `work` runs: the most it grew by. */
  async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; grewBy: number }> {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    try {
      const result = await work();
      return { result, grewBy: Math.max(peak, process.memoryUsage().rss) - before };
    } finally {
      clearInterval(timer);
    }
  }

  async function closedByClient(server: Listening): Promise<void> {
    await expect.poll(() => server.streams[0]?.closedEarly, { timeout: 2000, interval: 10 }).toBe(true);
  }

  it.each([
    ['an endless body, chunked', { bytes: Number.POSITIVE_INFINITY }],
    ['a 200 MB body with its Content-Length', { bytes: 200 * 1024 * 1024, declareLength: true }],
  ])('ends a 200 carrying %s: too_large at once, none of it held, the connection closed', async (_case, stream) => {
    const server = await fhirServer(() => ({ status: 200, stream }));
    const http = createFhirHttp({ baseUrl: server.url, tokens: null });
    const started = performance.now();
    const { result, grewBy } = await rssGrowth(() => http.send({ method: 'GET', path: identifierSearch('urn:a:b', 'f-1') }));
    expect(result).toEqual({ kind: 'not_final', reason: 'too_large', status: null, retryAfterMs: null });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(grewBy).toBeLessThan(50 * 1024 * 1024);
    await closedByClient(server);
    expect(server.streams[0]!.finished).toBe(false);
    expect(server.streams[0]!.sent).toBeLessThan(50 * 1024 * 1024);
  });

  it('reads a body of 5 MiB exactly, and answers one byte more as too_large', async () => {
    const json = (bytes: number) => `"${'a'.repeat(bytes - 2)}"`;
    const server = await fhirServer((request) => ({ status: 200, body: json(FHIR_MAX_BODY_BYTES + Number(request.path.slice(-1))) }));
    const http = createFhirHttp({ baseUrl: server.url, tokens: null });
    const exact = await http.send({ method: 'GET', path: 'Task/t0' });
    expect(exact).toMatchObject({ kind: 'answer', status: 200, bodyState: 'json' });
    expect(((exact as { body: string }).body).length).toBe(FHIR_MAX_BODY_BYTES - 2);
    expect(await http.send({ method: 'GET', path: 'Task/t1' })).toEqual({ kind: 'not_final', reason: 'too_large', status: null, retryAfterMs: null });
  });

  it('bounds an error answer too: a 500 with an endless body is too_large', async () => {
    const server = await fhirServer(() => ({ status: 500, stream: { bytes: Number.POSITIVE_INFINITY } }));
    expect(await createFhirHttp({ baseUrl: server.url, tokens: null }).send({ method: 'PUT', path: 'Task/abc', body: TASK })).toEqual({ kind: 'not_final', reason: 'too_large', status: null, retryAfterMs: null });
    await closedByClient(server);
  });

  it("times out a body that stalls after its first bytes (the timeout covers the body's read)", async () => {
    const server = await fhirServer(() => ({ status: 200, stream: { bytes: 1_000_000, stallAfter: 1000 } }));
    const started = performance.now();
    expect(await createFhirHttp({ baseUrl: server.url, tokens: null, timeoutMs: 200 }).send({ method: 'GET', path: 'Task/abc' })).toEqual({ kind: 'not_final', reason: 'timeout', status: null, retryAfterMs: null });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(server.streams[0]!.sent).toBe(1000);
  });
});

describe('the token', () => {
  it('meets a 401 with a new token, once, and sends again', async () => {
    const server = await fhirServer((request) => (request.headers.authorization === 'Bearer access-1' ? { status: 401 } : { status: 200, body: TASK }));
    const { endpoint, source } = await tokens();
    const http = createFhirHttp({ baseUrl: server.url, tokens: source });
    expect(await http.send({ method: 'GET', path: 'Task/abc' })).toMatchObject({ kind: 'answer', status: 200, body: TASK });
    expect(server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(endpoint.requests).toHaveLength(2);
    // The new token is kept for the next exchange.
    await http.send({ method: 'GET', path: 'Task/abc' });
    expect(endpoint.requests).toHaveLength(2);
  });

  it('hands back a second 401 as the answer, without asking a third time', async () => {
    const server = await fhirServer(() => ({ status: 401, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] } }));
    const { endpoint, source } = await tokens();
    const answer = await createFhirHttp({ baseUrl: server.url, tokens: source }).send({ method: 'GET', path: 'Task/abc' });
    expect(answer).toMatchObject({ kind: 'answer', status: 401 });
    expect(server.requests).toHaveLength(2);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('reuses one token for many exchanges at once', async () => {
    const server = await fhirServer(() => ({ status: 200, body: TASK }));
    const { endpoint, source } = await tokens();
    const http = createFhirHttp({ baseUrl: server.url, tokens: source });
    await Promise.all(Array.from({ length: 6 }, (_, index) => http.send({ method: 'GET', path: `Task/t${index}` })));
    expect(endpoint.requests).toHaveLength(1);
    expect(new Set(server.requests.map((request) => request.headers.authorization))).toEqual(new Set(['Bearer access-1']));
  });

  it.each([
    [{ status: 503 }, { kind: 'not_final', reason: 'token', status: null, retryAfterMs: null }],
    ['hang', { kind: 'not_final', reason: 'token', status: null, retryAfterMs: null }],
    [{ status: 400, body: { error: 'invalid_client' } }, { kind: 'unauthorized', where: 'token' }],
    [{ status: 403 }, { kind: 'unauthorized', where: 'token' }],
  ] as const)('answers a token endpoint that gives %j as %j, without asking the server', async (scripted, expected) => {
    const server = await fhirServer(() => ({ status: 200 }));
    const endpoint = await startTokenEndpoint({ clientId: CLIENT_ID, key, answer: () => scripted });
    open.push(endpoint);
    const source = createTokenSource({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, scope: 's', credential: { kind: 'secret', read: async () => 'x' }, timeoutMs: 150 });
    expect(await createFhirHttp({ baseUrl: server.url, tokens: source }).send({ method: 'GET', path: 'Task/abc' })).toEqual(expected);
    expect(server.requests).toHaveLength(0);
  });

  it('answers a token refused on the second try, after a 401, as unauthorized', async () => {
    const server = await fhirServer(() => ({ status: 401 }));
    const { source } = await tokens((_request, verified, index) => (index === 0 && verified?.valid ? { status: 200, body: { access_token: 'access-1', expires_in: 300 } } : { status: 401, body: { error: 'invalid_client' } }));
    expect(await createFhirHttp({ baseUrl: server.url, tokens: source }).send({ method: 'GET', path: 'Task/abc' })).toEqual({ kind: 'unauthorized', where: 'token' });
  });
});

describe('operationOutcomeCodes', () => {
  it("gives an OperationOutcome's issue codes in order, never its text", () => {
    const body = {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'conflict', diagnostics: 'Version 3 is not 4 for Task of Jane Doe' },
        { severity: 'error', code: 'business-rule', details: { text: 'Patient Jane Doe' } },
        { severity: 'warning', code: 'Jane Doe is not a code' },
        { severity: 'error' },
        null,
      ],
    };
    expect(operationOutcomeCodes(body)).toEqual(['conflict', 'business-rule']);
  });

  it.each([null, 'text', 42, [], { resourceType: 'Task', issue: [{ code: 'invalid' }] }, { resourceType: 'OperationOutcome' }, { resourceType: 'OperationOutcome', issue: 'invalid' }])(
    'gives [] for %j',
    (body) => {
      expect(operationOutcomeCodes(body)).toEqual([]);
    },
  );
});
