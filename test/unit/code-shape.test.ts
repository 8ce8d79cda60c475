/**
 * The shape of the code stays as issue 44 left it (docs/engineering-notes.md,
 * "The code's rooms"): entries (one folder per Lambda function under
 * functions/) stand on the lower rooms (notices, store, junction, shared,
 * core) and never on each other; no lower room imports an entry; no import
 * circle anywhere in the repository's code; no function in functions/ over
 * 80 lines and no entry's app.ts over 400, each measured with the TypeScript
 * compiler from the first line to the last, comments, blank lines and nested
 * closures included. The exceptions are listed below by name with the reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

/** Folders of code the project runs or ships; tests and benches may import anything. */
const CODE_ROOTS = ['functions', 'lib', 'local', 'cli', 'bin', 'console'];

/** The lower rooms of functions/, in the order they may stand on each other. */
const LOWER_ROOMS = ['notices', 'store', 'junction', 'shared', 'core'] as const;

const MAX_FUNCTION_LINES = 80;
const MAX_APP_LINES = 400;

/** Functions allowed past 80 lines: at most three, none past 120, each with its reason. */
const LONG_FUNCTION_EXCEPTIONS: Readonly<Record<string, { lines: number; why: string }>> = {};

function filesUnder(folder: string): string[] {
  const absolute = join(repoRoot, folder);
  let entries: string[];
  try {
    entries = readdirSync(absolute);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(folder, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(repoRoot, path)).isDirectory()) return filesUnder(path);
    return /\.(?:ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(repoRoot, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The repository files a file imports (relative specifiers only; type-only imports count too). */
function importsOf(file: string, source: ts.SourceFile, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const add = (specifier: string) => {
    if (!specifier.startsWith('.')) return;
    const base = resolve(repoRoot, dirname(file), specifier);
    const stem = base.replace(/\.(?:js|mjs)$/, '');
    for (const candidate of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, join(base, 'index.ts')]) {
      const path = relative(repoRoot, candidate);
      if (known.has(path)) {
        found.push(path);
        return;
      }
    }
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = CODE_ROOTS.flatMap(filesUnder);
const sources = new Map(files.map((file) => [file, parse(file)]));
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(file, sources.get(file)!, known)]));

/** `functions/<room>/...` -> the room, or undefined outside functions/. */
function roomOf(file: string): string | undefined {
  const match = /^functions\/([^/]+)\//.exec(file);
  return match?.[1];
}

const isLowerRoom = (room: string | undefined) => (LOWER_ROOMS as readonly string[]).includes(room ?? '');

/** Every import circle, each named once by the files on it (Tarjan's strongly connected components). */
function importCircles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfLoop = (graph.get(file) ?? []).includes(file);
      if (component.length > 1 || selfLoop) circles.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return circles;
}

interface Measured {
  name: string;
  lines: number;
}

/** A readable name for a function node: `file:name` with its enclosing names, or the line of an anonymous one. */
function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const parts: string[] = [];
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    const named = (at as { name?: ts.Node }).name;
    if (named && (ts.isIdentifier(named) || ts.isStringLiteral(named) || ts.isPrivateIdentifier(named))) parts.unshift(named.text);
  }
  const own = (node as { name?: ts.Node }).name;
  const parent = node.parent;
  const named = own !== undefined || ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent);
  if (!named) parts.push('<closure>');
  return `${source.fileName}:${parts.join('.')}`;
}

function longFunctions(file: string): Measured[] {
  const source = sources.get(file)!;
  const found: Measured[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the shape of the code (issue 44)', () => {
  it('reads every folder of code, and sees the imports between them', () => {
    for (const root of ['functions', 'lib', 'local', 'cli']) expect(files.some((file) => file.startsWith(`${root}/`)), root).toBe(true);
    const arrows = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(arrows).toBeGreaterThan(files.length);
  });

  it('has no entry importing another entry', () => {
    const crossings = files.flatMap((file) => {
      const room = roomOf(file);
      if (!room || isLowerRoom(room)) return [];
      return (graph.get(file) ?? []).filter((target) => {
        const to = roomOf(target);
        return to !== undefined && to !== room && !isLowerRoom(to);
      }).map((target) => `${file} -> ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('has no lower room (notices, store, junction, shared, core) importing an entry or a room above it', () => {
    const upward = files.flatMap((file) => {
      const room = roomOf(file);
      if (!isLowerRoom(room)) return [];
      const level = LOWER_ROOMS.indexOf(room as (typeof LOWER_ROOMS)[number]);
      return (graph.get(file) ?? []).filter((target) => {
        const to = roomOf(target);
        if (to === undefined) return true; // functions/ never reaches outside itself
        if (!isLowerRoom(to)) return true;
        return LOWER_ROOMS.indexOf(to as (typeof LOWER_ROOMS)[number]) < level;
      }).map((target) => `${file} -> ${target}`);
    });
    expect(upward).toEqual([]);
  });

  it('has no import circle in the code', () => {
    expect(importCircles()).toEqual([]);
  });

  it(`has no function in functions/ over ${MAX_FUNCTION_LINES} lines but the listed exceptions`, () => {
    const exceptions = Object.entries(LONG_FUNCTION_EXCEPTIONS);
    expect(exceptions.length).toBeLessThanOrEqual(3);
    for (const [name, { lines, why }] of exceptions) {
      expect(lines, name).toBeLessThanOrEqual(120);
      expect(why.length, name).toBeGreaterThan(20);
    }
    const measured = files.filter((file) => file.startsWith('functions/')).flatMap(longFunctions);
    const unlisted = measured.filter(({ name }) => !(name in LONG_FUNCTION_EXCEPTIONS));
    expect(unlisted.map(({ name, lines }) => `${name} (${lines} lines)`)).toEqual([]);
    for (const { name, lines } of measured) expect(lines, name).toBeLessThanOrEqual(LONG_FUNCTION_EXCEPTIONS[name]!.lines);
  });

  it(`has no entry's app.ts over ${MAX_APP_LINES} lines`, () => {
    const apps = files.filter((file) => /^functions\/[^/]+\/app\.ts$/.test(file));
    expect(apps.length).toBeGreaterThanOrEqual(8);
    const long = apps
      .map((file) => ({ file, lines: readFileSync(join(repoRoot, file), 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter(({ lines }) => lines > MAX_APP_LINES);
    expect(long).toEqual([]);
  });
});
