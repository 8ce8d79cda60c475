/**
 * HTTP to the tracker: the local one as it is (open on 127.0.0.1), a deployed
 * one with every request SigV4-signed. Every failure becomes a CliError with
 * the exit code the README documents and one line that says what to do; a
 * 404 `not_found` is a value (null) for the command to word.
 */
import * as z from 'zod';
import { awsFailure } from './aws';
import { CliError, EXIT } from './errors';
import { encodeQuery, type Signer } from './sigv4';

export interface TrackerTarget {
  kind: 'local' | 'aws';
  /** Without a trailing slash, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** For messages: "the local tracker at ...", "stack RedrawTracker (https://...)". */
  label: string;
  signer?: Signer;
  /** A deployed API's region (what signs its requests; STS is asked in it for the caller's identity). */
  region?: string;
}

/**
 * An answer to a request whose refusals the command words itself: a 2xx JSON
 * document, or the API's error (400, 404, 409; a 502 `junction_unavailable`
 * of the booking, CONTRACT §14) with the whole body (a 409 `conflict` carries
 * the current follow-up).
 */
export type Answer = { ok: true; json: unknown } | { ok: false; status: number; code: string; message: string | undefined; json: unknown };

export interface TrackerClient {
  readonly target: TrackerTarget;
  /** The JSON of a 2xx answer, or null for the API's 404 `not_found`. */
  get(path: string, query?: Readonly<Record<string, string>>): Promise<unknown>;
  /** POST, with a JSON body when one is given. */
  post(path: string, body?: unknown): Promise<unknown>;
  /**
   * POST a JSON body and return the API's 400, 404 and 409 errors as answers
   * (anything else fails as post() does). `headers` are sent as given (e.g. the
   * local tracker's actor header); they are not signed.
   */
  postForAnswer(path: string, body: unknown, headers?: Readonly<Record<string, string>>): Promise<Answer>;
  /** GET, with the API's 400, 404 and 409 errors (and a 502 `junction_unavailable`) as answers, as postForAnswer. */
  getForAnswer(path: string, query?: Readonly<Record<string, string>>): Promise<Answer>;
}

/** The refusals postForAnswer hands back to the command (413 and 415: a body the tracker would not read). */
const ANSWERED_STATUSES = new Set([400, 404, 409, 413, 415]);
/** Junction did not answer the tracker (CONTRACT §14): a 502 the booking's routes and actions word themselves; any other 502 is a failure. */
const JUNCTION_UNAVAILABLE = 'junction_unavailable';

/** Whether the API's error is one the command words itself. */
function answered(status: number, code: string): boolean {
  return ANSWERED_STATUSES.has(status) || (status === 502 && code === JUNCTION_UNAVAILABLE);
}

const ErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

/** Long enough for a cold Lambda and a loaded laptop; a hung tracker still ends. */
const REQUEST_TIMEOUT_MS = 30_000;

