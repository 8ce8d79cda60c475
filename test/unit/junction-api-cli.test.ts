/**
 * `npm run junction-api` (local/junction-standin/cli.ts) as a newcomer meets it
 * (issue 27 item 5): `--help` explains it and starts nothing; a busy port is one
 * line that says how to choose another, never a stack trace; a wrong option is a
 * usage error that points at `--help`.
 *
 * One case stays a process, `npm run -s junction-api` itself: "says the same when
 * JUNCTION_STANDIN_PORT names the busy port", what only a process shows: the npm
 * script reaching the command line (local/junction-standin/entry.ts), the setting
 * read from the process's own environment, its exit code reaching the shell and
 * one line on the real stderr, no stack trace. The others are about the messages,
 * the usage text and the exit codes: they run the same command line in this
 * process (standinMain, test/support/standin-cli.ts), a spawn's 1.5 s of CPU saved.
 */
import { describe, expect, it } from 'vitest';
import { junctionApi as command } from '../../local/junction-standin/cli';
import { nonEmptyLines, portHolder, runStandinInProcess, runStandinScript, SPAWN_TIMEOUT_MS } from '../support/standin-cli';

/** The stand-in's own settings, cleared unless a case gives them. */
const UNSET = ['JUNCTION_STANDIN_PORT', 'JUNCTION_API_KEY'];
/** Runs the junction-api command line on `args` in this process (test/support/standin-cli.ts). */
const junctionApi = (args: readonly string[], settings: Record<string, string> = {}) => runStandinInProcess(command, UNSET, args, settings);
/** Runs `npm run -s junction-api -- <args>` to its end (test/support/standin-cli.ts). */
const junctionApiScript = (args: readonly string[], settings: Record<string, string> = {}) => runStandinScript('junction-api', UNSET, args, settings);
/** A port another program holds, for one test. */
const holdPort = portHolder();

describe('npm run junction-api', () => {
  it('prints its usage with --help, --port and the port setting included, and exits 0 without starting', async () => {
    const port = await holdPort();
    // The port the stand-in would take is busy: starting it instead of helping would exit 1.
    const { code, stdout, stderr } = await junctionApi(['--help'], { JUNCTION_STANDIN_PORT: String(port) });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^npm run junction-api \[-- --port <port>\] \[--orders <count>\]$/m);
    expect(stdout).toMatch(/^ {2}--port <port> .*default 4010/m);
    expect(stdout).toMatch(/^ {2}--orders <count> /m);
    // The PSC scheduling routes' switches (CONTRACT §14 Locally).
    for (const flag of ['--slot-conflict <404|400>', '--idempotency <on|off>', '--quest-confirm <yes|no|booked-anyway>', '--confirm-delay <ms>']) expect(stdout).toContain(`\n  ${flag}\n`);
    expect(stdout).toMatch(/^ {2}JUNCTION_STANDIN_PORT /m);
    expect(stdout).not.toContain('listening on');
  });

  it('answers -h the same way, even after other options', async () => {
    const { code, stdout } = await junctionApi(['--orders', '3', '-h']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}--port <port> /m);
    expect(stdout).not.toContain('listening on');
  });

  it('says in one line that the --port it was given is busy and how to pick another (exit 1, no stack trace)', async () => {
    const port = await holdPort();
    const { code, stdout, stderr } = await junctionApi(['--port', String(port)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(nonEmptyLines(stderr)).toEqual([
      `junction-api: port ${port} is already in use: start it on another port with \`npm run junction-api -- --port <port>\` (or JUNCTION_STANDIN_PORT; 0 picks a free one), and give npm start the URL it prints`,
    ]);
  });

  it('says the same when JUNCTION_STANDIN_PORT names the busy port', async () => {
    const port = await holdPort();
    const { code, stderr } = await junctionApiScript([], { JUNCTION_STANDIN_PORT: String(port) });
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
  });

  it('refuses a PSC switch given a value it does not take, naming the values it does (exit 2)', async () => {
    const { code, stderr } = await junctionApi(['--slot-conflict', '409']);
    expect(code).toBe(2);
    expect(nonEmptyLines(stderr)[0]).toBe('junction-api: invalid slot conflict status: 409 (one of 400, 404)');
  });
});
