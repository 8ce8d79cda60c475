/**
 * The FHIR link's one failure shape holds (issue 86): what a failed request
 * was is judged in one place, the exchange (functions/fhir/client/exchange.ts),
 * so no other file of functions/ declares a `failureOf` (a function, a const
 * or a method) of its own. The rule reads each file with the TypeScript
 * compiler, and is shown to catch a made-up breach before it is run on the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';

/** The only file that may declare a `failureOf`: the exchange, which judges every answer a caller does not read. */
const EXCHANGE = 'functions/fhir/client/exchange.ts';
const NAME = 'failureOf';

interface Source {
  path: string;
  text: string;
}

/** `path:line` of each declaration named failureOf outside the exchange. */
function failureOfOutsideExchange(sources: readonly Source[]): string[] {
  const found: string[] = [];
  for (const { path, text } of sources) {
    // Most files never say the name: they are not parsed.
    if (path === EXCHANGE || !text.includes(NAME)) continue;
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (declaresFailureOf(node)) found.push(`${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

function declaresFailureOf(node: ts.Node): boolean {
  const named = ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node) || ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node);
  return named && node.name !== undefined && ts.isIdentifier(node.name) && node.name.text === NAME;
}

function sourcesUnder(folder: string): Source[] {
  return readdirSync(join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => {
      const path = relative(repoRoot, join(repoRoot, folder, name)).split('\\').join('/');
      return { path, text: readFileSync(join(repoRoot, path), 'utf8') };
    });
}

describe('one failure shape for the FHIR link', () => {
  it('has no failureOf outside the exchange: a function, const or method of that name anywhere else in functions/ is named', () => {
    const madeUp: Source[] = [
      { path: EXCHANGE, text: 'export function failureOf(answer: unknown) { return answer; }' },
      { path: 'functions/fhir/sync/ehr-reads.ts', text: 'import { failureOf } from "../client/exchange";\nconst judged = failureOf(answer, "read");\n\nfunction failureOf(answer: unknown) { return null; }' },
      { path: 'functions/fhir-writer/notice-reads.ts', text: 'const failureOf = (answer: unknown) => answer;' },
      { path: 'functions/fhir-writer/poll-run.ts', text: 'class PollRun {\n  private failureOf(answer: unknown) { return answer; }\n}' },
      { path: 'functions/fhir-writer/notice-entry.ts', text: '// failureOf is the exchange\'s\nconst note = "failureOf";' },
    ];
    expect(failureOfOutsideExchange(madeUp)).toEqual(['functions/fhir/sync/ehr-reads.ts:4', 'functions/fhir-writer/notice-reads.ts:1', 'functions/fhir-writer/poll-run.ts:2']);

    expect(failureOfOutsideExchange(sourcesUnder('functions'))).toEqual([]);
  });
});
