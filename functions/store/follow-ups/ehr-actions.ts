/**
 * Work done on a Task in the EHR, applied as the person's §9 actions (CONTRACT
 * §13, "The action it is"): all of one Task version's actions in one
 * conditional write, each on the result of the one before, or none of them.
 *
 * - It is checked against the history after the Task's `follow-up-version`,
 *   not with `expected_version`: an entry there by a person in the tracker
 *   (an actor other than `tracker`, without `source: "ehr"`) is a conflict;
 *   the tracker's own entries and the EHR's are not, and it applies to the
 *   current version.
 * - The same EHR version is applied at most once, however often it is read:
 *   an entry after that version carrying its `fhir_version_id` says it was.
 *   A lost race reads both again, so two readers of one version write it once.
 * - Each entry carries `source: "ehr"`, `fhir_version_id` and `fhir_last_updated`;
 *   one that stands for the versions between too (their history not read), `versions_between: true`.
 * - What it does not apply (a change held, a conflict, a deletion) is one
 *   version of the tracker's (recordEhrWork: `ehr_not_applied`, `ehr_conflict`,
 *   `ehr_deleted`, written as `snooze_ended` is), once per EHR version: the
 *   follow-up's content is unchanged, and no such entry is a person's action.
 */
import type { ActionBody } from '../../core/follow-up/action-body';
import { parseAction } from '../../core/follow-up/action-body';
import { addVersion, TRACKER_ACTOR, type FollowUpAction, type LastEntry } from '../../core/follow-up/history';
import { applyAction } from '../../core/follow-up/person-action';
import type { FollowUp } from '../../core/follow-up/states';
import type { StaleThresholds } from '../../core/staleness';
import { isEhrRecordAction, type EhrRecordAction, type EhrSet } from '../../core/fhir/ehr-set';
import type { TableClient } from '../table-client';
import { afterPersonAction } from './actions';
import { readHistory } from './history';
import type { StoredFollowUp } from './item';
import { getFollowUp } from './reads';
import { MAX_RACES, writeStoredFollowUp, writeTrackerVersion } from './write';

/** One Task version's work, as read from the server. */
export interface EhrWork {
  id: string;
  actions: readonly ActionBody[];
  actor: string;
  /** The actor's name as the server gives it (a staff member's), kept on the entries as `actor_display`; null or absent: not read. */
  actorDisplay?: string | null;
  /** The Task version's `meta.versionId` and `meta.lastUpdated`. */
  fhirVersionId: string;
  fhirLastUpdated: string;
  /** The Task's `follow-up-version`: the history after it is what the EHR user did not see. */
  sinceVersion: number;
  /** The owner's reference, when its `assign` names an owner read from one (written back as that reference). */
  ownerReference: string | null;
  /** The change since the confirmed content applied as one (its history not read): the entry says so (`versions_between: true`). */
  versionsBetween?: boolean;
  now: Date;
  thresholds: StaleThresholds;
}

export type EhrApplied =
  | { kind: 'applied'; stored: StoredFollowUp }
  /** Nothing to change: every action was already so. */
  | { kind: 'unchanged'; stored: StoredFollowUp }
  | { kind: 'already_applied'; stored: StoredFollowUp }
  | { kind: 'conflict'; stored: StoredFollowUp; trackerChange: { at: string; actor: string; action: string } }
  /** §9 answered something else than 200: nothing written. */
  | { kind: 'refused'; stored: StoredFollowUp; why: 'invalid_transition' | 'invalid_owner' | 'invalid_request'; message: string }
  | { kind: 'not_found' };

/** Whether an entry is a person's action in the tracker (not the tracker's own, not the EHR's). */
export function isTrackerPersonEntry(entry: FollowUpAction): boolean {
  return entry.actor !== TRACKER_ACTOR && entry.source !== 'ehr';
}

/** Whether a person acted in the tracker on follow-up `id` after its version `version` (its history read, strongly consistent). */
export async function personActedSince(db: TableClient, tableName: string, id: string, version: number, now: Date): Promise<boolean> {
  return (await readHistory(db, tableName, id, now)).slice(version).some(isTrackerPersonEntry);
}

