/**
 * The sweep's deadline (CONTRACT §4, §6): Junction is asked only until
 * STALE_RULES_RESERVE_MS before the invocation's end, and no step starts with
 * less than STEP_MARGIN_MS left; once one may not start, no later one does,
 * and the sweep stops cleanly (the next one goes on).
 */
import type { LogSink } from '../../shared/observability';

/**
 * Junction's deadline is this long before the invocation's end (CONTRACT §4,
 * §6): whatever Junction answers, the stale rules keep this much time for
 * themselves (DynamoDB and SNS only: candidates verified by Junction until its
 * deadline are flagged by §4 alone after it).
 */
export const STALE_RULES_RESERVE_MS = 90_000;
/**
 * A step (the sync, the catch-up, a candidate, a notification) starts only with
 * at least this much time left: a step's longest run with the SDK clients' own
 * timeouts (a notification is bounded by NOTIFY_TIMEOUT_MS), plus the final
 * count and the metrics. Below it the sweep stops cleanly and the next one goes on.
 */
export const STEP_MARGIN_MS = 45_000;

/** Junction's deadline (epoch ms on the wall clock) for a sweep that had `leftAtStartMs` when it started at `wallNowMs`. */
export function junctionDeadlineOf(wallNowMs: number, leftAtStartMs: number): number {
  return wallNowMs + leftAtStartMs - STALE_RULES_RESERVE_MS;
}

/** Whether a step may start with `leftMs` left. */
export function leavesStepTime(leftMs: number): boolean {
  return leftMs >= STEP_MARGIN_MS;
}

/** Whether the sweep's steps may start, and where it stopped if one could not. */
export interface StepGate {
  /** Whether `step` may start now; once one may not, no later step does either. */
  mayStart(step: string): boolean;
  /** The step that could not start, or null while none. */
  readonly stoppedAt: string | null;
}

/** The gate of one sweep, on its `timeLeft` (milliseconds left for the invocation). */
export function createStepGate(timeLeft: () => number, logger: LogSink): StepGate {
  let stoppedAt: string | null = null;
  return {
    mayStart(step) {
      if (stoppedAt !== null) return false;
      const left = timeLeft();
      if (leavesStepTime(left)) return true;
      stoppedAt = step;
      logger.warn('sweep time low: stopping cleanly, the next sweep goes on', { step, time_left_ms: Math.max(0, Math.round(left)) });
      return false;
    },
    get stoppedAt() {
      return stoppedAt;
    },
  };
}
