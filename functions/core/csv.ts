/**
 * CSV as the console's downloads and the CLI's `--csv` write it (CONTRACT §12):
 * RFC 4180 (CRLF line ends, a field holding `"`, `,`, CR or LF quoted, `"`
 * doubled), a header row, text that is UTF-8 once written (a download starts
 * with a byte-order mark, so that a spreadsheet reads "·" as written; the
 * CLI's stdout does not, as a mark would break a pipe). A cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
 * before it is quoted, so that a spreadsheet never runs it as a formula
 * (OWASP's CSV injection advice): an owner stored before §9's handle rule
 * may start with `=`.
 *
 * A CSV is data for a spreadsheet, not the page's words: times are
 * `YYYY-MM-DD HH:MM` (whole minutes) in a `<name>_utc` column with a twin in
 * the reader's zone named in its header (`due_local_america_new_york`), and
 * nothing says how far a time is from the moment of the download. Pure: the
 * console loads it as its own chunk on first use, apart from the time cells,
 * which the worklist's columns use.
 */

/** A table as the CSV holds it: a name for its file, the column headings, the rows' cells. */
export interface CsvTable {
  /** Lower-case words joined by hyphens ("counts", "aging"): the file's name and the CLI's `--table`. */
  name: string;
  header: readonly string[];
  rows: readonly (readonly CsvValue[])[];
  /** What the file's name says after its name when the table spans days of its own ("2026-10-05-to-2026-11-28"); else the page's. */
  fileTail?: string;
}

export type CsvValue = string | number;

/** What a downloaded file starts with: U+FEFF, the byte-order mark a spreadsheet reads as "this is UTF-8". */
export const BYTE_ORDER_MARK = '\uFEFF';

/** The first characters that make a spreadsheet read a cell as a formula (or hide one). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** What makes a field need quotes (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: the formula prefix first, then quoted when it must be, `"` doubled. */
export function csvCell(value: CsvValue): string {
  const text = typeof value === 'number' ? String(value) : value;
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A header row and the rows, each line ended by CRLF (the last one too, RFC 4180 §2.2 allows it). */
export function csvOf(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

/** A table's CSV. */
export function tableCsv(table: CsvTable): string {
  return csvOf(table.header, table.rows);
}

/** A value as a file's name may hold it: letters, digits, `.`, `_` and `-` kept, any other run one `_`, never a leading dot. */
export function fileNamePart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
}

/** "report-counts-2026-10-31-to-2026-11-28.csv", "worklist-open-2026-11-28.csv": what a table holds, then its days. */
export function csvFileName(name: string, tail: string): string {
  return `${name}-${tail}.csv`;
}

/** The header of a time's twin in `zone`: `due_local_america_new_york` (the IANA name lower-cased, anything but a letter or digit `_`). */
export function localColumn(name: string, zone: string): string {
  return `${name}_local_${zone.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

/** A time's two headers: `<name>_utc` and its twin in `zone`. */
export function timeColumns(name: string, zone: string): [string, string] {
  return [`${name}_utc`, localColumn(name, zone)];
}

/** "2026-11-28": the day of an instant in `zone`. */
export function dayIn(at: Date, zone: string): string {
  return csvMinute(at, zone).slice(0, 10);
}

/** An instant as `YYYY-MM-DD HH:MM` in `zone`, its seconds dropped (as a clock shows them). */
function csvMinute(at: Date, zone: string): string {
  if (zone === 'UTC') return at.toISOString().slice(0, 16).replace('T', ' ');
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** A time's two cells, in UTC and in `zone` (`YYYY-MM-DD HH:MM`); both empty for none or for text that is no time. */
export function timeCells(iso: string | null | undefined, zone: string): [string, string] {
  const millis = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(millis)) return ['', ''];
  const at = new Date(millis);
  return [csvMinute(at, 'UTC'), csvMinute(at, zone)];
}