export async function applyEhrWork(db: TableClient, tableName: string, work: EhrWork): Promise<EhrApplied> {
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, work.id, work.now);
    if (stored === null) return { kind: 'not_found' };
    const since = (await readHistory(db, tableName, work.id, work.now)).slice(Math.max(0, work.sinceVersion));
    // The tracker's records of work it did not apply (ehr_conflict, ...) carry the version too: they are not its application.
    if (since.some((entry) => entry.source === 'ehr' && entry.fhir_version_id === work.fhirVersionId && !isEhrRecordAction(entry.action))) return { kind: 'already_applied', stored };
    const person = since.filter(isTrackerPersonEntry).at(-1);
    if (person !== undefined) return { kind: 'conflict', stored, trackerChange: { at: person.at, actor: person.actor, action: person.action } };
    const draft = draftOf(stored, work);
    if (draft.kind !== 'changed') return draft.kind === 'unchanged' ? { kind: 'unchanged', stored } : { ...draft, stored };
    const next: StoredFollowUp = { ...afterPersonAction(stored, draft.followUp, draft.last, work.thresholds), ehrOwner: ehrOwnerAfter(stored, draft.followUp, work) };
    const entries = draft.entries.map((entry) => ({
      ...entry,
      source: 'ehr',
      fhir_version_id: work.fhirVersionId,
      fhir_last_updated: work.fhirLastUpdated,
      actor_display: work.actorDisplay ?? null,
      ...(work.versionsBetween === true ? { versions_between: true } : {}),
    }));
    if ((await writeStoredFollowUp(db, tableName, stored, next, entries, work.now)) === 'written') return { kind: 'applied', stored: { ...next, revision: stored.revision + 1 } };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while work done in the EHR was applied`);
}

type Draft =
  | { kind: 'changed'; followUp: FollowUp; entries: FollowUpAction[]; last: LastEntry }
  | { kind: 'unchanged' }
  | { kind: 'refused'; why: 'invalid_transition' | 'invalid_owner' | 'invalid_request'; message: string };

/** The actions applied one after the other to what is stored, as the EHR user's (an action that changes nothing is passed over). */
function draftOf(stored: StoredFollowUp, work: EhrWork): Draft {
  let followUp = stored.followUp;
  let last = stored.last ?? null;
  const entries: FollowUpAction[] = [];
  for (const body of work.actions) {
    const parsed = parseAction(body, work.now);
    if (parsed.kind === 'invalid') return { kind: 'refused', why: body.action === 'assign' ? 'invalid_owner' : 'invalid_request', message: parsed.message };
    const outcome = applyAction(followUp, parsed.action, { actor: work.actor, kind: 'iam' }, work.now, last);
    if (outcome.kind === 'invalid_transition') return { kind: 'refused', why: 'invalid_transition', message: outcome.message };
    if (outcome.kind !== 'changed') continue;
    followUp = outcome.followUp;
    last = outcome.last;
    entries.push(...outcome.entries);
  }
  return entries.length === 0 || last === null ? { kind: 'unchanged' } : { kind: 'changed', followUp, entries, last };
}

/** The EHR's owner reference kept beside the follow-up: the new one when this work names the owner by it, else the one before while the owner is still its value. */
function ehrOwnerAfter(stored: StoredFollowUp, followUp: FollowUp, work: EhrWork): StoredFollowUp['ehrOwner'] {
  if (work.ownerReference !== null && followUp.owner !== null) return { value: followUp.owner, reference: work.ownerReference };
  const kept = stored.ehrOwner ?? null;
  return kept !== null && kept.value === followUp.owner ? kept : null;
}

/** Work done in the EHR that the tracker did not apply, as its history entry records it (CONTRACT §13, "Nothing the EHR did goes unrecorded"). */
export interface EhrRecord {
  id: string;
  action: EhrRecordAction;
  actor: string;
  actorDisplay: string | null;
  /** The Task version it was read at (a deletion: the version the tracker had confirmed), and its `meta.lastUpdated`. */
  fhirVersionId: string | null;
  fhirLastUpdated: string | null;
  why: string | null;
  ehrSet: EhrSet | null;
  /** A conflict's decision, as §9 bodies: what a person may take here as one action (the console's "Close as the EHR did"). */
  decision?: readonly ActionBody[] | null;
  now: Date;
}

/** Whether `entry` records the same EHR version (the same kind, version and time): written once, however often it is read. */
function sameRecord(entry: FollowUpAction, record: EhrRecord): boolean {
  return entry.source === 'ehr' && entry.action === record.action && (entry.fhir_version_id ?? null) === record.fhirVersionId && (entry.fhir_last_updated ?? null) === record.fhirLastUpdated;
}

/**
 * Records `record` as one version of the tracker's (the follow-up's content
 * unchanged, its entry `source: "ehr"` with the EHR's actor), unless the history
 * has it already. The follow-up as stored afterwards (null: gone), and whether it wrote.
 */
export async function recordEhrWork(db: TableClient, tableName: string, record: EhrRecord): Promise<{ stored: StoredFollowUp | null; written: boolean }> {
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, record.id, record.now);
    if (stored === null) return { stored: null, written: false };
    const history = await readHistory(db, tableName, record.id, record.now);
    if (history.some((entry) => sameRecord(entry, record))) return { stored, written: false };
    const draft = addVersion({ followUp: stored.followUp, entries: [], last: stored.last ?? null }, stored.followUp, entryOf(record), record.now);
    const next = { ...stored, followUp: draft.followUp, last: draft.last };
    if ((await writeTrackerVersion(db, tableName, stored, next, draft.entries, record.now)) === 'written') return { stored: await getFollowUp(db, tableName, record.id, record.now), written: true };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while work done in the EHR was recorded`);
}

function entryOf(record: EhrRecord) {
  return {
    actor: record.actor,
    action: record.action,
    source: 'ehr',
    actor_display: record.actorDisplay,
    fhir_version_id: record.fhirVersionId,
    fhir_last_updated: record.fhirLastUpdated,
    why: record.why,
    ehr_set: record.ehrSet,
    ...(record.decision == null ? {} : { decision: record.decision }),
  };
}
