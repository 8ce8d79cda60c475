/**
 * The follow-up's `fhir` as GET /follow-ups/{id} and the console show it
 * (CONTRACT §13): the version confirmed, when, and its Task's state (deleted
 * or changed in the EHR, a conflict, refused, behind, current), with the
 * newest change read from the EHR, all read from what the confirmation record
 * says. Plain functions over plain data: the query function answers with
 * them, and the writer and the poll ask heldTaskVersion which Task version a
 * hold was read at.
 */
import { shownNextTry } from './retry';
import type { EhrChangeExtras } from './ehr-set';

/**
 * The follow-up's Task states (CONTRACT §13), in the order the contract gives
 * them: when several hold, the first is the one answered.
 */
export const FHIR_STATES = ['deleted_in_ehr', 'conflict', 'changed_in_ehr', 'refused', 'behind', 'current'] as const;
export type FhirState = (typeof FHIR_STATES)[number];

/** The newest change read from the EHR (CONTRACT §13, "Work done in the EHR comes back"). */
export interface EhrChangeView extends EhrChangeExtras {
  at: string;
  actor: string;
  fhir_version_id: string | null;
  actions: string[];
  applied: boolean;
  why: string | null;
}

/** The person's action an EHR change met in a conflict. */
export interface TrackerChangeView {
  at: string;
  actor: string;
  action: string;
}

/**
 * This implementation's extension of `fhir` (where §13 is silent): when the
 * EHR side needs a person (`refused`, `changed_in_ehr`, `deleted_in_ehr`,
 * `conflict`), since when the tracker has held the Task and, for a refusal,
 * the server's HTTP status and OperationOutcome codes (never its text).
 */
export interface FhirHeldView {
  at: string;
  status: number | null;
  codes: string[];
}

/** The follow-up's `fhir` as GET /follow-ups/{id} answers it (CONTRACT §13). */
export interface FhirView {
  version: number;
  confirmed_at: string;
  state: FhirState;
  ehr_change: EhrChangeView | null;
  tracker_change: TrackerChangeView | null;
  /** Null unless the state needs a person. */
  held: FhirHeldView | null;
  /** While `behind` after a failed try: when the Task is tried again (core/fhir/retry.ts); else null. */
  next_try_at: string | null;
}

/** What the confirmation record says, as far as the follow-up's `fhir` view needs it. */
export interface ConfirmationFacts {
  baseUrl: string;
  version: number;
  digest: string;
  confirmedAt: string;
  /** The digest a refusal was for, or null; with the answer's status and OperationOutcome codes. */
  refusedDigest: string | null;
  refusalStatus: number | null;
  refusalCodes: readonly string[];
  /** The digest the follow-up had when the Task was found changed in the EHR, or null. */
  changedInEhrDigest: string | null;
  /** The follow-up's version when its confirmed Task was found deleted in the EHR (not created again until a person acts), or null. */
  deletedInEhrVersion: number | null;
  /** When the tracker recorded the refusal, the hold or the deletion it names, or null. */
  heldAt: string | null;
  /** The newest change read from the EHR (`fhir.ehr_change`); absent or null: none. */
  ehrChange?: EhrChangeView | null;
  /** The person's action that change met in a conflict; absent or null: none. */
  trackerChange?: TrackerChangeView | null;
  /** The follow-up's version when that conflict was recorded: `conflict` lasts until its next version. Absent or null: none. */
  conflictVersion?: number | null;
  /** The Task version a hold was read at (the newest version its read met; the held change may be an earlier one's). Absent or null: the held change's own. */
  heldVersionId?: string | null;
  /** When the Task is tried again after its last failed try (store/fhir-records.ts noteNextTry). Absent or null: none recorded. */
  nextTryAt?: string | null;
}

/**
 * The Task version the confirmation holds as read (a change not applied, with
 * why, not met in a conflict): a read that finds the Task at this version finds
 * nothing new. Null: no such hold.
 */
export function heldTaskVersion(confirmation: Pick<ConfirmationFacts, 'ehrChange' | 'trackerChange' | 'heldVersionId'> | null): string | null {
  const change = confirmation?.ehrChange ?? null;
  if (confirmation === null || change === null || change.applied || change.why === null || (confirmation.trackerChange ?? null) !== null) return null;
  return confirmation.heldVersionId ?? change.fhir_version_id;
}

/**
 * The follow-up's `fhir` (CONTRACT §13): null while off or never sent to this
 * server; otherwise the version confirmed, when, and the first state that
 * holds in FHIR_STATES' order: its Task deleted in the EHR, a conflict with
 * work done there (until the follow-up's next version), changed there (held
 * until a person's action), refused at the follow-up's current digest, behind
 * it, or current; with the newest change read from the EHR. `now`: when the
 * page reads it, to show a next try that has passed as the next tick.
 */
export function fhirViewOf(
  confirmation: ConfirmationFacts | null,
  currentDigest: string,
  baseUrl: string | null,
  currentVersion: number | null = null,
  now: Date | null = null,
): FhirView | null {
  if (baseUrl === null || confirmation === null || confirmation.baseUrl !== baseUrl) return null;
  const conflict = (confirmation.conflictVersion ?? null) !== null && confirmation.conflictVersion === currentVersion;
  const state: FhirState =
    confirmation.deletedInEhrVersion !== null
      ? 'deleted_in_ehr'
      : conflict
        ? 'conflict'
        : confirmation.changedInEhrDigest !== null
          ? 'changed_in_ehr'
          : confirmation.refusedDigest === currentDigest
            ? 'refused'
            : confirmation.digest === currentDigest
              ? 'current'
              : 'behind';
  const needsPerson = state !== 'current' && state !== 'behind';
  const held: FhirHeldView | null = needsPerson
    ? { at: confirmation.heldAt ?? confirmation.confirmedAt, status: state === 'refused' ? confirmation.refusalStatus : null, codes: state === 'refused' ? [...confirmation.refusalCodes] : [] }
    : null;
  return {
    version: confirmation.version,
    confirmed_at: confirmation.confirmedAt,
    state,
    ehr_change: confirmation.ehrChange ? { actor_display: null, ...confirmation.ehrChange } : null,
    tracker_change: confirmation.trackerChange ?? null,
    held,
    next_try_at: state !== 'behind' ? null : now === null ? (confirmation.nextTryAt ?? null) : shownNextTry(confirmation.nextTryAt ?? null, now),
  };
}

