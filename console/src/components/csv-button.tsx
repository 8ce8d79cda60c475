/**
 * "Download CSV" under a table (CONTRACT §12): the table's rows as the API
 * answered them (a CsvTable, never read from the page), saved as a file. The
 * CSV code is imported on the first click, so the page's first load stays as
 * small as it was.
 */
import type { CsvTable } from '../../../functions/core/csv';

/** A button that saves `table` as `<file>-<date>.csv`; `what` names the table in the button's accessible name. */
export function CsvButton({ table, file, what }: { table: CsvTable; file: string; what: string }) {
  const save = async () => {
    const { downloadCsv } = await import('../lib/csv-download');
    downloadCsv(table, file);
  };
  return (
    <p class="csv-download">
      <button type="button" class="secondary" aria-label={`Download CSV: ${what}`} onClick={() => void save()}>
        Download CSV
      </button>
    </p>
  );
}
