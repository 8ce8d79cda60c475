/** How the read of a worklist's rows goes (Worklist, Bulk): its error, that it is loading (and how far it looked), or that it read on past empty pages. */
import { errorWords } from '../lib/load';
import { readOnWords, type ReadOnPage } from '../lib/read-on';

export function RowsProgress({ rows, lookedThrough }: { rows: { value: ReadOnPage | null; error: unknown }; lookedThrough: number }) {
  const readOn = rows.value === null ? null : readOnWords(rows.value);
  return (
    <>
      {rows.error !== null && <p role="alert">{errorWords(rows.error)}</p>}
      {rows.value === null && rows.error === null && <p>Loading follow-ups…{lookedThrough > 0 ? ` (looked through ${lookedThrough} pages so far)` : ''}</p>}
      {readOn !== null && <p class="read-on">{readOn}</p>}
    </>
  );
}
