/**
 * Backfill (CONTRACT §6): pages through Junction's `GET /v3/orders` for the
 * orders updated in a window and applies each one exactly as an API read is
 * applied anywhere else (the injected `apply`: same projection, same ordering
 * rule, same single conditional write, its listing carried into the
 * transaction). Progress is a checkpoint saved after every page, so a run that
 * is stopped (Ctrl-C, Lambda's time limit) continues where it stopped, and a
 * page applied twice is harmless: its orders come back as duplicates.
 *
 * Plain orchestration over injected dependencies: the Lambda function, the local
 * runtime and the tests drive the same loop.
 */
import { forEachLimited } from '../shared/concurrency';
import { addCounts, NO_COUNTS, type BackfillCounts, type BackfillWindow } from '../core/backfill-window';
import type { OrderPayload } from '../core/schemas';
import type { JunctionApi, JunctionFailure } from '../junction/api';

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

/** Applies one order read from Junction's API; throws only on unexpected failures (e.g. DynamoDB unavailable). */
export type ApplyOrder = (order: OrderPayload) => Promise<ApplyResult>;

/** Which backfill a checkpoint belongs to: the user's window, with an open end kept open. */
export interface BackfillKey {
  since: string;
  /** The canonical `--until`, or null when none was given (the end is then fixed at the first start). */
  until: string | null;
}

export interface BackfillCheckpoint {
  key: BackfillKey;
  window: BackfillWindow;
  /** The next page to read (from 1). */
  nextPage: number;
  counts: BackfillCounts;
  /** Orders in the window, when Junction said. */
  total: number | null;
  status: 'running' | 'done';
  /** Increases by one on every save: two runs of one window never both advance it. */
  version: number;
}

export interface CheckpointStore {
  load(key: BackfillKey): Promise<BackfillCheckpoint | null>;
  /** Saves `checkpoint` if the stored one is still at `seenVersion` (null: none stored); `lost` otherwise. */
  save(checkpoint: BackfillCheckpoint, seenVersion: number | null): Promise<'written' | 'lost'>;
}

export interface BackfillProgress {
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
  nextPage: number;
  pages: number | null;
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
      : { key: request.key, window: request.window, nextPage: 1, counts: NO_COUNTS, total: null, status: 'running', version: stored?.version ?? 0 };
  let seenVersion = stored?.version ?? null;
  const outcome = (status: BackfillStatus): BackfillOutcome => ({
    status,
    window: checkpoint.window,
    counts: checkpoint.counts,
    nextPage: checkpoint.nextPage,
    pages: pagesOf(checkpoint.total, pageSize),
  });

  for (let first = true; ; first = false) {
    if (!first && !request.shouldContinue()) return outcome('paused');
    const page = checkpoint.nextPage;
    const read = await readPage(deps, checkpoint, page, pageSize);
    if (read.kind === 'unauthorized') return outcome('unauthorized');
    const next: BackfillCheckpoint = {
      ...checkpoint,
      nextPage: page + 1,
      counts: addCounts(checkpoint.counts, read.counts),
      total: read.total ?? checkpoint.total,
      status: read.last ? 'done' : 'running',
      version: checkpoint.version + 1,
    };
    if ((await deps.checkpoints.save(next, seenVersion)) === 'lost') return outcome('conflict');
    checkpoint = next;
    seenVersion = next.version;
    deps.onPage?.({ page, pages: pagesOf(checkpoint.total, pageSize), counts: checkpoint.counts });
    if (read.last) return outcome('done');
  }
}

type PageRead =
  | { kind: 'unauthorized' }
  | { kind: 'read'; counts: BackfillCounts; total: number | null; last: boolean };

async function readPage(deps: BackfillDeps, checkpoint: BackfillCheckpoint, page: number, size: number): Promise<PageRead> {
  const answer = await deps.junction.listOrders({ page, size, updatedStart: checkpoint.window.since, updatedEnd: checkpoint.window.until });
  if (answer.kind === 'unauthorized') {
    deps.onPageFailure?.(page, answer);
    return { kind: 'unauthorized' };
  }
  if (answer.kind !== 'ok') {
    deps.onPageFailure?.(page, answer);
    // Its orders are unknown: counted when Junction said how many the window holds, else as one.
    const remaining = checkpoint.total === null ? null : checkpoint.total - (page - 1) * size;
    const failed = remaining === null ? 1 : Math.max(1, Math.min(size, remaining));
    const last = remaining === null || remaining <= size;
    return { kind: 'read', counts: { ...NO_COUNTS, failed }, total: null, last };
  }
  const { orders, invalid, total } = answer.value;
  const counts = { ...NO_COUNTS, read: orders.length + invalid, failed: invalid };
  await forEachLimited(orders, deps.concurrency ?? DEFAULT_CONCURRENCY, async (order) => {
    try {
      counts[await deps.apply(order)]++;
    } catch (error) {
      counts.failed++;
      deps.onOrderFailure?.(order.id, error);
    }
  });
  const received = orders.length + invalid;
  const last = received < size || (total !== null && page * size >= total);
  return { kind: 'read', counts, total, last };
}

function pagesOf(total: number | null, pageSize: number): number | null {
  return total === null ? null : Math.max(1, Math.ceil(total / pageSize));
}
