/**
 * The order-safe write of one follow-up's Task (CONTRACT §13), shared by the
 * FHIR writer (fed by the table's stream) and the sweep's catch-up (fed by the
 * pending records). Any number of them may work one follow-up at once, with
 * deliveries duplicated and out of order; the Task still ends at the
 * follow-up's newest content and never moves back:
 *
 * 1. Read the Task by identifier (`GET Task?identifier=`), then the follow-up
 *    (strongly consistent), so the content is at least as new as the Task read.
 *    A 200 that is not a searchset Bundle is unavailable, never "no Task".
 * 2. A Task at the follow-up's digest costs no write. A Task the tracker wrote
 *    from a newer content (a later opening, a higher write revision) is left as
 *    it is: its writer confirms it. A Task someone changed in the EHR (its
 *    `meta.versionId` is not the one confirmed, and its content is not the
 *    tracker's) is not overwritten until a person acts on the follow-up. No
 *    Task, where the server had confirmed one: read by its id; a 404 or 410 is
 *    a deletion in the EHR, not created again until a person acts.
 * 3. Otherwise `PUT Task/{id}` with `If-Match` (the Task as read with the
 *    mapped fields replaced: the EHR's own elements kept), or `POST` with
 *    `If-None-Exist`. A 412 (the version moved) is read again and retried, at
 *    most MAX_CONFLICT_RETRIES times; several Tasks for the identifier is refused.
 * 4. After a write, the follow-up is read again: if it changed meanwhile, go
 *    again, so that the last writer always leaves the newest content.
 *
 * A confirmation record keeps what the server confirmed; the pending record is
 * deleted once a content at least as new is confirmed. Only an answer the
 * server means as final is a refusal (answers.ts): a 400/422 (or several
 * Tasks), recorded with the OperationOutcome's codes, never its text, and not
 * tried again until the follow-up changes. A 401/403 is a configuration
 * error. Every other answer (a redirect, never followed; 404, 405, 408, 409,
 * 413, 429, 5xx; a body not asked for or over 5 MiB) and no answer leave the
 * pending record for the next try.
 */
import { contentDigest, foundTask, olderThanFound, taskOf, type EhrChangeView, type FhirTask, type FoundTask, type TaskSource } from '../core/fhir-task';
import { contentOf as taskContentOf, sameTaskContent, type ConfirmedContent } from '../core/fhir-ehr-change';
import { taskToWrite } from '../core/fhir-task-write';
import { isTrackerPersonEntry } from '../store/follow-ups/ehr-actions';
import { readHistory } from '../store/follow-ups/history';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { getFollowUp } from '../store/follow-ups/reads';
import { clearPending, readConfirmation, writeConfirmation, type Confirmation } from '../store/fhir-records';
import { ConfigError } from '../shared/config';
import { judgeAnswer, searchsetTasks, usableResourceId, writtenBodyReadable, type UnavailableReason } from './answers';
import { ehrWorkStep, type EhrStepDeps } from './ehr-work';
import { digestOf, taskSourceOf } from './source';
import { identifierQuery, identifierSearch, operationOutcomeCodes, type FhirAnswer, type FhirExchange } from './http';

/** Re-reads after a 412 (the Task's version moved under the write), per delivery. */
export const MAX_CONFLICT_RETRIES = 3;
/** Rounds after a write found the follow-up changed meanwhile: each is a newer content, so few are ever needed. */
const MAX_ROUNDS = 6;

/** The order-safe write's dependencies: the EHR step's (fhir/ehr-work.ts), which are all it needs. */
export type SyncDeps = EhrStepDeps;

/** What the write met of work done in the EHR on the way (its metric): applied, held (not applied, with why) or a conflict. */
export type EhrNote = 'applied' | 'held' | 'conflict';

export type SyncOutcome = SyncResult & { ehr?: EhrNote };

