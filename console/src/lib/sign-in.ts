/**
 * Signing in on AWS (CONTRACT §12, issue 35), as plain functions: config.json
 * read and checked, the authorization code flow with PKCE (RFC 7636, S256)
 * against Cognito's managed login (its /oauth2/authorize, /oauth2/token,
 * /oauth2/revoke and /logout endpoints), and the token answer held to its
 * shape. No DOM and no storage here (console/src/lib/session.ts is the edge); the
 * digest is Web Crypto's, present in browsers and in Node.
 *
 * Locally (`npm start`) config.json has no `auth`: the console asks for a
 * handle instead and no token exists.
 */
import { REQUEST_TIMEOUT_MS } from './http';

/** How the console signs people in: lib/console-contract.ts `ConsoleConfig['auth']`, as the stack writes it. */
export interface AuthSettings {
  /** The sign-in domain's origin, e.g. https://redraw-tracker-123.auth.eu-west-1.amazoncognito.com */
  domain: string;
  clientId: string;
  /** Space-separated scopes. */
  scopes: string;
  /** The console's own URL, exactly as the app client registers it for callbacks and sign-out. */
  redirectUri: string;
}

/** config.json, checked. */
export interface ConsoleSettings {
  /** The API's base on the page's own origin: `/` locally, `/api/` on AWS. */
  api: string;
  /** Null locally: no sign-in, a handle instead. */
  auth: AuthSettings | null;
  /**
   * A shorter wait for the API's answers than REQUEST_TIMEOUT_MS, for the browser
   * tests only: config.json's `testRequestTimeoutMs`, accepted on a loopback origin
   * alone (neither the stack nor npm start writes it).
   */
  requestTimeoutMs?: number;
}

/** The tokens the console keeps (never the ID token: the API takes the access token, and /me names the person). */
export interface Tokens {
  accessToken: string;
  /** When the access token stops being accepted, in ms since the epoch (from `expires_in`). */
  expiresAt: number;
  /** Null when the answer had none and none was held before. */
  refreshToken: string | null;
}

/** What the sign-in page's redirect back carried (Cognito adds `code` and `state`, or `error`). */
export type Callback = { kind: 'code'; code: string; state: string } | { kind: 'error'; error: string; state: string | null };

/** A sign-in on its way: kept in the tab's sessionStorage between leaving for the sign-in page and coming back. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  /** The console's hash route to return to (`#/follow-ups/abc`), or '' for the worklist. */
  returnTo: string;
  /** When it started (ms): a pending sign-in older than 10 minutes is not completed. */
  startedAt: number;
}

/** How long a started sign-in may take (Cognito's codes live 5 minutes; its sign-in page waits longer). */
export const PENDING_SIGN_IN_MS = 10 * 60_000;
/** An access token this close to its expiry is renewed before it is sent. */
export const RENEW_BEFORE_MS = 60_000;

const CLIENT_ID = /^[\w+]{1,128}$/;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a URL may carry sign-in traffic: https, or http on this machine (the test's stand-in). */
function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'));
}

/**
 * config.json, checked against the page it is served with. Throws an Error
 * that says which field is wrong: a console that cannot sign in safely does
 * not start.
 */
export function parseConsoleConfig(config: unknown, pageOrigin: string): ConsoleSettings {
  if (!isRecord(config)) throw new Error('config.json is not a JSON object');
  const api = config.api === undefined ? '/' : config.api;
  if (typeof api !== 'string' || !api.startsWith('/') || api.startsWith('//')) throw new Error('config.json: api must be a path on this origin, such as /api/');
  const timeout = testTimeoutOf(config.testRequestTimeoutMs, pageOrigin);
  const settings = (auth: AuthSettings | null): ConsoleSettings => (timeout === null ? { api, auth } : { api, auth, requestTimeoutMs: timeout });
  if (config.auth === undefined || config.auth === null) return settings(null);
  const auth = config.auth;
  if (!isRecord(auth)) throw new Error('config.json: auth must be an object');
  const { domain, clientId, scopes, redirectUri } = auth;
  let domainUrl: URL;
  try {
    domainUrl = new URL(String(domain));
  } catch {
    throw new Error('config.json: auth.domain must be the sign-in domain’s URL');
  }
  if (typeof domain !== 'string' || !isSecureOrLoopback(domainUrl) || domainUrl.pathname !== '/' || domainUrl.search !== '' || domain.replace(/\/$/, '') !== domainUrl.origin) {
    throw new Error('config.json: auth.domain must be an https origin with no path');
  }
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) throw new Error('config.json: auth.clientId must be the app client’s id');
  if (typeof scopes !== 'string' || scopes.trim() === '') throw new Error('config.json: auth.scopes must name the scopes to ask for');
  let redirect: URL;
  try {
    redirect = new URL(String(redirectUri));
  } catch {
    throw new Error('config.json: auth.redirectUri must be the console’s URL');
  }
  if (typeof redirectUri !== 'string' || redirect.origin !== pageOrigin || redirect.hash !== '') {
    throw new Error('config.json: auth.redirectUri must be this console’s own URL');
  }
  return settings({ domain: domainUrl.origin, clientId, scopes: scopes.trim(), redirectUri });
}

