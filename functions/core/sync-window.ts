/**
 * The continuous sync's plan (CONTRACT §6, "Continuous sync"), as plain
 * functions: which window of Junction's `updated_at` a sweep reads from
 * `GET /v3/orders`, and in which order it reads the window's pages so that no
 * order of it is skipped, even one updated at Junction while the pages are read.
 *
 * Window. From the end of the previous sync, less SYNC_OVERLAP_MS (an order
 * updated just before that end but indexed by Junction a little later is read
 * again, harmlessly), to the sweep's start, fixed when the window starts. The
 * first sync starts SYNC_LOOKBACK_HOURS before it; older orders are the
 * backfill's.
 *
 * Pages. `GET /v3/orders` pages by offset and cannot sort by `updated_at`. With
 * the end fixed, an order can only LEAVE the filter while the window is read
 * (updated again at Junction, its `updated_at` passes the end); it then reaches
 * the next window. Sorted by a key that never changes (`order_key=created_at`),
 * a leaving order shifts every later one a place towards page 1, never away. So
 * the pages are read from the last (the first answer's `total` gives it) back to
 * page 1: an order not read yet sits at a position no greater than the last
 * position of the page about to be read, and either that page shows it or it has
 * moved into a page still to be read. By induction down to page 1, every order
 * that stays in the window is read; every order that leaves it is read by the
 * next window. A `total` larger than the previous answer's means orders ENTERED
 * (Junction indexing late): the walk starts again from the new last page, which
 * restores the argument.
 *
 * Settled part first. The total cannot tell an order that entered from one that
 * left at the same time (it stays the same), and an order that enters shifts the
 * later ones away from page 1, onto pages already read. Only an update made
 * within SYNC_OVERLAP_MS of the window's end can enter while the window is read
 * (Junction indexes it a little late). So the sync reads a window that spans more
 * than one page in two parts: first its settled part, which ends SYNC_OVERLAP_MS
 * before the window's end and which no order can enter, then the rest, up to the
 * window's end. A one-page part is read in one request, whole. Only a rest of more
 * than a page (over a page of updates in SYNC_OVERLAP_MS) can still miss an order
 * there, and the next window, which starts SYNC_OVERLAP_MS before this one's end,
 * reads that span again in its settled part.
 *
 * The position of the walk is a cursor saved after each page is applied: a
 * sweep that stops (Junction down, key rejected, out of time) leaves it, and the
 * next sweep continues from it (more orders may have left meanwhile: the argument
 * holds across sweeps). The sync's end moves forward only when page 1 is read.
 *
 * The backfill (functions/backfill/run.ts) walks its window the same way, with
 * the same functions: its end is fixed when it starts, so the same argument
 * holds across its pages and its invocations (its checkpoint is the cursor).
 *
 * An order that cannot be applied (a write refused for a reason that repeats, an
 * item that cannot be read) would hold its page, and so the window, forever. The
 * sync tries it again on each of SYNC_MAX_ATTEMPTS sweeps (`failing`, kept with
 * the state) and then skips it (`skipped`, counted and logged by id, for an
 * operator to backfill), so the window moves on. A skip is of one state of the
 * order (its `updated_at`): a newer update at Junction gets fresh tries. Failures
 * that say the table is unavailable are not the order's: they never count.
 */
import { canonicalFromDate, instantMillis } from './instant';

/** How far back each window reaches before the previous one's end (Junction's own indexing delay). */
export const SYNC_OVERLAP_MS = 5 * 60_000;

/** Orders per page: Junction's maximum. */
export const SYNC_PAGE_SIZE = 100;

/** The window being read and where its walk stands. */
export interface SyncCursor {
  /** Canonical instants, both inclusive (`updated_start_date`, `updated_end_date`). */
  since: string;
  until: string;
  /** The next page to read; null: the window's first request (page 1, which tells the total) is still to be made. */
  nextPage: number | null;
  /** The total the last answer gave (orders in the window then), once known. */
  total: number | null;
  /** The window's end while its settled part, which ends at `until`, is read; (`until`, `end`] is read next. Absent: `until` is the window's end. */
  end?: string;
}

