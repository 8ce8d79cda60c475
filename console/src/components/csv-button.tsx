/**
 * "Download CSV" under a table (CONTRACT §12): the table's data as the API
 * answered it (a CsvTable, never read from the page), saved as a file named
 * by the table and the days it spans: the report's window, which the Report
 * page provides (CsvWindow), a span of the table's own (the weeks'), or else
 * the day of the download. The CSV code is imported on the first click, so
 * the page's first load stays as small as it was.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CsvTable } from '../../../functions/core/csv';

/** The days the tables of a page span, as a file name says them ("2026-10-31-to-2026-11-28"); null: none (the download's day). */
export const CsvWindow = createContext<string | null>(null);

/** A button that saves `table` as `<file>-<days>.csv`; `what` names the table in the button's accessible name. */
export function CsvButton({ table, file, what }: { table: CsvTable; file: string; what: string }) {
  const span = useContext(CsvWindow);
  const save = async () => {
    const { downloadCsv, downloadName } = await import('../lib/csv-download');
    downloadCsv(table, downloadName(file, table.fileTail ?? span));
  };
  return (
    <p class="csv-download">
      <button type="button" class="secondary" aria-label={`Download CSV: ${what}`} onClick={() => void save()}>
        Download CSV
      </button>
    </p>
  );
}
