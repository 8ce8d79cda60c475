/**
 * `npm run replay-quarantine` (an alias of `redraw-tracker quarantine replay`) as
 * a newcomer meets it: a missing setting or an unreachable DynamoDB is one line
 * that says what to set, never a stack trace, with the CLI's exit codes.
 * (test/integration/webhook-replay.test.ts runs it against DynamoDB Local.)
 *
 * One case stays a process, `npm run -s replay-quarantine` itself: "says in one
 * line that no DynamoDB answers at DYNAMODB_ENDPOINT", what only a process shows:
 * the alias reaching the CLI (bin/redraw-tracker.mjs), the AWS SDK reading the
 * process's own environment beside the CLI's settings (in this process it would
 * read the test runner's), and exit code 3 reaching the shell. The others are
 * about the message and the exit code of a command line refused before any table
 * is read: they run the alias's arguments (package.json's, npmAliasArgs) through
 * runCli in this process (test/support/cli-in-process.ts), a spawn's 1.5 s of CPU saved.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { npmAliasArgs, runCliInProcess } from '../support/cli-in-process';
import { freePort, repoRoot } from '../support/npm-start';

const run = promisify(execFile);
/** The process's case starts a process: seconds on a loaded machine (a bound, not a timing assertion). */
const SPAWN_TIMEOUT_MS = 60_000;

/** This process's environment with `settings` instead of any table or endpoint of the developer's. */
function replayEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_REGION']) if (!(name in settings)) delete env[name];
  return env;
}

/** Runs the alias to its end with `settings` instead of any table or endpoint of the developer's. */
async function replayScript(settings: Record<string, string>, args: string[] = ['--dry-run']): Promise<{ code: number; stderr: string }> {
  return run('npm', ['run', '-s', 'replay-quarantine', '--', ...args], { cwd: repoRoot, env: replayEnv(settings) }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

/** The alias's command line (`quarantine replay <args>`) run in this process with the environment the process would have had. */
async function replay(settings: Record<string, string>, args: string[] = ['--dry-run']): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await runCliInProcess([...npmAliasArgs('replay-quarantine'), ...args], replayEnv(settings));
  return { code, stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('npm run replay-quarantine', () => {
  it('says in one line where the table is when nothing names one (usage, exit 2)', async () => {
    const { code, stderr } = await replay({});
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(
      'redraw-tracker: `quarantine` reads the tracker\'s table: for `npm start` set DYNAMODB_ENDPOINT to the "DynamoDB:" address its banner prints; on AWS use --stack <name>',
    );
  });

  it("says in one line that no DynamoDB answers at DYNAMODB_ENDPOINT (npm start's table by default; exit 3)", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await replayScript({ DYNAMODB_ENDPOINT: endpoint });
    expect(code).toBe(3);
    expect(oneLine(stderr)).toBe(
      `redraw-tracker: cannot read table redraw-tracker at ${endpoint} (ECONNREFUSED): is \`npm start\` running, and DYNAMODB_ENDPOINT the "DynamoDB:" address its banner prints?`,
    );
  }, SPAWN_TIMEOUT_MS);

  it('answers an unknown option by pointing at the help (exit 2)', async () => {
    const { code, stderr } = await replay({ TABLE_NAME: 'any' }, ['--bogus']);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain("Unknown option '--bogus': see `npx redraw-tracker quarantine --help`");
  });
});