/** How a window over more than one page is walked: whole (the backfill's), or its settled part first (the sync's; see the module's comment). */
export type WindowWalk = 'whole' | 'settled-first';

/** What is stored between sweeps. */
export interface SyncState {
  /** The end of the last window read and applied whole; null before the first one. */
  syncedUntil: string | null;
  /** A window started and not finished, to continue; null when none. */
  cursor: SyncCursor | null;
  /** Orders of the window in progress that could not be applied yet, with their tries (absent: none). */
  failing?: readonly FailingOrder[];
  /** Orders skipped after their last try, kept while a window may read that state again (absent: none). */
  skipped?: readonly OrderState[];
}

/** Sweeps that try an order which cannot be applied before the sync skips it. */
export const SYNC_MAX_ATTEMPTS = 3;

/** One state of an order at Junction: its id and its canonical `updated_at` (no PHI). */
export interface OrderState {
  id: string;
  updatedAt: string;
}

export interface FailingOrder extends OrderState {
  /** Sweeps that tried this state of the order and could not apply it. */
  attempts: number;
}

/** What to do about the orders of a page that could not be applied for a reason of their own. */
export interface FailureVerdict {
  /** The state's `failing` after these failures (one more try each). */
  failing: FailingOrder[];
  /** Orders whose tries are used up by this one: skip them now (count and log them). */
  skip: OrderState[];
  /** Orders skipped before in that very state: skip them again, silently. */
  skippedBefore: OrderState[];
  /** Whether some order has tries left: the page is then read again by the next sweep. */
  retry: boolean;
}

const sameState = (a: OrderState) => (b: OrderState) => a.id === b.id && a.updatedAt === b.updatedAt;

/** Counts one more try for each failed order and says which ones are skipped now (see the module's comment). */
export function judgeFailures(state: SyncState, failed: readonly OrderState[], maxAttempts: number = SYNC_MAX_ATTEMPTS): FailureVerdict {
  const failing = [...(state.failing ?? [])];
  const skip: OrderState[] = [];
  const skippedBefore: OrderState[] = [];
  let retry = false;
  for (const order of failed) {
    if ((state.skipped ?? []).some(sameState(order))) {
      skippedBefore.push(order);
      continue;
    }
    // A newer state of the order replaces an older one's tries.
    const index = failing.findIndex((known) => known.id === order.id);
    const attempts = (index >= 0 && failing[index]!.updatedAt === order.updatedAt ? failing[index]!.attempts : 0) + 1;
    const entry = { id: order.id, updatedAt: order.updatedAt, attempts };
    if (index >= 0) failing[index] = entry;
    else failing.push(entry);
    if (attempts >= maxAttempts) skip.push({ id: order.id, updatedAt: order.updatedAt });
    else retry = true;
  }
  return { failing, skip, skippedBefore, retry };
}

/**
 * The state once a page is past: its orders leave `failing` (applied, or skipped
 * and added to `skipped`). Skips older than the window being read cannot be read
 * again by it: they are dropped, so the item stays small.
 */
export function pagePassed(state: SyncState, pageIds: readonly string[], skipped: readonly OrderState[], since: string): SyncState {
  const ids = new Set(pageIds);
  const failing = (state.failing ?? []).filter((order) => !ids.has(order.id));
  const kept = [...(state.skipped ?? []), ...skipped].filter((order) => order.updatedAt >= since);
  return { syncedUntil: state.syncedUntil, cursor: state.cursor, ...(failing.length > 0 ? { failing } : {}), ...(kept.length > 0 ? { skipped: kept } : {}) };
}

export const NO_SYNC: SyncState = { syncedUntil: null, cursor: null };

/** The window a sweep starting at `now` reads: the one in progress, else a new one (see the module's comment). */
export function syncCursor(state: SyncState, now: Date, lookbackHours: number): SyncCursor {
  if (state.cursor !== null) return state.cursor;
  const until = canonicalFromDate(now);
  const startMs =
    state.syncedUntil === null ? now.getTime() - lookbackHours * 3_600_000 : instantMillis(state.syncedUntil) - SYNC_OVERLAP_MS;
  const since = canonicalFromDate(new Date(Math.min(startMs, now.getTime())));
  return { since, until, nextPage: null, total: null };
}

