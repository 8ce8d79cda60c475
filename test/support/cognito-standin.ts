/**
 * A stand-in for the stack's Cognito user pool domain (lib/console.ts: managed
 * login, one public app client, authorization code with PKCE) on
 * http://127.0.0.1:<free port>, for the console's browser test: no AWS account,
 * nothing beyond 127.0.0.1. It answers as Cognito documents its endpoints:
 *
 * - /oauth2/authorize  https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 * - /login             https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
 * - /oauth2/token      https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 * - /oauth2/revoke     https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
 * - /logout            https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
 * - the signing keys   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 *
 * Its tokens are RS256 JWTs with the claims Cognito's access and ID tokens
 * carry (no e-mail or other personal attribute), signed by an RSA key made at
 * start. The stand-in keeps its own clock (`advanceClock`) so that a test can
 * let an access token expire without waiting an hour.
 *
 * Where it is stricter than Cognito, on purpose: PKCE (S256) is required on
 * every authorization request (Cognito accepts a code grant without it; the
 * console must never send one). What it leaves out: passwords and MFA (the
 * page asks for a username only), federation, implicit grant, client secrets.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify as verifySignature } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBodyWithin } from '../../local/http-adapter';
import type { AddressInfo } from 'node:net';
import { rsaAccessTokens, type AccessTokens } from '../../functions/shared/access-token';

export interface CognitoStandinOptions {
  /** The one public app client (no secret). */
  clientId: string;
  /** Registered callback URLs, which are also the sign-out URLs (exact string match, as Cognito). */
  redirectUris: string[];
  /** The scopes the client may ask for, e.g. ['openid', 'redraw-tracker/act']. */
  allowedScopes: string[];
  /** Invited usernames (lower case, as the stack invites them) and their Cognito groups. */
  users: Record<string, { groups?: string[] }>;
  /** Access and ID token validity; default 3600 (the stack's 60 minutes). */
  accessTokenSeconds?: number;
}

export interface StandinRequest {
  method: string;
  path: string;
  /** Query and form parameters, parsed (token values among them: kept here, never logged). */
  params: Record<string, string>;
  /** The request's Origin header (a browser's fetch from the console sends one). */
  origin: string | null;
}

export interface CognitoStandin {
  /** http://127.0.0.1:PORT: the sign-in domain (config.json's auth.domain). */
  origin: string;
  /** The tokens' `iss`: `${origin}/pool-1`, as https://cognito-idp.<region>.amazonaws.com/<poolId> on AWS. */
  issuer: string;
  /** Every request received, oldest first. */
  requests: StandinRequest[];
  /**
   * The claims of a token this pool signed, or null: key id, RS256 signature,
   * `iss`, `exp` (and `nbf`/`iat` when present) against the stand-in's clock.
   * Not revocation: API Gateway's JWT authorizer checks tokens offline, so an
   * access token stays good until it expires even after its refresh token is revoked.
   */
  verify(token: string): Record<string, unknown> | null;
  /** How many refresh tokens were revoked (POST /oauth2/revoke). */
  revokedRefreshTokens(): number;
  /**
   * The functions' verifier of this pool's access tokens for `clientId`
   * (functions/shared/access-token.ts `rsaAccessTokens`): its issuer and its
   * JWKS, fetched over http on first use (aws-jwt-verify's own fetcher speaks
   * https only), or preloaded with `{ preload: true }` (no request at all).
   */
  accessTokens(clientId: string, options?: { preload?: boolean }): AccessTokens;
  /** The pool's public keys, as its JWKS endpoint answers them. */
  jwks(): { keys: { alg: string; e: string; kid: string; kty: string; n: string; use: string }[] };
  /**
   * A token as this pool would issue it to `username` without the sign-in
   * (a test's shortcut): an access token by default, or an ID token; `clientId`
   * another app client's; `expiresInSeconds` negative for one already expired;
   * `claims` added or replaced last (`'cognito:groups'`, a forged `username`...).
   */
  tokenFor(username: string, options?: { use?: 'access' | 'id'; scopes?: string[]; clientId?: string; expiresInSeconds?: number; claims?: Record<string, unknown> }): string;
  /** Moves the stand-in's clock forward (tokens' iat/exp, codes, sessions, `verify`). */
  advanceClock(seconds: number): void;
  stop(): Promise<void>;
}

