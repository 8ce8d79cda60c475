/**
 * What the tracker needs from Junction's API (CONTRACT §6), as typed outcomes:
 * the expected failures (not found, unauthorized, unavailable, invalid answer)
 * are values, not exceptions. The HTTP client (client.ts) implements it; the
 * sweep, the backfill and the tests depend on this interface only.
 */
import type { MissingResultsCounts } from '../core/missing-results';
import type { OrderPayload, ListedOrder } from '../core/schemas';

/** Why a request gave no usable answer. */
export type JunctionFailure =
  /** 404: the resource does not exist (for this team). */
  | { kind: 'not_found' }
  /** 401 or 403: the API key is wrong or lacks access. A configuration error: never retried. */
  | { kind: 'unauthorized'; status: 401 | 403 }
  /**
   * Timeout, network error, 429 or 5xx after the bounded retries. `deadline`:
   * the client's deadline (withDeadline) cut the retries short, or left no time
   * for a first attempt; the reason says so.
   */
  | { kind: 'unavailable'; reason: string; deadline?: true }
  /** A 2xx whose body is not JSON or not the expected shape (reason names fields, never values). */
  | { kind: 'invalid_answer'; reason: string };

export type JunctionOutcome<T> = { kind: 'ok'; value: T } | JunctionFailure;

/** `GET /v3/order_transaction/{id}`, read with the project's schemas. */
export interface JunctionTransaction {
  id: string;
  status: string | null;
  orders: ListedOrder[];
}

/** One page of `GET /v3/orders`. */
export interface JunctionOrdersPage {
  orders: OrderPayload[];
  /** Orders on this page that failed validation (counted, never logged with their content). */
  invalid: number;
  page: number;
  size: number;
  total: number | null;
}

export interface ListOrdersQuery {
  /** From 1. */
  page: number;
  /** 1..100. */
  size: number;
  /** ISO date-times (UTC), inclusive. */
  updatedStart?: string;
  updatedEnd?: string;
  /** `order_key`: a sort that never changes for an order (`created_at`) keeps offset pages stable but for orders leaving the filter. */
  orderKey?: 'created_at' | 'patient_name' | 'last_status';
  orderDirection?: 'asc' | 'desc';
}

/**
 * What a read of an order's results (`GET /v3/order/{order_id}/result`) gave
 * (CONTRACT §9): the counts; `retry` for what may succeed later (a timeout, a
 * network error, 429 or 5xx after the bounded retries, a malformed answer),
 * with the wait a `Retry-After` asked for that the client did not wait itself
 * (longer than its cap, or none: null); `never` for an answer that a retry
 * would only repeat (422, 404, any other 4xx but 429: a failed kit may have no
 * results); `unauthorized` as for any read. Reasons name statuses and field
 * paths, never a value of the answer (PHI).
 */
export type ResultsOutcome =
  | { kind: 'ok'; value: MissingResultsCounts }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null; invalidAnswer?: true; deadline?: true }
  | { kind: 'never'; reason: string }
  | { kind: 'unauthorized'; status: 401 | 403 };

export interface JunctionApi {
  getOrder(orderId: string): Promise<JunctionOutcome<OrderPayload>>;
  /** An order's missing results, counted (nothing else of the answer is kept). */
  getMissingResults(orderId: string): Promise<ResultsOutcome>;
  getTransaction(transactionId: string): Promise<JunctionOutcome<JunctionTransaction>>;
  listOrders(query: ListOrdersQuery): Promise<JunctionOutcome<JunctionOrdersPage>>;
  /**
   * The same API with every request bounded by `atEpochMs` (on the client's own
   * clock): it never starts an attempt, or a `Retry-After`/backoff wait, that
   * cannot end before then (an attempt's timeout is the smaller of its own and
   * the time left); what it could not do is `unavailable` with `deadline: true`.
   * A caller that must keep time for other work (the sweep's stale rules) gives
   * Junction a deadline instead of hoping one request stays short.
   */
  withDeadline(atEpochMs: number): JunctionApi;
}
