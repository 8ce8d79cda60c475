/**
 * Work done on a Task in the EHR (CONTRACT §13, "Work done in the EHR comes
 * back"): what the tracker confirmed of a Task, whether a version read from
 * the server is EHR work, and which of §9's actions it is. Plain functions
 * over plain data; functions/fhir/sync/ehr-work.ts reads what they need (the
 * actor, an owner's Practitioner) and the store applies the actions.
 *
 * - The confirmed content is what a write of the tracker left on the Task:
 *   its status, owner (with its reference), `statusReason`, the hold's end,
 *   `follow-up-version`, and a digest of the fields that are the tracker's
 *   alone (so a change to one of them is told from a change that maps).
 * - A version is EHR work when it is not the tracker's own (no digest, or one
 *   its mapped fields do not match) and its content, not counting `meta`,
 *   `text`, `lastModified` and `executionPeriod` (EHRs set them on every
 *   save), differs from the confirmed content. A change to the EHR's own
 *   elements (a note, `for`) is none.
 * - The actions follow §13's table, each on the result of the one before:
 *   `reopen` first when the Task leaves `completed` or `cancelled` (§9 takes
 *   no other action on a closed follow-up), then `assign`, `acknowledge`,
 *   `snooze`, `close`, `unsnooze`.
 */
import { canonicalJson } from '../canonical-json';
import { extensionUrls, type FhirSystems } from './task';
import { instantMillis } from '../instant';
import { MAX_SNOOZE_DAYS, type ActionBody } from '../follow-up/action-body';
import { PERSON_DISPOSITIONS, SNOOZE_REASONS } from '../follow-up/states';
import { createHash } from 'node:crypto';

/** The Task statuses the tracker writes; every other is one §13's table does not map. */
const TRACKER_STATUSES: readonly string[] = ['ready', 'in-progress', 'on-hold', 'completed', 'cancelled'];
const CLOSED: readonly string[] = ['completed', 'cancelled'];
const DAY_MS = 86_400_000;

/** Who owns the Task, as a Task says it: an identifier in FHIR_OWNER_SYSTEM, and the reference beside it. */
export interface TaskOwner {
  value: string | null;
  reference: string | null;
}

/** The mapped content the tracker confirmed of a Task (CONTRACT §13, "What counts"). */
export interface ConfirmedContent {
  status: string;
  owner: TaskOwner | null;
  /** `system|code` of its statusReason, or null. */
  statusReason: string | null;
  holdEnd: string | null;
  followUpVersion: number | null;
  /** A digest of the fields that are the tracker's alone (priority, businessStatus, input, code, description, focus, authoredOn, its extensions). */
  trackerOnly: string;
}

/** The fields that are the tracker's alone: an EHR's change to them is not applied (CONTRACT §13, "What is not applied"). */
const TRACKER_ONLY_FIELDS = ['intent', 'priority', 'businessStatus', 'input', 'code', 'description', 'focus', 'authoredOn'] as const;

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The owner a Task names: its identifier's value in FHIR_OWNER_SYSTEM and its reference, or null without an owner. */
export function taskOwnerOf(task: Record<string, unknown>, systems: FhirSystems): TaskOwner | null {
  const owner = record(task.owner);
  if (owner === null) return null;
  const identifier = record(owner.identifier);
  const value = identifier !== null && identifier.system === systems.owner ? text(identifier.value) : null;
  const reference = text(owner.reference);
  if (value === null && reference === null) return { value: null, reference: null };
  return { value, reference };
}

/** The first coding of a CodeableConcept as `system|code`, or null. */
function codingKey(concept: unknown): string | null {
  const coding = record(concept)?.coding;
  const first = Array.isArray(coding) ? record(coding[0]) : null;
  if (first === null) return null;
  return `${typeof first.system === 'string' ? first.system : ''}|${typeof first.code === 'string' ? first.code : ''}`;
}

/** The tracker-only fields' digest, and its own extensions (the version's, the digest's and the revision's are its). */
function trackerOnlyDigest(task: Record<string, unknown>, systems: FhirSystems): string {
  const urls = extensionUrls(systems);
  const content: Record<string, unknown> = {};
  for (const field of TRACKER_ONLY_FIELDS) if (task[field] !== undefined) content[field] = task[field];
  const extensions = Array.isArray(task.extension) ? task.extension : [];
  content.extension = extensions.filter((extension) => record(extension)?.url === urls.version);
  return createHash('sha256').update(canonicalJson(content)).digest('base64url').slice(0, 22);
}

