/**
 * Catch-up (CONTRACT §6), after the sync and before the stale rules, so that
 * the candidates read next already show what it repaired: reads from Junction
 * the members whose own state has been behind what a listing showed for them
 * for longer than RECONCILE_AFTER_MINUTES (by Junction's status times, never
 * our clock), the longest behind first, at most RECONCILE_MAX_PER_SWEEP, each
 * once. A transaction none of whose due members Junction improved (older or
 * the same state, 404) is paused (1 h, doubling to 24 h:
 * core/catch-up-backoff.ts), so it does not stay first forever and the members
 * behind it get read; a read that failed (unavailable, invalid) pauses
 * nothing: the next sweep reads it again.
 */
import { catchUpPauseMs } from '../../core/catch-up-backoff';
import { canonicalFromDate } from '../../core/instant';
import { membersBehindBefore } from '../../core/members';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { pauseCatchUp, readBehindTransactions, type BehindTransaction } from '../../store/catch-up';
import type { ReconcileSettings } from '../config';
import type { CatchUpRead, JunctionSession } from './junction-session';
import type { SweepContext } from './context';

/** Catch-up reads in flight at once: polite to Junction's API. */
const JUNCTION_CONCURRENCY = 4;
const MINUTE_MS = 60_000;

/** What one catch-up did. */
export interface CatchUpRun {
  /** Members due (behind their listings for longer than RECONCILE_AFTER_MINUTES, not paused). */
  due: number;
  /** Reads whose answer did not improve the member (older or the same state, or 404). */
  notImproved: number;
  /** Transactions paused because none of their read members improved. */
  paused: number;
}

/** What a catch-up reads: each transaction's due members, every due member once, and those read in this sweep (the first `maxPerSweep`). */
export interface CatchUpPlan<T> {
  dueOf: Map<T, string[]>;
  due: string[];
  reading: string[];
}

/** The plan of a catch-up over the transactions read, for members behind since before `before` (a canonical instant). */
export function catchUpPlan<T extends Pick<BehindTransaction, 'transaction'>>(transactions: readonly T[], before: string, maxPerSweep: number): CatchUpPlan<T> {
  const dueOf = new Map(transactions.map((behind) => [behind, membersBehindBefore(Object.values(behind.transaction.members), before).map((member) => member.id)]));
  const due = [...new Set([...dueOf.values()].flat())];
  return { dueOf, due, reading: due.slice(0, maxPerSweep) };
}

/** The transactions to pause: those with due members, none of which Junction improved. */
export function toPause<T>(dueOf: ReadonlyMap<T, readonly string[]>, outcomes: ReadonlyMap<string, CatchUpRead>): T[] {
  return [...dueOf].filter(([, members]) => members.length > 0 && members.every((id) => outcomes.get(id) === 'not_improved')).map(([behind]) => behind);
}

/** A transaction's pause: one more read that did not improve it, and its sort key moved to when it is due again. */
export function pauseOf(notImprovedReads: number, nowMs: number, afterMs: number): { notImprovedReads: number; sortFrom: string } {
  const reads = notImprovedReads + 1;
  const nextTry = nowMs + catchUpPauseMs(reads);
  return { notImprovedReads: reads, sortFrom: canonicalFromDate(new Date(nextTry - afterMs)) };
}

/** The catch-up, with a Junction session and time to start it; null when it did not run or threw. */
export async function catchUpStep(ctx: SweepContext, settings: ReconcileSettings): Promise<CatchUpRun | null> {
  const { session, logger, tally } = ctx;
  if (session === null || !ctx.gate.mayStart('catch_up')) return null;
  try {
    return await catchUp(ctx, session, settings);
  } catch (error) {
    tally.failures++;
    logger.error('catch-up failed', { error: errorName(error) });
    return null;
  }
}

async function catchUp(ctx: SweepContext, session: JunctionSession, settings: ReconcileSettings): Promise<CatchUpRun> {
  const { db, tableName, now, logger } = ctx;
  const afterMs = settings.afterMinutes * MINUTE_MS;
  const before = canonicalFromDate(new Date(now.getTime() - afterMs));
  const transactions = await readBehindTransactions(db, tableName, before, settings.maxPerSweep);
  const { dueOf, due, reading } = catchUpPlan(transactions, before, settings.maxPerSweep);
  if (due.length > reading.length) logger.info('catch-up capped: the rest waits for the next sweep', { due: due.length, reading: reading.length });
  const outcomes = new Map<string, CatchUpRead>();
  await forEachLimited(reading, JUNCTION_CONCURRENCY, async (orderId) => {
    if (!ctx.gate.mayStart('catch_up')) return;
    try {
      outcomes.set(orderId, await session.catchUpOrder(orderId));
    } catch (error) {
      logger.error('applying an api read failed', { order_id: orderId, error: errorName(error) });
      ctx.tally.failures++;
    }
  });
  const notImproved = [...outcomes.values()].filter((outcome) => outcome === 'not_improved').length;
  let paused = 0;
  for (const behind of toPause(dueOf, outcomes)) {
    try {
      const written = await pauseCatchUp(db, tableName, behind.transaction, pauseOf(behind.notImprovedReads, now.getTime(), afterMs));
      if (written === 'written') paused++;
    } catch (error) {
      // Not pausing costs one more read next sweep, nothing else.
      logger.warn('pausing a catch-up failed', { transaction_id: behind.transaction.id, error: errorName(error) });
    }
  }
  return { due: due.length, notImproved, paused };
}
