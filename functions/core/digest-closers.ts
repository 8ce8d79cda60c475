/**
 * The weekly digest's closes by person (CONTRACT §11 `closes_by_person`, issue
 * 73): the three people who closed the most follow-ups last week, by handle
 * (never a patient's data), in the report's order (most first, a tie by actor).
 * The tracker's own closes are not among them. A week that starts before the
 * tracker began counting names nobody, and says from when it counts.
 */
import { humanTime } from './alert-time';
import type { RedrawReport } from './report';
import type { CloserCount } from './report-closers';

/** How many people the digest names. */
export const DIGEST_TOP_CLOSERS = 3;

/** The top closers of last week's report, field by field; null when the report did not count them for that week. */
export function topClosers(report: Pick<RedrawReport, 'closes_by_person'>): CloserCount[] | null {
  const rows = report.closes_by_person ?? null;
  return rows === null ? null : rows.slice(0, DIGEST_TOP_CLOSERS).map((row) => ({ actor: row.actor, closed: row.closed }));
}

/**
 * One line naming them ("Closed the most: dee.park 5, ana.ruiz 2, ben.okafor 2."),
 * or saying the week was not counted; null when nobody closed one (the summary
 * already says people closed 0). Chat shows each handle as code, so that
 * Slack's markup never reads a handle's `_` or `*`.
 */
export function closersWords(top: readonly CloserCount[] | null, countedSince: string | null, timeZone: string, format: 'email' | 'chat'): string | null {
  if (top === null) {
    if (countedSince === null) return 'Closes by person are not counted yet: the tracker counts them from its first close after the release that added them.';
    return `Closes by person are counted from ${humanTime(countedSince, timeZone)}: not for all of last week.`;
  }
  if (top.length === 0) return null;
  const handle = (actor: string) => (format === 'chat' ? `\`${actor}\`` : actor);
  return `Closed the most: ${top.map((row) => `${handle(row.actor)} ${row.closed}`).join(', ')}.`;
}
