/**
 * Backfill (CONTRACT §6): pages through Junction's `GET /v3/orders` for the
 * orders updated in a window and applies each one exactly as an API read is
 * applied anywhere else (the injected `apply`: same projection, same ordering
 * rule, same single conditional write, its listing carried into the
 * transaction). Progress is a checkpoint saved after every page, so a run that
 * is stopped (Ctrl-C, Lambda's time limit) continues where it stopped, and a
 * page applied twice is harmless: its orders come back as duplicates.
 *
 * No order of the window is skipped, even one updated at Junction while the run
 * pages (offset paging shifts later orders onto pages already read when one
 * leaves the window): the pages are walked as the continuous sync walks them,
 * with its functions (core/sync-window.ts, whose comment proves it): the window's
 * end fixed, sorted by creation, page 1 read first for the total, then the last
 * page back to page 1, again from the last when the total grows. The first
 * answer only gives the total (its orders are applied when the walk reaches page
 * 1 again, so each order counts once), unless it is the whole window.
 *
 * Plain orchestration over injected dependencies: the Lambda function, the local
 * runtime and the tests drive the same loop.
 */
import { forEachLimited } from '../shared/concurrency';
import { addCounts, NO_COUNTS, type BackfillCounts, type BackfillWindow } from '../core/backfill-window';
import type { OrderPayload } from '../core/schemas';
import { afterPage, lastPage, pageToRead, pageTotal, walkRequest, type SyncCursor } from '../core/sync-window';
import type { JunctionApi, JunctionFailure } from '../junction/api';
import type { BackfillCheckpoint, BackfillKey, CheckpointStore } from '../store/backfill-checkpoints';

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

/** Applies one order read from Junction's API; throws only on unexpected failures (e.g. DynamoDB unavailable). */
export type ApplyOrder = (order: OrderPayload) => Promise<ApplyResult>;

export interface BackfillProgress {
  /** The page just read. */
  page: number;
  /** Pages in the window, when Junction said how many orders it holds. */
  pages: number | null;
  counts: BackfillCounts;
}

export interface BackfillDeps {
  junction: JunctionApi;
  apply: ApplyOrder;
  checkpoints: CheckpointStore;
  /** Orders per page, 1..100 (Junction's maximum). */
  pageSize?: number;
  /** Orders applied at once. */
  concurrency?: number;
  /** Told after each page (never with order content). */
  onPage?: (progress: BackfillProgress) => void;
  /** Told of each order that could not be applied (the id only: no PHI). */
  onOrderFailure?: (orderId: string, error: unknown) => void;
  /** Told of a page Junction did not answer usefully. */
  onPageFailure?: (page: number, failure: JunctionFailure) => void;
}

export type BackfillStatus =
  /** Every page read: counts are final. */
  | 'done'
  /** Stopped between pages because the caller's budget ran out: run again to continue. */
  | 'paused'
  /** Junction rejected the API key (401/403): a configuration error, nothing retried. */
  | 'unauthorized'
  /** Another run of the same window advanced the checkpoint first: this one stopped. */
  | 'conflict';

export interface BackfillOutcome {
  status: BackfillStatus;
  window: BackfillWindow;
  counts: BackfillCounts;
  /** The page this run read last; null when it read none. */
  page: number | null;
  /** The next page of the walk; null when the window is done or its first request is still to be made. */
  nextPage: number | null;
  pages: number | null;
  /** Orders in the window as Junction last said, when it did. */
  total: number | null;
}

export interface BackfillRequest {
  key: BackfillKey;
  /** The window to use when no run is in progress (an open end fixed now). */
  window: BackfillWindow;
  /** Whether to read one more page; asked before each page after the first. */
  shouldContinue: () => boolean;
}

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_CONCURRENCY = 8;

