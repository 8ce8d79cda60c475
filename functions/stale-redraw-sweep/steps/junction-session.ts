/**
 * One sweep's conversation with Junction's API (CONTRACT §6): reads orders and
 * transactions, applies what they say through the store's one write path, and
 * keeps the sweep safe from Junction's failures. The sweep opens one session
 * (context.ts) and its steps share it: the sync's pages (sync.ts), the
 * catch-up (catch-up.ts), the check of a candidate before it is flagged
 * (verify.ts) and the missing results (results.ts).
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
 * - With a deadline, every request goes through the client bounded by it
 *   (JunctionApi.withDeadline: no attempt or Retry-After wait that cannot end
 *   before it), and none is started once less than a useful attempt is left: the
 *   sweep keeps the time its stale rules need, whatever Junction answers.
 * - Failures are counted and logged with the order (or transaction) id and the
 *   failure kind only: never an answer, a reason text or the key.
 */
import type { TableClient } from '../../store/table-client';
import type { JunctionApi, JunctionFailure, JunctionOrdersPage, JunctionOutcome, ListOrdersQuery, ResultsOutcome } from '../../junction/api';
import { MIN_ATTEMPT_MS } from '../../junction/client';
import { errorName, type LogSink } from '../../shared/observability';
import { applyApiOrder, applyApiTransaction, type ApiOrderApplied } from '../../store/api-orders';
import type { RecomputeResult } from '../../store/transactions';
import type { HeldOrder } from '../../core/sync-apply';

/** `unavailable` answers in a row after which the sweep stops asking Junction. */
export const UNAVAILABLE_IN_A_ROW_LIMIT = 3;

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
  /** Why the sweep stopped asking Junction, if it did (`time`: its deadline). */
  stopped: 'unauthorized' | 'unavailable' | 'time' | null;
}

/**
 * What a catch-up read did: `improved` (the order's own stored state was
 * replaced), `not_improved` (Junction answered the state stored or an older one,
 * or 404: it lags its own listing), `failed` (unavailable or an invalid answer),
 * `stopped` (not asked: the session stopped).
 */
export type CatchUpRead = 'improved' | 'not_improved' | 'failed' | 'stopped';

export interface JunctionSession {
  /**
   * Reads the order from Junction (once per sweep) and applies it with its
   * transaction listing (applyApiOrder; with `held`, what the caller read of it, an
   * answer that is not newer writes nothing). Null when Junction gave nothing usable,
   * or is not asked any more in this sweep.
   */
  reconcileOrder(orderId: string, held?: HeldOrder): Promise<ApiOrderApplied | null>;
  /** reconcileOrder for the catch-up, saying what the read did (same cache: one read per order and sweep). */
  catchUpOrder(orderId: string): Promise<CatchUpRead>;
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
  /**
   * Reads an order's missing results (CONTRACT §9; each call a request): the
   * client's outcome, or `stopped` when the session asks Junction no more. Its
   * failures count and stop the session like any read's (a 401 stops it).
   */
  readMissingResults(orderId: string): Promise<Exclude<ResultsOutcome, { kind: 'unauthorized' }> | { kind: 'stopped' }>;
  stats(): JunctionSessionStats;
}

/** A results read as the session counts it: `never` and the counts are answers, `retry` a failure of its kind. */
export function resultsAsOutcome(outcome: ResultsOutcome): JunctionOutcome<ResultsOutcome> {
  if (outcome.kind === 'unauthorized') return outcome;
  if (outcome.kind !== 'retry') return { kind: 'ok', value: outcome };
  if (outcome.invalidAnswer === true) return { kind: 'invalid_answer', reason: outcome.reason };
  return { kind: 'unavailable', reason: outcome.reason, ...(outcome.deadline === true ? { deadline: true as const } : {}) };
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
  /** Epoch ms after which Junction is not asked (on `clock`); absent: no deadline but the client's own bounds. */
  deadline?: number;
  /** The clock of `deadline`, the Junction client's own (default Date.now). */
  clock?: () => number;
}

/** What one read gave: a value, a counted failure, or nothing because the session stopped. */
export type Read<T> = { kind: 'ok'; value: T } | { kind: 'failed'; failure: CountedFailure } | { kind: 'stopped' };

