/**
 * A stand-in for the stack's Cognito user pool domain (lib/console.ts: managed
 * login, one public app client, authorization code with PKCE) on
 * http://127.0.0.1:<free port>, for the console's browser test: no AWS account,
 * nothing beyond 127.0.0.1. It answers as Cognito documents its endpoints
 * (/oauth2/authorize, /login, /oauth2/token, /oauth2/revoke, /logout: each
 * named with its page in ./cognito-endpoints.ts) and its signing keys.
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
 *
 * Its parts: the rules of an authorization request (./cognito-authorize.ts), the
 * endpoints over the pool's state (./cognito-endpoints.ts), the tokens and their
 * key (./cognito-tokens.ts), the answers and pages (./cognito-http.ts); here, the
 * server that routes to them and what a test holds of it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rsaAccessTokens, type AccessTokens } from '../../functions/shared/access-token';
import { readBodyWithin } from '../../local/http-adapter';
import { authorize, login, logout, type Pool, revoke, token } from './cognito-endpoints';
import { CORS_HEADERS, headerOf, json, oauthJson, paramsOf, PREFLIGHT_HEADERS } from './cognito-http';
import { PoolTokens, type TokenForOptions } from './cognito-tokens';

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
  tokenFor(username: string, options?: TokenForOptions): string;
  /** Moves the stand-in's clock forward (tokens' iat/exp, codes, sessions, `verify`). */
  advanceClock(seconds: number): void;
  stop(): Promise<void>;
}

/** The pool's id in the issuer path. */
const POOL_PATH = '/pool-1';
/** Bodies are a few form fields; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startCognitoStandin(options: CognitoStandinOptions): Promise<CognitoStandin> {
  const accessTokenSeconds = options.accessTokenSeconds ?? 3600;
  const users = new Map(Object.entries(options.users).map(([username, user]) => [username, { sub: randomUUID(), groups: user.groups ?? [] }]));
  let clockOffsetMs = 0;
  const now = (): number => Math.floor((Date.now() + clockOffsetMs) / 1000);
  const tokens = new PoolTokens({ clientId: options.clientId, allowedScopes: options.allowedScopes, accessTokenSeconds, users, now });
  const pool: Pool = { client: options, accessTokenSeconds, users, tokens, codes: new Map(), refreshTokens: new Map(), sessions: new Map(), revoked: 0, now };
  const requests: StandinRequest[] = [];
  const server = createServer((request, response) => {
    readBodyWithin(request, MAX_BODY_BYTES).then(
      (body) => {
        if (body === null) return void json(response, 413, { error: 'invalid_request' });
        route(pool, requests, request, response, body);
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${POOL_PATH}`;
  tokens.issuer = issuer;
  return {
    origin,
    issuer,
    requests,
    verify: (presented) => tokens.verify(presented),
    revokedRefreshTokens: () => pool.revoked,
    jwks: () => tokens.jwks(),
    accessTokens: (clientId, tokenOptions = {}) => accessTokensOf(tokens, clientId, tokenOptions.preload === true),
    tokenFor: (username, tokenOptions = {}) => tokens.tokenFor(username, tokenOptions),
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

/** The functions' verifier of the pool's access tokens for `clientId`, its JWKS fetched over http on first use or preloaded. */
function accessTokensOf(tokens: PoolTokens, clientId: string, preload: boolean): AccessTokens {
  const fetcher = {
    fetch: async (uri: string): Promise<ArrayBuffer> => {
      const answer = await fetch(uri);
      if (answer.status !== 200) throw new Error(`JWKS answered ${answer.status}`);
      return answer.arrayBuffer();
    },
  };
  return rsaAccessTokens({ issuer: tokens.issuer, jwksUri: `${tokens.issuer}/.well-known/jwks.json`, clientId }, preload ? { jwks: tokens.jwks(), fetcher } : { fetcher });
}

/** Records the request and hands it to its endpoint. */
function route(pool: Pool, requests: StandinRequest[], request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const params = paramsOf(request, url, body);
  const method = request.method ?? 'GET';
  requests.push({ method, path: url.pathname, params, origin: headerOf(request, 'origin') });
  const path = url.pathname;
  if (path === '/oauth2/token' || path === '/oauth2/revoke') {
    // "The token endpoint returns Access-Control-Allow-Origin: *" (token-endpoint.html): a browser app calls it cross-origin.
    if (method === 'OPTIONS') return void response.writeHead(204, { ...CORS_HEADERS, ...PREFLIGHT_HEADERS }).end();
    if (method !== 'POST') return oauthJson(response, 405, { error: 'invalid_request' }, { allow: 'POST, OPTIONS' });
    return path === '/oauth2/token' ? token(pool, request, response, params) : revoke(pool, request, response, params);
  }
  if (method === 'GET' && path === '/oauth2/authorize') return authorize(pool, request, response, params);
  if ((method === 'GET' || method === 'POST') && path === '/login') return login(pool, request, response, params);
  if (method === 'GET' && path === '/logout') return logout(pool, request, response, params);
  if (method === 'GET' && (path === '/.well-known/jwks.json' || path === `${POOL_PATH}/.well-known/jwks.json`)) return json(response, 200, pool.tokens.jwks());
  if (method === 'GET' && path === `${POOL_PATH}/.well-known/openid-configuration`) return json(response, 200, discovery(pool, new URL(pool.tokens.issuer).origin));
  json(response, 404, { error: 'not_found' });
}

/** The pool's OpenID discovery document. */
function discovery(pool: Pool, origin: string): Record<string, unknown> {
  const issuer = pool.tokens.issuer;
  return {
    authorization_endpoint: `${origin}/oauth2/authorize`,
    id_token_signing_alg_values_supported: ['RS256'],
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    revocation_endpoint: `${origin}/oauth2/revoke`,
    scopes_supported: [...pool.client.allowedScopes],
    subject_types_supported: ['public'],
    token_endpoint: `${origin}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}
