/**
 * The suite's CPU budget: each layer's summed CPU time (./suite-cpu.ts) against
 * the figure kept in test/cpu-budget.json plus its margin (25%). CPU time, not
 * wall time: a busy machine stretches wall time by tens of percent and barely
 * moves CPU time, so the gate holds the suite's cost without being flaky.
 * Only a layer that ran whole is judged (a run of some files says nothing of it).
 * CPU time still moves with the machine's day (its caches, its host): each
 * figure is raised by how much slower than on the figures' day this machine ran
 * a fixed reference workload (./machine-speed.ts), and never lowered.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

export const CpuBudget = z.object({
  /** How far over its figure a layer may go: 0.25 is 25%. */
  margin: z.number().min(0).max(1),
  /** CPU seconds per layer, as measured when the figure was last set (test/cpu-budget.json says when). */
  layers: z.record(z.string(), z.number().positive()),
  /** The reference workload's CPU seconds (./machine-speed.ts, the median of its runs) on the figures' day. */
  referenceWorkSeconds: z.number().positive(),
  /** When and how the figures were measured. */
  measured: z.string(),
});
export type CpuBudget = z.infer<typeof CpuBudget>;

export function readCpuBudget(path: string): CpuBudget {
  return CpuBudget.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export interface LayerCpu {
  project: string;
  cpuSeconds: number;
}

export interface OverBudget {
  project: string;
  cpuSeconds: number;
  figureSeconds: number;
  limitSeconds: number;
  /** How many times the figure was raised for this machine's speed (./machine-speed.ts speedFactor): 1 on the figures' day or a faster one. */
  factor: number;
}

/**
 * The layers over their figure, raised `factor` times for the machine's speed, plus the margin;
 * a layer without a figure is over (a new layer needs one).
 */
export function layersOverBudget(measured: readonly LayerCpu[], budget: CpuBudget, factor = 1): OverBudget[] {
  if (!(factor >= 1)) throw new Error(`a speed factor raises the figures, never lowers them: ${factor}`);
  return measured.flatMap((layer) => {
    const figure = budget.layers[layer.project];
    if (figure === undefined) return [{ project: layer.project, cpuSeconds: layer.cpuSeconds, figureSeconds: 0, limitSeconds: 0, factor }];
    const limit = figure * factor * (1 + budget.margin);
    return layer.cpuSeconds > limit ? [{ project: layer.project, cpuSeconds: layer.cpuSeconds, figureSeconds: figure, limitSeconds: limit, factor }] : [];
  });
}

/** One sentence per layer over its budget, naming it. */
export function describeOverBudget(over: OverBudget): string {
  // `shared`: the processes the layers share (the run's DynamoDB Local JVMs), judged as a line of their own.
  const what = over.project === 'shared' ? "the run's shared processes (DynamoDB Local JVMs)" : `the ${over.project} layer`;
  if (over.figureSeconds === 0) return `${what} has no CPU figure in test/cpu-budget.json (it spent ${over.cpuSeconds.toFixed(0)} s): add one`;
  const grown = ((over.cpuSeconds / over.figureSeconds - 1) * 100).toFixed(0);
  const raised = over.factor > 1 ? `, its figure ×${over.factor.toFixed(2)} for this machine's speed today` : '';
  return `${what} spent ${over.cpuSeconds.toFixed(0)} s of CPU, ${grown}% over its figure of ${over.figureSeconds.toFixed(0)} s (limit ${over.limitSeconds.toFixed(0)} s${raised}): find what grew (the run's slowest files are printed at its end), or raise the figure in test/cpu-budget.json saying why`;
}
