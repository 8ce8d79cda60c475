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
 * 2. A Task at the follow-up's digest costs no write. A Task someone changed
 *    in the EHR (its `meta.versionId` is not the one confirmed, and its content
 *    is not the tracker's, or it claims a later opening or a higher write
 *    revision than the follow-up read after it: no writer of the tracker's
 *    wrote that) is read as EHR work, and not overwritten while held. No
 *    Task, where the server had confirmed one: read by its id; a 404 or 410 is
 *    a deletion in the EHR, not created again until a person acts.
 * 3. Otherwise `PUT Task/{id}` with `If-Match` (the Task as read with the
 *    mapped fields replaced: the EHR's own elements kept; a Task read without
 *    a `versionId`: `PUT Task?identifier=`, a conditional update), or `POST` with
 *    `If-None-Exist`. A 412 (the version moved) is read again and retried, at
 *    most MAX_CONFLICT_RETRIES times (core/fhir/sync-decision.ts); several Tasks for the identifier is refused.
 * 4. After a write, the follow-up is read again: if it changed meanwhile, go
 *    again, so that the last writer always leaves the newest content.
 *
 * The decision is core/fhir/sync-decision.ts's, over plain data: this module
 * reads (the Tasks, the follow-up, the confirmation, and what the decision
 * asks for), asks it, and does the move it names. A delivery computes each
 * content's Task and digest once (delivery-records.ts taskContentOf), the writer's
 * intake's included.
 *
 * A confirmation record keeps what the server confirmed; the pending record is
 * deleted once a content at least as new is confirmed. Only an answer the
 * server means as final is a refusal (fhir/client/exchange.ts): a write's 400/422 (or
 * several Tasks; a search's or a read's 400/422 refuses no Task), recorded with the OperationOutcome's codes, never its text, and not
 * tried again until the follow-up changes. A 401/403 is a configuration
 * error. Every other answer (a redirect, never followed; 404, 405, 408, 409,
 * 413, 429, 5xx; a body not asked for or over 5 MiB) and no answer leave the
 * pending record for the next try.
 */
import { sameTaskContent } from '../../core/fhir/ehr-change';
import { readTask, type ReadTask } from '../../core/fhir/read-task';
import type { FhirSystems, FhirTask } from '../../core/fhir/task';
import { usableVersionId } from '../../core/fhir/ehr-versions';
import { decideAnswer, decideRound, NEW_DELIVERY, settledAfterWrite, type Delivery, type EhrWorkRead, type RoundFacts, type RoundMove, type SyncEnd, type WriteAnswer } from '../../core/fhir/sync-decision';
import { taskToWrite } from '../../core/fhir/task-write';
import { notAppliedNote, withTrackerNote } from '../../core/fhir/ehr-set';
import { getFollowUp } from '../../store/follow-ups/reads';
import { clearPending } from '../../store/fhir-records';
import { searchsetTasks, writtenBodyReadable } from '../client/answers';
import { exchange, failureOf } from '../client/exchange';
import { notFinal, type FhirFailure, type ReadFailure } from '../client/failure';
import { identifierQuery, identifierSearch, operationOutcomeCodes, type FhirAnswer } from '../client/http';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { keepAfterDelivery } from './ehr-attention';
import { ehrWorkStep, type EhrStep, type EhrStepDeps } from './ehr-work';
import type { ActorNames } from './ehr-reads';
import type { DigestedTask } from './source';
import {
  clearPendingOf,
  confirm,
  confirmedFacts,
  digestedIn,
  holdChangedInEhr,
  personActedSince,
  recordDeletion,
  recordEhrChange,
  recordRefusal,
  recordInHistory,
  ehrRecordOf,
  deletionRecordOf,
  writtenOf,
  type Contents,
  type Written,
} from './delivery-records';

/** Rounds after a write found the follow-up changed meanwhile: each is a newer content, so few are ever needed. */
const MAX_ROUNDS = 6;

/** The order-safe write's dependencies: the EHR step's (fhir/sync/ehr-work.ts), which are all it needs. */
export type SyncDeps = EhrStepDeps;

/** What the write met of work done in the EHR on the way (its metric): applied, held (not applied, with why) or a conflict. */
export type EhrNote = 'applied' | 'held' | 'conflict';

