/**
 * The Cognito stand-in's user pool endpoints (./cognito-standin.ts), each as Cognito documents it, over
 * the pool's state (codes, refresh tokens, managed login sessions) and its clock:
 *
 * - /oauth2/authorize  https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 * - /login             https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
 * - /oauth2/token      https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 * - /oauth2/revoke     https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
 * - /logout            https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppClient, type AuthorizeOutcome, type AuthorizeRequest, checkAuthorize, verifierMatches } from './cognito-authorize';
import { cookieOf, CORS_HEADERS, errorPage, isForm, oauthJson, redirect, signInPage } from './cognito-http';
import type { PoolTokens, PoolUser, TokenGrant } from './cognito-tokens';

/** An authorization code is single-use and valid for five minutes (authorization-endpoint.html). */
const CODE_SECONDS = 5 * 60;
/** The stack's refresh token validity (lib/console.ts: refreshTokenValidity 12 hours). */
const REFRESH_TOKEN_SECONDS = 12 * 60 * 60;
/** Managed login's session cookie lasts an hour: an authorize request inside it signs in without the page. */
const SESSION_SECONDS = 60 * 60;
const SESSION_COOKIE = 'cognito-standin-session';

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  username: string;
  scopes: string[];
  nonce: string | null;
  authTime: number;
  expiresAt: number;
}

