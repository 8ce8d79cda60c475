/**
 * One sweep's conversation with Junction's API (CONTRACT §6): reads orders and
 * transactions, applies what they say through the store's one write path, and
 * keeps the sweep safe from Junction's failures.
 *
 * - Each order and transaction is read at most once per sweep (later asks get the
 *   first answer): a member whose answer is not newer is not read again in a
 *   loop; it stays behind and the next sweep reads it again.
 * - The first request of a sweep goes alone: when the key is rejected (401/403),
 *   that one request is the sweep's only one. Any later 401/403 also stops all
 *   further requests in the sweep. Logged once, by name, as a configuration error.
 * - After a few `unavailable` answers in a row (each already retried by the
 *   client), Junction counts as down for the rest of the sweep: the sweep goes on
 *   as without a key instead of spending its time on timeouts.
 * - Failures are counted and logged with the order (or transaction) id and the
 *   failure kind only: never an answer, a reason text or the key.
 */
import type { TableClient } from '../store/table-client';
import type { JunctionApi, JunctionFailure, JunctionOrdersPage, JunctionOutcome, ListOrdersQuery } from '../junction/api';
import { errorName, type LogSink } from '../shared/observability';
import { applyApiOrder, applyApiTransaction, type ApiOrderApplied } from '../store/api-orders';
import type { RecomputeResult } from '../store/transactions';

/** `unavailable` answers in a row after which the sweep stops asking Junction. */
export const UNAVAILABLE_IN_A_ROW_LIMIT = 3;

/** The sweep stops asking Junction when less time than this is left (a request may take 10 s, retries more). */
export const JUNCTION_TIME_RESERVE_MS = 60_000;

/** The configuration error logged (once per sweep) when Junction rejects the API key. */
export const API_KEY_REJECTED = 'JunctionApiKeyRejected';

export type CountedFailure = Exclude<JunctionFailure['kind'], 'unauthorized'>;

export interface JunctionSessionStats {
  /** Requests made to Junction. */
  requests: number;
  /** Orders whose stored state an API read replaced (each counted once). */
  reconciled: number;
  failures: Record<CountedFailure, number>;
  /** 401/403 answers. */
  unauthorized: number;
  /** Why the sweep stopped asking Junction, if it did. */
  stopped: 'unauthorized' | 'unavailable' | 'time' | null;
}

export interface JunctionSession {
  /**
   * Reads the order from Junction (once per sweep) and applies it with its
   * transaction listing (applyApiOrder). Null when Junction gave nothing usable,
   * or is not asked any more in this sweep.
   */
  reconcileOrder(orderId: string): Promise<ApiOrderApplied | null>;
  /**
   * Reads the transaction from Junction (once per sweep) and applies it as a
   * listing (applyApiTransaction); null as above.
   */
  reconcileTransaction(transactionId: string, collectionMethod: string): Promise<RecomputeResult | null>;
  /**
   * Reads one page of `GET /v3/orders` (each call a request: pages are not
   * cached). `failed`: Junction gave nothing usable (counted and logged as any
   * read); `stopped`: the session asks Junction no more in this sweep (why).
   */
  readOrdersPage(query: ListOrdersQuery): Promise<OrdersPageRead>;
  stats(): JunctionSessionStats;
}

export type OrdersPageRead =
  | { kind: 'ok'; page: JunctionOrdersPage }
  | { kind: 'failed'; failure: CountedFailure }
  | { kind: 'stopped'; why: NonNullable<JunctionSessionStats['stopped']> };

export interface JunctionSessionDeps {
  db: TableClient;
  tableName: string;
  junction: JunctionApi;
  logger: LogSink;
  /** Milliseconds left for this invocation (Lambda's context), if known. */
  timeLeft?: () => number;
}

