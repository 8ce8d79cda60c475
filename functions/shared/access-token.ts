/**
 * The console user behind a request (CONTRACT §12), from the bearer access
 * token the request carries, verified here with aws-jwt-verify: the signature
 * against the pool's keys (JWKS), the issuer, the app client (`client_id`),
 * `token_use` `access` and the expiry. The claims API Gateway's JWT authorizer
 * puts in the request context are not read: whoever may invoke a function can
 * write them (issue 45).
 *
 * On AWS the pool is Cognito's (CognitoJwtVerifier, from the pool and client
 * ids the stack sets); the Cognito stand-in of the tests signs with a key of
 * its own under its own issuer (JwtVerifier, formerly JwtRsaVerifier: the same
 * checks). Both go through `accessTokensOf`, so one set of rules decides. The
 * library loads with the first console request (./jwt-verifiers.ts); the
 * verifier, made then, keeps the pool's keys for the life of the execution
 * environment: a cold start makes one JWKS request, a warm one none.
 */
import * as z from 'zod/mini';
import { ConfigError } from './config';
import type { TokenSource, Verified, VerifierOptions } from './jwt-verifiers';

/** The resource server's identifier and the scope an action needs (`redraw-tracker/act`). */
export const CONSOLE_RESOURCE_SERVER = 'redraw-tracker';
export const CONSOLE_ACT_SCOPE = 'act';
/** The scope claim value an action on the console's route must carry. */
export const CONSOLE_ACT_SCOPE_CLAIM = `${CONSOLE_RESOURCE_SERVER}/${CONSOLE_ACT_SCOPE}`;
/** What a console request without that scope is told (the actions route, and the booking's reads, CONTRACT §14). */
export const ACT_SCOPE_MISSING = `the access token lacks the ${CONSOLE_ACT_SCOPE_CLAIM} scope: sign in again`;
/** A console user's username as the stack invites them (CONTRACT §12). */
export const CONSOLE_USERNAME = /^[a-z0-9._-]{1,64}$/;

/** A verified console user: the username, and the groups and scopes of the token. */
export interface ConsoleUser {
  username: string;
  /** `cognito:groups` when it is a list of strings; anything else is no groups. */
  groups: readonly string[];
  /** The `scope` claim, split on spaces. */
  scopes: readonly string[];
}

export type AccessTokenOutcome = { kind: 'ok'; user: ConsoleUser } | { kind: 'unauthorized'; message: string };

/** Verifies the Authorization header of a console request. A fault of the keys' endpoint throws (a 500): it is not the caller's. */
export interface AccessTokens {
  verify(authorization: string | undefined): Promise<AccessTokenOutcome>;
}

/** The settings that name the console's pool and client: both, or `none` for both on a stack without the console. */
export const ConsoleSignInEnv = {
  /** The console's Cognito user pool (`<region>_<id>`), or `none`. */
  CONSOLE_USER_POOL_ID: z
    .string({ error: 'is required: the console user pool id, or none on a stack without the console' })
    .check(z.regex(/^(none|(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d_[A-Za-z0-9]+)$/, 'must be a Cognito user pool id such as eu-west-1_AbCdEf123, or none')),
  /** The console's app client id, or `none`. */
  CONSOLE_CLIENT_ID: z
    .string({ error: 'is required: the console app client id, or none on a stack without the console' })
    .check(z.regex(/^[A-Za-z0-9+]{1,128}$/, 'must be a Cognito app client id, or none')),
};

/**
 * The verifier the settings name; null on a stack without the console (every
 * console route is then 401). One of the two without the other is a
 * misconfiguration: it throws when the function starts.
 */
export function consoleAccessTokensOf(env: { CONSOLE_USER_POOL_ID: string; CONSOLE_CLIENT_ID: string }): AccessTokens | null {
  const pool = env.CONSOLE_USER_POOL_ID;
  const client = env.CONSOLE_CLIENT_ID;
  if (pool === 'none' && client === 'none') return null;
  if (pool === 'none' || client === 'none') throw new ConfigError('invalid configuration: CONSOLE_USER_POOL_ID and CONSOLE_CLIENT_ID are both set, or both none');
  return cognitoAccessTokens({ userPoolId: pool, clientId: client });
}

/** Cognito's access tokens of one pool and app client; `jwks` preloads the keys (a test without network). */
export function cognitoAccessTokens(pool: { userPoolId: string; clientId: string }, options: VerifierOptions = {}): AccessTokens {
  return accessTokensOf({ kind: 'cognito', ...pool }, options);
}

/**
 * Access tokens of an issuer that is not Cognito's but signs as it does (RS256,
 * `client_id`, `token_use`): the tests' Cognito stand-in. The same checks.
 */
export function rsaAccessTokens(issuer: { issuer: string; jwksUri: string; clientId: string }, options: VerifierOptions = {}): AccessTokens {
  return accessTokensOf({ kind: 'rsa', ...issuer }, options);
}

/**
 * The one path every console token takes: the bearer token out of the header;
 * the library's checks (./jwt-verifiers.ts, loaded and made once, on first
 * use); then the user, from the verified claims only.
 */
function accessTokensOf(source: TokenSource, options: VerifierOptions): AccessTokens {
  let verifier: Promise<(jwt: string) => Promise<Verified>> | undefined;
  return {
    async verify(authorization) {
      const jwt = bearerToken(authorization);
      if (jwt === null) return unauthorized('sign in: the request carries no access token');
      verifier ??= import('./jwt-verifiers').then((library) => library.verifierOf(source, options));
      const verified = await (await verifier)(jwt);
      if (verified.kind === 'invalid') return unauthorized('the token is not a valid access token of the console (signature, issuer, client, token use or expiry): sign in again');
      return userOf(verified.claims);
    },
  };
}

const unauthorized = (message: string): AccessTokenOutcome => ({ kind: 'unauthorized', message });

/** `Bearer <token>` (or the token alone, as API Gateway's JWT authorizer also takes it), or null. */
function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  return token === '' ? null : token;
}

/** The user of a verified token: an invited username and an expiry are required; groups are a list or none. */
function userOf(payload: Record<string, unknown>): AccessTokenOutcome {
  const username = payload.username;
  if (typeof username !== 'string' || !CONSOLE_USERNAME.test(username)) return unauthorized('the token does not name a console user: sign in again');
  if (typeof payload.exp !== 'number') return unauthorized('the token has no expiry: sign in again');
  const groups = payload['cognito:groups'];
  const scope = payload.scope;
  return {
    kind: 'ok',
    user: {
      username,
      groups: Array.isArray(groups) && groups.every((group): group is string => typeof group === 'string') ? groups : [],
      scopes: typeof scope === 'string' ? scope.split(' ').filter((one) => one !== '') : [],
    },
  };
}
