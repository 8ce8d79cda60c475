/**
 * The access token for the FHIR server (CONTRACT §13): OAuth 2.0 client
 * credentials at FHIR_TOKEN_URL, with a client secret (`client_secret_basic`,
 * RFC 6749 §2.3.1) or a private key (SMART Backend Services, `private_key_jwt`:
 * a JWT assertion signed RS384 or ES384 with jose). node's `fetch` and jose
 * only: it is bundled into Lambdas.
 *
 * A token is reused until a minute before its `expires_in` runs out, and callers
 * that ask at once share one request, so a batch of writes costs one token
 * request; `forget` drops it when the FHIR server refuses it (revoked early).
 * What the endpoint answers is a value, never an exception: 5xx, 408, 429, a
 * redirect (3xx, never followed: it would take the credential wherever it
 * points), timeouts, network errors, an unreadable answer and one over
 * TOKEN_MAX_BODY_BYTES (read as a stream and cut there) are `unavailable` (try
 * later); 401, 403 and any other refusal (400 `invalid_client`, 404) are
 * `unauthorized`, a configuration error no retry mends. `token()` rejects only
 * when the credential itself cannot be had: its secret unreadable (a ConfigError
 * naming the setting and the error type) or not a usable key.
 *
 * Neither a reason nor a log line carries the secret, the key, the assertion,
 * the token or the endpoint's error text: status codes, RFC 6749's error codes
 * and kinds only.
 */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { ConfigError } from '../../shared/config';
import type { LogSink } from '../../shared/observability';
import { readTextWithin } from '../../shared/bounded-body';
import { signingKeyOf, type SigningAlg } from './private-key';

/** How the client proves itself; `read` answers the secret or the PEM (from the environment, or Secrets Manager). */
export type FhirCredential = { kind: 'secret'; read: () => Promise<string> } | { kind: 'private_key'; keyId: string; read: () => Promise<string> };

/** RFC 6749 §5.2's error codes: the only text of a refusal that is passed on. */
export const OAUTH_ERROR_CODES = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export type TokenResult =
  | { ok: true; accessToken: string }
  | { ok: false; kind: 'unavailable'; reason: string }
  | { ok: false; kind: 'unauthorized'; status: number; error?: OAuthErrorCode };

export interface TokenSource {
  /** A token that has at least a minute to live, asking the endpoint only when the one held has not. */
  token(): Promise<TokenResult>;
  /** Drops the token held (only if it is `rejected`, when given): the next `token()` asks for a new one. */
  forget(rejected?: string): void;
}

export interface TokenSourceOptions {
  tokenUrl: string;
  clientId: string;
  /** e.g. `system/Task.rs system/Task.cu`. */
  scope: string;
  credential: FhirCredential;
  fetch?: typeof globalThis.fetch;
  /** Epoch ms; the token's lifetime and the assertion's times are read from it. */
  now?: () => number;
  /** Per token request, the answer's body included. Default 10 s. */
  timeoutMs?: number;
  /** Told of each token obtained (debug) and each failure (warn): kinds and status codes only. */
  logger?: LogSink;
}

/** A token is given up this long before it expires (CONTRACT §13: a minute). */
export const TOKEN_EARLY_RENEWAL_MS = 60_000;
/** How long a token whose answer gives no `expires_in` is taken to live: SMART's recommended most. */
export const DEFAULT_TOKEN_LIFETIME_S = 300;
/** The assertion's lifetime: SMART allows at most five minutes. */
export const ASSERTION_LIFETIME_S = 300;
/** The most of a token answer's body that is read: 64 KiB, many times a token's (a JWT of a few KiB at most); one byte more is `unavailable`. */
export const TOKEN_MAX_BODY_BYTES = 64 * 1024;
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  const request = tokenRequester(options);
  let held: { accessToken: string; renewAt: number } | null = null;
  let inFlight: Promise<TokenResult> | null = null;

  const ask = async (): Promise<TokenResult> => {
    const askedAt = now();
    const answer = await request();
    if (!answer.ok) {
      options.logger?.warn('fhir token request failed', answer.kind === 'unauthorized' ? { kind: answer.kind, status: answer.status, error: answer.error } : { kind: answer.kind, reason: answer.reason });
      return answer;
    }
    held = { accessToken: answer.accessToken, renewAt: askedAt + answer.expiresInS * 1000 - TOKEN_EARLY_RENEWAL_MS };
    options.logger?.debug('fhir token obtained', { expiresInS: answer.expiresInS });
    return { ok: true, accessToken: answer.accessToken };
  };

  return {
    token() {
      if (held !== null && now() < held.renewAt) return Promise.resolve({ ok: true, accessToken: held.accessToken });
      inFlight ??= ask().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    forget(rejected) {
      if (rejected === undefined || held?.accessToken === rejected) held = null;
    },
  };
}