/** A fresh session: one per sweep. */
export function createJunctionSession(deps: JunctionSessionDeps): JunctionSession {
  const { db, tableName, junction, logger } = deps;
  const stats: JunctionSessionStats = {
    requests: 0,
    reconciled: 0,
    failures: { not_found: 0, unavailable: 0, invalid_answer: 0 },
    unauthorized: 0,
    stopped: null,
  };
  let unavailableInARow = 0;
  let firstAnswer: Promise<unknown> | null = null;

  const stop = (why: NonNullable<JunctionSessionStats['stopped']>) => {
    if (stats.stopped !== null) return;
    stats.stopped = why;
    if (why === 'unauthorized') {
      logger.error('junction api key rejected: configuration error, no further junction request in this sweep', { error: API_KEY_REJECTED });
    } else if (why === 'unavailable') {
      logger.warn('junction unavailable: no further junction request in this sweep', { unavailable_in_a_row: unavailableInARow });
    } else {
      logger.warn('sweep time budget low: no further junction request in this sweep');
    }
  };

  /** One request, unless the session stopped; its failure counted and logged (ids and kind only). */
  const attempt = async <T>(ids: Record<string, string>, call: () => Promise<JunctionOutcome<T>>): Promise<T | null> => {
    if (stats.stopped !== null) return null;
    if (deps.timeLeft !== undefined && deps.timeLeft() < JUNCTION_TIME_RESERVE_MS) {
      stop('time');
      return null;
    }
    stats.requests++;
    let outcome: JunctionOutcome<T>;
    try {
      outcome = await call();
    } catch (error) {
      // The client answers expected failures as values; anything thrown is treated as Junction being unavailable.
      logger.error('junction client threw', { ...ids, error: errorName(error) });
      outcome = { kind: 'unavailable', reason: 'client error' };
    }
    if (outcome.kind === 'ok') {
      unavailableInARow = 0;
      return outcome.value;
    }
    if (outcome.kind === 'unauthorized') {
      stats.unauthorized++;
      stop('unauthorized');
      return null;
    }
    stats.failures[outcome.kind]++;
    logger.warn('junction read failed', { ...ids, kind: outcome.kind });
    if (outcome.kind === 'unavailable') {
      unavailableInARow++;
      if (unavailableInARow >= UNAVAILABLE_IN_A_ROW_LIMIT) stop('unavailable');
    } else {
      unavailableInARow = 0;
    }
    return null;
  };

  /** The first request of the session goes alone; the others wait for its answer (a rejected key stops them all). */
  const request = async <T>(ids: Record<string, string>, call: () => Promise<JunctionOutcome<T>>): Promise<T | null> => {
    if (firstAnswer === null) {
      const first = attempt(ids, call);
      firstAnswer = first.catch(() => undefined);
      return first;
    }
    await firstAnswer;
    return attempt(ids, call);
  };

  /**
   * One read per id and session: later asks share the first answer. An answer
   * about another id than the one asked for is one the tracker cannot trust:
   * counted and logged as an invalid answer, and nothing is applied.
   */
  const readOnce = <T extends { id: string }, R>(
    cache: Map<string, Promise<R | null>>,
    ids: Record<string, string>,
    id: string,
    call: () => Promise<JunctionOutcome<T>>,
    apply: (value: T) => Promise<R>,
  ): Promise<R | null> => {
    let pending = cache.get(id);
    if (pending === undefined) {
      pending = request(ids, call).then(async (value) => {
        if (value === null) return null;
        if (value.id !== id) {
          stats.failures.invalid_answer++;
          logger.warn('junction read failed', { ...ids, kind: 'invalid_answer' });
          return null;
        }
        return apply(value);
      });
      cache.set(id, pending);
    }
    return pending;
  };

  const orders = new Map<string, Promise<ApiOrderApplied | null>>();
  const transactions = new Map<string, Promise<RecomputeResult | null>>();

  return {
    reconcileOrder: (orderId) =>
      readOnce(orders, { order_id: orderId }, orderId, () => junction.getOrder(orderId), async (order) => {
        const applied = await applyApiOrder(db, tableName, order);
        if (applied.result === 'applied') stats.reconciled++;
        return applied;
      }),
    reconcileTransaction: (transactionId, collectionMethod) =>
      readOnce(transactions, { transaction_id: transactionId }, transactionId, () => junction.getTransaction(transactionId), (transaction) =>
        applyApiTransaction(db, tableName, transaction, collectionMethod),
      ),
    async readOrdersPage(query) {
      let failure: CountedFailure | null = null;
      const page = await request({ page: String(query.page) }, async () => {
        const outcome = await junction.listOrders(query);
        if (outcome.kind !== 'ok' && outcome.kind !== 'unauthorized') failure = outcome.kind;
        return outcome;
      });
      if (page !== null) return { kind: 'ok', page };
      if (failure !== null) return { kind: 'failed', failure };
      return stats.stopped === null ? { kind: 'failed', failure: 'unavailable' } : { kind: 'stopped', why: stats.stopped };
    },
    stats: () => ({ ...stats, failures: { ...stats.failures } }),
  };
}
