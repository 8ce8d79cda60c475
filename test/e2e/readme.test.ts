/**
 * The README as a test (issue 21): README.md's shell blocks, in order, pasted
 * into a shell the way a reader does, from the clone, with the README's own
 * ports and commands, against the `npm start` (and `npm run junction-api`) the
 * README starts. Each documented answer is checked.
 *
 * The convention the README follows, invisible to a reader, is in
 * test/support/readme-blocks.ts (what runs, what is an expected output, how a
 * block is skipped: `<!-- readme-test: skip (reason) -->`), and how blocks run
 * in test/support/readme-runner.ts (servers started in the background like
 * another terminal, placeholders filled from their banners). This file only
 * names the servers and their banners.
 *
 * The README's ports (3000, 4010) must be free on the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';
import { parseBlocks, type Block } from '../support/readme-blocks';
import { ReadmeSession, type Server } from '../support/readme-runner';

/** A user's shell: none of the developer's tracker or Junction settings (as in reconcile.test.ts). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(TRACKER_URL|PORT|JUNCTION_.*|SIMULATE_SEED|REDRAW_.*|RECONCILE_.*|SWEEP_INTERVAL_SECONDS|SYNC_.*|RETENTION_DAYS|DATA_DIR|DYNAMODB_ENDPOINT|AWS_ENDPOINT_URL(_DYNAMODB)?|TABLE_NAME)$/.test(name)) env[name] = value;
  }
  return env;
}

/** The commands that keep running, and what a reader copies from their banners. */
const SERVERS: Server[] = [
  {
    name: 'npm start',
    command: /^npm start\b/,
    ready: /^Press Ctrl-C to stop\.$/m,
    captures: {
      'whsec_...': /Webhook secret \(development, generated\): (whsec_\S+)/,
      '<the secret npm start printed>': /Webhook secret \(development, generated\): (whsec_\S+)/,
      '<the DynamoDB URL of its banner>': /DynamoDB: (http:\/\/\S+)/,
    },
  },
  {
    name: 'npm run junction-api',
    command: /^npm run junction-api\b/,
    ready: /^Press Ctrl-C to stop\.$/m,
    captures: { '<printed key>': /API key \(x-vital-api-key\): (\S+)/ },
  },
];

/** A command slow by nature gets more time (the simulator waits for statuses to settle and sweeps). */
const timeoutMs = (command: { shell: string }) => (/\bsimulate\b/.test(command.shell) ? 120_000 : 60_000);

const session = new ReadmeSession({ env: userEnv(), servers: SERVERS, timeoutMs });
afterAll(async () => {
  await session.close();
});

function blocksOf(file: string): Block[] {
  return parseBlocks(readFileSync(join(repoRoot, file), 'utf8'), file);
}

describe.each(['README.md', 'docs/local.md'])('%s, pasted block by block', (file) => {
  const blocks = blocksOf(file);

  it('has shell blocks to run, and says why it skips the others', () => {
    expect(blocks.filter((block) => block.skip === null).length).toBeGreaterThan(0);
    for (const block of blocks.filter((candidate) => candidate.skip !== null)) expect(block.skip).toMatch(/\w/);
  });

  for (const block of blocks.filter((candidate) => candidate.skip === null)) {
    it(`${file}:${block.line}: ${block.commands[0]?.shell.split('\n')[0] ?? '(empty)'}`, { timeout: 300_000 }, async () => {
      const result = await session.run(block);
      if (!result.ok) throw new Error(result.report);
      expect(result.runs.length).toBe(block.commands.length);
    });
  }
});
