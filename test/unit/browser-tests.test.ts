/**
 * The browser layer's own rules (issue 43 item 12), read from its files: a set-up
 * that fails fails each test (never "skipped"), and no test rewrites a tracked
 * file (the worklist's screenshot goes to the git-ignored test-results/, not
 * docs/console.png).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCREENSHOT } from '../support/browser';
import { repoRoot } from '../support/npm-start';

/** Every .ts file under test/, relative to the repository. */
function testFiles(dir = join(repoRoot, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.ts') ? [relative(repoRoot, path)] : [];
  });
}

/** The repository's tracked top-level entries (docs, README.md, console, ...). */
const tracked = (): string[] => [...new Set(execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean).map((file) => file.split('/')[0]!))];

describe('the browser test files', () => {
  it('set up with beforeAllOrFailEach, never a bare beforeAll (whose failure vitest reports as skipped tests)', () => {
    const files = testFiles().filter((file) => file.startsWith('test/browser/') && file.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    // BrowserFile (test/support/browser-setup.ts) sets a file up through beforeAllOrFailEach, and nothing else there does.
    const setup = readFileSync(join(repoRoot, 'test/support/browser-setup.ts'), 'utf8');
    const browserFile = setup.slice(setup.indexOf('export class BrowserFile'));
    expect(browserFile).toMatch(/\bbeforeAllOrFailEach\(/);
    expect(browserFile).not.toMatch(/\bbeforeAll\(/);
    for (const file of files) {
      const source = readFileSync(join(repoRoot, file), 'utf8');
      expect(source, file).not.toMatch(/\bbeforeAll\(/);
      expect(source, file).toMatch(/\bbeforeAllOrFailEach\(|\bnew BrowserFile\(/);
    }
  });

  it('leave the console’s screenshot in an ignored, untracked place', () => {
    const path = relative(repoRoot, CONSOLE_SCREENSHOT);
    expect(path).toBe('test-results/console.png');
    expect(spawnSync('git', ['check-ignore', '-q', path], { cwd: repoRoot }).status, `${path} is git-ignored`).toBe(0);
    expect(spawnSync('git', ['ls-files', '--error-unmatch', path], { cwd: repoRoot, stdio: 'ignore' }).status, `${path} is not tracked`).not.toBe(0);
  });

  it('write no file under a tracked path: every write in test/ names no tracked folder or file', () => {
    const top = tracked().filter((entry) => entry !== 'test');
    expect(top).toEqual(expect.arrayContaining(['docs', 'README.md', 'console']));
    const writes = /\b(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync|cp|cpSync|rename|renameSync|screenshot)\(/;
    const offenders: string[] = [];
    for (const file of testFiles()) {
      readFileSync(join(repoRoot, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (!writes.test(line)) return;
          // A string on the line of a write that starts with a tracked entry ('docs/console.png', "README.md", ...).
          const named = top.find((entry) => new RegExp(`['"\`]${entry.replace('.', '\\.')}(['"\`/])`).test(line));
          if (named !== undefined) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
