/**
 * `npm start` as a child process for end-to-end tests: started in its own
 * process group (like a terminal job), stopped with SIGINT to that group (like
 * Ctrl-C: npm does not forward signals sent to npm alone), with its output kept
 * for assertions and helpers to find what it leaves behind.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import * as z from 'zod';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface NpmProcess {
  child: ChildProcess;
  /** The process group id (the npm process's pid). */
  pgid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

/** Runs `npm <args>` in the repository, detached into its own process group. */
export function spawnNpm(args: readonly string[], env: NodeJS.ProcessEnv, command = 'npm'): NpmProcess {
  const child = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let done = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      done = true;
      resolveExit({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  return { child, pgid: child.pid, stdout: () => out, stderr: () => err, exited, hasExited: () => done };
}

/** Sends `signal` to the whole process group, as a terminal's Ctrl-C does. False when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Stops a started process as a terminal's Ctrl-C does (SIGINT to its group),
 * SIGKILL to the group if it is still running after `graceMs`; resolves once it exited.
 */
export async function stopGroup(child: NpmProcess, graceMs = 20_000): Promise<void> {
  if (child.hasExited()) return;
  signalGroup(child.pgid, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([child.exited.then(() => true), new Promise<boolean>((done) => (timer = setTimeout(() => done(false), graceMs)))]);
  clearTimeout(timer);
  if (!stopped) signalGroup(child.pgid, 'SIGKILL');
  await child.exited;
}

/** Command lines of the live processes whose command line matches `pattern`, per `ps`. */
export function processesMatching(pattern: RegExp): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return table.split('\n').filter((line) => pattern.test(line));
}

/**
 * Ports handed out by freePort: below Linux's ephemeral range (32768-60999),
 * which the kernel gives to outgoing connections and to `listen(0)` (DynamoDB
 * Local's own port among them). A port taken from that range could be handed
 * to someone else between the check and `npm start`'s listen.
 */
const TEST_PORTS = { from: 20_000, to: 32_767 } as const;

/**
 * A TCP port nobody listens on right now, picked at random from TEST_PORTS (so
 * two test files starting at once rarely pick the same one) and checked by
 * binding it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = TEST_PORTS.from + Math.floor(Math.random() * (TEST_PORTS.to - TEST_PORTS.from + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${TEST_PORTS.from} and ${TEST_PORTS.to} after 50 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/**
 * Calls `probe` until `done` holds for its value, at most `timeoutMs`: a bounded
 * poll for eventually consistent state, not a timing assertion. Returns the last value.
 */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((wake) => setTimeout(wake, intervalMs));
  }
}

/**
 * Waits until a started `npm start` answers GET /health (a JVM start on a busy
 * machine may take most of the 100 s); throws with its output if it exits or
 * never answers.
 */
export async function waitUntilHealthy(tracker: NpmProcess, baseUrl: string): Promise<void> {
  const healthy = await eventually(
    async () => (tracker.hasExited() ? 'exited' : fetch(`${baseUrl}/health`).then((response) => (response.ok ? 'ok' : 'not yet'), () => 'not yet')),
    (state) => state !== 'not yet',
    100_000,
    250,
  );
  if (healthy !== 'ok') throw new Error(`npm start did not become healthy (${healthy}):\n${tracker.stdout()}\n${tracker.stderr()}`);
}

/** A command run to its end: its exit code and both outputs. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);
const FailedRun = z.object({ code: z.number(), stdout: z.string(), stderr: z.string() });

/** Runs `command` in the repository to its end; a non-zero exit is a result, not an error. */
export async function runToEnd(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: repoRoot, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = FailedRun.safeParse(error);
    if (!failed.success) throw error;
    return failed.data;
  }
}
