/**
 * Nothing in the repository reads outside it (issue 11): no tracked text file
 * (code, tests, scripts, benchmarks, docs, package.json) names a path that
 * leaves the repository: a sibling folder beside the clone, this machine's own
 * workspace folders, a home directory. A fast early warning in `npm test`;
 * `.ci/run` is the proof, running everything from a fresh clone with nothing
 * beside it (a path built at run time only shows there).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

/** This file: it spells out the very paths it looks for. */
const SELF = 'test/unit/repo-boundary.test.ts';

/** Every folder and file that must be scanned (each must contribute at least one file). */
const REQUIRED = ['functions/', 'lib/', 'local/', 'cli/', 'bench/', 'test/', 'bin/', 'docs/', 'README.md', 'package.json', '.ci/run'];

/** Absolute paths that only exist on some machine. */
const MACHINE_PATHS: readonly RegExp[] = [
  /(?<![\w.-])\/work\//, // this machine's workspace
  /(?<![\w.-])\/(?:home|Users)\/[\w.-]+/, // home directories
  /(?<![\w.-])\/root\//,
  /\b[A-Za-z]:\\{1,2}Users\\/,
  /(?<![\w$~])~\/[\w.]/, // ~/something
  /\$HOME\b|\$\{HOME\}|process\.env\.HOME\b|\bhomedir\(\)/,
];

