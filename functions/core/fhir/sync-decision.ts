/**
 * The order-safe write's decision (CONTRACT §13): what the Tasks found for a
 * follow-up's identifier, the follow-up's content and this server's
 * confirmation say leads to the write's next move. Plain data in, a move out:
 * functions/fhir/sync/sync.ts reads, asks this, and does the move (a request,
 * a record, a read of one more fact), then asks again.
 *
 * Over one round's read:
 * - several Tasks for the identifier: refused (`multiple-matches`);
 * - one Task at the follow-up's digest: confirmed (or, confirmed already,
 *   only its pending record goes); one whose digest matches but that claims a
 *   content the tracker never wrote (a later opening or a higher revision than
 *   stored: core/fhir/read-task.ts claimsUnwrittenContent) is no more the
 *   tracker's than one without a digest; a version someone else made: the EHR's work is read first
 *   (fhir/sync/ehr-work.ts), then applied (go again), held, a conflict (write
 *   back), or no work (confirm, or write over it); otherwise update it with
 *   If-Match;
 * - no Task: where the server confirmed one, it is read by its id (404 or 410:
 *   deleted in the EHR, not created again until a person acts); else create.
 * Over a write's answer: confirm what was written, go again after a conflict
 * (at most MAX_CONFLICT_RETRIES), refuse several Tasks, or judge the answer.
 */
import { claimsUnwrittenContent, type ReadTask } from './read-task';
import type { TaskSource } from './task';
import { heldTaskVersion, type EhrChangeView, type TrackerChangeView } from './view';

/** Re-reads after a 412 (the Task's version moved under the write), per delivery. */
export const MAX_CONFLICT_RETRIES = 3;

/** What a delivery has done so far, kept by the loop across its rounds. */
export interface Delivery {
  /** Whether it wrote the Task (a later round that finds it at the digest says `written`). */
  wrote: boolean;
  conflicts: number;
  /** The Task version whose EHR work it applied: not read as work again. */
  appliedVersion: string | null;
}

export const NEW_DELIVERY: Delivery = { wrote: false, conflicts: 0, appliedVersion: null };

/** What this server last confirmed, as far as the write decides on it (store/fhir-records.ts Confirmation). */
export interface ConfirmedFacts {
  digest: string;
  /** The Task id confirmed, or null (none, or one no URL can name). */
  taskId: string | null;
  versionId: string | null;
  refusedDigest: string | null;
  changedInEhrDigest: string | null;
  changedInEhrVersion: number | null;
  deletedInEhrVersion: number | null;
  ehrChange: EhrChangeView | null;
  /** The person's action a change met in a conflict, and the Task version a hold was read at (core/fhir/view.ts heldTaskVersion). */
  trackerChange?: TrackerChangeView | null;
  heldVersionId?: string | null;
}

/** What the EHR step (fhir/sync/ehr-work.ts) made of a version someone else made, once recorded. */
export type EhrWorkRead =
  | { kind: 'applied' }
  | { kind: 'conflict' }
  /** Not applied: `read`, the change was read (else not known); `known`, held already at this version. */
  | { kind: 'held'; read: boolean; known: boolean }
  /** No work: `sameContent`, the Task's content is the follow-up's (fields EHRs set on every save aside). */
  | { kind: 'none'; sameContent: boolean };

/** One round's read, and the facts read since on the decision's asking. */
export interface RoundFacts {
  /** The Tasks found for the identifier, each as read (null: no stored Task, or an id no URL can name). */
  tasks: readonly (ReadTask | null)[];
  source: TaskSource;
  digest: string;
  confirmation: ConfirmedFacts | null;
  /** Whether a person acted on the follow-up after version `since` (its history read). */
  personActed?: { since: number; acted: boolean };
  /** What the EHR step made of the Task found. */
  ehr?: EhrWorkRead;
  /** The status the confirmed Task's read by its id answered. */
  byId?: number;
  /**
   * Whether this server's confirmation was written after the round's search was sent: another writer of
   * the same follow-up created or wrote its Task meanwhile, so the search could not have found it.
   */
  confirmedAfterSearch?: boolean;
}

/** How a write ends where no answer needs judging. */
export type SyncEnd =
  | { kind: 'written' | 'unchanged' | 'changed_in_ehr' | 'deleted_in_ehr' }
  | { kind: 'unavailable'; reason: 'unreadable' | 'conflicts' | 'search_missed' };

