/**
 * The Junction API client (CONTRACT §6, §9): node's `fetch` and the project's own zod
 * schemas. Chosen over Junction's official `@junction-api/sdk` 1.3.0, which is
 * proprietary-licensed and, for one `getOrder` call, bundles to 523 KB and
 * imports in about 55 ms (measured for issue 12); three GET endpoints need no
 * more than this file, and validating with our schemas keeps one definition of
 * an order for webhooks and API answers alike (and strips PHI at the edge).
 *
 * Expected failures are values (`JunctionOutcome`), never exceptions: 404 is
 * `not_found`; 401/403 `unauthorized` (a configuration error, never retried);
 * timeouts, network errors, 429 and 5xx are retried at most `maxRetries` times,
 * honouring `Retry-After` (capped), then `unavailable`; a 2xx that is not JSON or
 * not the expected shape is `invalid_answer`. Reasons name status codes and field
 * paths only: never the API key, never a value from an answer (PHI).
 *
 * `withDeadline` bounds the whole of each request (attempts and waits): one
 * request can otherwise take 3 attempts of 10 s and two `Retry-After` waits of
 * 30 s, 90 s in all, longer than a caller's reserve of time.
 *
 * Deliberately free of Powertools and the AWS SDK: it is bundled into Lambdas.
 */
import type * as z from 'zod/mini';
import { OrderPayload } from '../core/schemas';
import { countMissingResults } from '../core/missing-results';
import type { JunctionApi, JunctionFailure, JunctionOrdersPage, JunctionOutcome, JunctionTransaction, ListOrdersQuery, ResultsOutcome } from './api';
import { describeIssues, LabResultsAnswer, OrdersPageAnswer, TransactionAnswer } from './schemas';
import { attempt, pathSegment, transportOf, type Attempted, type JunctionClientOptions, type Transport } from './transport';
import { retryAfterMs } from '../shared/retry-after';

export type { Attempted, JunctionClientOptions } from './transport';

/** Junction's page size limit for `GET /v3/orders`. */
export const MAX_PAGE_SIZE = 100;

/**
 * The least time an attempt is started with: a request that cannot be answered
 * in this long before the deadline is not worth starting.
 */
export const MIN_ATTEMPT_MS = 1_000;

export function createJunctionClient(options: JunctionClientOptions): JunctionApi {
  return boundedClient(options, null);
}

/** The client, its requests bounded by `deadline` (epoch ms on `options.now`'s clock) when one is given. */
function boundedClient(options: JunctionClientOptions, deadline: number | null): JunctionApi {
  const transport = transportOf(options, deadline);
  return {
    getOrder(orderId) {
      const id = pathSegment(orderId);
      if (id === null) return Promise.resolve({ kind: 'not_found' });
      return getWithRetry(transport, `/v3/order/${id}`, readOrder(orderId));
    },

    getTransaction(transactionId) {
      const id = pathSegment(transactionId);
      if (id === null) return Promise.resolve({ kind: 'not_found' });
      return getWithRetry(transport, `/v3/order_transaction/${id}`, readTransaction(transactionId));
    },

    listOrders(query: ListOrdersQuery) {
      return getWithRetry(transport, ordersPath(query), readOrdersPage(query));
    },

    getMissingResults(orderId) {
      const id = pathSegment(orderId);
      if (id === null) return Promise.resolve({ kind: 'never', reason: 'not an order id' });
      return getResults(transport, `/v3/order/${id}/result`);
    },

    // A deadline replaces the one before (the earlier is the caller's to keep).
    withDeadline: (atEpochMs) => boundedClient(options, atEpochMs),
  };
}

/**
 * What an attempt's result means: the outcome, or a failure worth retrying, its
 * reason and the wait its `Retry-After` asks for (capped; null: none asked).
 */
