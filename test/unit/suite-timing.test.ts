/**
 * The suite's own measures (issue 54): a /proc stat line read as CPU seconds,
 * a run summed by layer with its slowest files, and the CPU budget naming the
 * layer that grew.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { describeOverBudget, layersOverBudget, type CpuBudget } from '../support/cpu-budget';
import { median, readSpeedSamples, referenceWorkReadings, speedFactor, startSpeedSampler } from '../support/machine-speed';
import { machineCpuSeconds, parseMachineStat, parseProcStat, processCpuSeconds } from '../support/suite-cpu';
import { formatRunSummary, summarizeRun } from '../support/suite-timing';
import { endpointForFile } from '../support/dynamodb';

describe('parseProcStat', () => {
  it('reads utime+stime and cutime+cstime in ticks, past a command name with spaces and parentheses', () => {
    const line = '4242 (node (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 1200 34 20 0 11 0 100 1000 100 0 0 0';
    expect(parseProcStat(line)).toEqual({ self: 3, children: 12.34 });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('not (a stat) line')).toThrow(/not a \/proc stat line/);
  });

  it("reads this process's own CPU, which grows as it works", () => {
    const before = processCpuSeconds('self');
    if (before === null) throw new Error('no /proc here: the suite measures on Linux');
    const end = Date.now() + 150;
    let spin = 0;
    while (Date.now() < end) spin += Math.sqrt(spin + 1);
    const after = processCpuSeconds('self');
    expect(after?.self ?? 0).toBeGreaterThan(before.self);
    expect(spin).toBeGreaterThan(0);
  });
});

describe('parseMachineStat', () => {
  it('reads the cores\' busy time (all but idle and iowait) and their whole time from /proc/stat\'s first line', () => {
    const text = 'cpu  1000 50 300 5000 150 0 20 0 0 0\ncpu0 500 25 150 2500 75 0 10 0 0 0\nintr 1 2 3\n';
    expect(parseMachineStat(text)).toEqual({ busy: 13.7, total: 65.2 });
    expect(() => parseMachineStat('intr 1 2 3')).toThrow(/not \/proc\/stat/);
  });

  it('reads this machine, whose whole time grows with the clock', async () => {
    const before = machineCpuSeconds();
    if (before === null) throw new Error('no /proc here: the suite measures on Linux');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = machineCpuSeconds();
    expect(after!.total).toBeGreaterThan(before.total);
    expect(after!.busy).toBeGreaterThanOrEqual(before.busy);
  });
});

describe('summarizeRun', () => {
  const files = [
    { file: 'test/e2e/a.test.ts', project: 'e2e', wallSeconds: 40, cpuSeconds: 30, endedAtSeconds: 45 },
    { file: 'test/unit/b.test.ts', project: 'unit', wallSeconds: 2, cpuSeconds: 1.5, endedAtSeconds: 98 },
    { file: 'test/unit/c.test.ts', project: 'unit', wallSeconds: 3, cpuSeconds: null, endedAtSeconds: 100 },
    { file: 'test/integration/d.test.ts', project: 'integration', wallSeconds: 90, cpuSeconds: 20 },
  ];

  it('sums each layer in the order the suite runs them, and lists the slowest files first', () => {
    const summary = summarizeRun({ files, sharedCpuSeconds: { 'dynamodb-local': 55, other: 12 }, wallSeconds: 100, loadAverage: { start: 0.1, end: 1.5 } });
    expect(summary.layers).toEqual([
      { project: 'unit', files: 2, wallSeconds: 5, cpuSeconds: 1.5, span: { from: 96, to: 100 } },
      { project: 'integration', files: 1, wallSeconds: 90, cpuSeconds: 20, span: null },
      { project: 'e2e', files: 1, wallSeconds: 40, cpuSeconds: 30, span: { from: 5, to: 45 } },
    ]);
    expect(summary.slowest.map((file) => file.file)).toEqual(['test/integration/d.test.ts', 'test/e2e/a.test.ts', 'test/unit/c.test.ts', 'test/unit/b.test.ts']);
    const text = formatRunSummary(summary);
    expect(text).toMatch(/integration\s+1\s+90 s\s+20 s\s+\?\n/);
    expect(text).toMatch(/unit\s+2\s+5 s\s+2 s\s+96-100\n/);
    expect(text).toContain("  the run's shared DynamoDB Local JVMs: cpu 55 s\n  the run's shared other: cpu 12 s\n");
    expect(text).toContain('load average 0.10 at the start, 1.50 at the end');
    expect(text).toMatch(/3 s {2}cpu \? {2}test\/unit\/c\.test\.ts/);
    expect(text).not.toContain('cores were busy');
  });

  it("says how busy the machine's cores were over the run", () => {
    const summary = summarizeRun({ files, sharedCpuSeconds: {}, wallSeconds: 100, loadAverage: { start: 0, end: 0 }, machine: { cores: 2, busySeconds: 154, totalSeconds: 200 } });
    expect(formatRunSummary(summary)).toContain("The machine's 2 cores were busy 77% of the run (154 s of 200 s, every process counted).");
  });

  it('keeps 15 files at most', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ file: `test/unit/f${i}.test.ts`, project: 'unit', wallSeconds: i, cpuSeconds: i }));
    const summary = summarizeRun({ files: many, sharedCpuSeconds: {}, wallSeconds: 1, loadAverage: { start: 0, end: 0 } });
    expect(summary.slowest).toHaveLength(15);
    expect(summary.slowest[0]?.wallSeconds).toBe(19);
    expect(formatRunSummary(summary)).not.toContain('JVM');
  });
});

describe('layersOverBudget', () => {
  const budget: CpuBudget = { margin: 0.25, layers: { unit: 100, integration: 400 }, referenceWorkSeconds: 1, measured: 'test' };

  it('passes a layer up to its figure plus the margin and names one past it', () => {
    expect(layersOverBudget([{ project: 'unit', cpuSeconds: 125 }], budget)).toEqual([]);
    const over = layersOverBudget([{ project: 'unit', cpuSeconds: 80 }, { project: 'integration', cpuSeconds: 501 }], budget);
    expect(over).toEqual([{ project: 'integration', cpuSeconds: 501, figureSeconds: 400, limitSeconds: 500, factor: 1 }]);
    expect(describeOverBudget(over[0]!)).toMatch(/^the integration layer spent 501 s of CPU, 25% over its figure of 400 s \(limit 500 s\)/);
  });

  it('raises each figure by the machine\'s speed factor before the margin, says so, and never lowers one', () => {
    // 1.2 times slower today: unit's limit is 100 x 1.2 x 1.25 = 150.
    expect(layersOverBudget([{ project: 'unit', cpuSeconds: 150 }], budget, 1.2)).toEqual([]);
    const over = layersOverBudget([{ project: 'unit', cpuSeconds: 151 }], budget, 1.2);
    expect(over).toEqual([{ project: 'unit', cpuSeconds: 151, figureSeconds: 100, limitSeconds: 150, factor: 1.2 }]);
    expect(describeOverBudget(over[0]!)).toMatch(/^the unit layer spent 151 s of CPU, 51% over its figure of 100 s \(limit 150 s, its figure ×1\.20 for this machine's speed today\): find what grew/);
    expect(() => layersOverBudget([{ project: 'unit', cpuSeconds: 1 }], budget, 0.8)).toThrow(/never lowers/);
  });

  it('calls a layer without a figure over, asking for one', () => {
    const over = layersOverBudget([{ project: 'browser', cpuSeconds: 10 }], budget);
    expect(over.map(describeOverBudget)).toEqual(['the browser layer has no CPU figure in test/cpu-budget.json (it spent 10 s): add one']);
    const shared = layersOverBudget([{ project: 'shared', cpuSeconds: 300 }], { ...budget, layers: { ...budget.layers, shared: 200 } });
    expect(shared.map(describeOverBudget)).toEqual([
      "the run's shared processes (DynamoDB Local JVMs) spent 300 s of CPU, 50% over its figure of 200 s (limit 250 s): find what grew (the run's slowest files are printed at its end), or raise the figure in test/cpu-budget.json saying why",
    ]);
  });
});

describe('the machine\'s speed (test/support/machine-speed.ts)', () => {
  it('takes the median of the reference workload\'s readings, so one run a third off moves nothing', () => {
    expect(median([1.0, 1.4, 0.98, 1.02, 0.99])).toBe(1.0);
    expect(median([2, 1])).toBe(1.5);
    expect(() => median([])).toThrow(/no readings/);
  });

  it('raises the figures by how much slower than on their day the workload ran, never below 1', () => {
    expect(speedFactor(1.5, 1.0)).toBe(1.5);
    expect(speedFactor(0.6, 1.0)).toBe(1);
  });

  it("reads the reference workload's CPU time from a process of its own", async () => {
    const [seconds] = await referenceWorkReadings(1);
    expect(seconds).toBeGreaterThan(0.05);
    expect(seconds).toBeLessThan(30);
  }, 60_000);

  it('samples the workload beside the run into its folder until stopped, one run at a time', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'speed-samples-'));
    try {
      const sampler = startSpeedSampler(runDir, 20);
      await vi.waitFor(() => expect(readSpeedSamples(runDir).length).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 50 });
      const landed = readSpeedSamples(runDir).length;
      // Within 20 ms of a run's end the next starts: stopped half a second later, one is under way, and it
      // lands before stop() resolves (seconds on a loaded machine); none starts after.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sampler.stop();
      const settled = readSpeedSamples(runDir).length;
      expect(settled).toBeGreaterThan(landed);
      // Nothing lands after it: neither the run that was under way (about a second) nor a new one.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(readSpeedSamples(runDir)).toHaveLength(settled);
      // Every 20 ms, a run of about a second: without one run at a time, tens would have landed.
      expect(settled).toBeLessThan(10);
      expect(readSpeedSamples(runDir).every((seconds) => seconds > 0.05)).toBe(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('endpointForFile', () => {
  const endpoints = ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3'];

  it('gives a file the same JVM every time, and spreads files over all of them', () => {
    const files = Array.from({ length: 60 }, (_, i) => `test/integration/file-${i}.test.ts`);
    expect(files.map((file) => endpointForFile(endpoints, file))).toEqual(files.map((file) => endpointForFile(endpoints, file)));
    const counts = new Map<string, number>();
    for (const file of files) counts.set(endpointForFile(endpoints, file), (counts.get(endpointForFile(endpoints, file)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(endpoints);
    for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(10);
  });

  it('refuses an empty list', () => {
    expect(() => endpointForFile([], 'test/integration/a.test.ts')).toThrow(/no DynamoDB Local endpoint/);
  });
});
