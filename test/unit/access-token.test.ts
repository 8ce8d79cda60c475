/**
 * The console's access tokens as the query and actions functions verify them
 * (functions/shared/access-token.ts, CONTRACT §12, issue 45): the signature by
 * the pool's keys, issuer, client, token use and expiry, and the user, groups
 * and scopes from the verified claims only. Tokens from the Cognito stand-in
 * (test/support/cognito-standin.ts); Cognito's own verifier with its keys
 * preloaded, since no JWKS server of Cognito is reachable here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { cognitoAccessTokens, consoleAccessTokensOf, ConsoleSignInEnv, rsaAccessTokens, type AccessTokenOutcome } from '../../functions/shared/access-token';
import { parseEnv } from '../../functions/shared/config';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { startCognitoStandin, type CognitoStandin } from '../support/cognito-standin';

const CLIENT_ID = 'console-client-1';
const SCOPES = ['openid', 'redraw-tracker/act'];
let cognito: CognitoStandin;

beforeAll(async () => {
  cognito = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: ['http://127.0.0.1:1/'], allowedScopes: SCOPES, users: { maria: {}, lee: { groups: ['leads', 'ops'] } } });
});
afterAll(async () => {
  await cognito?.stop();
});

const jwksRequests = () => cognito.requests.filter((request) => request.path.endsWith('/.well-known/jwks.json')).length;
const bearer = (token: string) => `Bearer ${token}`;

describe('a cold verifier', () => {
  it('fetches the pool’s keys once for many tokens, at once and one after another', async () => {
    const before = jwksRequests();
    const tokens = cognito.accessTokens(CLIENT_ID);
    const answers = await Promise.all(Array.from({ length: 20 }, () => tokens.verify(bearer(cognito.tokenFor('maria')))));
    for (let index = 0; index < 5; index += 1) answers.push(await tokens.verify(bearer(cognito.tokenFor('lee'))));
    expect(answers.every((answer) => answer.kind === 'ok')).toBe(true);
    expect(jwksRequests() - before).toBe(1);
  });

  it('with the keys preloaded (cacheJwks), fetches nothing', async () => {
    const before = jwksRequests();
    const tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
    expect(await tokens.verify(bearer(cognito.tokenFor('maria')))).toMatchObject({ kind: 'ok', user: { username: 'maria' } });
    expect(jwksRequests() - before).toBe(0);
  });
});

describe('what a verified access token gives', () => {
  it('the username, the groups as the list they are, and the scopes', async () => {
    const tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
    expect(await tokens.verify(bearer(cognito.tokenFor('lee')))).toEqual({ kind: 'ok', user: { username: 'lee', groups: ['leads', 'ops'], scopes: SCOPES } });
    // A token without the Bearer prefix, as API Gateway's authorizer also takes it.
    expect(await tokens.verify(cognito.tokenFor('maria', { scopes: ['openid'] }))).toEqual({ kind: 'ok', user: { username: 'maria', groups: [], scopes: ['openid'] } });
  });

  it('never splits a group on commas, and takes anything but a list of strings as no groups', async () => {
    const tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
    const groupsOf = async (groups: unknown) => {
      const answer = await tokens.verify(bearer(cognito.tokenFor('maria', { claims: { 'cognito:groups': groups } })));
      return answer.kind === 'ok' ? answer.user.groups : answer;
    };
    expect(await groupsOf(['ops,leads'])).toEqual(['ops,leads']);
    expect(await groupsOf('[ops leads]')).toEqual([]);
    expect(await groupsOf('leads')).toEqual([]);
    expect(await groupsOf(['leads', 3])).toEqual([]);
  });
});

describe('what is refused 401', () => {
  it('no token, an ID token, an expired one, another client’s, another pool’s, a bad signature, and a username the stack never invites', async () => {
    const tokens = cognito.accessTokens(CLIENT_ID, { preload: true });
    const stranger = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: ['http://127.0.0.1:1/'], allowedScopes: SCOPES, users: { maria: {} } });
    try {
      const valid = cognito.tokenFor('maria');
      const forged = stranger.tokenFor('maria', { claims: { iss: cognito.issuer } });
      const cases: Record<string, string | undefined> = {
        none: undefined,
        empty: '',
        'bearer only': 'Bearer ',
        'not a JWT': bearer('not-a-jwt'),
        'ID token': bearer(cognito.tokenFor('maria', { use: 'id' })),
        expired: bearer(cognito.tokenFor('maria', { expiresInSeconds: -60 })),
        'other client': bearer(cognito.tokenFor('maria', { clientId: 'another-client' })),
        'other pool': bearer(stranger.tokenFor('maria')),
        'other pool’s key under this issuer': bearer(forged),
        'signature changed': bearer(`${valid.slice(0, -4)}AAAA`),
        'claims changed': bearer([valid.split('.')[0], Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(valid.split('.')[1] ?? '', 'base64url').toString()), username: 'chief.medical.officer' })).toString('base64url'), valid.split('.')[2]].join('.')),
        'no username': bearer(cognito.tokenFor('maria', { claims: { username: undefined } })),
        'username never invited': bearer(cognito.tokenFor('maria', { claims: { username: 'Chief Medical Officer' } })),
        'no expiry': bearer(cognito.tokenFor('maria', { claims: { exp: undefined } })),
      };
      const answers: Record<string, AccessTokenOutcome['kind']> = {};
      for (const [name, header] of Object.entries(cases)) answers[name] = (await tokens.verify(header)).kind;
      expect(answers).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 'unauthorized'])));
    } finally {
      await stranger.stop();
    }
  });

  it('fetches no keys for a token that is not even meant for the console (another issuer or client, an ID token)', async () => {
    const before = jwksRequests();
    const tokens = cognito.accessTokens(CLIENT_ID);
    for (const token of [cognito.tokenFor('maria', { use: 'id' }), cognito.tokenFor('maria', { clientId: 'another-client' }), cognito.tokenFor('maria', { claims: { iss: 'https://elsewhere.example/pool' } })]) {
      expect((await tokens.verify(bearer(token))).kind).toBe('unauthorized');
    }
    expect(jwksRequests() - before).toBe(0);
  });
});

describe("Cognito's verifier (the functions' on AWS)", () => {
  const POOL = 'eu-west-1_TestPool1';
  const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
  const noNetwork = { fetch: () => Promise.reject(new Error('no JWKS request expected')) };

  it('checks the pool’s issuer, the client and the token use, with the keys preloaded', async () => {
    const tokens = cognitoAccessTokens({ userPoolId: POOL, clientId: CLIENT_ID }, { jwks: cognito.jwks(), fetcher: noNetwork });
    expect(await tokens.verify(bearer(cognito.tokenFor('lee', { claims: { iss: ISSUER } })))).toMatchObject({ kind: 'ok', user: { username: 'lee', groups: ['leads', 'ops'] } });
    for (const token of [
      cognito.tokenFor('lee'),
      cognito.tokenFor('lee', { use: 'id', claims: { iss: ISSUER } }),
      cognito.tokenFor('lee', { clientId: 'another-client', claims: { iss: ISSUER } }),
      cognito.tokenFor('lee', { expiresInSeconds: -1, claims: { iss: ISSUER } }),
    ]) {
      expect((await tokens.verify(bearer(token))).kind).toBe('unauthorized');
    }
  });

  it('is what the settings name: both ids, or none for both; one without the other fails at start', () => {
    expect(consoleAccessTokensOf({ CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'none' })).toBeNull();
    expect(consoleAccessTokensOf({ CONSOLE_USER_POOL_ID: POOL, CONSOLE_CLIENT_ID: CLIENT_ID })).not.toBeNull();
    expect(() => consoleAccessTokensOf({ CONSOLE_USER_POOL_ID: POOL, CONSOLE_CLIENT_ID: 'none' })).toThrow(/both set, or both none/);
    expect(() => consoleAccessTokensOf({ CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: CLIENT_ID })).toThrow(/both set, or both none/);
  });

  it('fails the functions’ start, naming the setting, when the stack gave neither or a malformed one', () => {
    const settings = z.object(ConsoleSignInEnv);
    expect(parseEnv(settings, { CONSOLE_USER_POOL_ID: 'us-gov-west-1_Abc123', CONSOLE_CLIENT_ID: 'abc123' })).toEqual({ CONSOLE_USER_POOL_ID: 'us-gov-west-1_Abc123', CONSOLE_CLIENT_ID: 'abc123' });
    expect(() => parseEnv(settings, {})).toThrow(/CONSOLE_USER_POOL_ID: is required.*CONSOLE_CLIENT_ID: is required/);
    expect(() => parseEnv(settings, { CONSOLE_USER_POOL_ID: 'pool-1', CONSOLE_CLIENT_ID: 'abc' })).toThrow(/CONSOLE_USER_POOL_ID: must be a Cognito user pool id/);
    expect(() => parseEnv(settings, { CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'a b' })).toThrow(/CONSOLE_CLIENT_ID: must be a Cognito app client id/);
  });
});

describe('the pool’s keys out of reach (the sign-in service’s fault, not the caller’s)', () => {
  const tls = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));

  it('ends a verify with an error within the library’s own timeouts (no hang, no 401) while the key endpoint hangs or fails, and verifies once it answers', async () => {
    let mode: 'hang' | 'fail' | 'serve' = 'hang';
    const held: ServerResponse[] = [];
    const keys = createServer({ cert: tls('localhost-cert.pem'), key: tls('localhost-key.pem') }, (_request, response) => {
      if (mode === 'hang') held.push(response);
      else if (mode === 'fail') response.writeHead(503).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cognito.jwks()));
    });
    await new Promise<void>((listening) => keys.listen(0, '127.0.0.1', listening));
    const { port } = keys.address() as AddressInfo;
    try {
      const token = cognito.tokenFor('maria');
      const { iss } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string };
      // aws-jwt-verify's own fetcher, as deployed (1.5 s socket idle, 3 s response, one retry), trusting the test's certificate.
      const fetcher = new SimpleFetcher({ defaultRequestOptions: { ca: tls('localhost-cert.pem') } });
      const tokens = rsaAccessTokens({ issuer: iss, jwksUri: `https://127.0.0.1:${port}/.well-known/jwks.json`, clientId: CLIENT_ID }, { fetcher });
      for (const fault of ['hang', 'fail'] as const) {
        mode = fault;
        const started = Date.now();
        await expect(tokens.verify(bearer(token))).rejects.toThrow();
        // Within the query and actions functions' 10 s: the function answers 500, and the person may try again.
        expect([fault, Date.now() - started < 9_500]).toEqual([fault, true]);
      }
      mode = 'serve';
      expect(await tokens.verify(bearer(token))).toMatchObject({ kind: 'ok', user: { username: 'maria' } });
    } finally {
      for (const response of held) response.destroy();
      keys.closeAllConnections();
      await new Promise((closed) => keys.close(closed));
    }
  });
});
