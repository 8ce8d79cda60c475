/**
 * Closes by person (CONTRACT §11 `closes_by_person`): who closed the window's
 * follow-ups, counted as facts arrive like the report's other counts
 * (core/report-tallies.ts: a follow-up's `closed` tally carries its `closed_by`,
 * and the name its close's history entry gave an EHR person; core/report-counts.ts
 * adds them up by actor, the tracker's own closes left out), and how much of
 * the window the count covers.
 *
 * It is counted from the release that added it: rows and units from before carry
 * no actor. So a window answers what was counted in it (the closes that carry
 * their actor), and says whether that is the whole window: `closes_partial`
 * true when it starts before the stored instant the tracker began counting
 * (`closes_counted_since`, store/report-closers.ts), or when some person's close
 * in it carries no actor (a row written by an older version during a deploy or
 * after a rollback, a unit built by one: the people's closes by disposition,
 * kept since issue 27, add up to more than the closes by actor). Null only when
 * nothing was ever counted (no instant stored).
 */
import { instantMillis } from './instant';

/** A person's handle and how many follow-ups they closed (the digest names its top three by these alone). */
export interface CloserCount {
  actor: string;
  closed: number;
}

/**
 * One row of `closes_by_person`: the handle, how many follow-ups they closed in
 * the window, and the name an EHR gave that person on their latest close there
 * (`actor_display`, null when none was given). Always in the route's answer;
 * optional here for the digest's copy, which names people by handle only.
 */
export interface CloserRow extends CloserCount {
  actor_display?: string | null;
}

/** The name an actor's close carried, and when that close was (the latest close's name wins, whatever order counts are added in). */
export interface CloserName {
  at: string;
  name: string;
}

/** The longest name kept on a close row: a Practitioner's name, never a paragraph. */
export const MAX_ACTOR_DISPLAY = 120;

/**
 * The name a close's history entry gave its actor (`actor_display`, an EHR
 * person's, CONTRACT §13), as a close row keeps it: one line, trimmed, at most
 * MAX_ACTOR_DISPLAY characters; null when it gave none.
 */
export function closerDisplayOf(entry: { actor_display?: unknown } | null | undefined): string | null {
  const raw = entry?.actor_display;
  if (typeof raw !== 'string') return null;
  const line = raw.replace(/\s+/g, ' ').trim();
  return line === '' ? null : [...line].slice(0, MAX_ACTOR_DISPLAY).join('');
}

/** Names by actor, added: each actor's from their latest close (a tie by the name, so any grouping adds the same). */
export function addCloserNames(a: Readonly<Record<string, CloserName>>, b: Readonly<Record<string, CloserName>>): Record<string, CloserName> {
  const sum: Record<string, CloserName> = { ...a };
  for (const [actor, name] of Object.entries(b)) {
    const held = sum[actor];
    if (held === undefined || later(name, held)) sum[actor] = name;
  }
  return sum;
}

function later(a: CloserName, b: CloserName): boolean {
  const byTime = instantMillis(a.at) - instantMillis(b.at);
  return byTime > 0 || (byTime === 0 && a.name > b.name);
}

/** The rows, most closes first; a tie by actor (ascending code units), so the order never depends on how the counts were added. */
export function closerRows(byActor: Readonly<Record<string, number>>, names: Readonly<Record<string, CloserName>> = {}): CloserRow[] {
  return Object.entries(byActor)
    .filter(([, closed]) => closed > 0)
    .map(([actor, closed]) => ({ actor, actor_display: names[actor]?.name ?? null, closed }))
    .sort((a, b) => b.closed - a.closed || (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
}

/** `closes_by_person` and `closes_partial` of a window. */
export interface ClosesByPerson {
  rows: CloserRow[] | null;
  partial: boolean | null;
}

/**
 * `closes_by_person` for a window starting at `fromMs`: what was counted in it,
 * partial when it starts before counting began (`since`) or holds a person's
 * close without its actor (`peopleCloses`, the people's closes by disposition,
 * exceeds what `byActor` adds up to); both null when nothing was ever counted
 * (`since` null).
 */
export function closesByPerson(input: { fromMs: number; since: string | null; byActor: Readonly<Record<string, number>>; names?: Readonly<Record<string, CloserName>>; peopleCloses: number }): ClosesByPerson {
  if (input.since === null) return { rows: null, partial: null };
  const attributed = Object.values(input.byActor).reduce((sum, closed) => sum + closed, 0);
  const partial = input.fromMs < instantMillis(input.since) || attributed < input.peopleCloses;
  return { rows: closerRows(input.byActor, input.names), partial };
}
