/**
 * aws-jwt-verify behind the console's access tokens (./access-token.ts), in a
 * module of its own that access-token.ts imports when the first console request
 * comes: the library (about 30 KiB) stays out of the query and actions
 * functions' cold start, and the IAM routes never load it.
 *
 * Made once per execution environment, each verifier keeps the pool's keys in
 * its cache (SimpleJwksCache: one request for many tokens, concurrent ones
 * included; a token under an unknown key id refetches, at most every 10 s).
 */
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, JwkValidationError, JwtBaseError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

/** Where the tokens come from: Cognito's pool, or an issuer that signs as Cognito does (the tests' stand-in). */
export type TokenSource = { kind: 'cognito'; userPoolId: string; clientId: string } | { kind: 'rsa'; issuer: string; jwksUri: string; clientId: string };

export interface VerifierOptions {
  /** The keys, preloaded (cacheJwks): no JWKS request at all. */
  jwks?: Jwks;
  /** How the JWKS is fetched; aws-jwt-verify's own (https, one retry) when absent. */
  fetcher?: Fetcher;
}

/** A verified token's claims, or that it is not a valid access token of the source. */
export type Verified = { kind: 'ok'; claims: JwtPayload } | { kind: 'invalid' };

/**
 * A verifier of the source's access tokens: signature by its keys, issuer,
 * client (`client_id`), `token_use` `access` and expiry. What can be refused
 * without the keys is, first (another issuer, another client, an ID token: no
 * JWKS request for them). A fault of the keys' endpoint throws: it is not the caller's.
 */
export function verifierOf(source: TokenSource, options: VerifierOptions = {}): (jwt: string) => Promise<Verified> {
  const jwksCache = new SimpleJwksCache(options.fetcher === undefined ? {} : { fetcher: options.fetcher });
  let verify: (jwt: string) => Promise<JwtPayload>;
  if (source.kind === 'cognito') {
    const verifier = CognitoJwtVerifier.create({ userPoolId: source.userPoolId, clientId: source.clientId, tokenUse: 'access' }, { jwksCache });
    if (options.jwks !== undefined) verifier.cacheJwks(options.jwks);
    verify = (jwt) => verifier.verify(jwt);
  } else {
    // JwtRsaVerifier's name since aws-jwt-verify 5; the client and token use as Cognito's verifier checks them.
    const verifier = JwtVerifier.create(
      {
        issuer: source.issuer,
        jwksUri: source.jwksUri,
        audience: null,
        customJwtCheck: ({ payload }) => {
          if (payload.client_id !== source.clientId || payload.token_use !== 'access') throw new Error('not an access token of the console client');
        },
      },
      { jwksCache },
    );
    if (options.jwks !== undefined) verifier.cacheJwks(options.jwks);
    verify = (jwt) => verifier.verify(jwt);
  }
  const issuer = source.kind === 'cognito' ? CognitoJwtVerifier.parseUserPoolId(source.userPoolId).issuer : source.issuer;
  return async (jwt) => {
    const unverified = unverifiedClaims(jwt);
    if (unverified === null || unverified.iss !== issuer || unverified.client_id !== source.clientId || unverified.token_use !== 'access') return { kind: 'invalid' };
    try {
      return { kind: 'ok', claims: await verify(jwt) };
    } catch (error) {
      // The keys could not be had: the pool's fault or the network's, never the caller's.
      if (error instanceof FetchError || error instanceof JwksValidationError || error instanceof JwkValidationError) throw error;
      if (error instanceof JwtBaseError || (error instanceof Error && error.message === 'not an access token of the console client')) return { kind: 'invalid' };
      throw error;
    }
  };
}

/** A token's claims before any check, or null. */
function unverifiedClaims(jwt: string): JwtPayload | null {
  try {
    return decomposeUnverifiedJwt(jwt).payload;
  } catch {
    return null;
  }
}
