/**
 * The continuous sync (CONTRACT §6, "Continuous sync"): the sweep's first step
 * with a Junction API key, so that the catch-up and the stale rules work on
 * what it brought; a sync that fails counts as a failure of the sweep, never
 * stops it. It reads from `GET /v3/orders` the orders updated since the end of
 * the previous sync (less the overlap) up to the sweep's start, and applies
 * each one as an API read is applied anywhere else (store/api-orders.ts: the
 * webhook's projection, ordering rule and conditional write, with its
 * transaction listing), writing only what is newer.
 *
 * The plan is core/sync-window.ts (the window, and the walk from the last page
 * back to page 1 that skips no order). This file runs it page by page
 * (sync-page.ts applies a page and sorts its failures):
 * - each page is read, applied whole, and only then is the sync's state saved
 *   (store/sync-state.ts); a page that could not be read or applied is read again
 *   by the next sweep, and the window's end becomes the sync's end only once
 *   page 1 is applied;
 * - a page that fails is applied again order by order, to tell the orders that
 *   cannot be applied (a refused write that repeats, an unreadable item) from a
 *   table that is unavailable: such an order is tried on SYNC_MAX_ATTEMPTS sweeps,
 *   then skipped (counted, logged by id) so the window moves on; an unavailable
 *   table never skips anything;
 * - it stops cleanly when Junction fails (5xx, 429 after Retry-After, timeout:
 *   already retried by the client), rejects the key (the session then makes no
 *   further request in this sweep), answers something unusable, or when the
 *   sweep's budget for it runs out; the stale rules run after it in any case;
 * - it logs why it stopped, with counts and times only: never an API answer.
 */
import type { OrderPayload } from '../../core/schemas';
import {
  afterPage,
  pagePassed,
  walkRequest,
  pageTotal,
  SYNC_PAGE_SIZE,
  syncCursor,
  syncLagSeconds,
  windowDone,
  windowEnd,
  type OrderState,
  type SyncCursor,
  type SyncState,
} from '../../core/sync-window';
import { errorName, type LogSink } from '../../shared/observability';
import { loadSyncState, saveSyncState } from '../../store/sync-state';
import type { TableClient } from '../../store/table-client';
import type { SweepContext } from './context';
import type { JunctionSession, OrdersPageRead } from './junction-session';
import { applyPage, settleFailures } from './sync-page';

/** The sync's settings (see SyncEnv in config.ts). */
export interface SyncSettings {
  /** How far back the first sync reaches. */
  lookbackHours: number;
  /** Longest time one sweep spends syncing; the rest of a backlog waits for the next sweep. */
  maxSeconds: number;
  /** Orders per page (default SYNC_PAGE_SIZE, Junction's maximum); smaller only to test many pages with few orders. */
  pageSize?: number;
}

export const DEFAULT_SYNC: SyncSettings = { lookbackHours: 24, maxSeconds: 120 };

/** The sync stops reading pages when the invocation has less than this left: the stale rules need their time. */
export const SYNC_TIME_RESERVE_MS = 120_000;

export type SyncStop =
  /** Junction rejected the key (401/403): no further request in this sweep. */
  | 'unauthorized'
  /** Timeouts, network errors, 429 or 5xx after the client's bounded retries. */
  | 'unavailable'
  /** A page that is not JSON or not a page of orders. */
  | 'invalid_answer'
  /** The sweep's budget for the sync ran out (SYNC_MAX_SECONDS, or the invocation's time). */
  | 'time'
  /** Another sweep saved the sync's state first (two sweeps at once). */
  | 'conflict'
  /** Applying a page failed (DynamoDB unavailable, or an order with tries left): the page is read again next time. */
  | 'apply_failed';

