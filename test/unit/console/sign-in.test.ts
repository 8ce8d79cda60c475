/**
 * The console's sign-in on AWS (CONTRACT §12, issue 35) as plain functions
 * (console/src/lib/sign-in.ts) and its session (console/src/lib/session.ts) over a
 * Map for sessionStorage and a recording fetch. The browser test
 * (test/browser/console-sign-in.test.ts) drives the same code in Chromium
 * against stand-ins for the managed login and the JWT routes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  callbackOf,
  codeChallenge,
  logoutUrl,
  matchesPending,
  needsRenewal,
  parseConsoleConfig,
  PENDING_SIGN_IN_MS,
  safeReturnTo,
  signInProblem,
  tokensOf,
  type AuthSettings,
} from '../../../console/src/lib/sign-in';
import { Session, SignInError, type TabStorage } from '../../../console/src/lib/session';
import { consoleConfig } from '../../../lib/console-contract';

const PAGE = 'https://d111111abcdef8.cloudfront.net';
const AUTH: AuthSettings = { domain: 'https://redraw-tracker-1.auth.eu-west-1.amazoncognito.com', clientId: 'abc123client', scopes: 'openid redraw-tracker/act', redirectUri: `${PAGE}/` };

describe('config.json', () => {
  it('reads what the stack writes (lib/console-contract.ts) and what npm start serves', () => {
    const written = JSON.parse(JSON.stringify(consoleConfig({ signInOrigin: AUTH.domain, clientId: AUTH.clientId, url: `${PAGE}/` }))) as unknown;
    expect(parseConsoleConfig(written, PAGE)).toEqual({ api: '/api/', auth: AUTH });
    expect(parseConsoleConfig({ api: '/' }, 'http://127.0.0.1:3000')).toEqual({ api: '/', auth: null });
  });

  it('refuses, naming the field, a config that would send tokens or people elsewhere', () => {
    const withAuth = (auth: Record<string, unknown>) => ({ api: '/api/', auth: { ...AUTH, ...auth } });
    const cases: [unknown, RegExp][] = [
      [[], /not a JSON object/],
      [{ api: 'https://evil.example/' }, /api must be a path/],
      [{ api: '//evil.example/' }, /api must be a path/],
      [withAuth({ domain: 'http://sign-in.example' }), /auth.domain/],
      [withAuth({ domain: 'javascript:alert(1)' }), /auth.domain/],
      [withAuth({ domain: `${AUTH.domain}/oauth2` }), /auth.domain/],
      [withAuth({ domain: `${AUTH.domain}/?x=1` }), /auth.domain/],
      [withAuth({ clientId: 'a client' }), /auth.clientId/],
      [withAuth({ scopes: ' ' }), /auth.scopes/],
      [withAuth({ redirectUri: 'https://evil.example/' }), /auth.redirectUri/],
      [withAuth({ redirectUri: `${PAGE}/#/x` }), /auth.redirectUri/],
    ];
    for (const [config, message] of cases) expect(() => parseConsoleConfig(config, PAGE), JSON.stringify(config)).toThrow(message);
    // The browser test's stand-in runs on this machine over http.
    expect(parseConsoleConfig(withAuth({ domain: 'http://127.0.0.1:4100', redirectUri: 'http://127.0.0.1:4000/' }), 'http://127.0.0.1:4000').auth?.domain).toBe('http://127.0.0.1:4100');
  });
});

describe('config.json’s test-only timeout', () => {
  it('is accepted on this machine (the browser tests shorten the wait with it), and nowhere else', () => {
    expect(parseConsoleConfig({ api: '/', testRequestTimeoutMs: 1500 }, 'http://127.0.0.1:3000')).toEqual({ api: '/', auth: null, requestTimeoutMs: 1500 });
    expect(parseConsoleConfig({ api: '/', testRequestTimeoutMs: 2000 }, 'http://localhost:3000').requestTimeoutMs).toBe(2000);
    // Absent, the console waits REQUEST_TIMEOUT_MS (console/src/lib/api.ts createApi).
    expect(parseConsoleConfig({ api: '/' }, 'http://127.0.0.1:3000')).not.toHaveProperty('requestTimeoutMs');
    for (const page of [PAGE, 'https://127.0.0.1:3000', 'http://tracker.example.com', 'http://127.0.0.1.example.com']) {
      expect(() => parseConsoleConfig({ api: '/', testRequestTimeoutMs: 1500 }, page), page).toThrow(/testRequestTimeoutMs is for the browser tests on this machine only/);
    }
    for (const value of [99, 35_001, 1.5, '1500', null]) {
      expect(() => parseConsoleConfig({ api: '/', testRequestTimeoutMs: value }, 'http://127.0.0.1:3000'), String(value)).toThrow(/testRequestTimeoutMs must be/);
    }
  });
});

describe('PKCE (RFC 7636, S256)', () => {
  it('gives the RFC’s own example challenge', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('is base64url(SHA-256(verifier)) for any verifier, and refuses what is not one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 96 }), async (bytes) => {
        const verifier = base64url(bytes);
        expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
        expect(await codeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
      }),
    );
    await expect(codeChallenge('short')).rejects.toThrow(/43-128/);
    await expect(codeChallenge(`${'a'.repeat(43)} `)).rejects.toThrow(/43-128/);
  });

  it('asks the managed login for a code with the challenge, the state and the registered redirect', () => {
    const url = new URL(authorizeUrl(AUTH, { state: 'st', challenge: 'ch' }));
    expect(url.origin + url.pathname).toBe(`${AUTH.domain}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: AUTH.clientId,
      redirect_uri: AUTH.redirectUri,
      scope: AUTH.scopes,
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(Object.fromEntries(new URL(logoutUrl(AUTH)).searchParams)).toEqual({ client_id: AUTH.clientId, logout_uri: AUTH.redirectUri });
  });
});

describe('the redirect back and the tokens', () => {
  it('reads a code, an error, or an ordinary visit from the query', () => {
    expect(callbackOf('?code=c1&state=s1')).toEqual({ kind: 'code', code: 'c1', state: 's1' });
    expect(callbackOf('?error=access_denied&error_description=Go+to+evil.example&state=s1')).toEqual({ kind: 'error', error: 'access_denied', state: 's1' });
    expect(callbackOf('')).toBeNull();
    expect(callbackOf('?code=c1')).toBeNull();
  });

  it('never shows words a link could carry', () => {
    expect(signInProblem('access_denied')).toBe('The sign-in was cancelled or refused.');
    expect(signInProblem('odd_error')).toBe('The sign-in did not finish (odd_error).');
    expect(signInProblem('Call 555 and say your password')).toBe('The sign-in did not finish.');
  });

  it('completes only the pending sign-in of this tab, within 10 minutes', () => {
    const pending = { state: 's1', verifier: 'v'.repeat(43), returnTo: '', startedAt: 1_000 };
    expect(matchesPending({ state: 's1' }, pending, 1_000 + PENDING_SIGN_IN_MS)).toBe(true);
    expect(matchesPending({ state: 's1' }, pending, 1_001 + PENDING_SIGN_IN_MS)).toBe(false);
    expect(matchesPending({ state: 's2' }, pending, 2_000)).toBe(false);
    expect(matchesPending({ state: 's1' }, null, 2_000)).toBe(false);
    expect(safeReturnTo('#/follow-ups/abc?x=1')).toBe('#/follow-ups/abc?x=1');
    expect(safeReturnTo('https://evil.example/')).toBe('');
    expect(safeReturnTo('#/a b')).toBe('');
  });

  it('keeps a bearer access token with its expiry and the refresh token, and the held refresh token after a renewal', () => {
    const first = tokensOf({ id_token: 'id', access_token: 'a1', refresh_token: 'r1', expires_in: 3600, token_type: 'Bearer' }, 10_000);
    expect(first).toEqual({ accessToken: 'a1', expiresAt: 10_000 + 3_600_000, refreshToken: 'r1' });
    expect(JSON.stringify(first)).not.toContain('id');
    expect(tokensOf({ id_token: 'id', access_token: 'a2', expires_in: 3600, token_type: 'Bearer' }, 20_000, 'r1').refreshToken).toBe('r1');
    expect(() => tokensOf({ access_token: 'a', expires_in: 3600, token_type: 'mac' }, 0)).toThrow(/bearer/);
    expect(() => tokensOf({ access_token: '', expires_in: 3600, token_type: 'Bearer' }, 0)).toThrow(/access token/);
    expect(() => tokensOf({ access_token: 'a', token_type: 'Bearer' }, 0)).toThrow(/lifetime/);
    expect(needsRenewal(first, first.expiresAt - 60_001)).toBe(false);
    expect(needsRenewal(first, first.expiresAt - 60_000)).toBe(true);
  });
});

/** A session over a Map (sessionStorage) and a fetch answering from a list. */
function rig(answers: (Response | Error)[] = [], options: { storage?: Map<string, string> | null } = {}) {
  const map = options.storage ?? new Map<string, string>();
  const storage: TabStorage | null = options.storage === null ? null : { getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value), removeItem: (key) => void map.delete(key) };
  const requests: { url: string; form: Record<string, string> }[] = [];
  const navigations: string[] = [];
  const clock = { now: 1_000_000 };
  const deps = {
    storage,
    now: () => clock.now,
    navigate: (url: string) => void navigations.push(url),
    fetch: async (url: string, init: RequestInit) => {
      requests.push({ url, form: Object.fromEntries(new URLSearchParams(String(init.body))) });
      expect(init).toMatchObject({ method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const next = answers.shift();
      if (next === undefined) throw new Error('no answer left');
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { map, requests, navigations, clock, session: () => new Session(AUTH, deps) };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const TOKENS = { id_token: 'ID-TOKEN', access_token: 'A1', refresh_token: 'R1', expires_in: 3600, token_type: 'Bearer' };

async function signedIn(answers: (Response | Error)[] = []) {
  const r = rig([json(200, TOKENS), ...answers]);
  const first = r.session();
  await first.begin('#/follow-ups/tx-1');
  const state = new URL(r.navigations[0]!).searchParams.get('state')!;
  expect(await first.complete({ kind: 'code', code: 'C1', state })).toBe('#/follow-ups/tx-1');
  return r;
}

describe('the session (sessionStorage, the token endpoint)', () => {
  it('leaves with a fresh state and challenge, and trades the code once with the verifier behind that challenge', async () => {
    const r = rig([json(200, TOKENS)]);
    const session = r.session();
    await session.begin('#/report');
    const authorize = new URL(r.navigations[0]!).searchParams;
    const pending = JSON.parse(r.map.get('redraw-tracker.sign-in')!) as { verifier: string; state: string };
    expect(authorize.get('state')).toBe(pending.state);
    expect(authorize.get('code_challenge')).toBe(createHash('sha256').update(pending.verifier).digest('base64url'));
    expect(await session.complete({ kind: 'code', code: 'C1', state: pending.state })).toBe('#/report');
    expect(r.requests).toEqual([
      { url: `${AUTH.domain}/oauth2/token`, form: { grant_type: 'authorization_code', client_id: AUTH.clientId, code: 'C1', redirect_uri: AUTH.redirectUri, code_verifier: pending.verifier } },
    ]);
    expect(r.map.has('redraw-tracker.sign-in')).toBe(false);
    // Kept for this tab: the access and refresh tokens, never the ID token.
    expect(JSON.parse(r.map.get('redraw-tracker.session')!)).toEqual({ accessToken: 'A1', expiresAt: r.clock.now + 3_600_000, refreshToken: 'R1' });
    expect([...r.map.values()].join()).not.toContain('ID-TOKEN');
    expect(await r.session().accessToken()).toBe('A1');
  });

  it('refuses a callback it did not start, a stale one, or an error, keeping nothing and asking the token endpoint nothing', async () => {
    const r = rig();
    const session = r.session();
    await expect(session.complete({ kind: 'code', code: 'C1', state: 'forged' })).rejects.toThrow(/not one this tab started/);
    await session.begin('');
    const state = new URL(r.navigations[0]!).searchParams.get('state')!;
    await expect(session.complete({ kind: 'code', code: 'C1', state: 'other' })).rejects.toBeInstanceOf(SignInError);
    // The pending sign-in is spent by any callback: the right state afterwards fails too.
    await expect(session.complete({ kind: 'code', code: 'C1', state })).rejects.toThrow(/not one this tab started/);
    await session.begin('');
    r.clock.now += PENDING_SIGN_IN_MS + 1;
    await expect(session.complete({ kind: 'code', code: 'C1', state: new URL(r.navigations[1]!).searchParams.get('state')! })).rejects.toThrow(/10 minutes/);
    await expect(session.complete({ kind: 'error', error: 'access_denied', state: null })).rejects.toThrow('The sign-in was cancelled or refused.');
    expect(r.requests).toEqual([]);
    expect(session.signedIn).toBe(false);
    expect(r.map.has('redraw-tracker.session')).toBe(false);
  });

  it('words a refused code exchange and keeps nothing', async () => {
    const r = rig([json(400, { error: 'invalid_grant' })]);
    const session = r.session();
    await session.begin('');
    const state = new URL(r.navigations[0]!).searchParams.get('state')!;
    await expect(session.complete({ kind: 'code', code: 'C1', state })).rejects.toThrow(/code was refused/);
    expect(session.signedIn).toBe(false);
  });

  it('renews a token about to expire once for concurrent requests, keeping the refresh token', async () => {
    const r = await signedIn([json(200, { id_token: 'ID2', access_token: 'A2', expires_in: 3600, token_type: 'Bearer' })]);
    const session = r.session();
    r.clock.now += 3_600_000 - 30_000;
    expect(await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()])).toEqual(['A2', 'A2', 'A2']);
    expect(r.requests.slice(1)).toEqual([{ url: `${AUTH.domain}/oauth2/token`, form: { grant_type: 'refresh_token', client_id: AUTH.clientId, refresh_token: 'R1' } }]);
    expect(JSON.parse(r.map.get('redraw-tracker.session')!)).toMatchObject({ accessToken: 'A2', refreshToken: 'R1' });
  });

  it('sends a token with seconds left when its renewal goes unanswered, and none once it has expired', async () => {
    const r = await signedIn([new TypeError('network down'), new TypeError('network down')]);
    const session = r.session();
    r.clock.now += 3_600_000 - 30_000;
    expect(await session.accessToken()).toBe('A1');
    r.clock.now += 30_000;
    expect(await session.accessToken()).toBeNull();
    expect(session.signedIn).toBe(true);
  });

  it('forgets the session when the renewal is refused, but keeps it when the sign-in service is unreachable', async () => {
    const r = await signedIn([new TypeError('network down'), json(400, { error: 'invalid_grant' })]);
    const session = r.session();
    r.clock.now += 3_600_000;
    expect(await session.accessToken()).toBeNull();
    expect(session.signedIn).toBe(true);
    expect(await session.accessToken()).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(r.map.has('redraw-tracker.session')).toBe(false);
  });

  it('signs out: revokes the refresh token, forgets the tokens, remembers it signed out, and leaves for the managed logout', async () => {
    const r = await signedIn([new Response(null, { status: 200 })]);
    const session = r.session();
    await session.signOut();
    expect(r.requests.at(-1)).toEqual({ url: `${AUTH.domain}/oauth2/revoke`, form: { token: 'R1', client_id: AUTH.clientId } });
    expect(r.navigations.at(-1)).toBe(logoutUrl(AUTH));
    expect(session.signedIn).toBe(false);
    expect(r.session().signedOut).toBe(true);
    expect(r.map.has('redraw-tracker.session')).toBe(false);
  });

  it('signs out even when the revocation fails, and signing in again clears the signed-out mark', async () => {
    const r = await signedIn([new TypeError('network down')]);
    await r.session().signOut();
    expect(r.navigations.at(-1)).toBe(logoutUrl(AUTH));
    expect(r.map.has('redraw-tracker.session')).toBe(false);
    await r.session().begin('');
    expect(r.session().signedOut).toBe(false);
  });

  it('works in memory when the tab has no sessionStorage', async () => {
    const r = rig([json(200, TOKENS)], { storage: null });
    const session = r.session();
    await session.begin('');
    await session.complete({ kind: 'code', code: 'C1', state: new URL(r.navigations[0]!).searchParams.get('state')! });
    expect(await session.accessToken()).toBe('A1');
    expect(r.session().signedIn).toBe(false);
  });
});
