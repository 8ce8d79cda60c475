/**
 * `report`'s closes by person (CONTRACT §11 `closes_by_person`, issue 73): a
 * heading and a table of handles and closes in the API's order (most first),
 * or a line saying why there is none: nobody closed one, or the window starts
 * before the tracker began counting (with that instant), or it has not yet.
 */
import type { RedrawReport } from '../functions/core/report';
import { visibleWidth, type Printer } from './format';

/** An instant as the report's other lines say it: "2026-11-16 09:30Z". */
type ShortInstant = (iso: string) => string;

export function closersLines(report: Pick<RedrawReport, 'closes_by_person' | 'closes_counted_since'>, out: Printer, shortInstant: ShortInstant): string[] {
  const heading = `${out.style('bold', 'Closes by person')} (people's closes in the window, most first; the tracker's own not counted)`;
  const rows = report.closes_by_person ?? null;
  const since = report.closes_counted_since ?? null;
  if (rows === null) {
    if (since === null) return [heading, '  not counted yet: the tracker counts them from the first close it records after the release that added them'];
    return [heading, `  not counted for this window: counted from ${shortInstant(since)}, after the window's start; ask for a window from then on`];
  }
  if (rows.length === 0) return [heading, '  nobody closed a follow-up in the window'];
  const header = ['PERSON', 'CLOSED'] as const;
  const actorWidth = Math.max(header[0].length, ...rows.map((row) => visibleWidth(row.actor)));
  const closedWidth = Math.max(header[1].length, ...rows.map((row) => String(row.closed).length));
  return [
    heading,
    `  ${out.style('bold', header[0].padEnd(actorWidth))}  ${out.style('bold', header[1])}`,
    ...rows.map((row) => `  ${row.actor.padEnd(actorWidth)}  ${String(row.closed).padStart(closedWidth)}`),
  ];
}