type SyncResult =
  /** The server stored the Task at the follow-up's content. */
  | { kind: 'written' }
  /** The Task was already at the follow-up's digest: no write. */
  | { kind: 'unchanged' }
  /** The Task holds a newer content of the tracker's (another writer's); nothing to do. */
  | { kind: 'superseded' }
  /** The follow-up no longer exists (expired): its pending record is dropped. */
  | { kind: 'gone' }
  /** A 400, 422 or several Tasks for the identifier: not tried again until the follow-up changes. */
  | { kind: 'refused'; status: number; codes: string[] }
  /** Someone changed the Task in the EHR: not overwritten. */
  | { kind: 'changed_in_ehr' }
  /** The Task the server confirmed is gone from it (404/410): not created again until a person acts. */
  | { kind: 'deleted_in_ehr' }
  /**
   * Any other answer, or none: the pending record stays, and the next try sends it. `throttled`: a 429, or
   * a 503 with Retry-After (waited for, never dead-lettered); `status`: the HTTP status, when there was one.
   */
  | { kind: 'unavailable'; reason: UnavailableReason; status: number | null; retryAfterMs: number | null; throttled: boolean }
  /** 401 or 403 from the server or its token endpoint, or a credential that cannot be read: a configuration error. */
  | { kind: 'unauthorized'; where: 'server' | 'token' | 'credential' };

type Unavailable = Extract<SyncResult, { kind: 'unavailable' }>;

/** An `unavailable` outcome: the pending record stays for the next try. */
export function unavailable(reason: UnavailableReason, answer: Pick<FhirAnswer, 'status' | 'retryAfterMs'> | null = null, throttled = false): Unavailable {
  return { kind: 'unavailable', reason, status: answer?.status ?? null, retryAfterMs: answer?.retryAfterMs ?? null, throttled };
}

/**
 * Brings the Task of follow-up `id` to the follow-up's current content
 * (above). `openedAt`: the opening its pending record is kept under, when the
 * caller knows it (a pending record of a follow-up that is gone is deleted).
 */
export async function syncFollowUp(deps: SyncDeps, id: string, openedAt: string | null = null): Promise<SyncOutcome> {
  try {
    return await syncRounds(deps, id, openedAt);
  } catch (error) {
    // The credential could not be had (its secret unreadable, a key that cannot sign): configuration, like a 401.
    if (error instanceof ConfigError) return { kind: 'unauthorized', where: 'credential' };
    throw error;
  }
}

/** What one round read: the Tasks the server holds for the identifier, and the follow-up's content now. */
type Round = { kind: 'read'; tasks: Record<string, unknown>[]; written: Written } | { kind: 'done'; outcome: SyncOutcome };

async function syncRounds(deps: SyncDeps, id: string, openedAt: string | null): Promise<SyncOutcome> {
  const ehr: EhrMet = { note: null, appliedVersion: null };
  const outcome = await roundsOf(deps, id, openedAt, ehr);
  return ehr.note === null ? outcome : { ...outcome, ehr: ehr.note };
}

/** What this delivery met of work done in the EHR: its note, and the Task version it applied (not read as work again). */
interface EhrMet {
  note: EhrNote | null;
  appliedVersion: string | null;
}

