/**
 * A follow-up's append-only history (CONTRACT §9): every version is one entry,
 * dated when the tracker recorded it and never before the entry before it,
 * whoever writes. A change is built as a draft, one version and one entry at a
 * time; the tracker's own entries here are the `open` of version 1 and the
 * `snooze_ended` that the first write after a snooze records first.
 */
import { canonicalFromDate, instantMillis } from '../instant';
import type { FollowUp, FollowUpState } from './states';

/** The actor of the tracker's own changes. */
export const TRACKER_ACTOR = 'tracker';

/** One entry of a follow-up's append-only history. */
export interface FollowUpAction {
  /** When the tracker recorded it: never before the previous entry's. */
  at: string;
  actor: string;
  action: string;
  from_state: FollowUpState;
  to_state: FollowUpState;
  /** On the tracker's entries: Junction's status time of the fact (or the snooze's end). */
  fact_time?: string;
  [field: string]: unknown;
}

/**
 * What the tracker keeps of a follow-up's newest history entry: when it was
 * recorded (the history's clock never goes back) and what it was (an
 * `expected_version` behind only by a `snooze_ended` is no conflict).
 */
export interface LastEntry {
  at: string;
  action: string;
  /** A `snooze_ended` with a why (an appointment's cancel, CONTRACT §14): not the clock's, so an expected_version behind it is a conflict. */
  why?: string;
}

/** A follow-up and the entries of the versions added to it, not yet written. */
export interface Draft {
  followUp: FollowUp;
  entries: FollowUpAction[];
  last: LastEntry | null;
}

/**
 * When a change made at `now` is recorded: now, or the previous entry's `at`
 * when the clock of whoever writes is behind it (CONTRACT §9: `at` never goes
 * back from one version to the next, whoever writes).
 */
export function recordedAt(now: Date, last: LastEntry | null): string {
  const at = canonicalFromDate(now);
  return last !== null && last.at > at ? last.at : at;
}

/** What an entry says besides when and the states: who, what, and the action's fields. */
export type EntryParts = { actor: string; action: string; fact_time?: string; [field: string]: unknown };

/** `draft` with one more version: `next` (its version one more), and its history entry. */
export function addVersion(draft: Draft, next: FollowUp, entry: EntryParts, now: Date): Draft {
  const at = recordedAt(now, draft.last);
  const followUp = { ...next, version: draft.followUp.version + 1 };
  const full: FollowUpAction = { ...entry, at, actor: entry.actor, action: entry.action, from_state: draft.followUp.state, to_state: followUp.state };
  return { followUp, entries: [...draft.entries, full], last: { at, action: entry.action, ...(typeof entry.why === 'string' ? { why: entry.why } : {}) } };
}

/**
 * The tracker's `snooze_ended` (CONTRACT §9): the first write after
 * `snoozed_until` records it first, as its own version (from snoozed to
 * acknowledged), with the snooze's end as its `fact_time`.
 */
export function endSnooze(draft: Draft, now: Date): Draft {
  const { followUp } = draft;
  if (followUp.state !== 'snoozed' || followUp.snoozed_until === null || instantMillis(followUp.snoozed_until) > now.getTime()) return draft;
  const next: FollowUp = { ...followUp, state: 'acknowledged', snoozed_until: null, snooze_reason: null };
  return addVersion(draft, next, { actor: TRACKER_ACTOR, action: 'snooze_ended', fact_time: followUp.snoozed_until }, now);
}

/** The tracker's `snooze_ended` when the snooze of `stored` has ended by `now` and is not yet recorded, else null. */
export function snoozeEndedChange(stored: FollowUp, last: LastEntry | null, now: Date): { followUp: FollowUp; entries: FollowUpAction[]; last: LastEntry } | null {
  const draft = endSnooze({ followUp: stored, entries: [], last }, now);
  return draft.entries.length === 0 || draft.last === null ? null : { followUp: draft.followUp, entries: draft.entries, last: draft.last };
}

/**
 * The history entry of the tracker opening `followUp` (its version 1): recorded
 * at `now`, with Junction's time of what opened it as `fact_time`.
 */
export function openingEntry(followUp: FollowUp, now: Date): FollowUpAction {
  return { at: recordedAt(now, null), actor: TRACKER_ACTOR, action: 'open', from_state: 'new', to_state: 'new', fact_time: followUp.opened_at };
}
