/**
 * Follow-ups (CONTRACT §9) as plain functions: the states, the actions people
 * take and what each does, the tracker's own changes from Junction's facts, and
 * the time the sweep flags one if nothing moves. No storage here: the store
 * writes what these return, conditionally on the version it read, so that two
 * people acting at once never lose or double an action.
 *
 * Nothing a person sends is free text (CONTRACT §9): every field is an enum, a
 * date-time, a handle or a reference of a restricted alphabet, so an action can
 * carry no PHI.
 */
import * as z from 'zod/mini';
import { humanTime } from './alert-time';
import type { Attention } from './attention';
import { canonicalFromDate, canonicalInstant, instantMillis } from './instant';
import type { StaleFlag } from './order-view';
import { Instant } from './schemas';
import { inProgressDue, type AppointmentTiming, type StaleThresholds } from './staleness';
import { categorize, isEnding } from './status';
import { isAwaitingRedraw, type TransactionStatus } from './transaction-status';

export const FOLLOW_UP_STATES = ['new', 'acknowledged', 'snoozed', 'closed'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];

export const SNOOZE_REASONS = ['appointment_booked', 'patient_requested', 'awaiting_clinician', 'other'] as const;
export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'letter', 'other'] as const;
export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'left_message', 'invalid_contact'] as const;
/** What a person may close a follow-up with. */
export const PERSON_DISPOSITIONS = ['patient_declined', 'patient_unreachable', 'clinician_accepted_partial_results', 'tested_elsewhere', 'other'] as const;
/** What the tracker closes one with, from Junction's facts. */
export const TRACKER_DISPOSITIONS = ['redraw_completed', 'cancelled', 'results_received'] as const;
export type Disposition = (typeof PERSON_DISPOSITIONS)[number] | (typeof TRACKER_DISPOSITIONS)[number];

export { ATTENTIONS, type Attention } from './attention';

/** A `status_detail` or an `inferred_failure_type` the tracker keeps: an operational code, never free text. */
export const OPERATIONAL_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * What is missing and why (CONTRACT §9), without PHI: the order whose results
 * are missing, its status and status detail from its own facts, and from
 * Junction's results API how many markers are missing and how many per
 * inferred failure type (null until read, or when it cannot be).
 */
export interface MissingResults {
  order_id: string;
  status: string;
  status_detail: string | null;
  markers: number | null;
  failure_types: Record<string, number> | null;
}

/** The actor of the tracker's own changes. */
export const TRACKER_ACTOR = 'tracker';
/** Longest snooze (CONTRACT §9). */
export const MAX_SNOOZE_DAYS = 90;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface FollowUp {
  id: string;
  transaction_id: string | null;
  initial_order_id: string | null;
  redraw_order_id: string | null;
  state: FollowUpState;
  owner: string | null;
  snoozed_until: string | null;
  snooze_reason: (typeof SNOOZE_REASONS)[number] | null;
  contact_attempts: number;
  last_contact: null | { at: string; channel: (typeof CONTACT_CHANNELS)[number]; outcome: (typeof CONTACT_OUTCOMES)[number] };
  attention: Attention | null;
  /** What is missing and why, without PHI (CONTRACT §9); not a version. */
  missing: MissingResults | null;
  disposition: Disposition | null;
  /** The actor of the close (a person or `tracker`), null while open. */
  closed_by: string | null;
  reference: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  closed_at: string | null;
  version: number;
}

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

/** A new follow-up, opened by what the tracker stored first (an initial order in redraw_available, or a redraw order). */
export function openFollowUp(input: {
  id: string;
  transactionId: string | null;
  initialOrderId: string | null;
  redrawOrderId: string | null;
  openedAt: string;
}): FollowUp {
  return {
    id: input.id,
    transaction_id: input.transactionId,
    initial_order_id: input.initialOrderId,
    redraw_order_id: input.redrawOrderId,
    state: 'new',
    owner: null,
    snoozed_until: null,
    snooze_reason: null,
    contact_attempts: 0,
    last_contact: null,
    attention: null,
    missing: null,
    disposition: null,
    closed_by: null,
    reference: null,
    opened_at: input.openedAt,
    acknowledged_at: null,
    closed_at: null,
    version: 1,
  };
}

