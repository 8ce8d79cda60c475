/**
 * `npm start`'s own log in its default `LOG_FORMAT=text`: one readable line per
 * request (`12:03:04 POST /webhooks/junction 200 applied 14 ms`) and per
 * scheduled sweep, instead of the functions' JSON lines at info (those still
 * show from WARN up, in full). `LOG_FORMAT=json` keeps every function's
 * Powertools JSON, as on AWS. Paths and statuses only: no query string (it
 * could carry an owner handle), no body, so nothing a request carried is printed.
 */
import type { ServerResponse } from 'node:http';

/** Which log `npm start` prints (local/config.ts LOG_FORMAT). */
export type LogFormat = 'text' | 'json';

/** The answer bodies the line reads `result` from: the webhook's and the sweep's (set by http-adapter's writeResult). */
const answered = new WeakMap<ServerResponse, string>();

/** Keeps a response's body (JSON text) for the request line to read its `result`. */
export function rememberBody(response: ServerResponse, body: string): void {
  answered.set(response, body.slice(0, 512));
}

/** `12:03:04` in UTC: the time a line was written. */
function clock(now: Date): string {
  return now.toISOString().slice(11, 19);
}

/** The `result` (webhook: applied, duplicate, stale, ignored...) or error `code` of a JSON answer, when it has one. */
function outcomeOf(body: string | undefined): string | null {
  if (body === undefined) return null;
  const match = /^\{"(?:result|error)":(?:"([a-z_]+)"|\{"code":"([a-z_]+)")/.exec(body);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

/** One request's line: when, method, path, status, the answer's result or error code, how long. */
export function requestLine(input: { at: Date; method: string; path: string; status: number; body?: string | undefined; ms: number }): string {
  const outcome = outcomeOf(input.body);
  return `${clock(input.at)} ${input.method} ${input.path} ${input.status}${outcome === null ? '' : ` ${outcome}`} ${Math.round(input.ms)} ms`;
}

/** Writes one line per finished request of `response` to `write`. */
export function logRequest(response: ServerResponse, request: { method: string; path: string }, write: (line: string) => void, now: () => Date = () => new Date()): void {
  const started = performance.now();
  response.once('finish', () => {
    write(requestLine({ at: now(), method: request.method, path: request.path, status: response.statusCode, body: answered.get(response), ms: performance.now() - started }));
  });
}

/** A scheduled sweep's line: `12:04:00 sweep: examined 3, flagged 1, cleared 0`. */
export function sweepLine(at: Date, result: { examined: number; flagged: number; cleared: number; skipped?: boolean }): string {
  return `${clock(at)} sweep${result.skipped ? ' skipped (another runs)' : `: examined ${result.examined}, flagged ${result.flagged}, cleared ${result.cleared}`}`;
}
