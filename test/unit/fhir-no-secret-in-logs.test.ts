/**
 * No key, secret or token is ever logged (CONTRACT §13). The token source and
 * the FHIR exchange run with a Powertools Logger at DEBUG whose output is
 * captured, through success and every failure, and the caller logs what it is
 * handed as the writer would (each result, each error); then none of the client
 * secret, its Basic header, the PEM's body, the signed assertions or the access
 * tokens appears anywhere in what was written.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFhirHttp, type FhirExchange } from '../../functions/fhir/client/http';
import { fhirConfigOf, FhirSettings } from '../../functions/fhir/client/settings';
import { basicAuthorization, createTokenSource, type FhirCredential, type TokenResult } from '../../functions/fhir/client/token';
import { parseEnv } from '../../functions/shared/config';
import { createLogger } from '../../functions/shared/observability';
import { errorAnswer, startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager';
import { clientKey, startFhirServer, startTokenEndpoint, type ClientKey, type Listening, type Received, type Scripted, type TokenEndpoint } from '../support/fhir-servers';

const CLIENT_ID = 'redraw-tracker';
const SECRET = 'cs_SECRET_7f3a9c_do-not-log';
const SCOPE = 'system/Task.rs system/Task.cu';

let captured: string[] = [];
let logger: Logger;
let key: ClientKey;
let fakeSecrets: FakeSecretsManager;
const open: Listening[] = [];
/** Every assertion and access token that crossed the wire, to look for in the logs. */
const sent: string[] = [];

beforeAll(async () => {
  key = await clientKey('RS384');
  fakeSecrets = await startFakeSecretsManager(SECRET);
});
afterAll(() => fakeSecrets.close());

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** A DEBUG logger whose lines land in `captured` (Powertools writes to process.stdout/stderr outside dev mode). */
function capturingLogger(): Logger {
  captured = [];
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
  return createLogger('fhir-writer');
}

/** A token endpoint that issues distinctive tokens and records each assertion; `fail` scripts a failure. */
async function tokenEndpoint(fail?: Scripted): Promise<TokenEndpoint> {
  const endpoint = await startTokenEndpoint({
    clientId: CLIENT_ID,
    key,
    secret: SECRET,
    answer: (request: Received, verified, index) => {
      const assertion = new URLSearchParams(request.body).get('client_assertion');
      if (assertion !== null) sent.push(assertion);
      if (fail !== undefined) return fail;
      if (!verified?.valid) return { status: 401, body: { error: 'invalid_client', error_description: `bad client ${SECRET}` } };
      const accessToken = `at_SECRET_${index}_${'x'.repeat(40)}`;
      sent.push(accessToken);
      return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: 300 } };
    },
  });
  open.push(endpoint);
  return endpoint;
}

const keyCredential = (): FhirCredential => ({ kind: 'private_key', keyId: 'k1', read: async () => key.privatePem });
const secretCredential: FhirCredential = { kind: 'secret', read: async () => SECRET };

/** What the writer would log of a token result or an exchange: failures whole, a token never. */
function logResult(result: TokenResult | FhirExchange): void {
  if ('ok' in result && result.ok) logger.debug('token obtained', { ok: true });
  else logger.warn('fhir result', { result });
}

/**
 * Every 16 characters of `value` at steps of 8 (and its end): a leaked piece of
 * 24 characters or more holds one of them whole.
 */
function pieces(value: string): string[] {
  if (value.length <= 16) return [value];
  const found: string[] = [];
  for (let at = 0; at + 16 <= value.length; at += 8) found.push(value.slice(at, at + 16));
  return [...found, value.slice(-16)];
}

