/**
 * What the order-safe write (sync.ts) records of a delivery (CONTRACT §13):
 * the confirmation of what the server confirmed, a refusal, a Task held as
 * changed or deleted in the EHR, the EHR work read, each beside what was last
 * confirmed; and the pending record dropped once it is answered.
 */
import { contentOf as comparedContentOf, type ConfirmedContent } from '../../core/fhir/ehr-change';
import type { EhrChangeView } from '../../core/fhir/view';
import type { EhrRecordAction } from '../../core/fhir/ehr-set';
import { EHR_ACTOR_PREFIX } from '../../shared/actor';
import { serverHost } from './ehr-reads';
import type { ConfirmedFacts } from '../../core/fhir/sync-decision';
import { personActedSince as personActedAfter, recordEhrWork, type EhrRecord } from '../../store/follow-ups/ehr-actions';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { clearPending, readConfirmation, writeConfirmation, type Confirmation } from '../../store/fhir-records';
import { usableResourceId } from '../../core/fhir/read-task';
import type { EhrStepDeps } from './ehr-work';
import { contentKey, digestedOf, type DigestedTask } from './source';

/** A follow-up's Task content, computed once per content: its Task and digest, and its content as §13 compares it. */
export interface TaskContent extends DigestedTask {
  /** The Task's content as §13 compares it (core/fhir/ehr-change.ts): what a confirmation keeps. */
  content: ConfirmedContent;
}

/** The follow-up and content a write was computed from, and what this server last confirmed for it. */
export interface Written extends TaskContent {
  stored: StoredFollowUp;
  /** What this server last confirmed (a record of this delivery's EHR work returns a new Written with it). */
  previous: Confirmation | null;
}

/**
 * A delivery's contents by key (source.ts contentKey): each computed once,
 * whoever asks first (the writer's intake, a round, the read after a write).
 */
export type Contents = Map<string, TaskContent | DigestedTask>;

/** The Task content of `stored`, from `contents` when this delivery computed it already, else computed and kept there. */
export function taskContentOf(deps: Pick<EhrStepDeps, 'systems'>, stored: StoredFollowUp, contents: Contents): TaskContent {
  const known = digestedIn(deps, stored, contents);
  if ('content' in known) return known;
  const computed = { ...known, content: comparedContentOf(known.task, deps.systems) };
  contents.set(known.key, computed);
  return computed;
}

/** The Task and digest of `stored` only (what the read after a write compares), from `contents` or kept there. */
export function digestedIn(deps: Pick<EhrStepDeps, 'systems'>, stored: StoredFollowUp, contents: Contents): DigestedTask | TaskContent {
  const key = contentKey(stored);
  const known = contents.get(key);
  if (known !== undefined) return known;
  const computed = digestedOf(stored, deps.systems);
  contents.set(key, computed);
  return computed;
}

/** What `stored`'s write starts from: its content, and the confirmation (strongly consistent: the write is decided on it). */
export async function writtenOf(deps: EhrStepDeps, stored: StoredFollowUp, contents: Contents): Promise<Written> {
  const previous = await readConfirmation(deps.db, deps.tableName, stored.followUp.id, deps.baseUrl, true);
  return { ...taskContentOf(deps, stored, contents), stored, previous };
}

/** The confirmation as the decision reads it (a Task id no URL can name is none). */
export function confirmedFacts(previous: Confirmation | null): ConfirmedFacts | null {
  if (previous === null) return null;
  return { ...previous, taskId: usableResourceId(previous.taskId) ? previous.taskId : null, ehrChange: previous.ehrChange ?? null };
}

/** Whether a person acted on the follow-up after `version` (what lets a write replace a Task changed or deleted in the EHR). */
export async function personActedSince(deps: EhrStepDeps, id: string, version: number): Promise<boolean> {
  return personActedAfter(deps.db, deps.tableName, id, version, deps.now());
}

/** Drops the pending record a content at least as new answers. */
export async function clearPendingOf(deps: EhrStepDeps, { stored, source }: Written): Promise<void> {
  await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
}

/**
 * Records what the server confirmed and drops the pending record it answers. `expiresAt`: the
 * follow-up's expiry as read after the write (issue 82: one set while the write was in flight is
 * kept); undefined: the one it was read with.
 */
export async function confirm(deps: EhrStepDeps, written: Written, taskId: string | null, versionId: string | null, expiresAt?: number | null): Promise<void> {
  const { stored, digest, previous } = written;
  // What the EHR last did stays beside the new confirmation (`fhir.ehr_change`; a conflict until the follow-up's next version).
  const ehr = { ehrChange: previous?.ehrChange ?? null, trackerChange: previous?.trackerChange ?? null, conflictVersion: previous?.conflictVersion ?? null };
  const confirmation: Confirmation = { ...emptyConfirmation(deps, stored), ...ehr, content: written.content, digest, taskId, versionId };
  await writeConfirmation(deps.db, deps.tableName, stored.followUp.id, confirmation, expiresAt === undefined ? stored.expiresAt : expiresAt);
  await clearPendingOf(deps, written);
}

/** A refusal: recorded with its codes beside what was last confirmed, and its pending record dropped (no loop). */
export async function recordRefusal(deps: EhrStepDeps, written: Written, status: number, codes: string[]): Promise<void> {
  await recordBeside(deps, written, { refusedDigest: written.digest, refusalStatus: status, refusalCodes: codes });
}

/** A Task deleted in the EHR: not created again from version `version` of the follow-up on, until a person acts. */
export async function recordDeletion(deps: EhrStepDeps, written: Written, version: number): Promise<void> {
  await recordBeside(deps, written, { deletedInEhrVersion: version });
}