/**
 * How a delivery ended: its own kinds, or the FhirFailure it met, as the exchange gave it (a refusal recorded first).
 * `restated`: the Task found stated the tracker's digest over a content the tracker never wrote (read as EHR work; counted).
 */
export type SyncOutcome = (SyncResult | FhirFailure) & { ehr?: EhrNote; restated?: true };

type SyncResult =
  /** The server stored the Task at the follow-up's content. */
  | { kind: 'written' }
  /** The Task was already at the follow-up's digest: no write. */
  | { kind: 'unchanged' }
  /** The follow-up no longer exists (expired): its pending record is dropped. */
  | { kind: 'gone' }
  /** Someone changed the Task in the EHR: not overwritten. */
  | { kind: 'changed_in_ehr' }
  /** The Task the server confirmed is gone from it (404/410): not created again until a person acts. */
  | { kind: 'deleted_in_ehr' };

/**
 * Brings the Task of follow-up `id` to the follow-up's current content
 * (above). `openedAt`: the opening its pending record is kept under, when the
 * caller knows it (a pending record of a follow-up that is gone is deleted).
 * `known`: its Task as the caller computed it (the writer's intake), not
 * computed again while the follow-up is at that content.
 */
export async function syncFollowUp(deps: SyncDeps, id: string, openedAt: string | null = null, known: DigestedTask | null = null): Promise<SyncOutcome> {
  const run: Run = { delivery: { ...NEW_DELIVERY }, note: null, restated: false, contents: new Map(known === null ? [] : [[known.key, known]]), decided: null, names: new Map() };
  const rounds = await roundsOf(deps, id, openedAt, run);
  const outcome = { ...rounds, ...(run.note === null ? {} : { ehr: run.note }), ...(run.restated ? { restated: true as const } : {}) };
  await keepAfterDelivery(deps, id, run.decided, outcome);
  return outcome;
}

/** One delivery across its rounds: the decision's state, what it met of EHR work, the contents it computed (by opening and write revision). */
interface Run {
  delivery: Delivery;
  note: EhrNote | null;
  restated: boolean;
  contents: Contents;
  /** The follow-up as the last round read it: what the flag it leaves is decided on (ehr-attention.ts). */
  decided: StoredFollowUp | null;
  /** The EHR actors' names this delivery read (at most one read per actor). */
  names: ActorNames;
}

/** Read, decide, act: a round at a time, until a move ends the delivery. */
async function roundsOf(deps: SyncDeps, id: string, openedAt: string | null, run: Run): Promise<SyncOutcome> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const read = await readRound(deps, id, openedAt, run);
    if (read.kind === 'done') return read.outcome;
    const step = await workRound(deps, read, run);
    if (step.kind === 'done') return step.outcome;
    if (step.kind === 'again') continue;
    const outcome = await afterWrite(deps, step.written, step, run);
    if (outcome !== null) return outcome;
  }
  return { kind: 'version_moved', status: null, retryAfterMs: null };
}

/** What one round read: the follow-up's content now, and the facts decided on (the Tasks the server holds for the identifier, each read once). */
type Round = { kind: 'read'; written: Written; facts: RoundFacts } | Done;
type Done = { kind: 'done'; outcome: SyncOutcome };

/** Reads the Tasks by identifier, then the follow-up (so its content is at least as new as the Tasks read). */
async function readRound(deps: SyncDeps, id: string, openedAt: string | null, run: Run): Promise<Round> {
  const searchedAt = deps.now().toISOString();
  const search = await exchange(deps.http, { method: 'GET', path: identifierSearch(deps.systems.task, id) });
  if (search.kind !== 'answer') return done(search);
  const resources = search.status === 200 ? searchsetTasks(search.body) : null;
  if (search.status === 200 && resources === null) return done(notFinal('unreadable', search));
  const stored = await getFollowUp(deps.db, deps.tableName, id, deps.now());
  if (stored === null) {
    if (openedAt !== null) await clearPending(deps.db, deps.tableName, openedAt, id, null);
    return done({ kind: 'gone' });
  }
  const written = await writtenOf(deps, stored, run.contents);
  run.decided = stored;
  // An answer judged only now: a follow-up gone meanwhile is `gone`, whatever the search met.
  if (resources === null) return done(failureOf(search, 'search'));
  // Several Tasks are refused as they are: only a lone Task is read (null: no id a URL can name).
  const tasks = resources.length === 1 ? [readTask(resources[0]!, deps.systems)] : resources.map(() => null);
  // A confirmation written after the search was sent is another writer's, whose Task the search could not see.
  const confirmedAfterSearch = written.previous !== null && written.previous.confirmedAt > searchedAt;
  return { kind: 'read', written, facts: { tasks, source: written.source, digest: written.digest, confirmation: confirmedFacts(written.previous), confirmedAfterSearch } };
}

