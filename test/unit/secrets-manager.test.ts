import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentSigning, staticSigning } from '../../functions/shared/aws-signing';
import { ConfigError } from '../../functions/shared/config';
import { getSecretString, regionalEndpoint, SecretsManagerError } from '../../functions/shared/secrets-manager';
import { errorAnswer, secretStringAnswer, startFakeSecretsManager, type FakeSecretsManager, type ReceivedRequest } from '../support/fake-secrets-manager';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The signing configuration an entry borrows: a real DynamoDB client's, with fixed credentials. */
const signing = new DynamoDBClient({ region: 'eu-west-1', credentials }).config;

let fake: FakeSecretsManager;
beforeAll(async () => {
  fake = await startFakeSecretsManager(SECRET);
});
afterAll(async () => {
  await fake.close();
});

function fresh(answer: FakeSecretsManager['answer']): void {
  fake.requests.length = 0;
  fake.answer = answer;
}

/** Signs the received request again from its own signed headers: what AWS does to check it. */
async function expectedAuthorization(received: ReceivedRequest): Promise<string> {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(received.headers.authorization))?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(received.headers[name])]));
  const amzDate = String(received.headers['x-amz-date']);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`);
  const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'secretsmanager', sha256: signing.sha256 });
  const signed = await signer.sign(
    { method: received.method, protocol: 'http:', hostname: '127.0.0.1', path: received.path, query: {}, headers, body: received.body },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

describe('getSecretString (GetSecretValue, one signed JSON request)', () => {
  it('sends one signed GetSecretValue request that a SigV4 check accepts, and returns the SecretString', async () => {
    fresh(() => secretStringAnswer(SECRET));
    await expect(getSecretString(ARN, signing, { endpoint: fake.endpoint })).resolves.toBe(SECRET);
    expect(fake.requests).toHaveLength(1);
    const [received] = fake.requests;
    if (!received) throw new Error('no request');
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/');
    expect(received.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(received.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(received.body)).toEqual({ SecretId: ARN });
    expect(received.headers['x-amz-security-token']).toBe('session-token');
    expect(received.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, /);
    expect(received.headers.authorization).toMatch(/SignedHeaders=[^,]*host;[^,]*x-amz-target/);
    expect(received.headers.authorization).toBe(await expectedAuthorization(received));
  });

  it.each([
    ['fixed credentials', () => staticSigning(credentials, 'eu-west-1')],
    [
      "Lambda's environment",
      () => environmentSigning({ AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken, AWS_REGION: 'eu-west-1' }),
    ],
  ])('signs alike without an SDK client (%s, node SHA-256): the SDK signer accepts the signature', async (_name, signingOf) => {
    fresh(() => secretStringAnswer(SECRET));
    await expect(getSecretString(ARN, signingOf(), { endpoint: fake.endpoint })).resolves.toBe(SECRET);
    const [received] = fake.requests;
    if (!received) throw new Error('no request');
    expect(received.headers['x-amz-security-token']).toBe('session-token');
    expect(received.headers.authorization).toBe(await expectedAuthorization(received));
  });

  it("refuses to start without Lambda's credentials, naming each missing setting", () => {
    expect(() => environmentSigning({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKID' })).toThrow(ConfigError);
    expect(() => environmentSigning({ AWS_ACCESS_KEY_ID: 'AKID' })).toThrow('invalid configuration: AWS_SECRET_ACCESS_KEY: is required (Lambda sets it); AWS_REGION: is required (Lambda sets it)');
  });

  it('returns null when the secret holds binary data only', async () => {
    fresh(() => ({ status: 200, body: { ARN, Name: 'webhook', SecretBinary: 'AAEC' } }));
    await expect(getSecretString(ARN, signing, { endpoint: fake.endpoint })).resolves.toBeNull();
  });

  it('names the error type Secrets Manager answers and does not retry a refusal', async () => {
    fresh(() => errorAnswer(400, 'AccessDeniedException'));
    const failure = await getSecretString(ARN, signing, { endpoint: fake.endpoint }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretsManagerError);
    expect(failure).toMatchObject({ errorType: 'AccessDeniedException', statusCode: 400 });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries throttling and server errors, signing each attempt, then answers', async () => {
    const answers = [errorAnswer(400, 'com.amazonaws.secretsmanager#ThrottlingException'), errorAnswer(503, 'ServiceUnavailable'), secretStringAnswer(SECRET)];
    fresh(() => answers.shift() ?? errorAnswer(500, 'InternalServiceError'));
    await expect(getSecretString(ARN, signing, { endpoint: fake.endpoint })).resolves.toBe(SECRET);
    expect(fake.requests).toHaveLength(3);
    for (const received of fake.requests) expect(received.headers.authorization).toBe(await expectedAuthorization(received));
  });

  it('gives up after its attempts with the last error', async () => {
    fresh(() => errorAnswer(500, 'InternalServiceError'));
    await expect(getSecretString(ARN, signing, { endpoint: fake.endpoint, attempts: 2 })).rejects.toMatchObject({ errorType: 'InternalServiceError', statusCode: 500 });
    expect(fake.requests).toHaveLength(2);
  });

  it('reports an endpoint that does not answer as a network error', async () => {
    const closed = await startFakeSecretsManager(SECRET);
    await closed.close();
    await expect(getSecretString(ARN, signing, { endpoint: closed.endpoint, attempts: 1 })).rejects.toMatchObject({ errorType: 'ECONNREFUSED' });
  });

  it('uses the regional endpoint of the partition', () => {
    expect(regionalEndpoint('eu-west-1')).toBe('https://secretsmanager.eu-west-1.amazonaws.com');
    expect(regionalEndpoint('us-gov-west-1')).toBe('https://secretsmanager.us-gov-west-1.amazonaws.com');
    expect(regionalEndpoint('cn-north-1')).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn');
  });
});
