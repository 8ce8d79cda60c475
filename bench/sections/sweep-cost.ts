/**
 * Section c: the stale-redraw sweep's cost as the table grows
 * (BENCH_SWEEP_SIZES orders, BENCH_SWEEP_DUE due), on a JVM of its own.
 */
import { measureSweepCost, type SweepCost } from '../sweep-cost';
import { onFreshJvm, section } from './section';
import { pad } from './table';

function sweepCostLines(sweeps: readonly SweepCost[]): string[] {
  const lines = [
    'c. Stale-redraw sweep as the table grows',
    pad(['orders', 'due', 'examined', 'index keys read', 'items by key', 'keys evaluated', 'requests', 'read units', 'ms']),
  ];
  for (const sweep of sweeps) lines.push(pad([sweep.orders, sweep.dueCandidates, sweep.examined, sweep.itemsRead, sweep.itemsReadByKey, sweep.itemsEvaluated, sweep.requests, sweep.readUnits, sweep.ms]));
  return lines;
}

/** c. Sweep cost, on a fresh JVM (DynamoDB Local slows down with many stream tables). */
export const sweepCost = section({
  id: 'c',
  key: 'sweep',
  measure: ({ settings }) => onFreshJvm((endpoint) => measureSweepCost(endpoint, settings.sweepSizes, settings.sweepDue)),
  lines: sweepCostLines,
});
