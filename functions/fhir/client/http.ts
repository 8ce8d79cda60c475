/**
 * One exchange with the FHIR server (CONTRACT §13): `application/fhir+json` both
 * ways, a bearer token when FHIR_TOKEN_URL is set, a timeout per request (the
 * body's read included), and the answer handed back whatever its status, for the
 * caller to judge (exchange.ts). Only what the transport decides is decided
 * here, as a FhirFailure (failure.ts): a timeout or a network error is
 * `not_final`, and so is a body over 5 MiB (`too_large`: read as a stream and
 * cut there, never held whole); a token that cannot be had is `not_final` or
 * `unauthorized` as the token endpoint said; a 401 from the server is met once with a fresh token (a token
 * revoked before its time), and a second 401 is the answer. Redirects are never
 * followed: a 3xx is an answer like the others, its `Location` unasked.
 *
 * Nothing here logs a body, a header's value or a token: an OperationOutcome's
 * text can quote the resource, and the resource is the team's record.
 * node's `fetch` only: it is bundled into Lambdas.
 */
import type { LogSink } from '../../shared/observability';
import type { TokenSource } from './token';
import { notFinal, type FhirFailure } from './failure';
import { retryAfterMs } from '../../shared/retry-after';
import { readTextWithin } from '../../shared/bounded-body';

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base URL, e.g. `Task?identifier=...` (identifierSearch) or `Task/abc`. */
  path: string;
  /** e.g. `If-Match`, `If-None-Exist`, `Prefer`; Accept, Content-Type and Authorization are this module's. */
  headers?: Record<string, string>;
  /** Sent as JSON; none for a GET or a DELETE. */
  body?: unknown;
}

export interface FhirAnswer {
  kind: 'answer';
  status: number;
  /** The `ETag` header as sent (e.g. `W/"3"`), or null. */
  etag: string | null;
  /**
   * The `Location` header (a create's `Task/<id>/_history/<n>`; a 3xx's redirect
   * target, never requested), else `Content-Location`, or null.
   */
  location: string | null;
  /** What `Retry-After` asks for, in ms (at least 0), or null when absent or unreadable. */
  retryAfterMs: number | null;
  /** The `Content-Type`'s media type, lower case, without parameters (e.g. `application/fhir+json`), or null when absent. */
  contentType: string | null;
  /**
   * What the body was: `empty` (nothing, or white space only), `json` (it parsed
   * as JSON: `body` holds it), `unreadable` (something that is not JSON, e.g. an
   * HTML page), judged by the bytes whatever the `Content-Type` says.
   */
  bodyState: 'empty' | 'json' | 'unreadable';
  /** The body parsed as JSON, or null when empty or not JSON. */
  body: unknown;
}

/**
 * An answer, or none: `not_final` for a timeout (the body's read included), a network error, a token endpoint
 * unavailable, or a body over FHIR_MAX_BODY_BYTES; `unauthorized` where the token endpoint refused the credential.
 */
export type FhirExchange = FhirAnswer | Extract<FhirFailure, { kind: 'not_final' | 'unauthorized' }>;

export interface FhirHttp {
  /** Never throws for a status; rejects only for a bad path or when the credential cannot be had (token.ts). */
  send(request: FhirRequest): Promise<FhirExchange>;
}

export interface FhirHttpOptions {
  /** The server's base, e.g. https://fhir.example.org/r4 (a trailing slash is dropped). */
  baseUrl: string;
  /** null: no Authorization header (a server that needs no token). */
  tokens: TokenSource | null;
  fetch?: typeof globalThis.fetch;
  /** Per request, the answer's body included. Default 10 s. */
  timeoutMs?: number;
  /** For `Retry-After` given as an HTTP date. */
  now?: () => number;
  /** Told when a 401 makes it renew the token (info): status codes only. */
  logger?: LogSink;
}

export const FHIR_JSON = 'application/fhir+json';
/** The most of an answer's body that is read (CONTRACT §13: 5 MiB); one byte more is `too_large`. */
export const FHIR_MAX_BODY_BYTES = 5 * 1024 * 1024;

