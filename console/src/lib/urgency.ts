/**
 * How urgent a follow-up is, as a band (for a colour class) and in words (the
 * meaning; the colour only repeats it), CONTRACT §12: "overdue 2 days" before a
 * flag, "stuck since <the order's status time> (9 days)" once flagged.
 */
import { attentionWords } from '../../../functions/core/missing-words';
import { timeWords } from './time';
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

/** The follow-up's urgency at `now`: attention first, then a stale flag, snooze, due time. */
export function urgencyOf(followUp: FollowUp, now: Date): Urgency {
  const at = now.getTime();
  if (followUp.state === 'closed') {
    const closed = followUp.closed_at ? Date.parse(followUp.closed_at) : NaN;
    if (Number.isNaN(closed)) return { band: 'closed', words: 'Closed' };
    return { band: 'closed', words: at - closed < MINUTE ? 'Closed just now' : `Closed ${spanWords(at - closed)} ago` };
  }
  if (followUp.attention) {
    // Every attention is a person's decision (CONTRACT §9): "Redraw failed: ...", "Incomplete redraw: ...".
    const words = attentionWords(followUp.attention);
    return { band: 'attention', words: `${words.charAt(0).toUpperCase()}${words.slice(1)}: decide what happens next` };
  }
  if (followUp.stale) {
    const since = followUp.waiting_since ?? followUp.stale.since;
    const days = Math.max(0, Math.floor((at - Date.parse(since)) / DAY));
    return { band: 'stuck', words: `Stuck since ${dayOf(since)} (${plural(days, 'day')})` };
  }
  if (followUp.state === 'snoozed' && followUp.snoozed_until) {
    return { band: 'snoozed', words: `Snoozed until ${timeWords(followUp.snoozed_until)}` };
  }
  if (!followUp.due_at) return { band: 'no-due', words: 'No due time' };
  const due = Date.parse(followUp.due_at);
  if (due <= at) return { band: 'overdue', words: `Overdue ${spanWords(at - due)}` };
  return { band: due - at <= SOON ? 'due-soon' : 'due-later', words: `Due in ${spanWords(due - at)}` };
}
