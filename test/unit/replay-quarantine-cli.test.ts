/**
 * `npm run replay-quarantine` as a newcomer meets it: a missing setting or an
 * unreachable DynamoDB is one line that says what to set, never a stack trace.
 * (test/integration/webhook-replay.test.ts runs it against DynamoDB Local.)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort, repoRoot } from '../support/npm-start';

const run = promisify(execFile);
/** Each test starts a tsx process: seconds on a loaded machine (a bound, not a timing assertion). */
const SPAWN_TIMEOUT_MS = 60_000;

/** Runs the script to its end with `settings` instead of any table or endpoint of the developer's. */
async function replay(settings: Record<string, string>, args: string[] = ['--dry-run']): Promise<{ code: number; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of ['TABLE_NAME', 'DYNAMODB_ENDPOINT']) if (!(name in settings)) delete env[name];
  return run('node_modules/.bin/tsx', ['scripts/replay-quarantine.ts', ...args], { cwd: repoRoot, env }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

describe('npm run replay-quarantine', () => {
  it('says in one line which table to name when TABLE_NAME is missing', async () => {
    const { code, stderr } = await replay({});
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "replay-quarantine: invalid configuration: TABLE_NAME: is required: the deployed table's name (the stack's TableName output); " +
        "for `npm start`'s table set DYNAMODB_ENDPOINT to the DynamoDB URL its banner printed",
    );
  }, SPAWN_TIMEOUT_MS);

  it("says in one line that no DynamoDB answers at DYNAMODB_ENDPOINT (npm start's table by default)", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await replay({ DYNAMODB_ENDPOINT: endpoint });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `replay-quarantine: no DynamoDB answers at ${endpoint}: is \`npm start\` running? Set DYNAMODB_ENDPOINT to the "DynamoDB:" URL its banner printed`,
    );
  }, SPAWN_TIMEOUT_MS);

  it('answers an unknown option with its usage', async () => {
    const { code, stderr } = await replay({ TABLE_NAME: 'any' }, ['--bogus']);
    expect(code).toBe(1);
    expect(stderr).toContain('usage: npm run replay-quarantine -- [--dry-run] [--id <svix id>]');
    expect(stderr).not.toMatch(/^\s+at /m);
  }, SPAWN_TIMEOUT_MS);
});
