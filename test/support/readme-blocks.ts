/**
 * The README as a test, part 1: markdown text to the shell blocks a reader
 * pastes, and what each command is documented to answer. Pure: no process, no
 * file (test/unit/readme-blocks.test.ts tests it on README-like text).
 *
 * Convention (what README.md and docs/*.md follow; a reader sees none of it):
 * - A shell block is a fenced block tagged `bash` or `sh`; the others (banners,
 *   mermaid, layout) are not run.
 * - `<!-- readme-test: skip (reason) -->` right before a shell block (blank lines
 *   allowed between) leaves it out; the reason is required. Any other
 *   `readme-test:` comment is an error, so a typo cannot skip silently.
 * - A command is a line, with its `\` continuation lines. A comment after it
 *   (` # ...` outside quotes) or on its own line after it is prose, unless it is
 *   an expected output:
 *   - a comment that is a whole JSON document (`# {"result":"applied"}`): the
 *     command's stdout, or one line of it, is that JSON (deep equality);
 *   - a comment ending in `(stderr)` or `(stdout)`: that stream has a line equal
 *     to the text before the marker (runs of spaces count as one);
 *   - a comment ending in `(stdout, ids and times aside)`: stdout has a line equal
 *     to it once both are normalised (normaliseIdsAndTimes: ids, dates, clock
 *     times, ages and loopback ports become placeholders; every other word and
 *     count must match).
 */
import { isDeepStrictEqual } from 'node:util';

export type Expectation =
  | { kind: 'json'; text: string; value: unknown }
  | { kind: 'line'; text: string; stream: 'stdout' | 'stderr'; line: string }
  | { kind: 'normalised'; text: string; stream: 'stdout'; line: string };

export interface Command {
  /** The shell text as pasted, continuation lines included, without its trailing comment. */
  shell: string;
  /** 1-based line of the command's first line in the markdown file. */
  line: number;
  expectations: Expectation[];
}

export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's text as shown to the reader. */
  text: string;
  /** The reason given by a skip marker, or null when the block runs. */
  skip: string | null;
  commands: Command[];
}

export class ReadmeFormatError extends Error {}

const FENCE = /^```(\S*)\s*$/;
const MARKER = /^<!--\s*readme-test:(.*?)-->\s*$/;
const SKIP = /^\s*skip\s*\((.*\S.*)\)\s*$/;

/** The shell blocks of `markdown` in order, with their commands and expectations. */
export function parseBlocks(markdown: string, file = 'README.md'): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let pendingSkip: { reason: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line.trim());
    if (marker) {
      const skip = SKIP.exec(marker[1]!);
      if (!skip) throw new ReadmeFormatError(`${file}:${i + 1}: a readme-test marker must be "<!-- readme-test: skip (the reason) -->", got: ${line.trim()}`);
      pendingSkip = { reason: skip[1]!.trim(), line: i + 1 };
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) {
      if (pendingSkip && line.trim() !== '') throw new ReadmeFormatError(`${file}:${pendingSkip.line}: a skip marker must come right before a shell block`);
      continue;
    }
    const end = lines.findIndex((candidate, index) => index > i && /^```\s*$/.test(candidate));
    if (end < 0) throw new ReadmeFormatError(`${file}:${i + 1}: a code block that never ends`);
    const body = lines.slice(i + 1, end);
    const lang = fence[1]!;
    if (lang === 'bash' || lang === 'sh') {
      blocks.push({ file, line: i + 1, text: body.join('\n'), skip: pendingSkip?.reason ?? null, commands: parseCommands(body, i + 2, file) });
    } else if (pendingSkip) {
      throw new ReadmeFormatError(`${file}:${pendingSkip.line}: a skip marker must come right before a shell block (\`\`\`bash or \`\`\`sh)`);
    }
    pendingSkip = null;
    i = end;
  }
  if (pendingSkip) throw new ReadmeFormatError(`${file}:${pendingSkip.line}: a skip marker must come right before a shell block`);
  return blocks;
}

