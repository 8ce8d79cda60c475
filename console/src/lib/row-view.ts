/**
 * One worklist row as a coordinator scans it (CONTRACT §12, "Working a shift"):
 * short ids on one line (the full id kept for the link's name and the copy
 * button), the order id to paste into Junction's search, days open, urgency and
 * why (the attention or the stale reason) in words, the due time in the browser's zone; on the Closed queue the
 * disposition, who closed it and when. Pure: the table and the cards render it.
 */
import { ehrAttentionWords } from '../../../functions/core/ehr-attention';
import { attentionWords } from '../../../functions/core/missing-words';
import { reasonText } from '../../../functions/core/reason-text';
import { choiceWords } from './actions';
import { personWords } from './people';
import { clockWords, instantParts } from './time';
import type { FollowUp } from './types';
import { asleep, dueWords, urgencyOf, type UrgencyBand } from './urgency';
import { stateWords } from './words';

const DAY = 86_400_000;

/** Characters of an id shown in a row; the rest is in the link's name, its title and the copy button. */
export const SHORT_ID_LENGTH = 8;

/** "3f2a9c1b…" for a longer id, the id itself when it is that short. */
export function shortId(id: string): string {
  return id.length > SHORT_ID_LENGTH ? `${id.slice(0, SHORT_ID_LENGTH)}…` : id;
}

