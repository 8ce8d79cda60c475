/**
 * Cognito's managed login and OAuth endpoints driven as a browser drives them,
 * with fetch (test/integration/console-standins.test.ts, against the Cognito
 * stand-in): a PKCE pair, the authorization URL, the sign-in page's form, the
 * whole code + PKCE flow to a user's tokens, a JWT read unverified, and what
 * an OAuth error answer must look like.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** A form body's content type. */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** GET without following redirects. */
export const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });
/** POST a form without following redirects. */
export const post = (url: string, form: Record<string, string>, headers: Record<string, string> = FORM) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams(form).toString() });

/** The form fields of the sign-in page, as a browser would send them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1] ?? ''] = (match[2] ?? '').replace(/&#(\d+);/g, (_all, code: string) => String.fromCharCode(Number(code)));
  }
  return fields;
}

export interface Tokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

/** A JWT's header and claims, unverified. */
export function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header = '', claims = ''] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>, claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown> };
}

/** An OAuth error answer: its status and `error`, open to any origin, JSON, never cached. */
export async function expectOAuthError(answer: Response, status: number, error: string): Promise<void> {
  expect({ status: answer.status, body: await answer.json() }).toEqual({ status, body: { error } });
  expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

/** Where the login is: the sign-in domain's origin, the app's client and callback, the scope it asks. */
export interface LoginTarget {
  origin: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** Managed login of one app client; `target` is read at each call (the stand-in starts in the file's beforeAll). */
export class ManagedLogin {
  constructor(private readonly target: () => LoginTarget) {}

  /** The authorization request's URL, each parameter overridable (null: left out). */
  readonly authorizeUrl = (overrides: Record<string, string | null> = {}): string => {
    const { origin, clientId, redirectUri, scope } = this.target();
    const params: Record<string, string | null> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state: 'state-1',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...overrides,
    };
    const url = new URL('/oauth2/authorize', origin);
    for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
    return url.toString();
  };

  /** Managed login as a browser goes through it: authorize, the sign-in page, the form; the app's callback URL. */
  readonly signIn = async (username: string, overrides: Record<string, string | null> = {}): Promise<{ callback: URL; cookie: string }> => {
    const { origin } = this.target();
    const authorize = await get(this.authorizeUrl(overrides));
    expect(authorize.status).toBe(302);
    const page = await get(new URL(authorize.headers.get('location') ?? '', origin).toString());
    expect(page.status).toBe(200);
    const signedIn = await post(`${origin}/login`, { ...formFields(await page.text()), username, action: 'signin' });
    expect(signedIn.status).toBe(302);
    return { callback: new URL(signedIn.headers.get('location') ?? ''), cookie: (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
  };

  /** A user's tokens through the whole code + PKCE flow. */
  readonly tokensFor = async (username: string, scope = this.target().scope): Promise<Tokens> => {
    const { origin, clientId, redirectUri } = this.target();
    const { verifier, challenge } = pkce();
    const { callback } = await this.signIn(username, { scope, code_challenge: challenge });
    const answer = await post(`${origin}/oauth2/token`, { grant_type: 'authorization_code', client_id: clientId, code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier });
    expect(answer.status).toBe(200);
    return (await answer.json()) as Tokens;
  };
}
