/**
 * A stand-in for Secrets Manager's GetSecretValue on a local port: it records
 * every request (headers and body as received) and answers with whatever the
 * test chose. The webhook reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeAnswer = { status: number; body: unknown };

export interface FakeSecretsManager {
  endpoint: string;
  requests: ReceivedRequest[];
  /** What the next requests get (a SecretString answer by default). */
  answer: (request: ReceivedRequest) => FakeAnswer;
  close(): Promise<void>;
}

/** An answer carrying `secretString`, shaped as GetSecretValue's. */
export function secretStringAnswer(secretString: string): FakeAnswer {
  return { status: 200, body: { ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fake', Name: 'fake', SecretString: secretString } };
}

/** An error answer as Secrets Manager's JSON protocol spells it. */
export function errorAnswer(status: number, type: string): FakeAnswer {
  return { status, body: { __type: type, message: 'refused by the fake' } };
}

export async function startFakeSecretsManager(secretString: string): Promise<FakeSecretsManager> {
  const requests: ReceivedRequest[] = [];
  const fake: Omit<FakeSecretsManager, 'endpoint' | 'close'> = { requests, answer: () => secretStringAnswer(secretString) };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      requests.push(received);
      const { status, body } = fake.answer(received);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  });
}
