/**
 * The stand-in FHIR server's token endpoint (local/fhir-standin.ts): OAuth 2.0
 * client credentials as a SMART Backend Services server answers them (CONTRACT
 * §13 "Authentication"), so the tracker's token code meets the rules a real EHR
 * enforces:
 * - `client_secret_basic` (RFC 6749 §2.3.1: id and secret form-urlencoded, then Basic),
 * - `client_secret_post` (`client_id` and `client_secret` in the form),
 * - `private_key_jwt` (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`):
 *   the assertion signed RS384 or ES384 with the client's registered key,
 *   `iss` = `sub` = the client id, `aud` = the token URL, `exp` present and not
 *   past, and a `jti` never seen before (a replay is refused).
 * Tokens are random, kept in memory with their expiry (by the stand-in's clock)
 * and the scope granted (the one asked for, else DEFAULT_SCOPE, CONTRACT §13's
 * default), and checked on every FHIR request when clients are registered; a read
 * or search of a Practitioner, PractitionerRole or Provenance also needs a scope
 * that grants it (SMART v2 `system/Provenance.rs`, or v1 `.read`, or a `*` type):
 * a token without one is answered 403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeJwt, jwtVerify, type CryptoKey, type JWK, type KeyObject } from 'jose';
import * as z from 'zod';

/** A client the stand-in knows: a secret, a public key for signed assertions, or both. */
export interface FhirStandinClient {
  clientId: string;
  secret?: string;
  /** The public key (or public JWK) that verifies its `private_key_jwt` assertions. */
  publicKey?: CryptoKey | KeyObject | JWK;
}

/** An answer of the token endpoint: status and JSON body (RFC 6749 §5.1/§5.2). */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** What a token is granted when it asks for no scope: CONTRACT §13's default scope. */
export const DEFAULT_SCOPE = 'system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs';
const ALGORITHMS = ['RS384', 'ES384'];

const TokenForm = z.object({
  grant_type: z.string().optional(),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  client_assertion_type: z.string().optional(),
  client_assertion: z.string().optional(),
});

const oauthError = (status: number, error: string, description: string, headers?: Record<string, string>): TokenAnswer => ({
  status,
  body: { error, error_description: description },
  ...(headers ? { headers } : {}),
});

/** Whether `scope` (space-separated SMART system scopes) grants `interaction` on `resourceType`. */
export function scopeGrants(scope: string, resourceType: string, interaction: 'c' | 'r' | 'u' | 'd' | 's'): boolean {
  return scope.split(/\s+/).some((one) => {
    const match = /^system\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/.exec(one);
    if (!match || (match[1] !== '*' && match[1] !== resourceType)) return false;
    const permissions = match[2]!;
    if (permissions === '*') return true;
    if (permissions === 'read') return interaction === 'r' || interaction === 's';
    if (permissions === 'write') return interaction === 'c' || interaction === 'u' || interaction === 'd';
    return /^c?r?u?d?s?$/.test(permissions) && permissions.includes(interaction);
  });
}

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Issues and checks the stand-in's bearer tokens. */
export class TokenIssuer {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number; scope: string }>();
  /** Each assertion `jti` seen, with when it may be forgotten (its `exp`). */
  private readonly seenJti = new Map<string, number>();

  constructor(
    private readonly clients: readonly FhirStandinClient[],
    private readonly expiresIn: number,
    private readonly now: () => Date,
  ) {}

  /** Whether FHIR requests need a token (only when clients are registered). */
  get required(): boolean {
    return this.clients.length > 0;
  }

  reset(): void {
    this.tokens.clear();
    this.seenJti.clear();
  }

  /** Whether `authorization` (the header) carries a token this issuer gave and that has not expired. */
  accepts(authorization: string | undefined): boolean {
    return this.token(authorization) !== undefined;
  }

  /** Whether `authorization`'s token (accepted) was granted `interaction` on `resourceType`. */
  grants(authorization: string | undefined, resourceType: string, interaction: 'r' | 's'): boolean {
    const token = this.token(authorization);
    return token !== undefined && scopeGrants(token.scope, resourceType, interaction);
  }

  private token(authorization: string | undefined): { expiresAt: number; scope: string } | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match ? this.tokens.get(match[1]!) : undefined;
    return token !== undefined && token.expiresAt > this.now().getTime() ? token : undefined;
  }

  /** Answers one token request: `form` is the urlencoded body, `authorization` the header. */
  async answer(form: URLSearchParams, authorization: string | undefined, tokenUrl: string): Promise<TokenAnswer> {
    const parsed = TokenForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return oauthError(400, 'invalid_request', 'the form is not a token request');
    const request = parsed.data;
    if (request.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is offered');
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    const methods = [basic !== null, request.client_secret !== undefined, request.client_assertion !== undefined].filter(Boolean).length;
    if (methods !== 1) return oauthError(methods === 0 ? 401 : 400, methods === 0 ? 'invalid_client' : 'invalid_request', 'exactly one client authentication method is required');
    let clientId: string | null;
    if (basic) clientId = this.bySecretBasic(basic[1]!);
    else if (request.client_secret !== undefined) clientId = this.bySecret(request.client_id, request.client_secret);
    else {
      if (request.client_assertion_type !== JWT_BEARER) return oauthError(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
      clientId = await this.byAssertion(request.client_assertion!, request.client_id, tokenUrl);
    }
    if (clientId === null) return oauthError(401, 'invalid_client', 'client authentication failed', basic ? { 'www-authenticate': 'Basic realm="fhir-standin"' } : undefined);
    const accessToken = randomBytes(24).toString('base64url');
    const scope = request.scope ?? DEFAULT_SCOPE;
    this.tokens.set(accessToken, { clientId, expiresAt: this.now().getTime() + this.expiresIn * 1000, scope });
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: this.expiresIn, scope }, headers: { 'cache-control': 'no-store' } };
  }

  private bySecretBasic(encoded: string): string | null {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    try {
      // RFC 6749 §2.3.1: each part is form-urlencoded before it is joined.
      const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
      return this.bySecret(decode(decoded.slice(0, colon)), decode(decoded.slice(colon + 1)));
    } catch {
      return null;
    }
  }

  private bySecret(clientId: string | undefined, secret: string): string | null {
    const client = this.clients.find((candidate) => candidate.clientId === clientId);
    return client?.secret !== undefined && sameSecret(secret, client.secret) ? client.clientId : null;
  }

  private async byAssertion(assertion: string, claimedId: string | undefined, tokenUrl: string): Promise<string | null> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(assertion).iss;
    } catch {
      return null;
    }
    const client = this.clients.find((candidate) => candidate.clientId === issuer);
    if (!client?.publicKey || (claimedId !== undefined && claimedId !== client.clientId)) return null;
    const now = this.now();
    try {
      const { payload } = await jwtVerify(assertion, client.publicKey, {
        algorithms: ALGORITHMS,
        issuer: client.clientId,
        subject: client.clientId,
        audience: tokenUrl,
        requiredClaims: ['exp', 'jti'],
        currentDate: now,
      });
      const jti = String(payload.jti);
      for (const [seen, until] of this.seenJti) if (until < now.getTime()) this.seenJti.delete(seen);
      if (this.seenJti.has(`${client.clientId} ${jti}`)) return null;
      this.seenJti.set(`${client.clientId} ${jti}`, (payload.exp ?? 0) * 1000);
      return client.clientId;
    } catch {
      return null;
    }
  }
}