/** One token request's result: the token and its lifetime in seconds, or the failure. */
type Answered = { ok: true; accessToken: string; expiresInS: number } | Exclude<TokenResult, { ok: true }>;

/** One token request per call, for these options. */
function tokenRequester(options: TokenSourceOptions): () => Promise<Answered> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  // Node loads its fetch (undici) on first access of globalThis.fetch: not before the first request.
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sign = options.credential.kind === 'private_key' ? assertionSigner(options, options.credential.keyId, now) : null;
  return async () => {
    const secret = await options.credential.read();
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: options.scope });
    if (sign === null) {
      headers.authorization = basicAuthorization(options.clientId, secret);
    } else {
      body.set('client_assertion_type', JWT_BEARER_ASSERTION);
      body.set('client_assertion', await sign(secret));
    }
    try {
      // No redirects: following one would send the credential wherever the Location points.
      const response = await doFetch(options.tokenUrl, { method: 'POST', headers, body: body.toString(), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      return await readTokenAnswer(response);
    } catch (error) {
      return { ok: false, kind: 'unavailable', reason: failureReason(error, timeoutMs) };
    }
  };
}

/** `Basic` with the id and secret each form-urlencoded first (RFC 6749 §2.3.1). */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
}

function formEncode(value: string): string {
  return new URLSearchParams([['v', value]]).toString().slice(2);
}

/**
 * Signs SMART's client assertion with the key the PEM holds (the imported key
 * kept while the PEM is the same: a rotated secret brings a new one).
 */
function assertionSigner(options: TokenSourceOptions, keyId: string, now: () => number): (pem: string) => Promise<string> {
  let imported: { pem: string; alg: SigningAlg; key: Awaited<ReturnType<typeof importPKCS8>> } | null = null;
  return async (pem) => {
    if (imported?.pem !== pem) {
      const key = signingKeyOf(pem);
      if (!key.ok) throw new ConfigError(`invalid configuration: the FHIR private key ${key.problem}`);
      imported = { pem, alg: key.alg, key: await importPKCS8(key.pkcs8, key.alg) };
    }
    const issuedAt = Math.floor(now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: imported.alg, kid: keyId, typ: 'JWT' })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(options.tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(imported.key);
  };
}

/** The endpoint's answer as a result; the body is read within the request's timeout and TOKEN_MAX_BODY_BYTES. */
async function readTokenAnswer(response: Response): Promise<Answered> {
  const { status } = response;
  if (status >= 200 && status <= 299) {
    const read = await readTextWithin(response, TOKEN_MAX_BODY_BYTES);
    return read.kind === 'text' ? tokenOf(read.text) : { ok: false, kind: 'unavailable', reason: `token answer over ${TOKEN_MAX_BODY_BYTES} bytes` };
  }
  if ((status >= 300 && status <= 399) || status === 408 || status === 429 || status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, kind: 'unavailable', reason: `status ${status}` };
  }
  if (status !== 400 && status !== 401) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, kind: 'unauthorized', status };
  }
  const read = await readTextWithin(response, TOKEN_MAX_BODY_BYTES);
  const error = read.kind === 'text' ? oauthErrorOf(read.text) : undefined;
  return error === undefined ? { ok: false, kind: 'unauthorized', status } : { ok: false, kind: 'unauthorized', status, error };
}

/** A 2xx body: `access_token` and `expires_in` (a number, or digits), else unavailable. */
function tokenOf(text: string): Answered {
  const json = parseJson(text);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, kind: 'unavailable', reason: 'token answer is not a JSON object' };
  const { access_token: accessToken, expires_in: expiresIn } = json as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') return { ok: false, kind: 'unavailable', reason: 'token answer has no access_token' };
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : DEFAULT_TOKEN_LIFETIME_S;
  return { ok: true, accessToken, expiresInS: Number.isFinite(seconds) && seconds > 0 ? seconds : 0 };
}

/** RFC 6749 §5.2's `error`, when it is one of its codes (`error_description` is never read). */
function oauthErrorOf(text: string): OAuthErrorCode | undefined {
  const json = parseJson(text);
  const error = json !== null && typeof json === 'object' ? (json as Record<string, unknown>).error : undefined;
  return (OAUTH_ERROR_CODES as readonly unknown[]).includes(error) ? (error as OAuthErrorCode) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A thrown fetch as a reason: a timeout or a network error, never the error's message (it can quote the URL). */
export function failureReason(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  return name === 'TimeoutError' || name === 'AbortError' ? `timeout after ${timeoutMs} ms` : 'network error';
}