/** An authorization code is single-use and valid for five minutes (authorization-endpoint.html). */
const CODE_SECONDS = 5 * 60;
/** The stack's refresh token validity (lib/console.ts: refreshTokenValidity 12 hours). */
const REFRESH_TOKEN_SECONDS = 12 * 60 * 60;
/** Managed login's session cookie lasts an hour: an authorize request inside it signs in without the page. */
const SESSION_SECONDS = 60 * 60;
const SESSION_COOKIE = 'cognito-standin-session';
/** The pool's id in the issuer path. */
const POOL_PATH = '/pool-1';
/** Bodies are a few form fields; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;
/** RFC 7636 §4.1: the verifier's alphabet and length. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge is the base64url (no padding) of a SHA-256 digest: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** The authorize parameters the sign-in page carries to POST /login. */
const AUTHORIZE_FIELDS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce'] as const;

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

interface RefreshGrant {
  clientId: string;
  username: string;
  scopes: string[];
  authTime: number;
  /** Shared by every token issued from this refresh token (the token-revocation identifier). */
  originJti: string;
  eventId: string;
  expiresAt: number;
  revoked: boolean;
}

interface Session {
  username: string;
  authTime: number;
  expiresAt: number;
}

/** A checked authorization request. */
interface AuthorizeRequest {
  redirectUri: string;
  state: string | null;
  challenge: string;
  scopes: string[];
  nonce: string | null;
  params: Record<string, string>;
}

