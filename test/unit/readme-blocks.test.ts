/**
 * The README test's parts on README-like text: the block parser and its
 * convention (test/support/readme-blocks.ts), the output matcher, and the
 * runner's report when a block is broken on purpose (plain shell commands, no
 * tracker).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectationOf, mismatches, normaliseIdsAndTimes, parseBlocks, ReadmeFormatError, splitComment } from '../support/readme-blocks';
import { ReadmeSession } from '../support/readme-runner';
import { repoRoot } from '../support/npm-start';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FENCE = '```';

const SAMPLE = [
  '# A project',
  '',
  `${FENCE}bash`,
  'export GREETING=hello',
  'echo \'{"result":"applied"}\'   # {"result":"applied"}',
  'echo "a # inside quotes" # prose, not an expected output',
  `${FENCE}`,
  '',
  `${FENCE}`,
  'a banner: not run',
  `${FENCE}`,
  '',
  '<!-- readme-test: skip (needs an AWS account) -->',
  '',
  `${FENCE}sh`,
  'npm run deploy',
  `${FENCE}`,
  '',
  `${FENCE}bash`,
  '# terminal 3: prose',
  'printf \'%s\\n\' "$GREETING" \\',
  '  && echo "backfill: read 15,   applied 15" >&2 && echo \'{"read":15}\'',
  '# backfill: read 15, applied 15   (stderr)',
  '# {"read":15}',
  `${FENCE}`,
].join('\n');

describe('parseBlocks', () => {
  it('takes the bash and sh blocks in order, with the skip reason, the commands and their line numbers', () => {
    const blocks = parseBlocks(SAMPLE, 'SAMPLE.md');
    expect(blocks.map((block) => [block.line, block.skip, block.commands.map((command) => command.line)])).toEqual([
      [3, null, [4, 5, 6]],
      [15, 'needs an AWS account', [16]],
      [19, null, [21]],
    ]);
    expect(blocks[0]!.commands.map((command) => command.shell)).toEqual(['export GREETING=hello', 'echo \'{"result":"applied"}\'', 'echo "a # inside quotes"']);
    expect(blocks[2]!.commands[0]!.shell).toBe('printf \'%s\\n\' "$GREETING" \\\n  && echo "backfill: read 15,   applied 15" >&2 && echo \'{"read":15}\'');
  });

  it('reads JSON comments and (stderr)/(stdout) lines as expected outputs, and the rest as prose', () => {
    const [first, , third] = parseBlocks(SAMPLE);
    expect(first!.commands.map((command) => command.expectations)).toEqual([[], [{ kind: 'json', text: '{"result":"applied"}', value: { result: 'applied' } }], []]);
    expect(third!.commands[0]!.expectations).toEqual([
      { kind: 'line', text: 'backfill: read 15, applied 15   (stderr)', stream: 'stderr', line: 'backfill: read 15, applied 15' },
      { kind: 'json', text: '{"read":15}', value: { read: 15 } },
    ]);
    expect(expectationOf(' flags it: redraw_not_created')).toBeNull();
    expect(expectationOf(' {"abbreviated":...}')).toBeNull();
    expect(splitComment('curl -s "http://x/#frag" # note')).toEqual({ code: 'curl -s "http://x/#frag" ', comment: ' note' });
    expect(splitComment('echo ${#PATH}')).toEqual({ code: 'echo ${#PATH}', comment: null });
  });

  it('refuses a skip marker without a reason, an unknown marker, a marker before a non-shell block, an output before any command', () => {
    const block = (marker: string) => `${marker}\n${FENCE}bash\ntrue\n${FENCE}\n`;
    expect(() => parseBlocks(block('<!-- readme-test: skip -->'))).toThrow(ReadmeFormatError);
    expect(() => parseBlocks(block('<!-- readme-test: skip () -->'))).toThrow(/the reason/);
    expect(() => parseBlocks(block('<!-- readme-test: skpi (typo) -->'))).toThrow(ReadmeFormatError);
    expect(() => parseBlocks(`<!-- readme-test: skip (x) -->\n${FENCE}\nbanner\n${FENCE}\n`)).toThrow(/right before a shell block/);
    expect(() => parseBlocks(`<!-- readme-test: skip (x) -->\nsome prose\n${FENCE}bash\ntrue\n${FENCE}\n`)).toThrow(/right before a shell block/);
    expect(() => parseBlocks(`${FENCE}bash\n# {"ok":true}\ntrue\n${FENCE}\n`)).toThrow(/before any command/);
  });

  it('parses the repository README: every skip has a reason and some blocks run', () => {
    const blocks = parseBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(blocks.filter((block) => block.skip === null).length).toBeGreaterThan(2);
    expect(blocks.flatMap((block) => block.commands.flatMap((command) => command.expectations)).length).toBeGreaterThan(0);
  });
});

describe('mismatches', () => {
  it('accepts the JSON as the whole stdout or one of its lines, and a stderr line with other spacing', () => {
    const [json] = [expectationOf('{"a":1,"b":[2]}')!];
    expect(mismatches([json], { stdout: '{ "b": [2], "a": 1 }\n', stderr: '' })).toEqual([]);
    expect(mismatches([json], { stdout: 'progress\n{"a":1,"b":[2]}\n', stderr: '' })).toEqual([]);
    expect(mismatches([expectationOf('read 1,  ok (stderr)')!], { stdout: '', stderr: 'x\n  read 1, ok\n' })).toEqual([]);
  });

  it('reports a different value, a missing line, and a line on the other stream', () => {
    expect(mismatches([expectationOf('{"result":"applied"}')!], { stdout: '{"result":"duplicate"}', stderr: '' })).toEqual(['expected on stdout: {"result":"applied"}']);
    expect(mismatches([expectationOf('{"result":"applied"}')!], { stdout: '{"result":"applied","extra":1}', stderr: '' })).toHaveLength(1);
    expect(mismatches([expectationOf('read 1 (stderr)')!], { stdout: 'read 1', stderr: 'read 2' })).toEqual(['expected a line on stderr: read 1']);
  });
});

describe('an output line compared with its ids and times aside', () => {
  const shown = "Redraw stuck 262 days (no progress) - owner: j.doe - local";
  const line = (text: string) => expectationOf(` ${text}   (stdout, ids and times aside)`);

  it('makes ids, secrets, dates, clock times and ages placeholders, and leaves every other word and count', () => {
    expect(normaliseIdsAndTimes('Order 0b1e7d4c-8a52-4f0e-9c11-00000000e001 since 2026-03-05 14:30 UTC, 262 days ago; flagged just now')).toBe('Order <id> since <date> <time> UTC, <age>; flagged <age>');
    expect(normaliseIdsAndTimes('at 2026-11-23T13:30:12.345000Z, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, 3 h ago, 45 min, 2.5 days')).toBe('at <date>, <secret>, <age>, <age>, <age>');
    expect(normaliseIdsAndTimes('6 are still open: 3 stuck, 5 without an owner')).toBe('6 are still open: 3 stuck, 5 without an owner');
    // A loopback URL's port: the README shows the default, the test's tracker listens on another.
    expect(normaliseIdsAndTimes('In the console:  http://127.0.0.1:3000/#/follow-ups/0b1e7d4c-8a52-4f0e-9c11-00000000a001')).toBe('In the console:  http://127.0.0.1:<port>/#/follow-ups/<id>');
    expect(normaliseIdsAndTimes('http://localhost:41234/ and https://d111111abcdef8.cloudfront.net/')).toBe('http://localhost:<port>/ and https://d111111abcdef8.cloudfront.net/');
  });

  it('accepts the real line whatever its ids and times, and fails on a changed word or count', () => {
    expect(mismatches([line(shown)!], { stdout: 'x\nRedraw stuck 263 days (no progress) - owner: j.doe - local\n', stderr: '' })).toEqual([]);
    expect(mismatches([line(shown)!], { stdout: 'Redraw stuck 263 days (redraw not created) - owner: j.doe - local\n', stderr: '' })).toHaveLength(1);
    expect(mismatches([line('6 are still open: 3 stuck')!], { stdout: '7 are still open: 3 stuck\n', stderr: '' })).toHaveLength(1);
    expect(mismatches([line('owner j.doe')!], { stdout: 'owner m.ops\n', stderr: '' })).toHaveLength(1);
    // The README's link on the default port is the link of a tracker on any port; another path is not.
    const link = line('In the console:  http://127.0.0.1:3000/#/follow-ups/0b1e7d4c-8a52-4f0e-9c11-00000000a001')!;
    expect(mismatches([link], { stdout: 'In the console:  http://127.0.0.1:41234/#/follow-ups/5c1a3f0e-7d2b-4e8a-9f61-2b7c0d4e1a90\n', stderr: '' })).toEqual([]);
    expect(mismatches([link], { stdout: 'In the console:  http://127.0.0.1:41234/#/worklist?queue=attention\n', stderr: '' })).toHaveLength(1);
  });
});

describe('ReadmeSession on a README with a block broken on purpose', () => {
  let session: ReadmeSession | undefined;
  afterEach(async () => {
    await session?.close();
  });
  const newSession = () => (session = new ReadmeSession({ env: { PATH: process.env.PATH }, servers: [], timeoutMs: () => 10_000 }));

  it('runs the good blocks, with exports kept from one block to the next', async () => {
    const blocks = parseBlocks(SAMPLE).filter((block) => block.skip === null);
    const runner = newSession();
    const results = [];
    for (const block of blocks) results.push(await runner.run(block));
    expect(results.map((result) => result.report)).toEqual(['', '']);
    expect(results[1]!.runs[0]!.stdout).toBe('hello\n{"read":15}\n');
  });

  it('fails on a wrong expected output, with the block text and the output', async () => {
    const broken = parseBlocks(SAMPLE.replace('# {"result":"applied"}', '# {"result":"stale"}'))[0]!;
    const result = await newSession().run(broken);
    expect(result.ok).toBe(false);
    expect(result.report).toContain('README.md:5: its output differs');
    expect(result.report).toContain('expected on stdout: {"result":"stale"}');
    expect(result.report).toContain(broken.text);
    expect(result.report).toContain('--- stdout ---\n{"result":"applied"}');
    expect(result.runs).toHaveLength(2);
  });

  it('fails on a command that exits non-zero, and runs nothing after it', async () => {
    const broken = parseBlocks(`${FENCE}bash\necho before\nls no-such-file-here\necho after\n${FENCE}\n`)[0]!;
    const result = await newSession().run(broken);
    expect(result.ok).toBe(false);
    expect(result.report).toMatch(/^README\.md:3: it exited 2\ncommand: ls no-such-file-here\n/);
    expect(result.report).toContain('echo before\nls no-such-file-here\necho after');
    expect(result.report).toMatch(/--- stderr ---\n.*no-such-file-here/);
    expect(result.runs.map((run) => run.command)).toEqual(['echo before', 'ls no-such-file-here']);
  });

  it('fails on a placeholder no banner printed', async () => {
    const broken = parseBlocks(`${FENCE}bash\necho <printed key>\n${FENCE}\n`)[0]!;
    const result = await newSession().run(broken);
    expect(result.report).toContain('it uses <printed key>, which no banner printed');
    expect(result.runs).toEqual([]);
  });
});
