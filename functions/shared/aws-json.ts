/**
 * One signed request to an AWS service that speaks the JSON protocol (awsJson1_0
 * for DynamoDB, awsJson1_1 for Secrets Manager): a POST of JSON to `/` naming
 * the operation in `X-Amz-Target`, signed with SigV4, over node's HTTP with
 * keep-alive. This is what every function sends to DynamoDB
 * (store/http-table.ts) and to Secrets Manager (shared/secrets-manager.ts),
 * without loading an SDK client at cold start: the SDK's DynamoDB client and
 * document client are ~190 KiB of code to parse at every cold start (protocol,
 * models, endpoint rules, middleware stack), for six operations whose wire
 * format is plain JSON.
 *
 * What it keeps from the SDK: its SigV4 signer, and its retry behaviour (the
 * standard mode: 3 attempts for throttling, 5xx and network errors, with full
 * jitter exponential backoff, a longer base after throttling). A refused request
 * (a failed condition, a validation error) is not retried: it is an AwsJsonError
 * carrying the error type, the HTTP status and the parsed answer.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, ChecksumConstructor, HashConstructor, Provider } from '@smithy/types';

/** What signing needs: credentials, region and a SHA-256 (an SDK client's resolved configuration has all three). */
export interface SigningConfig {
  credentials: AwsCredentialIdentityProvider;
  region: Provider<string>;
  sha256: ChecksumConstructor | HashConstructor;
}

export interface AwsJsonService {
  /** SigV4 signing name: `dynamodb`, `secretsmanager`. */
  signingName: string;
  /** `X-Amz-Target` is `<targetPrefix>.<operation>`. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** An endpoint override (DynamoDB Local, a stand-in); the regional endpoint when absent. */
  endpoint?: string | undefined;
  /** The regional endpoint's host name for a region (the partition's domain). */
  regionalHost: (region: string) => string;
}

export interface AwsJsonOptions {
  /** Attempts for throttling, 5xx and network errors (the SDK's standard mode also makes 3). */
  attempts?: number;
  /**
   * Per attempt: how long the connection may stay silent (2 s by default: 3
   * attempts and their backoff end within the 10 s an HTTP function or a Lambda
   * init may take, so the function answers 503 itself rather than time out).
   */
  timeoutMs?: number;
}

/** Throttling error types of AWS's JSON services (the SDK's list), retried with a longer backoff. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

/**
 * An AWS service refused or failed: its error type (never a value), the HTTP
 * status, and the parsed answer. Named by its error type, as the SDK names its
 * exceptions (`ThrottlingException`), or by the network error (`ECONNRESET`, `Timeout`).
 */
export class AwsJsonError extends Error {
  constructor(
    readonly errorType: string,
    readonly statusCode: number | undefined,
    readonly answer: Record<string, unknown> = {},
  ) {
    super(`${errorType}${statusCode === undefined ? '' : ` (HTTP ${statusCode})`}`);
    this.name = errorType;
  }

  get throttling(): boolean {
    return this.statusCode === 429 || THROTTLING.has(this.errorType);
  }

  /** Throttling, a server error or no answer at all: worth another attempt. */
  get retryable(): boolean {
    return this.statusCode === undefined || this.statusCode >= 500 || this.throttling;
  }
}

/** Sends one operation and answers its parsed JSON output; throws an AwsJsonError. */
export type AwsJsonCall = (operation: string, input: unknown) => Promise<Record<string, unknown>>;

/**
 * A caller for one service. Keep-alive connections are shared by every caller in
 * the process: a warm Lambda reuses its TLS connection, as the SDK's handler does.
 */
export function awsJsonCaller(service: AwsJsonService, signing: SigningConfig, options: AwsJsonOptions = {}): AwsJsonCall {
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 2000;
  let signer: { sign: SignatureV4['sign']; url: URL } | undefined;
  const signerOf = async () => {
    if (signer) return signer;
    const region = await signing.region();
    const url = new URL(service.endpoint ?? `https://${service.regionalHost(region)}`);
    const v4 = new SignatureV4({ credentials: signing.credentials, region, service: service.signingName, sha256: signing.sha256 });
    signer = { sign: v4.sign.bind(v4), url };
    return signer;
  };
  const contentType = `application/x-amz-json-${service.jsonVersion}`;

  return async (operation, input) => {
    const { sign, url } = await signerOf();
    const body = JSON.stringify(input, binaryAsBase64);
    for (let attempt = 1; ; attempt++) {
      // Signed per attempt: the signature carries the time.
      const signed = await sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: '/',
        query: {},
        headers: { host: url.host, 'content-type': contentType, 'x-amz-target': `${service.targetPrefix}.${operation}` },
        body,
      });
      try {
        return outputOf(await post(url, signed.headers, body, timeoutMs));
      } catch (error) {
        const failure = error instanceof AwsJsonError ? error : new AwsJsonError(networkErrorName(error), undefined);
        if (!failure.retryable || attempt >= attempts) throw failure;
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, failure.throttling)));
      }
    }
  };
}

/** The SDK's standard mode: full jitter over base x 2^(attempt-1), base 100 ms, 500 ms after throttling, at most 20 s. */
export function backoffMs(attempt: number, throttling: boolean): number {
  return Math.random() * Math.min(20_000, (throttling ? 500 : 100) * 2 ** (attempt - 1));
}

/** The domain of a region's partition (China has its own). */
export function partitionDomain(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** JSON's spelling of binary values (DynamoDB's B, Secrets Manager's SecretBinary): base64. */
function binaryAsBase64(this: unknown, key: string, value: unknown): unknown {
  // A Buffer's toJSON has already run on `value`: look at the holder's own value.
  const own = (this as Record<string, unknown>)[key];
  if (own instanceof Uint8Array) return Buffer.from(own.buffer, own.byteOffset, own.byteLength).toString('base64');
  return value;
}

interface Answer {
  statusCode: number;
  text: string;
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 50 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 50 }) };

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs, agent: secure ? agents.https : agents.http },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'Timeout' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** The parsed answer, or an AwsJsonError naming the error type the service answered (`__type`, as AWS's JSON protocol spells it). */
function outputOf(answer: Answer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = answer.text.length === 0 ? {} : JSON.parse(answer.text);
  } catch {
    parsed = null;
  }
  const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  if (answer.statusCode !== 200) {
    // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", or the bare name.
    const type = typeof body?.__type === 'string' ? (body.__type.split('#').pop() ?? 'UnknownError') : answer.statusCode >= 500 ? 'InternalServerError' : 'UnknownError';
    throw new AwsJsonError(type, answer.statusCode, body ?? {});
  }
  if (body === null) throw new AwsJsonError('InvalidResponse', answer.statusCode);
  return body;
}

/** A Node network error's code (ECONNREFUSED, ECONNRESET, ...), or Timeout. */
function networkErrorName(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return 'NetworkError';
}