/** config.json's test-only `testRequestTimeoutMs`: null when absent; refused anywhere but on a loopback origin; it may only shorten REQUEST_TIMEOUT_MS. */
function testTimeoutOf(value: unknown, pageOrigin: string): number | null {
  if (value === undefined) return null;
  let page: URL | null = null;
  try {
    page = new URL(pageOrigin);
  } catch {
    // not an origin: refused below
  }
  if (page === null || page.protocol !== 'http:' || !isSecureOrLoopback(page)) throw new Error('config.json: testRequestTimeoutMs is for the browser tests on this machine only');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > REQUEST_TIMEOUT_MS) throw new Error('config.json: testRequestTimeoutMs must be a whole number of ms from 100 to 35000');
  return value;
}

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs write bytes. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh random string of 32 bytes (43 characters): a code verifier or a state. */
export function randomToken(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  return base64url(random(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  if (!CODE_VERIFIER.test(verifier)) throw new Error('a code verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The managed login's authorize URL for a pending sign-in. */
export function authorizeUrl(auth: AuthSettings, pending: { state: string; challenge: string }): string {
  const url = new URL('/oauth2/authorize', auth.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: auth.scopes,
    state: pending.state,
    code_challenge: pending.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** The token endpoint's URL. */
export const tokenUrl = (auth: AuthSettings): string => new URL('/oauth2/token', auth.domain).href;
/** The revocation endpoint's URL. */
export const revokeUrl = (auth: AuthSettings): string => new URL('/oauth2/revoke', auth.domain).href;

/** The form that trades the code for tokens (a public client: no secret, the verifier instead). */
export function codeExchangeForm(auth: AuthSettings, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'authorization_code', client_id: auth.clientId, code, redirect_uri: auth.redirectUri, code_verifier: verifier });
}

/** The form that renews the access token. */
export function refreshForm(auth: AuthSettings, refreshToken: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', client_id: auth.clientId, refresh_token: refreshToken });
}

/** The form that revokes the refresh token (and the tokens Cognito issued with it) at sign-out. */
export function revokeForm(auth: AuthSettings, refreshToken: string): URLSearchParams {
  return new URLSearchParams({ token: refreshToken, client_id: auth.clientId });
}

/** The managed login's sign-out URL: it ends the sign-in page's own session and comes back to the console. */
export function logoutUrl(auth: AuthSettings): string {
  const url = new URL('/logout', auth.domain);
  url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.redirectUri }).toString();
  return url.href;
}

/** What the redirect back from the sign-in page carried in the query, or null when it is an ordinary visit. */
export function callbackOf(search: string): Callback | null {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  if (error !== null) return { kind: 'error', error, state: params.get('state') };
  const code = params.get('code');
  const state = params.get('state');
  if (code !== null && state !== null) return { kind: 'code', code, state };
  return null;
}

/**
 * Whether a callback completes this pending sign-in: the same state (so no
 * other site's code is taken), started within PENDING_SIGN_IN_MS.
 */
export function matchesPending(callback: { state: string }, pending: PendingSignIn | null, now: number): pending is PendingSignIn {
  return pending !== null && callback.state === pending.state && now - pending.startedAt >= 0 && now - pending.startedAt <= PENDING_SIGN_IN_MS;
}

/** A pending sign-in as sessionStorage gave it back, or null if it is not one. */
export function pendingOf(stored: unknown): PendingSignIn | null {
  if (!isRecord(stored)) return null;
  const { state, verifier, returnTo, startedAt } = stored;
  if (typeof state !== 'string' || typeof verifier !== 'string' || typeof returnTo !== 'string' || typeof startedAt !== 'number') return null;
  return { state, verifier, returnTo: safeReturnTo(returnTo), startedAt };
}

/** A hash route to come back to: only the console's own (`#/...`), else the worklist. */
export function safeReturnTo(hash: string): string {
  return /^#\/[^\s]*$/.test(hash) && hash.length <= 2000 ? hash : '';
}

/**
 * The token endpoint's 200 answer as Tokens. A refresh answer has no refresh
 * token: the one held before is kept. Throws when the answer is not a bearer
 * access token with a lifetime.
 */
export function tokensOf(answer: unknown, now: number, heldRefreshToken: string | null = null): Tokens {
  if (!isRecord(answer)) throw new Error('the sign-in service answered something other than tokens');
  const { access_token: accessToken, expires_in: expiresIn, token_type: tokenType, refresh_token: refreshToken } = answer;
  if (typeof accessToken !== 'string' || accessToken === '') throw new Error('the sign-in service answered without an access token');
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') throw new Error('the sign-in service answered a token that is not a bearer token');
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw new Error('the sign-in service answered a token without a lifetime');
  return { accessToken, expiresAt: now + expiresIn * 1000, refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : heldRefreshToken };
}

/** Tokens as sessionStorage gave them back, or null. */
export function storedTokensOf(stored: unknown): Tokens | null {
  if (!isRecord(stored)) return null;
  const { accessToken, expiresAt, refreshToken } = stored;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresAt !== 'number') return null;
  return { accessToken, expiresAt, refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : null };
}

/** Whether the access token must be renewed before it is sent. */
export function needsRenewal(tokens: Tokens, now: number): boolean {
  return tokens.expiresAt - now <= RENEW_BEFORE_MS;
}

/**
 * Words for a sign-in that did not finish, from the sign-in page's `error` or
 * the token endpoint's. Its free-text description is never shown: anyone can
 * put words in a link to the console.
 */
export function signInProblem(error: string): string {
  const words: Record<string, string> = {
    access_denied: 'The sign-in was cancelled or refused.',
    invalid_grant: 'The sign-in code was refused: it was used already, expired, or came from another sign-in.',
    invalid_request: 'The sign-in service refused the request as malformed.',
    invalid_scope: 'The console asked for a permission its app client does not grant: check config.json’s scopes.',
    invalid_client: 'The sign-in service does not know this console’s app client: check config.json’s clientId.',
    unauthorized_client: 'The app client may not sign in this way: it needs the authorization code grant.',
    server_error: 'The sign-in service failed.',
    temporarily_unavailable: 'The sign-in service is unavailable for now.',
  };
  return words[error] ?? (/^[a-z_]{1,64}$/.test(error) ? `The sign-in did not finish (${error}).` : 'The sign-in did not finish.');
}