/** A date-time as the row shows it: the full words (local zone and UTC) and a short form ("Nov 13 09:05 EST · 14:05 UTC"). */
export interface RowTime {
  iso: string;
  /** timeWords: "2026-11-13 09:05 EST (14:05 UTC)". */
  full: string;
  /** The local day and time with UTC's clock beside, for a narrow column; `full` goes in its title and to screen readers. */
  local: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export function rowTime(iso: string | null | undefined, zone?: string): RowTime | null {
  if (!iso) return null;
  const parts = instantParts(iso, zone);
  if (parts === null) return null;
  const { date, time, zoneName } = parts.local;
  const month = MONTHS[Number(date.slice(5, 7)) - 1] ?? date.slice(5, 7);
  // Beside UTC (CONTRACT §12): its clock time only; the UTC date is in `full` when it differs.
  const utc = parts.inUtc ? '' : ` · ${parts.utc.time} UTC`;
  return { iso, full: `${date} ${clockWords(parts)}`, local: `${month} ${Number(date.slice(8, 10))} ${time} ${zoneName}${utc}` };
}

/** The order to paste into Junction: the redraw order when there is one, else the initial order. */
export function orderToPaste(followUp: Pick<FollowUp, 'redraw_order_id' | 'initial_order_id'>): { id: string; kind: 'redraw' | 'initial' } | null {
  if (followUp.redraw_order_id) return { id: followUp.redraw_order_id, kind: 'redraw' };
  if (followUp.initial_order_id) return { id: followUp.initial_order_id, kind: 'initial' };
  return null;
}

/** Whole days from opened_at to closed_at (a closed one) or `now` (an open one), never below 0. */
export function daysOpen(followUp: Pick<FollowUp, 'opened_at' | 'closed_at' | 'state'>, now: Date): number {
  const opened = Date.parse(followUp.opened_at);
  if (Number.isNaN(opened)) return 0;
  const closed = followUp.state === 'closed' && followUp.closed_at ? Date.parse(followUp.closed_at) : NaN;
  const end = Number.isNaN(closed) ? now.getTime() : closed;
  return Math.max(0, Math.floor((end - opened) / DAY));
}

/** Who closed it, in words: a person's handle, "the tracker" (Junction's facts closed it), or a user in the EHR ("Practitioner/123 in the EHR", never `ehr:` alone: lib/people.ts). */
export function closedByWords(closedBy: string | null | undefined): string {
  if (closedBy === null || closedBy === undefined) return 'Not known';
  return personWords(closedBy);
}

/** The row's words for EHR work on it that needs a person (CONTRACT §12), or null (none, closed, or a state a later tracker added). */
export function ehrRowWords(followUp: Pick<FollowUp, 'ehr_attention' | 'state'>): string | null {
  return followUp.state === 'closed' ? null : ehrAttentionWords(followUp.ehr_attention);
}

/**
 * Why it needs a person, or why it waits, in words: EHR work that needs a
 * person ("Changed in both places"), its attention ("Redraw failed", what to
 * decide; both when both), its snooze's reason while it sleeps ("Appointment
 * booked": a snoozed one never reads as stuck) or its stale flag's reason ("No
 * progress", "Appointment missed"); null when none.
 */
export function whyWords(followUp: Pick<FollowUp, 'attention' | 'stale' | 'state' | 'snoozed_until' | 'snooze_reason' | 'ehr_attention'>, now: Date): string | null {
  if (followUp.state === 'closed') return null;
  const ehr = ehrRowWords(followUp);
  if (ehr !== null) return followUp.attention ? `${capitalised(attentionWords(followUp.attention))}; ${ehr.charAt(0).toLowerCase()}${ehr.slice(1)}` : ehr;
  if (followUp.attention) return capitalised(attentionWords(followUp.attention));
  if (asleep(followUp, now)) return followUp.snooze_reason ? choiceWords(followUp.snooze_reason) : null;
  return followUp.stale ? capitalised(reasonText(followUp.stale.reason).words) : null;
}

const capitalised = (words: string) => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

/**
 * How overdue a row is, from `due_at`, for the rows whose urgency speaks of
 * another clock (an attention, "stuck since"): "overdue 2 days", "due in 5
 * hours". §9 orders open rows by attention, then `due_at`; these words let a
 * person read that order (issue 58). Null for the others, whose urgency is
 * already their due time, and for a snoozed or closed one.
 */
export function dueByWords(followUp: FollowUp, band: UrgencyBand, now: Date): string | null {
  return band === 'attention' || band === 'stuck' ? dueWords(followUp.due_at, now) : null;
}

/** Who owns it, in words, against who is signed in (`me`): "ana.lopez (you)", "j.doe (not you)", "None". */
export function rowOwnerWords(owner: string | null, me: string | null): string {
  if (owner === null) return 'None';
  if (me === null) return owner;
  return owner === me ? `${owner} (you)` : `${owner} (not you)`;
}

/**
 * How urgent, in words, for a row beside its "why": urgency.ts's words, except
 * that an attention says what to do ("Decide what happens next") and leaves
 * what happened to the "why" (the follow-up page says both in one sentence).
 * A snoozed row that still sleeps says until when ("Snoozed until ...", urgencyOf),
 * with an attention too; its "why" still names the attention.
 */
export function rowUrgency(followUp: FollowUp, now: Date): { band: UrgencyBand; words: string } {
  const urgency = urgencyOf(followUp, now);
  return urgency.band === 'attention' ? { band: 'attention', words: 'Decide what happens next' } : urgency;
}

/** What the Due cell says without a due time: a sleeping row has none until it wakes, which its urgency says. */
export function noDueWords(followUp: Pick<FollowUp, 'state' | 'snoozed_until'>, now: Date): string {
  return asleep(followUp, now) ? 'None while snoozed' : 'No due time';
}

/** What "Take it" sends for a row without an owner: acknowledge (a new one) or assign (an acknowledged or snoozed one); null when it has an owner or is closed. */
export function takeItAction(followUp: Pick<FollowUp, 'state' | 'owner'>): 'acknowledge' | 'assign' | null {
  if (followUp.owner !== null || followUp.state === 'closed') return null;
  return followUp.state === 'new' ? 'acknowledge' : 'assign';
}

export interface RowView {
  id: string;
  shortId: string;
  order: { id: string; shortId: string; kind: 'redraw' | 'initial' } | null;
  urgency: { band: UrgencyBand; words: string };
  /** How overdue, beside an attention's or a stale flag's words (dueByWords). */
  dueBy: string | null;
  /** Its attention, snooze or stale reason in words (whyWords), null when none. */
  why: string | null;
  due: RowTime | null;
  /** The Due cell's words when `due` is null (noDueWords). */
  dueNone: string;
  state: string;
  /** rowOwnerWords: the handle, marked "(you)" or "(not you)". */
  owner: string;
  hasOwner: boolean;
  /** Someone other than the person signed in owns it. */
  othersOwn: boolean;
  daysOpen: number;
  contactAttempts: number;
  take: 'acknowledge' | 'assign' | null;
  disposition: string;
  closedBy: string;
  closed: RowTime | null;
}

/** The row of a follow-up at `now` as `me` (who is signed in) reads it, times in `zone` (the browser's by default). */
export function rowView(followUp: FollowUp, now: Date, { me = null, zone }: { me?: string | null; zone?: string } = {}): RowView {
  const order = orderToPaste(followUp);
  const urgency = rowUrgency(followUp, now);
  return {
    id: followUp.id,
    shortId: shortId(followUp.id),
    order: order === null ? null : { ...order, shortId: shortId(order.id) },
    urgency,
    dueBy: dueByWords(followUp, urgency.band, now),
    why: whyWords(followUp, now),
    due: followUp.state === 'closed' ? null : rowTime(followUp.due_at, zone),
    dueNone: noDueWords(followUp, now),
    state: stateWords(followUp.state),
    owner: rowOwnerWords(followUp.owner, me),
    hasOwner: followUp.owner !== null,
    othersOwn: followUp.owner !== null && me !== null && followUp.owner !== me,
    daysOpen: daysOpen(followUp, now),
    contactAttempts: followUp.contact_attempts,
    take: takeItAction(followUp),
    disposition: followUp.disposition ? choiceWords(followUp.disposition) : 'None',
    closedBy: closedByWords(followUp.closed_by),
    closed: rowTime(followUp.closed_at, zone),
  };
}
