/**
 * What the EHR set on a Task, in codes, and in words (CONTRACT §13, "Nothing
 * the EHR did goes unrecorded"): the `ehr_set` of the tracker's
 * `ehr_not_applied`, `ehr_conflict` and `ehr_deleted` history entries and of
 * `fhir.ehr_change` ({"status": "completed", "status_reason":
 * "tested_elsewhere", "owner": null}: only the fields the change touched), the
 * conflict notice's words ("closed it as Tested elsewhere; cleared the
 * owner"), the label of the action that does as the EHR did, and the note the
 * tracker adds to the Task when it writes its own content back over a change
 * it did not apply. Codes, ids and times only: never a note's text, a display
 * or anything else a person typed in the EHR. Plain functions over plain data.
 */
import { dispositionWords, snoozeReasonWords } from '../choice-words';
import type { ActionBody } from '../follow-up/action-body';
import { namesStaff } from './references';

/** The tracker's history entries of EHR work it did not apply (each a version of the tracker's, `source: "ehr"`). */
export const EHR_RECORD_ACTIONS = ['ehr_not_applied', 'ehr_conflict', 'ehr_deleted'] as const;
export type EhrRecordAction = (typeof EHR_RECORD_ACTIONS)[number];

/** Whether a history entry's action is one of those records (never an action applied, never a person's). */
export function isEhrRecordAction(action: unknown): action is EhrRecordAction {
  return (EHR_RECORD_ACTIONS as readonly unknown[]).includes(action);
}

/** An owner as a Task names it (core/fhir/ehr-change.ts TaskOwner). */
interface OwnerFields {
  value: string | null;
  reference: string | null;
}

/** The content §13 compares, as far as these codes read it (core/fhir/ehr-change.ts ConfirmedContent). */
export interface SetFields {
  status: string;
  owner: OwnerFields | null;
  statusReason: string | null;
  holdEnd: string | null;
}

/** What the EHR set, field by field, in codes: a field is present only when the change touched it (null: cleared). */
export interface EhrSet {
  status?: string | null;
  status_reason?: string | null;
  owner?: string | null;
  hold_end?: string | null;
}

/**
 * What `fhir.ehr_change` carries besides §13's fields: the actor's name as the
 * server gives it (a staff member's; null when not read), what the EHR set, and
 * a conflict's decision as §9 action bodies (what the console offers as one action).
 */
export interface EhrChangeExtras {
  actor_display?: string | null;
  ehr_set?: EhrSet | null;
  decision?: ActionBody[] | null;
}

/** A code the tracker may keep: short, of a code's characters (a statusReason of another system is not kept). */
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** `system|code` in one of the tracker's own code systems (disposition, snooze reason): the code; else null. */
function reasonCode(key: string | null, codeSystem: string): string | null {
  for (const system of [`${codeSystem}/disposition`, `${codeSystem}/snooze-reason`]) {
    if (key !== null && key.startsWith(`${system}|`)) {
      const code = key.slice(system.length + 1);
      return CODE.test(code) ? code : null;
    }
  }
  return null;
}

