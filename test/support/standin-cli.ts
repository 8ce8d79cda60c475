/**
 * What the stand-ins' command-line tests share (test/unit/junction-api-cli.test.ts,
 * test/unit/junction-api-webhooks-cli.test.ts, test/unit/fhir-server-cli.test.ts,
 * test/integration/junction-standin.test.ts): a stand-in run as a process until
 * its banner, used, then stopped with SIGTERM;
 * running `npm run -s <script>` to its end with the stand-in's settings cleared, or
 * the same command line in this process (standinMain, local/standin/cli.ts) with
 * the environment that process would have had, where the process itself is not
 * what a case is about (it saves npm's and tsx's starts: about 1.5 s of CPU a
 * run); ports held the way another program would hold them (released after each
 * test), and a text's non-empty lines.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach } from 'vitest';
import type * as z from 'zod';
import { standinMain, type StandinCommand } from '../../local/standin/cli';
import { repoRoot, spawnNpm } from './npm-start';

/** Each test starts a process: seconds on a loaded machine (a bound, not a timing assertion). */
export const SPAWN_TIMEOUT_MS = 60_000;

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run -s <script> -- <args>` to its end, with `settings` in its
 * environment and the stand-in's own settings (`unset`) removed unless given. A
 * stand-in that starts instead of exiting never ends: it is killed at the bound,
 * and the test fails on its missing exit code.
 */
export function runStandinScript(script: string, unset: readonly string[], args: readonly string[], settings: Record<string, string> = {}): Promise<ScriptRun> {
  const env = standinEnv(unset, settings);
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', script, '--', ...args], { cwd: repoRoot, env, timeout: SPAWN_TIMEOUT_MS - 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** This process's environment with `settings`, and without the stand-in's own settings (`unset`) unless given. */
function standinEnv(unset: readonly string[], settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of unset) if (!(name in settings)) delete env[name];
  return env;
}

/**
 * `command`'s command line on `args` run in this process, as runStandinScript
 * runs its npm script: the same environment, stdout and stderr captured, the
 * exit code standinMain gives. A stand-in that starts instead of exiting is
 * stopped at once, and the test fails on its missing exit code (null).
 */
export async function runStandinInProcess<Options, Shape extends z.ZodRawShape>(
  command: StandinCommand<Options, Shape>,
  unset: readonly string[],
  args: readonly string[],
  settings: Record<string, string> = {},
): Promise<ScriptRun> {
  let stdout = '';
  let stderr = '';
  const outcome = await standinMain(command, args, {
    env: standinEnv(unset, settings),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  if (outcome.code === null) await outcome.started.stop();
  return { code: outcome.code, stdout, stderr };
}

/** How a stand-in's process ended after withStandinProcess's `use`. */
export interface StandinProcessRun {
  /** Whether `use` ran: the process was still up when its banner came or the wait ran out. */
  used: boolean;
  code: number | null;
  stderr: string;
}

/**
 * Starts `command args` in the repository (./npm-start.ts spawnNpm), waits up to
 * 30 s for its banner's "Press Ctrl-C", gives `use` what it printed, and stops it
 * with SIGTERM; a process that exits before its banner is not used, and its
 * stderr is returned to say why.
 */
export async function withStandinProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, use: (banner: string) => Promise<void>): Promise<StandinProcessRun> {
  const started = spawnNpm(args, { ...process.env, ...env }, command);
  let used = false;
  try {
    const deadline = Date.now() + 30_000;
    while (!started.stdout().includes('Press Ctrl-C') && Date.now() < deadline && !started.hasExited()) await new Promise((done) => setTimeout(done, 50));
    used = !started.hasExited();
    if (used) await use(started.stdout());
  } finally {
    started.child.kill('SIGTERM');
  }
  return { used, code: (await started.exited).code, stderr: started.stderr() };
}

/**
 * A holder of ports on 127.0.0.1, held the way another program would hold them
 * and released after each test of the file that calls it at its top level (a
 * hook registered here once would serve only the first file of a shared worker).
 */
export function portHolder(): () => Promise<number> {
  const held: Server[] = [];
  afterEach(async () => {
    await Promise.all(held.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });
  return async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    held.push(server);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  };
}

export const nonEmptyLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');