async function roundsOf(deps: SyncDeps, id: string, openedAt: string | null, ehr: EhrMet): Promise<SyncOutcome> {
  let conflicts = 0;
  let wrote = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const read = await readRound(deps, id, openedAt);
    if (read.kind === 'done') return read.outcome;
    const { tasks, written } = read;
    if (tasks.length > 1) return refuse(deps, written, 412, ['multiple-matches']);
    const step = tasks.length === 1 ? await overFound(deps, written, tasks[0]!, wrote, ehr) : await whenNoneFound(deps, written);
    if (step.kind === 'again') continue;
    if (step.kind === 'done') return step.outcome;
    const answer = step.answer;
    if (answer.kind !== 'answer') return failureOf(answer);
    if (answer.status === 201 || (answer.status === 200 && step.found !== null)) {
      if (!writtenBodyReadable(answer)) return unavailable('unreadable', answer);
      wrote = true;
      await confirm(deps, written, taskIdOf(answer) ?? step.found, versionIdOf(answer));
      // The follow-up may have moved on while this write was in flight: the last writer leaves the newest content.
      const now = await getFollowUp(deps.db, deps.tableName, id, deps.now());
      if (now === null || now.revision === written.stored.revision || digestOf(now, deps.systems) === written.digest) return { kind: 'written' };
      continue;
    }
    // A conditional create that found the Task another writer created meanwhile: read it and go again
    // (a 200 that is no Task, a gateway's page, is no such answer: the next try sends it).
    if (answer.status === 200) {
      if (!writtenBodyReadable(answer)) return unavailable('unreadable', answer);
      continue;
    }
    if (answer.status === 412 || answer.status === 409 || (answer.status === 404 && step.found !== null)) {
      if (operationOutcomeCodes(answer.body).includes('multiple-matches')) return refuse(deps, written, answer.status, ['multiple-matches']);
      conflicts += 1;
      if (conflicts > MAX_CONFLICT_RETRIES) return unavailable('conflicts', answer);
      continue;
    }
    return answerFailure(deps, answer, written, false);
  }
  return unavailable('conflicts');
}

/** Reads the Tasks by identifier, then the follow-up (so its content is at least as new as the Tasks read). */
async function readRound(deps: SyncDeps, id: string, openedAt: string | null): Promise<Round> {
  const search = await deps.http.send({ method: 'GET', path: identifierSearch(deps.systems.task, id) });
  if (search.kind !== 'answer') return { kind: 'done', outcome: failureOf(search) };
  const tasks = search.status === 200 ? searchsetTasks(search.body) : null;
  if (search.status === 200 && tasks === null) return { kind: 'done', outcome: unavailable('unreadable', search) };
  const stored = await getFollowUp(deps.db, deps.tableName, id, deps.now());
  if (stored === null) {
    if (openedAt !== null) await clearPending(deps.db, deps.tableName, openedAt, id, null);
    return { kind: 'done', outcome: { kind: 'gone' } };
  }
  const written = await contentOf(deps, stored);
  if (tasks === null) return { kind: 'done', outcome: await answerFailure(deps, search, written, true) };
  return { kind: 'read', tasks, written };
}

/** What a round does next: send a request (over the Task found, or a create), read again (EHR work applied), or it is done. */
type Step = { kind: 'send'; answer: FhirExchange; found: string | null } | { kind: 'again' } | { kind: 'done'; outcome: SyncOutcome };

/** One Task found: confirm it, leave it (newer, or held), apply the EHR's work on it, or PUT the follow-up's content over it, keeping the EHR's own elements. */
async function overFound(deps: SyncDeps, written: Written, resource: Record<string, unknown>, wrote: boolean, ehr: EhrMet): Promise<Step> {
  const { stored, source, digest, previous: confirmation } = written;
  const found = foundTask(resource, deps.systems);
  if (found === null || !usableResourceId(found.id)) return { kind: 'done', outcome: unavailable('unreadable') };
  if (found.trackersContent && found.statedDigest === digest) {
    // Confirmed already (a duplicate delivery, the sweep after the writer): only its pending record, if any, goes.
    if (isConfirmed(confirmation, digest, found.id, found.versionId)) await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
    else await confirm(deps, written, found.id, found.versionId);
    return { kind: 'done', outcome: { kind: wrote ? 'written' : 'unchanged' } };
  }
  if (found.trackersContent && olderThanFound(source, found)) {
    await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
    return { kind: 'done', outcome: { kind: 'superseded' } };
  }
  const fromEhr = !found.trackersContent && found.versionId !== (confirmation?.versionId ?? null) && found.versionId !== ehr.appliedVersion;
  if (fromEhr) {
    const step = await ehrStep(deps, written, resource, found, ehr);
    if (step !== null) return step;
  }
  const answer = await deps.http.send({
    method: 'PUT',
    path: `Task/${encodeURIComponent(found.id)}`,
    headers: found.versionId === null ? {} : { 'If-Match': `W/"${found.versionId}"` },
    body: taskToWrite(resource, written.task, deps.systems),
  });
  return { kind: 'send', answer, found: found.id };
}