/** The page to request next for this cursor. */
export function pageToRead(cursor: SyncCursor): number {
  return cursor.nextPage ?? 1;
}

/**
 * The `GET /v3/orders` request of the walk's next step (a ListOrdersQuery): the
 * cursor's window, sorted by `created_at`, which never changes for an order —
 * the order the skip-free argument above relies on.
 */
export function walkRequest(cursor: SyncCursor, size: number) {
  return { page: pageToRead(cursor), size, updatedStart: cursor.since, updatedEnd: cursor.until, orderKey: 'created_at', orderDirection: 'asc' } as const;
}

/**
 * The total to walk by after a page of `received` orders (invalid ones
 * included): Junction's `total` when it said, else as many as the pages so far
 * show, plus one when this page is full (there may be more: the walk then goes
 * on until a short page, and back from there).
 */
export function pageTotal(page: number, received: number, total: number | null, size: number = SYNC_PAGE_SIZE): number {
  return total ?? (page - 1) * size + received + (received >= size ? 1 : 0);
}

/** Pages of `total` orders (at least one: an empty window is one empty page). */
export function lastPage(total: number, size: number = SYNC_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / size));
}

/**
 * What follows a page read and applied whole: the cursor to continue from, or
 * `done` when the window is read (its end can then become the sync's end).
 * `total` is what this answer said the window holds now.
 */
export function afterPage(cursor: SyncCursor, total: number, size: number = SYNC_PAGE_SIZE, walk: WindowWalk = 'whole'): SyncCursor | 'done' {
  const page = pageToRead(cursor);
  const last = lastPage(total, size);
  if (cursor.nextPage === null) {
    // The first request (page 1) told the total: one page holds the whole part (read at once).
    if (last === 1) return partDone(cursor);
    // More than one page: walk back from the last, in the settled part first when there is one (it holds no
    // more orders than the whole window, so its walk starts from the window's last page at most).
    const settled = walk === 'settled-first' ? settledEnd(cursor) : null;
    return settled === null ? { ...cursor, nextPage: last, total } : { since: cursor.since, until: settled, nextPage: last, total, end: cursor.until };
  }
  // Orders entered since the previous answer: later ones may have moved onto pages already read. Start again from the last.
  if (cursor.total !== null && total > cursor.total) return { ...cursor, nextPage: last, total };
  if (page <= 1) return partDone(cursor);
  // The next page down; or, when orders left and the part now ends on an earlier page, that page (no order is after it).
  return { ...cursor, nextPage: Math.min(page - 1, last), total };
}

/** After a part is read to page 1: the window's rest, when its settled part was read, else done. */
function partDone(cursor: SyncCursor): SyncCursor | 'done' {
  return cursor.end === undefined ? 'done' : { since: cursor.until, until: cursor.end, nextPage: null, total: null };
}

/** The end of a whole window's settled part, SYNC_OVERLAP_MS before its end; null when there is none (a rest, or a window shorter than that). */
function settledEnd(cursor: SyncCursor): string | null {
  if (cursor.end !== undefined) return null;
  const end = instantMillis(cursor.until) - SYNC_OVERLAP_MS;
  return end > instantMillis(cursor.since) ? canonicalFromDate(new Date(end)) : null;
}

/** A window's end, whichever part of it a cursor reads. */
export function windowEnd(cursor: SyncCursor): string {
  return cursor.end ?? cursor.until;
}

/** The state once a window is read whole (`cursor`: its last part read): its end is the sync's end, and nothing is in progress (skips are kept for the next window's overlap). */
export function windowDone(cursor: SyncCursor, skipped: readonly OrderState[] = []): SyncState {
  return { syncedUntil: windowEnd(cursor), cursor: null, ...(skipped.length > 0 ? { skipped } : {}) };
}

/**
 * How far behind Junction the sync is at `now`, in whole seconds: since the end
 * of the last window read whole, or, before the first one, since the start of
 * the window in progress.
 */
export function syncLagSeconds(state: SyncState, now: Date): number {
  const reference = state.syncedUntil ?? state.cursor?.since ?? null;
  if (reference === null) return 0;
  return Math.max(0, Math.floor((now.getTime() - instantMillis(reference)) / 1000));
}
