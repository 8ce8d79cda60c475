/**
 * `npm run bench -- --help` (bench/main.ts and bench/args.ts, issue 27 item 6): it lists every
 * section bench/README.md describes with about how long each takes, and runs
 * nothing; any other argument is a usage error, never the start of a long run.
 * "Runs nothing" is checked by what a run leaves: its progress lines on stderr
 * (`[bench] ...`, the first printed before any JVM starts) and its results file.
 *
 * One case stays a process, `npm run -s bench` itself: "refuses an unknown flag in
 * one line and exits 2 without running any section", what only a process shows:
 * the npm script reaching bench/main.ts, exit code 2 reaching the shell, and no
 * run started by the real entry (no progress line, no results file). The others
 * are about the help text and the usage error: they ask the same command line
 * (benchCommandLine, bench/args.ts) in this process, a spawn's 1.5 s of CPU saved;
 * its answer is an exit code, never 'run'.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCommandLine } from '../../bench/args';
import { repoRoot } from '../support/npm-start';

/** The process's case starts a process: seconds on a loaded machine (a bound, not a timing assertion). */
const SPAWN_TIMEOUT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'bench-help-'));
const output = join(dir, 'results.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run -s bench -- <args>`, its results aimed at a temporary file; a run that starts is killed at the bound. */
function benchScript(args: readonly string[]): Promise<BenchRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_OUTPUT: output };
  for (const name of Object.keys(env)) if (name.startsWith('BENCH_') && name !== 'BENCH_OUTPUT') delete env[name];
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', 'bench', '--', ...args], { cwd: repoRoot, env, timeout: SPAWN_TIMEOUT_MS - 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** The bench's command line on `args` in this process: its exit code, or null when it would run (and the test fails on it). */
function bench(args: readonly string[]): BenchRun {
  let stdout = '';
  let stderr = '';
  const answer = benchCommandLine(args, { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) } });
  return { code: answer === 'run' ? null : answer, stdout, stderr };
}

/** The section letters of bench/README.md's `## x. ...` headings. */
function readmeSections(): string[] {
  return [...readFileSync(join(repoRoot, 'bench/README.md'), 'utf8').matchAll(/^## ([a-z])\. /gm)].map((match) => match[1]!);
}

describe('npm run bench -- --help', () => {
  it('lists every section of bench/README.md with about how long it takes, and exits 0 without running any', () => {
    const { code, stdout, stderr } = bench(['--help']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('[bench]');
    expect(existsSync(output)).toBe(false);
    const sections = readmeSections();
    expect(sections).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o']);
    for (const section of sections) expect(stdout).toMatch(new RegExp(`^ {2}${section}\\. .*\\S {2,}(about|under) \\d+ min`, 'm'));
    // The whole run's duration, the quick run, and how to run one section alone.
    expect(stdout).toMatch(/^ {2}npm run bench {2,}every section: about \d+-\d+ minutes/m);
    expect(stdout).toContain('BENCH_QUICK=1 npm run bench');
    for (const only of ['cold-start', 'local-ingest', 'sync-cost', 'sweep-scale', 'console', 'worklist-reads', 'story-cost', 'report-scale', 'product-cost', 'fhir-cost', 'fhir-two-way']) expect(stdout).toContain(`BENCH_ONLY=${only}`);
    expect(stdout).toContain('PASS or FAIL');
  });

  it('refuses an unknown flag in one line and exits 2 without running any section', async () => {
    const { code, stdout, stderr } = await benchScript(['--quick']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'bench: unknown option: --quick (the bench takes no arguments; BENCH_* variables choose what runs: npm run bench -- --help)',
    ]);
    expect(existsSync(output)).toBe(false);
  }, SPAWN_TIMEOUT_MS);

  it('refuses a stray argument the same way', () => {
    const { code, stderr } = bench(['cold-start']);
    expect(code).toBe(2);
    expect(stderr).toContain('bench: unexpected argument: cold-start');
    expect(stderr).not.toContain('[bench]');
  });
});
