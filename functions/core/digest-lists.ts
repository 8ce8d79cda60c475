/**
 * The follow-ups the weekly digest names (CONTRACT §11, issue 33): the problem
 * lists (failed redraws a person must decide, the stuck ones, those without an
 * owner), each longest waiting first, and the most overdue, most urgent first.
 * Ids, handles, states and times only: nothing here ever sees a patient.
 */
import type { Attention } from './attention';

/** How many overdue follow-ups the digest names (CONTRACT §11: "the ten most overdue"). */
export const DIGEST_OVERDUE_LIMIT = 10;

/** How many follow-ups each problem list names; the rest are counted ("and 4 more") with the command that lists them. */
export const DIGEST_PROBLEM_LIMIT = 5;

/**
 * An open follow-up the digest names as a problem: ids, a handle, states and
 * times only. `order_id` is the order to paste into Junction's dashboard (the
 * flagged one when stuck, else the redraw order, else the initial order).
 */
export interface ProblemFollowUp {
  id: string;
  owner: string | null;
  state: string;
  opened_at: string;
  order_id: string | null;
  /** Its order's stale flag (CONTRACT §4): the reason, when flagged, and the order's status time it has been stuck since. */
  stale: { reason: string; since: string; status_time: string } | null;
  attention: Attention | null;
}

/** One problem list: how many there are, and the first DIGEST_PROBLEM_LIMIT. */
export interface ProblemList {
  total: number;
  items: ProblemFollowUp[];
}

/**
 * What the digest names (issue 33): the failed redraws a person must decide,
 * the stuck ones (a stale flag), and those without an owner. A follow-up may be
 * in more than one list; each list is ordered as the worklist: longest waiting first.
 */
export interface DigestProblems {
  attention: ProblemList;
  stuck: ProblemList;
  unowned: ProblemList;
}

/** The problem lists of the open follow-ups: each sorted longest waiting first (then by id), cut at `limit`. */
export function digestProblems(open: readonly ProblemFollowUp[], limit = DIGEST_PROBLEM_LIMIT): DigestProblems {
  const list = (keep: (item: ProblemFollowUp) => boolean, since: (item: ProblemFollowUp) => string): ProblemList => {
    const kept = open.filter(keep).sort((a, b) => since(a).localeCompare(since(b)) || a.id.localeCompare(b.id));
    return { total: kept.length, items: kept.slice(0, limit) };
  };
  return {
    attention: list((item) => item.attention !== null, (item) => item.opened_at),
    stuck: list((item) => item.stale !== null, (item) => item.stale?.status_time ?? item.opened_at),
    unowned: list((item) => item.owner === null, (item) => item.opened_at),
  };
}

/**
 * The most overdue open follow-ups, as the weekly digest lists them: ids,
 * owners and times only. Those with `attention` (a failed redraw, CONTRACT
 * §9) come first, whatever their due time (none, usually: nothing is open to
 * wait for), then those whose due time passed.
 */
export interface OverdueFollowUp {
  id: string;
  owner: string | null;
  state: 'new' | 'acknowledged' | 'snoozed';
  /** When the sweep flags it if nothing moves; null for one listed for its attention alone. */
  due_at: string | null;
  opened_at: string;
  /** `redraw_failed`: its redraw order ended other than completed, and a person decides what next (CONTRACT §9). */
  attention?: Attention | null;
  /** While snoozed: until when (it sorts after every follow-up that is not, CONTRACT §9). */
  snoozed_until?: string | null;
}

/**
 * The digest's overdue list (CONTRACT §9, §11), most urgent first: the open
 * follow-ups with `attention` (a failed redraw: a person must decide), then
 * those whose due time passed at `now`, each group by due time (none last),
 * then by id; at most `limit`. The worklist's own order (CONTRACT §9): a
 * follow-up still snoozed at `now` comes after every one that is not, by
 * `snoozed_until` (its attention counts once it wakes).
 */
export function mostOverdue(open: readonly OverdueFollowUp[], now: Date, limit = DIGEST_OVERDUE_LIMIT): OverdueFollowUp[] {
  const nowMs = now.getTime();
  const listed = open.filter((item) => (item.attention ?? null) !== null || (item.due_at !== null && Date.parse(item.due_at) <= nowMs));
  const asleep = (item: OverdueFollowUp) => item.state === 'snoozed' && (item.snoozed_until ?? null) !== null && Date.parse(item.snoozed_until!) > nowMs;
  const key = (item: OverdueFollowUp) => (asleep(item) ? `2#${new Date(Date.parse(item.snoozed_until!)).toISOString()}#${item.id}` : `${(item.attention ?? null) === null ? 1 : 0}#${item.due_at ?? '~'}#${item.id}`);
  return listed.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).slice(0, limit);
}