/**
 * A Task changed in the EHR: held (not overwritten) from this version of the follow-up on, its pending record dropped;
 * with the change read, when read, and the Task version it was read at (`versionId`: the newest version that read met).
 */
export async function holdChangedInEhr(deps: EhrStepDeps, written: Written, change: EhrChangeView | null, versionId: string | null): Promise<void> {
  await recordBeside(deps, written, {
    changedInEhrDigest: written.digest,
    changedInEhrVersion: written.previous?.changedInEhrVersion ?? written.stored.followUp.version,
    ...(change === null ? {} : { ehrChange: change, trackerChange: null, heldVersionId: versionId }),
  });
}

/**
 * Records work read from the EHR (applied, a conflict, or no work here) beside what was last confirmed.
 * The delivery goes on from the `written` returned (its `previous` this record); `written` itself is left as it was.
 */
export async function recordEhrChange(deps: EhrStepDeps, written: Written, mark: Pick<Confirmation, 'ehrChange' | 'trackerChange' | 'conflictVersion'>): Promise<Written> {
  const confirmation: Confirmation = { ...(written.previous ?? emptyConfirmation(deps, written.stored)), ...mark, heldVersionId: null };
  await writeConfirmation(deps.db, deps.tableName, written.stored.followUp.id, confirmation, written.stored.expiresAt);
  return { ...written, previous: confirmation };
}

/**
 * Records in the follow-up's history EHR work the tracker did not apply (CONTRACT
 * §13: `ehr_not_applied`, `ehr_conflict`, `ehr_deleted`, once per EHR version).
 * Its entry is a new version of the follow-up: the `written` returned goes on from
 * it (its content, digest and revision), so the round decides and writes on what
 * is stored; `written` itself is left as it was.
 */
export async function recordInHistory(deps: EhrStepDeps, written: Written, contents: Contents, record: Omit<EhrRecord, 'id' | 'now'>): Promise<Written> {
  const { stored } = await recordEhrWork(deps.db, deps.tableName, { ...record, id: written.stored.followUp.id, now: deps.now() });
  if (stored === null || stored.revision === written.stored.revision) return written;
  return { ...written, ...taskContentOf(deps, stored, contents), stored };
}

/** The record of a change read from the EHR and not applied (held, or met in a conflict). */
export function ehrRecordOf(action: EhrRecordAction, change: EhrChangeView, why: string | null): Omit<EhrRecord, 'id' | 'now'> {
  return { action, actor: change.actor, actorDisplay: change.actor_display ?? null, fhirVersionId: change.fhir_version_id, fhirLastUpdated: change.at, why, ehrSet: change.ehr_set ?? null, decision: change.decision ?? null };
}

/** The record of a Task deleted in the EHR: by the server's host (a read that finds it gone names no one), at the version the tracker had confirmed. */
export function deletionRecordOf(deps: Pick<EhrStepDeps, 'baseUrl'>, versionId: string | null): Omit<EhrRecord, 'id' | 'now'> {
  return { action: 'ehr_deleted', actor: `${EHR_ACTOR_PREFIX}${serverHost(deps.baseUrl)}`, actorDisplay: null, fhirVersionId: versionId, fhirLastUpdated: null, why: 'deleted_in_ehr', ehrSet: null };
}

/**
 * Records what the server said of this content (a refusal, a hold) beside what it
 * last confirmed, and drops the pending record: neither is tried again until the
 * follow-up changes.
 */
async function recordBeside(
  deps: EhrStepDeps,
  written: Written,
  mark:
    | Pick<Confirmation, 'refusedDigest' | 'refusalStatus' | 'refusalCodes'>
    | (Pick<Confirmation, 'changedInEhrDigest' | 'changedInEhrVersion'> & Partial<Pick<Confirmation, 'ehrChange' | 'trackerChange' | 'heldVersionId'>>)
    | Pick<Confirmation, 'deletedInEhrVersion'>,
): Promise<void> {
  const { stored, source, previous } = written;
  const confirmation: Confirmation = {
    ...(previous ?? emptyConfirmation(deps, stored)),
    openedAt: stored.followUp.opened_at,
    revision: Math.max(source.revision, previous?.revision ?? 0),
    // Since when: kept while the same hold goes on (a hold read again is not a new one).
    heldAt: sameHold(previous, mark) ? (previous?.heldAt ?? deps.now().toISOString()) : deps.now().toISOString(),
    ...mark,
  };
  await writeConfirmation(deps.db, deps.tableName, stored.followUp.id, confirmation, stored.expiresAt);
  await clearPendingOf(deps, written);
}

/** A confirmation of `stored` with no Task confirmed, nothing refused or held: what confirm, a refusal and a hold start from. */
function emptyConfirmation(deps: EhrStepDeps, stored: StoredFollowUp): Confirmation {
  return {
    baseUrl: deps.baseUrl,
    version: stored.followUp.version,
    digest: '',
    confirmedAt: deps.now().toISOString(),
    openedAt: stored.followUp.opened_at,
    revision: stored.revision,
    taskId: null,
    versionId: null,
    refusedDigest: null,
    refusalStatus: null,
    refusalCodes: [],
    changedInEhrDigest: null,
    changedInEhrVersion: null,
    deletedInEhrVersion: null,
    heldAt: null,
    content: null,
    ehrChange: null,
    trackerChange: null,
    conflictVersion: null,
  };
}

/** Whether `mark` records what `previous` already holds (the same refusal, hold or deletion). */
function sameHold(previous: Confirmation | null, mark: Partial<Confirmation>): boolean {
  if (previous === null) return false;
  if (mark.deletedInEhrVersion !== undefined) return previous.deletedInEhrVersion === mark.deletedInEhrVersion;
  if (mark.changedInEhrDigest !== undefined) return previous.changedInEhrDigest !== null;
  return previous.refusedDigest === mark.refusedDigest;
}
