/**
 * The Cognito stand-in's tokens (./cognito-standin.ts): RS256 JWTs with the claims Cognito's access and
 * ID tokens carry (no e-mail or other personal attribute), signed by an RSA key made at start, checked
 * against the pool's own clock. Issued after a sign-in (a code's exchange, a refresh) or, as a test's
 * shortcut, without one (`tokenFor`). Verifying them:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify as verifySignature } from 'node:crypto';

/** An invited user: the `sub` the pool gave them, and their Cognito groups. */
export interface PoolUser {
  sub: string;
  groups: string[];
}

/** What a sign-in granted, from which tokens are issued. */
export interface TokenGrant {
  username: string;
  scopes: string[];
  authTime: number;
  /** Shared by every token issued from one refresh token (the token-revocation identifier). */
  originJti: string;
  eventId: string;
  nonce: string | null;
}

/** A token without the sign-in: an access token by default, or an ID token; another app client's; expired; claims added or replaced last. */
export interface TokenForOptions {
  use?: 'access' | 'id';
  scopes?: string[];
  clientId?: string;
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
}

export interface PoolTokenSettings {
  /** The one public app client. */
  clientId: string;
  allowedScopes: string[];
  /** Access and ID token validity. */
  accessTokenSeconds: number;
  users: ReadonlyMap<string, PoolUser>;
  /** The pool's clock, in seconds since the epoch (JWT NumericDate). */
  now: () => number;
}

/** The pool's signing key and the tokens it signs. */
export class PoolTokens {
  /** The tokens' `iss`: set once the pool's origin is known. */
  issuer = '';
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly kid = randomBytes(32).toString('base64');

  constructor(private readonly settings: PoolTokenSettings) {}

  /** The pool's public keys, as its JWKS endpoint answers them. */
  jwks(): { keys: { alg: string; e: string; kid: string; kty: string; n: string; use: string }[] } {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return { keys: [{ alg: 'RS256', e: jwk.e ?? '', kid: this.kid, kty: 'RSA', n: jwk.n ?? '', use: 'sig' }] };
  }

  /** The claims of a token this pool signed, or null: key id, RS256 signature, `iss`, `exp` (and `nbf`/`iat` when present) against the pool's clock. */
  verify(token: string): Record<string, unknown> | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [head = '', body = '', signature = ''] = parts;
    const header = parseJsonObject(Buffer.from(head, 'base64url').toString('utf8'));
    if (header === null || header.alg !== 'RS256' || header.kid !== this.kid) return null;
    if (!verifySignature('sha256', Buffer.from(`${head}.${body}`), this.keys.publicKey, Buffer.from(signature, 'base64url'))) return null;
    const claims = parseJsonObject(Buffer.from(body, 'base64url').toString('utf8'));
    if (claims === null || claims.iss !== this.issuer) return null;
    const at = this.settings.now();
    if (typeof claims.exp !== 'number' || claims.exp <= at) return null;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > at)) return null;
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > at)) return null;
    return claims;
  }

  /** The access token, and the ID token when `openid` was granted (authorization-endpoint.html: "An ID token is only returned if openid scope is requested"). */
  issue(grant: TokenGrant): { accessToken: string; idToken: string | null } {
    const user = this.settings.users.get(grant.username);
    if (user === undefined) throw new Error(`cognito stand-in: no user ${grant.username}`);
    const iat = this.settings.now();
    const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const exp = iat + this.settings.accessTokenSeconds;
    const accessToken = this.sign({
      sub: user.sub,
      ...groups,
      iss: this.issuer,
      version: 2,
      client_id: this.settings.clientId,
      origin_jti: grant.originJti,
      event_id: grant.eventId,
      token_use: 'access',
      scope: grant.scopes.join(' '),
      auth_time: grant.authTime,
      exp,
      iat,
      jti: randomUUID(),
      username: grant.username,
    });
    if (!grant.scopes.includes('openid')) return { accessToken, idToken: null };
    // The stack's ID token validity equals its access token validity (60 minutes).
    const idToken = this.sign({
      at_hash: atHash(accessToken),
      sub: user.sub,
      ...groups,
      iss: this.issuer,
      'cognito:username': grant.username,
      ...(grant.nonce === null ? {} : { nonce: grant.nonce }),
      origin_jti: grant.originJti,
      aud: this.settings.clientId,
      event_id: grant.eventId,
      token_use: 'id',
      auth_time: grant.authTime,
      exp,
      iat,
      jti: randomUUID(),
    });
    return { accessToken, idToken };
  }

  /** A token as this pool would issue it to `username` without the sign-in (a test's shortcut). */
  tokenFor(username: string, options: TokenForOptions = {}): string {
    const user = this.settings.users.get(username);
    const iat = this.settings.now();
    const groups = user !== undefined && user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const common = { sub: user?.sub ?? randomUUID(), ...groups, iss: this.issuer, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: iat, iat, exp: iat + (options.expiresInSeconds ?? this.settings.accessTokenSeconds), jti: randomUUID() };
    const clientId = options.clientId ?? this.settings.clientId;
    const claims =
      options.use === 'id'
        ? { ...common, 'cognito:username': username, aud: clientId, token_use: 'id' }
        : { ...common, version: 2, client_id: clientId, token_use: 'access', scope: (options.scopes ?? this.settings.allowedScopes).join(' '), username };
    return this.sign({ ...claims, ...options.claims });
  }

  private sign(payload: Record<string, unknown>): string {
    const input = `${base64url(JSON.stringify({ kid: this.kid, alg: 'RS256' }))}.${base64url(JSON.stringify(payload))}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.keys.privateKey).toString('base64url')}`;
  }
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
