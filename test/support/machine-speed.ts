/**
 * How fast this machine runs the suite's kind of work today, against the day the
 * CPU budget's figures were set (test/cpu-budget.json). The same suite's CPU time
 * has read twice as much on one day of this 2-core machine as on another (issue
 * 87's note: unit 51 s and 110 s, same tests), so a fixed figure either fails
 * on a slow day or guards nothing on a fast one; and the machine's speed moves
 * within an hour too (the workload read 0.9-1.0 s, then 1.1-1.4 s forty minutes
 * later, with nothing of ours running). So a fixed reference workload
 * (./machine-speed-work.mjs), in a process of its own, is run through the whole
 * run, every two minutes beside the tests (the timing reporter starts it), and a
 * few times alone after every layer (the budget test); the median of all of
 * them is the run's reading, and the budget raises each figure by how much
 * slower than on the figures' day it is. It never lowers one.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';
import { repoRoot } from './npm-start';
import { appendRunLine, readRunLines } from './suite-cpu';

/** Runs of the reference workload alone after every layer (the budget test), beside the run's samples. */
export const REFERENCE_RUNS = 3;

/** How often the workload runs beside the tests: about 1 s of CPU each, 1% of the machine. */
export const SAMPLE_EVERY_MS = 120_000;

const WORK = join(repoRoot, 'test/support/machine-speed-work.mjs');
const WorkReading = z.object({ cpuSeconds: z.number().positive() });
const SAMPLES_FILE = 'machine-speed.jsonl';
const run = promisify(execFile);

/** One run of the reference workload: its CPU seconds. */
async function runWork(): Promise<number> {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const { stdout } = await run(process.execPath, [WORK], { cwd: repoRoot, env, timeout: 60_000 });
  return WorkReading.parse(JSON.parse(stdout)).cpuSeconds;
}

/** The reference workload's CPU seconds of `runs` runs one after another. */
export async function referenceWorkReadings(runs = REFERENCE_RUNS): Promise<number[]> {
  const readings: number[] = [];
  for (let i = 0; i < runs; i += 1) readings.push(await runWork());
  return readings;
}

/**
 * Runs the workload every `everyMs` beside the tests, each reading appended to the run's folder
 * (./suite-cpu.ts RUN_DIR_VARIABLE), until stopped; a run that fails is left out (the budget test's
 * own runs remain). One run at a time; `stop()` starts no other and resolves once the run under way,
 * if any, has landed. It never holds the process open.
 */
export function startSpeedSampler(runDir: string, everyMs = SAMPLE_EVERY_MS): SpeedSampler {
  let underWay: Promise<void> | undefined;
  const sample = () => {
    underWay ??= runWork()
      .then((cpuSeconds) => appendRunLine(runDir, SAMPLES_FILE, WorkReading, { cpuSeconds }))
      .catch(() => undefined)
      .finally(() => (underWay = undefined));
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await underWay;
    },
  };
}

export interface SpeedSampler {
  stop(): Promise<void>;
}

/** The readings the sampler took in this run so far. */
export function readSpeedSamples(runDir: string): number[] {
  return readRunLines(runDir, SAMPLES_FILE, WorkReading).map((reading) => reading.cpuSeconds);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no readings');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How many times the figures are raised: today's reading over the figures' day's, never below 1. */
export function speedFactor(todaySeconds: number, figuresDaySeconds: number): number {
  return Math.max(1, todaySeconds / figuresDaySeconds);
}
