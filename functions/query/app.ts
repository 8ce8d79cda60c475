/**
 * The query API (CONTRACT §2, §9, §11) for API Gateway HTTP API events (payload v2):
 * GET /orders/{order_id}, GET /transactions/{transaction_id}, GET /redraws,
 * GET /follow-ups, GET /follow-ups/counts, GET /follow-ups/{follow_up_id}, GET /reports/redraws
 * and GET /me (the console's, CONTRACT §12). Read-only: the actions on
 * follow-ups are another function's (functions/follow-up-actions).
 *
 * On AWS the HTTP API names the route (`routeKey`, with `pathParameters`); the
 * local runtime sends `$default` events, routed here by method and path. Bad
 * input is a typed HttpError mapped to a 4xx in one place; anything else is a
 * generic 500 that never carries the error's message.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { TableClient } from '../store/table-client';
import * as z from 'zod/mini';
import { MAX_OWNER_LENGTH, Owner, type FollowUpAction, type FollowUpView } from '../core/follow-up';
import { toAppointmentAnswer, type Appointment, type AppointmentAnswer } from '../core/appointment';
import type { OrderRecord } from '../core/order-record';
import { toOrder, type Order, type StaleFlag } from '../core/order-view';
import { ResourceId } from '../core/schemas';
import type { TransactionStatus } from '../core/transaction-status';
import { parseReportWindow, type RedrawReport } from '../core/report';
import { readRedrawReport } from '../store/reports';
import { AGE_BUCKETS, QUEUES } from '../core/queues';
import { actorOf, RequestAuthorizer, withoutConsolePrefix, type ActorSource } from '../shared/actor';
import { readHistory } from '../store/follow-ups/history';
import { existingFollowUpIds, getFollowUp } from '../store/follow-ups/reads';
import { countFollowUps, FOLLOW_UP_LIST_STATES, followUpViews, listFollowUps } from '../store/follow-ups/worklist';
import { getAppointments, getOrderWithAppointment } from '../store/appointments';
import { listRedraws, type RedrawListState } from '../store/redraws';
import { readTransactionPartition } from '../store/transaction-partition';
import { SERVICES } from '../shared/metric-names';
import { errorName } from '../shared/observability';
import { decodeCursor, DEFAULT_CURSOR_SECRET, encodeCursor, isFollowUpPosition } from './cursor';

export const QUERY_SERVICE_NAME = SERVICES.query;

/**
 * An order as the API answers it: the contract's Order, its appointment (CONTRACT §10;
 * null when none is known) and the id of its follow-up, if one exists (CONTRACT §9).
 */
export type OrderAnswer = Order & { appointment: AppointmentAnswer | null; follow_up_id: string | null };

/** The contract's Transaction (CONTRACT §2), with its follow-up's id (§9). */
export interface Transaction {
  id: string;
  status: TransactionStatus;
  reported_status: string | null;
  /** Ascending created_at. */
  orders: OrderAnswer[];
  updated_at: string;
  follow_up_id: string | null;
}

/** GET /follow-ups/{follow_up_id}: the follow-up and its history, oldest first. */
export interface FollowUpAnswer {
  follow_up: FollowUpView;
  history: FollowUpAction[];
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

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
  /** Where the caller's actor comes from (GET /me, the Mine queue): the IAM identity on AWS (the default), the `x-redraw-actor` header locally. */
  actorSource?: ActorSource;
}

/** A client error, answered as `{"error":{"code","message"}}`. Messages never echo the input. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: 400 | 403 | 404 | 405,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type RouteName = 'order' | 'transaction' | 'redraws' | 'follow-ups' | 'follow-up-counts' | 'follow-up' | 'report' | 'me';

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
  { name: 'follow-ups', key: 'GET /follow-ups', path: /^\/follow-ups$/ },
  // Before /follow-ups/{follow_up_id}, which its path would match too (API Gateway prefers the literal route as well).
  { name: 'follow-up-counts', key: 'GET /follow-ups/counts', path: /^\/follow-ups\/counts$/ },
  { name: 'follow-up', key: 'GET /follow-ups/{follow_up_id}', path: /^\/follow-ups\/([^/]+)$/, param: 'follow_up_id' },
  { name: 'report', key: 'GET /reports/redraws', path: /^\/reports\/redraws$/ },
  { name: 'me', key: 'GET /me', path: /^\/me$/ },
];

interface Matched {
  name: RouteName;
  /** The raw (decoded) path parameter; validated by the route. */
  id: string | undefined;
}

