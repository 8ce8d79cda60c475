/**
 * The Cognito stand-in's rules for an authorization request (./cognito-standin.ts), plain functions over
 * its parameters: Cognito's order of checks (authorization-endpoint.html), and PKCE (S256), which the
 * stand-in requires on every request where Cognito accepts a code grant without it.
 */
import { createHash } from 'node:crypto';

/** The one public app client (no secret): its registered callback URLs (also its sign-out URLs) and scopes. */
export interface AppClient {
  clientId: string;
  /** Exact string match, as Cognito. */
  redirectUris: string[];
  /** The scopes the client may ask for, e.g. ['openid', 'redraw-tracker/act']. */
  allowedScopes: string[];
}

/** A checked authorization request. */
export interface AuthorizeRequest {
  redirectUri: string;
  state: string | null;
  challenge: string;
  scopes: string[];
  nonce: string | null;
  params: Record<string, string>;
}

export type AuthorizeOutcome =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** Not sent to the app: an unknown client or an unregistered redirect_uri gets Cognito's error page. */
  | { kind: 'page'; message: string }
  /** Sent back to the app's redirect_uri (authorization-endpoint.html, negative responses). */
  | { kind: 'redirect'; redirectUri: string; error: string; state: string | null };

/** RFC 7636 §4.1: the verifier's alphabet and length. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge is the base64url (no padding) of a SHA-256 digest: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** The authorize parameters the sign-in page carries to POST /login. */
const AUTHORIZE_FIELDS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce'] as const;

/** Checks an authorization request's parameters in Cognito's order: client and redirect_uri first (never redirected), then the rest (redirected). */
export function checkAuthorize(client: AppClient, params: Record<string, string>): AuthorizeOutcome {
  if (params.client_id !== client.clientId) return { kind: 'page', message: 'Invalid client: this app client does not exist.' };
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) return { kind: 'page', message: 'redirect_mismatch: the redirect_uri is not registered for this app client.' };
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
  const scopes = asked.length === 0 ? [...client.allowedScopes] : [...new Set(asked)];
  if (scopes.some((scope) => !client.allowedScopes.includes(scope))) return refuse('invalid_scope');
  const authorizeParams: Record<string, string> = {};
  for (const field of AUTHORIZE_FIELDS) {
    const value = params[field];
    if (value !== undefined) authorizeParams[field] = value;
  }
  return { kind: 'ok', request: { redirectUri, state, challenge, scopes, nonce: params.nonce ?? null, params: authorizeParams } };
}

/** Whether a token request's code_verifier is well formed and hashes (S256) to the challenge its code was issued for. */
export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  return verifier !== undefined && CODE_VERIFIER.test(verifier) && createHash('sha256').update(verifier).digest('base64url') === challenge;
}
