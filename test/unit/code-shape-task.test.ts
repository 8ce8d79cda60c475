/**
 * One Task decoder (issue 86): a Task read from the FHIR server is decoded once,
 * by functions/core/fhir/read-task.ts, and everything after takes the decoded
 * value. So no other file of functions/ reads a `meta` (a property access
 * `.meta`, `?.meta` or `['meta']`, found with the TypeScript compiler, comments
 * and words aside). The rule is shown to catch a made-up breach, then run on the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

/** The one file that reads a Task's `meta`. */
const DECODER = 'functions/core/fhir/read-task.ts';

/** Other files of functions/ allowed to read a `meta`, each with its reason: none. */
const META_READERS: Readonly<Record<string, string>> = {};

function filesUnder(folder: string): string[] {
  return readdirSync(join(repoRoot, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (statSync(join(repoRoot, path)).isDirectory()) return filesUnder(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Whether `node` reads a property named `meta`: `x.meta`, `x?.meta` or `x['meta']` (`import.meta` is no property access). */
function readsMeta(node: ts.Node): boolean {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'meta';
  return ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'meta';
}

/** The files among `sources` (path to text) that read a `meta`, each with the first line that does, other than the decoder. */
function metaReaders(sources: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of sources) {
    if (file === DECODER) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    let line: number | null = null;
    const visit = (node: ts.Node) => {
      if (line === null && readsMeta(node)) line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      if (line === null) ts.forEachChild(node, visit);
    };
    visit(source);
    if (line !== null) found.push(`${file}:${line}`);
  }
  return found.sort();
}

describe('one Task decoder: only functions/core/fhir/read-task.ts reads a Task\'s meta', () => {
  it('sees a made-up breach: a meta read outside the decoder, by a dot, a question dot or a quoted key', () => {
    const made = new Map([
      ['functions/a.ts', 'const v = (task.meta as { versionId?: string }).versionId;'],
      ['functions/b.ts', 'export const at = (resource: Record<string, any>) => resource?.meta?.lastUpdated;'],
      ['functions/c.ts', "const author = record(task['meta'])?.author;"],
      // Words, a key written, a type's field, `import.meta` and the decoder itself are no breach.
      ['functions/d.ts', "// task.meta in words only\nconst body = { meta: { tag: [] } };\ninterface T { meta?: unknown }\nconst url = import.meta.url;\nif (field === 'meta') put(field);"],
      [DECODER, 'const meta = record(resource.meta);'],
    ]);
    expect(metaReaders(made)).toEqual(['functions/a.ts:1', 'functions/b.ts:1', 'functions/c.ts:1']);
  });

  it('holds in functions/: no file but the decoder reads a meta, beyond the listed exceptions', () => {
    for (const why of Object.values(META_READERS)) expect(why.length).toBeGreaterThan(20);
    const files = filesUnder('functions');
    expect(files).toContain(DECODER);
    const readers = metaReaders(new Map(files.map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')])));
    expect(readers.map((reader) => reader.slice(0, reader.lastIndexOf(':')))).toEqual(Object.keys(META_READERS).sort());
    // The decoder itself reads it (else the rule guards nothing).
    expect(metaReaders(new Map([['functions/x.ts', readFileSync(join(repoRoot, DECODER), 'utf8')]]))).not.toEqual([]);
  });
});
