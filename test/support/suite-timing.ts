/**
 * Where a test run's time went, as plain data: each layer's (vitest project's)
 * files, their summed wall time and CPU time, the slowest files, the load
 * average. Printed by ./suite-timing-reporter.ts at the end of every run; the
 * budget test (test/budget/) gates the CPU figures with ./cpu-budget.ts.
 */

export interface FileTiming {
  file: string;
  project: string;
  wallSeconds: number;
  /** Null when the file left no record (it crashed before its last hook). */
  cpuSeconds: number | null;
  /** Seconds from the run's start to the file's last hook, or null without its record. */
  endedAtSeconds?: number | null;
}

export interface LayerTiming {
  project: string;
  files: number;
  /** The files' own wall times, summed (more than the layer's share of the run when files run side by side). */
  wallSeconds: number;
  cpuSeconds: number;
  /** When the layer ran, in seconds from the run's start: its first file's start to its last file's end (null without records). */
  span: { from: number; to: number } | null;
}

export interface RunSummary {
  layers: LayerTiming[];
  slowest: FileTiming[];
  /** CPU of the processes the run's files share (not in any file's figure), by what they are (./suite-cpu.ts SHARED_PROCESS_NAMES). */
  sharedCpuSeconds: Record<string, number>;
  wallSeconds: number;
  loadAverage: { start: number; end: number };
  /** How busy the machine's cores were over the run (every process, not only the suite's), or null without /proc. */
  machine: MachineBusy | null;
}

export interface MachineBusy {
  cores: number;
  /** CPU seconds the cores spent on anything but idle and iowait during the run. */
  busySeconds: number;
  /** CPU seconds the cores had during the run (cores x wall). */
  totalSeconds: number;
}

import { SHARED_PROCESS_NAMES } from './suite-cpu';

/** The suite's layers (vitest projects, each the folder test/<layer>/), in the order the suite runs them. */
export const LAYERS = ['unit', 'integration', 'infra', 'e2e', 'browser'] as const;

/** The order layers are printed in: the layers, then the budget that judges them. */
const LAYER_ORDER: readonly string[] = [...LAYERS, 'budget'];

const rank = (project: string): number => {
  const at = LAYER_ORDER.indexOf(project);
  return at === -1 ? LAYER_ORDER.length : at;
};

export function summarizeRun(input: {
  files: readonly FileTiming[];
  sharedCpuSeconds: Record<string, number>;
  wallSeconds: number;
  loadAverage: { start: number; end: number };
  machine?: MachineBusy | null;
}): RunSummary {
  const layers = new Map<string, LayerTiming>();
  for (const file of input.files) {
    const layer = layers.get(file.project) ?? { project: file.project, files: 0, wallSeconds: 0, cpuSeconds: 0, span: null };
    layer.files += 1;
    layer.wallSeconds += file.wallSeconds;
    layer.cpuSeconds += file.cpuSeconds ?? 0;
    if (file.endedAtSeconds !== undefined && file.endedAtSeconds !== null) {
      const from = Math.max(0, file.endedAtSeconds - file.wallSeconds);
      layer.span = { from: Math.min(layer.span?.from ?? from, from), to: Math.max(layer.span?.to ?? file.endedAtSeconds, file.endedAtSeconds) };
    }
    layers.set(file.project, layer);
  }
  return {
    layers: [...layers.values()].sort((a, b) => rank(a.project) - rank(b.project) || a.project.localeCompare(b.project)),
    slowest: [...input.files].sort((a, b) => b.wallSeconds - a.wallSeconds || a.file.localeCompare(b.file)).slice(0, 15),
    sharedCpuSeconds: input.sharedCpuSeconds,
    wallSeconds: input.wallSeconds,
    loadAverage: input.loadAverage,
    machine: input.machine ?? null,
  };
}

const seconds = (value: number): string => `${value.toFixed(0)} s`;

/** The summary as the lines printed above the run's closing count line. */
export function formatRunSummary(summary: RunSummary): string {
  const width = Math.max(5, ...summary.layers.map((layer) => layer.project.length));
  const lines = [
    'Time by layer (files side by side: their wall times add up to more than the run):',
    `  ${'layer'.padEnd(width)}  files  wall (sum)  cpu (sum)  ran (s from the start)`,
    ...summary.layers.map(
      (layer) =>
        `  ${layer.project.padEnd(width)}  ${String(layer.files).padStart(5)}  ${seconds(layer.wallSeconds).padStart(10)}  ${seconds(layer.cpuSeconds).padStart(9)}  ${layer.span === null ? '?' : `${layer.span.from.toFixed(0)}-${layer.span.to.toFixed(0)}`}`,
    ),
  ];
  for (const [name, cpu] of Object.entries(summary.sharedCpuSeconds).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  the run's shared ${SHARED_PROCESS_NAMES[name] ?? name}: cpu ${seconds(cpu)}`);
  }
  lines.push(`The ${summary.slowest.length} slowest files:`);
  for (const file of summary.slowest) {
    lines.push(`  ${seconds(file.wallSeconds).padStart(6)}  cpu ${file.cpuSeconds === null ? '?' : seconds(file.cpuSeconds).padStart(6)}  ${file.file}`);
  }
  lines.push(`Tests took ${seconds(summary.wallSeconds)}; load average ${summary.loadAverage.start.toFixed(2)} at the start, ${summary.loadAverage.end.toFixed(2)} at the end.`);
  const { machine } = summary;
  if (machine !== null && machine.totalSeconds > 0) {
    const share = Math.round((100 * machine.busySeconds) / machine.totalSeconds);
    lines.push(`The machine's ${machine.cores} cores were busy ${share}% of the run (${seconds(machine.busySeconds)} of ${seconds(machine.totalSeconds)}, every process counted).`);
  }
  return lines.join('\n');
}