export interface SyncOutcome {
  /** Orders read from Junction by this sweep's sync (CONTRACT §6: `synced`). */
  synced: number;
  /** Order items written (the API's state was newer). */
  applied: number;
  /** Ids of the orders whose stored state the sync replaced. */
  appliedIds: string[];
  /** Orders on the pages that failed validation (counted each time read, skipped, never logged). */
  invalid: number;
  /** Orders skipped by this sweep after SYNC_MAX_ATTEMPTS sweeps could not apply them (logged by id: backfill them). */
  skipped: number;
  /** Pages read and applied. */
  pages: number;
  /** Whether the window was read whole (the sync's end moved to the sweep's start). */
  caughtUp: boolean;
  /** Seconds the sync is behind Junction after this sweep (from its end to the sweep's start). */
  lagSeconds: number;
  /** Why it stopped before the end of its window, if it did. */
  stopped: SyncStop | null;
}

export interface SyncInput {
  db: TableClient;
  tableName: string;
  session: JunctionSession;
  /** The sweep's start: a new window ends here. */
  now: Date;
  settings: SyncSettings;
  logger: LogSink;
  /** Milliseconds since the sweep started (monotonic). */
  elapsedMs: () => number;
  /** Milliseconds left for this invocation (Lambda's context), if known. */
  timeLeft?: () => number;
}

export interface SyncStepInput {
  settings: SyncSettings;
  /** Milliseconds since the sweep started (monotonic); default: since this step started. */
  elapsedMs?: (() => number) | undefined;
  /** Milliseconds left for this invocation, if known. */
  timeLeft?: (() => number) | undefined;
}

/** Whether a sync's outcome counts as a failure of the sweep: a page it could not apply (the table's sake). */
export function syncFailed(outcome: Pick<SyncOutcome, 'stopped'>): boolean {
  return outcome.stopped === 'apply_failed';
}

/** The sync, with a Junction session and time to start it; null when it did not run or threw. */
export async function syncStep(ctx: SweepContext, input: SyncStepInput): Promise<SyncOutcome | null> {
  const { db, tableName, session, now, logger, tally } = ctx;
  if (session === null || !ctx.gate.mayStart('sync')) return null;
  const started = performance.now();
  try {
    const sync = await runSync({
      db,
      tableName,
      session,
      now,
      settings: input.settings,
      logger,
      elapsedMs: input.elapsedMs ?? (() => performance.now() - started),
      ...(input.timeLeft ? { timeLeft: input.timeLeft } : {}),
    });
    if (syncFailed(sync)) tally.failures++;
    return sync;
  } catch (error) {
    tally.failures++;
    logger.error('sync failed', { error: errorName(error) });
    return null;
  }
}

/** Where one sweep's sync is: its saved state, the window and page it reads, and what it did so far. */
interface SyncRun {
  state: SyncState;
  /** The saved state's version (the condition of the next save). */
  version: number | null;
  window: SyncCursor;
  cursor: SyncCursor;
  readonly size: number;
  /** The sweep's start, as a window's end. */
  readonly sweepStart: string;
  readonly outcome: SyncOutcome;
  /** `synced` counts orders, not reads: the walk reads page 1 twice (first for the total, last on its way back). */
  readonly ordersRead: Set<string>;
}

/** One sweep's sync: continues the window in progress (or starts one) and reads pages until done or stopped. */
export async function runSync(input: SyncInput): Promise<SyncOutcome> {
  const { db, tableName, now, settings, logger } = input;
  const loaded = await loadSyncState(db, tableName);
  const window = syncCursor(loaded.state, now, settings.lookbackHours);
  const run: SyncRun = {
    state: loaded.state,
    version: loaded.version,
    window,
    cursor: window,
    size: settings.pageSize ?? SYNC_PAGE_SIZE,
    sweepStart: syncCursor({ syncedUntil: null, cursor: null }, now, 0).until,
    outcome: { synced: 0, applied: 0, appliedIds: [], invalid: 0, skipped: 0, pages: 0, caughtUp: false, lagSeconds: 0, stopped: null },
    ordersRead: new Set<string>(),
  };
  const { outcome } = run;
  for (;;) {
    if (outOfTime(input, outcome.pages)) {
      outcome.stopped = 'time';
      break;
    }
    if ((await syncPage(input, run)) === 'stop') break;
  }
  outcome.lagSeconds = syncLagSeconds(run.state, now);
  const fields = {
    synced: outcome.synced,
    applied: outcome.applied,
    invalid: outcome.invalid,
    pages: outcome.pages,
    skipped: outcome.skipped,
    lag_seconds: outcome.lagSeconds,
    window_since: run.window.since,
    window_until: windowEnd(run.window),
    next_page: run.state.cursor?.nextPage ?? null,
  };
  if (outcome.stopped === null) logger.info('sync done', fields);
  else logger.warn('sync stopped: the next sweep continues', { ...fields, reason: outcome.stopped });
  if (outcome.invalid > 0) logger.warn('sync skipped orders that are not valid orders', { invalid: outcome.invalid });
  return outcome;
}