export function verdictOf<T>(
  result: Attempted,
  read: (json: unknown) => JunctionOutcome<T>,
  transport: Pick<Transport, 'now' | 'maxRetryAfterMs'>,
): { outcome: JunctionOutcome<T> } | { reason: string; askedWaitMs: number | null } {
  if ('failed' in result) return { reason: result.failed, askedWaitMs: null };
  if (result.text !== null) {
    let json: unknown;
    try {
      json = JSON.parse(result.text);
    } catch {
      return { outcome: { kind: 'invalid_answer', reason: 'body is not valid JSON' } };
    }
    return { outcome: read(json) };
  }
  if (result.status === 401 || result.status === 403) return { outcome: { kind: 'unauthorized', status: result.status } };
  if (result.status === 404) return { outcome: { kind: 'not_found' } };
  if (result.status === 429 || result.status >= 500) {
    const asked = retryAfterMs(result.retryAfter, transport.now());
    return { reason: `status ${result.status}`, askedWaitMs: asked === null ? null : Math.min(asked, transport.maxRetryAfterMs) };
  }
  // 3xx, 400, 422, ...: a retry would get the same answer.
  return { outcome: { kind: 'unavailable', reason: `unexpected status ${result.status}` } };
}

/** GET with the bounded retry; `read` turns a 2xx body into the outcome. */
async function getWithRetry<T>(transport: Transport, path: string, read: (json: unknown) => JunctionOutcome<T>): Promise<JunctionOutcome<T>> {
  const url = `${transport.base}${path}`;
  for (let attemptNo = 0; ; attemptNo++) {
    const left = transport.timeLeft();
    // Only reached before a first attempt (a retry's wait is checked below): nothing was asked.
    if (left < MIN_ATTEMPT_MS) return { kind: 'unavailable', reason: 'deadline reached before the request', deadline: true };
    const verdict = verdictOf(await attempt(transport, url, Math.min(transport.timeoutMs, left)), read, transport);
    if ('outcome' in verdict) return verdict.outcome;
    const { reason } = verdict;
    const waitMs = verdict.askedWaitMs ?? transport.backoffMs * 2 ** attemptNo;
    if (attemptNo >= transport.maxRetries) return { kind: 'unavailable', reason: `${reason} (${attemptNo + 1} attempts)` };
    // A wait is worth it only if a useful attempt still fits after it.
    if (transport.timeLeft() < waitMs + MIN_ATTEMPT_MS) {
      return { kind: 'unavailable', reason: `${reason} (${attemptNo + 1} attempts; the deadline leaves no time to wait ${waitMs} ms and retry)`, deadline: true };
    }
    await transport.sleep(waitMs);
  }
}

/**
 * GET of an order's results (CONTRACT §9) with the same bounded retry, answered
 * as the sweep's record of wanted results needs it (ResultsOutcome): a
 * `Retry-After` longer than the client's cap is handed back at once, whole (the
 * sweep reads again after it instead of asking sooner than Junction said), and
 * any 4xx but 429 is `never`. A malformed answer is not retried here: the sweep's
 * backoff reads it again later.
 */
async function getResults(transport: Transport, path: string): Promise<ResultsOutcome> {
  const url = `${transport.base}${path}`;
  for (let attemptNo = 0; ; attemptNo++) {
    const left = transport.timeLeft();
    if (left < MIN_ATTEMPT_MS) return { kind: 'retry', reason: 'deadline reached before the request', retryAfterMs: null, deadline: true };
    const verdict = resultsVerdictOf(await attempt(transport, url, Math.min(transport.timeoutMs, left)), transport.now());
    if ('outcome' in verdict) return verdict.outcome;
    const { reason, askedWaitMs } = verdict;
    if (askedWaitMs !== null && askedWaitMs > transport.maxRetryAfterMs) return { kind: 'retry', reason: `${reason} (Retry-After beyond ${transport.maxRetryAfterMs} ms)`, retryAfterMs: askedWaitMs };
    const waitMs = askedWaitMs ?? transport.backoffMs * 2 ** attemptNo;
    if (attemptNo >= transport.maxRetries) return { kind: 'retry', reason: `${reason} (${attemptNo + 1} attempts)`, retryAfterMs: askedWaitMs };
    if (transport.timeLeft() < waitMs + MIN_ATTEMPT_MS) {
      return { kind: 'retry', reason: `${reason} (${attemptNo + 1} attempts; the deadline leaves no time to wait ${waitMs} ms and retry)`, retryAfterMs: askedWaitMs, deadline: true };
    }
    await transport.sleep(waitMs);
  }
}

