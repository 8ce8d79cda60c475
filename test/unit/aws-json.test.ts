/**
 * The signed JSON request every function sends to DynamoDB and Secrets Manager
 * (functions/shared/aws-json.ts), against a local server that answers what a
 * test chooses: what is retried, what is not, how failures are named, and that
 * an error never carries the service's message (it may quote values).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonError, awsJsonCaller, backoffMs } from '../../functions/shared/aws-json';
import { staticSigning } from '../../functions/shared/aws-signing';

type Answer = { status: number; body: string };
let answers: Answer[] = [];
const received: { target: string; body: string }[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      received.push({ target: String(req.headers['x-amz-target']), body: Buffer.concat(parts).toString('utf8') });
      const answer = answers.shift() ?? { status: 500, body: '' };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function call(operation: string, input: unknown, attempts = 3) {
  received.length = 0;
  const send = awsJsonCaller(
    { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpoint, regionalHost: () => 'unused' },
    staticSigning({ accessKeyId: 'AKID', secretAccessKey: 'secret' }, 'us-east-1'),
    { attempts },
  );
  return send(operation, input);
}

const typed = (type: string, message = 'The conditional request failed for CANARY-value') => JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

describe('awsJsonCaller', () => {
  it('posts the operation as X-Amz-Target with the input as JSON, binary as base64, and answers the parsed output', async () => {
    answers = [{ status: 200, body: '{"Item":{"pk":{"S":"a"}}}' }];
    await expect(call('GetItem', { Key: { pk: { S: 'a' } }, Bytes: { B: Buffer.from([0, 1, 255]) } })).resolves.toEqual({ Item: { pk: { S: 'a' } } });
    expect(received).toEqual([{ target: 'DynamoDB_20120810.GetItem', body: '{"Key":{"pk":{"S":"a"}},"Bytes":{"B":"AAH/"}}' }]);
  });

  it('does not retry a refusal, names it by its type, and keeps the answer but never its message in the error', async () => {
    answers = [{ status: 400, body: typed('ConditionalCheckFailedException') }];
    const error = await call('PutItem', {}).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AwsJsonError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', errorType: 'ConditionalCheckFailedException', statusCode: 400, retryable: false });
    expect(String((error as Error).message)).not.toContain('CANARY');
    expect((error as AwsJsonError).answer.message).toContain('CANARY');
    expect(received).toHaveLength(1);
  });

  it('retries throttling (400 and 429) and server errors, then answers', async () => {
    answers = [
      { status: 400, body: typed('ProvisionedThroughputExceededException') },
      { status: 429, body: '' },
      { status: 200, body: '{}' },
    ];
    await expect(call('PutItem', {})).resolves.toEqual({});
    expect(received).toHaveLength(3);
    answers = [{ status: 503, body: '' }, { status: 200, body: '{}' }];
    await expect(call('PutItem', {})).resolves.toEqual({});
    expect(received).toHaveLength(2);
  });

  it('gives up after its attempts with the last failure; a 5xx without a type is InternalServerError', async () => {
    answers = [
      { status: 500, body: typed('InternalServerError') },
      { status: 502, body: '<html>bad gateway</html>' },
    ];
    await expect(call('PutItem', {}, 2)).rejects.toMatchObject({ errorType: 'InternalServerError', statusCode: 502 });
    expect(received).toHaveLength(2);
  });

  it('refuses an answer that is not a JSON object (InvalidResponse), without retrying it', async () => {
    answers = [{ status: 200, body: 'not json' }];
    await expect(call('GetItem', {})).rejects.toMatchObject({ errorType: 'InvalidResponse', retryable: false });
    expect(received).toHaveLength(1);
  });

  it('backs off with full jitter under the SDK standard mode bounds', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (let sample = 0; sample < 50; sample++) {
        const plain = backoffMs(attempt, false);
        const throttled = backoffMs(attempt, true);
        expect(plain).toBeGreaterThanOrEqual(0);
        expect(plain).toBeLessThanOrEqual(Math.min(20_000, 100 * 2 ** (attempt - 1)));
        expect(throttled).toBeLessThanOrEqual(Math.min(20_000, 500 * 2 ** (attempt - 1)));
      }
    }
  });
});
