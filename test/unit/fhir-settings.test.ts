/**
 * The FHIR settings (functions/fhir/client/settings.ts, CONTRACT §13): defaults, each
 * setting's form, the rules across them, and the configuration they give,
 * secrets read by ARN through a stand-in for Secrets Manager. No message ever
 * quotes a secret or a byte of a key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirConfigOf, fhirLocalSettingsShape, FhirSettings, fhirSettingsRules, fhirSettingsShape } from '../../functions/fhir/client/settings';
import { ConfigError, parseEnv } from '../../functions/shared/config';
import { errorAnswer, secretStringAnswer, startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager';

const SECRET = 'cs_SUPER-secret+value/123';
const TOKEN_URL = 'https://auth.example.org/token';
const BASE = 'https://fhir.example.org/r4';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const RSA_PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ED25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SMALL_RSA = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The base64 lines of a PEM: none may appear in a message. */
const bodyLines = (pem: string) => pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));

/** The ConfigError `env` fails with (its message), or a failure of the test. */
function failure(env: Record<string, string>): string {
  try {
    parseEnv(FhirSettings, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function expectNoSecretIn(message: string, ...pems: string[]): void {
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain('SUPER');
  for (const pem of pems) for (const line of bodyLines(pem)) expect(message).not.toContain(line.slice(0, 16));
}

describe('FHIR settings: defaults and forms', () => {
  it('is off with nothing set, and takes the defaults of CONTRACT §13', () => {
    const settings = parseEnv(FhirSettings, {});
    expect(settings.FHIR_BASE_URL).toBeUndefined();
    expect(settings.FHIR_TOKEN_URL).toBeUndefined();
    expect(settings).toMatchObject({
      FHIR_TASK_SYSTEM: 'urn:redraw-tracker:follow-up',
      FHIR_CODE_SYSTEM: 'urn:redraw-tracker',
      FHIR_ORDER_SYSTEM: 'urn:junction:order',
      FHIR_OWNER_SYSTEM: 'urn:redraw-tracker:owner',
      FHIR_SCOPE: 'system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs',
      FHIR_CATCH_UP_PER_SWEEP: 200,
      FHIR_EHR_ACTIONS: 'on',
      FHIR_POLL_SECONDS: 300,
      FHIR_POLL_MAX: 1000,
    });
    expect(fhirConfigOf(settings)).toBeNull();
  });

  it('reads an empty FHIR_BASE_URL as off, and blank settings as their defaults', () => {
    const settings = parseEnv(FhirSettings, { FHIR_BASE_URL: ' ', FHIR_SCOPE: '', FHIR_CATCH_UP_PER_SWEEP: '', FHIR_TASK_SYSTEM: '' });
    expect(fhirConfigOf(settings)).toBeNull();
    expect(settings.FHIR_SCOPE).toBe('system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs');
    expect(settings.FHIR_CATCH_UP_PER_SWEEP).toBe(200);
    expect(settings.FHIR_TASK_SYSTEM).toBe('urn:redraw-tracker:follow-up');
  });

  it('trims the base URL of its trailing slashes and gives the configuration without a token', () => {
    const settings = parseEnv(FhirSettings, { FHIR_BASE_URL: 'http://127.0.0.1:4020/fhir/R4//', FHIR_CATCH_UP_PER_SWEEP: '1000', FHIR_OWNER_SYSTEM: 'https://team.example.org/owners' });
    expect(fhirConfigOf(settings)).toEqual({
      baseUrl: 'http://127.0.0.1:4020/fhir/R4',
      systems: { task: 'urn:redraw-tracker:follow-up', code: 'urn:redraw-tracker', order: 'urn:junction:order', owner: 'https://team.example.org/owners', consoleUrl: null },
      catchUpPerSweep: 1000,
      ehrActions: true,
      ehrClosesHeld: false,
      pollSeconds: 300,
      pollMax: 1000,
      auth: null,
    });
  });

  it("gives the console's URL to the mapping (CONSOLE_URL, checked as the alerts' links check it), or the entry's own", () => {
    const settings = parseEnv(FhirSettings, { FHIR_BASE_URL: BASE, CONSOLE_URL: 'https://d111111abcdef8.cloudfront.net/' });
    expect(fhirConfigOf(settings)?.systems.consoleUrl).toBe('https://d111111abcdef8.cloudfront.net/');
    expect(fhirConfigOf(settings, { consoleUrl: 'http://127.0.0.1:4010/' })?.systems.consoleUrl).toBe('http://127.0.0.1:4010/');
    expect(fhirConfigOf(parseEnv(FhirSettings, { FHIR_BASE_URL: BASE, CONSOLE_URL: ' ' }))?.systems.consoleUrl).toBeNull();
    expect(failure({ FHIR_BASE_URL: BASE, CONSOLE_URL: 'https://console.example.org/#/x' })).toMatch(/^invalid configuration: CONSOLE_URL: must be the console's URL/);
    expect(fhirLocalSettingsShape).not.toHaveProperty('CONSOLE_URL');
  });

  it.each(['fhir.example.org', 'ftp://fhir.example.org', `${BASE}?_format=json`, `${BASE}#top`])('refuses the base URL %j, naming the setting', (url) => {
    expect(failure({ FHIR_BASE_URL: url })).toMatch(/^invalid configuration: FHIR_BASE_URL: must/);
  });

  it.each(['redraw-tracker', 'urn:x', 'urn:redraw tracker:a', 'urn:a:b|c', 'ftp://x.example', 'https://x.example/a b'])('refuses the system %j, naming the setting', (system) => {
    expect(failure({ FHIR_CODE_SYSTEM: system })).toMatch(/FHIR_CODE_SYSTEM: must be a URI/);
  });

  it.each(['urn:redraw-tracker', 'urn:redraw-tracker:follow-up', 'https://team.example.org/owners'])('takes the system %j given explicitly (the contract\'s defaults among them)', (system) => {
    expect(parseEnv(FhirSettings, { FHIR_CODE_SYSTEM: system }).FHIR_CODE_SYSTEM).toBe(system);
  });

  it.each(['0', '1001', '2.5', 'many'])('refuses %j catch-ups a sweep', (value) => {
    expect(failure({ FHIR_CATCH_UP_PER_SWEEP: value })).toMatch(/FHIR_CATCH_UP_PER_SWEEP: must/);
  });

  it('takes FHIR_EHR_ACTIONS on or off, and the poll\'s period and size as whole numbers in range', () => {
    const config = fhirConfigOf(parseEnv(FhirSettings, { FHIR_BASE_URL: 'http://127.0.0.1:4020/fhir/R4', FHIR_EHR_ACTIONS: 'off', FHIR_POLL_SECONDS: '60', FHIR_POLL_MAX: '50' }));
    expect(config).toMatchObject({ ehrActions: false, pollSeconds: 60, pollMax: 50 });
    expect(fhirConfigOf(parseEnv(FhirSettings, { FHIR_BASE_URL: 'http://127.0.0.1:4020/fhir/R4' }))).toMatchObject({ ehrActions: true, pollSeconds: 300, pollMax: 1000 });
    expect(failure({ FHIR_EHR_ACTIONS: 'yes' })).toMatch(/FHIR_EHR_ACTIONS: must be on or off/);
    for (const value of ['0', '1.5', '86401', 'often']) expect(failure({ FHIR_POLL_SECONDS: value })).toMatch(/FHIR_POLL_SECONDS: must/);
    for (const value of ['0', '100001']) expect(failure({ FHIR_POLL_MAX: value })).toMatch(/FHIR_POLL_MAX: must/);
  });

  it('takes a scope of tokens separated by single spaces, and refuses any other', () => {
    expect(parseEnv(FhirSettings, { FHIR_SCOPE: ' system/Task.cruds ' }).FHIR_SCOPE).toBe('system/Task.cruds');
    expect(failure({ FHIR_SCOPE: 'system/Task.rs  system/Task.cu' })).toMatch(/FHIR_SCOPE: must be scope tokens/);
    expect(failure({ FHIR_SCOPE: 'system/"Task"' })).toMatch(/FHIR_SCOPE/);
  });

  it('refuses a token URL that is not http(s) or has a fragment', () => {
    expect(failure({ FHIR_TOKEN_URL: 'auth.example.org/token' })).toMatch(/FHIR_TOKEN_URL: must be an http\(s\) URL/);
    expect(failure({ FHIR_TOKEN_URL: `${TOKEN_URL}#x` })).toMatch(/FHIR_TOKEN_URL: must have no fragment/);
  });

  it('refuses an ARN that is not one', () => {
    expect(failure({ FHIR_TOKEN_URL: TOKEN_URL, FHIR_CLIENT_ID: 'c', FHIR_CLIENT_SECRET_ARN: SECRET })).toMatch(/FHIR_CLIENT_SECRET_ARN: must be a Secrets Manager ARN/);
  });

  it('merges into an entry settings object, its rules added with .check', () => {
    const Entry = z.object({ TABLE_NAME: z.string(), ...fhirSettingsShape }).check(fhirSettingsRules);
    expect(parseEnv(Entry, { TABLE_NAME: 't', FHIR_BASE_URL: BASE }).FHIR_BASE_URL).toBe(BASE);
    expect(() => parseEnv(Entry, { TABLE_NAME: 't', FHIR_TOKEN_URL: TOKEN_URL, FHIR_CLIENT_ID: 'c' })).toThrow(/FHIR_TOKEN_URL: needs a credential/);
  });
});

describe('FHIR settings: the credential', () => {
  const withToken = { FHIR_BASE_URL: BASE, FHIR_TOKEN_URL: TOKEN_URL, FHIR_CLIENT_ID: 'redraw-tracker' };

  it.each([
    ['a token URL without a client id', { FHIR_TOKEN_URL: TOKEN_URL, FHIR_CLIENT_SECRET: SECRET }, /FHIR_CLIENT_ID: is required when FHIR_TOKEN_URL is set/],
    ['a token URL without a credential', { ...withToken }, /FHIR_TOKEN_URL: needs a credential: set one of FHIR_CLIENT_SECRET, FHIR_PRIVATE_KEY, FHIR_CLIENT_SECRET_ARN or FHIR_PRIVATE_KEY_SECRET_ARN/],
    ['a secret and a private key', { ...withToken, FHIR_CLIENT_SECRET: SECRET, FHIR_PRIVATE_KEY: P384, FHIR_KEY_ID: 'k1' }, /FHIR_PRIVATE_KEY: set only one credential: FHIR_CLIENT_SECRET and FHIR_PRIVATE_KEY are set/],
    ['a secret and its ARN', { ...withToken, FHIR_CLIENT_SECRET: SECRET, FHIR_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:s' }, /set only one credential: FHIR_CLIENT_SECRET and FHIR_CLIENT_SECRET_ARN/],
    ['a private key without FHIR_KEY_ID', { ...withToken, FHIR_PRIVATE_KEY: P384 }, /FHIR_KEY_ID: is required with a private key/],
    ['a key secret without FHIR_KEY_ID', { ...withToken, FHIR_PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' }, /FHIR_KEY_ID: is required with a private key/],
    ['FHIR_KEY_ID with a client secret', { ...withToken, FHIR_CLIENT_SECRET: SECRET, FHIR_KEY_ID: 'k1' }, /FHIR_KEY_ID: is only for a private key/],
    ['a secret without a token URL', { FHIR_BASE_URL: BASE, FHIR_CLIENT_SECRET: SECRET }, /FHIR_TOKEN_URL: is required when FHIR_CLIENT_SECRET is set/],
    ['a client id without a token URL', { FHIR_BASE_URL: BASE, FHIR_CLIENT_ID: 'c' }, /FHIR_TOKEN_URL: is required when FHIR_CLIENT_ID is set/],
    ['a client id and a key without a token URL', { FHIR_CLIENT_ID: 'c', FHIR_PRIVATE_KEY: P384, FHIR_KEY_ID: 'k1' }, /FHIR_TOKEN_URL: is required when FHIR_CLIENT_ID and FHIR_PRIVATE_KEY are set/],
  ])('refuses %s, naming the settings and never the secret', (_case, env, expected) => {
    const message = failure(env as Record<string, string>);
    expect(message).toMatch(expected);
    expectNoSecretIn(message, P384);
  });

  it.each([
    ['a P-256 key', P256, /FHIR_PRIVATE_KEY: must be an EC key on P-384 \(ES384\), not on P-256/],
    ['an Ed25519 key', ED25519, /FHIR_PRIVATE_KEY: must be an RSA key \(RS384\) or an EC P-384 key \(ES384\), not ed25519/],
    ['a 1024-bit RSA key', SMALL_RSA, /FHIR_PRIVATE_KEY: must be an RSA key of at least 2048 bits \(RS384\), not 1024/],
    ['a public key', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /FHIR_PRIVATE_KEY: must be a PEM private key/],
    ['a damaged key', RSA_PKCS8.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), /FHIR_PRIVATE_KEY: must be an unencrypted PEM private key/],
    ['the secret in place of a key', SECRET, /FHIR_PRIVATE_KEY: must be a PEM private key/],
  ])('refuses %s as FHIR_PRIVATE_KEY without quoting a byte of it', (_case, pem, expected) => {
    const message = failure({ ...withToken, FHIR_PRIVATE_KEY: pem, FHIR_KEY_ID: 'k1' });
    expect(message).toMatch(expected);
    expectNoSecretIn(message, pem, P256, ED25519, SMALL_RSA, RSA_PKCS8);
  });

  it('gives a client secret to read, and the scope', async () => {
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_CLIENT_SECRET: ` ${SECRET} `, FHIR_SCOPE: 'system/Task.cruds' }))?.auth;
    expect(auth).toMatchObject({ tokenUrl: TOKEN_URL, clientId: 'redraw-tracker', scope: 'system/Task.cruds', credential: { kind: 'secret' } });
    await expect(auth?.credential.read()).resolves.toBe(SECRET);
  });

  it.each([
    ['PKCS#8, one line with literal \\n escapes', RSA_PKCS8.trim().replaceAll('\n', '\\n'), RSA_PKCS8.trim()],
    ['PKCS#8 with CRLF line ends', P384.replaceAll('\n', '\r\n'), P384.trim()],
    ['PKCS#1 (BEGIN RSA PRIVATE KEY)', RSA_PKCS1, RSA_PKCS1.trim()],
  ])('takes a private key given as %s, with its key id', async (_case, given, read) => {
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_PRIVATE_KEY: given, FHIR_KEY_ID: 'kid-2026' }))?.auth;
    expect(auth?.credential).toMatchObject({ kind: 'private_key', keyId: 'kid-2026' });
    await expect(auth?.credential.read()).resolves.toBe(read);
  });

  it('fails at start, from fhirConfigOf, when an entry merged the shape without the rules', () => {
    const Entry = z.object({ ...fhirSettingsShape });
    const settings = parseEnv(Entry, { ...withToken, FHIR_CLIENT_SECRET: SECRET, FHIR_PRIVATE_KEY: P384 });
    let error: unknown;
    try {
      fhirConfigOf(settings);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/FHIR_PRIVATE_KEY: set only one credential.*FHIR_KEY_ID: is required with a private key/);
    expectNoSecretIn(String(error), P384);
  });
});

describe('FHIR settings: a credential kept in Secrets Manager', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fhir-client-AbCdEf';
  const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fhir-key-AbCdEf';
  const withToken = { FHIR_BASE_URL: BASE, FHIR_TOKEN_URL: TOKEN_URL, FHIR_CLIENT_ID: 'redraw-tracker' };
  let fake: FakeSecretsManager;
  let secrets: SecretsProvider;
  beforeAll(async () => {
    fake = await startFakeSecretsManager(SECRET);
    secrets = new SecretsProvider({ clientConfig: { endpoint: fake.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' }, maxAttempts: 1 } });
  });
  afterAll(() => fake.close());

  it('reads the client secret by its ARN, once for many reads (the cache)', async () => {
    fake.requests.length = 0;
    fake.answer = () => secretStringAnswer(`${SECRET}\n`);
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_CLIENT_SECRET_ARN: SECRET_ARN }), { secrets })?.auth;
    expect(auth?.credential.kind).toBe('secret');
    await expect(auth?.credential.read()).resolves.toBe(SECRET);
    await expect(auth?.credential.read()).resolves.toBe(SECRET);
    expect(fake.requests.map((request) => JSON.parse(request.body) as unknown)).toEqual([{ SecretId: SECRET_ARN }]);
  });

  it('reads the private key by its ARN, a one-line PEM with \\n escapes made whole', async () => {
    fake.answer = () => secretStringAnswer(P384.trim().replaceAll('\n', '\\n'));
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_PRIVATE_KEY_SECRET_ARN: KEY_ARN, FHIR_KEY_ID: 'k1' }), { secrets })?.auth;
    expect(auth?.credential).toMatchObject({ kind: 'private_key', keyId: 'k1' });
    await expect(auth?.credential.read()).resolves.toBe(P384.trim());
  });

  it('fails a read with a ConfigError naming the setting and the error type only, and asks again next time', async () => {
    const arn = `${SECRET_ARN}-denied`;
    fake.answer = () => errorAnswer(400, 'AccessDeniedException');
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_CLIENT_SECRET_ARN: arn }), { secrets })?.auth;
    const error = await auth?.credential.read().then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('invalid configuration: FHIR_CLIENT_SECRET_ARN: GetSecretValue failed: AccessDeniedException (HTTP 400)');
    fake.answer = () => secretStringAnswer(SECRET);
    await expect(auth?.credential.read()).resolves.toBe(SECRET);
  });

  it('refuses a secret that holds no string', async () => {
    fake.answer = () => ({ status: 200, body: { ARN: KEY_ARN, Name: 'fhir-key', SecretBinary: 'AAEC' } });
    const auth = fhirConfigOf(parseEnv(FhirSettings, { ...withToken, FHIR_PRIVATE_KEY_SECRET_ARN: `${KEY_ARN}-binary`, FHIR_KEY_ID: 'k1' }), { secrets })?.auth;
    await expect(auth?.credential.read()).rejects.toThrow('invalid configuration: FHIR_PRIVATE_KEY_SECRET_ARN: the secret must hold a string');
  });
});
