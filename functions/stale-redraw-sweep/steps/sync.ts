/**
 * The sweep's first step with a Junction API key (CONTRACT §6): the continuous
 * sync (../sync.ts), so that the catch-up and the stale rules work on what it
 * brought. A sync that fails counts as a failure of the sweep, never stops it.
 */
import { errorName } from '../../shared/observability';
import { runSync, type SyncOutcome, type SyncSettings } from '../sync';
import type { SweepContext } from './context';

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