/**
 * A Task version someone else made (CONTRACT §13, "Work done in the EHR comes
 * back", fhir/ehr-work.ts): applied (the round goes again, to write the new
 * content over it), a conflict (recorded; the tracker's content is written
 * back at once), held until a person acts, or no work. Null: write over it.
 */
async function ehrStep(deps: SyncDeps, written: Written, resource: Record<string, unknown>, found: FoundTask, ehr: EhrMet): Promise<Step | null> {
  const { stored, previous } = written;
  const held = previous?.changedInEhrVersion ?? null;
  // A version held before, and a person acted in the tracker since: their action replaces it.
  if (held !== null && previous?.ehrChange?.fhir_version_id === found.versionId && (await personActedSince(deps, stored.followUp.id, held))) return null;
  const step = await ehrWorkStep(deps, { id: stored.followUp.id, taskContent: written.content, digest: written.digest, previous, resource, found });
  switch (step.kind) {
    case 'failed':
      return { kind: 'done', outcome: step.failure.kind === 'unauthorized' ? { kind: 'unauthorized', where: 'token' } : unavailable(step.failure.reason, step.failure.answer) };
    case 'gone':
      return { kind: 'done', outcome: { kind: 'gone' } };
    case 'applied':
      ehr.note = 'applied';
      ehr.appliedVersion = found.versionId;
      await recordEhrChange(deps, written, { ehrChange: step.change, trackerChange: null, conflictVersion: null });
      return { kind: 'again' };
    case 'conflict':
      ehr.note = 'conflict';
      await recordEhrChange(deps, written, { ehrChange: step.change, trackerChange: step.trackerChange, conflictVersion: stored.followUp.version });
      return null;
    case 'held':
      if (step.change === null && held !== null && (await personActedSince(deps, stored.followUp.id, held))) return null;
      if (step.change !== null && step.known !== true) ehr.note = 'held';
      await holdChangedInEhr(deps, written, step.change);
      return { kind: 'done', outcome: { kind: 'changed_in_ehr' } };
    case 'none':
      if (step.change !== undefined) await recordEhrChange(deps, written, { ehrChange: step.change, trackerChange: null, conflictVersion: null });
      // Only the EHR's own elements, or fields it sets on every save: at the follow-up's content, nothing to write.
      if (!sameTaskContent(taskContentOf(resource, deps.systems), written.content)) return null;
      await confirm(deps, written, found.id, found.versionId);
      return { kind: 'done', outcome: { kind: 'unchanged' } };
  }
}

/**
 * No Task found: create it, unless the Task the server confirmed was deleted
 * in the EHR (a read by its id answers 404 or 410), which is not created again
 * until a person acts on the follow-up.
 */
async function whenNoneFound(deps: SyncDeps, written: Written): Promise<Step> {
  const { previous: confirmation, stored } = written;
  if (confirmation?.deletedInEhrVersion != null) {
    if (!(await personActedSince(deps, stored.followUp.id, confirmation.deletedInEhrVersion))) {
      await recordBeside(deps, written, { deletedInEhrVersion: confirmation.deletedInEhrVersion });
      return { kind: 'done', outcome: { kind: 'deleted_in_ehr' } };
    }
  } else if (confirmation?.taskId != null && usableResourceId(confirmation.taskId)) {
    const byId = await deps.http.send({ method: 'GET', path: `Task/${encodeURIComponent(confirmation.taskId)}` });
    if (byId.kind !== 'answer') return { kind: 'done', outcome: failureOf(byId) };
    if (byId.status === 404 || byId.status === 410) {
      await recordBeside(deps, written, { deletedInEhrVersion: stored.followUp.version });
      return { kind: 'done', outcome: { kind: 'deleted_in_ehr' } };
    }
    // Still there, yet the search missed it (a search index behind its writes): read again later, never a second Task.
    if (byId.status === 200) return { kind: 'done', outcome: unavailable('search_missed', byId) };
    return { kind: 'done', outcome: await answerFailure(deps, byId, written, false) };
  }
  const answer = await deps.http.send({
    method: 'POST',
    path: 'Task',
    headers: { 'If-None-Exist': identifierQuery(deps.systems.task, stored.followUp.id) },
    body: written.task,
  });
  return { kind: 'send', answer, found: null };
}

