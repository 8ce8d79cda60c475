/**
 * `npm run junction-api` (local/junction-standin-cli.ts) as a newcomer meets it
 * (issue 27 item 5): `--help` explains it and starts nothing; a busy port is one
 * line that says how to choose another, never a stack trace; a wrong option is a
 * usage error that points at `--help`.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

/** Each test starts a process: seconds on a loaded machine (a bound, not a timing assertion). */
const SPAWN_TIMEOUT_MS = 60_000;

/**
 * Runs `npm run -s junction-api -- <args>` to its end. A stand-in that starts
 * instead of exiting never ends: it is killed at the bound, and the test fails on
 * its missing exit code.
 */
function junctionApi(args: readonly string[], settings: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of ['JUNCTION_STANDIN_PORT', 'JUNCTION_API_KEY']) if (!(name in settings)) delete env[name];
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', 'junction-api', '--', ...args], { cwd: repoRoot, env, timeout: SPAWN_TIMEOUT_MS - 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Holds a port on 127.0.0.1 the way another program would. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

const nonEmptyLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

let held: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve()));
  held = undefined;
});

describe('npm run junction-api', () => {
  it('prints its usage with --help, --port and the port setting included, and exits 0 without starting', async () => {
    const { port, server } = await holdPort();
    held = server;
    // The port the stand-in would take is busy: starting it instead of helping would exit 1.
    const { code, stdout, stderr } = await junctionApi(['--help'], { JUNCTION_STANDIN_PORT: String(port) });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^npm run junction-api \[-- --port <port>\] \[--orders <count>\]$/m);
    expect(stdout).toMatch(/^ {2}--port <port> .*default 4010/m);
    expect(stdout).toMatch(/^ {2}--orders <count> /m);
    expect(stdout).toMatch(/^ {2}JUNCTION_STANDIN_PORT /m);
    expect(stdout).not.toContain('listening on');
  }, SPAWN_TIMEOUT_MS);

  it('answers -h the same way, even after other options', async () => {
    const { code, stdout } = await junctionApi(['--orders', '3', '-h']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}--port <port> /m);
    expect(stdout).not.toContain('listening on');
  }, SPAWN_TIMEOUT_MS);

  it('says in one line that the --port it was given is busy and how to pick another (exit 1, no stack trace)', async () => {
    const { port, server } = await holdPort();
    held = server;
    const { code, stdout, stderr } = await junctionApi(['--port', String(port)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(nonEmptyLines(stderr)).toEqual([
      `junction-api: port ${port} is already in use: start it on another port with \`npm run junction-api -- --port <port>\` (or JUNCTION_STANDIN_PORT; 0 picks a free one), and give npm start the URL it prints`,
    ]);
  }, SPAWN_TIMEOUT_MS);

  it('says the same when JUNCTION_STANDIN_PORT names the busy port', async () => {
    const { port, server } = await holdPort();
    held = server;
    const { code, stderr } = await junctionApi([], { JUNCTION_STANDIN_PORT: String(port) });
    expect(code).toBe(1);
    expect(nonEmptyLines(stderr)).toHaveLength(1);
    expect(stderr).toContain(`junction-api: port ${port} is already in use`);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, SPAWN_TIMEOUT_MS);

  it('refuses an unknown option with the usage line that points at --help (exit 2)', async () => {
    const { code, stdout, stderr } = await junctionApi(['--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(nonEmptyLines(stderr)).toEqual([
      'junction-api: unknown option: --bogus',
      'usage: npm run junction-api [-- --port <port>] [--orders <count>]   (--help explains)',
    ]);
  }, SPAWN_TIMEOUT_MS);
});
