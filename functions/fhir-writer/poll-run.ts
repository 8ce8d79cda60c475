/**
 * One poll run of the FHIR writer (CONTRACT §13, "Found within
 * FHIR_POLL_SECONDS"): it reads the Tasks of the tracker's identifier system
 * changed since the cursor (core/fhir/poll-cursor.ts decides where from, what
 * to skip and when to follow `next`) and hands each follow-up whose Task holds
 * work not yet seen to `handle` (in production the order-safe write,
 * fhir/sync/sync.ts, which applies the EHR's work first).
 *
 * - The tracker's own version (its digest matches its mapped fields) costs
 *   nothing more; a version the follow-up's confirmation names (confirmed, or
 *   held as the EHR's work not applied) is skipped; a Task whose identifier
 *   names no usable follow-up id is skipped.
 * - At most `pollMax` Tasks a run, and never past the time reserve: a run cut
 *   there resumes exactly where it stopped.
 * - Anything but a searchset (a server down, 429/503, a timeout, a body that
 *   is not one) stops the run without waiting (Retry-After is the next run's):
 *   the cursor stays where the handled Tasks put it, and the run's result is
 *   the exchange's failure (fhir/client/failure.ts). So does a `next` link off
 *   the base URL (never requested), and a `handle` that finds the server
 *   unavailable (that Task is read again). 401/403 is a configuration error.
 * - A Task version whose sync fails (a Practitioner read answering 5xx, a 413
 *   on its PUT, a Task too large) stops the run before it twice; the third
 *   failed try sets it aside (core/fhir/poll-aside.ts): its follow-up gets a
 *   pending record behind every other (the catch-up's, with its backoff) and
 *   the run goes on past it.
 * - The cursor never passes the tracker's clock plus the window: a
 *   `lastUpdated` past that is read, counted and named in the result (`ahead`).
 * - The state is written after each page, conditional on its counter: a run
 *   that finds another one moved it ends quietly (`lost`).
 */
import { newEhrVersion } from '../core/fhir/read-task';
import type { FhirSystems } from '../core/fhir/task';
import { heldTaskVersion } from '../core/fhir/view';
import { failedTry, POLL_TRIES, sameFailing, setAsideUntil, withoutFailing } from '../core/fhir/poll-aside';
import {
  aheadOfClock,
  markHandled,
  nextLinkOf,
  pairOf,
  pollSearchPath,
  polledTasks,
  progressAt,
  runStart,
  stateAfter,
  wholePageOneInstant,
  type PollState,
  type PolledTask,
  type RunProgress,
  type RunStart,
} from '../core/fhir/poll-cursor';
import { putPendingBehind, readConfirmation } from '../store/fhir-records';
import { getFollowUp } from '../store/follow-ups/reads';
import { readPollState, writePollState } from '../store/fhir-poll';
import type { TableClient } from '../store/table-client';
import { searchsetTasks } from '../fhir/client/answers';
import { exchange } from '../fhir/client/exchange';
import { isUnavailable, notFinal, unavailableReason, type FhirFailure, type Unavailable, type UnavailableReason } from '../fhir/client/failure';
import type { FhirHttp } from '../fhir/client/http';
import type { SyncOutcome } from '../fhir/sync/sync';

export interface PollDeps {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  /** FHIR_POLL_MAX: the most Tasks one run reads. */
  pollMax: number;
  /** Brings follow-up `id`'s Task and the follow-up together (fhir/sync/sync.ts syncFollowUp). */
  handle: (followUpId: string) => Promise<SyncOutcome>;
  /** The time the invocation has left, and what is kept back for one more Task and the answer. */
  timeLeftMs: () => number;
  reserveMs: number;
  /** The tracker's clock: it bounds the cursor (core/fhir/poll-cursor.ts pollCeiling) and times a version set aside. */
  now: () => Date;
}

/** A sync that threw for one Task (an answer it cannot use, the table refusing under it): a failed try of that version. */
type SyncError = 'sync_error';

/** Why a run stopped before it was complete. */
export type PollStop =
  /** Cut by FHIR_POLL_MAX or the time left: the next run resumes where it stopped. */
  | { kind: 'cut'; by: 'max' | 'time' }
  /** A `next` link off the base URL, or a sync that threw: the next run reads it again. */
  | { kind: 'failed'; why: 'next_off_base' | SyncError; status: null }
  /**
   * The server could not be read, by the run's search or a Task's sync (the next run reads it again), or the
   * credentials were refused (401/403, or a credential that cannot be read). Never a refusal: a Task refused is dealt with.
   */
  | Exclude<FhirFailure, { kind: 'refused' }>;