interface RefreshGrant extends Omit<TokenGrant, 'nonce'> {
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

interface Session {
  username: string;
  authTime: number;
  expiresAt: number;
}

/** The pool: its app client, users and tokens, what it has granted, and its clock. */
export interface Pool {
  client: AppClient;
  accessTokenSeconds: number;
  users: ReadonlyMap<string, PoolUser>;
  tokens: PoolTokens;
  codes: Map<string, CodeGrant>;
  refreshTokens: Map<string, RefreshGrant>;
  sessions: Map<string, Session>;
  /** How many refresh tokens were revoked. */
  revoked: number;
  /** The pool's clock, in seconds since the epoch (JWT NumericDate). */
  now(): number;
}

/** A code for `username`, sent back to the app: `redirect_uri?code=...&state=...` (a redirect_uri's own query kept). */
function redirectWithCode(pool: Pool, response: ServerResponse, request: AuthorizeRequest, session: Session, extraHeaders: Record<string, string> = {}): void {
  const code = randomUUID();
  pool.codes.set(code, {
    clientId: pool.client.clientId,
    redirectUri: request.redirectUri,
    challenge: request.challenge,
    username: session.username,
    scopes: request.scopes,
    nonce: request.nonce,
    authTime: session.authTime,
    expiresAt: pool.now() + CODE_SECONDS,
  });
  const target = new URL(request.redirectUri);
  target.searchParams.append('code', code);
  if (request.state !== null) target.searchParams.append('state', request.state);
  redirect(response, target.toString(), extraHeaders);
}

function sessionOf(pool: Pool, request: IncomingMessage): { id: string; session: Session } | null {
  const id = cookieOf(request, SESSION_COOKIE);
  const session = id === null ? undefined : pool.sessions.get(id);
  if (id === null || session === undefined) return null;
  if (session.expiresAt <= pool.now()) {
    pool.sessions.delete(id);
    return null;
  }
  return { id, session };
}

function answerAuthorizeFault(response: ServerResponse, outcome: Exclude<AuthorizeOutcome, { kind: 'ok' }>): void {
  if (outcome.kind === 'page') return errorPage(response, outcome.message);
  const target = new URL(outcome.redirectUri);
  target.searchParams.append('error', outcome.error);
  if (outcome.state !== null) target.searchParams.append('state', outcome.state);
  redirect(response, target.toString());
}

/** GET /oauth2/authorize: a managed login session signs in at once; otherwise on to the sign-in page (/login) with the same parameters. */
export function authorize(pool: Pool, request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void {
  const outcome = checkAuthorize(pool.client, params);
  if (outcome.kind !== 'ok') return answerAuthorizeFault(response, outcome);
  const current = sessionOf(pool, request);
  if (current !== null) return redirectWithCode(pool, response, outcome.request, current.session);
  redirect(response, `/login?${new URLSearchParams(outcome.request.params).toString()}`);
}

/** GET /login: the sign-in page. POST /login: sign in, or cancel. */
export function login(pool: Pool, request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void {
  const outcome = checkAuthorize(pool.client, params);
  if (outcome.kind !== 'ok') return answerAuthorizeFault(response, outcome);
  if (request.method === 'GET') return signInPage(response, outcome.request.params, null);
  if (params.action === 'cancel') return answerAuthorizeFault(response, { kind: 'redirect', redirectUri: outcome.request.redirectUri, error: 'access_denied', state: outcome.request.state });
  // The stack's pool signs in case-insensitively (signInCaseSensitive: false); usernames are invited in lower case.
  const username = (params.username ?? '').trim().toLowerCase();
  // Cognito's words with preventUserExistenceErrors: an unknown user is not told apart from a wrong password.
  if (!pool.users.has(username)) return signInPage(response, outcome.request.params, 'Incorrect username or password.');
  const id = randomBytes(24).toString('base64url');
  const session: Session = { username, authTime: pool.now(), expiresAt: pool.now() + SESSION_SECONDS };
  pool.sessions.set(id, session);
  redirectWithCode(pool, response, outcome.request, session, { 'set-cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
}

/** POST /oauth2/token */
export function token(pool: Pool, request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void {
  if (!isForm(request)) return oauthJson(response, 400, { error: 'invalid_request' });
  const grantType = params.grant_type;
  if (grantType === undefined || grantType === '') return oauthJson(response, 400, { error: 'invalid_request' });
  if (grantType === 'authorization_code') return exchangeCode(pool, response, params);
  if (grantType === 'refresh_token') return refresh(pool, response, params);
  // client_credentials needs a client secret, which this public client has not.
  if (grantType === 'client_credentials') return oauthJson(response, 400, { error: 'unauthorized_client' });
  oauthJson(response, 400, { error: 'unsupported_grant_type' });
}

function exchangeCode(pool: Pool, response: ServerResponse, params: Record<string, string>): void {
  const code = params.code;
  // A code presented is burnt, whatever happens next: single use, even when the exchange fails.
  const grant = code === undefined ? undefined : pool.codes.get(code);
  if (code !== undefined) pool.codes.delete(code);
  const { client_id: clientId, redirect_uri: redirectUri, code_verifier: verifier } = params;
  if (clientId === undefined || code === undefined || redirectUri === undefined) return oauthJson(response, 400, { error: 'invalid_request' });
  if (clientId !== pool.client.clientId) return oauthJson(response, 400, { error: 'invalid_client' });
  const at = pool.now();
  const good = grant !== undefined && grant.expiresAt > at && grant.clientId === clientId && grant.redirectUri === redirectUri && verifierMatches(verifier, grant.challenge);
  if (!good || grant === undefined) return oauthJson(response, 400, { error: 'invalid_grant' });
  const refreshToken = randomBytes(48).toString('base64url');
  const refreshGrant: RefreshGrant = {
    clientId,
    username: grant.username,
    scopes: grant.scopes,
    authTime: grant.authTime,
    originJti: randomUUID(),
    eventId: randomUUID(),
    expiresAt: at + REFRESH_TOKEN_SECONDS,
    revoked: false,
  };
  pool.refreshTokens.set(refreshToken, refreshGrant);
  const tokens = pool.tokens.issue({ ...refreshGrant, nonce: grant.nonce });
  oauthJson(response, 200, {
    ...(tokens.idToken === null ? {} : { id_token: tokens.idToken }),
    access_token: tokens.accessToken,
    refresh_token: refreshToken,
    expires_in: pool.accessTokenSeconds,
    token_type: 'Bearer',
  });
}

// "The token endpoint returns refresh_token only when the grant_type is authorization_code."
function refresh(pool: Pool, response: ServerResponse, params: Record<string, string>): void {
  const { client_id: clientId, refresh_token: refreshToken } = params;
  if (clientId === undefined || refreshToken === undefined) return oauthJson(response, 400, { error: 'invalid_request' });
  if (clientId !== pool.client.clientId) return oauthJson(response, 400, { error: 'invalid_client' });
  const grant = pool.refreshTokens.get(refreshToken);
  if (grant === undefined || grant.revoked || grant.expiresAt <= pool.now() || grant.clientId !== clientId) return oauthJson(response, 400, { error: 'invalid_grant' });
  const tokens = pool.tokens.issue({ ...grant, nonce: null });
  oauthJson(response, 200, {
    ...(tokens.idToken === null ? {} : { id_token: tokens.idToken }),
    access_token: tokens.accessToken,
    expires_in: pool.accessTokenSeconds,
    token_type: 'Bearer',
  });
}

/** POST /oauth2/revoke (revocation-endpoint.html, "Revocation error response"). */
export function revoke(pool: Pool, request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void {
  if (!isForm(request)) return oauthJson(response, 400, { error: 'invalid_request' });
  const { token: presented, client_id: clientId } = params;
  if (presented === undefined || presented === '') return oauthJson(response, 400, { error: 'invalid_request' });
  // "HTTP 401 and error invalid_client is returned if the client credentials are invalid."
  if (clientId !== pool.client.clientId) return oauthJson(response, 401, { error: 'invalid_client' });
  // "HTTP 400 and error unsupported_token_type is returned if the token sent in the revocation request is not a refresh token."
  if (pool.tokens.verify(presented) !== null) return oauthJson(response, 400, { error: 'unsupported_token_type' });
  const grant = pool.refreshTokens.get(presented);
  if (grant !== undefined && grant.clientId === clientId && !grant.revoked) {
    grant.revoked = true;
    pool.revoked += 1;
  }
  // "HTTP 200 if the token has been revoked or if the client submitted an invalid token."
  response.writeHead(200, CORS_HEADERS).end();
}

/** GET /logout: ends the managed login session and goes to a registered sign-out URL. */
export function logout(pool: Pool, request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void {
  if (params.client_id !== pool.client.clientId) return errorPage(response, 'Invalid client: this app client does not exist.');
  const logoutUri = params.logout_uri;
  if (logoutUri === undefined || !pool.client.redirectUris.includes(logoutUri)) return errorPage(response, 'Invalid logout_uri: it is not a sign-out URL of this app client.');
  const current = sessionOf(pool, request);
  if (current !== null) pool.sessions.delete(current.id);
  redirect(response, logoutUri, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
}
