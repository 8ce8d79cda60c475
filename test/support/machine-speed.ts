/**
 * How fast this machine runs the suite's kind of work today, against the day the
 * CPU budget's figures were set (test/cpu-budget.json). The same suite's CPU time
 * has read twice as much on one day of this 2-core machine as on another (issue
 * 87's note: unit 51 s and 110 s, same tests), so a fixed figure either fails
 * on a slow day or guards nothing on a fast one. The budget test runs a fixed
 * reference workload (./machine-speed-work.mjs) a few times in processes of its
 * own, alone, after every layer, and raises each figure by how much slower than
 * on the figures' day it ran; it never lowers one.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';
import { repoRoot } from './npm-start';

/** Runs of the reference workload: its median is the reading (one run can read a third off). */
export const REFERENCE_RUNS = 5;

const WORK = join(repoRoot, 'test/support/machine-speed-work.mjs');
const WorkReading = z.object({ cpuSeconds: z.number().positive() });
const run = promisify(execFile);

/** The reference workload's CPU seconds, the median of `runs` runs one after another. */
export async function referenceWorkSeconds(runs = REFERENCE_RUNS): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const { stdout } = await run(process.execPath, [WORK], { cwd: repoRoot, env, timeout: 60_000 });
    readings.push(WorkReading.parse(JSON.parse(stdout)).cpuSeconds);
  }
  return median(readings);
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
