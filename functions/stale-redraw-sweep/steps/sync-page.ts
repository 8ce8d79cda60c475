/**
 * One page of the continuous sync (sync.ts), applied: whole when it can be, else
 * order by order to tell the orders that cannot be applied from a table that is
 * unavailable; and its failures sorted into those that hold the page for the
 * next sweep and the orders the sync skips after SYNC_MAX_ATTEMPTS sweeps.
 */
import { canonicalInstant } from '../../core/instant';
import type { OrderPayload } from '../../core/schemas';
import { judgeFailures, SYNC_MAX_ATTEMPTS, type FailingOrder, type OrderState, type SyncState } from '../../core/sync-window';
import { forEachLimited } from '../../shared/concurrency';
import { errorName, type LogSink } from '../../shared/observability';
import { applyApiOrdersPage } from '../../store/api-orders';
import { BatchGetIncompleteError, type TableClient } from '../../store/table-client';

/** What the failures of a page decide: hold the page (read again next sweep) or pass it, skipping `skip`. */
export interface Settled {
  hold: boolean;
  /** Whether some failure counted as a try (the state's `failing` changed). */
  counted: boolean;
  failing: FailingOrder[];
  skip: OrderState[];
}

/**
 * Sorts a page's failures into the table's unavailability (holds the page, never
 * counts) and the orders' own (one try each; skipped on the last), and logs each
 * by order id and error type only.
 */
export function settleFailures(state: SyncState, failed: PageApplied['failed'], page: number, logger: LogSink): Settled {
  const unavailable = failed.filter((failure) => tableUnavailable(failure.error));
  const own = failed.filter((failure) => !tableUnavailable(failure.error));
  const verdict = judgeFailures(state, own.map((failure) => failure.order));
  // Skips wait while the page is held anyway: the next sweep skips them (if nothing else holds it then).
  const hold = verdict.retry || unavailable.length > 0;
  for (const failure of own.filter((candidate) => !verdict.skippedBefore.some((order) => order.id === candidate.order.id))) {
    const fields = { order_id: failure.order.id, updated_at: failure.order.updatedAt, error: errorName(failure.error) };
    const attempts = verdict.failing.find((order) => order.id === failure.order.id)?.attempts;
    if (!hold && verdict.skip.some((order) => order.id === failure.order.id)) {
      logger.error('sync skipped an order it could not apply: backfill it once the cause is fixed', { ...fields, attempts });
    } else if (attempts !== undefined) {
      logger.warn('sync could not apply an order: the next sweep tries again', { ...fields, attempts, max_attempts: SYNC_MAX_ATTEMPTS });
    }
  }
  if (unavailable.length > 0) {
    logger.error('sync page could not be applied: it is read again by the next sweep', { page, failed: unavailable.length, error: errorName(unavailable[0]!.error) });
  }
  return { hold, counted: verdict.skip.length > 0 || verdict.retry, failing: verdict.failing, skip: hold ? [] : verdict.skip };
}

/** What applying one page did: the orders that could not be applied, each with its error. */
export interface PageApplied {
  applied: number;
  appliedIds: string[];
  failed: { order: OrderState; error: unknown }[];
}

/** Orders applied at once when a failed page is applied order by order. */
const ONE_BY_ONE_CONCURRENCY = 4;

/**
 * Applies a page whole (one BatchGetItem, then the writes); when that fails for
 * a reason that is not the table's unavailability, applies each order alone (a
 * BatchGetItem of one, then its write) to find the ones that fail by themselves.
 * Costs nothing more while every page applies.
 */
export async function applyPage(db: TableClient, tableName: string, orders: readonly OrderPayload[]): Promise<PageApplied> {
  try {
    const { applied, appliedIds } = await applyApiOrdersPage(db, tableName, orders);
    return { applied, appliedIds, failed: [] };
  } catch (error) {
    // A table that is unavailable (or one order alone) tells nothing more order by order: more requests would only add load.
    if (orders.length === 1 || tableUnavailable(error)) return { applied: 0, appliedIds: [], failed: orders.map((order) => ({ order: orderState(order), error })) };
  }
  const result: PageApplied = { applied: 0, appliedIds: [], failed: [] };
  await forEachLimited(orders, ONE_BY_ONE_CONCURRENCY, async (order) => {
    try {
      const { applied, appliedIds } = await applyApiOrdersPage(db, tableName, [order]);
      result.applied += applied;
      result.appliedIds.push(...appliedIds);
    } catch (error) {
      result.failed.push({ order: orderState(order), error });
    }
  });
  return result;
}

function orderState(order: OrderPayload): OrderState {
  return { id: order.id, updatedAt: canonicalInstant(order.updated_at) ?? order.updated_at };
}

/**
 * Errors of the table or of our access to it, never of one order: throttling
 * (the SDK retried it already) and configuration (grants, the table, its KMS key).
 * A configuration error would also refuse the save of the tries, but naming it
 * here makes sure it never counts.
 */
const TABLE_WIDE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ResourceNotFoundException',
]);

/**
 * Whether an error says the table (or the way to it) is unavailable, rather
 * than that this order cannot be applied: a 5xx, throttling or configuration
 * answer, or an SDK request that got no answer at all (timeout, reset connection:
 * `$metadata` without a status). Such failures never count towards skipping an order. Any
 * other failure is the order's own: a 4xx the table gives for this write (a
 * refused item) or an error of our code on this order's data (an item that
 * cannot be read).
 */
export function tableUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // The store's own word for throttling: keys BatchGetItem kept unprocessed after its retries.
  if (error instanceof BatchGetIncompleteError) return true;
  if (TABLE_WIDE.has(error.name) || error.name.startsWith('KMS')) return true;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (metadata === undefined) return ['TimeoutError', 'AbortError'].includes(error.name) || typeof (error as { code?: unknown }).code === 'string';
  const status = metadata.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}
