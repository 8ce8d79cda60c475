/**
 * The weekly digest's closes by person (CONTRACT §11 `closes_by_person`, issue
 * 73): the three people who closed the most follow-ups last week, by handle
 * (never a patient's data), in the report's order (most first, a tie by actor).
 * The tracker's own closes are not among them. A week that starts before the
 * tracker began counting names those counted since then, and says so; a
 * report from before closes were counted at all names nobody.
 */
import { humanTime } from './alert-time';
import { instantMillis } from './instant';
import type { RedrawReport } from './report';
import type { CloserCount } from './report-closers';

/** How many people the digest names. */
export const DIGEST_TOP_CLOSERS = 3;

/** The top closers of last week's report, field by field; null when the report did not count them for that week. */
export function topClosers(report: Pick<RedrawReport, 'closes_by_person'>): CloserCount[] | null {
  const rows = report.closes_by_person ?? null;
  return rows === null ? null : rows.slice(0, DIGEST_TOP_CLOSERS).map((row) => ({ actor: row.actor, closed: row.closed }));
}

/** How much of the week the report's count covers: from when the tracker counts, whether that misses some of the week, and the week's start. */
export interface CountedCloses {
  since: string | null;
  partial: boolean;
  from: string;
}

/**
 * One line naming them ("Closed the most: dee.park 5, ana.ruiz 2, ben.okafor 2."),
 * or saying the week was not counted; null when nobody closed one (the summary
 * already says people closed 0). A week counted in part names them "since" the
 * instant counting began when the week starts before it (partial figures, CONTRACT
 * §11), or says the count misses closes recorded without who made them. Chat
 * shows each handle as code, so that Slack's markup never reads a handle's `_` or `*`.
 */
export function closersWords(top: readonly CloserCount[] | null, counted: CountedCloses, timeZone: string, format: 'email' | 'chat'): string | null {
  if (top === null) {
    if (counted.since === null) return 'Closes by person are not counted yet: the tracker counts them from its first close after the release that added them.';
    return `Closes by person are counted from ${humanTime(counted.since, timeZone)}: not for all of last week.`;
  }
  const handle = (actor: string) => (format === 'chat' ? `\`${actor}\`` : actor);
  const named = top.map((row) => `${handle(row.actor)} ${row.closed}`).join(', ');
  if (!counted.partial) return top.length === 0 ? null : `Closed the most: ${named}.`;
  if (counted.since === null || instantMillis(counted.since) <= instantMillis(counted.from)) return top.length === 0 ? null : `Closed the most (of the closes counted by person; some were recorded without who closed them): ${named}.`;
  const since = humanTime(counted.since, timeZone);
  return top.length === 0 ? `Closes by person are counted from ${since}: nobody closed one since.` : `Closed the most since ${since}: ${named}.`;
}