/** A snooze whose `until` has passed is acknowledged again (CONTRACT §9): the state as of `now`. */
export function stateAt(followUp: FollowUp, now: Date): FollowUp {
  if (followUp.state !== 'snoozed' || followUp.snoozed_until === null || instantMillis(followUp.snoozed_until) > now.getTime()) return followUp;
  return { ...followUp, state: 'acknowledged', snoozed_until: null, snooze_reason: null };
}

// ---------------------------------------------------------------------------
// Actions (POST /follow-ups/{id}/actions)

/** The longest owner: any actor can be an owner, an IAM ARN of up to 2,048 characters included (CONTRACT §9). */
export const MAX_OWNER_LENGTH = 2048;
/** The characters of a handle, an actor or an IAM ARN (IAM names add `=` and `,`): no spaces, no free text. */
export const HANDLE_CHARACTERS = 'A-Za-z0-9._@:/+=,-';
/** A person's or a team's handle, or any actor (an IAM ARN, `user:<name>`, `chat:<channel>`): no spaces, no free text. */
export const Owner = z
  .string()
  .check(z.minLength(1), z.maxLength(MAX_OWNER_LENGTH), z.regex(new RegExp(`^[${HANDLE_CHARACTERS}]+$`), `must be 1-${MAX_OWNER_LENGTH} letters, digits and ._@:/+=,-`));
/** A ticket id or URL in the team's own system (CONTRACT §9). */
const Reference = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._:/#?=&-]+$/, 'may hold only A-Za-z0-9._:/#?=&-'));
const Common = {
  expected_version: z.optional(z.int().check(z.positive())),
  reference: z.optional(Reference),
};

export const ActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge'), owner: z.optional(Owner), ...Common }),
  z.strictObject({ action: z.literal('assign'), owner: z.nullable(Owner), ...Common }),
  z.strictObject({ action: z.literal('snooze'), until: Instant, reason: z.enum(SNOOZE_REASONS), ...Common }),
  z.strictObject({ action: z.literal('record_contact'), channel: z.enum(CONTACT_CHANNELS), outcome: z.enum(CONTACT_OUTCOMES), ...Common }),
  z.strictObject({ action: z.literal('close'), disposition: z.enum(PERSON_DISPOSITIONS), ...Common }),
  z.strictObject({ action: z.literal('reopen'), ...Common }),
]);
export type ActionBody = z.output<typeof ActionBody>;

/** Why a body is refused (400 invalid_request): a message that names the field. */
export type ParsedAction = { kind: 'ok'; action: ActionBody } | { kind: 'invalid'; message: string };

/** The names of the actions, in the order the contract lists them. */
const ACTION_NAMES: readonly string[] = ActionBody._zod.def.options.flatMap((option) => option._zod.def.shape.action._zod.def.values);

/** What a field of an action's body may hold, as a 400 says it: the field's name and what is allowed, never what was sent. */
function fieldRule(field: string, action: unknown): string {
  const handle = `1-${MAX_OWNER_LENGTH} letters, digits and ._@:/+=,-`;
  const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;
  switch (field) {
    case 'action':
      return `action ${oneOf(ACTION_NAMES)}`;
    case 'owner':
      return action === 'assign' ? `owner must be ${handle} (null unassigns)` : `owner must be ${handle}`;
    case 'until':
      return 'until must be an ISO 8601 date-time such as 2026-12-14T09:00:00Z';
    case 'reason':
      return `reason ${oneOf(SNOOZE_REASONS)}`;
    case 'channel':
      return `channel ${oneOf(CONTACT_CHANNELS)}`;
    case 'outcome':
      return `outcome ${oneOf(CONTACT_OUTCOMES)}`;
    case 'disposition':
      return `disposition ${oneOf(PERSON_DISPOSITIONS)}`;
    case 'expected_version':
      return "expected_version must be a whole number of 1 or more (the follow-up's version)";
    case 'reference':
      return 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-';
    default:
      return `${field} is not valid here`;
  }
}

/**
 * Parses an action's JSON body; `now` checks that a snooze ends in the future and
 * within MAX_SNOOZE_DAYS. A refusal's message starts with the field's name and says
 * what it may hold (`channel must be one of phone, ...`): zod's own wording never
 * reaches a user, and nothing sent is echoed (it may carry PHI).
 */