/** What an attempt at an order's results means: the outcome, or a failure worth retrying and the wait its `Retry-After` asks for (uncapped; null: none). */
export function resultsVerdictOf(result: Attempted, nowMs: number): { outcome: ResultsOutcome } | { reason: string; askedWaitMs: number | null } {
  if ('failed' in result) return { reason: result.failed, askedWaitMs: null };
  if (result.text !== null) return { outcome: readResults(result.text) };
  if (result.status === 401 || result.status === 403) return { outcome: { kind: 'unauthorized', status: result.status } };
  if (result.status === 429 || result.status >= 500) return { reason: `status ${result.status}`, askedWaitMs: retryAfterMs(result.retryAfter, nowMs) };
  // 422 (documented: an order without results), 404, any other 4xx, 3xx: a retry would get the same answer.
  return { outcome: { kind: 'never', reason: `status ${result.status}` } };
}

/** A 2xx body of the results route, counted; the schema keeps nothing but the failure types (PHI is dropped at parse time). */
function readResults(text: string): ResultsOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'retry', reason: 'body is not valid JSON', retryAfterMs: null, invalidAnswer: true };
  }
  const answer = LabResultsAnswer.safeParse(json);
  if (!answer.success) return { kind: 'retry', reason: `results: ${describeIssues(answer.error)}`, retryAfterMs: null, invalidAnswer: true };
  return { kind: 'ok', value: countMissingResults(answer.data.missing_results) };
}

/** GET /v3/order/{order_id}'s answer: the order requested, in our schema. */
function readOrder(orderId: string): (json: unknown) => JunctionOutcome<OrderPayload> {
  return (json) => {
    const order = OrderPayload.safeParse(json);
    if (!order.success) return invalid('order', order.error);
    if (!sameId(order.data.id, orderId)) return { kind: 'invalid_answer', reason: 'order: id is not the one requested' };
    return { kind: 'ok', value: order.data };
  };
}

/** GET /v3/order_transaction/{transaction_id}'s answer: the transaction requested. */
function readTransaction(transactionId: string): (json: unknown) => JunctionOutcome<JunctionTransaction> {
  return (json) => {
    const answer = TransactionAnswer.safeParse(json);
    if (!answer.success) return invalid('transaction', answer.error);
    if (!sameId(answer.data.id, transactionId)) return { kind: 'invalid_answer', reason: 'transaction: id is not the one requested' };
    return { kind: 'ok', value: { id: answer.data.id, status: answer.data.status ?? null, orders: answer.data.orders } };
  };
}

/** GET /v3/orders's path and query string; a RangeError for a page or size Junction would refuse. */
function ordersPath(query: ListOrdersQuery): string {
  if (!Number.isInteger(query.page) || query.page < 1) throw new RangeError('page must be an integer from 1');
  if (!Number.isInteger(query.size) || query.size < 1 || query.size > MAX_PAGE_SIZE) throw new RangeError(`size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  const params = new URLSearchParams({ page: String(query.page), size: String(query.size) });
  if (query.updatedStart !== undefined) params.set('updated_start_date', query.updatedStart);
  if (query.updatedEnd !== undefined) params.set('updated_end_date', query.updatedEnd);
  if (query.orderKey !== undefined) params.set('order_key', query.orderKey);
  if (query.orderDirection !== undefined) params.set('order_direction', query.orderDirection);
  return `/v3/orders?${params}`;
}

/** A page of GET /v3/orders: the orders our schema reads, and how many it could not. */
function readOrdersPage(query: ListOrdersQuery): (json: unknown) => JunctionOutcome<JunctionOrdersPage> {
  return (json) => {
    const answer = OrdersPageAnswer.safeParse(json);
    if (!answer.success) return invalid('orders page', answer.error);
    const orders: z.output<typeof OrderPayload>[] = [];
    let invalidCount = 0;
    for (const candidate of answer.data.orders) {
      const order = OrderPayload.safeParse(candidate);
      if (order.success) orders.push(order.data);
      else invalidCount++;
    }
    return {
      kind: 'ok',
      value: { orders, invalid: invalidCount, page: answer.data.page ?? query.page, size: answer.data.size ?? query.size, total: answer.data.total ?? null },
    };
  };
}


/** Junction's ids are UUIDs, which compare without regard to case. */
function sameId(answered: string, requested: string): boolean {
  return answered.toLowerCase() === requested.toLowerCase();
}

function invalid(what: string, error: z.core.$ZodError): JunctionFailure {
  return { kind: 'invalid_answer', reason: `${what}: ${describeIssues(error)}` };
}
