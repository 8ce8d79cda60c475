/**
 * Closes by person (CONTRACT §11 `closes_by_person`, issue 73): who closed the
 * window's follow-ups, most first, as a table of handles and counts (no
 * patient's data: an actor is a person's handle). The tracker's own closes are
 * not counted. A window that starts before the tracker began counting says so,
 * with the instant it began, rather than showing a count that would miss closes.
 */
import { CsvButton } from '../components/csv-button';
import type { CloserRow } from './report-doc';
import { closesByPersonTable } from './report-tables';
import { instantWords } from './report-words';

export function ClosersSection({ rows, since, timeZone }: { rows: readonly CloserRow[] | null; since: string | null; timeZone: string }) {
  return (
    <section class="report-closers" aria-labelledby="report-closers-heading">
      <h2 id="report-closers-heading">Closes by person</h2>
      {rows === null ? (
        <p>{notCountedWords(since, timeZone)}</p>
      ) : rows.length === 0 ? (
        <p>Nobody closed a follow-up in this window (the tracker's own closes are not counted).</p>
      ) : (
        <CloserTable rows={rows} />
      )}
    </section>
  );
}

/** Why a window has no count: counting began after its start, or has not begun. */
export function notCountedWords(since: string | null, timeZone: string): string {
  if (since === null) return 'Not counted yet: the tracker counts closes by person from the first close it records after the release that added them.';
  return `Not counted for this window: the tracker counts closes by person from ${instantWords(since, timeZone)}, and this window starts before then. Choose a window that starts on or after it.`;
}

function CloserTable({ rows }: { rows: readonly CloserRow[] }) {
  const id = 'report-closers-table';
  return (
    <>
      {/* The title stays outside the region that scrolls, as the report's other tables do. */}
      <p class="table-title" id={id}>
        People's closes in the window, most first (the tracker's own closes are not counted)
      </p>
      <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
        <table class="report-closers-table" aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Closed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.actor}>
                <th scope="row">{row.actor}</th>
                <td>{row.closed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CsvButton table={closesByPersonTable(rows)} file="report-closes-by-person" what="Closes by person" />
    </>
  );
}
