/**
 * The query API (CONTRACT §2) for API Gateway HTTP API events (payload v2):
 * GET /orders/{order_id}, GET /transactions/{transaction_id} and GET /redraws.
 *
 * On AWS the HTTP API names the route (`routeKey`, with `pathParameters`); the
 * local runtime sends `$default` events, routed here by method and path. Bad
 * input is a typed HttpError mapped to a 4xx in one place; anything else is a
 * generic 500 that never carries the error's message.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { TableClient } from '../store/table-client';
import * as z from 'zod/mini';
import { toOrder, type Order } from '../core/order-view';
import { ResourceId } from '../core/schemas';
import type { TransactionStatus } from '../core/transaction-status';
import { getOrder } from '../store/order-reads';
import { listRedraws, type RedrawListState } from '../store/redraws';
import { readTransactionPartition } from '../store/transaction-partition';
import { SERVICES } from '../shared/metric-names';
import { errorName } from '../shared/observability';
import { decodeCursor, DEFAULT_CURSOR_SECRET, encodeCursor } from './cursor';

export const QUERY_SERVICE_NAME = SERVICES.query;

/** The contract's Transaction (CONTRACT §2). */
export interface Transaction {
  id: string;
  status: TransactionStatus;
  reported_status: string | null;
  /** Ascending created_at. */
  orders: Order[];
  updated_at: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** The parts of an HTTP API (payload v2) event the query API reads. */
const QueryEvent = z.object({
  routeKey: z.optional(z.string()),
  rawPath: z.string(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
  pathParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  queryStringParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
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
}

/** A client error, answered as `{"error":{"code","message"}}`. Messages never echo the input. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: 400 | 404 | 405,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type RouteName = 'order' | 'transaction' | 'redraws';

interface RouteSpec {
  name: RouteName;
  /** The HTTP API's route key on AWS. */
  key: string;
  path: RegExp;
  /** Name of the path parameter, if the route has one. */
  param?: string;
}

const ROUTES: readonly RouteSpec[] = [
  { name: 'order', key: 'GET /orders/{order_id}', path: /^\/orders\/([^/]+)$/, param: 'order_id' },
  { name: 'transaction', key: 'GET /transactions/{transaction_id}', path: /^\/transactions\/([^/]+)$/, param: 'transaction_id' },
  { name: 'redraws', key: 'GET /redraws', path: /^\/redraws$/ },
];

interface Matched {
  name: RouteName;
  /** The raw (decoded) path parameter; validated by the route. */
  id: string | undefined;
}

function matchRoute(event: z.output<typeof QueryEvent>): Matched {
  if (event.routeKey !== undefined && event.routeKey !== '$default') {
    const route = ROUTES.find((candidate) => candidate.key === event.routeKey);
    if (!route) throw new HttpError(404, 'route_not_found', 'no such route');
    return { name: route.name, id: route.param ? event.pathParameters?.[route.param] : undefined };
  }
  const method = event.requestContext.http.method.toUpperCase();
  for (const route of ROUTES) {
    const match = route.path.exec(event.rawPath);
    if (!match) continue;
    if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'only GET is allowed here', { allow: 'GET' });
    return { name: route.name, id: match[1] === undefined ? undefined : decodePathSegment(match[1]) };
  }
  throw new HttpError(404, 'route_not_found', 'no such route');
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_parameter', 'the path is not valid percent-encoding');
  }
}

function resourceId(value: string | undefined, name: string): string {
  const parsed = ResourceId.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'invalid_parameter', `${name} must be 1-128 letters, digits, "-" or "_"`);
  return parsed.data;
}

const PageSize = z.pipe(z.pipe(z.string().check(z.regex(/^[0-9]{1,3}$/)), z.transform(Number)), z.int().check(z.minimum(1), z.maximum(MAX_PAGE_SIZE)));
const ListState = z.enum(['open', 'stale']);

/** The query API's handler, for API Gateway HTTP API (payload v2) events and the local runtime's. */
export function createQueryHandler(deps: QueryHandlerDeps): (event: QueryEvent) => Promise<QueryResponse> {
  const { db, tableName, logger } = deps;
  const cursorSecret = deps.cursorSecret ?? DEFAULT_CURSOR_SECRET;

  const getOrderRoute = async (orderId: string) => {
    const stored = await getOrder(db, tableName, orderId);
    if (!stored) throw new HttpError(404, 'not_found', 'no order with this id');
    return { order: toOrder(stored.record, stored.stale) };
  };

  const getTransactionRoute = async (transactionId: string) => {
    // Known once the transaction function has seen one of its orders (milliseconds after the webhook).
    const { transaction, orders } = await readTransactionPartition(db, tableName, transactionId);
    if (!transaction) {
      throw new HttpError(404, 'not_found', 'no transaction with this id yet: a transaction appears once its first order has been processed (a moment after that order\'s webhook)');
    }
    const answer: Transaction = {
      id: transactionId,
      status: transaction.status,
      reported_status: transaction.reported_status,
      orders: orders.map((stored) => toOrder(stored.record, stored.stale)),
      updated_at: transaction.updated_at,
    };
    return { transaction: answer };
  };

  const listRedrawsRoute = async (query: Record<string, string | undefined>) => {
    const state = ListState.safeParse(query.state ?? 'open');
    if (!state.success) throw new HttpError(400, 'invalid_parameter', 'state must be "open" or "stale"');
    const limit = query.limit === undefined ? { success: true as const, data: DEFAULT_PAGE_SIZE } : PageSize.safeParse(query.limit);
    if (!limit.success) throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const from = query.cursor === undefined ? null : decodeCursor(query.cursor, cursorSecret);
    // A cursor of the other state would resume in the wrong partition.
    if (query.cursor !== undefined && (from === null || from.state !== state.data)) {
      throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API gave for this state');
    }
    const page = await listRedraws(db, tableName, state.data satisfies RedrawListState, limit.data, from);
    return {
      items: page.orders.map((stored) => toOrder(stored.record, stored.stale)),
      next_cursor: page.next ? encodeCursor(page.next, cursorSecret) : null,
    };
  };

  return async (rawEvent) => {
    try {
      const parsed = QueryEvent.safeParse(rawEvent);
      if (!parsed.success) throw new Error('not an HTTP API payload v2 event');
      const event = parsed.data;
      const route = matchRoute(event);
      switch (route.name) {
        case 'order':
          return json(200, await getOrderRoute(resourceId(route.id, 'order_id')));
        case 'transaction':
          return json(200, await getTransactionRoute(resourceId(route.id, 'transaction_id')));
        case 'redraws':
          return json(200, await listRedrawsRoute(event.queryStringParameters ?? {}));
      }
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

/** The latest of some ISO instants (compared in canonical form), as given. */