/** The follow-up and content a write was computed from, and what this server last confirmed for it. */
interface Written {
  stored: StoredFollowUp;
  source: TaskSource;
  task: FhirTask;
  /** The Task's content as §13 compares it (core/fhir-ehr-change.ts): what a confirmation keeps. */
  content: ConfirmedContent;
  digest: string;
  /** What this server last confirmed (kept current by this delivery's own records of EHR work). */
  previous: Confirmation | null;
}

/** The Task of `stored` and its digest, with the confirmation record (strongly consistent: the write is decided on it). */
async function contentOf(deps: SyncDeps, stored: StoredFollowUp): Promise<Written> {
  const source = taskSourceOf(stored);
  const task = taskOf(source, deps.systems);
  const previous = await readConfirmation(deps.db, deps.tableName, stored.followUp.id, deps.baseUrl, true);
  return { stored, source, task, content: taskContentOf(task, deps.systems), digest: contentDigest(task, deps.systems), previous };
}

function taskIdOf(answer: FhirAnswer): string | null {
  const id = (answer.body as { id?: unknown } | null)?.id;
  return usableResourceId(id) ? id : null;
}

/** The stored version: the answer's `meta.versionId`, or its ETag's. */
function versionIdOf(answer: FhirAnswer): string | null {
  const versionId = (answer.body as { meta?: { versionId?: unknown } } | null)?.meta?.versionId;
  if (typeof versionId === 'string') return versionId;
  const match = /^(?:W\/)?"([^"]+)"$/.exec(answer.etag ?? '');
  return match?.[1] ?? null;
}

/** Whether a person acted on the follow-up after `version` (what lets a write replace a Task changed in the EHR). */
async function personActedSince(deps: SyncDeps, id: string, version: number | null): Promise<boolean> {
  if (version === null) return false;
  const history = await readHistory(deps.db, deps.tableName, id, deps.now());
  return history.slice(version).some(isTrackerPersonEntry);
}

/** Whether the confirmation says this very Task version is at `digest`, with nothing refused or held. */
function isConfirmed(confirmation: Confirmation | null, digest: string, taskId: string, versionId: string | null): boolean {
  return (
    confirmation !== null &&
    confirmation.digest === digest &&
    confirmation.taskId === taskId &&
    confirmation.versionId === versionId &&
    confirmation.refusedDigest === null &&
    confirmation.changedInEhrDigest === null
  );
}

/** Records what the server confirmed and drops the pending record it answers. */
async function confirm(deps: SyncDeps, written: Written, taskId: string | null, versionId: string | null): Promise<void> {
  const { stored, source, digest, previous } = written;
  // What the EHR last did stays beside the new confirmation (`fhir.ehr_change`; a conflict until the follow-up's next version).
  const ehr = { ehrChange: previous?.ehrChange ?? null, trackerChange: previous?.trackerChange ?? null, conflictVersion: previous?.conflictVersion ?? null };
  const confirmation: Confirmation = { ...emptyConfirmation(deps, stored), ...ehr, content: written.content, digest, taskId, versionId };
  await writeConfirmation(deps.db, deps.tableName, stored.followUp.id, confirmation, stored.expiresAt);
  await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
}