export type RoundMove =
  /** Read one more fact, then decide again. */
  | { kind: 'read_history'; since: number }
  /** `restated`: the Task states the tracker's digest over a content the tracker never wrote (counted). */
  | { kind: 'read_ehr_work'; task: ReadTask; restated: boolean }
  | { kind: 'read_by_id'; taskId: string }
  /** Record what the server confirmed of `task`, drop the pending record; then `end`. */
  | { kind: 'confirm'; taskId: string; versionId: string | null; end: SyncEnd }
  /** Drop the pending record only; then `end`. */
  | { kind: 'clear'; end: SyncEnd }
  | { kind: 'refuse'; status: number; codes: string[] }
  /** Hold the Task changed in the EHR (`changed_in_ehr`); `counted`: a change read now, not before. */
  | { kind: 'hold'; counted: boolean }
  /** Record the deletion in the EHR from `version` of the follow-up on (`deleted_in_ehr`). */
  | { kind: 'deleted'; version: number }
  | { kind: 'update'; taskId: string; versionId: string | null }
  | { kind: 'create' }
  /** EHR work applied: read again and write the new content over it. */
  | { kind: 'again'; appliedVersion: string | null }
  /** The read by id answered neither 200, 404 nor 410: judge that answer. */
  | { kind: 'judge' }
  | { kind: 'end'; end: SyncEnd };

/** The next move over a round's read. */
export function decideRound(facts: RoundFacts, delivery: Delivery): RoundMove {
  if (facts.tasks.length > 1) return { kind: 'refuse', status: 412, codes: ['multiple-matches'] };
  if (facts.tasks.length === 0) return noneFound(facts, delivery);
  const found = facts.tasks[0]!;
  if (found === null) return { kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } };
  return overFound(facts, found, delivery);
}

function overFound(facts: RoundFacts, found: ReadTask, delivery: Delivery): RoundMove {
  const { confirmation, digest } = facts;
  // The tracker's content at a version past the one it confirmed: the EHR may have saved versions between
  // (closed, then reopened: each a person's action) that came back to it. Their history is read first, unless
  // it cannot be (its read held, with nothing read): then, as before, nothing to do.
  const confirmedVersion = confirmation?.versionId ?? null;
  const movedPast = found.versionId !== null && confirmedVersion !== null && found.versionId !== confirmedVersion && found.versionId !== delivery.appliedVersion;
  const readBetween = movedPast && (facts.ehr === undefined || facts.ehr.kind !== 'held' || facts.ehr.read);
  if (found.trackersContent && found.statedDigest === digest && !readBetween) {
    // Confirmed already (a duplicate delivery, the sweep after the writer): only its pending record, if any, goes.
    const end: SyncEnd = { kind: delivery.wrote ? 'written' : 'unchanged' };
    return isConfirmed(confirmation, digest, found) ? { kind: 'clear', end } : { kind: 'confirm', taskId: found.id, versionId: found.versionId, end };
  }
  // Only the tracker states the tracker's digest: a Task claiming a revision it never wrote is the EHR's work.
  const restated = found.trackersContent && claimsUnwrittenContent(facts.source, found);
  // A Task without a usable versionId that is not the tracker's content is read as EHR work (held as `no_version`), never written over unread.
  const unread = found.versionId === null || (found.versionId !== (confirmation?.versionId ?? null) && found.versionId !== delivery.appliedVersion);
  const fromEhr = (!found.trackersContent || restated || readBetween) && unread;
  if (fromEhr) {
    const move = ehrMove(facts, found, restated);
    if (move !== null) return move;
  }
  return { kind: 'update', taskId: found.id, versionId: found.versionId };
}

/**
 * A Task version someone else made (CONTRACT §13, "Work done in the EHR comes
 * back"): its work read, then applied (again), a conflict (written back at
 * once), held until a person acts, or no work. Null: write over it.
 */
function ehrMove(facts: RoundFacts, found: ReadTask, restated: boolean): RoundMove | null {
  const held = facts.confirmation?.changedInEhrVersion ?? null;
  const ehr = facts.ehr;
  if (ehr === undefined) {
    // A version held before, and a person acted in the tracker since: their action replaces it.
    if (held !== null && (heldTaskVersion(facts.confirmation ?? null) ?? facts.confirmation?.ehrChange?.fhir_version_id) === found.versionId) {
      const acted = personActed(facts, held);
      if (acted === null) return { kind: 'read_history', since: held };
      if (acted) return null;
    }
    return { kind: 'read_ehr_work', task: found, restated };
  }
  switch (ehr.kind) {
    case 'applied':
      return { kind: 'again', appliedVersion: found.versionId };
    case 'conflict':
      return null;
    case 'held': {
      // Not read (actions off), or the hold already recorded with nothing new after it: a person's action since replaces it.
      if ((!ehr.read || ehr.known) && held !== null) {
        const acted = personActed(facts, held);
        if (acted === null) return { kind: 'read_history', since: held };
        if (acted) return null;
      }
      return { kind: 'hold', counted: ehr.read && !ehr.known };
    }
    case 'none':
      // Only the EHR's own elements, or fields it sets on every save: at the follow-up's content, nothing to write.
      return ehr.sameContent ? { kind: 'confirm', taskId: found.id, versionId: found.versionId, end: { kind: 'unchanged' } } : null;
  }
}

