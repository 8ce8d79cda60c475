/**
 * `report`'s closes by person (CONTRACT §11 `closes_by_person`, issues 73 and
 * 84): a heading and a table of people and closes in the API's order (most
 * first), an EHR person by the name the EHR gave beside the handle ("Ann Lee
 * (ehr:Practitioner/123)"); a window counted in part says so above the table
 * ("counted since 2026-11-20 09:30Z (this window starts before)"), and a line
 * says why there is none: nobody closed one, or the tracker has not counted any yet.
 */
import type { RedrawReport } from '../functions/core/report';
import { instantMillis } from '../functions/core/instant';
import type { CloserRow } from '../functions/core/report-closers';
import { visibleWidth, type Printer } from './format';

/** An instant as the report's other lines say it: "2026-11-16 09:30Z". */
type ShortInstant = (iso: string) => string;

/** "Ann Lee (ehr:Practitioner/123)" when the EHR gave a name, else the handle alone. */
export function closerName(row: Pick<CloserRow, 'actor' | 'actor_display'>): string {
  return row.actor_display == null ? row.actor : `${row.actor_display} (${row.actor})`;
}

/**
 * Why the count is partial, or null for a whole window. A tracker before issue 84
 * sends no `closes_partial` (and no rows for such a window): read as whole.
 */
export function partialLine(report: Pick<RedrawReport, 'from' | 'closes_counted_since' | 'closes_partial'>, shortInstant: ShortInstant): string | null {
  if (report.closes_partial !== true) return null;
  const since = report.closes_counted_since ?? null;
  if (since !== null && instantMillis(since) > instantMillis(report.from)) return `  counted since ${shortInstant(since)} (this window starts before): closes before then are not in the table`;
  return '  counted in part: some closes in this window were recorded without who closed them, and are not in the table';
}

export function closersLines(report: Pick<RedrawReport, 'from' | 'closes_by_person' | 'closes_counted_since' | 'closes_partial'>, out: Printer, shortInstant: ShortInstant): string[] {
  const heading = `${out.style('bold', 'Closes by person')} (people's closes in the window, most first; the tracker's own not counted)`;
  const rows = report.closes_by_person ?? null;
  const since = report.closes_counted_since ?? null;
  if (rows === null) {
    if (since === null) return [heading, '  not counted yet: the tracker counts them from the first close it records after the release that added them'];
    // A tracker before issue 84 answers null for a window that starts before it began counting.
    return [heading, `  not counted for this window: counted from ${shortInstant(since)}, after the window's start; ask for a window from then on`];
  }
  const partial = partialLine(report, shortInstant);
  const top = partial === null ? [heading] : [heading, partial];
  const startsBefore = partial !== null && since !== null && instantMillis(since) > instantMillis(report.from);
  if (rows.length === 0) return [...top, `  nobody closed a follow-up in the window${startsBefore ? ' since then' : ''}`];
  const header = ['PERSON', 'CLOSED'] as const;
  const names = rows.map(closerName);
  const actorWidth = Math.max(header[0].length, ...names.map((name) => visibleWidth(name)));
  const closedWidth = Math.max(header[1].length, ...rows.map((row) => String(row.closed).length));
  return [
    ...top,
    `  ${out.style('bold', header[0].padEnd(actorWidth))}  ${out.style('bold', header[1])}`,
    ...rows.map((row, index) => `  ${names[index]!}${' '.repeat(actorWidth - visibleWidth(names[index]!))}  ${String(row.closed).padStart(closedWidth)}`),
  ];
}
