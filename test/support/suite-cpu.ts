/**
 * What a test run costs, file by file: each test file's wall time and the CPU
 * its process and the children it waited for (npm start, Chromium, a JVM of its
 * own, the CLI) spent. Recorded by ./record-file-cpu.ts (a setup file of every
 * project) into the run's folder, read by the timing reporter and the CPU
 * budget test (test/budget/). CPU time, unlike wall time, barely moves with the
 * machine's load, so it is what the budget gates; wall time is printed only.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** The environment variable naming this run's folder (set once by vitest.config.mts, inherited by every worker). */
export const RUN_DIR_VARIABLE = 'REDRAW_TEST_RUN_DIR';

/** Where the process ids of a kind of process the run shares are written, one a line (./global-setup.ts, ./chromium-global-setup.ts). */
const sharedPidFile = (name: string): string => `shared.${name}.pid`;

const CPU_FILE = 'cpu.jsonl';

export const FileCpu = z.object({
  /** The test file, relative to the repository (test/unit/foo.test.ts). */
  file: z.string(),
  /** The vitest project (layer): unit, integration, infra, e2e, browser, budget. */
  project: z.string(),
  /** CPU seconds (user + system) of the file's process and of the children it waited for. */
  cpuSeconds: z.number().nonnegative(),
  /** From the file's process start (or its previous file's end in a reused worker) to its last hook. */
  wallSeconds: z.number().nonnegative(),
  /** When its last hook ran (epoch milliseconds): with wallSeconds, where the file sat in the run. */
  endedAtMs: z.number().int().nonnegative(),
});
export type FileCpu = z.infer<typeof FileCpu>;

/** Clock ticks per second of /proc's times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU seconds of a process from its /proc/<pid>/stat line: its own (utime + stime) and its waited-for children's (cutime + cstime). */
export function parseProcStat(line: string): { self: number; children: number } {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const at = (field: number): number => {
    const value = Number(fields[field - 3]);
    if (!Number.isFinite(value)) throw new Error(`not a /proc stat line (field ${field}): ${line.slice(0, 80)}`);
    return value;
  };
  return { self: (at(14) + at(15)) / TICKS_PER_SECOND, children: (at(16) + at(17)) / TICKS_PER_SECOND };
}

/** CPU seconds of a live process (`self`: this one), or null where /proc does not have it (another OS, a process gone). */
export function processCpuSeconds(pid: number | 'self'): { self: number; children: number } | null {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return null;
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** The machine's CPU time from /proc/stat's first line, in seconds: busy (all but idle and iowait) and all. */
export function parseMachineStat(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((candidate) => /^cpu\s/.test(candidate));
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 5 || ticks.some((value) => !Number.isFinite(value))) throw new Error(`not /proc/stat: ${text.slice(0, 80)}`);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3]! + ticks[4]!; // idle and iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** The machine's CPU time so far (./parseMachineStat), or null where /proc does not have it. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    return parseMachineStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Appends `value`, checked against `schema`, as one JSON line to `file` in the run's folder (made if missing). */
export function appendRunLine<T>(runDir: string, file: string, schema: z.ZodType<T>, value: T): void {
  mkdirSync(runDir, { recursive: true });
  appendFileSync(join(runDir, file), `${JSON.stringify(schema.parse(value))}\n`);
}

/** Every JSON line of `file` in the run's folder so far, each checked against `schema` (none when it is missing). */
export function readRunLines<T>(runDir: string, file: string, schema: z.ZodType<T>): T[] {
  const path = join(runDir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => schema.parse(JSON.parse(line)));
}

/** Appends one file's record to the run's folder. */
export function appendFileCpu(runDir: string, record: FileCpu): void {
  appendRunLine(runDir, CPU_FILE, FileCpu, record);
}

/** Every file's record of the run so far. */
export function readFileCpu(runDir: string): FileCpu[] {
  return readRunLines(runDir, CPU_FILE, FileCpu);
}

/** Notes the process ids of processes the run's files share (no file's own CPU counts them): `name` says what they are. */
export function recordSharedProcesses(runDir: string, name: string, pids: readonly number[]): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, sharedPidFile(name)), pids.join('\n'));
}

/** What the run shares, by the name recordSharedProcesses was given, as printed. */
export const SHARED_PROCESS_NAMES: Record<string, string> = { 'dynamodb-local': 'DynamoDB Local JVMs', 'dynamodb-local-e2e': 'DynamoDB Local JVM of the e2e layer' };

/**
 * CPU seconds the run's shared processes have spent so far, by name: each process's own, its reaped
 * children's and its live descendants'.
 */
export function sharedProcessCpuSeconds(runDir: string): Record<string, number> {
  if (!existsSync(runDir)) return {};
  const byName: Record<string, number> = {};
  const tree = processTree();
  for (const file of readdirSync(runDir)) {
    const name = /^shared\.(.+)\.pid$/.exec(file)?.[1];
    if (name === undefined) continue;
    const pids = readFileSync(join(runDir, file), 'utf8').split('\n').filter((line) => line.trim() !== '').map(Number);
    byName[name] = pids.reduce((sum, pid) => sum + treeCpuSeconds(pid, tree), 0);
  }
  return byName;
}

/** Every live process's parent, from /proc (empty where there is none). */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  if (!existsSync('/proc')) return children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

function treeCpuSeconds(pid: number, tree: Map<number, number[]>): number {
  const cpu = processCpuSeconds(pid);
  if (cpu === null) return 0;
  return cpu.self + cpu.children + (tree.get(pid) ?? []).reduce((sum, child) => sum + treeCpuSeconds(child, tree), 0);
}
