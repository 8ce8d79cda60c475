/**
 * Every layer runs many files in one worker process (vitest.config.mts, `isolate:
 * false`), so a module loaded by one file is the module the next file gets. A file that mocks a module must load
 * what uses the mock afresh (vi.resetModules, then a dynamic import): a static import could hand it
 * a copy loaded earlier with the real module (CI once counted 3 of 4 compressions in console-assets).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

function testFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Files that mock a module without loading its users afresh after the mock. */
export function mocksWithoutFreshLoad(files: ReadonlyArray<{ path: string; source: string }>): string[] {
  return files
    .filter(({ source }) => /\bvi\.(do)?[mM]ock\(/.test(source))
    .filter(({ source }) => !/\bvi\.resetModules\(\)[\s\S]*\bawait import\(/.test(source))
    .map(({ path }) => path);
}

describe('every layer, one worker for many files', () => {
  it('tells a file that mocks without a fresh load from one that loads afresh', () => {
    const mocked = "vi.mock('node:zlib', () => ({}));\nimport { x } from './x';";
    const fresh = "vi.mock('node:zlib', () => ({}));\nvi.resetModules();\nconst { x } = await import('./x');";
    expect(mocksWithoutFreshLoad([{ path: 'a', source: mocked }, { path: 'b', source: fresh }, { path: 'c', source: 'import { x } from "./x";' }])).toEqual(['a']);
  });

  it('has every file that mocks a module load what uses it afresh', () => {
    const files = ['test/unit', 'test/infra', 'test/integration', 'test/e2e', 'test/browser'].flatMap((folder) => testFiles(join(repoRoot, folder)))
      .map((path) => ({ path: relative(repoRoot, path), source: readFileSync(path, 'utf8') }))
      .filter(({ path }) => path !== 'test/unit/shared-workers-hygiene.test.ts'); // its examples are strings
    expect(files.filter(({ source }) => /\bvi\.(do)?[mM]ock\(/.test(source)).length).toBeGreaterThan(0);
    expect(mocksWithoutFreshLoad(files)).toEqual([]);
  });
});
