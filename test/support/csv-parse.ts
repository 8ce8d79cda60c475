/**
 * RFC 4180 read back (CONTRACT §12): what the console's downloads and the
 * CLI's `--csv` write, parsed strictly, for the tests that hold a CSV to its
 * table (test/browser/console-csv.test.ts, test/unit/console).
 */

/** Parses RFC 4180 text (CRLF rows, quoted fields) into rows of cells; throws on a bare LF or a stray quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let at = 0;
  while (at < text.length) {
    let cell = '';
    if (text[at] === '"') {
      at++;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error('an unclosed quote');
        cell += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        cell += '"';
        at++;
      }
    } else {
      const end = text.slice(at).search(/[,\r\n"]/);
      cell = end < 0 ? text.slice(at) : text.slice(at, at + end);
      at += cell.length;
      if (text[at] === '"') throw new Error(`a quote inside a bare field at ${at}`);
    }
    row.push(cell);
    if (text[at] === ',') {
      at++;
    } else if (text.startsWith('\r\n', at)) {
      rows.push(row);
      row = [];
      at += 2;
    } else {
      throw new Error(`a field ends without , or CRLF at ${at}: ${JSON.stringify(text.slice(at, at + 10))}`);
    }
  }
  if (row.length > 0) throw new Error('the last row has no CRLF');
  return rows;
}