/** A round's way on: a request sent (over Task `found`, or a create) from what was `written`, read again, or done. */
type Step = { kind: 'send'; answer: FhirAnswer | ReadFailure; found: string | null; written: Written } | { kind: 'again' } | Done;

/** What a round read since the decision asked: the EHR step's result, the read by id's answer. */
interface Asked {
  ehr: EhrStep | null;
  byId: FhirAnswer | null;
}

/**
 * Asks the decision, reads what it asks for, until it names a move that ends the round. Each fact read
 * is a new value of the round's facts (and each record of EHR work a new `written`), never one changed in place.
 */
async function workRound(deps: SyncDeps, round: Extract<Round, { kind: 'read' }>, run: Run): Promise<Step> {
  let { written, facts } = round;
  let asked: Asked = { ehr: null, byId: null };
  for (;;) {
    const move = decideRound(facts, run.delivery);
    switch (move.kind) {
      case 'read_history':
        facts = { ...facts, personActed: { since: move.since, acted: await personActedSince(deps, written.stored.followUp.id, move.since) } };
        continue;
      case 'read_ehr_work': {
        if (move.restated) run.restated = true;
        const read = await readEhrWork(deps, written, move.task, run);
        if (read.kind === 'done') return read;
        asked = { ...asked, ehr: read.step };
        // The tracker's record of work it did not apply is a new version: the round goes on from it.
        written = read.written;
        facts = { ...facts, ehr: read.read, confirmation: confirmedFacts(written.previous), source: written.source, digest: written.digest };
        continue;
      }
      case 'read_by_id': {
        const byId = await exchange(deps.http, { method: 'GET', path: `Task/${encodeURIComponent(move.taskId)}` });
        if (byId.kind !== 'answer') return done(byId);
        asked = { ...asked, byId };
        facts = { ...facts, byId: byId.status };
        continue;
      }
      default:
        return act(deps, { kind: 'read', written, facts }, move, asked, run);
    }
  }
}

/** Does a move that ends the round: a record, a request, or the delivery's end. */
async function act(deps: SyncDeps, { written, facts }: Extract<Round, { kind: 'read' }>, move: Exclude<RoundMove, { kind: `read_${string}` }>, asked: Asked, run: Run): Promise<Step> {
  switch (move.kind) {
    case 'confirm':
      await confirm(deps, written, move.taskId, move.versionId);
      return done(endOf(move.end, null));
    case 'clear':
      await clearPendingOf(deps, written);
      return done(endOf(move.end, null));
    case 'refuse':
      return done(await refuse(deps, written, move.status, move.codes));
    case 'hold': {
      const change = asked.ehr?.kind === 'held' ? asked.ehr.change : null;
      if (move.counted) run.note = 'held';
      const recorded = move.counted && change !== null ? await recordInHistory(deps, written, run.contents, ehrRecordOf('ehr_not_applied', change, change.why)) : written;
      await holdChangedInEhr(deps, recorded, change, facts.tasks[0]?.versionId ?? null);
      return done({ kind: 'changed_in_ehr' });
    }
    case 'deleted': {
      const recorded = facts.confirmation?.deletedInEhrVersion == null ? await recordInHistory(deps, written, run.contents, deletionRecordOf(deps, facts.confirmation?.versionId ?? null)) : written;
      await recordDeletion(deps, recorded, move.version);
      return done({ kind: 'deleted_in_ehr' });
    }
    case 'update':
      // Only the write's merge reads the Task as the server gave it (the EHR's own elements are kept).
      return send(deps, { method: 'PUT', ...updateTarget(deps, written, move), body: withNote(deps, taskToWrite(facts.tasks[0]!.resource, written.task, deps.systems), facts, asked) }, move.taskId, written);
    case 'create':
      return send(deps, { method: 'POST', path: 'Task', headers: { 'If-None-Exist': identifierQuery(deps.systems.task, written.stored.followUp.id) }, body: written.task }, null, written);
    case 'again':
      run.delivery = { ...run.delivery, appliedVersion: move.appliedVersion };
      return { kind: 'again' };
    case 'judge':
      return done(failureOf(asked.byId!, 'read'));
    case 'end':
      return done(endOf(move.end, asked.byId));
  }
}

