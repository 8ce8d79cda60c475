/**
 * The order-safe write of one follow-up's Task (CONTRACT §13), shared by the
 * FHIR writer (fed by the table's stream) and the sweep's catch-up (fed by the
 * pending records). Any number of them may work one follow-up at once, with
 * deliveries duplicated and out of order; the Task still ends at the
 * follow-up's newest content and never moves back:
 *
 * 1. Read the Task by identifier (`GET Task?identifier=`), then the follow-up
 *    (strongly consistent), so the content is at least as new as the Task read.
 * 2. A Task at the follow-up's digest costs no write. A Task the tracker wrote
 *    from a newer content (a later opening, a higher write revision) is left as
 *    it is: its writer confirms it. A Task someone changed in the EHR (its
 *    `meta.versionId` is not the one confirmed, and its content is not the
 *    tracker's) is not overwritten until a person acts on the follow-up.
 * 3. Otherwise `PUT Task/{id}` with `If-Match` (or `POST` with `If-None-Exist`).
 *    A 412 (the version moved) is read again and retried, at most
 *    MAX_CONFLICT_RETRIES times; several Tasks for the identifier is refused.
 * 4. After a write, the follow-up is read again: if it changed meanwhile, go
 *    again, so that the last writer always leaves the newest content.
 *
 * A confirmation record keeps what the server confirmed; the pending record is
 * deleted once a content at least as new is confirmed. A 400/422 (or several
 * Tasks) is a refusal: recorded with the OperationOutcome's codes, never its
 * text, and not tried again until the follow-up changes. 5xx, 429 and
 * timeouts leave the pending record for the next try; 401/403 too (a
 * configuration error).
 */
import { contentDigest, foundTask, olderThanFound, taskOf, type FhirSystems, type FhirTask, type TaskSource } from '../core/fhir-task';
import { TRACKER_ACTOR } from '../core/follow-up/history';
import { readHistory } from '../store/follow-ups/history';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { getFollowUp } from '../store/follow-ups/reads';
import { clearPending, readConfirmation, writeConfirmation, type Confirmation } from '../store/fhir-records';
import type { TableClient } from '../store/table-client';
import { ConfigError } from '../shared/config';
import { digestOf, taskSourceOf } from './source';
import { identifierQuery, identifierSearch, operationOutcomeCodes, type FhirExchange, type FhirHttp } from './http';

/** Re-reads after a 412 (the Task's version moved under the write), per delivery. */
export const MAX_CONFLICT_RETRIES = 3;
/** Rounds after a write found the follow-up changed meanwhile: each is a newer content, so few are ever needed. */
const MAX_ROUNDS = 6;

export interface SyncDeps {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  now: () => Date;
}

export type SyncOutcome =
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
  /** 5xx, 429, a timeout, a network error or conflicts past the retries: the pending record stays. */
  | { kind: 'unavailable'; reason: string; retryAfterMs: number | null }
  /** 401 or 403 from the server or its token endpoint, or a credential that cannot be read: a configuration error. */
  | { kind: 'unauthorized'; where: 'server' | 'token' | 'credential' };

/**
 * Brings the Task of follow-up `id` to the follow-up's current content
 * (above). `openedAt`: the opening its pending record is kept under, when the
 * caller knows it (a pending record of a follow-up that is gone is deleted).
 */
export async function syncFollowUp(deps: SyncDeps, id: string, openedAt: string | null = null): Promise<SyncOutcome> {
  try {
    return await syncOnce(deps, id, openedAt);
  } catch (error) {
    // The credential could not be had (its secret unreadable, a key that cannot sign): configuration, like a 401.
    if (error instanceof ConfigError) return { kind: 'unauthorized', where: 'credential' };
    throw error;
  }
}