/** An owner as a code: its value in FHIR_OWNER_SYSTEM, a staff reference, else the reference's type alone (a Patient's id is never kept). */
function ownerCode(owner: OwnerFields | null): string | null {
  if (owner === null || (owner.value === null && owner.reference === null)) return null;
  if (owner.value !== null) return owner.value;
  const reference = owner.reference!;
  return namesStaff(reference) ? reference : (/^([A-Za-z]{1,40})\//.exec(reference)?.[1] ?? 'unknown');
}

const sameOwner = (a: OwnerFields | null, b: OwnerFields | null) => ownerCode(a) === ownerCode(b) && (a?.reference ?? null) === (b?.reference ?? null);

/** What `to` set against `from` (the content the tracker had confirmed; `codeSystem`: FHIR_CODE_SYSTEM): the status (with its reason), the owner, the hold's end. */
export function ehrSetOf(to: SetFields, from: SetFields, codeSystem: string): EhrSet {
  const set: EhrSet = {};
  if (to.status !== from.status || to.statusReason !== from.statusReason) {
    set.status = CODE.test(to.status) ? to.status : null;
    set.status_reason = reasonCode(to.statusReason, codeSystem);
  }
  if (!sameOwner(to.owner, from.owner)) set.owner = ownerCode(to.owner);
  if ((to.holdEnd ?? null) !== (from.holdEnd ?? null)) set.hold_end = to.holdEnd !== null && Number.isFinite(Date.parse(to.holdEnd)) ? new Date(to.holdEnd).toISOString() : null;
  return set;
}

/** A status's code in words (the Task's own statuses). */
const STATUS_WORDS: Readonly<Record<string, string>> = {
  ready: 'set it back to ready',
  'in-progress': 'set it in progress',
  'on-hold': 'put it on hold',
};

/** "until 2026-12-01 09:00 UTC" */
export function utcWords(iso: string): string {
  const at = new Date(iso);
  return Number.isFinite(at.getTime()) ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
}

function statusPhrase(set: EhrSet): string | null {
  if (set.status === undefined) return null;
  const status = set.status ?? 'unknown';
  const reason = set.status_reason ?? null;
  if (status === 'completed' || status === 'cancelled') return `closed it${reason === null ? '' : ` as ${dispositionWords(reason)}`}`;
  const words = STATUS_WORDS[status] ?? `set its status to ${status}`;
  return status === 'on-hold' && reason !== null ? `${words} (${snoozeReasonWords(reason)})` : words;
}

/** What the EHR set, in words: "closed it as Tested elsewhere; cleared the owner". */
export function ehrSetWords(set: EhrSet | null | undefined): string {
  if (set === null || set === undefined) return 'changed it';
  const phrases = [statusPhrase(set)];
  if (set.owner !== undefined) phrases.push(set.owner === null ? 'cleared the owner' : `made ${set.owner} the owner`);
  if (set.hold_end !== undefined) phrases.push(set.hold_end === null ? 'cleared the hold’s end' : `set the hold’s end to ${utcWords(set.hold_end)}`);
  const words = phrases.filter((phrase): phrase is string => phrase !== null);
  return words.length === 0 ? 'changed it' : words.join('; ');
}

/** The label of the one action that does as the EHR did: "Close as the EHR did (Tested elsewhere)", "Do as the EHR did (assign, snooze)". */
export function ehrDecisionLabel(actions: readonly ActionBody[]): string {
  const close = actions.find((action) => action.action === 'close');
  if (close !== undefined && actions.every((action) => action.action === 'close' || action.action === 'assign')) {
    return `Close as the EHR did (${dispositionWords(String((close as { disposition?: unknown }).disposition ?? 'other'))})`;
  }
  return `Do as the EHR did (${actions.map((action) => action.action).join(', ')})`;
}

/** The tracker's author of its note on a Task. */
export const TRACKER_NOTE_AUTHOR = 'redraw-tracker';

/** A note as R4's Annotation has it. */
export interface TrackerNote {
  authorString: string;
  time: string;
  text: string;
}

/** The note's text: "Not applied in the tracker: status completed (Tested elsewhere), a person acted there at 20:49 UTC; see the follow-up". */
export function notAppliedText(set: EhrSet | null | undefined, at: string): string {
  const parts: string[] = [];
  if (set?.status !== undefined) {
    const reason = set.status_reason ?? null;
    parts.push(`status ${set.status ?? 'unknown'}${reason === null ? '' : ` (${set.status === 'on-hold' ? snoozeReasonWords(reason) : dispositionWords(reason)})`}`);
  }
  if (set?.owner !== undefined) parts.push(set.owner === null ? 'owner cleared' : 'owner changed');
  if (set?.hold_end !== undefined) parts.push(set.hold_end === null ? 'hold end cleared' : `on hold until ${utcWords(set.hold_end)}`);
  const when = Number.isFinite(Date.parse(at)) ? ` at ${new Date(at).toISOString().slice(11, 16)} UTC` : '';
  return `Not applied in the tracker: ${parts.length === 0 ? 'a change' : parts.join(', ')}, a person acted there${when}; see the follow-up`;
}

/** The tracker's note for a change it did not apply, written at `now`. */
export function notAppliedNote(set: EhrSet | null | undefined, at: string, now: Date): TrackerNote {
  return { authorString: TRACKER_NOTE_AUTHOR, time: now.toISOString(), text: notAppliedText(set, at) };
}

/**
 * `task` (a Task to write: the read Task with the mapped fields replaced) with
 * `note` added after every note it holds, none edited or removed; the same
 * when the tracker's note with that text is there already (one note per change).
 */
export function withTrackerNote<T extends Record<string, unknown>>(task: T, note: TrackerNote): T {
  const notes = Array.isArray(task.note) ? (task.note as unknown[]) : [];
  const there = notes.some((kept) => {
    const one = kept as { authorString?: unknown; text?: unknown } | null;
    return one !== null && typeof one === 'object' && one.authorString === TRACKER_NOTE_AUTHOR && one.text === note.text;
  });
  return there ? task : { ...task, note: [...notes, note] };
}
