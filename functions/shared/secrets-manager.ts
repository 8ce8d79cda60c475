/**
 * Secrets Manager's GetSecretValue, the one call the webhook, the sweep and the
 * backfill make to it (once per cold start, then every few minutes). Not a second
 * SDK client: that would bundle another protocol, its models and a second
 * credential chain, about 19 KiB parsed at every cold start for one request. This
 * signs the request with the SDK's own SigV4 signer and the DynamoDB client's
 * credentials, region and hash, which the bundle carries anyway, and sends it
 * with node:https.
 */
import type { DynamoDBClientResolvedConfig } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import * as z from 'zod/mini';

/** What signing borrows from an SDK client's resolved configuration (the DynamoDB client's in the entries). */
export type SigningConfig = Pick<DynamoDBClientResolvedConfig, 'credentials' | 'region' | 'sha256'>;

export interface GetSecretValueOptions {
  /** Endpoint override (AWS_ENDPOINT_URL_SECRETS_MANAGER); the regional endpoint when absent. */
  endpoint?: string | undefined;
  /** Attempts for throttling, 5xx and network errors (the SDK's standard mode also makes 3). */
  attempts?: number;
  /** Per attempt, connection and answer together. */
  timeoutMs?: number;
}

/** Secrets Manager refused or failed: the error type it named (never a value), and the HTTP status. */
export class SecretsManagerError extends Error {
  override readonly name = 'SecretsManagerError';
  constructor(
    readonly errorType: string,
    readonly statusCode: number | undefined,
  ) {
    super(`GetSecretValue failed: ${errorType}${statusCode === undefined ? '' : ` (HTTP ${statusCode})`}`);
  }

  /** Throttling, a server error or no answer at all: worth another attempt. */
  get retryable(): boolean {
    return this.statusCode === undefined || this.statusCode >= 500 || this.statusCode === 429 || this.errorType === 'ThrottlingException';
  }
}

const TARGET = 'secretsmanager.GetSecretValue';

/**
 * The secret's SecretString, or null when the secret holds binary data only.
 * Throws a SecretsManagerError naming what Secrets Manager answered.
 */
export async function getSecretString(secretId: string, signing: SigningConfig, options: GetSecretValueOptions = {}): Promise<string | null> {
  const region = await signing.region();
  const url = new URL(options.endpoint ?? regionalEndpoint(region));
  const signer = new SignatureV4({ credentials: signing.credentials, region, service: 'secretsmanager', sha256: signing.sha256 });
  const body = JSON.stringify({ SecretId: secretId });
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    // Signed per attempt: the signature carries the time.
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
      body,
    });
    try {
      const answer = await post(url, signed.headers, body, options.timeoutMs ?? 3000);
      return secretStringOf(answer);
    } catch (error) {
      const retryable = error instanceof SecretsManagerError ? error.retryable : true;
      if (!retryable || attempt >= attempts) throw error instanceof SecretsManagerError ? error : new SecretsManagerError(networkErrorName(error), undefined);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * (1 + Math.random())));
    }
  }
}

/**
 * Reads one secret's string, asking Secrets Manager again once `maxAgeMs` have
 * passed since the last answer (a rotation is picked up within that time).
 * Failures are not cached: the next call asks again.
 */
export function secretStringReader(
  secretId: string,
  signing: SigningConfig,
  options: GetSecretValueOptions & { maxAgeMs: number },
): () => Promise<string | null> {
  let cached: { value: string | null; readAt: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.readAt < options.maxAgeMs) return cached.value;
    const value = await getSecretString(secretId, signing, options);
    cached = { value, readAt: Date.now() };
    return value;
  };
}

/** Secrets Manager's endpoint in the region's partition (China has its own domain). */
export function regionalEndpoint(region: string): string {
  return `https://secretsmanager.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

interface Answer {
  statusCode: number;
  text: string;
}

async function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  // node:https is loaded by the SDK's HTTP handler already; node:http only serves a local endpoint.
  const { request } = url.protocol === 'http:' ? await import('node:http') : await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The fields read from an answer; Secrets Manager's JSON protocol names an error in `__type`. */
const AnswerBody = z.object({ SecretString: z.optional(z.string()), __type: z.optional(z.string()) });

function secretStringOf(answer: Answer): string | null {
  let body: z.output<typeof AnswerBody> | null;
  try {
    const parsed = AnswerBody.safeParse(JSON.parse(answer.text));
    body = parsed.success ? parsed.data : null;
  } catch {
    body = null;
  }
  if (answer.statusCode !== 200) {
    // `__type` reads like "com.amazonaws.secretsmanager#ResourceNotFoundException", or the bare name.
    throw new SecretsManagerError(body?.__type?.split('#').pop() ?? 'UnknownError', answer.statusCode);
  }
  if (body === null) throw new SecretsManagerError('InvalidResponse', answer.statusCode);
  return body.SecretString ?? null;
}

/** A Node network error's code (ECONNREFUSED, ECONNRESET, ...), or Timeout. */
function networkErrorName(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof Error && error.message === 'timeout') return 'Timeout';
  return 'NetworkError';
}