/** Commands of a block's lines; `firstLine` is the 1-based file line of `body[0]`. */
function parseCommands(body: readonly string[], firstLine: number, file: string): Command[] {
  const commands: Command[] = [];
  for (let i = 0; i < body.length; i++) {
    const raw = body[i]!;
    if (raw.trim() === '') continue;
    if (raw.trim().startsWith('#')) {
      const expectation = expectationOf(raw.trim().slice(1));
      if (!expectation) continue;
      const previous = commands.at(-1);
      if (!previous) throw new ReadmeFormatError(`${file}:${firstLine + i}: an expected output before any command: ${raw.trim()}`);
      previous.expectations.push(expectation);
      continue;
    }
    const start = i;
    const parts = [raw];
    while (parts.at(-1)!.endsWith('\\') && i + 1 < body.length) parts.push(body[++i]!);
    const last = parts.pop()!;
    const { code, comment } = splitComment(last);
    parts.push(code.trimEnd());
    const expectation = comment === null ? null : expectationOf(comment);
    commands.push({ shell: parts.join('\n'), line: firstLine + start, expectations: expectation ? [expectation] : [] });
  }
  return commands;
}

/** A shell line's code and its trailing comment: the first `#` after a blank, outside quotes. */
export function splitComment(line: string): { code: string; comment: string | null } {
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = null;
      else if (char === '\\' && quote === '"') i++;
    } else if (char === '\\') {
      i++;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return { code: line.slice(0, i), comment: line.slice(i + 1) };
    }
  }
  return { code: line, comment: null };
}

/** The expected output a comment's text (after `#`) states, or null for prose. */
export function expectationOf(comment: string): Expectation | null {
  const text = comment.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return { kind: 'json', text, value: JSON.parse(text) as unknown };
    } catch {
      return null;
    }
  }
  const aside = /^(.*\S)\s+\(stdout, ids and times aside\)$/.exec(text);
  if (aside) return { kind: 'normalised', text, stream: 'stdout', line: normaliseIdsAndTimes(squeeze(aside[1]!)) };
  const marked = /^(.*\S)\s+\((stdout|stderr)\)$/.exec(text);
  if (marked) return { kind: 'line', text, stream: marked[2] as 'stdout' | 'stderr', line: squeeze(marked[1]!) };
  return null;
}

const squeeze = (text: string) => text.trim().replace(/\s+/g, ' ');

/**
 * A line with what differs from run to run made placeholders: ids (UUIDs, and
 * `whsec_` secrets), the port of a loopback URL (`127.0.0.1:3000`: the README
 * shows the default, the test runs on another), instants and dates, clock
 * times, and ages or lengths in minutes, hours and days ("262 days", "3 h ago",
 * "just now"). Counts, words, statuses and order are left as they are: a
 * changed word or count still differs.
 */
export function normaliseIdsAndTimes(line: string): string {
  return line
    .replace(/\b(127\.0\.0\.1|localhost):\d{1,5}\b/g, '$1:<port>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/whsec_[A-Za-z0-9+/=]+/g, '<secret>')
    .replace(/\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?/g, '<date>')
    .replace(/\b\d{2}:\d{2}(?::\d{2})?\b/g, '<time>')
    .replace(/\b\d+(?:\.\d+)? (?:days?|h|min|s)\b(?: ago)?|\bjust now\b/g, '<age>');
}

/** Why a command's output does not show what the README says (one line each), or [] when it does. */
export function mismatches(expectations: readonly Expectation[], output: { stdout: string; stderr: string }): string[] {
  const problems: string[] = [];
  for (const expectation of expectations) {
    if (expectation.kind === 'json') {
      const candidates = [output.stdout, ...output.stdout.split('\n')].map(parseJson);
      if (!candidates.some((candidate) => candidate.ok && isDeepStrictEqual(candidate.value, expectation.value))) {
        problems.push(`expected on stdout: ${expectation.text}`);
      }
    } else if (expectation.kind === 'normalised') {
      if (!output.stdout.split('\n').some((line) => normaliseIdsAndTimes(squeeze(line)) === expectation.line)) {
        problems.push(`expected a line on stdout (ids and times aside): ${expectation.text.replace(/\s+\(stdout, ids and times aside\)$/, '')}`);
      }
    } else if (!output[expectation.stream].split('\n').some((line) => squeeze(line) === expectation.line)) {
      problems.push(`expected a line on ${expectation.stream}: ${expectation.line}`);
    }
  }
  return problems;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
