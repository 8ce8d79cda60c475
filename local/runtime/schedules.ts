/**
 * npm start's schedules: the sweep every SWEEP_INTERVAL_SECONDS, as its
 * EventBridge schedule invokes it on AWS (one at a time through the sweep's
 * lease: a tick while another sweep holds it is `skipped`). With
 * LOG_FORMAT=text each run is a line in the request log; a failed run is
 * logged by its error's name. The stream readers are nudged after each run:
 * what it wrote is read at once. (The FHIR writer's poll has its own timer,
 * local/runtime/fhir-poller.ts, started with the FHIR parts.)
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SweepResult } from '../../functions/stale-redraw-sweep/app';
import { sweepLine } from '../request-log';

export interface SweepSchedule {
  sweep(): Promise<SweepResult>;
  intervalSeconds: number;
  /** Told what the sweep wrote is on the stream. */
  afterRun(): void;
  logger: Pick<Logger, 'error'>;
  requestLog?: ((line: string) => void) | undefined;
}

/** Starts the sweep's timer (it keeps no process alive); the stopper clears it. */
export function startSweepSchedule(schedule: SweepSchedule): { stop(): Promise<void> } {
  const timer = setInterval(() => {
    schedule
      .sweep()
      .then(
        (result) => schedule.requestLog?.(sweepLine(new Date(), result)),
        (error: unknown) => schedule.logger.error('scheduled sweep failed', { error_name: errorName(error) }),
      )
      .finally(schedule.afterRun);
  }, schedule.intervalSeconds * 1000);
  timer.unref();
  return { stop: async () => clearInterval(timer) };
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
