/**
 * The stand-ins the console's browser test signs in with (CONTRACT §12, issue
 * 35), driven with fetch, no browser: Cognito's managed login and OAuth
 * endpoints (test/support/cognito-standin.ts) and CloudFront with API
 * Gateway's JWT routes in front of the real handlers on DynamoDB Local
 * (test/support/console-gateway.ts). Each answer is checked against what the
 * AWS documentation says the service answers.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCOPES, consoleConfig, consoleContentSecurityPolicy } from '../../lib/console-contract';
import { buildConsoleFiles } from '../../lib/console-build';
import { startCognitoStandin, type CognitoStandin } from '../support/cognito-standin';
import { claimsAsPassed, startConsoleGateway, type ConsoleGateway } from '../support/console-gateway';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { freePort } from '../support/npm-start';
import { decode, expectOAuthError, FORM, formFields, get, ManagedLogin, pkce, post, type Tokens } from '../support/managed-login';

const CLIENT_ID = 'console-client-1';
const SCOPES = CONSOLE_SCOPES.split(' ');

let table: TestTable;
let cognito: CognitoStandin;
let gateway: ConsoleGateway;
/** The console's URL: the registered callback and sign-out URL. */
let consoleUrl: string;

beforeAll(async () => {
  table = await createTestTable('console-standins');
  const port = await freePort();
  consoleUrl = `http://127.0.0.1:${port}/`;
  cognito = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: [consoleUrl], allowedScopes: SCOPES, users: { maria: {}, lee: { groups: ['leads', 'ops'] } } });
  gateway = await startConsoleGateway({ cognito, clientId: CLIENT_ID, dynamodbEndpoint: localEndpoint(), tableName: table.tableName, closeGroup: 'leads', port });
});
afterAll(async () => {
  await gateway?.stop();
  await cognito?.stop();
  await table?.drop();
});

const login = new ManagedLogin(() => ({ origin: cognito.origin, clientId: CLIENT_ID, redirectUri: consoleUrl, scope: CONSOLE_SCOPES }));
const { authorizeUrl, signIn, tokensFor } = login;

