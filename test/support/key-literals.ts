/**
 * The one key module's guard (issue 75 item 3): every partition and sort key
 * layout is built and parsed in functions/store/keys/, so no other file of
 * functions/ writes a key literal. A key literal is a string literal, or the
 * head of a template literal, that starts with an upper-case family name and
 * `#` (`'ORDER#'`, `` `FOLLOWUP#${id}` ``, `'HIST#'`); comments are not code and
 * are not read, and neither are the later parts of a template
 * (`${prefix}unit-...` builds on a family the key module named).
 */
import ts from 'typescript';

/** The key module: the only place in functions/ that writes a key literal. */
const KEY_MODULE = 'functions/store/keys/';

/** What starts a key literal: a family name of three or more upper-case letters (or `_`), then `#`. */
const KEY_LITERAL = /^[A-Z][A-Z_]{2,}#/;

/** Any quote or backtick before a key literal's start: what a file must hold to be parsed. */
const QUOTED_KEY = /['"`][A-Z][A-Z_]{2,}#/;

/** A source file: its path from the repository's root (`/` separated) and its text. */
export interface Source {
  path: string;
  text: string;
}

/** The key literals in one file's code, with their lines (1-based), in the order they stand. */
export function keyLiteralsIn(source: Source): { line: number; literal: string }[] {
  // Most files hold no quote or backtick before a family name: they need no parse.
  if (!QUOTED_KEY.test(source.text)) return [];
  const file = ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, true, source.path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { line: number; literal: string }[] = [];
  const visit = (node: ts.Node): void => {
    const text = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : ts.isTemplateExpression(node) ? node.head.text : null;
    if (text !== null && KEY_LITERAL.test(text)) found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, literal: text });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The files of functions/, other than the key module's, that hold a key literal, sorted. */
export function keyLiteralsOutside(sources: readonly Source[]): string[] {
  return sources
    .filter(({ path }) => path.startsWith('functions/') && !path.startsWith(KEY_MODULE))
    .filter((source) => keyLiteralsIn(source).length > 0)
    .map(({ path }) => path)
    .sort();
}
