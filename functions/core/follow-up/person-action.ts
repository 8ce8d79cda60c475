/**
 * What a person's action does to a follow-up (CONTRACT §9's table): who acts
 * and from where (the caller kinds), the owner an acknowledge leaves, when an
 * `expected_version` still names what is stored, the outcome with the history
 * entries of its new versions, and whether a chat button may act at all. The
 * store writes an outcome in one conditional write on what it read, so two
 * people acting at once never lose or double an action.
 */
import { humanTime } from '../alert-time';
import { canonicalInstant } from '../instant';
import type { ActionBody } from './action-body';
import { addVersion, endSnooze, recordedAt, type FollowUpAction, type LastEntry } from './history';
import { stateAt, type FollowUp } from './states';

/**
 * Where an action comes from (CONTRACT §9, §12): a person signed in to the
 * console (`user:<username>`, from a verified token), a chat button
 * (`chat:<channel>`), an IAM caller (the CLI, other systems), or `npm start`'s
 * callers (`x-redraw-actor` or `local`: a handle anyone can type, so not a
 * signed-in person; they count as IAM callers do).
 */
export const CALLER_KINDS = ['console', 'chat', 'iam', 'local'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** Who acts: the actor the history names, and where the action came from. */
export interface Caller {
  actor: string;
  kind: CallerKind;
}

/** What an acknowledge does to the owner: the owner it leaves, or why it is refused (409 invalid_transition). */
export type AcknowledgedOwner = { kind: 'ok'; owner: string | null } | { kind: 'refused'; message: string };

/**
 * The owner after an acknowledge (CONTRACT §9). It sets one only when there is
 * none: `given` when the body names one, else a console user (the person who
 * clicked takes it); a chat button, an IAM or a local caller without `owner`
 * leaves it unset (a channel or a machine is not a person who works it). It
 * never replaces one: naming someone else on an owned follow-up is refused
 * (`assign` changes an owner, on purpose), so a re-sent acknowledge can never
 * take a patient from a colleague.
 */
export function acknowledgedOwner(current: string | null, given: string | undefined, caller: Caller): AcknowledgedOwner {
  if (current !== null) {
    if (given === undefined || given === current) return { kind: 'ok', owner: current };
    return { kind: 'refused', message: 'it has an owner already, and acknowledge never replaces one: assign changes the owner' };
  }
  if (given !== undefined) return { kind: 'ok', owner: given };
  return { kind: 'ok', owner: caller.kind === 'console' ? caller.actor : null };
}

export type ActionOutcome =
  /** Something changed: the new follow-up and the history entries of its new versions (a `snooze_ended` first, when due). */
  | { kind: 'changed'; followUp: FollowUp; entries: FollowUpAction[]; last: LastEntry }
  /** Nothing would change: 200, no history. */
  | { kind: 'unchanged'; followUp: FollowUp }
  /** `expected_version` differs from the stored version: 409 conflict with the current follow-up. */
  | { kind: 'conflict'; followUp: FollowUp }
  /** The action does not apply in this state (e.g. snoozing a closed follow-up): 409. */
  | { kind: 'invalid_transition'; followUp: FollowUp; message: string };

/**
 * Whether `expected` (a person's `expected_version`) names what is stored: the
 * stored version, or the one before it when the only entry since is the
 * clock's `snooze_ended` (the API showed that follow-up acknowledged already; an
 * appointment's cancel that woke it is news, CONTRACT §14).
 */
export function expectedVersionHolds(expected: number | undefined, stored: FollowUp, last: LastEntry | null): boolean {
  if (expected === undefined || expected === stored.version) return true;
  return expected === stored.version - 1 && last?.action === 'snooze_ended' && last.why === undefined;
}

/**
 * What a person's action does to `stored` at `now` (CONTRACT §9's table). The
 * caller writes `followUp` and `entries` in one conditional write on what it
 * read; a lost race reads again and asks again. `last` is the stored history's
 * newest entry (null for a follow-up stored before it was kept). `caller`: who
 * the history names, and where they act from (an acknowledge's owner depends on it).
 */
export function applyAction(stored: FollowUp, action: ActionBody, caller: Caller, now: Date, last: LastEntry | null = null): ActionOutcome {
  if (!expectedVersionHolds(action.expected_version, stored, last)) return { kind: 'conflict', followUp: stored };
  const ended = endSnooze({ followUp: stored, entries: [], last }, now);
  const current = ended.followUp;
  const at = recordedAt(now, ended.last);
  const closed = current.state === 'closed';
  const refuse = (message: string): ActionOutcome => ({ kind: 'invalid_transition', followUp: stored, message });
  const acknowledge = (followUp: FollowUp): FollowUp =>
    followUp.state === 'new' ? { ...followUp, state: 'acknowledged', acknowledged_at: followUp.acknowledged_at ?? at } : followUp;

  let next: FollowUp;
  let fields: Record<string, unknown> = {};
  switch (action.action) {
    case 'acknowledge': {
      if (closed) return refuse('a closed follow-up cannot be acknowledged: reopen it first');
      const owner = acknowledgedOwner(current.owner, action.owner, caller);
      if (owner.kind === 'refused') return refuse(owner.message);
      next = { ...acknowledge(current), owner: owner.owner };
      // The entry names the owner it was given, or the one it set (a console user taking it).
      fields = action.owner !== undefined || owner.owner !== current.owner ? { owner: owner.owner } : {};
      break;
    }
    case 'assign':
      if (closed) return refuse('a closed follow-up cannot be assigned: reopen it first');
      next = { ...acknowledge(current), owner: action.owner };
      fields = { owner: action.owner };
      break;
    case 'snooze': {
      if (closed) return refuse('a closed follow-up cannot be snoozed: reopen it first');
      const until = canonicalInstant(action.until) ?? action.until;
      next = { ...current, state: 'snoozed', snoozed_until: until, snooze_reason: action.reason, acknowledged_at: current.acknowledged_at ?? at };
      fields = { until, reason: action.reason };
      break;
    }
    case 'unsnooze':
      if (closed) return refuse('a closed follow-up has no snooze to end: reopen it first');
      // A snooze that ended already (its snooze_ended recorded, or due) leaves nothing to end: unchanged, no history.
      next = current.state === 'snoozed' ? { ...current, state: 'acknowledged', snoozed_until: null, snooze_reason: null } : current;
      break;
    case 'record_contact':
      if (closed) return refuse('a closed follow-up takes no contact: reopen it first');
      next = { ...acknowledge(current), contact_attempts: current.contact_attempts + 1, last_contact: { at, channel: action.channel, outcome: action.outcome } };
      fields = { channel: action.channel, outcome: action.outcome };
      break;
    case 'close':
      if (closed && current.disposition !== action.disposition) return refuse('already closed with another disposition: reopen it first');
      // Closed already with this disposition: only a new reference can change it (the close keeps its time).
      next = closed ? current : { ...current, state: 'closed', disposition: action.disposition, closed_at: at, closed_by: caller.actor, snoozed_until: null, snooze_reason: null };
      fields = { disposition: action.disposition };
      break;
    case 'reopen':
      // The first acknowledgement is kept (reports measure it); a reopened follow-up is someone's again.
      next = closed ? { ...current, state: 'acknowledged', disposition: null, closed_at: null, closed_by: null, acknowledged_at: current.acknowledged_at ?? at } : current;
      break;
  }
  if (action.reference !== undefined) {
    next = { ...next, reference: action.reference };
    fields = { ...fields, reference: action.reference };
  }
  // An action that changes no field adds no history (CONTRACT §9); a contact always counts.
  if (sameFollowUp(next, current) && action.action !== 'record_contact') return { kind: 'unchanged', followUp: stored };
  const draft = addVersion(ended, next, { actor: caller.actor, action: action.action, ...fields }, now);
  return { kind: 'changed', followUp: draft.followUp, entries: draft.entries, last: draft.last! };
}

function sameFollowUp(a: FollowUp, b: FollowUp): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}