describe('the Cognito stand-in: managed login', () => {
  it('signs a user in with code + PKCE and issues the ID, access and refresh tokens Cognito issues', async () => {
    const { verifier, challenge } = pkce();
    const { callback } = await signIn('maria', { code_challenge: challenge, state: 'a b&c' });
    expect(callback.origin + callback.pathname).toBe(consoleUrl);
    expect(callback.searchParams.get('state')).toBe('a b&c');
    const answer = await post(`${cognito.origin}/oauth2/token`, { grant_type: 'authorization_code', client_id: CLIENT_ID, code: callback.searchParams.get('code') ?? '', redirect_uri: consoleUrl, code_verifier: verifier });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const tokens = (await answer.json()) as Tokens;
    expect(Object.keys(tokens).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type']);
    expect(tokens).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });

    const access = decode(tokens.access_token);
    expect(access.header).toEqual({ kid: expect.any(String), alg: 'RS256' });
    expect(Object.keys(access.claims).sort()).toEqual(['auth_time', 'client_id', 'event_id', 'exp', 'iat', 'iss', 'jti', 'origin_jti', 'scope', 'sub', 'token_use', 'username', 'version'].sort());
    expect(access.claims).toMatchObject({ iss: cognito.issuer, version: 2, client_id: CLIENT_ID, token_use: 'access', scope: CONSOLE_SCOPES, username: 'maria' });
    expect(Number(access.claims.exp) - Number(access.claims.iat)).toBe(3600);
    const id = decode(tokens.id_token);
    expect(id.claims).toMatchObject({ iss: cognito.issuer, aud: CLIENT_ID, token_use: 'id', 'cognito:username': 'maria', sub: access.claims.sub, origin_jti: access.claims.origin_jti });
    expect(Object.keys(id.claims).filter((claim) => /mail|phone|name/.test(claim) && claim !== 'cognito:username')).toEqual([]);
    expect(cognito.verify(tokens.access_token)).toEqual(access.claims);
    expect(cognito.verify(tokens.refresh_token)).toBeNull();
  });

  it("puts a user's groups in both tokens as a list, and signs with the key its JWKS publishes", async () => {
    const tokens = await tokensFor('Lee');
    const access = decode(tokens.access_token);
    expect(access.claims).toMatchObject({ username: 'lee', 'cognito:groups': ['leads', 'ops'] });
    expect(decode(tokens.id_token).claims['cognito:groups']).toEqual(['leads', 'ops']);
    const jwks = (await (await get(`${cognito.origin}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toEqual([{ alg: 'RS256', e: expect.any(String), kid: access.header.kid, kty: 'RSA', n: expect.any(String), use: 'sig' }]);
    const discovered = (await (await get(`${cognito.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(discovered.issuer).toBe(cognito.issuer);
    expect(await (await get(discovered.jwks_uri)).json()).toEqual(jwks);
    const [head = '', body = '', signature = ''] = tokens.access_token.split('.');
    const key = createPublicKey({ key: jwks.keys[0] ?? {}, format: 'jwk' });
    expect(verifySignature('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verifySignature('sha256', Buffer.from(`${head}.${body}x`), key, Buffer.from(signature, 'base64url'))).toBe(false);
  });

  it('answers an unknown client or an unregistered redirect_uri with its own error page, never a redirect', async () => {
    for (const url of [authorizeUrl({ client_id: 'someone-else' }), authorizeUrl({ redirect_uri: consoleUrl.slice(0, -1) }), authorizeUrl({ redirect_uri: 'https://evil.example/' }), authorizeUrl({ redirect_uri: null })]) {
      const answer = await get(url);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('sends the other faults of an authorization request back to the app, with the state', async () => {
    const cases: [Record<string, string | null>, string][] = [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: null }, 'invalid_request'],
      [{ code_challenge: null }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ response_type: null }, 'invalid_request'],
      [{ response_type: 'token' }, 'unauthorized_client'],
      [{ response_type: 'id_token' }, 'unsupported_response_type'],
      [{ scope: 'openid aws.cognito.signin.user.admin' }, 'invalid_scope'],
    ];
    for (const [overrides, error] of cases) {
      const answer = await get(authorizeUrl({ ...overrides, state: 'xyz' }));
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.get('location') ?? '');
      expect({ overrides, at: location.origin + location.pathname, error: location.searchParams.get('error'), state: location.searchParams.get('state') }).toEqual({ overrides, at: consoleUrl, error, state: 'xyz' });
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  it('shows the page again for an unknown username, and sends a cancel back as access_denied', async () => {
    const authorize = await get(authorizeUrl({ state: 's-2' }));
    expect(authorize.headers.get('location')).toMatch(/^\/login\?/);
    const page = await (await get(new URL(authorize.headers.get('location') ?? '', cognito.origin).toString())).text();
    expect(page).toMatch(/<label for="username">Username<\/label>/);
    expect(page).toMatch(/<button type="submit" name="action" value="signin">Sign in<\/button>/);
    expect(page).toMatch(/value="cancel" formnovalidate>Cancel<\/button>/);
    const fields = formFields(page);
    expect(fields).toMatchObject({ client_id: CLIENT_ID, redirect_uri: consoleUrl, state: 's-2', code_challenge_method: 'S256' });

    const unknown = await post(`${cognito.origin}/login`, { ...fields, username: 'mallory', action: 'signin' });
    expect(unknown.status).toBe(200);
    const again = await unknown.text();
    expect(again).toContain('Incorrect username');
    expect(formFields(again)).toEqual(fields);

    const cancelled = await post(`${cognito.origin}/login`, { ...fields, action: 'cancel' });
    expect(cancelled.status).toBe(302);
    const location = new URL(cancelled.headers.get('location') ?? '');
    expect([location.searchParams.get('error'), location.searchParams.get('state'), location.searchParams.get('code')]).toEqual(['access_denied', 's-2', null]);

    // The hidden fields are checked again: a tampered redirect_uri gets the error page.
    const tampered = await post(`${cognito.origin}/login`, { ...fields, redirect_uri: 'https://evil.example/', username: 'maria', action: 'signin' });
    expect([tampered.status, tampered.headers.get('location')]).toEqual([400, null]);
  });

  it("keeps a registered redirect_uri's own query when it adds the code and the state", async () => {
    const redirectUri = 'http://127.0.0.1:9/callback?tenant=a';
    const other = await startCognitoStandin({ clientId: 'c-2', redirectUris: [redirectUri], allowedScopes: ['openid'], users: { maria: {} } });
    try {
      const authorize = await get(`${other.origin}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'c-2', redirect_uri: redirectUri, state: 'q', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`);
      const page = await (await get(new URL(authorize.headers.get('location') ?? '', other.origin).toString())).text();
      const signedIn = await post(`${other.origin}/login`, { ...formFields(page), username: 'maria', action: 'signin' });
      const location = new URL(signedIn.headers.get('location') ?? '');
      expect([location.pathname, location.searchParams.get('tenant'), location.searchParams.get('state')]).toEqual(['/callback', 'a', 'q']);
      expect(location.searchParams.get('code')).toMatch(/.+/);
    } finally {
      await other.stop();
    }
  });

  it('signs in again without the page while its session lasts, and not after /logout', async () => {
    const { cookie } = await signIn('maria');
    expect(cookie).toMatch(/^cognito-standin-session=.+/);
    const silent = await get(authorizeUrl({ state: 's-3' }), { cookie });
    const location = new URL(silent.headers.get('location') ?? '', cognito.origin);
    expect([location.origin + location.pathname, location.searchParams.get('state')]).toEqual([consoleUrl, 's-3']);
    expect(location.searchParams.get('code')).toMatch(/.+/);

    const logout = await get(`${cognito.origin}/logout?${new URLSearchParams({ client_id: CLIENT_ID, logout_uri: consoleUrl })}`, { cookie });
    expect([logout.status, logout.headers.get('location')]).toEqual([302, consoleUrl]);
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const afterwards = await get(authorizeUrl(), { cookie });
    expect(afterwards.headers.get('location')).toMatch(/^\/login\?/);
  });

  it('refuses a sign-out URL that is not registered, or an unknown client, with its error page', async () => {
    const cases: Record<string, string>[] = [{ client_id: CLIENT_ID, logout_uri: 'https://evil.example/' }, { client_id: CLIENT_ID }, { client_id: 'other', logout_uri: consoleUrl }];
    for (const params of cases) {
      const answer = await get(`${cognito.origin}/logout?${new URLSearchParams(params)}`);
      expect([answer.status, answer.headers.get('location')]).toEqual([400, null]);
    }
  });
});

describe('the Cognito stand-in: the token and revocation endpoints', () => {
  const exchange = (form: Record<string, string>, headers: Record<string, string> = FORM) => post(`${cognito.origin}/oauth2/token`, { grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: consoleUrl, ...form }, headers);
  const codeFor = async (challenge: string) => (await signIn('maria', { code_challenge: challenge })).callback.searchParams.get('code') ?? '';

  it('refuses a wrong verifier and then the right one: the code is burnt by the first try', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(challenge);
    await expectOAuthError(await exchange({ code, code_verifier: pkce().verifier }), 400, 'invalid_grant');
    await expectOAuthError(await exchange({ code, code_verifier: verifier }), 400, 'invalid_grant');
  });

  it('refuses a code used once already, one for another redirect_uri, an unknown client and an expired code', async () => {
    const first = pkce();
    const code = await codeFor(first.challenge);
    expect((await exchange({ code, code_verifier: first.verifier })).status).toBe(200);
    await expectOAuthError(await exchange({ code, code_verifier: first.verifier }), 400, 'invalid_grant');

    const second = pkce();
    await expectOAuthError(await exchange({ code: await codeFor(second.challenge), code_verifier: second.verifier, redirect_uri: 'http://127.0.0.1:9/' }), 400, 'invalid_grant');
    const third = pkce();
    await expectOAuthError(await exchange({ code: await codeFor(third.challenge), code_verifier: third.verifier, client_id: 'someone-else' }), 400, 'invalid_client');
    const fourth = pkce();
    await expectOAuthError(await exchange({ code: await codeFor(fourth.challenge), code_verifier: 'too-short' }), 400, 'invalid_grant');

    const late = pkce();
    const lateCode = await codeFor(late.challenge);
    cognito.advanceClock(5 * 60 + 1);
    await expectOAuthError(await exchange({ code: lateCode, code_verifier: late.verifier }), 400, 'invalid_grant');
  });

  it('refuses what is not a form, a missing parameter and another grant type; answers a preflight', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(challenge);
    const asJson = await fetch(`${cognito.origin}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: consoleUrl, code_verifier: verifier }) });
    await expectOAuthError(asJson, 400, 'invalid_request');
    await expectOAuthError(await post(`${cognito.origin}/oauth2/token`, { client_id: CLIENT_ID }), 400, 'invalid_request');
    await expectOAuthError(await exchange({ code_verifier: verifier }), 400, 'invalid_request');
    await expectOAuthError(await post(`${cognito.origin}/oauth2/token`, { grant_type: 'refresh_token', client_id: CLIENT_ID }), 400, 'invalid_request');
    await expectOAuthError(await post(`${cognito.origin}/oauth2/token`, { grant_type: 'password', client_id: CLIENT_ID, username: 'maria' }), 400, 'unsupported_grant_type');
    const preflight = await fetch(`${cognito.origin}/oauth2/token`, { method: 'OPTIONS', headers: { origin: consoleUrl.slice(0, -1), 'access-control-request-method': 'POST' } });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
  });

  it('refreshes with new ID and access tokens and no new refresh token, until the refresh token is revoked', async () => {
    const tokens = await tokensFor('maria');
    const refresh = () => post(`${cognito.origin}/oauth2/token`, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tokens.refresh_token });
    const refreshed = await refresh();
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('access-control-allow-origin')).toBe('*');
    const renewed = (await refreshed.json()) as Record<string, unknown>;
    expect(Object.keys(renewed).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'token_type']);
    const before = decode(tokens.access_token).claims;
    const after = decode(String(renewed.access_token)).claims;
    expect(after).toMatchObject({ username: 'maria', origin_jti: before.origin_jti, auth_time: before.auth_time, token_use: 'access' });
    expect(after.jti).not.toBe(before.jti);
    await expectOAuthError(await post(`${cognito.origin}/oauth2/token`, { grant_type: 'refresh_token', client_id: 'someone-else', refresh_token: tokens.refresh_token }), 400, 'invalid_client');

    const revoke = (form: Record<string, string>) => post(`${cognito.origin}/oauth2/revoke`, form);
    await expectOAuthError(await revoke({ client_id: CLIENT_ID }), 400, 'invalid_request');
    await expectOAuthError(await revoke({ token: tokens.refresh_token, client_id: 'someone-else' }), 401, 'invalid_client');
    await expectOAuthError(await revoke({ token: tokens.access_token, client_id: CLIENT_ID }), 400, 'unsupported_token_type');
    expect((await refresh()).status).toBe(200);

    const revokedBefore = cognito.revokedRefreshTokens();
    const revoked = await revoke({ token: tokens.refresh_token, client_id: CLIENT_ID });
    expect([revoked.status, await revoked.text(), revoked.headers.get('access-control-allow-origin')]).toEqual([200, '', '*']);
    expect(cognito.revokedRefreshTokens()).toBe(revokedBefore + 1);
    await expectOAuthError(await refresh(), 400, 'invalid_grant');
    // Revoking it again, or a token never issued, is a 200 that revokes nothing more.
    expect((await revoke({ token: tokens.refresh_token, client_id: CLIENT_ID })).status).toBe(200);
    expect((await revoke({ token: 'never-issued', client_id: CLIENT_ID })).status).toBe(200);
    expect(cognito.revokedRefreshTokens()).toBe(revokedBefore + 1);

    // API Gateway checks JWTs offline: the access token issued before still passes until it expires.
    expect(cognito.verify(tokens.access_token)).not.toBeNull();
    expect((await get(`${gateway.origin}/api/me`, { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
  });

  it('records every request with its parameters and Origin', async () => {
    const from = cognito.requests.length;
    await post(`${cognito.origin}/oauth2/revoke`, { token: 'never-issued', client_id: CLIENT_ID }, { ...FORM, origin: gateway.origin });
    expect(cognito.requests.slice(from)).toEqual([{ method: 'POST', path: '/oauth2/revoke', params: { token: 'never-issued', client_id: CLIENT_ID }, origin: gateway.origin }]);
  });
});

describe('the gateway stand-in: CloudFront and the console bucket', () => {
  const expectPolicyHeaders = (answer: Response) => {
    expect(answer.headers.get('content-security-policy')).toBe(consoleContentSecurityPolicy(cognito.origin));
    expect(answer.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
  };

  it('serves the built page at its URL, with or without the query string sign-in comes back with', async () => {
    expect(gateway.url).toBe(consoleUrl);
    const built = buildConsoleFiles();
    for (const path of ['/', '/?code=abc&state=xyz', '/index.html']) {
      const page = await get(`${gateway.origin}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expectPolicyHeaders(page);
      expect(await page.text()).toBe(built.get('/')?.body.toString());
    }
    const assets = [...built.keys()].filter((path) => path !== '/');
    // The entry and stylesheet, and the chunks: those the entry imports and the pages it fetches on their first visit (issue 72).
    expect(assets.slice(0, 2)).toEqual([expect.stringMatching(/^\/console\/main\.[0-9a-f]{12}\.js$/), expect.stringMatching(/^\/console\/main\.[0-9a-f]{12}\.css$/)]);
    expect(assets.slice(2)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/console\/bulk\.[A-Z0-9]{8}\.js$/), expect.stringMatching(/^\/console\/report-page\.[A-Z0-9]{8}\.js$/)]));
    for (const path of assets.slice(2)) expect(path).toMatch(/^\/console\/[a-z-]+\.[A-Z0-9]{8}\.js$/);
    for (const path of assets) {
      const asset = await get(`${gateway.origin}${path}`);
      expect(asset.status).toBe(200);
      expectPolicyHeaders(asset);
      expect(Buffer.from(await asset.arrayBuffer()).equals(built.get(path)?.body ?? Buffer.alloc(0))).toBe(true);
    }
  });

  it('serves config.json as the stack writes it, under the same headers', async () => {
    const answer = await get(`${gateway.origin}/config.json`);
    expect(answer.status).toBe(200);
    expectPolicyHeaders(answer);
    expect(await answer.json()).toEqual(consoleConfig({ signInOrigin: cognito.origin, clientId: CLIENT_ID, url: consoleUrl }));
  });

  it('answers a missing key and a method the behaviour refuses with 403 AccessDenied, as S3 behind OAC does', async () => {
    for (const answer of [await get(`${gateway.origin}/nothing-here`), await get(`${gateway.origin}/console/`), await get(`${gateway.origin}/api`), await fetch(`${gateway.origin}/`, { method: 'POST', body: 'x' })]) {
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('<Code>AccessDenied</Code>');
      expectPolicyHeaders(answer);
    }
  });
});

describe("the gateway stand-in: API Gateway's JWT routes", () => {
  const api = (path: string, init: { method?: string; token?: string; authorization?: string; body?: unknown } = {}) =>
    fetch(`${gateway.origin}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...(init.authorization === undefined ? {} : { authorization: init.authorization }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  it('refuses /api/me without a token, or with a token that is not the pool’s, 401 Unauthorized', async () => {
    const none = await api('/api/me');
    expect([none.status, await none.json()]).toEqual([401, { message: 'Unauthorized' }]);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.headers.get('x-frame-options')).toBe('DENY');
    const stranger = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: [consoleUrl], allowedScopes: SCOPES, users: { maria: {} } });
    try {
      const foreign = await (async () => {
        const { verifier, challenge } = pkce();
        const authorize = await get(`${stranger.origin}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: consoleUrl, code_challenge: challenge, code_challenge_method: 'S256' })}`);
        const page = await (await get(new URL(authorize.headers.get('location') ?? '', stranger.origin).toString())).text();
        const signedIn = await post(`${stranger.origin}/login`, { ...formFields(page), username: 'maria', action: 'signin' });
        const code = new URL(signedIn.headers.get('location') ?? '').searchParams.get('code') ?? '';
        const answer = await post(`${stranger.origin}/oauth2/token`, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: consoleUrl, code_verifier: verifier });
        return ((await answer.json()) as Tokens).access_token;
      })();
      for (const token of [foreign, 'not-a-jwt', `${foreign.slice(0, -4)}AAAA`]) {
        const refused = await api('/api/me', { token });
        expect([refused.status, await refused.json()]).toEqual([401, { message: 'Unauthorized' }]);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer scope="" error="invalid_token"/);
      }
    } finally {
      await stranger.stop();
    }
  });

  it("refuses the pool's own token 401 when its client is not the authorizer's audience", async () => {
    const { access_token: accessToken, id_token: idToken } = await tokensFor('maria');
    const elsewhere = await startConsoleGateway({ cognito, clientId: 'another-client', dynamodbEndpoint: localEndpoint(), tableName: table.tableName });
    try {
      for (const token of [accessToken, idToken]) {
        const refused = await fetch(`${elsewhere.origin}/api/me`, { headers: { authorization: `Bearer ${token}` } });
        expect([refused.status, await refused.json()]).toEqual([401, { message: 'Unauthorized' }]);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"');
      }
    } finally {
      await elsewhere.stop();
    }
  });

  it('answers /api/me with the signed-in user for an access token, with or without the Bearer prefix', async () => {
    const { access_token: token } = await tokensFor('maria');
    const from = gateway.requests.length;
    const me = await api('/api/me', { token });
    expect([me.status, await me.json()]).toEqual([200, { actor: 'user:maria' }]);
    expect(me.headers.get('content-security-policy')).toBe(consoleContentSecurityPolicy(cognito.origin));
    const bare = await api('/api/me', { authorization: token });
    expect([bare.status, await bare.json()]).toEqual([200, { actor: 'user:maria' }]);
    expect(gateway.requests.slice(from)).toEqual([
      { method: 'GET', path: '/api/me', authorization: 'bearer', status: 200 },
      { method: 'GET', path: '/api/me', authorization: 'bearer', status: 200 },
    ]);
  });

  it('lets an ID token through the authorizer (its aud is the client) to the function, which verifies it itself and refuses it 401', async () => {
    const { id_token: token } = await tokensFor('maria');
    const answer = await api('/api/me', { token });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it("refuses the action route 403 Forbidden without the act scope in the token's scope claim", async () => {
    const { access_token: openidOnly, id_token: idToken } = await tokensFor('maria', 'openid');
    expect(decode(openidOnly).claims.scope).toBe('openid');
    for (const token of [openidOnly, idToken]) {
      const refused = await api('/api/follow-ups/x/actions', { method: 'POST', token, body: { action: 'acknowledge' } });
      expect([refused.status, await refused.json()]).toEqual([403, { message: 'Forbidden' }]);
    }
    const { access_token: withAct } = await tokensFor('maria');
    const reached = await api('/api/follow-ups/x/actions', { method: 'POST', token: withAct, body: { action: 'acknowledge' } });
    expect([reached.status, await reached.json()]).toEqual([404, { error: { code: 'not_found', message: 'no follow-up with this id' } }]);
  });

  it("passes the claims as API Gateway does ('[leads ops]'), while close stays with the setting's group by the verified token's own list", async () => {
    expect(claimsAsPassed({ 'cognito:groups': ['leads', 'ops'], exp: 5, flag: true, none: null, nested: { a: 1 } })).toEqual({ 'cognito:groups': '[leads ops]', exp: '5', flag: 'true', nested: '{"a":1}' });
    const close = { action: 'close', disposition: 'patient_declined' };
    const maria = await api('/api/follow-ups/x/actions', { method: 'POST', token: (await tokensFor('maria')).access_token, body: close });
    expect(maria.status).toBe(403);
    expect(await maria.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('leads') } });
    const lee = await api('/api/follow-ups/x/actions', { method: 'POST', token: (await tokensFor('lee')).access_token, body: close });
    expect(lee.status).toBe(404);
  });

  it('answers a path or method with no route 404 Not Found, before any authorizer', async () => {
    for (const [path, method] of [['/api/nothing', 'GET'], ['/api/follow-ups/x/actions', 'GET'], ['/api/me', 'POST'], ['/api/me/', 'GET'], ['/api/', 'GET']] as const) {
      const answer = await api(path, { method });
      expect([path, method, answer.status, await answer.json()]).toEqual([path, method, 404, { message: 'Not Found' }]);
    }
  });

  it('routes /api/follow-ups/counts to its own route, not to /api/follow-ups/{follow_up_id}', async () => {
    const counts = await api('/api/follow-ups/counts', { token: (await tokensFor('maria')).access_token });
    expect(counts.status).toBe(200);
    expect(await counts.json()).toMatchObject({ actor: 'user:maria', counts: { mine: 0 } });
  });

  it('refuses the action route’s body over its limit 413, as the function does, after the authorizer', async () => {
    const big = { action: 'acknowledge', note: 'x'.repeat(5000) };
    expect((await api('/api/follow-ups/x/actions', { method: 'POST', body: big })).status).toBe(401);
    const tooLarge = await api('/api/follow-ups/x/actions', { method: 'POST', token: (await tokensFor('maria')).access_token, body: big });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses an access token 401 once it has expired on the stand-in’s clock', async () => {
    const { access_token: token } = await tokensFor('maria');
    expect((await api('/api/me', { token })).status).toBe(200);
    cognito.advanceClock(3600);
    expect(cognito.verify(token)).toBeNull();
    const expired = await api('/api/me', { token });
    expect([expired.status, await expired.json()]).toEqual([401, { message: 'Unauthorized' }]);
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