/**
 * Where an update goes: `PUT Task/{id}` with `If-Match` on the version read; a Task read without a
 * `versionId` to match is a conditional update on the identifier (`PUT Task?identifier=`), never a blind PUT.
 */
function updateTarget(deps: SyncDeps, written: Written, move: Extract<RoundMove, { kind: 'update' }>): { path: string; headers: Record<string, string> } {
  if (move.versionId === null) return { path: identifierSearch(deps.systems.task, written.stored.followUp.id), headers: {} };
  return { path: `Task/${encodeURIComponent(move.taskId)}`, headers: { 'If-Match': `W/"${move.versionId}"` } };
}

async function send(deps: SyncDeps, request: { method: 'PUT' | 'POST'; path: string; headers: Record<string, string>; body: FhirTask | Record<string, unknown> }, found: string | null, written: Written): Promise<Step> {
  return { kind: 'send', answer: await exchange(deps.http, request), found, written };
}

/**
 * The EHR step over a Task version someone else made (fhir/sync/ehr-work.ts),
 * its work recorded (applied, a conflict, or work that changed nothing here),
 * as the decision reads it, with the `written` the round goes on from; or the
 * delivery's end (no answer, the follow-up gone).
 */
async function readEhrWork(deps: SyncDeps, written: Written, task: ReadTask, run: Run): Promise<{ kind: 'read'; step: EhrStep; read: EhrWorkRead; written: Written } | Done> {
  const step = await ehrWorkStep(deps, { id: written.stored.followUp.id, taskContent: written.content, digest: written.digest, previous: written.previous, task, source: written.source, names: run.names });
  const read = (value: EhrWorkRead, after: Written) => ({ kind: 'read' as const, step, read: value, written: after });
  switch (step.kind) {
    case 'not_final':
    case 'retry_after':
    case 'base_not_found':
    case 'unauthorized':
      return done(step);
    case 'gone':
      return done({ kind: 'gone' });
    case 'applied':
      run.note = 'applied';
      return read({ kind: 'applied' }, await recordEhrChange(deps, written, { ehrChange: step.change, trackerChange: null, conflictVersion: null }));
    case 'conflict': {
      run.note = 'conflict';
      const recorded = await recordInHistory(deps, written, run.contents, ehrRecordOf('ehr_conflict', step.met, 'conflict'));
      return read({ kind: 'conflict' }, await recordEhrChange(deps, recorded, { ehrChange: step.change, trackerChange: step.trackerChange, conflictVersion: recorded.stored.followUp.version }));
    }
    case 'held':
      return read({ kind: 'held', read: step.change !== null, known: step.known === true }, written);
    case 'none': {
      const recorded = step.change === undefined ? written : await recordEhrChange(deps, written, { ehrChange: step.change, trackerChange: null, conflictVersion: null });
      return read({ kind: 'none', sameContent: sameTaskContent(task.content, recorded.content) }, recorded);
    }
  }
}

/**
 * The Task to write with the tracker's note when it writes its own content back
 * over a change it did not apply (CONTRACT §13): a conflict met in this round, or
 * a held change a person's action now replaces. Every note the Task holds is kept.
 */