type StopReason = NonNullable<JunctionSessionStats['stopped']>;

/** What a session keeps between its requests. */
interface SessionState {
  readonly stats: JunctionSessionStats;
  readonly logger: LogSink;
  /** Epoch ms after which Junction is not asked (on `clock`), or undefined. */
  readonly deadline: number | undefined;
  readonly clock: () => number;
  unavailableInARow: number;
  /** The first request's answer (settled either way), once it was asked. */
  firstAnswer: Promise<unknown> | null;
}

/** Whether a request started at `nowMs` could not make a useful attempt before the deadline. */
export function pastDeadline(nowMs: number, deadline: number): boolean {
  return nowMs + MIN_ATTEMPT_MS > deadline;
}

/**
 * Why the session stops after a counted failure, if it does: `time` when the
 * client's deadline cut an unavailable answer short (no time for another
 * request either), `unavailable` after UNAVAILABLE_IN_A_ROW_LIMIT of them in a
 * row (`inARow` counts this one), else null.
 */
export function stopAfterFailure(kind: CountedFailure, cutByDeadline: boolean, inARow: number): 'time' | 'unavailable' | null {
  if (kind !== 'unavailable') return null;
  if (cutByDeadline) return 'time';
  return inARow >= UNAVAILABLE_IN_A_ROW_LIMIT ? 'unavailable' : null;
}

/** Stops the session (once), logging why. */
function stop(state: SessionState, why: StopReason): void {
  const { stats, logger } = state;
  if (stats.stopped !== null) return;
  stats.stopped = why;
  if (why === 'unauthorized') {
    logger.error('junction api key rejected: configuration error, no further junction request in this sweep', { error: API_KEY_REJECTED });
  } else if (why === 'unavailable') {
    logger.warn('junction unavailable: no further junction request in this sweep', { unavailable_in_a_row: state.unavailableInARow });
  } else {
    logger.warn('junction deadline reached: no further junction request in this sweep, the stale rules keep their time');
  }
}

/** The client's answer; anything it throws counts as Junction being unavailable (the client answers expected failures as values). */
async function answerOf<T>(state: SessionState, ids: Record<string, string>, call: () => Promise<JunctionOutcome<T>>): Promise<JunctionOutcome<T>> {
  try {
    return await call();
  } catch (error) {
    state.logger.error('junction client threw', { ...ids, error: errorName(error) });
    return { kind: 'unavailable', reason: 'client error' };
  }
}

/** One request, unless the session stopped; its failure counted and logged (ids and kind only). */
async function attempt<T>(state: SessionState, ids: Record<string, string>, call: () => Promise<JunctionOutcome<T>>): Promise<Read<T>> {
  const { stats } = state;
  if (stats.stopped !== null) return { kind: 'stopped' };
  if (state.deadline !== undefined && pastDeadline(state.clock(), state.deadline)) {
    stop(state, 'time');
    return { kind: 'stopped' };
  }
  stats.requests++;
  const outcome = await answerOf(state, ids, call);
  if (outcome.kind === 'ok') {
    state.unavailableInARow = 0;
    return { kind: 'ok', value: outcome.value };
  }
  if (outcome.kind === 'unauthorized') {
    stats.unauthorized++;
    stop(state, 'unauthorized');
    return { kind: 'stopped' };
  }
  stats.failures[outcome.kind]++;
  state.logger.warn('junction read failed', { ...ids, kind: outcome.kind });
  state.unavailableInARow = outcome.kind === 'unavailable' ? state.unavailableInARow + 1 : 0;
  const why = stopAfterFailure(outcome.kind, outcome.kind === 'unavailable' && outcome.deadline === true, state.unavailableInARow);
  if (why !== null) stop(state, why);
  return { kind: 'failed', failure: outcome.kind };
}

/** The first request of the session goes alone; the others wait for its answer (a rejected key stops them all). */
async function request<T>(state: SessionState, ids: Record<string, string>, call: () => Promise<JunctionOutcome<T>>): Promise<Read<T>> {
  if (state.firstAnswer === null) {
    const first = attempt(state, ids, call);
    state.firstAnswer = first.catch(() => undefined);
    return first;
  }
  await state.firstAnswer;
  return attempt(state, ids, call);
}

