/**
 * A CSV file saved from the browser (CONTRACT §12): the text of
 * functions/core/csv.ts as a Blob (UTF-8: a Blob encodes its strings so)
 * behind a blob: URL that an `<a download>` opens. Following a link is
 * navigation, not script, so the console's Content-Security-Policy (no inline
 * script) lets it pass. Loaded on first use (a dynamic import), with the CSV
 * module, as a chunk of its own.
 */
import { csvFileName, tableCsv, type CsvTable } from '../../../functions/core/csv';

export { tableCsv };

/** Saves `table` as `<stem>-<date>.csv`. */
export function downloadCsv(table: CsvTable, stem: string, at: Date = new Date()): void {
  const url = URL.createObjectURL(new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = csvFileName(stem, at);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its bytes once the click is handled; the URL would otherwise live as long as the page.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