/** The follow-up-version a Task states, or null. */
export function statedFollowUpVersion(task: Record<string, unknown>, systems: FhirSystems): number | null {
  const url = extensionUrls(systems).version;
  const extensions = Array.isArray(task.extension) ? task.extension : [];
  const value = extensions.map(record).find((extension) => extension?.url === url)?.valueInteger;
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** The content of a Task as §13 compares it: what the tracker confirms of one it wrote, and what it reads of one the EHR changed. */
export function contentOf(task: Record<string, unknown>, systems: FhirSystems): ConfirmedContent {
  const end = record(record(task.restriction)?.period)?.end;
  return {
    status: typeof task.status === 'string' ? task.status : '',
    owner: taskOwnerOf(task, systems),
    statusReason: codingKey(task.statusReason),
    holdEnd: typeof end === 'string' ? end : null,
    followUpVersion: statedFollowUpVersion(task, systems),
    trackerOnly: trackerOnlyDigest(task, systems),
  };
}

/** Whether two Tasks' contents say the same (fields EHRs set on every save, `meta` and `text` aside), comparing instants as instants. */
export function sameTaskContent(a: ConfirmedContent, b: ConfirmedContent): boolean {
  return (
    a.status === b.status &&
    sameOwner(a.owner, b.owner) &&
    a.statusReason === b.statusReason &&
    sameInstant(a.holdEnd, b.holdEnd) &&
    a.trackerOnly === b.trackerOnly
  );
}

function sameOwner(a: TaskOwner | null, b: TaskOwner | null): boolean {
  return (a?.value ?? null) === (b?.value ?? null) && (a?.reference ?? null) === (b?.reference ?? null);
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const [x, y] = [Date.parse(a), Date.parse(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? x === y : a === b;
}

/**
 * An owner change read from the Task: `none` (removed), a value to take as is
 * (an identifier in FHIR_OWNER_SYSTEM), or a reference to read (a Practitioner
 * or PractitionerRole: its identifier in FHIR_OWNER_SYSTEM, else the reference itself).
 */
export type OwnerChange = { kind: 'removed' } | { kind: 'value'; value: string } | { kind: 'reference'; reference: string };

/** What the EHR changed, read against the confirmed content. */
export interface EhrChange {
  from: ConfirmedContent;
  to: ConfirmedContent;
  /** Null when the owner is unchanged. */
  owner: OwnerChange | null;
  /** Whether a field that is the tracker's alone changed too. */
  trackerOnlyChanged: boolean;
}

/**
 * Whether the version `task` read from the server is EHR work against what
 * the tracker confirmed (CONTRACT §13, "What counts"), and what changed. The
 * caller has checked it is not the tracker's own (its digest).
 */
export function ehrChangeOf(task: Record<string, unknown>, confirmed: ConfirmedContent, systems: FhirSystems): EhrChange | null {
  return ehrChangeTo(contentOf(task, systems), confirmed);
}

/** ehrChangeOf over the Task's content, read once by the caller (contentOf). */
export function ehrChangeTo(to: ConfirmedContent, confirmed: ConfirmedContent): EhrChange | null {
  if (sameTaskContent(to, confirmed)) return null;
  return { from: confirmed, to, owner: ownerChange(confirmed.owner, to.owner), trackerOnlyChanged: to.trackerOnly !== confirmed.trackerOnly };
}

/**
 * The owner's change: a new reference is read (the EHR's pickers set a
 * reference, and may leave the tracker's old identifier beside it); else a
 * new identifier in FHIR_OWNER_SYSTEM is its value; an owner element with
 * neither is a reference-less owner, not one the tracker can name (removed).
 */
function ownerChange(from: TaskOwner | null, to: TaskOwner | null): OwnerChange | null {
  if (sameOwner(from, to)) return null;
  if (to === null || (to.value === null && to.reference === null)) return from === null ? null : { kind: 'removed' };
  if (to.reference !== null && to.reference !== (from?.reference ?? null)) return { kind: 'reference', reference: to.reference };
  if (to.value !== null && to.value !== (from?.value ?? null)) return { kind: 'value', value: to.value };
  // The same owner written another way (a reference dropped, an identifier added): nothing to do.
  return null;
}

/** Why a change read from the EHR is not applied (CONTRACT §13, "What is not applied"), as `ehr_change.why` says it. */
export type EhrWhy =
  | 'tracker_only_field'
  | 'status_not_mapped'
  | 'move_not_mapped'
  | 'snooze_without_end'
  | 'snooze_too_long'
  | 'invalid_transition'
  | 'invalid_owner'
  | 'forbidden'
  | 'no_version'
  | 'actions_off';

/** The §9 actions a change is, in order, or why it is not applied. */
export type EhrActions = { kind: 'actions'; actions: ActionBody[] } | { kind: 'held'; why: EhrWhy };

/**
 * The §9 actions of `change` at `now` (CONTRACT §13's table), with `owner` the
 * owner's value read (null when removed; the caller resolved a reference).
 * A move the table does not name, or a change only to the tracker's own
 * fields, is held with why; a tracker-only change beside a mapped one is ignored.
 */
export function ehrActionsOf(change: EhrChange, owner: string | null, systems: FhirSystems, now: Date): EhrActions {
  const { from, to } = change;
  const status = statusActions(from, to, systems, now);
  if (status.kind === 'held') return status;
  const actions = [...status.before, ...(change.owner === null ? [] : [{ action: 'assign', owner } as ActionBody]), ...status.after];
  if (actions.length === 0) return { kind: 'held', why: change.trackerOnlyChanged ? 'tracker_only_field' : 'move_not_mapped' };
  return { kind: 'actions', actions };
}

type StatusActions = { kind: 'actions'; before: ActionBody[]; after: ActionBody[] } | { kind: 'held'; why: EhrWhy };

/** The status row of §13's table: `reopen` before the owner's `assign` (a closed follow-up takes no other action), the rest after it. */
function statusActions(from: ConfirmedContent, to: ConfirmedContent, systems: FhirSystems, now: Date): StatusActions {
  if (!TRACKER_STATUSES.includes(to.status)) return { kind: 'held', why: 'status_not_mapped' };
  const reopen: ActionBody[] = CLOSED.includes(from.status) && !CLOSED.includes(to.status) ? [{ action: 'reopen' }] : [];
  const holdMoved = to.status === 'on-hold' && (from.status !== 'on-hold' || !sameInstant(from.holdEnd, to.holdEnd) || from.statusReason !== to.statusReason);
  if (holdMoved) {
    const snooze = snoozeOf(to, systems, now);
    return snooze.kind === 'held' ? snooze : { kind: 'actions', before: reopen, after: [snooze.action] };
  }
  if (to.status === from.status && (!CLOSED.includes(to.status) || to.statusReason === from.statusReason)) return { kind: 'actions', before: [], after: [] };
  if (CLOSED.includes(to.status)) return { kind: 'actions', before: [], after: [{ action: 'close', disposition: dispositionOf(to, systems) }] };
  if (reopen.length > 0) return { kind: 'actions', before: reopen, after: [] };
  if (from.status === 'on-hold') return { kind: 'actions', before: [], after: [{ action: 'unsnooze' }] };
  if (from.status === 'ready' && to.status === 'in-progress') return { kind: 'actions', before: [], after: [{ action: 'acknowledge' }] };
  return { kind: 'held', why: 'move_not_mapped' };
}

/** A snooze until the hold's end: in the future and at most 90 days away, with the reason its statusReason gives (else `other`). */
function snoozeOf(to: ConfirmedContent, systems: FhirSystems, now: Date): { kind: 'action'; action: ActionBody } | { kind: 'held'; why: EhrWhy } {
  const end = to.holdEnd === null ? Number.NaN : instantMillis(to.holdEnd);
  if (!Number.isFinite(end) || end <= now.getTime()) return { kind: 'held', why: 'snooze_without_end' };
  if (end > now.getTime() + MAX_SNOOZE_DAYS * DAY_MS) return { kind: 'held', why: 'snooze_too_long' };
  const reason = codeIn(to.statusReason, `${systems.code}/snooze-reason`, SNOOZE_REASONS) ?? 'other';
  return { kind: 'action', action: { action: 'snooze', until: new Date(end).toISOString(), reason } };
}

/** The disposition its statusReason gives when it is one a person may give (§9), else `other`. */
function dispositionOf(to: ConfirmedContent, systems: FhirSystems): (typeof PERSON_DISPOSITIONS)[number] {
  return codeIn(to.statusReason, `${systems.code}/disposition`, PERSON_DISPOSITIONS) ?? 'other';
}

function codeIn<T extends string>(key: string | null, system: string, codes: readonly T[]): T | null {
  if (key === null || !key.startsWith(`${system}|`)) return null;
  const code = key.slice(system.length + 1);
  return (codes as readonly string[]).includes(code) ? (code as T) : null;
}

