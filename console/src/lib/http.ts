/**
 * What every page of the console gets from the shell (console/src/main.tsx):
 * a way to read the API and the page's own URL state. Pure types and one
 * error class; no DOM, so the unit tests import it too.
 */

/** An answer of the API other than 2xx: its status, its `error.code` and message, and the whole body (a 409 carries the current follow-up). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/**
 * How long the console waits for an answer of the API (a read or an action, the
 * body included) before it gives up: 35 s, above CloudFront's 30 s origin
 * response timeout, so that on AWS a slow API is CloudFront's own 504 first and
 * this only ends a connection that stalled with nothing coming back.
 */
export const REQUEST_TIMEOUT_MS = 35_000;

/** Seconds in words: 35_000 gives "35", 1_500 gives "1.5". */
export function secondsWords(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * No answer within the timeout: the request was abandoned and is never sent
 * again by the console. A POST may have been applied all the same (it may have
 * reached the tracker and only its answer been lost).
 */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
  constructor(
    readonly method: 'GET' | 'POST',
    readonly timeoutMs: number,
  ) {
    super(
      method === 'POST'
        ? `No answer in ${secondsWords(timeoutMs)} s: the action may or may not have been applied; reload the follow-up to see`
        : `No answer from the tracker in ${secondsWords(timeoutMs)} s`,
    );
  }
}

/** GET of an API path (`/follow-ups?queue=mine`, relative to config.json's API base); resolves to the parsed JSON of a 2xx, rejects with ApiError otherwise, or NoAnswerError after REQUEST_TIMEOUT_MS. */
export type Get = (path: string) => Promise<unknown>;

/** What the shell gives each page. */
export interface PageProps {
  get: Get;
  /** The query of the page's hash route (`/#/report?from=...` gives from=...). */
  search: URLSearchParams;
  /** Goes to another hash route, e.g. navigate('/worklist?queue=open&age=8_14'). */
  navigate(route: string): void;
}