export function parseAction(body: unknown, now: Date): ParsedAction {
  const parsed = ActionBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const action = typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
    if (issue === undefined || issue.path.length === 0) {
      // An unknown field's name is the sender's text (it may carry PHI): the message names the fields the action takes instead.
      if (issue?.code === 'unrecognized_keys') return { kind: 'invalid', message: `unknown field: ${fieldsOf(action)}` };
      return { kind: 'invalid', message: 'the body must be a JSON object: {"action": "...", ...}' };
    }
    // The path's first part is one of the action's own field names (a strict object's keys), never the sender's text.
    return { kind: 'invalid', message: fieldRule(String(issue.path[0]), action) };
  }
  const action = parsed.data;
  if (action.action === 'snooze') {
    const until = instantMillis(action.until);
    if (until <= now.getTime()) return { kind: 'invalid', message: 'until must be in the future' };
    if (until > now.getTime() + MAX_SNOOZE_DAYS * DAY_MS) return { kind: 'invalid', message: `until must be at most ${MAX_SNOOZE_DAYS} days ahead` };
  }
  return { kind: 'ok', action };
}

/** The fields an action's body may hold, for the message that refuses an unknown one. */
function fieldsOf(name: unknown): string {
  const option = ActionBody._zod.def.options.find((candidate) => candidate._zod.def.shape.action._zod.def.values.includes(name as never));
  return option ? `${String(name)} takes only ${Object.keys(option._zod.def.shape).join(', ')}` : 'not a field of this action';
}

// ---------------------------------------------------------------------------
// History: every version is one entry, dated when the tracker recorded it

/**
 * What the tracker keeps of a follow-up's newest history entry: when it was
 * recorded (the history's clock never goes back) and what it was (an
 * `expected_version` behind only by a `snooze_ended` is no conflict).
 */
export interface LastEntry {
  at: string;
  action: string;
}