export function createFhirHttp(options: FhirHttpOptions): FhirHttp {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  // Node loads its fetch (undici) on first access of globalThis.fetch: not before the first request.
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { tokens } = options;

  const attempt = async (request: FhirRequest, accessToken: string | null): Promise<FhirExchange> => {
    try {
      const response = await doFetch(`${base}/${request.path}`, {
        method: request.method,
        headers: headersOf(request, accessToken),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // No redirects: following one would send the token wherever the Location points.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return await answerOf(response, now());
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return notFinal(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
    }
  };

  return {
    async send(request) {
      checkPath(request.path);
      if (tokens === null) return attempt(request, null);
      const first = await tokens.token();
      if (!first.ok) return tokenFailure(first.kind);
      const answer = await attempt(request, first.accessToken);
      if (answer.kind !== 'answer' || answer.status !== 401) return answer;
      options.logger?.info('fhir server refused the token: asking for a new one', { status: answer.status });
      tokens.forget(first.accessToken);
      const second = await tokens.token();
      if (!second.ok) return tokenFailure(second.kind);
      return attempt(request, second.accessToken);
    },
  };
}

function tokenFailure(kind: 'unavailable' | 'unauthorized'): FhirExchange {
  return kind === 'unavailable' ? notFinal('token') : { kind: 'unauthorized', where: 'token' };
}

/** A TypeError unless the path stays under the base: relative, no scheme, no `.` or `..` segment (a bug, not an answer). */
function checkPath(path: string): void {
  const segments = path.split(/[?#]/, 1)[0]!.split('/');
  if (path === '' || path.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || segments.some((segment) => segment === '..' || segment === '.')) {
    throw new TypeError('a FHIR path must be relative to the base URL, e.g. Task/abc');
  }
}

function headersOf(request: FhirRequest, accessToken: string | null): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!/^(?:accept|content-type|authorization)$/i.test(name)) headers[name] = value;
  }
  headers.accept = FHIR_JSON;
  if (request.body !== undefined) headers['content-type'] = `${FHIR_JSON}; charset=utf-8`;
  if (accessToken !== null) headers.authorization = `Bearer ${accessToken}`;
  return headers;
}

/** The answer, its body read within FHIR_MAX_BODY_BYTES (the request's signal still bounds the read's time). */
async function answerOf(response: Response, nowMs: number): Promise<FhirExchange> {
  const read = await readTextWithin(response, FHIR_MAX_BODY_BYTES);
  if (read.kind === 'too_large') return notFinal('too_large');
  const { headers } = response;
  return {
    kind: 'answer',
    status: response.status,
    etag: headers.get('etag'),
    location: headers.get('location') ?? headers.get('content-location'),
    retryAfterMs: retryAfterMs(headers.get('retry-after'), nowMs),
    contentType: mediaTypeOf(headers.get('content-type')),
    ...bodyOf(read.text),
  };
}

/** `text/html; charset=utf-8` → `text/html`; null for no header (or an empty one). */
function mediaTypeOf(header: string | null): string | null {
  const mediaType = header?.split(';', 1)[0]!.trim().toLowerCase() ?? '';
  return mediaType === '' ? null : mediaType;
}

function bodyOf(text: string): Pick<FhirAnswer, 'bodyState' | 'body'> {
  if (text.trim() === '') return { bodyState: 'empty', body: null };
  try {
    return { bodyState: 'json', body: JSON.parse(text) as unknown };
  } catch {
    return { bodyState: 'unreadable', body: null };
  }
}


/**
 * The `issue[].code` values of an OperationOutcome body (IssueType codes such as
 * `conflict`, `invalid`), in order; [] for anything else. Never its
 * `diagnostics` or `details` text: they can quote the resource.
 */
export function operationOutcomeCodes(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || (body as { resourceType?: unknown }).resourceType !== 'OperationOutcome') return [];
  const issues = (body as { issue?: unknown }).issue;
  if (!Array.isArray(issues)) return [];
  return issues
    .map((issue: unknown) => (issue !== null && typeof issue === 'object' ? (issue as { code?: unknown }).code : undefined))
    .filter((code): code is string => typeof code === 'string' && /^[a-z][a-z-]{0,39}$/.test(code));
}

/**
 * `identifier=<system>|<value>` for a search or an `If-None-Exist` header, each
 * part escaped as FHIR search asks (`\`, `|`, `,` and `$` by a backslash, R4
 * §3.1.1.1.8) and the whole URL-encoded.
 */
export function identifierQuery(system: string, value: string): string {
  return `identifier=${encodeURIComponent(`${escapeSearch(system)}|${escapeSearch(value)}`)}`;
}

/** The search path for the resources with one identifier, e.g. `Task?identifier=urn%3A...%7Cabc`. */
export function identifierSearch(system: string, value: string, resourceType = 'Task'): string {
  return `${resourceType}?${identifierQuery(system, value)}`;
}

function escapeSearch(part: string): string {
  return part.replace(/[\\|,$]/g, (character) => `\\${character}`);
}
