/**
 * The console's rooms stay as issue 56 left them: console/src/lib/ (logic, the
 * API client, session, storage) < components/ < the pages (pages/, report/,
 * redraws/, which never import each other) < the root (app.tsx, main.tsx only);
 * each room imports only the rooms below it (and functions/core/). No function
 * over 80 lines and no file over 500, measured as test/unit/code-shape.test.ts
 * measures functions/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/npm-start';

const SRC = join(repoRoot, 'console/src');
const RANK: Readonly<Record<string, number>> = { lib: 0, components: 1, pages: 2, report: 2, redraws: 2, '': 3 };

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(?:ts|tsx)$/.test(name) ? [path] : [];
  });
}

const files = filesUnder(SRC).map((path) => ({ path, name: relative(SRC, path), source: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true) }));
const roomOf = (name: string) => (name.includes('/') ? name.slice(0, name.indexOf('/')) : '');

/** The console files a file imports, relative to console/src (those outside it are left out). */
function importsOf(path: string, source: ts.SourceFile): string[] {
  return source.statements.flatMap((statement) => {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) return [];
    const target = relative(SRC, resolve(dirname(path), statement.moduleSpecifier.text));
    return statement.moduleSpecifier.text.startsWith('.') && !target.startsWith('..') ? [target] : [];
  });
}

describe('the console\'s rooms (issue 56)', () => {
  it('keeps only the shell at the root, and knows every room', () => {
    expect(files.filter((file) => roomOf(file.name) === '').map((file) => file.name).sort()).toEqual(['app.tsx', 'main.tsx']);
    expect(files.filter((file) => !(roomOf(file.name) in RANK))).toEqual([]);
  });

  it('imports only downwards: never a room beside or above', () => {
    const wrong = files.flatMap((file) => {
      const room = roomOf(file.name);
      return importsOf(file.path, file.source)
        .filter((target) => roomOf(target) !== room && RANK[roomOf(target)]! >= RANK[room]!)
        .map((target) => `${file.name} -> ${target}`);
    });
    expect(files.some((file) => importsOf(file.path, file.source).length > 0)).toBe(true);
    expect(wrong).toEqual([]);
  });

  it('has no function over 80 lines and no file over 500', () => {
    const long: string[] = [];
    for (const { name, source } of files) {
      const lines = source.text.replace(/\n$/, '').split('\n').length;
      if (lines > 500) long.push(`${name} ${lines} lines`);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const length = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          if (length > 80) long.push(`${name}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${length} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
