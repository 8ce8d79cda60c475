/**
 * The query API (CONTRACT §2, §9, §11) for API Gateway HTTP API events (payload v2):
 * GET /orders/{order_id}, GET /transactions/{transaction_id}, GET /redraws,
 * GET /follow-ups, GET /follow-ups/counts, GET /follow-ups/{follow_up_id} and its /stamp, GET /reports/redraws,
 * GET /me (the console's, CONTRACT §12), and the booking's reads (CONTRACT §14):
 * GET /follow-ups/{follow_up_id}/booking/sites, .../booking/slots and GET /booking/cancellation-reasons. Read-only: the actions on
 * follow-ups are another function's (functions/follow-up-actions).
 *
 * A table of named routes (route-table.ts picks one; order-routes.ts,
 * follow-up-routes.ts and report-route.ts answer). Bad input is a typed
 * HttpError mapped to a 4xx in one place, here; anything else is a generic 500
 * that never carries the error's message.
 */
import type { FhirSystems } from '../core/fhir/task';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import type { AccessTokens } from '../shared/access-token';
import { actorOf, identify, isConsoleRequest, RequestAuthorizer, type ActorOutcome, type ActorSource } from '../shared/actor';
import { SERVICES } from '../shared/metric-names';
import { errorName } from '../shared/observability';
import type { TableClient } from '../store/table-client';
import type { PscApi } from '../junction/psc';
import { DEFAULT_CURSOR_SECRET } from './cursor';
import { followUpCountsRoute, followUpRoute, followUpsRoute, followUpStampRoute, meRoute } from './follow-up-routes';
import { orderRoute, redrawsRoute, transactionRoute } from './order-routes';
import { reportRoute } from './report-route';
import { HttpError, type QueryContext, type RouteHandler } from './request';
import { matchRoute, type RouteName } from './route-table';

export const QUERY_SERVICE_NAME = SERVICES.query;

/** The parts of an HTTP API (payload v2) event the query API reads. */
const QueryEvent = z.object({
  routeKey: z.optional(z.string()),
  rawPath: z.string(),
  pathParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  queryStringParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  headers: z.nullish(z.record(z.string(), z.optional(z.string()))),
  requestContext: z.object({
    http: z.object({ method: z.string() }),
    authorizer: RequestAuthorizer,
  }),
});
export type QueryEvent = z.input<typeof QueryEvent>;

export interface QueryResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface QueryHandlerDeps {
  db: TableClient;
  tableName: string;
  logger: Pick<Logger, 'error'>;
  /** Key of the cursors' integrity tag (CURSOR_SECRET); DEFAULT_CURSOR_SECRET when absent. */
  cursorSecret?: string;
  /** The clock of follow-ups' states (a snooze ends at its time); the system clock when absent. */
  now?: () => Date;
  /** DIGEST_TIMEZONE: the zone whose days and Monday-to-Sunday weeks a report's dates are (CONTRACT §11); UTC when absent. */
  timeZone?: string;
  /** FHIR_BASE_URL and the Task's systems (CONTRACT §13): GET /follow-ups/{id} answers its Task's state; absent or null, `fhir` is null. */
  fhir?: { baseUrl: string; systems: FhirSystems } | null;
  /** Where the caller's actor comes from (GET /me, the Mine queue): the IAM identity on AWS (the default), the `x-redraw-actor` header locally. */
  actorSource?: ActorSource;
  /** The console's access tokens (CONTRACT §12); null or absent: no console, every console route is 401. */
  accessTokens?: AccessTokens | null;
  /** Junction's PSC client for the key set now (CONTRACT §14), null while none is; absent: the booking routes answer 409 not_bookable. */
  psc?: (() => Promise<PscApi | null>) | null;
}

/** Lambda's context, as far as the routes need it. */
export interface QueryInvocation {
  getRemainingTimeInMillis(): number;
}

/** What answers each route. */
const ROUTE_HANDLERS: Record<RouteName, RouteHandler> = {
  order: orderRoute,
  transaction: transactionRoute,
  redraws: redrawsRoute,
  'follow-ups': followUpsRoute,
  'follow-up-counts': followUpCountsRoute,
  'follow-up': followUpRoute,
  'follow-up-stamp': followUpStampRoute,
  report: reportRoute,
  me: meRoute,
  // A chunk of their own, loaded on first use (CONTRACT §14): a cold start of the other routes does not pay for them.
  'booking-sites': async (context, request) => (await import('./booking-routes')).bookingSitesRoute(context, request),
  'booking-slots': async (context, request) => (await import('./booking-routes')).bookingSlotsRoute(context, request),
  'cancellation-reasons': async (context, request) => (await import('./booking-routes')).cancellationReasonsRoute(context, request),
};

/** The query API's handler, for API Gateway HTTP API (payload v2) events and the local runtime's. */
export function createQueryHandler(deps: QueryHandlerDeps): (event: QueryEvent, invocation?: QueryInvocation) => Promise<QueryResponse> {
  const { logger } = deps;
  const context: QueryContext = {
    db: deps.db,
    tableName: deps.tableName,
    cursorSecret: deps.cursorSecret ?? DEFAULT_CURSOR_SECRET,
    now: deps.now ?? (() => new Date()),
    timeZone: deps.timeZone ?? 'UTC',
    fhir: deps.fhir ?? null,
    psc: deps.psc ?? null,
    kept: { reasons: null },
  };

  const source = deps.actorSource ?? 'iam';
  const refusal = (outcome: Extract<ActorOutcome, { kind: 'refused' }>) => new HttpError(outcome.status, outcome.code, outcome.message);

  /**
   * The caller as the record names them (CONTRACT §9, §12). A console request
   * is answered only for the user of a valid access token, whatever it reads
   * (a 401 otherwise); other requests name their caller only when a route asks
   * (a refused header is a 400, an IAM route without an ARN a 403).
   */
  const callerOf = async (event: z.output<typeof QueryEvent>): Promise<{ caller: () => string; scopes: readonly string[] | null }> => {
    if (isConsoleRequest(event, source)) {
      const outcome = await identify(event, source, deps.accessTokens ?? null);
      if (outcome.kind === 'refused') throw refusal(outcome);
      return { caller: () => outcome.actor, scopes: outcome.scopes };
    }
    const caller = () => {
      const outcome = actorOf(event, source);
      if (outcome.kind === 'refused') throw refusal(outcome);
      return outcome.actor;
    };
    return { caller, scopes: null };
  };

  return async (rawEvent, invocation) => {
    try {
      const parsed = QueryEvent.safeParse(rawEvent);
      if (!parsed.success) throw new Error('not an HTTP API payload v2 event');
      const event = parsed.data;
      const route = matchRoute(event);
      const remainingMs = () => invocation?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
      const request = { id: route.id, query: event.queryStringParameters ?? {}, ...(await callerOf(event)), remainingMs };
      return json(200, await ROUTE_HANDLERS[route.name](context, request));
    } catch (error) {
      if (error instanceof HttpError) {
        return json(error.statusCode, { error: { code: error.code, message: error.message } }, error.headers);
      }
      logger.error('query failed', { error: errorName(error) });
      return json(500, { error: { code: 'internal_error', message: 'internal error' } });
    }
  };
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): QueryResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
