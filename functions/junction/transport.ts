/**
 * How the Junction clients reach Junction (CONTRACT §6, §14): node's `fetch`
 * with the key header, a time bound per attempt, no redirects (following one
 * would send the key wherever the Location points), and every answer's body
 * read up to 1 MiB (shared/bounded-body.ts): a longer one is no answer. The
 * order client (./client.ts) retries on top of `attempt`; the PSC client
 * (./psc.ts) sends each call once with `send`.
 *
 * Deliberately free of Powertools and the AWS SDK: it is bundled into Lambdas.
 */
import { readTextWithin } from '../shared/bounded-body';

/** The most of an answer's body the clients read (CONTRACT §14). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface JunctionClientOptions {
  /** e.g. https://api.us.junction.com (settings.ts lists Junction's servers), or a stand-in. */
  baseUrl: string;
  /** Sent as `x-vital-api-key`; never logged, never in a reason. */
  apiKey: string;
  /** Per attempt, the body included. Default 10 s (CONTRACT §6: at most 10 s). */
  timeoutMs?: number;
  /** Further attempts after a timeout, network error, 429 or 5xx. Default 2. */
  maxRetries?: number;
  /** Longest wait a `Retry-After` can ask for. Default 30 s. */
  maxRetryAfterMs?: number;
  /** First wait when the answer gives no `Retry-After`; it doubles at each retry. Default 250 ms. */
  backoffMs?: number;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  /** For `Retry-After` given as an HTTP date. */
  now?: () => number;
}

/** The options with their defaults, and the time a deadline leaves. */
export interface Transport {
  base: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  backoffMs: number;
  doFetch: typeof globalThis.fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  headers: Record<string, string>;
  /** Milliseconds until the deadline; infinite without one. */
  timeLeft: () => number;
}

export function transportOf(options: JunctionClientOptions, deadline: number | null): Transport {
  const now = options.now ?? Date.now;
  return {
    base: parseBaseUrl(options.baseUrl),
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 2,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    backoffMs: options.backoffMs ?? 250,
    // Node loads its fetch (undici) on first access of globalThis.fetch: defer that to
    // the first request, so a cold start with a key configured does not pay for it.
    doFetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    now,
    headers: { 'x-vital-api-key': options.apiKey, accept: 'application/json' },
    timeLeft: () => (deadline === null ? Number.POSITIVE_INFINITY : deadline - now()),
  };
}

/** What one attempt got: the status and, for a 2xx, the body text; or why there is none. */
export type Attempted = { status: number; retryAfter: string | null; text: string | null } | { failed: string };

/** One GET, cut after `limitMs`; a 2xx body over MAX_ANSWER_BYTES is a failed attempt. */
export async function attempt(transport: Transport, url: string, limitMs: number): Promise<Attempted> {
  const sent = await send(transport, { method: 'GET', url, limitMs, readErrorBody: false });
  if ('failed' in sent) return sent;
  if (sent.status < 200 || sent.status > 299) return { status: sent.status, retryAfter: sent.retryAfter, text: null };
  return { status: sent.status, retryAfter: null, text: sent.text };
}

export interface Sending {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  limitMs: number;
  /** A JSON body, sent as application/json. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Read a non-2xx answer's body too (bounded as any other); else it is cancelled unread. */
  readErrorBody: boolean;
}

/** What one call got: its status, headers that matter and body (null where not read); or why there is none. */
export type Sent = { status: number; retryAfter: string | null; date: string | null; text: string | null } | { failed: string };

/** One request, never retried, cut after `limitMs` (the body's read included). */
export async function send(transport: Transport, sending: Sending): Promise<Sent> {
  try {
    const headers = { ...transport.headers, ...sending.headers, ...(sending.json === undefined ? {} : { 'content-type': 'application/json' }) };
    const body = sending.json === undefined ? undefined : JSON.stringify(sending.json);
    const signal = AbortSignal.timeout(sending.limitMs);
    const response = await transport.doFetch(sending.url, { method: sending.method, headers, body, redirect: 'manual', signal });
    const ok = response.status >= 200 && response.status <= 299;
    const answered = { status: response.status, retryAfter: response.headers.get('retry-after'), date: response.headers.get('date') };
    if (!ok && !sending.readErrorBody) {
      await response.body?.cancel().catch(() => undefined);
      return { ...answered, text: null };
    }
    const read = await readTextWithin(response, MAX_ANSWER_BYTES);
    if (read.kind === 'too_large') return { failed: `answer over ${MAX_ANSWER_BYTES} bytes` };
    return { ...answered, text: read.text };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const cut = sending.limitMs < transport.timeoutMs ? ' (cut by the deadline)' : '';
    return { failed: name === 'TimeoutError' || name === 'AbortError' ? `timeout after ${sending.limitMs} ms${cut}` : 'network error' };
  }
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('baseUrl must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must have no query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** The id as one URL path segment, or null for ids no resource can have (empty, or `.`/`..`, which URLs resolve away). */
export function pathSegment(id: string): string | null {
  if (id === '' || /^\.{1,2}$/.test(id)) return null;
  return encodeURIComponent(id);
}
