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

/** GET of an API path (`/follow-ups?queue=mine`, relative to config.json's API base); resolves to the parsed JSON of a 2xx, rejects with ApiError otherwise. */
export type Get = (path: string) => Promise<unknown>;

/** What the shell gives each page. */
export interface PageProps {
  get: Get;
  /** The query of the page's hash route (`/#/report?from=...` gives from=...). */
  search: URLSearchParams;
  /** Goes to another hash route, e.g. navigate('/worklist?queue=open&age=8_14'). */
  navigate(route: string): void;
}