function expectNothingSecretLogged(...pems: string[]): void {
  const output = captured.join('');
  const pemLines = [key.privatePem, ...pems].flatMap((pem) => pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')));
  const forbidden = [SECRET, 'SECRET_7f3a9c', 'at_SECRET', basicAuthorization(CLIENT_ID, SECRET).slice(6), ...pemLines, ...sent].flatMap(pieces);
  expect(output.length).toBeGreaterThan(0);
  for (const value of forbidden) expect(output, 'a secret value was logged').not.toContain(value);
}

describe('nothing secret in the logs', () => {
  it('logs no token, assertion, key or secret on success, and on a 401 met with a new token', async () => {
    logger = capturingLogger();
    for (const credential of [keyCredential(), secretCredential]) {
      const endpoint = await tokenEndpoint();
      const tokens = createTokenSource({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, scope: SCOPE, credential, logger });
      let calls = 0;
      const server = await startFhirServer(() => (calls++ === 0 ? { status: 401 } : { status: 200, body: { resourceType: 'Task', id: 'abc' } }));
      open.push(server);
      const http = createFhirHttp({ baseUrl: server.url, tokens, logger });
      logResult(await tokens.token());
      logResult(await http.send({ method: 'PUT', path: 'Task/abc', headers: { 'If-Match': 'W/"1"' }, body: { resourceType: 'Task', id: 'abc' } }));
      logger.info('exchange headers seen by the server', { names: Object.keys(server.requests[0]?.headers ?? {}) });
    }
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(captured.join('')).toContain('fhir server refused the token: asking for a new one');
    expect(captured.join('')).toContain('fhir token obtained');
    expectNothingSecretLogged();
  });

  it.each<[string, Scripted]>([
    ['500', { status: 500, body: { error: SECRET } }],
    ['503', { status: 503 }],
    ['429', { status: 429, headers: { 'retry-after': '30' } }],
    ['a hang', 'hang'],
    ['400 invalid_client', { status: 400, body: { error: 'invalid_client', error_description: `client ${CLIENT_ID} with secret ${SECRET}` } }],
    ['401', { status: 401, body: { error: 'invalid_client' } }],
    ['403', { status: 403, body: SECRET }],
    ['garbage JSON', { status: 200, body: `{"access_token":"${SECRET}` }],
    ['a 302 whose Location quotes the secret', { status: 302, headers: { location: `http://127.0.0.1:1/login?client_secret=${SECRET}` } }],
    ['a 200 HTML page', { status: 200, body: `<html><body>Sign in, ${SECRET}</body></html>`, headers: { 'content-type': 'text/html' } }],
    ['a 200 token over 64 KiB', { status: 200, body: JSON.stringify({ access_token: `at_SECRET_${'y'.repeat(70_000)}`, expires_in: 300 }) }],
  ])('logs no secret when the token endpoint answers %s, with the key and with the secret', async (_case, failure) => {
    logger = capturingLogger();
    for (const credential of [keyCredential(), secretCredential]) {
      const endpoint = await tokenEndpoint(failure);
      const tokens = createTokenSource({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, scope: SCOPE, credential, logger, timeoutMs: 150 });
      logResult(await tokens.token());
      logResult(await createFhirHttp({ baseUrl: 'http://127.0.0.1:1', tokens, logger }).send({ method: 'GET', path: 'Task/abc' }));
    }
    expect(captured.join('')).toContain('fhir token request failed');
    expectNothingSecretLogged();
  });

  it('logs no secret when the credential cannot be had: a refused secret read, a key of the wrong curve, settings that clash', async () => {
    logger = capturingLogger();
    fakeSecrets.answer = () => errorAnswer(400, 'AccessDeniedException');
    const secrets = new SecretsProvider({ clientConfig: { endpoint: fakeSecrets.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' }, maxAttempts: 1 } });
    const endpoint = await tokenEndpoint();
    const base = { FHIR_BASE_URL: 'http://127.0.0.1:1', FHIR_TOKEN_URL: endpoint.tokenUrl, FHIR_CLIENT_ID: CLIENT_ID };
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...base, FHIR_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:fhir' }), { secrets })!.auth!;
    const fromArn = createTokenSource({ ...auth, logger });
    await fromArn.token().catch((error: unknown) => logger.error('fhir credential unreadable', error as Error));

    const p256 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
    const p256Pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await crypto.subtle.exportKey('pkcs8', p256.privateKey)).toString('base64')}\n-----END PRIVATE KEY-----`;
    const wrongKey = createTokenSource({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, scope: SCOPE, credential: { kind: 'private_key', keyId: 'k1', read: async () => p256Pem }, logger });
    await wrongKey.token().catch((error: unknown) => logger.error('fhir credential unusable', error as Error));

    for (const env of [{ ...base, FHIR_CLIENT_SECRET: SECRET, FHIR_PRIVATE_KEY: key.privatePem, FHIR_KEY_ID: 'k1' }, { ...base, FHIR_PRIVATE_KEY: p256Pem, FHIR_KEY_ID: 'k1' }, { ...base, FHIR_PRIVATE_KEY: key.privatePem }]) {
      try {
        parseEnv(FhirSettings, env);
      } catch (error) {
        logger.error('fhir settings refused', error as Error);
      }
    }
    const output = captured.join('');
    expect(output).toContain('FHIR_CLIENT_SECRET_ARN: GetSecretValue failed: AccessDeniedException');
    expect(output).toContain('not on P-256');
    expect(output).toContain('set only one credential');
    expect(output).toContain('FHIR_KEY_ID: is required with a private key');
    expectNothingSecretLogged(p256Pem);
  });
});
