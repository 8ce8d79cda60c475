/**
 * The functions' secret reads (shared/secrets-manager.ts): Powertools'
 * SecretsProvider over the SDK's client, against a stand-in for Secrets Manager
 * on the wire. What is ours to prove: the endpoint is the SDK's own setting, the
 * cache keeps a secret for its max age and never keeps a failure, binary reads
 * as null, and a failure at start names the setting and the error type only.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../functions/shared/config';
import { failAsSetting, SECRET_MAX_AGE_SECONDS, secretsProvider, secretStringReader } from '../../functions/shared/secrets-manager';
import { errorAnswer, secretStringAnswer, startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

let fake: FakeSecretsManager;
beforeAll(async () => {
  fake = await startFakeSecretsManager(SECRET);
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

function fresh(answer: FakeSecretsManager['answer']): void {
  fake.requests.length = 0;
  fake.answer = answer;
}

/** A provider on the stand-in, with one attempt unless told (the SDK's retries are its own). */
function provider(maxAttempts = 1): SecretsProvider {
  return new SecretsProvider({ clientConfig: { endpoint: fake.endpoint, region: 'eu-west-1', credentials, maxAttempts } });
}

describe('secretStringReader (Powertools Parameters over the SDK client)', () => {
  it("reaches the endpoint the SDK reads from AWS_ENDPOINT_URL_SECRETS_MANAGER, with Lambda's credentials, and answers the SecretString", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', fake.endpoint);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    fresh(() => secretStringAnswer(SECRET));
    await expect(secretStringReader(ARN, secretsProvider())()).resolves.toBe(SECRET);
    expect(fake.requests).toHaveLength(1);
    const [received] = fake.requests;
    expect(received?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(received?.body ?? '{}')).toEqual({ SecretId: ARN });
    expect(received?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, /);
  });

  it(`keeps a secret for ${SECRET_MAX_AGE_SECONDS} s, then asks again (a rotation is picked up)`, async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-23T10:00:00Z') });
    fresh(() => secretStringAnswer(SECRET));
    const read = secretStringReader(ARN, provider());
    await read();
    vi.setSystemTime(new Date(Date.now() + (SECRET_MAX_AGE_SECONDS - 1) * 1000));
    await read();
    expect(fake.requests).toHaveLength(1);
    fresh(() => secretStringAnswer('whsec_rotated'));
    vi.setSystemTime(new Date(Date.now() + 2000));
    await expect(read()).resolves.toBe('whsec_rotated');
    expect(fake.requests).toHaveLength(1);
  });

  it('does not keep a failure: the next read asks again', async () => {
    fresh(() => errorAnswer(400, 'AccessDeniedException'));
    const read = secretStringReader(ARN, provider());
    await expect(read()).rejects.toThrow();
    fresh(() => secretStringAnswer(SECRET));
    await expect(read()).resolves.toBe(SECRET);
  });

  it('answers null when the secret holds binary data only', async () => {
    fresh(() => ({ status: 200, body: { ARN, Name: 'webhook', SecretBinary: 'AAEC' } }));
    await expect(secretStringReader(ARN, provider())()).resolves.toBeNull();
  });

  it("retries a throttled read with the SDK's own retry", async () => {
    const answers = [errorAnswer(400, 'ThrottlingException'), secretStringAnswer(SECRET)];
    fresh(() => answers.shift() ?? errorAnswer(500, 'InternalServiceError'));
    await expect(secretStringReader(ARN, provider(3))()).resolves.toBe(SECRET);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('failAsSetting', () => {
  it("turns a failed read into a ConfigError naming the setting and the error type, never the service's message", async () => {
    const canary = 'CANARY-secret-message-7f3a';
    fresh(() => ({ status: 400, body: { __type: 'AccessDeniedException', message: canary } }));
    const failure = await secretStringReader(ARN, provider())().catch((error: unknown) => error);
    expect(() => failAsSetting('WEBHOOK_SECRET_ARN')(failure)).toThrow(ConfigError);
    expect(() => failAsSetting('WEBHOOK_SECRET_ARN')(failure)).toThrow(/^invalid configuration: WEBHOOK_SECRET_ARN: GetSecretValue failed: AccessDeniedException \(HTTP 400\)$/);
    expect(() => failAsSetting('WEBHOOK_SECRET_ARN')(failure)).not.toThrow(new RegExp(canary));
  });

  it('rethrows anything that is not a failed read as it is', () => {
    const other = new TypeError('not a secret failure');
    expect(() => failAsSetting('WEBHOOK_SECRET_ARN')(other)).toThrow(other);
  });
});
