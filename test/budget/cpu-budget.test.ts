/**
 * The suite keeps its cost (issue 54): runs after every other layer (its own
 * project, vitest.config.mts) and compares each layer that ran whole, its
 * files' summed CPU time (test/support/suite-cpu.ts, recorded by every file's
 * setup), with the figure in test/cpu-budget.json plus 25%. The processes the
 * layers share (the run's DynamoDB Local JVMs, used by the integration, e2e
 * and browser files: issue 87) are no layer's:
 * they are judged as their own line, `shared`, when every layer ran whole.
 * Each figure is first raised by how much slower than on the figures' day this
 * machine runs a fixed reference workload: sampled beside the tests through the
 * run and measured here, alone, after every layer (test/support/machine-speed.ts);
 * never lowered.
 * Wall time is printed at the end of the run, never gated.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOverBudget, layersOverBudget, readCpuBudget, type LayerCpu } from '../support/cpu-budget';
import { median, readSpeedSamples, referenceWorkReadings, speedFactor } from '../support/machine-speed';
import { repoRoot } from '../support/npm-start';
import { readFileCpu, RUN_DIR_VARIABLE, sharedProcessCpuSeconds } from '../support/suite-cpu';
import { LAYERS } from '../support/suite-timing';

function filesOf(layer: string): string[] {
  return readdirSync(join(repoRoot, 'test', layer), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join('test', layer, file))
    .sort();
}

describe('the suite\'s CPU budget (test/cpu-budget.json)', () => {
  it('every layer that ran whole spent at most its figure plus the margin', async () => {
    const runDir = process.env[RUN_DIR_VARIABLE];
    if (runDir === undefined) throw new Error(`${RUN_DIR_VARIABLE} is not set: run through vitest.config.mts`);
    const records = readFileCpu(runDir);
    const budget = readCpuBudget(join(repoRoot, 'test/cpu-budget.json'));
    const whole: LayerCpu[] = [];
    for (const layer of LAYERS) {
      const ran = records.filter((record) => record.project === layer);
      const expected = filesOf(layer);
      if (ran.map((record) => record.file).sort().join('\n') !== expected.join('\n')) continue;
      whole.push({ project: layer, cpuSeconds: ran.reduce((sum, record) => sum + record.cpuSeconds, 0) });
    }
    if (whole.length === LAYERS.length) {
      whole.push({ project: 'shared', cpuSeconds: Object.values(sharedProcessCpuSeconds(runDir)).reduce((sum, cpu) => sum + cpu, 0) });
    }
    console.log(`CPU by layer that ran whole: ${whole.map((layer) => `${layer.project} ${layer.cpuSeconds.toFixed(0)} s (figure ${budget.layers[layer.project] ?? '?'} s)`).join(', ') || 'none'}`);
    if (whole.length === 0) return;
    const beside = readSpeedSamples(runDir);
    const readings = [...beside, ...(await referenceWorkReadings())];
    const today = median(readings);
    const factor = speedFactor(today, budget.referenceWorkSeconds);
    console.log(
      `The reference workload: ${today.toFixed(2)} s of CPU in this run (the median of ${readings.length}, ${beside.length} beside the tests: ${readings.map((seconds) => seconds.toFixed(2)).join(', ')}), ${budget.referenceWorkSeconds.toFixed(2)} s on the figures' day: figures ×${factor.toFixed(2)}`,
    );
    const over = layersOverBudget(whole, budget, factor);
    expect(over.map(describeOverBudget)).toEqual([]);
  }, 120_000);
});