async function syncOnce(deps: SyncDeps, id: string, openedAt: string | null): Promise<SyncOutcome> {
  let conflicts = 0;
  let wrote = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const search = await deps.http.send({ method: 'GET', path: identifierSearch(deps.systems.task, id) });
    if (search.kind !== 'answer') return failureOf(search);
    if (search.status !== 200) return answerFailure(deps, id, search, null);
    const tasks = bundleTasks(search.body);
    const stored = await getFollowUp(deps.db, deps.tableName, id, deps.now());
    if (stored === null) {
      if (openedAt !== null) await clearPending(deps.db, deps.tableName, openedAt, id, null);
      return { kind: 'gone' };
    }
    const context = await contentOf(deps, stored);
    const { source, task, digest, previous: confirmation } = context;
    if (tasks.length > 1) return refuse(deps, context, 412, ['multiple-matches']);
    const found = tasks.length === 1 ? foundTask(tasks[0]!, deps.systems) : null;

    let answer: FhirExchange;
    if (found !== null) {
      if (found.trackersContent && found.statedDigest === digest) {
        // Confirmed already (a duplicate delivery, the sweep after the writer): only its pending record, if any, goes.
        if (isConfirmed(confirmation, digest, found.id, found.versionId)) await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, id, source.revision);
        else await confirm(deps, context, found.id, found.versionId);
        return { kind: wrote ? 'written' : 'unchanged' };
      }
      if (found.trackersContent && olderThanFound(source, found)) {
        await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, id, source.revision);
        return { kind: 'superseded' };
      }
      const changedInEhr = !found.trackersContent && found.versionId !== (confirmation?.versionId ?? null);
      if (changedInEhr && !(await personActedSince(deps, id, confirmation?.changedInEhrVersion ?? null))) {
        await holdChangedInEhr(deps, context);
        return { kind: 'changed_in_ehr' };
      }
      answer = await deps.http.send({
        method: 'PUT',
        path: `Task/${encodeURIComponent(found.id)}`,
        headers: found.versionId === null ? {} : { 'If-Match': `W/"${found.versionId}"` },
        body: { ...task, id: found.id },
      });
    } else {
      answer = await deps.http.send({
        method: 'POST',
        path: 'Task',
        headers: { 'If-None-Exist': identifierQuery(deps.systems.task, id) },
        body: task,
      });
    }
    if (answer.kind !== 'answer') return failureOf(answer);
    if (answer.status === 201 || (answer.status === 200 && found !== null)) {
      wrote = true;
      await confirm(deps, context, taskIdOf(answer) ?? found?.id ?? null, versionIdOf(answer));
      // The follow-up may have moved on while this write was in flight: the last writer leaves the newest content.
      const now = await getFollowUp(deps.db, deps.tableName, id, deps.now());
      if (now === null || now.revision === stored.revision || digestOf(now, deps.systems) === digest) return { kind: 'written' };
      continue;
    }
    // A conditional create that found the Task another writer created meanwhile: read it and go again.
    if (answer.status === 200) continue;
    if (answer.status === 412 || answer.status === 409 || answer.status === 404) {
      if (operationOutcomeCodes(answer.body).includes('multiple-matches')) return refuse(deps, context, answer.status, ['multiple-matches']);
      conflicts += 1;
      if (conflicts > MAX_CONFLICT_RETRIES) return { kind: 'unavailable', reason: 'conflicts', retryAfterMs: null };
      continue;
    }
    return answerFailure(deps, id, answer, context);
  }
  return { kind: 'unavailable', reason: 'conflicts', retryAfterMs: null };
}

/** The follow-up and content a write was computed from, and what this server last confirmed for it. */
interface Written {
  stored: StoredFollowUp;
  source: TaskSource;
  task: FhirTask;
  digest: string;
  previous: Confirmation | null;
}

/** The Task of `stored` and its digest, with the confirmation record (strongly consistent: the write is decided on it). */
async function contentOf(deps: SyncDeps, stored: StoredFollowUp): Promise<Written> {
  const source = taskSourceOf(stored);
  const task = taskOf(source, deps.systems);
  const previous = await readConfirmation(deps.db, deps.tableName, stored.followUp.id, deps.baseUrl, true);
  return { stored, source, task, digest: contentDigest(task, deps.systems), previous };
}