/** A Task version set aside after POLL_TRIES failed tries (its follow-up pending behind the others); ids only. */
export interface SetAsideVersion {
  taskId: string;
  versionId: string | null;
  followUpId: string;
  why: UnavailableReason | SyncError;
  status: number | null;
}

/** A Task version whose `lastUpdated` is past the tracker's clock plus the window: its id and instant only. */
export interface AheadVersion {
  taskId: string;
  at: string;
}

/** What a run met on the way, each list only when not empty. */
export interface PollNotes {
  setAside?: SetAsideVersion[];
  ahead?: AheadVersion[];
}

export type PollResult = { read: number } & PollNotes & (
  | { kind: 'complete' }
  | PollStop
  /** Another run moved the cursor meanwhile: this one ended, its state not written. */
  | { kind: 'lost' }
);

type Stop = PollStop;

/** A page read: its Tasks (oldest first) and the Bundle (for its `next` link). */
type Page = { kind: 'page'; tasks: PolledTask[]; bundle: unknown } | { kind: 'stop'; stop: Stop };

/** Runs one poll: reads from where the last one left, hands each new EHR version to `handle`, keeps the cursor. */
export async function pollOnce(deps: PollDeps): Promise<PollResult> {
  const run = new PollRun(deps, await readPollState(deps.db, deps.tableName, deps.baseUrl));
  return run.go();
}

class PollRun {
  private readonly start: RunStart;
  private readonly progress: RunProgress;
  private readonly now: Date;
  private read = 0;
  private readonly setAside: SetAsideVersion[] = [];
  private readonly ahead: AheadVersion[] = [];

  constructor(
    private readonly deps: PollDeps,
    private state: PollState,
  ) {
    this.now = deps.now();
    this.start = runStart(state, this.now);
    this.progress = progressAt(this.start, state.failing);
  }

  async go(): Promise<PollResult> {
    let path = pollSearchPath(this.deps.systems.task, this.start.from);
    for (let pages = 0; ; pages++) {
      if (this.deps.timeLeftMs() < this.deps.reserveMs) return this.end({ kind: 'cut', by: 'time' });
      if (pages > this.deps.pollMax + 10) return this.end({ kind: 'cut', by: 'max' });
      const page = await this.fetch(path);
      if (page.kind === 'stop') return this.end(page.stop);
      const fresh = page.tasks.filter((task) => !this.progress.read.has(pairOf(task.id, task.versionId)));
      for (const task of fresh) {
        const stop = await this.dealWith(task);
        if (stop !== null) return this.end(stop);
      }
      if (!(await this.checkpoint(false))) return this.result({ kind: 'lost' });
      if (fresh.length > 0) {
        path = pollSearchPath(this.deps.systems.task, this.progress.at);
        continue;
      }
      // Nothing new: done, unless a whole page of one instant hides more behind it (then its `next` link).
      const next = wholePageOneInstant(page.tasks) ? nextLinkOf(page.bundle, this.deps.baseUrl) : null;
      if (next === null) break;
      if ('offBase' in next) return this.end({ kind: 'failed', why: 'next_off_base', status: null });
      path = next.path;
    }
    return this.result((await this.checkpoint(true)) ? { kind: 'complete' } : { kind: 'lost' });
  }

  /** The run's result: how it ended, what it read, what it set aside or found ahead of the clock. */
  private result(end: { kind: 'complete' } | { kind: 'lost' } | Stop): PollResult {
    return { ...end, read: this.read, ...(this.setAside.length > 0 ? { setAside: this.setAside } : {}), ...(this.ahead.length > 0 ? { ahead: this.ahead } : {}) };
  }

  /** One search (or `next` page): its Tasks, or why the run stops (a 400 or 422 to a search is no refusal of a Task: it stops the run too). */
  private async fetch(path: string): Promise<Page> {
    const answer = await exchange(this.deps.http, { method: 'GET', path }, { asked: 'search', statuses: [200] });
    if (answer.kind !== 'answer') return { kind: 'stop', stop: answer };
    const tasks = searchsetTasks(answer.body);
    if (tasks === null) return { kind: 'stop', stop: notFinal('unreadable', answer) };
    return { kind: 'page', tasks: polledTasks(tasks, this.deps.systems), bundle: answer.body };
  }

