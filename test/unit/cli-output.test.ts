/**
 * The CLI's output rules and target rules, without a tracker: relative times,
 * aligned tables, colours only on a terminal without NO_COLOR, the local
 * tracker's URL, and usage errors (exit 2) before any request is made.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../../cli/command';
import { ago, cliZone, colorEnabled, createPrinter, duration, table, visibleWidth } from '../../cli/format';
import { COMMANDS } from '../../cli/commands';
import { runCli } from '../../cli/main';
import { localTrackerUrl } from '../../cli/targets';
import { orderTable } from '../../cli/views';
import type { OrderView } from '../../views/answers';
import { noAws } from '../support/cli-offline';

const NOW = new Date('2026-11-22T12:00:00Z');
/** A well-formed webhook secret (simulate checks it before anything else). */
const SECRET = `whsec_${Buffer.from('a test secret of 24 bytes').toString('base64')}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('relative times', () => {
  it('says seconds, minutes, hours up to two days, then days', () => {
    expect(duration(40_000)).toBe('40 s');
    expect(duration(59_600)).toBe('59 s');
    expect(duration(12 * 60_000 + 29_000)).toBe('12 min');
    expect(duration(2 * HOUR)).toBe('2 h');
    expect(duration(47 * HOUR)).toBe('47 h');
    expect(duration(3 * DAY + 5 * HOUR)).toBe('3 days');
  });

  it('reads back a length as it was typed, though a moment went by since: 3 days ahead is "in 3 days", not "in 2 days"', () => {
    for (const [typed, ms, words] of [
      ['3d', 3 * DAY, '3 days'],
      ['12h', 12 * HOUR, '12 h'],
      ['1d12h', 36 * HOUR, '36 h'],
      ['90d', 90 * DAY, '90 days'],
    ] as const) {
      // The request took up to 29 s between typing and showing.
      for (const elapsed of [1, 2_000, 29_000]) expect({ typed, elapsed, shown: duration(ms - elapsed) }).toEqual({ typed, elapsed, shown: words });
      expect(ago(new Date(NOW.getTime() + ms - 1_500).toISOString(), NOW)).toBe(`in ${words}`);
    }
    // Still whole days from two days up (the hours beyond are not counted), and rounded, not pushed up, below.
    expect(duration(3 * DAY + 11 * HOUR)).toBe('3 days');
    expect(duration(2 * HOUR + 31 * 60_000)).toBe('2 h');
  });

  it('reads ISO times with or without microseconds, past and future', () => {
    expect(ago('2026-11-22T10:00:00.000000Z', NOW)).toBe('2 h ago');
    expect(ago('2026-11-19T12:00:00Z', NOW)).toBe('3 days ago');
    expect(ago('2026-11-22T12:05:00Z', NOW)).toBe('in 5 min');
    expect(ago('not a date', NOW)).toBe('not a date');
  });
});

describe("the CLI's zone (the twin time columns of --csv)", () => {
  it('is TZ when it names an IANA zone (as Intl spells it), else the zone Intl resolves for this process', () => {
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(cliZone({ TZ: 'America/New_York' })).toBe('America/New_York');
    expect(cliZone({ TZ: 'europe/paris' })).toBe('Europe/Paris');
    expect(cliZone({ TZ: 'Not/A_Zone' })).toBe(own);
    expect(cliZone({})).toBe(own);
  });
});

describe('tables', () => {
  it('aligns columns by visible width, colour codes taking no room', () => {
    const printer = createPrinter({ write: () => undefined, isTTY: true }, {});
    const lines = table(['A', 'BB', 'C'], [[printer.style('red', 'red'), 'x', 'last'], ['longer cell', 'yy', '']]);
    expect(lines.map(visibleWidth)).toEqual([18, 21, 15]);
    expect(lines[0]).toBe('A            BB  C');
    expect(lines[2]).toBe('longer cell  yy');
    expect(lines[1]).toContain('\u001b[31mred\u001b[39m          x   last');
  });
});

describe('colours', () => {
  it('are on only on a terminal, and never with NO_COLOR set', () => {
    expect(colorEnabled({ write: () => undefined, isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ write: () => undefined, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ write: () => undefined, isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ write: () => undefined }, {})).toBe(false);
    // https://no-color.org: an empty NO_COLOR does not count.
    expect(colorEnabled({ write: () => undefined, isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('mark a stale order in red on a terminal and not at all elsewhere', () => {
    const order: OrderView = {
      id: 'o-1',
      transaction_id: 't-1',
      origin: 'initial',
      collection_method: 'walk_in_test',
      status: 'collecting_sample',
      low_level_status: 'redraw_available',
      last_event: { id: 1, created_at: '2026-11-19T12:00:00Z', status: 'collecting_sample.walk_in_test.redraw_available' },
      created_at: '2026-11-18T12:00:00Z',
      updated_at: '2026-11-19T12:00:00Z',
      has_missing_results: null,
      source: 'webhook',
      stale: { since: '2026-11-22T10:00:00.000000Z', reason: 'redraw_not_created' },
    };
    const tty = orderTable([order], NOW, createPrinter({ write: () => undefined, isTTY: true }, {}), 'redraws').join('\n');
    expect(tty).toContain('\u001b[31mredraw_not_created, stuck 3 days, flagged 2 h ago\u001b[39m');
    const plain = orderTable([order], NOW, createPrinter({ write: () => undefined, isTTY: true }, { NO_COLOR: '1' }), 'redraws').join('\n');
    expect(plain).not.toContain('\u001b');
    expect(plain).toContain('redraw_not_created, stuck 3 days, flagged 2 h ago');
    expect(plain).toContain('3 days ago');
  });
});

describe('the local tracker URL', () => {
  it('is TRACKER_URL, else 127.0.0.1 on PORT, else port 3000', () => {
    expect(localTrackerUrl({ TRACKER_URL: 'http://localhost:4000/', PORT: '5000' })).toBe('http://localhost:4000');
    expect(localTrackerUrl({ PORT: '5000' })).toBe('http://127.0.0.1:5000');
    expect(localTrackerUrl({})).toBe('http://127.0.0.1:3000');
  });

  it.each([{ PORT: 'abc' }, { PORT: '70000' }, { TRACKER_URL: 'ftp://x' }, { TRACKER_URL: 'not a url' }])('refuses %j with a usage error', (env) => {
    expect(() => localTrackerUrl(env)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('usage errors (exit 2), before any request', () => {
  async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; requests: number }> {
    let stdout = '';
    let stderr = '';
    let requests = 0;
    const deps: Partial<CliDeps> = {
      env,
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      fetch: async () => {
        requests++;
        throw new Error('test: no request expected');
      },
      aws: noAws,
    };
    const code = await runCli(args, deps);
    return { code, stdout, stderr, requests };
  }

  it.each([
    [[]],
    [['frobnicate']],
    [['order']],
    [['order', 'a', 'b']],
    [['order', 'has space']],
    [['redraws', '--limit', '0']],
    [['redraws', '--limit', '101']],
    [['redraws', '--all', '--cursor', 'c']],
    [['redraws', '--bogus']],
    [['order', 'o-1', '--api', 'https://a.example', '--stack', 'S']],
    [['order', 'o-1', '--api', 'not a url']],
    [['sweep', '--stack', 'RedrawTracker']],
    [['simulate', '--api', 'https://a.execute-api.us-east-1.amazonaws.com/']],
    [['quarantine', 'list', '--api', 'https://a.execute-api.us-east-1.amazonaws.com/']],
    [['quarantine', 'purge']],
    [['quarantine', 'list', '--dry-run']],
    [['sign-webhook', 'x.json', '--api', 'https://a.example']],
    [['redraws'], { PORT: 'nope' }],
    [['simulate'], { JUNCTION_WEBHOOK_SECRET: SECRET, JUNCTION_API_BASE_URL: 'not a url', JUNCTION_API_KEY: 'sk_standin_1' }],
    [['simulate'], { JUNCTION_WEBHOOK_SECRET: SECRET, JUNCTION_API_BASE_URL: 'http://127.0.0.1:4010', JUNCTION_API_KEY: 'sk standin secret' }],
    [['backfill', '--since', 'yesterday']],
    [['backfill', '--since', '2026-01-01', '--until', '2025-12-31']],
  ] as [string[], NodeJS.ProcessEnv?][])('%j exits 2 with one line on stderr and makes no request', async (args, env) => {
    const run = await cli(args, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^redraw-tracker: [^\n]+\n$/);
    expect(run.requests).toBe(0);
    // A bad JUNCTION_API_KEY is named, never quoted.
    expect(run.stderr).not.toContain('standin secret');
  });

  it('prints help for the command and for each subcommand of the table, with examples, and lists nothing else', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    const listed = /Commands:\n((?: {2}\S+ +.+\n)+)/.exec(top.stdout)?.[1]?.trimEnd().split('\n').map((line) => line.trim().split(/\s+/)[0]);
    expect(listed).toEqual(COMMANDS.map((command) => command.name));
    expect(listed).toEqual(expect.arrayContaining(['redraws', 'order', 'transaction', 'sweep', 'quarantine', 'sign-webhook', 'simulate']));
    for (const { name } of COMMANDS) {
      const own = await cli([name, '--help']);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`npx redraw-tracker ${name}`);
      expect(own.stdout).toContain('Examples:');
      expect(own.stdout).toMatch(/Exit codes: 0 ok, 1 (not found or )?a failed check, 2 bad usage/);
      expect((await cli(['help', name])).stdout).toBe(own.stdout);
    }
  });

  it('says in the help of a local-only command that it is one, and never offers it the AWS targets', async () => {
    const localOnly = (await Promise.all(COMMANDS.map(async (entry) => ({ name: entry.name, target: (await entry.load()).target })))).filter((entry) => entry.target === 'local-tracker');
    expect(localOnly.map((entry) => entry.name).sort()).toEqual(['backfill', 'digest', 'events', 'notifications', 'simulate', 'sweep']);
    for (const { name } of localOnly) {
      const help = (await cli([name, '--help'])).stdout;
      expect(help).toContain('Target: the local tracker only (`npm start`)');
      expect(help).toMatch(/Local only/);
      expect(help).not.toContain('--stack <name>');
      expect(help).not.toContain('SigV4');
      // Refused before anything runs: no request, no AWS, and no help text on the way.
      for (const target of [['--stack', 'RedrawTracker'], ['--api', 'https://a.execute-api.us-east-1.amazonaws.com/']]) {
        const run = await cli([name, ...target]);
        expect({ name, run }).toEqual({ name, run: { code: 2, stdout: '', stderr: `redraw-tracker: \`${name}\` works only with the local tracker (\`npm start\`): drop --api/--stack (see \`redraw-tracker ${name} --help\`)\n`, requests: 0 } });
      }
    }
    // A command with AWS targets still offers them.
    expect((await cli(['redraws', '--help'])).stdout).toContain('--stack <name>');
    expect((await cli(['notifications', '--help'])).stdout).toMatch(/weekly digests/);
  });

  it('suggests the command a typo was meant to be (exit 2), and only when one is near', async () => {
    expect(await cli(['snoze', 'txn-1'])).toEqual({ code: 2, stdout: '', stderr: 'redraw-tracker: unknown command snoze: did you mean snooze?\n', requests: 0 });
    expect((await cli(['folow-ups'])).stderr).toBe('redraw-tracker: unknown command folow-ups: did you mean follow-ups?\n');
    expect((await cli(['help', 'trnsaction'])).stderr).toBe('redraw-tracker: unknown command trnsaction: did you mean transaction?\n');
    expect(await cli(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'redraw-tracker: unknown command frobnicate: run `npx redraw-tracker --help` for the list\n', requests: 0 });
  });

  it('prints the package version with --version (exit 0), wherever it stands', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const args of [['--version'], ['redraws', '--version'], ['--version', '--json']]) {
      expect(await cli(args)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '', requests: 0 });
    }
    expect((await cli(['--help'])).stdout).toContain('--version');
  });
});