/** The Tasks of a searchset Bundle (entries that are not Tasks, e.g. an OperationOutcome, are not). */
function bundleTasks(body: unknown): Record<string, unknown>[] {
  const entries = (body as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return [];
  return entries
    .map((entry) => (entry as { resource?: unknown } | null)?.resource)
    .filter((resource): resource is Record<string, unknown> => typeof resource === 'object' && resource !== null && (resource as { resourceType?: unknown }).resourceType === 'Task');
}

function taskIdOf(answer: Extract<FhirExchange, { kind: 'answer' }>): string | null {
  const id = (answer.body as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

/** The stored version: the answer's `meta.versionId`, or its ETag's. */
function versionIdOf(answer: Extract<FhirExchange, { kind: 'answer' }>): string | null {
  const versionId = (answer.body as { meta?: { versionId?: unknown } } | null)?.meta?.versionId;
  if (typeof versionId === 'string') return versionId;
  const match = /^(?:W\/)?"([^"]+)"$/.exec(answer.etag ?? '');
  return match?.[1] ?? null;
}

/** Whether a person acted on the follow-up after `version` (what lets a write replace a Task changed in the EHR). */
async function personActedSince(deps: SyncDeps, id: string, version: number | null): Promise<boolean> {
  if (version === null) return false;
  const history = await readHistory(deps.db, deps.tableName, id, deps.now());
  return history.slice(version).some((entry) => entry.actor !== TRACKER_ACTOR);
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
  const { stored, source, digest } = written;
  const confirmation: Confirmation = { ...emptyConfirmation(deps, stored), digest, taskId, versionId };
  await writeConfirmation(deps.db, deps.tableName, stored.followUp.id, confirmation, stored.expiresAt);
  await clearPending(deps.db, deps.tableName, stored.followUp.opened_at, stored.followUp.id, source.revision);
}

/** A refusal: recorded with its codes beside what was last confirmed, and its pending record dropped (no loop). */
async function refuse(deps: SyncDeps, written: Written, status: number, codes: string[]): Promise<SyncOutcome> {
  await recordBeside(deps, written, { refusedDigest: written.digest, refusalStatus: status, refusalCodes: codes });
  return { kind: 'refused', status, codes };
}

/** A Task changed in the EHR: held (not overwritten) from this version of the follow-up on, its pending record dropped. */
async function holdChangedInEhr(deps: SyncDeps, written: Written): Promise<void> {
  await recordBeside(deps, written, {
    changedInEhrDigest: written.digest,
    changedInEhrVersion: written.previous?.changedInEhrVersion ?? written.stored.followUp.version,
  });
}

/**
 * Records what the server said of this content (a refusal, a hold) beside what it
 * last confirmed, and drops the pending record: neither is tried again until the
 * follow-up changes.
 */
async function recordBeside(
  deps: SyncDeps,
  { stored, source, previous }: Written,
  mark: Pick<Confirmation, 'refusedDigest' | 'refusalStatus' | 'refusalCodes'> | Pick<Confirmation, 'changedInEhrDigest' | 'changedInEhrVersion'>,
): Promise<void> {
  const confirmation: Confirmation = {
    ...(previous ?? emptyConfirmation(deps, stored)),
    openedAt: stored.followUp.opened_at,
    revision: Math.max(source.revision, previous?.revision ?? 0),
    heldAt: deps.now().toISOString(),
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
  };
}

/** A failure that is not an HTTP answer: the token endpoint refused, or no answer. */
function failureOf(exchange: Exclude<FhirExchange, { kind: 'answer' }>): SyncOutcome {
  if (exchange.kind === 'unauthorized') return { kind: 'unauthorized', where: 'token' };
  return { kind: 'unavailable', reason: exchange.reason, retryAfterMs: null };
}

/** An answer that is neither a success nor a conflict. */
async function answerFailure(deps: SyncDeps, id: string, answer: Extract<FhirExchange, { kind: 'answer' }>, written: Written | null): Promise<SyncOutcome> {
  const { status } = answer;
  if (status === 401 || status === 403) return { kind: 'unauthorized', where: 'server' };
  if (status === 429 || status >= 500) return { kind: 'unavailable', reason: status === 429 ? 'throttled' : 'server', retryAfterMs: answer.retryAfterMs };
  const codes = operationOutcomeCodes(answer.body);
  if (written !== null) return refuse(deps, written, status, codes);
  // The search itself was refused: recorded against the follow-up's content as it is now.
  const stored = await getFollowUp(deps.db, deps.tableName, id, deps.now());
  return stored === null ? { kind: 'refused', status, codes } : refuse(deps, await contentOf(deps, stored), status, codes);
}

export type { FhirTask };