function withNote(deps: SyncDeps, body: Record<string, unknown>, facts: RoundFacts, asked: Asked): Record<string, unknown> {
  const held = facts.confirmation?.changedInEhrDigest != null && (facts.confirmation.trackerChange ?? null) === null ? (facts.confirmation.ehrChange ?? null) : null;
  const over = asked.ehr?.kind === 'conflict' ? asked.ehr.change : held !== null && !held.applied ? held : null;
  return over === null ? body : withTrackerNote(body, notAppliedNote(over.ehr_set, over.at, deps.now()));
}

/** After a request: confirmed and settled, again (a conflict, or the follow-up moved on meanwhile: null), or an end. */
async function afterWrite(deps: SyncDeps, written: Written, sent: Extract<Step, { kind: 'send' }>, run: Run): Promise<SyncOutcome | null> {
  const { answer } = sent;
  if (answer.kind !== 'answer') return answer;
  const move = decideAnswer(writeAnswerOf(answer, deps.systems), sent.found, run.delivery);
  switch (move.kind) {
    case 'written': {
      run.delivery = { ...run.delivery, wrote: true };
      // The follow-up may have moved on while this write was in flight: the last writer leaves the newest content,
      // and the confirmation takes the expiry it has now (issue 82: one set meanwhile is not lost; gone: as read).
      const now = await getFollowUp(deps.db, deps.tableName, written.stored.followUp.id, deps.now());
      await confirm(deps, written, move.taskId, move.versionId, now === null ? undefined : now.expiresAt);
      const current = now === null ? null : { revision: now.revision, digest: () => digestedIn(deps, now, run.contents).digest };
      return settledAfterWrite({ revision: written.stored.revision, digest: written.digest }, current) ? { kind: 'written' } : null;
    }
    case 'again':
      run.delivery = { ...run.delivery, conflicts: move.conflicts };
      return null;
    case 'refuse':
      return refuse(deps, written, move.status, move.codes);
    case 'end':
      return endOf(move.end, answer);
    case 'judge': {
      const failure = failureOf(answer, 'write');
      return failure.kind === 'refused' ? refuse(deps, written, failure.status, failure.codes) : failure;
    }
  }
}

/** What the decision reads of a write's answer (a Task in its body read once, as any Task the server gives). */
function writeAnswerOf(answer: FhirAnswer, systems: FhirSystems): WriteAnswer {
  const task = writtenTaskOf(answer, systems);
  return {
    status: answer.status,
    bodyReadable: writtenBodyReadable(answer),
    multipleMatches: operationOutcomeCodes(answer.body).includes('multiple-matches'),
    taskId: task?.id ?? null,
    versionId: versionIdOf(task, answer),
  };
}

/** The Task a write's answer carries, as read (null: none, or none the tracker can read). */
function writtenTaskOf(answer: FhirAnswer, systems: FhirSystems): ReadTask | null {
  const body = answer.body;
  const isTask = typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { resourceType?: unknown }).resourceType === 'Task';
  return isTask ? readTask(body as Record<string, unknown>, systems) : null;
}

/** The stored version: the answer's Task's `meta.versionId`, or its ETag's. */
function versionIdOf(task: ReadTask | null, answer: FhirAnswer): string | null {
  if (task !== null && task.versionId !== null) return task.versionId;
  // Only a usable id is kept (CONTRACT §13), from the body or the ETag.
  const match = /^(?:W\/)?"([^"]+)"$/.exec(answer.etag ?? '');
  return usableVersionId(match?.[1]) ? match[1] : null;
}

function done(outcome: SyncOutcome): Done {
  return { kind: 'done', outcome };
}

/** The outcome of a decided end, with the answer it was read from (when one was): a 412 whose retries ran out is `version_moved`. */
function endOf(end: SyncEnd, answer: FhirAnswer | null): SyncOutcome {
  if (end.kind !== 'unavailable') return { kind: end.kind };
  return end.reason === 'conflicts' ? { kind: 'version_moved', status: answer?.status ?? null, retryAfterMs: answer?.retryAfterMs ?? null } : notFinal(end.reason, answer);
}

/** A refusal: recorded with its codes beside what was last confirmed, and its pending record dropped (no loop). */
async function refuse(deps: SyncDeps, written: Written, status: number, codes: string[]): Promise<SyncOutcome> {
  await recordRefusal(deps, written, status, codes);
  return { kind: 'refused', status, codes };
}