/** The folder that sat beside the repository, by what it held (test/fixtures/README.md). */
const SIBLING_SHARED = /\bshared(?:[/\\]|['"`]\s*,\s*['"`])(?:fixtures|CONTRACT\.md|DOMAIN\.md|STYLE\.md|TOOLCHAIN\.md)\b/;

/** A relative path starting with `..` (not the tail of a longer path, not a spread `...`). */
const PARENT_PATH = /(?<![\w./\\])\.\.(?:\/[^\s'"`()[\]<>,;]*)?(?=$|[\s'"`()[\]<>,;])/gm;

/** Path segments written as separate string arguments, `'..', '..', 'docs'`: joined, they are one path. */
const SEGMENTS = /(['"`])([^'"`\n]*)\1(?:\s*,\s*(['"`])[^'"`\n]*\3)+/g;

const CODE = new Set(['.ts', '.tsx', '.mts', '.mjs', '.js', '.cjs']);

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

/**
 * The paths in `text` (the content of `file`, relative to the repository) that
 * leave the repository. Relative paths in code are resolved from the file's
 * folder (imports, `new URL(..., import.meta.url)`), Markdown links too; in
 * anything else (shell, package.json scripts, commands in docs) from the
 * repository root, where they run.
 */
function pathsLeavingRepo(file: string, text: string, counter = { relative: 0 }): Finding[] {
  const findings: Finding[] = [];
  const isCode = CODE.has(extname(file));
  const lines = text.split('\n');
  lines.forEach((original, index) => {
    const found = (text: string, why: string) => findings.push({ file, line: index + 1, text: text.trim().slice(0, 160), why });
    for (const pattern of MACHINE_PATHS) if (pattern.test(original)) found(original, `machine path ${pattern}`);
    if (SIBLING_SHARED.test(original)) found(original, 'the sibling shared/ folder');
    // Separate segments (`'..', 'x'`) are joined into one path per call, resolved like any other.
    const line = original.replace(SEGMENTS, (call: string) => {
      const parts = [...call.matchAll(/(['"`])([^'"`\n]*)\1/g)].map((match) => match[2]);
      return parts[0]?.startsWith('..') ? `'${parts.join('/')}'` : call;
    });
    for (const match of line.matchAll(PARENT_PATH)) {
      const path = match[0];
      const inLink = line.slice(0, match.index).endsWith('](');
      // A tsconfig's `extends` and `include` are relative to the tsconfig itself, as code's imports are.
      const base = isCode || inLink || /(^|\/)tsconfig[^/]*\.json$/.test(file) ? dirname(resolve(repoRoot, file)) : repoRoot;
      counter.relative++;
      const target = relative(repoRoot, resolve(base, path));
      if (target === '..' || target.startsWith('../') || isAbsolute(target)) found(original, `${path} leaves the repository`);
    }
  });
  return findings;
}

/** The repository's text files (tracked, or new and not ignored), but the lock file and this one. */
function repoTextFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((file) => file !== '' && file !== 'package-lock.json' && file !== SELF)
    .filter((file) => {
      try {
        return lstatSync(resolve(repoRoot, file)).isFile(); // not a deleted file, not a symlink (a worktree's node_modules)
      } catch {
        return false;
      }
    })
    .filter((file) => !readFileSync(resolve(repoRoot, file)).includes(0));
}

/**
 * Tracked symbolic links pointing outside the repository (a worktree's
 * `node_modules` link into the main checkout, committed by mistake): a clone
 * gets a link into whatever that path is on its machine.
 */
function symlinksLeavingRepo(): Finding[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  return tracked.flatMap((file) => {
    const path = resolve(repoRoot, file);
    try {
      if (!lstatSync(path).isSymbolicLink()) return [];
    } catch {
      return [];
    }
    const target = relative(repoRoot, resolve(dirname(path), readlinkSync(path)));
    return target === '..' || target.startsWith('../') || isAbsolute(target) ? [{ file, line: 0, text: readlinkSync(path), why: 'symbolic link out of the repository' }] : [];
  });
}

describe('the repository names no path outside itself', () => {
  it('in any tracked text file: code, tests, scripts, benchmarks, docs, package.json', () => {
    const files = repoTextFiles();
    const counter = { relative: 0 };
    const findings = files.flatMap((file) => pathsLeavingRepo(file, readFileSync(resolve(repoRoot, file), 'utf8'), counter));
    expect(findings).toEqual([]);
    // Not vacuous: the scan saw the whole repository and resolved its relative paths.
    expect(files.length).toBeGreaterThan(100);
    for (const required of REQUIRED) expect(files.some((file) => file === required || file.startsWith(required)), required).toBe(true);
    expect(counter.relative).toBeGreaterThan(200);
  });

  it('tracks no symbolic link that points outside it', () => {
    expect(symlinksLeavingRepo()).toEqual([]);
  });

  it('finds what it looks for (the checker itself)', () => {
    const flagged = (file: string, text: string) => pathsLeavingRepo(file, text).length > 0;
    // What used to be here, and its variants. The samples are put together at run
    // time, so that this file's own text names no path outside the repository.
    const up = '.'.repeat(2);
    const work = `/${'work'}/`;
    expect(flagged('test/support/junction.ts', `const dir = join(dirname(fileURLToPath(import.meta.url)), '${up}/${up}/${up}/shared/fixtures');`)).toBe(true);
    expect(flagged('test/support/junction.ts', "const candidate = join(dir, 'shared', 'fixtures', 'junction-docs');")).toBe(true);
    expect(flagged('test/support/openapi.ts', `join(dirname(fileURLToPath(import.meta.url)), '${up}', '${up}', '${up}', 'docs')`)).toBe(true);
    expect(flagged('bench/run.ts', `readFileSync(new URL('${up}/${up}/other-repo/x.json', import.meta.url))`)).toBe(true);
    expect(flagged('package.json', `"fixtures": "cp ${up}/shared/fixtures/*.json test/fixtures/"`)).toBe(true);
    expect(flagged('README.md', `Read ${up}/shared/CONTRACT.md first.`)).toBe(true);
    expect(flagged('docs/local.md', `cat ${up}/notes.txt`)).toBe(true);
    expect(flagged('README.md', `see [the brief](${up}/COMMON.md)`)).toBe(true);
    expect(flagged('docs/x.md', `see [the brief](${up}/${up}/COMMON.md)`)).toBe(true);
    expect(flagged('.ci/run', `cp -r ${work}main/.cache .cache`)).toBe(true);
    expect(flagged('scripts/x.ts', `const config = '/${'home'}/alice/.redraw/config.json';`)).toBe(true);
    expect(flagged('scripts/x.ts', "const config = join(homedir(), '.redraw');")).toBe(true);
    expect(flagged('docs/deploy.md', 'export DATA_DIR=~/redraw-data')).toBe(true);
    // What is fine: paths inside the repository.
    expect(flagged('functions/query/app.ts', `import { SERVICES } from '${up}/shared/metric-names';`)).toBe(false);
    expect(flagged('test/support/npm-start.ts', "export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');")).toBe(false);
    expect(flagged('test/support/openapi.ts', "join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'openapi.json')")).toBe(false);
    expect(flagged('lib/table-bound-function.ts', "export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));")).toBe(false);
    expect(flagged('docs/local.md', 'see [the README](../README.md)')).toBe(false);
    expect(flagged('console/tsconfig.json', '"extends": "../tsconfig.json",')).toBe(false);
    expect(flagged('console/tsconfig.json', '"extends": "../../tsconfig.json",')).toBe(true);
    expect(flagged('.ci/run', 'cd "$(dirname "${BASH_SOURCE[0]}")/.."')).toBe(false);
    expect(flagged('functions/x.ts', 'const all = [...items, ...more];')).toBe(false);
  });
});