/** A follow-up and the entries of the versions added to it, not yet written. */
interface Draft {
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
type EntryParts = { actor: string; action: string; fact_time?: string; [field: string]: unknown };

/** `draft` with one more version: `next` (its version one more), and its history entry. */
function addVersion(draft: Draft, next: FollowUp, entry: EntryParts, now: Date): Draft {
  const at = recordedAt(now, draft.last);
  const followUp = { ...next, version: draft.followUp.version + 1 };
  const full: FollowUpAction = { ...entry, at, actor: entry.actor, action: entry.action, from_state: draft.followUp.state, to_state: followUp.state };
  return { followUp, entries: [...draft.entries, full], last: { at, action: entry.action } };
}

/**
 * The tracker's `snooze_ended` (CONTRACT §9): the first write after
 * `snoozed_until` records it first, as its own version (from snoozed to
 * acknowledged), with the snooze's end as its `fact_time`.
 */
function endSnooze(draft: Draft, now: Date): Draft {
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

// ---------------------------------------------------------------------------
// Who acts, as the owner rule sees them

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

// ---------------------------------------------------------------------------
// A person's action

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
 * tracker's `snooze_ended` (the API showed that follow-up acknowledged already).
 */
export function expectedVersionHolds(expected: number | undefined, stored: FollowUp, last: LastEntry | null): boolean {
  if (expected === undefined || expected === stored.version) return true;
  return expected === stored.version - 1 && last?.action === 'snooze_ended';
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

// ---------------------------------------------------------------------------
// A chat button's click (functions/chat-button)

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

// ---------------------------------------------------------------------------
// The tracker's own changes, from Junction's facts (actor `tracker`)

/** What Junction's facts say of the transaction's redraw or its missing results. */
export const REDRAW_FACTS = ['redraw_completed', 'transaction_cancelled', 'results_received', 'redraw_failed', 'results_still_missing', 'no_redraw'] as const;
export type RedrawFact =
  /** The redraw order ended completed or corrected with all its results. */
  | 'redraw_completed'
  /** The transaction became cancelled. */
  | 'transaction_cancelled'
  /** The transaction completed without a redraw order, its newest ended member completed with all its results. */
  | 'results_received'
  /** The redraw order ended other than completed/corrected, or the transaction that had a redraw ended without all its results and without one. */
  | 'redraw_failed'
  /** The redraw order ended completed/corrected with results still missing (Junction redraws once). */
  | 'results_still_missing'
  /** The transaction ended with results missing and never had a redraw. */
  | 'no_redraw';

/** The disposition the tracker closes with for each closing fact. */
const CLOSING: Partial<Record<RedrawFact, Disposition>> = {
  redraw_completed: 'redraw_completed',
  transaction_cancelled: 'cancelled',
  results_received: 'results_received',
};

/** The attention each attention fact sets (a person decides what happens next). */
const ATTENTION_OF: Partial<Record<RedrawFact, Attention>> = {
  redraw_failed: 'redraw_failed',
  results_still_missing: 'results_still_missing',
  no_redraw: 'no_redraw',
};

/**
 * The history entry of the tracker opening `followUp` (its version 1): recorded
 * at `now`, with Junction's time of what opened it as `fact_time`.
 */
export function openingEntry(followUp: FollowUp, now: Date): FollowUpAction {
  return { at: recordedAt(now, null), actor: TRACKER_ACTOR, action: 'open', from_state: 'new', to_state: 'new', fact_time: followUp.opened_at };
}

/** What the tracker writes to keep a follow-up current: its new state, the entries of its new versions, the facts in an episode now. */
export interface TrackerUpdate {
  followUp: FollowUp;
  entries: FollowUpAction[];
  last: LastEntry | null;
  /** The facts whose episode the tracker has acted on and that still hold. */
  applied: RedrawFact[];
}

/**
 * The tracker's changes to `stored` for what Junction's facts say now
 * (CONTRACT §9), each one a version with its entry (`at` when recorded,
 * `fact_time` Junction's time of the fact):
 * - a snooze that ended is recorded first (`snooze_ended`);
 * - the redraw order, once known (`redraw_order_known`);
 * - each fact acts once per episode (`applied` keeps the facts whose episode
 *   is on): a closing fact closes an open follow-up with its disposition (a
 *   person's close is never overwritten); an attention fact sets `attention`
 *   and leaves the state as it is (a person decides);
 * - an episode that ended undoes what the tracker did: its `attention`
 *   cleared, and a follow-up the tracker closed with that fact reopens (to
 *   acknowledged when a person had acknowledged it, else new). A person's
 *   reopen holds while the episode lasts, since the fact is not acted on again
 *   until it ends.
 * Order ids, `opened_at` and `missing` (status and detail from the situation;
 * the counts kept while it is about the same order) are kept current without
 * a version.
 */
export function trackerUpdate(
  stored: FollowUp,
  last: LastEntry | null,
  applied: readonly RedrawFact[],
  situation: Pick<FollowUpSituation, 'facts' | 'initialOrderId' | 'redrawOrderId' | 'redrawOrderedAt' | 'openedAt' | 'latestStatusTime'> & { missing?: MissingOrder | null },
  now: Date,
): TrackerUpdate {
  let draft = endSnooze({ followUp: stored, entries: [], last }, now);
  const holding = new Map(situation.facts.map(({ fact, at }) => [fact, at]));
  const kept: RedrawFact[] = [];

  if (situation.redrawOrderId !== null && draft.followUp.redraw_order_id !== situation.redrawOrderId) {
    draft = addVersion(
      draft,
      { ...draft.followUp, redraw_order_id: situation.redrawOrderId },
      { actor: TRACKER_ACTOR, action: 'redraw_order_known', redraw_order_id: situation.redrawOrderId, ...(situation.redrawOrderedAt ? { fact_time: situation.redrawOrderedAt } : {}) },
      now,
    );
  }
  // Episodes that ended first, so that a fact that replaced another acts on the reopened follow-up.
  for (const fact of applied) {
    if (holding.has(fact)) {
      kept.push(fact);
      continue;
    }
    const { followUp } = draft;
    const factTime = situation.latestStatusTime ?? undefined;
    const attention = ATTENTION_OF[fact];
    if (attention !== undefined && followUp.attention === attention) {
      draft = addVersion(draft, { ...followUp, attention: null }, { actor: TRACKER_ACTOR, action: 'attention', attention: null, fact, ...(factTime ? { fact_time: factTime } : {}) }, now);
    } else if (CLOSING[fact] !== undefined && followUp.state === 'closed' && followUp.disposition === CLOSING[fact]) {
      const reopened: FollowUp = { ...followUp, state: followUp.acknowledged_at === null ? 'new' : 'acknowledged', disposition: null, closed_at: null, closed_by: null };
      draft = addVersion(draft, reopened, { actor: TRACKER_ACTOR, action: 'reopen', fact, ...(factTime ? { fact_time: factTime } : {}) }, now);
    }
  }
  for (const { fact, at } of situation.facts) {
    if (kept.includes(fact)) continue;
    kept.push(fact);
    const { followUp } = draft;
    const disposition = CLOSING[fact];
    const attention = ATTENTION_OF[fact];
    if (attention !== undefined) {
      if (followUp.attention !== attention) {
        draft = addVersion(draft, { ...followUp, attention }, { actor: TRACKER_ACTOR, action: 'attention', attention, fact, fact_time: at }, now);
      }
    } else if (disposition !== undefined && followUp.state !== 'closed') {
      const closedAt = recordedAt(now, draft.last);
      const next: FollowUp = { ...followUp, state: 'closed', disposition, closed_at: closedAt, closed_by: TRACKER_ACTOR, snoozed_until: null, snooze_reason: null };
      draft = addVersion(draft, next, { actor: TRACKER_ACTOR, action: 'close', disposition, fact, fact_time: at }, now);
    }
  }
  // Not versions: which orders it is about, when Junction's facts opened it (the earliest opener), and what is missing.
  const openedAt = situation.openedAt !== null && situation.openedAt < draft.followUp.opened_at ? situation.openedAt : draft.followUp.opened_at;
  const followUp: FollowUp = {
    ...draft.followUp,
    initial_order_id: situation.initialOrderId ?? draft.followUp.initial_order_id,
    opened_at: openedAt,
    missing: keptMissing(draft.followUp.missing ?? null, situation.missing ?? null),
  };
  return { followUp, entries: draft.entries, last: draft.last, applied: kept };
}

/**
 * `missing` as the situation says it now: its order, status and status detail
 * from the order's own facts; the counts read from Junction's results API kept
 * while all three are as they were read for, else null until read again (CONTRACT
 * §9: a `corrected` result with fewer missing is another state, and read anew).
 */
export function keptMissing(stored: MissingResults | null, now: MissingOrder | null): MissingResults | null {
  if (now === null) return null;
  // Unchanged: the stored object itself (a map read back from DynamoDB has its keys in another order).
  if (stored !== null && stored.order_id === now.order_id && stored.status === now.status && stored.status_detail === now.status_detail) return stored;
  return { order_id: now.order_id, status: now.status, status_detail: now.status_detail, markers: null, failure_types: null };
}

/** What a transaction's member orders say of its redraw and its results (plain data from the recompute). */
export interface RedrawMember {
  id: string;
  origin: string | null;
  low_level_status: string;
  /** Canonical instant of the member's last status change, per Junction. */
  status_time: string;
  /** Canonical instant the order was created at Junction. */
  created_at: string;
  /**
   * When the order was first seen in `redraw_available` (Junction's status time),
   * from its stored state or its event history: it had a redraw even after it left.
   */
  redraw_available_at?: string | null;
  /** Junction's `has_missing_results` of its own state; null or absent when not known (a listing does not carry it). */
  has_missing_results?: boolean | null;
  /** Junction's `events[].status_detail` of its newest event (an operational code), or null. */
  status_detail?: string | null;
  /**
   * When the order was first seen ended without all its results (failed, or
   * completed/corrected with `has_missing_results: true`), by any record of it:
   * kept when a later fact brings the results, so that whether a follow-up
   * exists never depends on delivery order (CONTRACT §9).
   */
  missing_results_at?: string | null;
}

/** The order whose results are missing, as its own facts say (CONTRACT §9 `missing`, before the results API's counts). */
export interface MissingOrder {
  order_id: string;
  status: string;
  status_detail: string | null;
}

/** What decides a follow-up's situation besides the members: CONTRACT §9's `FOLLOW_UP_MISSING_RESULTS`. */
export interface SituationOptions {
  /** Whether a transaction that ended with results missing and never had a redraw opens a follow-up (`no_redraw`). */
  missingResults: boolean;
}

/** CONTRACT §9's default: missing results are followed up (FOLLOW_UP_MISSING_RESULTS=on). */
export const DEFAULT_SITUATION_OPTIONS: SituationOptions = { missingResults: true };

/** What the tracker knows now of a transaction's follow-up: whether it has one, what it is due by, the facts that hold. */
export interface FollowUpSituation {
  /** Whether the transaction has or had a redraw: an initial order in (or once in) redraw_available, or a redraw (or recreation) order. */
  hasRedraw: boolean;
  /** Whether a follow-up opens when none is stored: it had a redraw, or (with missing results on) it ended without all its results. */
  opens: boolean;
  /**
   * Whether a follow-up may be stored for it (read before deciding): it had a
   * redraw, or it ended without all its results at some time, whatever the
   * setting is now (one opened while it was on is kept current).
   */
  mayHaveFollowUp: boolean;
  initialOrderId: string | null;
  redrawOrderId: string | null;
  /** When Junction created the redraw order (canonical instant), or null when none is known: reports' time to a redraw order. */
  redrawOrderedAt: string | null;
  /** Junction's status time of what opens the follow-up (the earliest opener). */
  openedAt: string | null;
  /** The newest status time of its members (the time of a fact that stopped holding). */
  latestStatusTime: string | null;
  /** The open redraw to flag if nothing moves, or null. */
  redraw: OpenRedrawTiming | null;
  /** The facts that hold now, in the order the tracker acts on them, each with Junction's time of it. */
  facts: { fact: RedrawFact; at: string }[];
  /** The order whose results are missing now, or null (none, or a fact brought them). */
  missing: MissingOrder | null;
}

/** Whether a member is a redraw order here: `redraw`, or Junction's own next attempt, `recreation` (CONTRACT §9). */
export function isRedrawOrder(member: Pick<RedrawMember, 'origin'>): boolean {
  return member.origin === 'redraw' || member.origin === 'recreation';
}

/** Whether a member ended without all its results: failed, or completed/corrected with `has_missing_results: true`. */
export function endedWithoutResults(member: Pick<RedrawMember, 'low_level_status' | 'has_missing_results'>): boolean {
  const category = categorize(member.low_level_status);
  return category === 'failed' || (category === 'done' && member.has_missing_results === true);
}

/** When a member was first seen ended without all its results, or null: its memory, or its state now (the earlier). */
export function missingResultsAt(member: RedrawMember): string | null {
  const now = endedWithoutResults(member) ? member.status_time : null;
  const seen = member.missing_results_at ?? null;
  if (now === null) return seen;
  return seen !== null && seen < now ? seen : now;
}

/**
 * Whether a transaction had a redraw as reports count it (CONTRACT §11 "with a
 * redraw"): an initial order that was ever in redraw_available, or a redraw
 * order. A recreation order alone is Junction's next attempt for a failed
 * member, not a redraw: it counts as one for the follow-up (§9) only.
 */
export function hadRedraw(members: readonly RedrawMember[]): boolean {
  return members.some((member) => member.origin === 'redraw' || redrawAvailableAt(member) !== null);
}

/** When a member was (first) in redraw_available, or null: its history, or its state now. */
function redrawAvailableAt(member: RedrawMember): string | null {
  const now = isAwaitingRedraw(member) ? member.status_time : null;
  const seen = member.origin !== 'redraw' ? (member.redraw_available_at ?? null) : null;
  if (now === null) return seen;
  return seen !== null && seen < now ? seen : now;
}

function missingOrderOf(member: RedrawMember): MissingOrder {
  return { order_id: member.id, status: member.low_level_status, status_detail: member.status_detail ?? null };
}

/**
 * The situation of a transaction's follow-up (or of an order without one: a
 * single member) from its members' own states and its status (CONTRACT §3, §4,
 * §9): the one place that decides whether a follow-up opens, what holds, and
 * what is missing. Every reader of "has a follow-up" (opening, lone orders,
 * retention, reports) asks this.
 */
export function followUpSituation(members: readonly RedrawMember[], transactionStatus: TransactionStatus, options: SituationOptions = DEFAULT_SITUATION_OPTIONS): FollowUpSituation {
  const awaiting = members.filter((member) => isAwaitingRedraw(member)).sort(byStatusTime);
  const hadRedrawAvailable = members
    .map((member) => ({ member, at: redrawAvailableAt(member) }))
    .filter((entry): entry is { member: RedrawMember; at: string } => entry.at !== null)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.member.id < b.member.id ? -1 : 1));
  const redraws = members.filter(isRedrawOrder).sort(byCreated);
  const redrawOrder = redraws.at(-1) ?? null;
  const hasRedraw = hadRedrawAvailable.length > 0 || redrawOrder !== null;
  const missingSince = earliestMissing(members);
  // The order the follow-up is about: the one awaiting (or once in) redraw_available, else the transaction's own order
  // beside a redraw order, or the one whose results are missing (a failed test kit's follow-up names its kit).
  const initial =
    awaiting[0] ?? hadRedrawAvailable[0]?.member ?? members.find((member) => !isRedrawOrder(member) && (redrawOrder !== null || missingSince !== null)) ?? null;
  const ended = transactionStatus !== 'active';
  const missingEpisode = !hasRedraw && ended && missingSince !== null;
  const opens = hasRedraw || (options.missingResults && missingEpisode);
  const mayHaveFollowUp = hasRedraw || missingEpisode;
  const openers = [hadRedrawAvailable[0]?.at, redrawOrder?.created_at, hasRedraw ? null : missingSince].filter((at): at is string => typeof at === 'string').sort();
  const latestStatusTime = members.map((member) => member.status_time).sort().at(-1) ?? null;
  let redraw: OpenRedrawTiming | null = null;
  let missing: MissingOrder | null = null;
  const facts: { fact: RedrawFact; at: string }[] = [];
  const cancelled = mayHaveFollowUp && transactionStatus === 'cancelled' && members.some((member) => !isRedrawOrder(member));
  // The order whose results the redraw is for: the one that was in redraw_available (else the redraw order itself).
  const redrawFor = initial !== null && redrawAvailableAt(initial) !== null ? initial : null;
  if (redrawOrder !== null) {
    const category = categorize(redrawOrder.low_level_status);
    if (!isEnding(redrawOrder.low_level_status)) {
      // Only a redraw order is flagged by the sweep (§4); a recreation in progress just clears what was decided.
      if (redrawOrder.origin === 'redraw') redraw = { kind: 'redraw_in_progress', statusTime: redrawOrder.status_time, orderId: redrawOrder.id };
      if (redrawFor !== null) missing = missingOrderOf(redrawFor);
    } else if (category === 'done' && redrawOrder.has_missing_results !== true) {
      facts.push({ fact: 'redraw_completed', at: redrawOrder.status_time });
    } else if (category === 'done') {
      facts.push({ fact: 'results_still_missing', at: redrawOrder.status_time });
      missing = missingOrderOf(redrawOrder);
    } else if (!cancelled) {
      // A cancelled transaction is closed as such: its cancelled redraw needs no one's decision.
      facts.push({ fact: 'redraw_failed', at: redrawOrder.status_time });
      missing = missingOrderOf(redrawFor ?? redrawOrder);
    }
  } else if (awaiting[0]) {
    redraw = { kind: 'awaiting_redraw', statusTime: awaiting[0].status_time, orderId: awaiting[0].id };
    missing = missingOrderOf(awaiting[0]);
  } else if (transactionStatus === 'completed' && mayHaveFollowUp) {
    // Ended without a redraw order: its newest ended member decides. With all its results they came after all;
    // otherwise a person decides (a redraw was offered and never happened, or there never was one).
    const last = members.filter((member) => isEnding(member.low_level_status)).sort(byStatusTime).at(-1);
    if (last !== undefined && !endedWithoutResults(last)) facts.push({ fact: 'results_received', at: last.status_time });
    else if (last !== undefined) {
      facts.push({ fact: hasRedraw ? 'redraw_failed' : 'no_redraw', at: last.status_time });
      missing = missingOrderOf(last);
    }
  }
  // Cancelled as far as the tracker knows only once an initial order is known too: a redraw order
  // alone that is cancelled says nothing of its transaction (its initial may wait in redraw_available).
  if (cancelled) {
    facts.push({ fact: 'transaction_cancelled', at: latestStatusTime! });
    missing = null;
  }
  return {
    hasRedraw,
    opens,
    mayHaveFollowUp,
    initialOrderId: initial?.id ?? null,
    redrawOrderId: redrawOrder?.id ?? null,
    redrawOrderedAt: redrawOrder?.created_at ?? null,
    openedAt: openers[0] ?? null,
    latestStatusTime,
    redraw,
    facts,
    missing,
  };
}

/** When a member first ended without all its results, now or once (the earliest time any record showed it), or null. */
function earliestMissing(members: readonly RedrawMember[]): string | null {
  return (
    members
      .map((member) => missingResultsAt(member))
      .filter((at): at is string => at !== null)
      .sort()[0] ?? null
  );
}

const byStatusTime = (a: RedrawMember, b: RedrawMember) => (a.status_time < b.status_time ? -1 : a.status_time > b.status_time ? 1 : a.id < b.id ? -1 : 1);
const byCreated = (a: RedrawMember, b: RedrawMember) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1);

