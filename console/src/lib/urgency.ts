/**
 * How urgent a follow-up is, as a band (for a colour class) and in words (the
 * meaning; the colour only repeats it), CONTRACT §12: "overdue 2 days" before a
 * flag, "stuck since <the order's status time> (9 days)" once flagged.
 */
import { attentionWords } from '../../../functions/core/missing-words';
import { snoozeUntilWords } from './snooze-words';
import type { FollowUp } from './types';

export type UrgencyBand = 'attention' | 'stuck' | 'overdue' | 'due-soon' | 'due-later' | 'snoozed' | 'no-due' | 'closed';

export interface Urgency {
  band: UrgencyBand;
  words: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Due within this long counts as due soon. */
const SOON = DAY;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A span in the largest whole unit: "2 days", "5 hours", "1 minute" (rounded down, at least 1 minute). */
export function spanWords(ms: number): string {
  const span = Math.max(0, ms);
  if (span >= DAY) return plural(Math.floor(span / DAY), 'day');
  if (span >= HOUR) return plural(Math.floor(span / HOUR), 'hour');
  return plural(Math.max(1, Math.floor(span / MINUTE)), 'minute');
}

/** "2026-11-13" (UTC) of a date-time. */
export function dayOf(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 10);
}

export { timeWords } from './time';

/**
 * How far `due_at` is from `now`, in words: "overdue 2 days", "due in 5 hours";
 * null without a due time. A row of Needs attention says it beside "stuck since",
 * so that §9's order (attention, then `due_at`) reads as an order (issue 58).
 */
export function dueWords(dueAt: string | null | undefined, now: Date): string | null {
  const due = dueAt ? Date.parse(dueAt) : NaN;
  if (Number.isNaN(due)) return null;
  const at = now.getTime();
  return due <= at ? `overdue ${spanWords(at - due)}` : `due in ${spanWords(due - at)}`;
}

/** Whether a follow-up is snoozed and still asleep at `now` (a snooze whose end has passed is waking: the sweep's next write ends it). */
export function asleep(followUp: Pick<FollowUp, 'state' | 'snoozed_until'>, now: Date): boolean {
  if (followUp.state !== 'snoozed' || !followUp.snoozed_until) return false;
  const until = Date.parse(followUp.snoozed_until);
  return !Number.isNaN(until) && until > now.getTime();
}

/**
 * The follow-up's urgency at `now`: a snooze that still sleeps, then
 * attention, a stale flag, the due time. A snoozed one never reads as stuck
 * (CONTRACT §12) nor as a decision to make (its attention counts once it wakes,
 * CONTRACT §9): it says until when it sleeps, and how long that is.
 */
export function urgencyOf(followUp: FollowUp, now: Date): Urgency {
  const at = now.getTime();
  if (followUp.state === 'closed') {
    const closed = followUp.closed_at ? Date.parse(followUp.closed_at) : NaN;
    if (Number.isNaN(closed)) return { band: 'closed', words: 'Closed' };
    return { band: 'closed', words: at - closed < MINUTE ? 'Closed just now' : `Closed ${spanWords(at - closed)} ago` };
  }
  // A snooze that still sleeps comes first: an attention counts once it wakes (CONTRACT §9, the worklist lists it after every live one).
  if (followUp.attention && asleep(followUp, now)) return urgencyOf({ ...followUp, attention: null }, now);
  if (followUp.attention) {
    // Every attention is a person's decision (CONTRACT §9): "Redraw failed: ...", "Incomplete redraw: ...".
    const words = attentionWords(followUp.attention);
    return { band: 'attention', words: `${words.charAt(0).toUpperCase()}${words.slice(1)}: decide what happens next` };
  }
  if (asleep(followUp, now)) {
    const until = followUp.snoozed_until!;
    // As the person chose it (issue 72): "Snoozed until Mon 30 Nov, 09:00 EST (14:00 UTC), in 3 days".
    return { band: 'snoozed', words: `Snoozed until ${snoozeUntilWords(until, now)}` };
  }
  if (followUp.stale) {
    // "Stuck since" is the order's status time (CONTRACT §12), as on the stale redraws page; without it, the flag's own time says "flagged".
    const since = followUp.waiting_since ?? followUp.stale.since;
    const days = Math.max(0, Math.floor((at - Date.parse(since)) / DAY));
    return { band: 'stuck', words: `${followUp.waiting_since ? 'Stuck since' : 'Flagged'} ${dayOf(since)} (${plural(days, 'day')})` };
  }
  const words = dueWords(followUp.due_at, now);
  if (words === null) return { band: 'no-due', words: 'No due time' };
  const due = Date.parse(followUp.due_at!);
  const capital = `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
  if (due <= at) return { band: 'overdue', words: capital };
  return { band: due - at <= SOON ? 'due-soon' : 'due-later', words: capital };
}
