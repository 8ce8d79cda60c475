/**
 * Where a follow-up's Task stands in the team's EHR (CONTRACT §13, `fhir` of
 * GET /follow-ups/{id}), as the people who work it read it: what is the case,
 * who did it, when, why, and what they can do. The console's page (its first
 * screen's notice and its Facts) and the CLI's follow-up view say the same from
 * this one reading; each puts times in its own words. Codes, counts and actor
 * ids only: `why` is the tracker's own reason or an OperationOutcome's codes,
 * never a server's text. What the EHR did (work done there, CONTRACT §13's
 * "Work done in the EHR comes back") is core/fhir/ehr-words.ts's.
 */
import { ehrActorWords, ehrSetWordsOf, ehrWhyWords, type TimeWords } from './ehr-words';

export { appliedEhrNews, ehrActorWords, ehrDecisionOf, ehrEntryWords, type TimeWords } from './ehr-words';

/** `fhir` as both front ends read it: the states §13 names (a later one passes as a string), the rest optional for a tracker before issue 69. */
export interface FhirAnswer {
  version: number;
  confirmed_at: string;
  state: string;
  ehr_change?: { at: string; actor: string; fhir_version_id?: string | null; actions: readonly string[]; applied: boolean; why: string | null; ehr_set?: unknown } | null;
  tracker_change?: { at: string; actor: string; action: string } | null;
  held?: { at: string; status: number | null; codes: readonly string[] } | null;
  /** While behind after a failed try: when the tracker tries again (absent before issue 84). */
  next_try_at?: string | null;
}

/**
 * How long after the follow-up's newest change a `behind` Task is a write in
 * flight rather than one that waits: §13 brings the Task current within a minute
 * of any write to the follow-up, and a second minute covers the writer's retry
 * and a slow server. Past it the Task is still sent again automatically, and the
 * words say since when it waits.
 */
export const SENDING_WINDOW_MS = 2 * 60_000;

/** The states that need a person (the notice on the page's first screen, two lines in the CLI). */
export const NEEDS_PERSON: readonly string[] = ['deleted_in_ehr', 'conflict', 'changed_in_ehr', 'refused'];

export type EhrSituationKind = 'current' | 'sending' | 'retrying' | 'waiting' | 'refused' | 'changed_in_ehr' | 'deleted_in_ehr' | 'conflict' | 'unknown';

export interface EhrSituation {
  kind: EhrSituationKind;
  /** A person must look (refused, changed in the EHR, deleted there, changed in both places). */
  needsPerson: boolean;
  /** What is the case: "Refused by the EHR's FHIR server", "Changed in the EHR by Practitioner/123". */
  what: string;
  /** Who did it, in words ("Practitioner/123", "someone in the EHR", "the EHR's FHIR server"), or null. */
  who: string | null;
  /** When it happened (or since when the tracker holds it, or waits): an ISO time, or null. */
  at: string | null;
  /** Why, in words, or null. */
  why: string | null;
  /** What the person can do, in words, or null. */
  todo: string | null;
  /** After "In the EHR: " in a one-line fact, without its time: "not overwritten until your next action here". */
  short: string;
}

const NOT_APPLIED = 'not applied here';

const ACTION_PAST: Readonly<Record<string, string>> = {
  acknowledge: 'acknowledged it',
  assign: 'assigned it',
  snooze: 'snoozed it',
  unsnooze: 'ended its snooze',
  record_contact: 'recorded a contact',
  close: 'closed it',
  reopen: 'reopened it',
};

