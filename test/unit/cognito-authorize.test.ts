/**
 * The Cognito stand-in's rules for an authorization request (test/support/cognito-authorize.ts), as plain
 * functions: Cognito's order of checks (client and redirect_uri never redirected, the rest sent back to
 * the app), the scopes, and PKCE (S256). The stand-in's endpoints over HTTP: test/integration/console-standins.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAuthorize, verifierMatches } from '../support/cognito-authorize';

const client = { clientId: 'console', redirectUris: ['https://console.example/'], allowedScopes: ['openid', 'redraw-tracker/act'] };
const verifier = 'v'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');
const valid = { client_id: 'console', redirect_uri: 'https://console.example/', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 's-1' };

describe('checkAuthorize', () => {
  it('answers an unknown client or an unregistered redirect_uri with its error page, whatever else is wrong', () => {
    expect(checkAuthorize(client, { ...valid, client_id: 'other', response_type: 'token' })).toEqual({ kind: 'page', message: expect.stringMatching(/^Invalid client/) });
    expect(checkAuthorize(client, { ...valid, redirect_uri: 'https://evil.example/', response_type: 'token' })).toEqual({ kind: 'page', message: expect.stringMatching(/^redirect_mismatch/) });
  });

  it.each([
    [{ response_type: '' }, 'invalid_request'],
    [{ response_type: 'token' }, 'unauthorized_client'],
    [{ response_type: 'id_token' }, 'unsupported_response_type'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge: 'short' }, 'invalid_request'],
    [{ scope: 'openid aws.cognito.signin.user.admin' }, 'invalid_scope'],
  ])('sends %j back to the app as %s, with its state', (change, error) => {
    expect(checkAuthorize(client, { ...valid, ...change })).toEqual({ kind: 'redirect', redirectUri: valid.redirect_uri, error, state: 's-1' });
  });

  it("grants every scope of the client when none is asked, each asked one once, and carries only the authorize parameters on", () => {
    const outcome = checkAuthorize(client, { ...valid, extra: 'x' });
    expect(outcome).toMatchObject({ kind: 'ok', request: { scopes: ['openid', 'redraw-tracker/act'], challenge, nonce: null, params: valid } });
    expect(checkAuthorize(client, { ...valid, scope: 'openid openid' })).toMatchObject({ kind: 'ok', request: { scopes: ['openid'] } });
  });
});

describe('verifierMatches', () => {
  it('accepts the verifier whose S256 is the challenge, and nothing else', () => {
    expect(verifierMatches(verifier, challenge)).toBe(true);
    expect(verifierMatches('w'.repeat(43), challenge)).toBe(false);
    expect(verifierMatches('v'.repeat(42), createHash('sha256').update('v'.repeat(42)).digest('base64url'))).toBe(false);
    expect(verifierMatches(undefined, challenge)).toBe(false);
  });
});