/**
 * No Task found: create it, unless the Task the server confirmed was deleted
 * in the EHR (a read by its id answers 404 or 410), which is not created again
 * until a person acts on the follow-up, or is still there (search again when
 * it was confirmed after the search was sent).
 */
function noneFound(facts: RoundFacts, delivery: Delivery): RoundMove {
  const { confirmation } = facts;
  if (confirmation?.deletedInEhrVersion != null) {
    const acted = personActed(facts, confirmation.deletedInEhrVersion);
    if (acted === null) return { kind: 'read_history', since: confirmation.deletedInEhrVersion };
    return acted ? { kind: 'create' } : { kind: 'deleted', version: confirmation.deletedInEhrVersion };
  }
  if (confirmation?.taskId != null) {
    if (facts.byId === undefined) return { kind: 'read_by_id', taskId: confirmation.taskId };
    if (facts.byId === 404 || facts.byId === 410) return { kind: 'deleted', version: facts.source.followUp.version };
    // Still there, yet the search missed it: written by another writer after the search was sent, search again now;
    // else a search index behind its writes: read again later. Never a second Task.
    if (facts.byId === 200) return facts.confirmedAfterSearch === true ? { kind: 'again', appliedVersion: delivery.appliedVersion } : { kind: 'end', end: { kind: 'unavailable', reason: 'search_missed' } };
    return { kind: 'judge' };
  }
  return { kind: 'create' };
}

/** The person-acted fact for `since`, or null when it is still to be read. */
function personActed(facts: RoundFacts, since: number): boolean | null {
  return facts.personActed?.since === since ? facts.personActed.acted : null;
}

/** Whether the confirmation says this very Task version is at `digest`, with nothing refused or held. */
function isConfirmed(confirmation: ConfirmedFacts | null, digest: string, found: ReadTask): boolean {
  return (
    confirmation !== null &&
    confirmation.digest === digest &&
    confirmation.taskId === found.id &&
    confirmation.versionId === found.versionId &&
    confirmation.refusedDigest === null &&
    confirmation.changedInEhrDigest === null
  );
}

/** What the edge read of a write's answer (an HTTP answer; no answer at all is the edge's). */
export interface WriteAnswer {
  status: number;
  /** Whether its 2xx body is a Task or nothing (fhir/client/answers.ts writtenBodyReadable). */
  bodyReadable: boolean;
  /** Whether its OperationOutcome says `multiple-matches`. */
  multipleMatches: boolean;
  /** The Task id and version it names, or null. */
  taskId: string | null;
  versionId: string | null;
}

export type AnswerMove =
  /** Written: record it as confirmed (the Task `taskId` at `versionId`), then see whether the follow-up moved on. */
  | { kind: 'written'; taskId: string | null; versionId: string | null }
  /** Read again (a create that found the Task another writer made; a conflict, counted). */
  | { kind: 'again'; conflicts: number }
  | { kind: 'refuse'; status: number; codes: string[] }
  | { kind: 'end'; end: SyncEnd }
  /** Neither the success nor the conflict asked for: judge the answer. */
  | { kind: 'judge' };

/** The next move over the answer to a PUT over Task `found` (null: a POST). */
export function decideAnswer(answer: WriteAnswer, found: string | null, delivery: Delivery): AnswerMove {
  const { status } = answer;
  if (status === 201 || (status === 200 && found !== null)) {
    if (!answer.bodyReadable) return { kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } };
    return { kind: 'written', taskId: answer.taskId ?? found, versionId: answer.versionId };
  }
  // A conditional create that found the Task another writer created meanwhile: read it and go again
  // (a 200 that is no Task, a gateway's page, is no such answer: the next try sends it).
  if (status === 200) return answer.bodyReadable ? { kind: 'again', conflicts: delivery.conflicts } : { kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } };
  if (status === 412 || status === 409 || (status === 404 && found !== null)) {
    if (answer.multipleMatches) return { kind: 'refuse', status, codes: ['multiple-matches'] };
    const conflicts = delivery.conflicts + 1;
    return conflicts > MAX_CONFLICT_RETRIES ? { kind: 'end', end: { kind: 'unavailable', reason: 'conflicts' } } : { kind: 'again', conflicts };
  }
  return { kind: 'judge' };
}

/**
 * After a write: whether the follow-up, read again, still has the content
 * written (gone, the same revision, or the same digest), or moved on meanwhile
 * (go again, so that the last writer leaves the newest content). `digest` is
 * asked only when the revision moved.
 */
export function settledAfterWrite(written: { revision: number; digest: string }, now: { revision: number; digest: () => string } | null): boolean {
  return now === null || now.revision === written.revision || now.digest() === written.digest;
}