/**
 * One read per id and session: later asks share the first answer. An answer
 * about another id than the one asked for is one the tracker cannot trust:
 * counted and logged as an invalid answer, and nothing is applied.
 */
function readOnce<T extends { id: string }, R>(
  state: SessionState,
  cache: Map<string, Promise<Read<R>>>,
  ids: Record<string, string>,
  id: string,
  call: () => Promise<JunctionOutcome<T>>,
  apply: (value: T) => Promise<R>,
): Promise<Read<R>> {
  let pending = cache.get(id);
  if (pending === undefined) {
    pending = request(state, ids, call).then(async (read): Promise<Read<R>> => {
      if (read.kind !== 'ok') return read;
      if (read.value.id !== id) {
        state.stats.failures.invalid_answer++;
        state.logger.warn('junction read failed', { ...ids, kind: 'invalid_answer' });
        return { kind: 'failed', failure: 'invalid_answer' };
      }
      return { kind: 'ok', value: await apply(read.value) };
    });
    cache.set(id, pending);
  }
  return pending;
}

/** What a catch-up read did, from the read of its order. */
export function catchUpReadOf(read: Read<Pick<ApiOrderApplied, 'result'>>): CatchUpRead {
  if (read.kind === 'ok') return read.value.result === 'applied' ? 'improved' : 'not_improved';
  if (read.kind === 'failed') return read.failure === 'not_found' ? 'not_improved' : 'failed';
  return 'stopped';
}

/** A fresh session: one per sweep. */
export function createJunctionSession(deps: JunctionSessionDeps): JunctionSession {
  const { db, tableName, deadline } = deps;
  // Every request of the session (the sync's pages included) is bounded by the deadline.
  const junction = deadline === undefined ? deps.junction : deps.junction.withDeadline(deadline);
  const state: SessionState = {
    stats: { requests: 0, reconciled: 0, failures: { not_found: 0, unavailable: 0, invalid_answer: 0 }, unauthorized: 0, stopped: null },
    logger: deps.logger,
    deadline,
    clock: deps.clock ?? Date.now,
    unavailableInARow: 0,
    firstAnswer: null,
  };
  const { stats } = state;
  const orders = new Map<string, Promise<Read<ApiOrderApplied>>>();
  const transactions = new Map<string, Promise<Read<RecomputeResult>>>();
  const valueOf = <R>(read: Read<R>): R | null => (read.kind === 'ok' ? read.value : null);

  const readOrder = (orderId: string, held?: HeldOrder) =>
    readOnce(state, orders, { order_id: orderId }, orderId, () => junction.getOrder(orderId), async (order) => {
      const applied = await applyApiOrder(db, tableName, order, held);
      if (applied.result === 'applied') stats.reconciled++;
      return applied;
    });

  return {
    reconcileOrder: async (orderId, held) => valueOf(await readOrder(orderId, held)),
    catchUpOrder: async (orderId) => catchUpReadOf(await readOrder(orderId)),
    reconcileTransaction: async (transactionId, collectionMethod) =>
      valueOf(
        await readOnce(state, transactions, { transaction_id: transactionId }, transactionId, () => junction.getTransaction(transactionId), (transaction) =>
          applyApiTransaction(db, tableName, transaction, collectionMethod),
        ),
      ),
    async readOrdersPage(query) {
      const read = await request(state, { page: String(query.page) }, () => junction.listOrders(query));
      if (read.kind === 'ok') return { kind: 'ok', page: read.value };
      if (read.kind === 'failed') return { kind: 'failed', failure: read.failure };
      return { kind: 'stopped', why: stats.stopped ?? 'unavailable' };
    },
    async readMissingResults(orderId) {
      // The client's own outcome is kept beside the session's reading of it: a retry's wait is the client's to say.
      const kept: { answered: ResultsOutcome } = { answered: { kind: 'retry', reason: 'client error', retryAfterMs: null } };
      const read = await request(state, { order_id: orderId }, async () => {
        kept.answered = await junction.getMissingResults(orderId);
        return resultsAsOutcome(kept.answered);
      });
      const { answered } = kept;
      if (read.kind === 'stopped' || answered.kind === 'unauthorized') return { kind: 'stopped' };
      return answered;
    },
    stats: () => ({ ...stats, failures: { ...stats.failures } }),
  };
}
