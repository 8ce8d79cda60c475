/**
 * One sweep through its Lambda factory (functions/stale-redraw-sweep/app.ts) at
 * a fixed `now`, for the integration tests that sweep against the Junction
 * stand-in (sweep-reconcile*, sweep-sync*): the real Powertools logger and
 * metrics, their output captured (and given back as lines and EMF values),
 * the requests the stand-in saw during the sweep, and the stream settled after.
 * A captured line that holds any of `never` (the API key, a PHI canary) fails the test.
 */
import { expect } from 'vitest';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createSweepHandler, type SweepHandlerDeps, type SweepResult } from '../../functions/stale-redraw-sweep/app';
import type { JunctionStandin } from '../../local/junction-standin';
import { captureOutput, emfValues } from './webhook';

export interface CapturedSweep {
  result: SweepResult;
  lines: string[];
  metric(name: string): number | undefined;
  /** URLs of the requests to Junction during the sweep. */
  requests: string[];
}

/** What the sweep is given, but its logger, metrics and clock (the factory's own, at `now`). */
export type SweepSetup = Omit<SweepHandlerDeps, 'logger' | 'metrics' | 'clock'>;

/** Runs one sweep of `setup` at `now`; `settle` lets the stream catch up after it. */
export async function sweepCaptured(
  setup: SweepSetup,
  now: number,
  around: { junction: JunctionStandin; settle(): Promise<void>; never: readonly string[] },
): Promise<CapturedSweep> {
  await around.junction.clearRequests();
  const handler = createSweepHandler({
    ...setup,
    logger: createLogger(SERVICES.staleRedrawSweep),
    metrics: createMetrics(SERVICES.staleRedrawSweep),
    clock: () => new Date(now),
  });
  const output = captureOutput();
  let result: SweepResult;
  try {
    result = await handler();
  } finally {
    output.restore();
  }
  const lines = output.lines();
  await around.settle();
  const values = emfValues(lines);
  for (const line of lines) for (const secret of around.never) expect(line).not.toContain(secret);
  return { result, lines, metric: (name) => values.get(name), requests: (await around.junction.requests()).map((request) => request.url) };
}
