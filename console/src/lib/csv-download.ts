/**
 * A CSV file saved from the browser (CONTRACT §12): a byte-order mark and the
 * text of functions/core/csv.ts as a Blob (UTF-8: a Blob encodes its strings
 * so; the mark makes a spreadsheet read them as UTF-8) behind a blob: URL that
 * an `<a download>` opens. Following a link is navigation, not script, so the
 * console's Content-Security-Policy (no inline script) lets it pass. Loaded on
 * first use (a dynamic import), with the CSV module, as a chunk of its own.
 */
import { BYTE_ORDER_MARK, csvFileName, dayIn, tableCsv, type CsvTable } from '../../../functions/core/csv';
import { browserZone } from './time';

export { tableCsv };

/** Saves `table` as the file `fileName` ("report-counts-2026-10-31-to-2026-11-28.csv"). */
export function downloadCsv(table: CsvTable, fileName: string): void {
  const url = URL.createObjectURL(new Blob([BYTE_ORDER_MARK, tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its bytes once the click is handled; the URL would otherwise live as long as the page.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A download's file name: `name`, then the days it spans (`tail`: a report's window) or else the day it is saved in the browser's zone. */
export function downloadName(name: string, tail: string | null, at: Date = new Date()): string {
  return csvFileName(name, tail ?? dayIn(at, browserZone()));
}