/** Why a chat button does nothing before its action is tried: the reason (for logs and metrics) and the words the channel reads. */
export interface ButtonRefusal {
  reason: 'never_alerted' | 'already_snoozed';
  message: string;
}

/**
 * Whether a chat button may act on `followUp` at `now` (CONTRACT §9), asked
 * before its version is: a button acts only on a follow-up an alert was sent
 * for (`alerted`: SNS accepted an alert that named it with its buttons), so a
 * guessed id does nothing; and its snooze never extends a snooze, so that
 * clicking "Snooze 2 days" again and again cannot keep a redraw out of the
 * alerts (a person in the console still can, on purpose). A snooze that has
 * ended (stateAt) is no snooze: the button may snooze it again.
 */
export function buttonRefusal(followUp: FollowUp, alerted: boolean, action: 'acknowledge' | 'snooze', now: Date): ButtonRefusal | null {
  if (!alerted) return { reason: 'never_alerted', message: 'this follow-up was never alerted, and a button acts only on a follow-up its alert named' };
  const current = stateAt(followUp, now);
  if (action === 'snooze' && current.state === 'snoozed' && current.snoozed_until !== null) {
    return { reason: 'already_snoozed', message: `already snoozed until ${humanTime(current.snoozed_until)}; a person can change it in the console` };
  }
  return null;
}
