/**
 * `npx redraw-tracker` in a clone runs the CLI through node_modules/.bin, where
 * `npm ci` links it from the local package bin/npx (a `file:` dependency of the
 * root). The root package has no `bin` of its own on purpose: npm runs a
 * project's own bin as a package to install, reading the whole installed tree
 * first (libnpmexec), which cost about 1.6 s of CPU and a second of waiting on
 * every command (3.1 s of CPU for `npx redraw-tracker --version`, 1.7 s now).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { repoRoot } from '../support/npm-start';

const Manifest = z.object({ name: z.string(), bin: z.record(z.string(), z.string()).optional(), dependencies: z.record(z.string(), z.string()).optional() });
const read = (path: string) => Manifest.parse(JSON.parse(readFileSync(join(repoRoot, path), 'utf8')));

describe('npx redraw-tracker', () => {
  it('is a bin of the local package bin/npx, a file: dependency of the root, and not a bin of the root itself', () => {
    const root = read('package.json');
    expect(root.bin).toBeUndefined();
    const link = read('bin/npx/package.json');
    expect(root.dependencies?.[link.name]).toBe('file:bin/npx');
    expect(link.bin).toEqual({ 'redraw-tracker': 'redraw-tracker.mjs' });
    // The linked file runs the one CLI entry, bin/redraw-tracker.mjs.
    expect(readFileSync(join(repoRoot, 'bin/npx/redraw-tracker.mjs'), 'utf8')).toMatch(/^import '\.\.\/redraw-tracker\.mjs';$/m);
  });

  it('is linked into node_modules/.bin by npm ci, where npx finds it before reading the tree', () => {
    expect(realpathSync(join(repoRoot, 'node_modules/.bin/redraw-tracker'))).toBe(realpathSync(join(repoRoot, 'bin/npx/redraw-tracker.mjs')));
  });
});
