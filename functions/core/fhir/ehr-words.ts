/**
 * Work done in the EHR (CONTRACT §13, "Work done in the EHR comes back") as
 * the console and the CLI say it: "Closed in the EHR by Practitioner/123",
 * "Reopened and snoozed until … in the EHR by …", and why a change was not
 * applied here, in words. Read from a history entry the EHR's work made
 * (`source: "ehr"`, its action's fields) or from `fhir.ehr_change` (its §9
 * action names); each front end puts times in its own words through `time`.
 * Codes, actor ids, a staff member's name as the server gives it, and times
 * only: nothing a person typed in the EHR.
 */
import { ehrDecisionLabel, ehrSetWords, isEhrRecordAction, type EhrSet } from './ehr-set';
import type { ActionBody } from '../follow-up/action-body';

/** An instant in the front end's words ("2026-11-27 10:42 EST (15:42 UTC)", "2026-11-27T15:42:00Z (3 min ago)"). */
export type TimeWords = (iso: string) => string;

/** A history entry as these words read it: who, what, and the action's fields. */
export interface EntryFacts {
  at: string;
  actor: string;
  action: string;
  source?: unknown;
  owner?: unknown;
  until?: unknown;
  fhir_version_id?: unknown;
  /** The EHR user's name as the server gave it; what the EHR set (codes) and why it was not applied, on the tracker's records of it. */
  actor_display?: unknown;
  ehr_set?: unknown;
  why?: unknown;
}

/** The newest change read from the EHR (`fhir.ehr_change`), as far as these words need it. */
export interface EhrChangeFacts {
  at: string;
  actor: string;
  fhir_version_id?: string | null;
  actions: readonly string[];
  applied: boolean;
  why: string | null;
}

/** `source` of the history entries (and `follow_up.changed` events) of work done in the EHR. */
export const EHR_SOURCE = 'ehr';

/** Whether a history entry is work done in the EHR. */
export function isEhrEntry(entry: Pick<EntryFacts, 'source'>): boolean {
  return entry.source === EHR_SOURCE;
}

/** "ehr:Practitioner/123" → "Practitioner/123" (§13's actor of EHR work); the tracker's own ids are kept as they are. */
export function ehrActorWords(actor: string | null | undefined): string | null {
  if (!actor) return null;
  const bare = actor.startsWith('ehr:') ? actor.slice('ehr:'.length) : actor;
  return bare === '' ? null : bare;
}

/**
 * One §9 action done in the EHR, as the rest of a sentence after it: "closed",
 * "taken" (the EHR user made themselves its owner), "assigned to kim.w",
 * "unassigned", "acknowledged", "snoozed until …", "snooze ended", "reopened".
 * Without the entry's fields (a change not applied has none) the action alone.
 */
function actionPhrase(action: string, fields: Pick<EntryFacts, 'owner' | 'until'>, who: string | null, time: TimeWords): string {
  switch (action) {
    case 'close':
      return 'closed';
    case 'acknowledge':
      return 'acknowledged';
    case 'reopen':
      return 'reopened';
    case 'unsnooze':
      return 'snooze ended';
    case 'snooze':
      return typeof fields.until === 'string' ? `snoozed until ${time(fields.until)}` : 'snoozed';
    case 'assign':
      if (fields.owner === null) return 'unassigned';
      if (typeof fields.owner !== 'string') return 'assigned';
      return fields.owner === who ? 'taken' : `assigned to ${fields.owner}`;
    default:
      return action.replaceAll('_', ' ');
  }
}

/** "a", "a and b", "a, b and c". */
function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** "Closed in the EHR by Practitioner/123" from the phrases of what was done, in order. */
function sentence(phrases: readonly string[], who: string | null): string {
  const done = listWords(phrases.length === 0 ? ['changed'] : phrases);
  return `${done.charAt(0).toUpperCase()}${done.slice(1)} in the EHR${who ? ` by ${who}` : ''}`;
}

/** Who, with the name the server gave beside the reference when the entry keeps one: "Ann Lee (Practitioner/123)". */
function namedActor(entry: Pick<EntryFacts, 'actor' | 'actor_display'>): string | null {
  const who = ehrActorWords(entry.actor);
  const name = typeof entry.actor_display === 'string' ? entry.actor_display.trim() : '';
  return who !== null && name !== '' && name !== who ? `${name} (${who})` : who;
}

/** What the EHR set, from a record's `ehr_set` (codes), in words: "closed it as Tested elsewhere; cleared the owner". */
export function ehrSetWordsOf(set: unknown): string {
  return ehrSetWords(set !== null && typeof set === 'object' ? (set as EhrSet) : null);
}

/**
 * The tracker's records of EHR work it did not apply (CONTRACT §13), in words:
 * "Changed in the EHR by Ann Lee (Practitioner/123): closed it as Tested
 * elsewhere; not applied here (…)", "… while a person acted here: … the
 * tracker’s version was written back", "Task deleted in the EHR by …".
 */
