/**
 * A vitest reporter (vitest.config.mts, and `.ci/run`'s reporters): at the end
 * of every run it prints where the time went, each layer's files' wall time and
 * CPU time, the 15 slowest files, and the load average at the start and the
 * end, and writes the same as JSON, with every file's figures, to
 * test-results/suite-timing.json (`.ci/run` keeps a copy in the checkout; the trend
 * in docs/engineering-notes.md is read from it). The run's folder of CPU
 * records (./suite-cpu.ts) is removed afterwards. Through the run it samples
 * the machine's speed for the budget test (./machine-speed.ts startSpeedSampler).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { machineCpuSeconds, readFileCpu, RUN_DIR_VARIABLE, sharedProcessCpuSeconds, type FileCpu } from './suite-cpu';
import { startSpeedSampler, type SpeedSampler } from './machine-speed';
import { repoRoot } from './npm-start';
import { summarizeRun, formatRunSummary, type FileTiming } from './suite-timing';

export const TIMING_JSON = resolve(repoRoot, 'test-results/suite-timing.json');

function machineBusy(start: { busy: number; total: number } | null, end: { busy: number; total: number } | null) {
  if (start === null || end === null) return null;
  return { cores: availableParallelism(), busySeconds: end.busy - start.busy, totalSeconds: end.total - start.total };
}

export default class SuiteTimingReporter implements Reporter {
  private startedAt = Date.now();
  private loadAtStart = loadavg()[0] ?? 0;
  private machineAtStart = machineCpuSeconds();
  private sampler: SpeedSampler | undefined;

  onTestRunStart(): void {
    this.startedAt = Date.now();
    this.loadAtStart = loadavg()[0] ?? 0;
    this.machineAtStart = machineCpuSeconds();
    const runDir = process.env[RUN_DIR_VARIABLE];
    void this.sampler?.stop();
    this.sampler = runDir === undefined ? undefined : startSpeedSampler(runDir);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // Not awaited: a reading still under way would change nothing of what this prints.
    void this.sampler?.stop();
    const runDir = process.env[RUN_DIR_VARIABLE];
    const cpu = new Map<string, FileCpu>((runDir === undefined ? [] : readFileCpu(runDir)).map((record) => [record.file, record]));
    const files: FileTiming[] = testModules.map((module) => {
      const file = relative(repoRoot, module.moduleId);
      const diagnostic = module.diagnostic();
      const measured = cpu.get(file);
      return {
        file,
        project: module.project.name,
        // What vitest counts for the file (its setup, import and tests), or the process's own wall time when longer (a worker's start).
        wallSeconds: Math.max((diagnostic.setupDuration + diagnostic.collectDuration + diagnostic.duration) / 1000, measured?.wallSeconds ?? 0),
        cpuSeconds: measured?.cpuSeconds ?? null,
        endedAtSeconds: measured === undefined ? null : Math.round((measured.endedAtMs - this.startedAt) / 100) / 10,
      };
    });
    const summary = summarizeRun({
      files,
      sharedCpuSeconds: runDir === undefined ? {} : sharedProcessCpuSeconds(runDir),
      wallSeconds: (Date.now() - this.startedAt) / 1000,
      loadAverage: { start: this.loadAtStart, end: loadavg()[0] ?? 0 },
      machine: machineBusy(this.machineAtStart, machineCpuSeconds()),
    });
    process.stdout.write(`\n${formatRunSummary(summary)}\n`);
    mkdirSync(dirname(TIMING_JSON), { recursive: true });
    // Every file's figures too, slowest first: what to cut next is read from there.
    writeFileSync(TIMING_JSON, `${JSON.stringify({ ...summary, files: [...files].sort((a, b) => b.wallSeconds - a.wallSeconds) }, null, 2)}\n`);
    if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
  }
}