// ---------------------------------------------------------------------------
// When the sweep flags it if nothing moves (§4 with the snooze)

/** The open redraw the follow-up is about: an initial order awaiting its redraw, or the redraw order in progress. */
export interface OpenRedrawTiming {
  kind: 'awaiting_redraw' | 'redraw_in_progress';
  /** Junction's status time of that order (canonical instant). */
  statusTime: string;
  /** That order: its stale flag is the follow-up's `stale`. */
  orderId: string;
  /**
   * The redraw order's appointment (CONTRACT §10: only a redraw in progress
   * has one that counts), as much of it as the rules read; absent or null: none.
   */
  appointment?: AppointmentTiming | null;
}

/**
 * `due_at` (CONTRACT §9): when §4 (with §10's appointments) flags the open
 * redraw if nothing moves, not before a snooze ends; null when the follow-up
 * is closed or there is no open redraw to flag. A redraw in progress is due
 * by the sweep's own rule (core/staleness.ts inProgressDue): with an active
 * appointment not before `start_at + grace`, and then at once
 * (`appointment_missed`) if the order has not moved since `start_at`.
 */
export function dueAt(followUp: FollowUp, redraw: OpenRedrawTiming | null, thresholds: StaleThresholds): string | null {
  if (followUp.state === 'closed' || redraw === null) return null;
  let due =
    redraw.kind === 'awaiting_redraw'
      ? instantMillis(redraw.statusTime) + thresholds.missingAfterHours * HOUR_MS
      : inProgressDue(redraw.statusTime, redraw.appointment ?? null, thresholds).atMs;
  if (followUp.state === 'snoozed' && followUp.snoozed_until !== null) due = Math.max(due, instantMillis(followUp.snoozed_until));
  return canonicalFromDate(new Date(due));
}

