/**
 * What the stand-ins' command-line tests share (test/unit/junction-api-cli.test.ts,
 * test/unit/fhir-server-cli.test.ts): running `npm run -s <script>` to its end
 * with the stand-in's settings cleared, ports held the way another program would
 * hold them (released after each test), and a text's non-empty lines.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach } from 'vitest';
import { repoRoot } from './npm-start';

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
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of unset) if (!(name in settings)) delete env[name];
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', script, '--', ...args], { cwd: repoRoot, env, timeout: SPAWN_TIMEOUT_MS - 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
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