  /** One Task version new to the run: skipped, or handed to `handle`; null once dealt with, else why the run stops. */
  private async dealWith(task: PolledTask): Promise<Stop | null> {
    if (this.read >= this.deps.pollMax) return { kind: 'cut', by: 'max' };
    if (this.deps.timeLeftMs() < this.deps.reserveMs) return { kind: 'cut', by: 'time' };
    this.read += 1;
    if (aheadOfClock(task.at, this.now)) this.ahead.push({ taskId: task.id, at: task.at! });
    const followUpId = await this.followUpToHandle(task);
    if (followUpId !== null) {
      const outcome = await this.syncOf(followUpId);
      if (outcome.kind === 'unauthorized') return { kind: 'unauthorized', where: outcome.where };
      if (outcome.kind === 'threw' || isUnavailable(outcome)) {
        const stop = await this.failed(task, followUpId, outcome.kind === 'threw' ? { kind: 'failed', why: 'sync_error', status: null } : failureIn(outcome));
        if (stop !== null) return stop;
      }
    }
    this.progress.failing = withoutFailing(this.progress.failing, pairOf(task.id, task.versionId));
    markHandled(this.progress, task);
    return null;
  }

  /**
   * A failed sync of one version: the run stops before it (the cursor stays, the next run reads it again)
   * below POLL_TRIES; at POLL_TRIES it is set aside (null: the run goes on).
   */
  private async failed(task: PolledTask, followUpId: string, stop: { kind: 'failed'; why: SyncError; status: null } | Unavailable): Promise<Stop | null> {
    const verdict = failedTry(this.progress.failing, { pair: pairOf(task.id, task.versionId), at: task.at });
    this.progress.failing = verdict.failing;
    if (verdict.kind === 'stop') return stop;
    await this.putAside(followUpId);
    this.setAside.push({ taskId: task.id, versionId: task.versionId, followUpId, why: stop.kind === 'failed' ? stop.why : unavailableReason(stop), status: stop.status });
    return null;
  }

  /**
   * One follow-up's sync. One that throws for this Task is a failed try of its version, as a 5xx is, so
   * that it cannot stop every run (its error is not logged: what it says may quote the Task).
   */
  private async syncOf(followUpId: string): Promise<SyncOutcome | { kind: 'threw' }> {
    try {
      return await this.deps.handle(followUpId);
    } catch {
      return { kind: 'threw' };
    }
  }

  /** The follow-up of a version set aside waits behind the other pending records, due to the catch-up after its pause. */
  private async putAside(followUpId: string): Promise<void> {
    const { db, tableName } = this.deps;
    const stored = await getFollowUp(db, tableName, followUpId, this.now);
    // A follow-up gone (expired) has nothing left to catch up.
    if (stored === null) return;
    const pending = { id: followUpId, openedAt: stored.followUp.opened_at, revision: stored.revision, since: this.now.toISOString(), tries: POLL_TRIES, expiresAt: stored.expiresAt };
    await putPendingBehind(db, tableName, pending, setAsideUntil(this.now));
  }

  /**
   * The follow-up whose Task version may hold work the tracker has not seen, or null: a new EHR version
   * (core/fhir/read-task.ts newEhrVersion: a usable follow-up id, not the tracker's own content), not the version confirmed.
   */
  private async followUpToHandle(task: PolledTask): Promise<string | null> {
    const { db, tableName, baseUrl } = this.deps;
    const version = newEhrVersion(task.task);
    if (version.kind === 'none') return null;
    const id = version.followUpId;
    // Eventually consistent is enough: a confirmation read behind its write costs one more sync, never a skipped version.
    const confirmation = await readConfirmation(db, tableName, id, baseUrl, false);
    if (task.versionId === null || confirmation === null || confirmation.taskId !== task.id) return id;
    // The version confirmed, or the version a hold was read at (a change not applied, with why): nothing new in it.
    return confirmation.versionId !== task.versionId && heldTaskVersion(confirmation) !== task.versionId ? id : null;
  }

  /** Writes where the run is (`complete`: the run's end); false when another run moved the state meanwhile. */
  private async checkpoint(complete: boolean): Promise<boolean> {
    const next = stateAfter(this.state, this.progress, complete, this.now);
    if (sameState(next, this.state)) return true;
    const written = await writePollState(this.deps.db, this.deps.tableName, this.deps.baseUrl, next);
    if (written.kind === 'lost') return false;
    this.state = written.state;
    return true;
  }

  /** A run that stops early keeps where it got to (a lost race is told as such). */
  private async end(stop: Stop): Promise<PollResult> {
    return this.result((await this.checkpoint(false)) ? stop : { kind: 'lost' });
  }
}

/** A sync's failure as the run stops on it, without the notes of what the sync met on the way (it logged and counted those). */
function failureIn(outcome: Extract<SyncOutcome, Unavailable>): Unavailable {
  const { ehr: _ehr, restated: _restated, ...failure } = outcome;
  return failure;
}

function sameState(a: PollState, b: PollState): boolean {
  return a.cursor === b.cursor && a.resumeFrom === b.resumeFrom && a.seen.join('\n') === b.seen.join('\n') && sameFailing(a.failing, b.failing);
}