/** Runs (or continues) the backfill of one window until it is done or the budget says stop. */
export async function runBackfill(deps: BackfillDeps, request: BackfillRequest): Promise<BackfillOutcome> {
  const pageSize = Math.min(100, Math.max(1, deps.pageSize ?? DEFAULT_PAGE_SIZE));
  const stored = await deps.checkpoints.load(request.key);
  // A finished run is not continued: running the same window again repeats it (harmlessly).
  let checkpoint: BackfillCheckpoint =
    stored !== null && stored.status === 'running'
      ? stored
      : { key: request.key, window: request.window, nextPage: null, counts: NO_COUNTS, total: null, status: 'running', version: stored?.version ?? 0 };
  let seenVersion = stored?.version ?? null;
  let lastRead: number | null = null;
  const outcome = (status: BackfillStatus): BackfillOutcome => ({
    status,
    window: checkpoint.window,
    counts: checkpoint.counts,
    page: lastRead,
    nextPage: checkpoint.status === 'done' ? null : checkpoint.nextPage,
    pages: checkpoint.total === null ? null : lastPage(checkpoint.total, pageSize),
    total: checkpoint.total,
  });

  for (let first = true; ; first = false) {
    if (!first && !request.shouldContinue()) return outcome('paused');
    const cursor: SyncCursor = { ...checkpoint.window, nextPage: checkpoint.nextPage, total: checkpoint.total };
    const page = pageToRead(cursor);
    const read = await readPage(deps, cursor, pageSize);
    if (read.kind === 'unauthorized') return outcome('unauthorized');
    const next: BackfillCheckpoint = {
      ...checkpoint,
      nextPage: read.next === 'done' ? checkpoint.nextPage : read.next.nextPage,
      counts: addCounts(checkpoint.counts, read.counts),
      total: read.next === 'done' ? (read.total ?? checkpoint.total) : read.next.total,
      status: read.next === 'done' ? 'done' : 'running',
      version: checkpoint.version + 1,
    };
    if ((await deps.checkpoints.save(next, seenVersion)) === 'lost') return outcome('conflict');
    checkpoint = next;
    seenVersion = next.version;
    lastRead = page;
    deps.onPage?.({ page, pages: checkpoint.total === null ? null : lastPage(checkpoint.total, pageSize), counts: checkpoint.counts });
    if (read.next === 'done') return outcome('done');
  }
}

type PageRead =
  | { kind: 'unauthorized' }
  /** `next`: the walk's next step; `total`: what this answer said the window holds, if it did. */
  | { kind: 'read'; counts: BackfillCounts; next: SyncCursor | 'done'; total: number | null };

async function readPage(deps: BackfillDeps, cursor: SyncCursor, size: number): Promise<PageRead> {
  const request = walkRequest(cursor, size);
  const { page } = request;
  const answer = await deps.junction.listOrders(request);
  if (answer.kind === 'unauthorized') {
    deps.onPageFailure?.(page, answer);
    return { kind: 'unauthorized' };
  }
  if (answer.kind !== 'ok') {
    deps.onPageFailure?.(page, answer);
    // Without a total (the first request failed) there is no walk: one failure, and done. Else the
    // page's orders count as failed (the client already retried) and the walk goes on past it.
    if (cursor.total === null) return { kind: 'read', counts: { ...NO_COUNTS, failed: 1 }, next: 'done', total: null };
    const onPage = Math.min(size, cursor.total - (page - 1) * size);
    return { kind: 'read', counts: { ...NO_COUNTS, failed: Math.max(1, onPage) }, next: afterPage(cursor, cursor.total, size), total: null };
  }
  const { orders, invalid, total } = answer.value;
  const next = afterPage(cursor, pageTotal(page, orders.length + invalid, total, size), size);
  // The first answer is for the total: its orders are applied when the walk comes back to page 1.
  if (cursor.nextPage === null && next !== 'done') return { kind: 'read', counts: NO_COUNTS, next, total };
  const counts = { ...NO_COUNTS, read: orders.length + invalid, failed: invalid };
  await forEachLimited(orders, deps.concurrency ?? DEFAULT_CONCURRENCY, async (order) => {
    try {
      counts[await deps.apply(order)]++;
    } catch (error) {
      counts.failed++;
      deps.onOrderFailure?.(order.id, error);
    }
  });
  return { kind: 'read', counts, next, total };
}
