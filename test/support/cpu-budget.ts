/**
 * The suite's CPU budget: each layer's summed CPU time (./suite-cpu.ts) against
 * the figure kept in test/cpu-budget.json plus its margin (25%). CPU time, not
 * wall time: a busy machine stretches wall time by tens of percent and barely
 * moves CPU time, so the gate holds the suite's cost without being flaky.
 * Only a layer that ran whole is judged (a run of some files says nothing of it).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

export const CpuBudget = z.object({
  /** How far over its figure a layer may go: 0.25 is 25%. */
  margin: z.number().min(0).max(1),
  /** CPU seconds per layer, as measured when the figure was last set (test/cpu-budget.json says when). */
  layers: z.record(z.string(), z.number().positive()),
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
}

/** The layers over their figure plus the margin; a layer without a figure is over (a new layer needs one). */
export function layersOverBudget(measured: readonly LayerCpu[], budget: CpuBudget): OverBudget[] {
  return measured.flatMap((layer) => {
    const figure = budget.layers[layer.project];
    if (figure === undefined) return [{ project: layer.project, cpuSeconds: layer.cpuSeconds, figureSeconds: 0, limitSeconds: 0 }];
    const limit = figure * (1 + budget.margin);
    return layer.cpuSeconds > limit ? [{ project: layer.project, cpuSeconds: layer.cpuSeconds, figureSeconds: figure, limitSeconds: limit }] : [];
  });
}

/** One sentence per layer over its budget, naming it. */
export function describeOverBudget(over: OverBudget): string {
  // `shared`: the processes the layers share (the run's DynamoDB Local JVMs), judged as a line of their own.
  const what = over.project === 'shared' ? "the run's shared processes (DynamoDB Local JVMs)" : `the ${over.project} layer`;
  if (over.figureSeconds === 0) return `${what} has no CPU figure in test/cpu-budget.json (it spent ${over.cpuSeconds.toFixed(0)} s): add one`;
  const grown = ((over.cpuSeconds / over.figureSeconds - 1) * 100).toFixed(0);
  return `${what} spent ${over.cpuSeconds.toFixed(0)} s of CPU, ${grown}% over its figure of ${over.figureSeconds.toFixed(0)} s (limit ${over.limitSeconds.toFixed(0)} s): find what grew (the run's slowest files are printed at its end), or raise the figure in test/cpu-budget.json saying why`;
}
