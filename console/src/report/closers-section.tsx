/**
 * Closes by person (CONTRACT §11 `closes_by_person`, issues 73 and 84): who
 * closed the window's follow-ups, most first, as a table of people and counts
 * (no patient's data: an actor is a person's handle, and an EHR person shows
 * by the name the EHR gave beside the handle, "Ann Lee (ehr:Practitioner/123)").
 * The tracker's own closes are not counted. A window that starts before the
 * tracker began counting shows what was counted since then and says so
 * ("Counted since 2026-11-20 (this window starts before)"), as does one holding
 * closes recorded without who made them; only a tracker that never counted one
 * shows no table. The table downloads as CSV, data in columns (report-tables.ts),
 * its file named by the report's window as the page's other downloads are.
 */
import { CsvButton } from '../components/csv-button';
import type { CloserRow, ReportDoc } from './report-doc';
import { closesByPersonTable } from './closers-table';
import { zonedParts } from '../lib/time';

type Closers = Pick<ReportDoc, 'from' | 'to' | 'closes_by_person' | 'closes_counted_since' | 'closes_partial'>;

export function ClosersSection({ report, timeZone }: { report: Closers; timeZone: string }) {
  const rows = report.closes_by_person;
  const partial = partialWords(report, timeZone);
  const since = report.closes_counted_since;
  const startsBefore = partial !== null && since !== null && Date.parse(since) > Date.parse(report.from);
  return (
    <section class="report-closers" aria-labelledby="report-closers-heading">
      <h2 id="report-closers-heading">Closes by person</h2>
      {rows === null ? (
        <p>Not counted yet: the tracker counts closes by person from the first close it records after the release that added them.</p>
      ) : (
        <>
          {partial !== null && <p class="report-closers-partial">{partial}</p>}
          {rows.length === 0 ? <p>Nobody closed a follow-up in this window{startsBefore ? ' since then' : ''} (the tracker's own closes are not counted).</p> : <CloserTable report={report} rows={rows} />}
        </>
      )}
    </section>
  );
}

/** The counting's start as a date in the report's zone: "2026-11-20". */
function sinceDate(since: string, timeZone: string): string {
  const millis = Date.parse(since);
  return Number.isNaN(millis) ? since : zonedParts(new Date(millis), timeZone).date;
}

/**
 * Why the count is partial, or null for a whole window: it starts before the
 * tracker began counting ("Counted since 2026-11-20 (this window starts
 * before)"), or holds closes recorded without who made them (an older version's).
 */
export function partialWords(report: Pick<Closers, 'from' | 'closes_counted_since' | 'closes_partial'>, timeZone: string): string | null {
  if (!report.closes_partial) return null;
  const since = report.closes_counted_since;
  if (since !== null && Date.parse(since) > Date.parse(report.from)) return `Counted since ${sinceDate(since, timeZone)} (this window starts before).`;
  return 'Counted in part: some closes in this window were recorded without who closed them, and are not in the table.';
}

/** "Ann Lee (ehr:Practitioner/123)" when the EHR gave a name, else the handle alone. */
export function closerWords(row: Pick<CloserRow, 'actor' | 'actor_display'>): string {
  return row.actor_display === null ? row.actor : `${row.actor_display} (${row.actor})`;
}

function CloserTable({ report, rows }: { report: Closers; rows: readonly CloserRow[] }) {
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
                <th scope="row">{closerWords(row)}</th>
                <td>{row.closed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CsvButton table={closesByPersonTable(report)} file="report-closes-by-person" what="Closes by person" />
    </>
  );
}