// ---------------------------------------------------------------------------
// The contract's FollowUp (CONTRACT §9), as answers and events show it

/** A follow-up as the API answers it: its state as of now, its due time and the flag of its open redraw order. */
/**
 * The contract's FollowUp (CONTRACT §9) as answered, and one extension: `waiting_since`, the
 * status time of its open redraw's order (since when what it waits on has not moved: with a
 * stale flag, "stuck since", CONTRACT §12); null when closed or without an open redraw.
 */
export type FollowUpView = FollowUp & { due_at: string | null; stale: StaleFlag | null; waiting_since: string | null };

export function toFollowUpView(followUp: FollowUp, dueAt: string | null, stale: StaleFlag | null, now: Date, waitingSince: string | null = null): FollowUpView {
  const current = stateAt(followUp, now);
  const closed = current.state === 'closed';
  const view: FollowUpView = { ...current, due_at: closed ? null : dueAt, stale: closed ? null : stale, waiting_since: closed ? null : waitingSince };
  // The contract's field order, whatever order the stored map came back in.
  return {
    id: view.id,
    transaction_id: view.transaction_id,
    initial_order_id: view.initial_order_id,
    redraw_order_id: view.redraw_order_id,
    state: view.state,
    owner: view.owner,
    snoozed_until: view.snoozed_until,
    snooze_reason: view.snooze_reason,
    contact_attempts: view.contact_attempts,
    last_contact: view.last_contact,
    attention: view.attention,
    missing: view.missing ?? null,
    disposition: view.disposition,
    closed_by: view.closed_by ?? null,
    reference: view.reference,
    opened_at: view.opened_at,
    acknowledged_at: view.acknowledged_at,
    closed_at: view.closed_at,
    due_at: view.due_at,
    stale: view.stale,
    waiting_since: view.waiting_since,
    version: view.version,
  };
}
