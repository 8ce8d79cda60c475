/**
 * A setup file of every project (vitest.config.mts): after the test file's
 * last hook, records what it cost (./suite-cpu.ts) into the run's folder. Each
 * file runs in a fresh worker process (vitest's default isolation), so the
 * process's CPU is the file's, its start-up included; in a reused worker the
 * marks left in the process's environment make it the difference since the
 * previous file.
 */
import { relative } from 'node:path';
import { afterAll } from 'vitest';
import { repoRoot } from './npm-start';
import { appendFileCpu, processCpuSeconds, RUN_DIR_VARIABLE } from './suite-cpu';

const MARK = 'REDRAW_TEST_CPU_MARK';

// The hook's context is unused, but vitest asks for an object pattern there.
// eslint-disable-next-line no-empty-pattern
afterAll(({}, suite) => {
  const runDir = process.env[RUN_DIR_VARIABLE];
  const cpu = processCpuSeconds('self');
  if (runDir === undefined || cpu === null || !('filepath' in suite)) return;
  const total = cpu.self + cpu.children;
  const wall = process.uptime();
  const [cpuBefore, wallBefore] = (process.env[MARK] ?? '0 0').split(' ').map(Number);
  process.env[MARK] = `${total} ${wall}`;
  appendFileCpu(runDir, {
    file: relative(repoRoot, suite.filepath),
    project: suite.projectName ?? 'unknown',
    cpuSeconds: Math.max(0, total - (cpuBefore ?? 0)),
    wallSeconds: Math.max(0, wall - (wallBefore ?? 0)),
    endedAtMs: Date.now(),
  });
});