/** Whether the sync's budget is spent: at least one page per sweep within it (or a tiny budget would never progress); never into the stale rules' time. */
function outOfTime(input: SyncInput, pages: number): boolean {
  return (pages > 0 && input.elapsedMs() >= input.settings.maxSeconds * 1000) || (input.timeLeft !== undefined && input.timeLeft() < SYNC_TIME_RESERVE_MS);
}

/** Why the sync stops on a page read that gave no page. A page that does not exist (404) is as unusable as a 5xx: read again next time. */
export function stopOfRead(read: Exclude<OrdersPageRead, { kind: 'ok' }>): SyncStop {
  if (read.kind === 'stopped') return read.why;
  return read.failure === 'invalid_answer' ? 'invalid_answer' : 'unavailable';
}

/** Reads the run's next page and applies it; `stop` when the sync ends in this sweep (its outcome says why). */
async function syncPage(input: SyncInput, run: SyncRun): Promise<'next' | 'stop'> {
  const { outcome } = run;
  const request = walkRequest(run.cursor, run.size);
  const read = await input.session.readOrdersPage(request);
  if (read.kind !== 'ok') {
    outcome.stopped = stopOfRead(read);
    return 'stop';
  }
  const { orders, invalid, total } = read.page;
  for (const order of orders) run.ordersRead.add(order.id);
  outcome.invalid += invalid;
  outcome.synced = run.ordersRead.size + outcome.invalid;
  const skipped = await applySyncPage(input, run, orders, request.page);
  if (skipped === 'held') return 'stop';
  outcome.pages++;
  const next = afterPage(run.cursor, pageTotal(request.page, orders.length + invalid, total, run.size), run.size, 'settled-first');
  const passed = pagePassed(run.state, orders.map((order) => order.id), skipped, run.window.since);
  const nextState: SyncState = next === 'done' ? windowDone(run.cursor, passed.skipped) : { ...passed, cursor: next };
  const saved = await saveSyncState(input.db, input.tableName, nextState, run.version, input.now);
  if (saved === 'lost') {
    outcome.stopped = 'conflict';
    return 'stop';
  }
  run.state = nextState;
  run.version = saved;
  if (next !== 'done') {
    run.cursor = next;
    return 'next';
  }
  // A window continued from an earlier sweep ends before this one started: the next window reaches this sweep's start.
  if (run.cursor.until >= run.sweepStart) {
    outcome.caughtUp = true;
    return 'stop';
  }
  run.window = syncCursor(run.state, input.now, input.settings.lookbackHours);
  run.cursor = run.window;
  return 'next';
}

/**
 * Applies a page read (applyPage) and settles its failures: the orders the sync
 * skips (each counted), or `held` when the page is read again by the next sweep
 * (its tries saved, the cursor kept).
 */
async function applySyncPage(input: SyncInput, run: SyncRun, orders: readonly OrderPayload[], page: number): Promise<OrderState[] | 'held'> {
  const { outcome } = run;
  const applied = await applyPage(input.db, input.tableName, orders);
  outcome.applied += applied.applied;
  outcome.appliedIds.push(...applied.appliedIds);
  if (applied.failed.length === 0) return [];
  const settled = settleFailures(run.state, applied.failed, page, input.logger);
  if (settled.hold) {
    outcome.stopped = 'apply_failed';
    if (settled.counted) await saveSyncState(input.db, input.tableName, { ...run.state, failing: settled.failing }, run.version, input.now);
    return 'held';
  }
  run.state = { ...run.state, failing: settled.failing };
  outcome.skipped += settled.skip.length;
  return settled.skip;
}
