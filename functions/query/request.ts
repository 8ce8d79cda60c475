/**
 * What a route of the query API is given (the table and clock it reads, the
 * request's path parameter, query string and caller) and how it refuses: a
 * typed HttpError, mapped to a 4xx in the one error boundary of
 * functions/query/app.ts. Also the parameter checks the routes share.
 */
import type { FhirSystems } from '../core/fhir/task';
import * as z from 'zod/mini';
import { ResourceId } from '../core/schemas';
import type { PscApi } from '../junction/psc';
import type { TableClient } from '../store/table-client';

/** What every route reads with, fixed when the handler is created. */
export interface QueryContext {
  db: TableClient;
  tableName: string;
  /** Key of the cursors' integrity tag. */
  cursorSecret: string;
  /** The clock of follow-ups' states and of reports. */
  now: () => Date;
  /** The zone whose days and weeks a report's dates are (CONTRACT §11). */
  timeZone: string;
  /** The FHIR server the follow-ups' Tasks go to (CONTRACT §13), or null when FHIR is off. */
  fhir: { baseUrl: string; systems: FhirSystems } | null;
  /** Junction's PSC client for the key set now (CONTRACT §14), null while none is; null: no Junction settings at all. */
  psc: (() => Promise<PscApi | null>) | null;
  /** What the function keeps between invocations: Junction's cancellation reasons (at most an hour). */
  kept: { reasons: { psc: PscApi; at: number; items: { id: string; name: string; is_refundable: boolean }[] } | null };
}

/** One request as a route sees it. */
export interface RouteRequest {
  /** The raw (decoded) path parameter, if the route has one; validated by the route. */
  id: string | undefined;
  query: Record<string, string | undefined>;
  /** The caller as the record names them (CONTRACT §9, §12); throws the HttpError of a refused identity. */
  caller: () => string;
  /** A console user's verified token scopes; null for a request that is not the console's. */
  scopes: readonly string[] | null;
  /** The time the function has left (Lambda's; unbounded locally). */
  remainingMs: () => number;
}

/** A route: its answer's body (a 200), or a thrown HttpError. */
export type RouteHandler = (context: QueryContext, request: RouteRequest) => Promise<unknown>;

/** A client error, answered as `{"error":{"code","message"}}`. Messages never echo the input. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 405 | 409 | 502,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const PageSize = z.pipe(z.pipe(z.string().check(z.regex(/^[0-9]{1,3}$/)), z.transform(Number)), z.int().check(z.minimum(1), z.maximum(MAX_PAGE_SIZE)));

/** A path parameter as an id of the contract; a 400 otherwise. */
export function resourceId(value: string | undefined, name: string): string {
  const parsed = ResourceId.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'invalid_parameter', `${name} must be 1-128 letters, digits, "-" or "_"`);
  return parsed.data;
}

/** The `limit` of a list: DEFAULT_PAGE_SIZE when absent, a 400 when not an integer from 1 to MAX_PAGE_SIZE. */
export function pageSize(limit: string | undefined): number {
  const parsed = limit === undefined ? { success: true as const, data: DEFAULT_PAGE_SIZE } : PageSize.safeParse(limit);
  if (!parsed.success) throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return parsed.data;
}
