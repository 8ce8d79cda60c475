/**
 * Closes by person (CONTRACT §11 `closes_by_person`): who closed the window's
 * follow-ups, counted as facts arrive like the report's other counts
 * (core/report-tallies.ts: a follow-up's `closed` tally carries its `closed_by`,
 * and core/report-counts.ts adds them up by actor, the tracker's own closes left
 * out), and when the count may be claimed.
 *
 * It is counted from the release that added it: rows and units from before carry
 * no actor. So a window answers the count only when it starts at or after the
 * stored instant the tracker began counting (`closes_counted_since`, store/
 * report-closers.ts), and only when every person's close in it is attributed:
 * the people's closes by disposition (kept since issue 27) must add up to the
 * closes by actor. A close without its actor in the window (a row written by an
 * older version during a deploy or after a rollback, a unit built by one) makes
 * the answer null rather than a count that misses it.
 */
import { instantMillis } from './instant';

/** One row of `closes_by_person`: a person's handle and how many follow-ups they closed in the window. */
export interface CloserCount {
  actor: string;
  closed: number;
}

/** The rows, most closes first; a tie by actor (ascending code units), so the order never depends on how the counts were added. */
export function closerRows(byActor: Readonly<Record<string, number>>): CloserCount[] {
  return Object.entries(byActor)
    .filter(([, closed]) => closed > 0)
    .map(([actor, closed]) => ({ actor, closed }))
    .sort((a, b) => b.closed - a.closed || (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
}

/**
 * `closes_by_person` for a window starting at `fromMs`: null when the tracker
 * had not begun counting by then (`since` null: it never has yet), or when some
 * person's close in the window carries no actor (`peopleCloses`, the people's
 * closes by disposition, exceeds what `byActor` adds up to).
 */
export function closesByPerson(input: { fromMs: number; since: string | null; byActor: Readonly<Record<string, number>>; peopleCloses: number }): CloserCount[] | null {
  if (input.since === null || input.fromMs < instantMillis(input.since)) return null;
  const attributed = Object.values(input.byActor).reduce((sum, closed) => sum + closed, 0);
  if (attributed !== input.peopleCloses) return null;
  return closerRows(input.byActor);
}