/** A refusal: recorded with its codes beside what was last confirmed, and its pending record dropped (no loop). */
async function refuse(deps: SyncDeps, written: Written, status: number, codes: string[]): Promise<SyncOutcome> {
  await recordBeside(deps, written, { refusedDigest: written.digest, refusalStatus: status, refusalCodes: codes });
  return { kind: 'refused', status, codes };
}

/** A Task changed in the EHR: held (not overwritten) from this version of the follow-up on, its pending record dropped; with the change read, when read. */
async function holdChangedInEhr(deps: SyncDeps, written: Written, change: EhrChangeView | null): Promise<void> {
  await recordBeside(deps, written, {
    changedInEhrDigest: written.digest,
    changedInEhrVersion: written.previous?.changedInEhrVersion ?? written.stored.followUp.version,
    ...(change === null ? {} : { ehrChange: change, trackerChange: null }),
  });
}

/** Records work read from the EHR (applied, or a conflict) beside what was last confirmed; the delivery goes on from it. */
async function recordEhrChange(deps: SyncDeps, written: Written, mark: Pick<Confirmation, 'ehrChange' | 'trackerChange' | 'conflictVersion'>): Promise<void> {
  const confirmation: Confirmation = { ...(written.previous ?? emptyConfirmation(deps, written.stored)), ...mark };
  await writeConfirmation(deps.db, deps.tableName, written.stored.followUp.id, confirmation, written.stored.expiresAt);
  written.previous = confirmation;
}

/**
 * Records what the server said of this content (a refusal, a hold) beside what it
 * last confirmed, and drops the pending record: neither is tried again until the
 * follow-up changes.
 */
async function recordBeside(
  deps: SyncDeps,
  { stored, source, previous }: Written,
  mark:
    | Pick<Confirmation, 'refusedDigest' | 'refusalStatus' | 'refusalCodes'>
    | (Pick<Confirmation, 'changedInEhrDigest' | 'changedInEhrVersion'> & Partial<Pick<Confirmation, 'ehrChange' | 'trackerChange'>>)
    | Pick<Confirmation, 'deletedInEhrVersion'>,
): Promise<void> {
  const confirmation: Confirmation = {
    ...(previous ?? emptyConfirmation(deps, stored)),
    openedAt: stored.followUp.opened_at,
    revision: Math.max(source.revision, previous?.revision ?? 0),
    // Since when: kept while the same hold goes on (a hold read again is not a new one).
    heldAt: sameHold(previous, mark) ? (previous?.heldAt ?? deps.now().toISOString()) : deps.now().toISOString(),
    ...mark,
  };
  await writeConfirmation(deps.db, deps.tableName, stored.followUp.id, confirmation, stored.expiresAt);
  await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
}

/** A confirmation of `stored` with no Task confirmed, nothing refused or held: what confirm, a refusal and a hold start from. */
function emptyConfirmation(deps: SyncDeps, stored: StoredFollowUp): Confirmation {
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

/** A failure that is not an HTTP answer: the token endpoint refused, or no answer. */
function failureOf(exchange: Exclude<FhirExchange, { kind: 'answer' }>): SyncOutcome {
  if (exchange.kind === 'unauthorized') return { kind: 'unauthorized', where: 'token' };
  return unavailable(exchange.reason);
}

/** An answer that is neither the success nor the conflict asked for: a refusal (400, 422) only when the server means it as final. */
async function answerFailure(deps: SyncDeps, answer: FhirAnswer, written: Written, search: boolean): Promise<SyncOutcome> {
  const judged = judgeAnswer(answer, search);
  if (judged.kind === 'unauthorized') return { kind: 'unauthorized', where: 'server' };
  if (judged.kind === 'unavailable') return unavailable(judged.reason, answer, judged.throttled);
  return refuse(deps, written, answer.status, operationOutcomeCodes(answer.body));
}

export type { FhirTask };
