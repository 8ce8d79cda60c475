/**
 * The README as a test (issue 21): README.md's shell blocks, in order, pasted
 * into a shell the way a reader does, from the clone, with the README's own
 * commands, against the `npm start` (and `npm run junction-api`) the README
 * starts. Each documented answer is checked.
 *
 * The convention the README follows, invisible to a reader, is in
 * test/support/readme-blocks.ts (what runs, what is an expected output, how a
 * block is skipped: `<!-- readme-test: skip (reason) -->`), and how blocks run
 * in test/support/readme-runner.ts (servers started in the background like
 * another terminal, placeholders filled from their banners). This file only
 * names the servers and their banners.
 *
 * It reads them on a machine where the default ports are taken (issue 27 item
 * 5): PORT and JUNCTION_STANDIN_PORT are other, free ports in every shell (as a
 * reader who found 3000 taken exports them), while something else holds 3000 and
 * 4010 (test/support/readme-ports.ts: it cuts every connection and notes who
 * made it). A block that hard-codes a default fails, and the last test checks
 * that no process of this test reached them (other programs on the machine may).
 * The test needs no fixed port of its own.
 *
 * Why it takes its time (issue 87): every block runs in a real shell, as
 * pasted, and each command in it is a process of its own: the servers the
 * README starts (`npm start` with its DynamoDB Local, `npm run junction-api`),
 * then npm scripts and curl against them, `npm run simulate` to its end among
 * them. What it proves is that README.md's and docs/local.md's own text, run as written on a
 * machine whose default ports are taken, does what the README says; no faster
 * test reads the README's commands, and a command that drifted from the code
 * fails only here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';
import { parseBlocks, type Block } from '../support/readme-blocks';
import { freePortOtherThan, hardCodedPorts, occupyPort, type PortOccupant } from '../support/readme-ports';
import { ReadmeSession, type Server } from '../support/readme-runner';

/** The defaults a reader's machine may have taken: `npm start`'s (local/tracker-url.ts) and the stand-in's (local/junction-standin/cli.ts). */
const DEFAULT_PORTS = { tracker: 3000, standin: 4010 } as const;
const FILES = ['README.md', 'docs/local.md'] as const;

/**
 * A user's shell: none of the developer's tracker or Junction settings (as in
 * reconcile.test.ts), and the ports the user exported because the defaults were taken.
 */
function userEnv(ports: { tracker: number; standin: number }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(TRACKER_URL|PORT|JUNCTION_.*|SIMULATE_SEED|REDRAW_.*|RECONCILE_.*|SWEEP_INTERVAL_SECONDS|SYNC_.*|RETENTION_DAYS|DATA_DIR|DYNAMODB_ENDPOINT|AWS_ENDPOINT_URL(_DYNAMODB)?|TABLE_NAME)$/.test(name)) env[name] = value;
  }
  return { ...env, PORT: String(ports.tracker), JUNCTION_STANDIN_PORT: String(ports.standin) };
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
    // Started with an exported JUNCTION_WEBHOOK_SECRET, its banner prints no secret: the reader has it already.
    fromEnv: { 'whsec_...': { when: /Webhook secrets: \d+ from JUNCTION_WEBHOOK_SECRET/, variable: 'JUNCTION_WEBHOOK_SECRET' } },
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

// The defaults are taken before any free port is chosen, so that neither can be one of them.
const occupants: PortOccupant[] = [await occupyPort(DEFAULT_PORTS.tracker), await occupyPort(DEFAULT_PORTS.standin)];
const taken = Object.values(DEFAULT_PORTS);
const ports = { tracker: await freePortOtherThan(taken), standin: await freePortOtherThan(taken) };
while (ports.standin === ports.tracker) ports.standin = await freePortOtherThan(taken);

const session = new ReadmeSession({ env: userEnv(ports), servers: SERVERS, timeoutMs });
afterAll(async () => {
  await session.close();
  await Promise.all(occupants.map((occupant) => occupant.close()));
});

function blocksOf(file: string): Block[] {
  return parseBlocks(readFileSync(join(repoRoot, file), 'utf8'), file);
}

describe.each(FILES)('%s, pasted block by block', (file) => {
  const blocks = blocksOf(file);

  it('has shell blocks to run, and says why it skips the others', () => {
    expect(blocks.filter((block) => block.skip === null).length).toBeGreaterThan(0);
    for (const block of blocks.filter((candidate) => candidate.skip !== null)) expect(block.skip).toMatch(/\w/);
  });

  it('names no port in digits in a block it runs: each comes from PORT or JUNCTION_STANDIN_PORT, the default beside it', () => {
    expect(hardCodedPorts(blocks)).toEqual([]);
  });

  for (const block of blocks.filter((candidate) => candidate.skip === null)) {
    it(`${file}:${block.line}: ${block.commands[0]?.shell.split('\n')[0] ?? '(empty)'}`, { timeout: 300_000 }, async () => {
      const result = await session.run(block);
      if (!result.ok) throw new Error(result.report);
      expect(result.runs.length).toBe(block.commands.length);
    });
  }
});

describe('on a machine where the default ports are taken', () => {
  it('no block reached port 3000 or 4010 while PORT and JUNCTION_STANDIN_PORT named others', () => {
    expect([ports.tracker, ports.standin]).not.toContain(DEFAULT_PORTS.tracker);
    expect([ports.tracker, ports.standin]).not.toContain(DEFAULT_PORTS.standin);
    // A port another program held already was taken all the same, but only ours see connections.
    for (const occupant of occupants.filter((candidate) => candidate.ours)) {
      expect({ port: occupant.port, connections: occupant.connectionsFromThisTest() }).toEqual({ port: occupant.port, connections: [] });
    }
  });
});