export function createTrackerClient(target: TrackerTarget, deps: { fetch: typeof fetch; now: () => Date; requestTimeoutMs?: number }): TrackerClient {
  const timeoutMs = deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  async function send(method: 'GET' | 'POST', path: string, options: { query?: Readonly<Record<string, string>>; body?: unknown; headers?: Readonly<Record<string, string>> }): Promise<{ response: Response; json: unknown }> {
    const { query } = options;
    const search = query && Object.keys(query).length > 0 ? `?${encodeQuery(query)}` : '';
    const url = new URL(`${target.baseUrl}${path}${search}`);
    // The bytes sent are the bytes signed.
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = {};
    if (target.signer) {
      try {
        headers = await target.signer.headersFor(method, url, deps.now(), body);
      } catch (error) {
        throw awsFailure(error, `signing the request to ${target.label}`);
      }
    }
    let response: Response;
    // A timer that keeps the process alive: AbortSignal.timeout's does not, and Node's fetch never settles when a
    // server resets the connection as it accepts it, so the CLI would exit 13 (an unsettled await) without a word.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer in ${timeoutMs / 1000} s`, 'TimeoutError')), timeoutMs);
    try {
      const sent = { ...headers, ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
      response = await deps.fetch(url, { method, headers: sent, signal: controller.signal, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw unreachable(target, error, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text().catch(() => '');
    const json = parseJson(text);
    if (response.ok && json === undefined) throw new CliError(EXIT.unreachable, `${target.label} answered ${method} ${path} with something that is not JSON: is it the tracker? ${hint(target)}`);
    return { response, json };
  }

  async function request(method: 'GET' | 'POST', path: string, query?: Readonly<Record<string, string>>, body?: unknown): Promise<unknown> {
    const { response, json } = await send(method, path, { ...(query ? { query } : {}), body });
    if (response.ok) return json;
    const apiError = ErrorAnswer.safeParse(json);
    const code = apiError.success ? apiError.data.error.code : undefined;
    if (response.status === 404 && code === 'not_found') return null;
    throw refusal(target, response.status, method, path, apiError.success ? apiError.data.error : undefined);
  }

  async function forAnswer(method: 'GET' | 'POST', path: string, options: { query?: Readonly<Record<string, string>>; body?: unknown; headers?: Readonly<Record<string, string>> }): Promise<Answer> {
    const { response, json } = await send(method, path, options);
    if (response.ok) return { ok: true, json };
    const apiError = ErrorAnswer.safeParse(json);
    if (apiError.success && answered(response.status, apiError.data.error.code)) {
      return { ok: false, status: response.status, code: apiError.data.error.code, message: apiError.data.error.message, json };
    }
    throw refusal(target, response.status, method, path, apiError.success ? apiError.data.error : undefined);
  }
  return {
    target,
    get: (path, query) => request('GET', path, query),
    post: (path, body) => request('POST', path, undefined, body),
    postForAnswer: (path, body, headers) => forAnswer('POST', path, { body, ...(headers ? { headers } : {}) }),
    getForAnswer: (path, query) => forAnswer('GET', path, query ? { query } : {}),
  };
}

/** A body's JSON, or undefined when it is none. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function hint(target: TrackerTarget): string {
  return target.kind === 'local' ? '(set TRACKER_URL or PORT to where `npm start` listens)' : '(check --api or --stack)';
}

/** Why fetch failed, by the system error code only (ECONNREFUSED, ENOTFOUND, a timeout). */
function unreachable(target: TrackerTarget, error: unknown, timeoutMs: number): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = error instanceof Error && error.name === 'TimeoutError'
    ? `no answer within ${timeoutMs / 1000} s`
    : cause && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : 'no connection';
  if (target.kind === 'local') {
    return new CliError(EXIT.unreachable, `no tracker answers at ${target.baseUrl} (${code}): start one with \`npm start\`, or set TRACKER_URL (or PORT) to where it listens`);
  }
  return new CliError(EXIT.unreachable, `cannot reach ${target.label} (${code}): check --api/--stack, the region and your network`);
}

function refusal(target: TrackerTarget, status: number, method: string, path: string, apiError: { code: string; message?: string } | undefined): CliError {
  if (status === 401 || status === 403) {
    // API Gateway's own 403 text can quote the canonical request (with the session token): never print it.
    return target.kind === 'aws'
      ? new CliError(EXIT.unreachable, `${target.label} refused the signed request (HTTP ${status}): your AWS identity needs execute-api:Invoke on this API; check AWS_PROFILE or --profile, and run \`aws sso login\` if the session expired`)
      : new CliError(EXIT.unreachable, `${target.label} refused the request (HTTP ${status}): is TRACKER_URL the tracker?`);
  }
  if (status === 409 && apiError) {
    // The tracker cannot do this as configured (e.g. a backfill without a Junction API key): say which tracker, there may be two.
    return new CliError(EXIT.usage, `${target.label}: ${apiError.message ?? apiError.code}`);
  }
  if ((status === 400 || status === 413 || status === 415) && apiError) {
    return new CliError(EXIT.usage, `${target.label} refused the request: ${apiError.message ?? apiError.code} (${apiError.code})`);
  }
  if (status === 404) {
    return new CliError(EXIT.unreachable, `${target.label} has no ${method} ${path} (HTTP 404): is it the tracker? ${hint(target)}`);
  }
  if (status === 429) {
    return new CliError(EXIT.unreachable, `${target.label} is throttling requests (HTTP 429): wait a moment and try again`);
  }
  // A failure the tracker words itself (a booking Junction made that it could not record yet, CONTRACT §14) says so; the generic one does not.
  if (status >= 500 && apiError?.message !== undefined && apiError.message !== 'internal error') return new CliError(EXIT.unreachable, `${target.label} failed (HTTP ${status}): ${apiError.message}`);
  return new CliError(EXIT.unreachable, `${target.label} failed (HTTP ${status}): try again; if it persists, read the tracker's logs`);
}
