/**
 * CSV as the console's downloads and the CLI's `--csv` write it (CONTRACT §12):
 * RFC 4180 (CRLF line ends, a field holding `"`, `,`, CR or LF quoted, `"`
 * doubled), a header row, text that is UTF-8 once written. A cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
 * before it is quoted, so that a spreadsheet never runs it as a formula
 * (OWASP's CSV injection advice): a handle may start with `=` (§9's character
 * set allows it). Pure: the console loads it as its own chunk on first use.
 */

/** A table as the page shows it and the CSV holds it: a name for its file, the column headings, the rows' cells. */
export interface CsvTable {
  /** Lower-case words joined by hyphens ("counts", "aging"): the file's name and the CLI's `--table`. */
  name: string;
  header: readonly string[];
  rows: readonly (readonly CsvValue[])[];
}

export type CsvValue = string | number;

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

/** "report-counts-2026-11-27.csv": the file a download gets, from what it holds and the day it was made (UTC). */
export function csvFileName(name: string, at: Date): string {
  return `${name}-${at.toISOString().slice(0, 10)}.csv`;
}