function recordWords(entry: EntryFacts, who: string | null): string {
  const by = who ? ` by ${who}` : '';
  if (entry.action === 'ehr_deleted') return `Task deleted in the EHR${by}`;
  const did = ehrSetWordsOf(entry.ehr_set);
  if (entry.action === 'ehr_conflict') return `Changed in the EHR${by} while a person acted here: ${did}; not applied, the tracker’s version was written back`;
  return `Changed in the EHR${by}: ${did}; not applied here${typeof entry.why === 'string' ? ` (${ehrWhyWords(entry.why)})` : ''}`;
}

/** A history entry of work done in the EHR in words ("Closed in the EHR by Practitioner/123"), or null for any other entry. */
export function ehrEntryWords(entry: EntryFacts, time: TimeWords): string | null {
  if (!isEhrEntry(entry)) return null;
  const who = namedActor(entry);
  if (isEhrRecordAction(entry.action)) return recordWords(entry, who);
  return sentence([actionPhrase(entry.action, entry, who, time)], who);
}

/**
 * The EHR's decision a conflict offers as one action (CONTRACT §13): the §9
 * bodies its `ehr_conflict` record keeps (`decision`) and their label ("Close as
 * the EHR did (Tested elsewhere)"), while `fhir.state` is `conflict`; else null.
 */
export function ehrDecisionOf(fhir: { state: string } | null | undefined, history: readonly (EntryFacts & { decision?: unknown })[]): { label: string; actions: ActionBody[] } | null {
  if (fhir?.state !== 'conflict') return null;
  const record = [...history].reverse().find((entry) => entry.action === 'ehr_conflict');
  const actions = Array.isArray(record?.decision) ? (record.decision as unknown[]).filter((body): body is ActionBody => body !== null && typeof body === 'object' && typeof (body as { action?: unknown }).action === 'string') : [];
  return actions.length === 0 ? null : { label: ehrDecisionLabel(actions), actions };
}

/** What an EHR change did, in words, from its history entries when the history has them (their fields), else from its action names. */
export function ehrChangeWords(change: EhrChangeFacts, history: readonly EntryFacts[], time: TimeWords): string {
  const who = ehrActorWords(change.actor);
  const version = change.fhir_version_id ?? null;
  const entries = version === null ? [] : history.filter((entry) => isEhrEntry(entry) && entry.fhir_version_id === version);
  const phrases = entries.length > 0 ? entries.map((entry) => actionPhrase(entry.action, entry, who, time)) : change.actions.map((action) => actionPhrase(action, {}, who, time));
  return sentence(phrases, who);
}

/** The states whose own notice says what the EHR did (its change held, met in a conflict, or the Task deleted). */
const OWN_NOTICE: readonly string[] = ['changed_in_ehr', 'conflict', 'deleted_in_ehr'];

/**
 * The EHR's newest change when it was applied here and is still the news: no
 * person acted here since (an entry by someone other than the tracker, not from
 * the EHR, after the change's time). What the first screen says ("Closed in the
 * EHR by Practitioner/123", and its time), else null.
 */
export function appliedEhrNews(
  fhir: { state: string; ehr_change?: EhrChangeFacts | null } | null | undefined,
  history: readonly EntryFacts[],
  time: TimeWords,
): { words: string; at: string } | null {
  const change = fhir?.ehr_change ?? null;
  if (!fhir || change === null || !change.applied || OWN_NOTICE.includes(fhir.state)) return null;
  const since = Date.parse(change.at);
  const actedHere = history.some((entry) => entry.actor !== 'tracker' && !isEhrEntry(entry) && Date.parse(entry.at) > since);
  return actedHere ? null : { words: ehrChangeWords(change, history, time), at: change.at };
}

/** Why a change made in the EHR was not applied here (`ehr_change.why`'s codes), in words. */
const WHY_WORDS: Readonly<Record<string, string>> = {
  tracker_only_field: 'it changed only what the tracker sets (such as the Task’s priority or description)',
  status_not_mapped: 'a status of the Task that the tracker does not map to an action',
  move_not_mapped: 'a move of the Task’s status that the tracker does not map to an action (such as in progress back to ready)',
  snooze_without_end: 'a snooze without an end',
  snooze_too_long: 'a snooze more than 90 days away',
  invalid_transition: 'the follow-up’s state here does not allow it',
  invalid_owner: 'an owner the tracker cannot take (characters it does not accept)',
  forbidden: 'a close that their role may not make here',
  no_version: 'the EHR server gives no version id, so the tracker cannot tell its versions apart',
  actions_off: 'the tracker takes no work from the EHR (FHIR_EHR_ACTIONS is off)',
};

/** `ehr_change.why` in words; a code these words do not know reads as itself. */
export function ehrWhyWords(why: string): string {
  return WHY_WORDS[why] ?? why;
}
