/**
 * Output for people: aligned tables, relative times ("stale for 3 days",
 * "2 h ago"), and colours only on a terminal and never with NO_COLOR
 * (https://no-color.org: present and not empty). `--json` output bypasses all of it.
 */
import { toNearestMinute } from '../views/durations';

/** Where output goes; `isTTY` decides about colours (process.stdout in real use). */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const ANSI: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Colours on when the stream is a terminal and NO_COLOR is absent or empty. */
export function colorEnabled(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export interface Printer {
  readonly color: boolean;
  line(text?: string): void;
  /** Text as it is, no line end added: a CSV whose lines end in CRLF (functions/core/csv.ts). */
  text(text: string): void;
  /** One JSON document, the whole stdout of a `--json` run. */
  json(document: unknown): void;
  style(style: Style, text: string): string;
}

export function createPrinter(stream: OutputStream, env: NodeJS.ProcessEnv): Printer {
  const color = colorEnabled(stream, env);
  return {
    color,
    line: (text = '') => void stream.write(`${text}\n`),
    text: (text) => void stream.write(text),
    json: (document) => void stream.write(`${JSON.stringify(document, null, 2)}\n`),
    style: (style, text) => (color && text !== '' ? `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m` : text),
  };
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;]*m/g;

/** Visible width: escape sequences take no room. */
export function visibleWidth(text: string): number {
  return text.replace(ESCAPES, '').length;
}

/** Lines of a table: a header row and the rows, each column as wide as its widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = header.map((cell, column) => Math.max(visibleWidth(cell), ...rows.map((row) => visibleWidth(row[column] ?? ''))));
  const render = (cells: readonly string[]) =>
    `${indent}${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleWidth(cell)))).join('  ')}`.trimEnd();
  return [render(header), ...rows.map(render)];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A length of time as people say it: "40 s", "12 min", "5 h", "3 days" (hours up to two days), to the nearest minute. */
export function duration(ms: number): string {
  const value = toNearestMinute(Math.max(0, ms));
  if (value < MINUTE) return `${Math.floor(value / SECOND)} s`;
  if (value < HOUR) return `${Math.floor(value / MINUTE)} min`;
  if (value < 2 * DAY) return `${Math.floor(value / HOUR)} h`;
  return `${Math.floor(value / DAY)} days`;
}

/** "3 days ago", or "in 5 min" for a time ahead of the clock; the text as given when it is not a date. */
export function ago(iso: string, now: Date): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return iso;
  const difference = now.getTime() - millis;
  return difference >= 0 ? `${duration(difference)} ago` : `in ${duration(-difference)}`;
}

/** "for 3 days" since `iso`. */
export function since(iso: string, now: Date): string {
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? `since ${iso}` : `for ${duration(now.getTime() - millis)}`;
}

/**
 * A word for a shell command line: as is when it holds only safe characters,
 * else single-quoted. Ids are [A-Za-z0-9_-] anyway; this keeps a pasted line safe.
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The CLI's time zone, as a CSV's twin time columns name it (CONTRACT §12:
 * the console uses the browser's): TZ when it names an IANA zone, else the
 * zone Intl resolves for this process; "UTC" when neither names one.
 */
export function cliZone(env: NodeJS.ProcessEnv): string {
  for (const zone of [env.TZ, undefined]) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', zone ? { timeZone: zone } : {}).resolvedOptions().timeZone;
      if (resolved) return resolved;
    } catch {
      // Not a zone Intl knows (TZ=":/etc/localtime", "EST5EDT" on some builds): the process's own.
    }
  }
  return 'UTC';
}
