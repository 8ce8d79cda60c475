/**
 * The FHIR access token (functions/fhir/client/token.ts, CONTRACT §13) against a real
 * token endpoint on 127.0.0.1 that verifies each SMART client assertion with
 * jose and the client's public key: RS384 and ES384 assertions, a client secret
 * sent as Basic, a token reused until a minute before it expires and shared by
 * callers that ask at once, and every failure of the endpoint as its kind: a
 * redirect never followed, a body read within 64 KiB.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenSource, TOKEN_MAX_BODY_BYTES, type FhirCredential, type TokenSourceOptions } from '../../functions/fhir/client/token';
import { ConfigError } from '../../functions/shared/config';
import { clientKey, startTokenEndpoint, type ClientKey, type Listening, type Scripted, type TokenEndpoint, type TokenEndpointOptions } from '../support/fhir-servers';

const CLIENT_ID = 'redraw-tracker';
const SECRET = 'cs_SUPER secret:+%/&=value';
const SCOPE = 'system/Task.rs system/Task.cu';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function endpoint(options: Omit<TokenEndpointOptions, 'clientId'>): Promise<TokenEndpoint> {
  const started = await startTokenEndpoint({ clientId: CLIENT_ID, ...options });
  open.push(started);
  return started;
}

const secretCredential: FhirCredential = { kind: 'secret', read: async () => SECRET };
const keyCredential = (key: ClientKey, keyId = 'kid-1'): FhirCredential => ({ kind: 'private_key', keyId, read: async () => key.privatePem });

function source(server: TokenEndpoint, credential: FhirCredential, more: Partial<TokenSourceOptions> = {}) {
  return createTokenSource({ tokenUrl: server.tokenUrl, clientId: CLIENT_ID, scope: SCOPE, credential, ...more });
}

let rs384: ClientKey;
let es384: ClientKey;
beforeAll(async () => {
  [rs384, es384] = await Promise.all([clientKey('RS384'), clientKey('ES384')]);
});

describe('SMART Backend Services: a signed client assertion (private_key_jwt)', () => {
  it.each(['RS384', 'ES384'] as const)('sends a %s assertion the endpoint verifies with the public key, with its kid and claims', async (alg) => {
    const key = alg === 'RS384' ? rs384 : es384;
    const server = await endpoint({ key });
    const before = Math.floor(Date.now() / 1000);
    const result = await source(server, keyCredential(key, `kid-${alg}`)).token();
    expect(result).toEqual({ ok: true, accessToken: 'access-1' });
    const [verified] = server.verified;
    expect(verified).toMatchObject({ kind: 'assertion', valid: true, header: { alg, kid: `kid-${alg}`, typ: 'JWT' } });
    const claims = verified!.claims!;
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: server.tokenUrl });
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.exp!).toBeGreaterThanOrEqual(before + 300);
    expect(claims.exp!).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 300);
    expect(Object.fromEntries(verified!.form)).toEqual({
      grant_type: 'client_credentials',
      scope: SCOPE,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: expect.any(String),
    });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.path).toBe('/auth/token');
  });

  it('signs each request with a fresh jti', async () => {
    const server = await endpoint({ key: es384 });
    const tokens = source(server, keyCredential(es384));
    await tokens.token();
    tokens.forget();
    await tokens.token();
    const [first, second] = server.verified.map((verified) => verified.claims?.jti);
    expect(server.verified.every((verified) => verified.valid)).toBe(true);
    expect(first).not.toBe(second);
  });

  it('takes a PKCS#1 key in one line with literal \\n escapes, as a secret may hold it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trim().replaceAll('\n', '\\n');
    const key: ClientKey = { alg: 'RS384', privatePem: pkcs1, publicPem: '', publicKey: await crypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, false, ['verify']) };
    const server = await endpoint({ key });
    expect(await source(server, keyCredential(key)).token()).toEqual({ ok: true, accessToken: 'access-1' });
    expect(server.verified[0]).toMatchObject({ valid: true, header: { alg: 'RS384' } });
  });

  it('refuses a P-256 key with a ConfigError that names the curve and quotes none of the key, before any request', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const server = await endpoint({ key: es384 });
    const error = await source(server, { kind: 'private_key', keyId: 'k', read: async () => p256 }).token().then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('invalid configuration: the FHIR private key must be an EC key on P-384 (ES384), not on P-256');
    expect(server.requests).toHaveLength(0);
  });

  it('is refused (unauthorized) when the endpoint knows another key', async () => {
    const server = await endpoint({ key: es384 });
    const other = await clientKey('ES384');
    expect(await source(server, keyCredential(other)).token()).toEqual({ ok: false, kind: 'unauthorized', status: 401, error: 'invalid_client' });
    expect(server.verified[0]?.valid).toBe(false);
  });
});

describe('a client secret (client_secret_basic)', () => {
  it('sends the id and secret, each form-urlencoded, as Basic, and no assertion', async () => {
    const server = await endpoint({ secret: SECRET });
    expect(await source(server, secretCredential).token()).toEqual({ ok: true, accessToken: 'access-1' });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('redraw-tracker:cs_SUPER+secret%3A%2B%25%2F%26%3Dvalue').toString('base64')}`);
    expect(server.verified[0]).toMatchObject({ kind: 'basic', valid: true, basic: { clientId: CLIENT_ID, secret: SECRET } });
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ grant_type: 'client_credentials', scope: SCOPE });
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('rejects, asking nothing, when the secret cannot be read, and asks again at the next call', async () => {
    const server = await endpoint({ secret: SECRET });
    let fail = true;
    const tokens = source(server, { kind: 'secret', read: async () => (fail ? Promise.reject(new ConfigError('invalid configuration: FHIR_CLIENT_SECRET_ARN: GetSecretValue failed: ThrottlingException')) : SECRET) });
    await expect(tokens.token()).rejects.toThrow(/ThrottlingException/);
    expect(server.requests).toHaveLength(0);
    fail = false;
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-1' });
  });
});

describe('the token, reused', () => {
  it('is reused until 60 s before expires_in ends, then renewed', async () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    const server = await endpoint({ secret: SECRET, expiresIn: 300 });
    const tokens = source(server, secretCredential, { now: () => now });
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-1' });
    now += 239_999;
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-1' });
    expect(server.requests).toHaveLength(1);
    now += 1;
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-2' });
    expect(server.requests).toHaveLength(2);
  });

  it('reads expires_in given as digits, takes 300 s without one, and never reuses a token of a minute or less', async () => {
    let now = 0;
    const lifetimes: unknown[] = ['600', undefined, 60];
    const server = await endpoint({ secret: SECRET, answer: (_request, _verified, index) => ({ status: 200, body: { access_token: `t${index}`, expires_in: lifetimes[index] } }) });
    const tokens = source(server, secretCredential, { now: () => now });
    await tokens.token();
    now += 539_000;
    await tokens.token();
    expect(server.requests).toHaveLength(1);
    now += 1000; // 540 s: renewed; this one has no expires_in
    await tokens.token();
    now += 239_000;
    await tokens.token();
    expect(server.requests).toHaveLength(2);
    now += 1000; // 240 s: renewed; this one lives 60 s, so is never reused
    await tokens.token();
    await tokens.token();
    expect(server.requests).toHaveLength(4);
  });

  it('makes one request for callers that ask at once, and all get its token', async () => {
    const server = await endpoint({ key: rs384 });
    const tokens = source(server, keyCredential(rs384));
    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.token()));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ ok: true, accessToken: 'access-1' })));
    expect(server.requests).toHaveLength(1);
  });

  it('drops the token on forget, and only the rejected one when named', async () => {
    const server = await endpoint({ secret: SECRET });
    const tokens = source(server, secretCredential);
    await tokens.token();
    tokens.forget('an older token');
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-1' });
    tokens.forget('access-1');
    expect(await tokens.token()).toEqual({ ok: true, accessToken: 'access-2' });
  });
});

describe('the endpoint failing, each failure its kind', () => {
  const scripted = (answer: Scripted) => endpoint({ secret: SECRET, answer: () => answer });

  it.each([
    [500, 'status 500'],
    [502, 'status 502'],
    [503, 'status 503'],
    [429, 'status 429'],
    [408, 'status 408'],
  ])('answers %i as unavailable, and asks again at the next call', async (status, reason) => {
    const server = await scripted({ status, body: { error: 'temporarily_unavailable' }, headers: { 'retry-after': '5' } });
    const tokens = source(server, secretCredential);
    expect(await tokens.token()).toEqual({ ok: false, kind: 'unavailable', reason });
    await tokens.token();
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['400 invalid_client', 400, { error: 'invalid_client', error_description: 'no such client' }, { status: 400, error: 'invalid_client' }],
    ['400 invalid_grant', 400, { error: 'invalid_grant' }, { status: 400, error: 'invalid_grant' }],
    ['400 unauthorized_client', 400, { error: 'unauthorized_client' }, { status: 400, error: 'unauthorized_client' }],
    ['400 invalid_scope', 400, { error: 'invalid_scope' }, { status: 400, error: 'invalid_scope' }],
    ['400 with an error no RFC names', 400, { error: 'Client <script>' }, { status: 400 }],
    ['401', 401, { error: 'invalid_client' }, { status: 401, error: 'invalid_client' }],
    ['403', 403, 'Forbidden', { status: 403 }],
    ['404 (a wrong token URL)', 404, 'Not Found', { status: 404 }],
  ])('answers %s as unauthorized', async (_case, status, body, expected) => {
    const server = await scripted({ status, body });
    expect(await source(server, secretCredential).token()).toEqual({ ok: false, kind: 'unauthorized', ...expected });
    expect(server.requests).toHaveLength(1);
  });

  it.each([301, 302, 303, 307, 308])('answers a %i as unavailable, never following it to the page behind it (which gives a token)', async (status) => {
    let login = '';
    const server = await endpoint({
      secret: SECRET,
      answer: (request) => (request.path === '/login' ? { status: 200, body: { access_token: 'from-the-login-page', expires_in: 300 } } : { status, body: '<html>Moved</html>', headers: { location: login, 'content-type': 'text/html' } }),
    });
    login = `${server.url}/login`;
    const tokens = source(server, secretCredential);
    expect(await tokens.token()).toEqual({ ok: false, kind: 'unavailable', reason: `status ${status}` });
    expect(server.requests.map((request) => request.path)).toEqual(['/auth/token']);
    // Tried again at the next call, as any unavailable endpoint is.
    await tokens.token();
    expect(server.requests.map((request) => request.path)).toEqual(['/auth/token', '/auth/token']);
  });

  it('answers a 200 over 64 KiB as unavailable, never a token, and closes the connection', async () => {
    const server = await scripted({ status: 200, stream: { bytes: Number.POSITIVE_INFINITY } });
    expect(await source(server, secretCredential).token()).toEqual({ ok: false, kind: 'unavailable', reason: `token answer over ${TOKEN_MAX_BODY_BYTES} bytes` });
    await expect.poll(() => server.streams[0]?.closedEarly, { timeout: 2000, interval: 10 }).toBe(true);
    expect(server.streams[0]!.sent).toBeLessThan(10 * 1024 * 1024);
  });

  it('takes a token answer of 64 KiB exactly, and not one of a byte more', async () => {
    const answerOf = (bytes: number) => {
      const shell = JSON.stringify({ access_token: '', expires_in: 300 });
      return JSON.stringify({ access_token: 't'.repeat(bytes - shell.length), expires_in: 300 });
    };
    const server = await endpoint({ secret: SECRET, answer: (_request, _verified, index) => ({ status: 200, body: answerOf(TOKEN_MAX_BODY_BYTES + index) }) });
    const tokens = source(server, secretCredential);
    expect(await tokens.token()).toMatchObject({ ok: true, accessToken: expect.stringMatching(/^t+$/) });
    tokens.forget();
    expect(await tokens.token()).toEqual({ ok: false, kind: 'unavailable', reason: `token answer over ${TOKEN_MAX_BODY_BYTES} bytes` });
  });

  it('reads no error code from a 400 over 64 KiB: unauthorized by its status alone', async () => {
    const server = await scripted({ status: 400, body: { error: 'invalid_client', error_description: 'x'.repeat(TOKEN_MAX_BODY_BYTES) } });
    expect(await source(server, secretCredential).token()).toEqual({ ok: false, kind: 'unauthorized', status: 400 });
  });

  it.each([
    ['garbage', '{"access_token": "half'],
    ['JSON without access_token', { token_type: 'bearer', expires_in: 300 }],
    ['an empty access_token', { access_token: '', expires_in: 300 }],
    ['a JSON array', [1, 2]],
    ['an HTML page', '<!doctype html><html><body>Sign in</body></html>'],
  ])('answers a 200 of %s as unavailable', async (_case, body) => {
    const server = await scripted({ status: 200, body });
    const result = await source(server, secretCredential).token();
    expect(result).toMatchObject({ ok: false, kind: 'unavailable', reason: expect.stringMatching(/^token answer /) });
  });

  it('answers a hang as unavailable after the timeout', async () => {
    const server = await scripted('hang');
    const started = performance.now();
    expect(await source(server, secretCredential, { timeoutMs: 150 }).token()).toEqual({ ok: false, kind: 'unavailable', reason: 'timeout after 150 ms' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('answers a refused connection as unavailable (network error)', async () => {
    const server = await scripted({ status: 200 });
    await server.close();
    expect(await source(server, secretCredential).token()).toEqual({ ok: false, kind: 'unavailable', reason: 'network error' });
  });
});