function matchRoute(event: z.output<typeof QueryEvent>): Matched {
  if (event.routeKey !== undefined && event.routeKey !== '$default') {
    // The IAM routes, and the console's JWT routes under /api (CONTRACT §12): the same reads.
    const key = withoutConsolePrefix(event.routeKey);
    const route = ROUTES.find((candidate) => candidate.key === key);
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
const FollowUpListState = z.enum(FOLLOW_UP_LIST_STATES);
const Queue = z.enum(QUEUES);
const AgeBucket = z.enum(AGE_BUCKETS);

/** The id of an order's follow-up, if it had one: its transaction's id, or its own for an order without a transaction (CONTRACT §9). */
function followUpIdOf(record: Pick<OrderRecord, 'id' | 'transaction_id'>): string {
  return record.transaction_id ?? record.id;
}

/** The query API's handler, for API Gateway HTTP API (payload v2) events and the local runtime's. */
export function createQueryHandler(deps: QueryHandlerDeps): (event: QueryEvent) => Promise<QueryResponse> {
  const { db, tableName, logger } = deps;
  const cursorSecret = deps.cursorSecret ?? DEFAULT_CURSOR_SECRET;
  const now = deps.now ?? (() => new Date());

  /**
   * Orders as answered, each with its appointment and the id of its follow-up
   * when one exists: the follow-ups one read by key per distinct id, `alsoIds`
   * included (a transaction's own); the appointments given, or read with one
   * BatchGetItem per 100 orders (`consistent` or not), at the same time.
   */
  const orderAnswers = async (
    stored: readonly { record: OrderRecord; stale: StaleFlag | null }[],
    options: { alsoIds?: readonly string[]; appointments?: ReadonlyMap<string, Appointment>; consistent?: boolean } = {},
  ) => {
    const [existing, appointments] = await Promise.all([
      existingFollowUpIds(db, tableName, [...stored.map(({ record }) => followUpIdOf(record)), ...(options.alsoIds ?? [])], now()),
      options.appointments ?? getAppointments(db, tableName, stored.map(({ record }) => record.id), options.consistent ?? false),
    ]);
    const orders: OrderAnswer[] = stored.map(({ record, stale }) => {
      const id = followUpIdOf(record);
      return { ...toOrder(record, stale), appointment: toAppointmentAnswer(appointments.get(record.id) ?? null), follow_up_id: existing.has(id) ? id : null };
    });
    return { orders, existing };
  };

  const getOrderRoute = async (orderId: string) => {
    // The order and its appointment: one Query of the order's partition.
    const { order, appointment } = await getOrderWithAppointment(db, tableName, orderId);
    if (!order) throw new HttpError(404, 'not_found', 'no order with this id');
    const { orders } = await orderAnswers([order], { appointments: new Map(appointment ? [[orderId, appointment]] : []) });
    return { order: orders[0] };
  };

  const getTransactionRoute = async (transactionId: string) => {
    // Known once the transaction function has seen one of its orders (milliseconds after the webhook).
    const { transaction, orders } = await readTransactionPartition(db, tableName, transactionId);
    if (!transaction) {
      throw new HttpError(404, 'not_found', 'no transaction with this id yet: a transaction appears once its first order has been processed (a moment after that order\'s webhook)');
    }
    const answers = await orderAnswers(orders, { alsoIds: [transactionId], consistent: true });
    const answer: Transaction = {
      id: transactionId,
      status: transaction.status,
      reported_status: transaction.reported_status,
      orders: answers.orders,
      updated_at: transaction.updated_at,
      follow_up_id: answers.existing.has(transactionId) ? transactionId : null,
    };
    return { transaction: answer };
  };

  const listRedrawsRoute = async (query: Record<string, string | undefined>) => {
    const state = ListState.safeParse(query.state ?? 'open');
    if (!state.success) throw new HttpError(400, 'invalid_parameter', 'state must be "open" or "stale"');
    const limit = query.limit === undefined ? { success: true as const, data: DEFAULT_PAGE_SIZE } : PageSize.safeParse(query.limit);
    if (!limit.success) throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const decoded = query.cursor === undefined ? null : decodeCursor(query.cursor, cursorSecret);
    // A cursor of the other state (or of another list) would resume in the wrong partition.
    const from = decoded === null || isFollowUpPosition(decoded) ? null : decoded;
    if (query.cursor !== undefined && (from === null || from.state !== state.data)) {
      throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API gave for this state');
    }
    const page = await listRedraws(db, tableName, state.data satisfies RedrawListState, limit.data, from);
    return {
      items: (await orderAnswers(page.orders)).orders,
      next_cursor: page.next ? encodeCursor(page.next, cursorSecret) : null,
    };
  };

  /** The caller as the record names them (CONTRACT §9, §12); a refused header is a 400. */
  const callerOf = (event: z.output<typeof QueryEvent>): string => {
    const outcome = actorOf(event, deps.actorSource ?? 'iam');
    if (outcome.kind === 'refused') throw new HttpError(outcome.status, outcome.status === 403 ? 'forbidden' : 'invalid_request', outcome.message);
    return outcome.actor;
  };

  const listFollowUpsRoute = async (query: Record<string, string | undefined>, caller: () => string) => {
    const queue = query.queue === undefined ? { success: true as const, data: null } : Queue.safeParse(query.queue);
    if (!queue.success) throw new HttpError(400, 'invalid_parameter', `queue must be one of ${QUEUES.map((one) => `"${one}"`).join(', ')}`);
    const age = query.age === undefined ? { success: true as const, data: null } : AgeBucket.safeParse(query.age);
    if (!age.success) throw new HttpError(400, 'invalid_parameter', `age must be one of ${AGE_BUCKETS.map((one) => `"${one}"`).join(', ')}`);
    // A queue of closed ones lists closed ones unless a state says otherwise; every other queue, open ones.
    const state = FollowUpListState.safeParse(query.state ?? (queue.data === 'closed' ? 'closed' : 'open'));
    if (!state.success) throw new HttpError(400, 'invalid_parameter', `state must be one of ${FOLLOW_UP_LIST_STATES.map((one) => `"${one}"`).join(', ')}`);
    const owner = query.owner === undefined ? { success: true as const, data: null } : Owner.safeParse(query.owner);
    if (!owner.success) throw new HttpError(400, 'invalid_parameter', `owner must be a handle of 1-${MAX_OWNER_LENGTH} letters, digits and ._@:/+=,-`);
    const limit = query.limit === undefined ? { success: true as const, data: DEFAULT_PAGE_SIZE } : PageSize.safeParse(query.limit);
    if (!limit.success) throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const decoded = query.cursor === undefined ? null : decodeCursor(query.cursor, cursorSecret);
    // A cursor of /redraws, or of other filters, would resume somewhere else.
    const from = decoded !== null && isFollowUpPosition(decoded) ? decoded : null;
    const actor = queue.data === 'mine' ? caller() : null;
    if (
      query.cursor !== undefined &&
      (from === null || from.state !== state.data || from.owner !== owner.data || (from.queue ?? null) !== queue.data || (from.age ?? null) !== age.data || (from.actor ?? null) !== actor)
    ) {
      throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API gave for these filters (queue, state, owner, age) and caller');
    }
    const at = now();
    const page = await listFollowUps(db, tableName, { state: state.data, owner: owner.data, limit: limit.data, from, now: at, queue: queue.data, age: age.data, actor });
    return {
      items: await followUpViews(db, tableName, page.items, at),
      next_cursor: page.next ? encodeCursor(page.next, cursorSecret) : null,
    };
  };

  const getFollowUpRoute = async (id: string): Promise<FollowUpAnswer> => {
    const at = now();
    const stored = await getFollowUp(db, tableName, id, at);
    if (!stored) throw new HttpError(404, 'not_found', 'no follow-up with this id');
    const [view] = await followUpViews(db, tableName, [stored], at);
    if (view === undefined) throw new Error('no view of a stored follow-up');
    return { follow_up: view, history: await readHistory(db, tableName, id, at) };
  };

  /** GET /reports/redraws (CONTRACT §11): the window's rows and what is open now; never a Scan. */
  const reportRoute = async (query: Record<string, string | undefined>): Promise<RedrawReport> => {
    const at = now();
    const timeZone = deps.timeZone ?? 'UTC';
    const parsed = parseReportWindow({ from: query.from, to: query.to, weeks: query.weeks }, at, timeZone);
    if (parsed.kind === 'invalid') throw new HttpError(400, 'invalid_parameter', parsed.message);
    return readRedrawReport(db, tableName, { ...parsed.window, now: at, timeZone });
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
        case 'follow-ups':
          return json(200, await listFollowUpsRoute(event.queryStringParameters ?? {}, () => callerOf(event)));
        case 'follow-up-counts':
          return json(200, await countFollowUps(db, tableName, callerOf(event), now()));
        case 'me':
          return json(200, { actor: callerOf(event) });
        case 'follow-up':
          return json(200, await getFollowUpRoute(resourceId(route.id, 'follow_up_id')));
        case 'report':
          return json(200, await reportRoute(event.queryStringParameters ?? {}));
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
