/**
 * Closes by person as CSV (CONTRACT §11 `closes_by_person`, §12; issue 84):
 * the Report page's table as data for a spreadsheet, what its "Download CSV"
 * saves and what the CLI's `report --csv` (table `closes-by-person`) and
 * `report --by closers --csv` print. One kind of value per column: the handle,
 * the name an EHR gave that person (empty: none), the closes, and on every row
 * from when the tracker counts (`YYYY-MM-DD HH:MM` in UTC, and its twin in the
 * browser's zone, the CLI's in TZ's: core/csv.ts timeColumns) and whether the
 * window's count is partial (`true`/`false`), so a row pasted elsewhere keeps
 * what it counts. Pure: no DOM.
 */
import { timeCells, timeColumns, type CsvTable } from '../../../functions/core/csv';
import type { ReportDoc } from './report-doc';

/** An instant as a CSV holds it (CONTRACT §12): `YYYY-MM-DD HH:MM` in UTC, whole minutes; empty for none. */
export function csvUtcMinute(iso: string | null): string {
  if (iso === null) return '';
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? '' : new Date(millis).toISOString().slice(0, 16).replace('T', ' ');
}

/** The columns, the counting's start with its twin in `zone`. */
export function closerColumns(zone: string): string[] {
  return ['actor', 'actor_display', 'closed', ...timeColumns('counted_since', zone), 'partial'];
}

/** The table: a row per person the report counted (none when it counted none); `zone`, the twin's (this runtime's by default: the browser's, or TZ's). */
export function closesByPersonTable(report: Pick<ReportDoc, 'closes_by_person' | 'closes_counted_since' | 'closes_partial'>, zone = Intl.DateTimeFormat().resolvedOptions().timeZone): CsvTable {
  const since = timeCells(report.closes_counted_since, zone);
  const partial = String(report.closes_partial);
  return { name: 'closes-by-person', header: closerColumns(zone), rows: (report.closes_by_person ?? []).map((row) => [row.actor, row.actor_display ?? '', row.closed, ...since, partial]) };
}