type AuthorizeOutcome =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** Not sent to the app: an unknown client or an unregistered redirect_uri gets Cognito's error page. */
  | { kind: 'page'; message: string }
  /** Sent back to the app's redirect_uri (authorization-endpoint.html, negative responses). */
  | { kind: 'redirect'; redirectUri: string; error: string; state: string | null };

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startCognitoStandin(options: CognitoStandinOptions): Promise<CognitoStandin> {
  const accessTokenSeconds = options.accessTokenSeconds ?? 3600;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(32).toString('base64');
  const jwk = publicKey.export({ format: 'jwk' });
  const users = new Map(Object.entries(options.users).map(([username, user]) => [username, { sub: randomUUID(), groups: user.groups ?? [] }]));
  const codes = new Map<string, CodeGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const sessions = new Map<string, Session>();
  const requests: StandinRequest[] = [];
  let clockOffsetMs = 0;
  let revoked = 0;
  let origin = '';
  let issuer = '';

  /** The stand-in's clock, in seconds since the epoch (JWT NumericDate). */
  const now = (): number => Math.floor((Date.now() + clockOffsetMs) / 1000);

  const signJwt = (payload: Record<string, unknown>): string => {
    const input = `${base64url(JSON.stringify({ kid, alg: 'RS256' }))}.${base64url(JSON.stringify(payload))}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  const verify = (token: string): Record<string, unknown> | null => {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [head = '', body = '', signature = ''] = parts;
    const header = parseJsonObject(Buffer.from(head, 'base64url').toString('utf8'));
    if (header === null || header.alg !== 'RS256' || header.kid !== kid) return null;
    if (!verifySignature('sha256', Buffer.from(`${head}.${body}`), publicKey, Buffer.from(signature, 'base64url'))) return null;
    const claims = parseJsonObject(Buffer.from(body, 'base64url').toString('utf8'));
    if (claims === null || claims.iss !== issuer) return null;
    const at = now();
    if (typeof claims.exp !== 'number' || claims.exp <= at) return null;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > at)) return null;
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > at)) return null;
    return claims;
  };

  /** The access token, and the ID token when `openid` was granted (authorization-endpoint.html: "An ID token is only returned if openid scope is requested"). */
  const issueTokens = (grant: { username: string; scopes: string[]; authTime: number; originJti: string; eventId: string; nonce: string | null }) => {
    const user = users.get(grant.username);
    if (user === undefined) throw new Error(`cognito stand-in: no user ${grant.username}`);
    const iat = now();
    const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const accessToken = signJwt({
      sub: user.sub,
      ...groups,
      iss: issuer,
      version: 2,
      client_id: options.clientId,
      origin_jti: grant.originJti,
      event_id: grant.eventId,
      token_use: 'access',
      scope: grant.scopes.join(' '),
      auth_time: grant.authTime,
      exp: iat + accessTokenSeconds,
      iat,
      jti: randomUUID(),
      username: grant.username,
    });
    if (!grant.scopes.includes('openid')) return { accessToken, idToken: null };
    // The stack's ID token validity equals its access token validity (60 minutes).
    const idToken = signJwt({
      at_hash: atHash(accessToken),
      sub: user.sub,
      ...groups,
      iss: issuer,
      'cognito:username': grant.username,
      ...(grant.nonce === null ? {} : { nonce: grant.nonce }),
      origin_jti: grant.originJti,
      aud: options.clientId,
      event_id: grant.eventId,
      token_use: 'id',
      auth_time: grant.authTime,
      exp: iat + accessTokenSeconds,
      iat,
      jti: randomUUID(),
    });
    return { accessToken, idToken };
  };

  /** Checks an authorization request's parameters in Cognito's order: client and redirect_uri first (never redirected), then the rest (redirected). */
  const checkAuthorize = (params: Record<string, string>): AuthorizeOutcome => {
    if (params.client_id !== options.clientId) return { kind: 'page', message: 'Invalid client: this app client does not exist.' };
    const redirectUri = params.redirect_uri;
    if (redirectUri === undefined || !options.redirectUris.includes(redirectUri)) return { kind: 'page', message: 'redirect_mismatch: the redirect_uri is not registered for this app client.' };
    const state = params.state ?? null;
    const refuse = (error: string): AuthorizeOutcome => ({ kind: 'redirect', redirectUri, error, state });
    const responseType = params.response_type;
    if (responseType === undefined || responseType === '') return refuse('invalid_request');
    // The client is allowed the code grant only (lib/console.ts: implicitCodeGrant false).
    if (responseType === 'token') return refuse('unauthorized_client');
    if (responseType !== 'code') return refuse('unsupported_response_type');
    const challenge = params.code_challenge;
    if (params.code_challenge_method !== 'S256' || challenge === undefined || !S256_CHALLENGE.test(challenge)) return refuse('invalid_request');
    const asked = (params.scope ?? '').split(' ').filter((scope) => scope !== '');
    // "If the client doesn't request any scopes, the authentication server uses all scopes associated with the client."
    const scopes = asked.length === 0 ? [...options.allowedScopes] : [...new Set(asked)];
    if (scopes.some((scope) => !options.allowedScopes.includes(scope))) return refuse('invalid_scope');
    const authorizeParams: Record<string, string> = {};
    for (const field of AUTHORIZE_FIELDS) {
      const value = params[field];
      if (value !== undefined) authorizeParams[field] = value;
    }
    return { kind: 'ok', request: { redirectUri, state, challenge, scopes, nonce: params.nonce ?? null, params: authorizeParams } };
  };

  /** A code for `username`, sent back to the app: `redirect_uri?code=...&state=...` (a redirect_uri's own query kept). */
  const redirectWithCode = (response: ServerResponse, request: AuthorizeRequest, session: Session, extraHeaders: Record<string, string> = {}): void => {
    const code = randomUUID();
    codes.set(code, {
      clientId: options.clientId,
      redirectUri: request.redirectUri,
      challenge: request.challenge,
      username: session.username,
      scopes: request.scopes,
      nonce: request.nonce,
      authTime: session.authTime,
      expiresAt: now() + CODE_SECONDS,
    });
    const target = new URL(request.redirectUri);
    target.searchParams.append('code', code);
    if (request.state !== null) target.searchParams.append('state', request.state);
    redirect(response, target.toString(), extraHeaders);
  };

  const sessionOf = (request: IncomingMessage): { id: string; session: Session } | null => {
    const id = cookieOf(request, SESSION_COOKIE);
    const session = id === null ? undefined : sessions.get(id);
    if (id === null || session === undefined) return null;
    if (session.expiresAt <= now()) {
      sessions.delete(id);
      return null;
    }
    return { id, session };
  };

  const answerAuthorizeFault = (response: ServerResponse, outcome: Exclude<AuthorizeOutcome, { kind: 'ok' }>): void => {
    if (outcome.kind === 'page') return errorPage(response, outcome.message);
    const target = new URL(outcome.redirectUri);
    target.searchParams.append('error', outcome.error);
    if (outcome.state !== null) target.searchParams.append('state', outcome.state);
    redirect(response, target.toString());
  };

  // GET /oauth2/authorize: a managed login session signs in at once; otherwise on to the sign-in page (/login) with the same parameters.
  const authorize = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void => {
    const outcome = checkAuthorize(params);
    if (outcome.kind !== 'ok') return answerAuthorizeFault(response, outcome);
    const current = sessionOf(request);
    if (current !== null) return redirectWithCode(response, outcome.request, current.session);
    redirect(response, `/login?${new URLSearchParams(outcome.request.params).toString()}`);
  };

  // GET /login: the sign-in page. POST /login: sign in, or cancel.
  const login = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void => {
    const outcome = checkAuthorize(params);
    if (outcome.kind !== 'ok') return answerAuthorizeFault(response, outcome);
    if (request.method === 'GET') return signInPage(response, outcome.request.params, null);
    if (params.action === 'cancel') return answerAuthorizeFault(response, { kind: 'redirect', redirectUri: outcome.request.redirectUri, error: 'access_denied', state: outcome.request.state });
    // The stack's pool signs in case-insensitively (signInCaseSensitive: false); usernames are invited in lower case.
    const username = (params.username ?? '').trim().toLowerCase();
    // Cognito's words with preventUserExistenceErrors: an unknown user is not told apart from a wrong password.
    if (!users.has(username)) return signInPage(response, outcome.request.params, 'Incorrect username or password.');
    const id = randomBytes(24).toString('base64url');
    const session: Session = { username, authTime: now(), expiresAt: now() + SESSION_SECONDS };
    sessions.set(id, session);
    redirectWithCode(response, outcome.request, session, { 'set-cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
  };

  // POST /oauth2/token
  const token = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void => {
    if (!isForm(request)) return oauthJson(response, 400, { error: 'invalid_request' });
    const grantType = params.grant_type;
    if (grantType === undefined || grantType === '') return oauthJson(response, 400, { error: 'invalid_request' });
    if (grantType === 'authorization_code') return exchangeCode(response, params);
    if (grantType === 'refresh_token') return refresh(response, params);
    // client_credentials needs a client secret, which this public client has not.
    if (grantType === 'client_credentials') return oauthJson(response, 400, { error: 'unauthorized_client' });
    oauthJson(response, 400, { error: 'unsupported_grant_type' });
  };

  const exchangeCode = (response: ServerResponse, params: Record<string, string>): void => {
    const code = params.code;
    // A code presented is burnt, whatever happens next: single use, even when the exchange fails.
    const grant = code === undefined ? undefined : codes.get(code);
    if (code !== undefined) codes.delete(code);
    const { client_id: clientId, redirect_uri: redirectUri, code_verifier: verifier } = params;
    if (clientId === undefined || code === undefined || redirectUri === undefined) return oauthJson(response, 400, { error: 'invalid_request' });
    if (clientId !== options.clientId) return oauthJson(response, 400, { error: 'invalid_client' });
    const at = now();
    const good =
      grant !== undefined &&
      grant.expiresAt > at &&
      grant.clientId === clientId &&
      grant.redirectUri === redirectUri &&
      verifier !== undefined &&
      CODE_VERIFIER.test(verifier) &&
      createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
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
    refreshTokens.set(refreshToken, refreshGrant);
    const tokens = issueTokens({ ...refreshGrant, nonce: grant.nonce });
    oauthJson(response, 200, {
      ...(tokens.idToken === null ? {} : { id_token: tokens.idToken }),
      access_token: tokens.accessToken,
      refresh_token: refreshToken,
      expires_in: accessTokenSeconds,
      token_type: 'Bearer',
    });
  };

  // "The token endpoint returns refresh_token only when the grant_type is authorization_code."
  const refresh = (response: ServerResponse, params: Record<string, string>): void => {
    const { client_id: clientId, refresh_token: refreshToken } = params;
    if (clientId === undefined || refreshToken === undefined) return oauthJson(response, 400, { error: 'invalid_request' });
    if (clientId !== options.clientId) return oauthJson(response, 400, { error: 'invalid_client' });
    const grant = refreshTokens.get(refreshToken);
    if (grant === undefined || grant.revoked || grant.expiresAt <= now() || grant.clientId !== clientId) return oauthJson(response, 400, { error: 'invalid_grant' });
    const tokens = issueTokens({ ...grant, nonce: null });
    oauthJson(response, 200, {
      ...(tokens.idToken === null ? {} : { id_token: tokens.idToken }),
      access_token: tokens.accessToken,
      expires_in: accessTokenSeconds,
      token_type: 'Bearer',
    });
  };

  // POST /oauth2/revoke (revocation-endpoint.html, "Revocation error response").
  const revoke = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void => {
    if (!isForm(request)) return oauthJson(response, 400, { error: 'invalid_request' });
    const { token: presented, client_id: clientId } = params;
    if (presented === undefined || presented === '') return oauthJson(response, 400, { error: 'invalid_request' });
    // "HTTP 401 and error invalid_client is returned if the client credentials are invalid."
    if (clientId !== options.clientId) return oauthJson(response, 401, { error: 'invalid_client' });
    // "HTTP 400 and error unsupported_token_type is returned if the token sent in the revocation request is not a refresh token."
    if (verify(presented) !== null) return oauthJson(response, 400, { error: 'unsupported_token_type' });
    const grant = refreshTokens.get(presented);
    if (grant !== undefined && grant.clientId === clientId && !grant.revoked) {
      grant.revoked = true;
      revoked += 1;
    }
    // "HTTP 200 if the token has been revoked or if the client submitted an invalid token."
    response.writeHead(200, CORS_HEADERS).end();
  };

  // GET /logout: ends the managed login session and goes to a registered sign-out URL.
  const logout = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): void => {
    if (params.client_id !== options.clientId) return errorPage(response, 'Invalid client: this app client does not exist.');
    const logoutUri = params.logout_uri;
    if (logoutUri === undefined || !options.redirectUris.includes(logoutUri)) return errorPage(response, 'Invalid logout_uri: it is not a sign-out URL of this app client.');
    const current = sessionOf(request);
    if (current !== null) sessions.delete(current.id);
    redirect(response, logoutUri, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
  };

  const jwks = (response: ServerResponse): void => {
    json(response, 200, publicJwks());
  };

  const discovery = (response: ServerResponse): void => {
    json(response, 200, {
      authorization_endpoint: `${origin}/oauth2/authorize`,
      id_token_signing_alg_values_supported: ['RS256'],
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      revocation_endpoint: `${origin}/oauth2/revoke`,
      scopes_supported: [...options.allowedScopes],
      subject_types_supported: ['public'],
      token_endpoint: `${origin}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  };

  const route = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const params: Record<string, string> = {};
    for (const [name, value] of url.searchParams) params[name] = value;
    if (isForm(request)) for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params[name] = value;
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, params, origin: headerOf(request, 'origin') });
    const path = url.pathname;
    if (path === '/oauth2/token' || path === '/oauth2/revoke') {
      // "The token endpoint returns Access-Control-Allow-Origin: *" (token-endpoint.html): a browser app calls it cross-origin.
      if (method === 'OPTIONS') return void response.writeHead(204, { ...CORS_HEADERS, ...PREFLIGHT_HEADERS }).end();
      if (method !== 'POST') return oauthJson(response, 405, { error: 'invalid_request' }, { allow: 'POST, OPTIONS' });
      return path === '/oauth2/token' ? token(request, response, params) : revoke(request, response, params);
    }
    if (method === 'GET' && path === '/oauth2/authorize') return authorize(request, response, params);
    if ((method === 'GET' || method === 'POST') && path === '/login') return login(request, response, params);
    if (method === 'GET' && path === '/logout') return logout(request, response, params);
    if (method === 'GET' && (path === '/.well-known/jwks.json' || path === `${POOL_PATH}/.well-known/jwks.json`)) return jwks(response);
    if (method === 'GET' && path === `${POOL_PATH}/.well-known/openid-configuration`) return discovery(response);
    json(response, 404, { error: 'not_found' });
  };

  const server = createServer((request, response) => {
    readBodyWithin(request, MAX_BODY_BYTES).then(
      (body) => {
        if (body === null) return void json(response, 413, { error: 'invalid_request' });
        route(request, response, body);
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${origin}${POOL_PATH}`;

  const publicJwks = () => ({ keys: [{ alg: 'RS256', e: jwk.e ?? '', kid, kty: 'RSA', n: jwk.n ?? '', use: 'sig' }] });

  return {
    origin,
    issuer,
    requests,
    verify,
    revokedRefreshTokens: () => revoked,
    jwks: publicJwks,
    accessTokens(clientId, tokenOptions = {}) {
      const fetcher = {
        fetch: async (uri: string): Promise<ArrayBuffer> => {
          const answer = await fetch(uri);
          if (answer.status !== 200) throw new Error(`JWKS answered ${answer.status}`);
          return answer.arrayBuffer();
        },
      };
      return rsaAccessTokens({ issuer, jwksUri: `${issuer}/.well-known/jwks.json`, clientId }, tokenOptions.preload === true ? { jwks: publicJwks(), fetcher } : { fetcher });
    },
    tokenFor(username, tokenOptions = {}) {
      const user = users.get(username);
      const iat = now();
      const groups = user !== undefined && user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
      const common = { sub: user?.sub ?? randomUUID(), ...groups, iss: issuer, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: iat, iat, exp: iat + (tokenOptions.expiresInSeconds ?? accessTokenSeconds), jti: randomUUID() };
      const clientId = tokenOptions.clientId ?? options.clientId;
      const claims =
        tokenOptions.use === 'id'
          ? { ...common, 'cognito:username': username, aud: clientId, token_use: 'id' }
          : { ...common, version: 2, client_id: clientId, token_use: 'access', scope: (tokenOptions.scopes ?? options.allowedScopes).join(' '), username };
      return signJwt({ ...claims, ...tokenOptions.claims });
    },
    advanceClock(seconds: number) {
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceClock: seconds must be a finite number >= 0 (the clock only moves forward)');
      clockOffsetMs += seconds * 1000;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every answer of the token and revocation endpoints, errors included. */
const CORS_HEADERS = { 'access-control-allow-origin': '*' } as const;
const PREFLIGHT_HEADERS = { 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' } as const;

/** An OAuth JSON answer of /oauth2/token or /oauth2/revoke: never cached, open to any origin. */
function oauthJson(response: ServerResponse, status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...extra }).end(JSON.stringify(body));
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function redirect(response: ServerResponse, location: string, extra: Record<string, string> = {}): void {
  response.writeHead(302, { location, 'cache-control': 'no-store', ...extra }).end();
}

/**
 * The stand-in's pages: no script, no style, never framed. No `form-action`: Chromium applies it to the
 * redirect that follows POST /login too, and that redirect goes to the app's origin.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/** Cognito's own error page: for an unknown client or an unregistered redirect or sign-out URL it never sends the browser back to the app. */
function errorPage(response: ServerResponse, message: string): void {
  response
    .writeHead(400, PAGE_HEADERS)
    .end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><main><h1>An error was encountered with the requested page.</h1><p>${escapeHtml(message)}</p></main></body></html>`);
}

/** The stand-in's sign-in page: a username, "Sign in" and "Cancel", the authorize parameters in hidden fields. */
function signInPage(response: ServerResponse, authorizeParams: Record<string, string>, error: string | null): void {
  const hidden = Object.entries(authorizeParams)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const alert = error === null ? '' : `<p role="alert">${escapeHtml(error)}</p>`;
  response
    .writeHead(200, PAGE_HEADERS)
    .end(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main>' +
        `<h1>Sign in</h1>${alert}<form method="post" action="/login">${hidden}` +
        '<label for="username">Username</label> <input id="username" name="username" autocomplete="username" required> ' +
        '<button type="submit" name="action" value="signin">Sign in</button> ' +
        '<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>' +
        '</form></main></body></html>',
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** OpenID Connect's at_hash: the left half of the access token's SHA-256, base64url. */
function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function headerOf(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

/** Whether the body is a form (application/x-www-form-urlencoded, parameters allowed), as both OAuth endpoints require. */
function isForm(request: IncomingMessage): boolean {
  return (headerOf(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

function cookieOf(request: IncomingMessage, name: string): string | null {
  for (const part of (headerOf(request, 'cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