/** §9's action names in words, in order: "closed it", "reopened it and snoozed it". */
export function actionsWords(actions: readonly string[]): string {
  const words = actions.map((action) => ACTION_PAST[action] ?? action.replaceAll('_', ' '));
  return words.length <= 1 ? (words[0] ?? 'changed it') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** OperationOutcome issue codes (R4's issue-type value set) and the tracker's own, in words. */
const ISSUE_WORDS: Readonly<Record<string, string>> = {
  invalid: 'the content is not valid',
  structure: 'its structure is not accepted',
  required: 'a required element is missing',
  value: 'a value is not accepted',
  invariant: 'a FHIR rule is broken',
  'business-rule': 'a rule of that server is broken',
  'code-invalid': 'a code is not known there',
  conflict: 'it conflicts with what the server holds',
  duplicate: 'it duplicates a record there',
  'not-supported': 'the server does not support it',
  processing: 'the server could not process it',
  security: 'the server does not allow it',
  forbidden: 'the server does not allow it',
  'too-costly': 'the server found it too costly',
  'multiple-matches': 'several Tasks there carry this follow-up’s identifier',
};

const STATUS_WORDS: Readonly<Record<number, string>> = { 400: 'bad request', 412: 'precondition failed', 422: 'not processable' };

/** "It answered 422 (not processable): the content is not valid (invalid)." from a refusal's status and codes. */
export function refusalWords(status: number | null, codes: readonly string[]): string {
  const answered = status === null ? 'It refused the Task' : `It answered ${status}${STATUS_WORDS[status] ? ` (${STATUS_WORDS[status]})` : ''}`;
  const reasons = codes.map((code) => (ISSUE_WORDS[code] ? `${ISSUE_WORDS[code]} (${code})` : `code ${code}`));
  return reasons.length === 0 ? `${answered}.` : `${answered}: ${reasons.join('; ')}.`;
}

/** The newest history entry's time when it is after the last confirmation (the change not yet confirmed), or null. */
function unconfirmedChangeAt(fhir: FhirAnswer, history: readonly { at: string }[]): string | null {
  const newest = history.reduce<string | null>((found, entry) => (found === null || Date.parse(entry.at) > Date.parse(found) ? entry.at : found), null);
  return newest !== null && Date.parse(newest) > Date.parse(fhir.confirmed_at) ? newest : null;
}

function behindSituation(fhir: FhirAnswer, history: readonly { at: string }[], now: Date): EhrSituation {
  const changedAt = unconfirmedChangeAt(fhir, history);
  const base = { needsPerson: false, who: null, why: null, todo: null };
  // A try failed (the server down, or this Task failing): no write is in flight, and the next try has a time.
  if ((fhir.next_try_at ?? null) !== null) return { ...base, kind: 'retrying', what: 'Sending to the EHR failed', at: fhir.next_try_at!, short: 'tried again automatically' };
  if (changedAt !== null && now.getTime() - Date.parse(changedAt) < SENDING_WINDOW_MS) {
    return { ...base, kind: 'sending', what: 'Sending to the EHR…', at: changedAt, short: 'sending the latest change' };
  }
  const since = changedAt ?? fhir.confirmed_at;
  return { ...base, kind: 'waiting', what: 'Not yet confirmed by the EHR', at: since, short: 'not yet confirmed; sent again automatically' };
}

function refusedSituation(fhir: FhirAnswer): EhrSituation {
  const held = fhir.held ?? null;
  const several = held?.codes.includes('multiple-matches') ?? false;
  return {
    kind: 'refused',
    needsPerson: true,
    what: 'Refused by the EHR’s FHIR server',
    who: 'the EHR’s FHIR server',
    at: held?.at ?? null,
    why: refusalWords(held?.status ?? null, held?.codes ?? []),
    todo: several
      ? 'Someone in the EHR removes the extra Tasks; then your next action here writes the tracker’s follow-up to the EHR again.'
      : 'Your next action here sends the tracker’s follow-up to the EHR again (nothing is sent before). If it is refused again, see the alarm runbook (docs/deploy.md).',
    short: 'not sent again until the follow-up changes',
  };
}

/** The history as these words read it: each entry's time, and the tracker's records of EHR work (their `ehr_set`). */
type Entries = readonly { at: string; action?: unknown; fhir_version_id?: unknown; ehr_set?: unknown }[];

/**
 * What the EHR set, in words ("closed it as Tested elsewhere; cleared the
 * owner"): from `ehr_change.ehr_set`, else from the history's record of that
 * change (`record`: ehr_conflict, ehr_not_applied); null when neither has it.
 */
function setWords(change: FhirAnswer['ehr_change'], history: Entries, record: string): string | null {
  if (!change) return null;
  const kept = change.ehr_set ?? [...history].reverse().find((entry) => entry.action === record && (change.fhir_version_id == null || entry.fhir_version_id === change.fhir_version_id))?.ehr_set;
  return kept !== null && typeof kept === 'object' && Object.keys(kept).length > 0 ? ehrSetWordsOf(kept) : null;
}

/** Why an EHR change was not applied: what they did and its reason in words, or what the tracker does with it. */
function notAppliedWhy(change: FhirAnswer['ehr_change'], fallback: string, history: Entries = []): string {
  if (!change) return fallback;
  const did = `They ${(change.applied ? null : setWords(change, history, 'ehr_not_applied')) ?? actionsWords(change.actions)}`;
  if (change.applied) return `${did}; applied here.`;
  return `${did}; ${NOT_APPLIED}${change.why ? `: ${ehrWhyWords(change.why)}` : ''}.`;
}

function changedSituation(fhir: FhirAnswer, history: Entries): EhrSituation {
  const change = fhir.ehr_change ?? null;
  const actor = ehrActorWords(change?.actor);
  return {
    kind: 'changed_in_ehr',
    needsPerson: true,
    what: actor ? `Changed in the EHR by ${actor}` : 'Changed by someone in the EHR',
    who: actor ?? 'someone in the EHR',
    at: change?.at ?? fhir.held?.at ?? null,
    why: notAppliedWhy(change, 'The change is not applied here, and the tracker does not overwrite it.', history),
    todo: 'Your next action here writes the tracker’s follow-up to the EHR again, replacing that change; make the change here too if it was right.',
    short: 'not overwritten until your next action here',
  };
}

/**
 * A deletion is found by a read that finds no Task: when the tracker found it
 * (`held.at`) is what is known. Who deleted it is known only when the newest
 * change read from the EHR is the deletion itself (no action, not applied, no
 * reason held, not before the tracker last confirmed the Task); the author of an
 * earlier change, applied or held, is not named for it.
 */
function deletedSituation(fhir: FhirAnswer): EhrSituation {
  const change = fhir.ehr_change ?? null;
  const isDeletion = change !== null && change.actions.length === 0 && !change.applied && change.why === null && Date.parse(change.at) >= Date.parse(fhir.confirmed_at);
  const deletion = isDeletion ? change : null;
  const actor = ehrActorWords(deletion?.actor);
  return {
    kind: 'deleted_in_ehr',
    needsPerson: true,
    what: actor ? `Deleted in the EHR by ${actor}` : 'Deleted by someone in the EHR',
    who: actor ?? 'someone in the EHR',
    at: fhir.held?.at ?? deletion?.at ?? null,
    why: 'The tracker does not create its Task again on its own.',
    todo: 'Your next action here creates the Task in the EHR again; close the follow-up here if it is done.',
    short: 'not created again until your next action here',
  };
}

/** "Changed in the EHR by X at T (they closed it) while Y acted here (snooze) at T2: the tracker’s version was kept and written back to the EHR." */
function conflictSituation(fhir: FhirAnswer, history: Entries, time: TimeWords): EhrSituation {
  const change = fhir.ehr_change ?? null;
  const mine = fhir.tracker_change ?? null;
  const actor = ehrActorWords(change?.actor) ?? 'someone in the EHR';
  // What they decided, named (CONTRACT §13): "they closed it as Tested elsewhere; cleared the owner".
  const did = setWords(change, history, 'ehr_conflict') ?? actionsWords(change?.actions ?? []);
  const there = change ? `Changed in the EHR by ${actor} at ${time(change.at)} (they ${did})` : 'Changed in the EHR';
  const here = mine ? ` while ${mine.actor} acted here (${mine.action}) at ${time(mine.at)}` : ' while someone acted on it here';
  return {
    kind: 'conflict',
    needsPerson: true,
    what: 'Changed in both places',
    who: actor,
    at: change?.at ?? fhir.held?.at ?? null,
    why: `${there}${here}: the tracker’s version was kept and written back to the EHR.`,
    todo: 'If the EHR’s change was right, make it here: the EHR now shows the tracker’s version.',
    short: 'the EHR’s change was not applied; the tracker’s follow-up was written back',
  };
}

/**
 * What is the case for the follow-up's Task, from `fhir`, the follow-up's
 * history (oldest first, as the API answers it) and the time the page was read.
 * `behind` within SENDING_WINDOW_MS of the follow-up's newest change is a write
 * in flight ("Sending to the EHR…"), never a fault; past it, it waits since that
 * change. Null while FHIR is off or nothing was sent. `time` puts the times
 * inside the words (a conflict's two) in the front end's words.
 */
export function ehrSituation(fhir: FhirAnswer | null | undefined, history: Entries, now: Date, time: TimeWords = (iso) => iso): EhrSituation | null {
  if (!fhir) return null;
  switch (fhir.state) {
    case 'current':
      return { kind: 'current', needsPerson: false, what: 'Up to date', who: null, at: fhir.confirmed_at, why: null, todo: null, short: 'up to date' };
    case 'behind':
      return behindSituation(fhir, history, now);
    case 'refused':
      return refusedSituation(fhir);
    case 'changed_in_ehr':
      return changedSituation(fhir, history);
    case 'deleted_in_ehr':
      return deletedSituation(fhir);
    case 'conflict':
      return conflictSituation(fhir, history, time);
    default: {
      const words = fhir.state.replaceAll('_', ' ');
      return { kind: 'unknown', needsPerson: false, what: words, who: null, at: fhir.confirmed_at, why: null, todo: null, short: words };
    }
  }
}
