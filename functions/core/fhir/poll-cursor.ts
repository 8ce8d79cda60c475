/**
 * Where the FHIR writer's poll for work done in the EHR reads from (CONTRACT
 * §13, "Found within FHIR_POLL_SECONDS"), as plain functions of plain data:
 * the search of a run, which Task versions it skips, when it follows a `next`
 * link, and what it keeps for the next run. No request and no store here
 * (functions/fhir-writer/poll-run.ts does the I/O).
 *
 * - The cursor is the greatest `meta.lastUpdated` the server gave, kept in
 *   UTC with `Z`; it never moves back, but never past the tracker's clock plus
 *   the window (POLL_WINDOW_MS, pollCeiling): one `lastUpdated` in the future
 *   (a server clock far ahead, a bad import) is read and counted (aheadOfClock),
 *   never followed, so it cannot hide the changes saved after it with a
 *   correct clock. A cut run resumes at most from the tracker's clock.
 * - Each page is a fresh search from the greatest `lastUpdated` read so far,
 *   sorted by `_lastUpdated`, skipping the (id, versionId) pairs already read
 *   in the run. A `next` link is followed only when a whole page shares one
 *   instant (a fresh search could not get past it) and only under the base URL.
 * - A run cut (FHIR_POLL_MAX, the time left, a failure) resumes exactly where
 *   it stopped: from the greatest instant it handled, skipping the pairs it
 *   read there. After a complete run the next starts 5 minutes before the
 *   cursor, for clocks and commits that land late, skipping the versions it
 *   has read since (so each version is handed on once).
 */
import { keptFailing, sameFailing, type FailingVersion } from './poll-aside';
import { readTask, type ReadTask } from './read-task';
import type { FhirSystems } from './task';
import { canonicalFromDate, canonicalInstant } from '../instant';

/** How far before the cursor a run starts after a complete one (CONTRACT §13). */
export const POLL_WINDOW_MS = 5 * 60 * 1000;
/** The page size asked for (`_count`). */
export const POLL_PAGE_SIZE = 100;

/** What is kept per base URL between runs. */
export interface PollState {
  /** The greatest `meta.lastUpdated` read so far (UTC, `Z`), or null before the first run. */
  cursor: string | null;
  /** Where a cut run stopped (the greatest instant it handled): the next run starts there; null after a complete run. */
  resumeFrom: string | null;
  /**
   * The versions read at or after where the next run starts (`<instant> <id>|<versionId>`,
   * the newest SEEN_MAX, and every one at `resumeFrom`): skipped by it, so that a version
   * is handed on once however often a window reads it again.
   */
  seen: string[];
  /** The Task versions whose sync failed, with their tries (core/fhir/poll-aside.ts). */
  failing: FailingVersion[];
  /** The stored item's counter (0: none stored): a write is conditional on it. */
  counter: number;
}

export const NO_POLL_STATE: PollState = { cursor: null, resumeFrom: null, seen: [], failing: [], counter: 0 };

/** The most versions kept as seen: past it the oldest are read again (harmless: each is handed on once more at worst). */
export const SEEN_MAX = 500;

/** The (id, versionId) pair of a Task version, as kept. */
export function pairOf(id: string, versionId: string | null): string {
  return `${id}|${versionId ?? ''}`;
}

/** An instant in the canonical UTC form (microseconds, `Z`: sortable as text), or null when it is none. */
export function instantOf(value: unknown): string | null {
  return typeof value === 'string' ? canonicalInstant(value) : null;
}

/** What a run starts from: the search's lower bound (null: none, the first run ever) and the pairs it skips. */
export interface RunStart {
  from: string | null;
  skip: ReadonlySet<string>;
}

/** What a run started at `now` starts from (a stored cursor or resume past the clock's bound is taken at the bound). */
export function runStart(state: PollState, now: Date): RunStart {
  const from = nextFrom(minInstant(state.cursor, pollCeiling(now)), minInstant(state.resumeFrom, canonicalFromDate(now)));
  return { from, skip: new Set(seenFrom(state.seen, from).map((entry) => entry.slice(entry.indexOf(' ') + 1))) };
}

/** The furthest a stored cursor may be at `now`: the tracker's clock plus the window (the next run starts at most at `now`). */
export function pollCeiling(now: Date): string {
  return canonicalFromDate(new Date(now.getTime() + POLL_WINDOW_MS));
}

/** Whether a `lastUpdated` is past the cursor's bound at `now` (a server clock ahead by more than the window): counted, not followed. */
export function aheadOfClock(at: string | null, now: Date): boolean {
  return at !== null && at > pollCeiling(now);
}

/** Where the run after this state starts: where a cut one stopped, else 5 minutes before the cursor (none before any). */
function nextFrom(cursor: string | null, resumeFrom: string | null): string | null {
  if (resumeFrom !== null) return resumeFrom;
  if (cursor === null) return null;
  return instantOf(new Date(Date.parse(cursor) - POLL_WINDOW_MS).toISOString());
}

/** The seen entries at or after `from`. */
function seenFrom(seen: readonly string[], from: string | null): string[] {
  return from === null ? [...seen] : seen.filter((entry) => entry.slice(0, entry.indexOf(' ')) >= from);
}

/**
 * The search for Tasks of the tracker's identifier system changed at or after
 * `from`: `Task?identifier={system}|&_lastUpdated=ge{from}&_sort=_lastUpdated&_count=100`
 * (`from` in UTC with `Z`, percent-encoded; no `_lastUpdated` when null).
 */
export function pollSearchPath(taskSystem: string, from: string | null): string {
  const system = taskSystem.replace(/[\\|,$]/g, (character) => `\\${character}`);
  const since = from === null ? '' : `&_lastUpdated=${encodeURIComponent(`ge${searchInstant(from)}`)}`;
  return `Task?identifier=${encodeURIComponent(`${system}|`)}${since}&_sort=_lastUpdated&_count=${POLL_PAGE_SIZE}`;
}

/** A canonical instant as a search writes it: milliseconds when the rest are zeros (`...00.123Z`), else as kept. */
function searchInstant(instant: string): string {
  return instant.replace(/^(.*\.\d{3})000Z$/, '$1Z');
}

/** One Task of a page, as the poll reads it. */
export interface PolledTask {
  id: string;
  /** Its `meta.versionId` as the server gave it: the run's (id, versionId) pairs tell versions apart by it. */
  versionId: string | null;
  /** Its `meta.lastUpdated` (canonical), or null when it has none a run can place. */
  at: string | null;
  /** The Task as read (core/fhir/read-task.ts), once. */
  task: ReadTask;
}

/** The Tasks of a page with a usable id, each read once, oldest `lastUpdated` first (a Task without one last, as the server gave them). */
export function polledTasks(resources: readonly Record<string, unknown>[], systems: FhirSystems): PolledTask[] {
  const tasks = resources.flatMap((resource): PolledTask[] => {
    const task = readTask(resource, systems);
    return task === null ? [] : [{ id: task.id, versionId: task.givenVersionId, at: instantOf(task.lastUpdated), task }];
  });
  const rank = (task: PolledTask) => task.at ?? '~';
  return tasks.map((task, index) => ({ task, index })).sort((a, b) => (rank(a.task) < rank(b.task) ? -1 : rank(a.task) > rank(b.task) ? 1 : a.index - b.index)).map(({ task }) => task);
}

/**
 * Whether a page none of whose Tasks was new to the run is to be left by its
 * `next` link: only when it is not empty and every Task on it shares one
 * instant (a fresh search from that instant would answer the same page).
 */
export function wholePageOneInstant(tasks: readonly PolledTask[]): boolean {
  const first = tasks[0]?.at ?? null;
  return first !== null && tasks.every((task) => task.at === first);
}

/**
 * The `next` link of a searchset Bundle as a path relative to `baseUrl`, when
 * it is under it (same origin, same path prefix); `{ offBase: true }` when a
 * link is there but elsewhere; null when there is none.
 */
export function nextLinkOf(bundle: unknown, baseUrl: string): { path: string } | { offBase: true } | null {
  const links = typeof bundle === 'object' && bundle !== null ? (bundle as { link?: unknown }).link : undefined;
  if (!Array.isArray(links)) return null;
  const next = links.find((link): link is { relation: string; url?: unknown } => typeof link === 'object' && link !== null && (link as { relation?: unknown }).relation === 'next');
  if (next === undefined || typeof next.url !== 'string') return null;
  const base = new URL(baseUrl.replace(/\/+$/, ''));
  let url: URL;
  try {
    url = new URL(next.url, `${base.href}/`);
  } catch {
    return { offBase: true };
  }
  const prefix = `${base.pathname.replace(/\/+$/, '')}/`;
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix) || url.username !== '' || url.password !== '') return { offBase: true };
  const path = `${url.pathname.slice(prefix.length)}${url.search}`;
  // A path the HTTP client refuses (`..`, empty) is no link the run can follow.
  if (path === '' || path.split(/[?#]/, 1)[0]!.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return { offBase: true };
  return { path };
}

/** What a run has read so far. */
export interface RunProgress {
  /** The greatest instant handled in this run, or the run's start when none yet. */
  at: string | null;
  /** Every pair read in this run, and those its start skips. */
  read: Set<string>;
  /** The versions handled in this run that have an instant (`<instant> <pair>`). */
  handled: string[];
  /** The failing versions as this run leaves them (core/fhir/poll-aside.ts). */
  failing: FailingVersion[];
}

export function progressAt(start: RunStart, failing: readonly FailingVersion[] = []): RunProgress {
  return { at: start.from, read: new Set(start.skip), handled: [], failing: [...failing] };
}

/** Records one Task version handled (read and dealt with): it moves the run's greatest instant. */
export function markHandled(progress: RunProgress, task: Pick<PolledTask, 'id' | 'versionId' | 'at'>): void {
  const pair = pairOf(task.id, task.versionId);
  progress.read.add(pair);
  if (task.at === null) return;
  progress.handled.push(`${task.at} ${pair}`);
  if (progress.at === null || task.at > progress.at) progress.at = task.at;
}

/**
 * The state after a run (or a checkpoint within one) at `now`: a complete
 * run keeps the cursor (the next starts 5 minutes before it); a cut one where
 * it stopped. The cursor never goes back, nor past pollCeiling(now); a cut
 * run resumes at most from `now`. What was read from where the next run
 * starts is kept as seen, with the failing versions it can read again. A run
 * that handled nothing and did not finish keeps the state, its failing
 * versions aside.
 */
export function stateAfter(state: PollState, progress: RunProgress, complete: boolean, now: Date): PollState {
  if (!complete && progress.handled.length === 0) {
    const failing = keptFailing(progress.failing, runStart(state, now).from);
    return sameFailing(failing, state.failing) ? state : { ...state, failing };
  }
  const cursor = minInstant(maxInstant(state.cursor, progress.at), pollCeiling(now));
  const resumeFrom = complete ? null : minInstant(progress.at, canonicalFromDate(now));
  const from = nextFrom(cursor, resumeFrom);
  const seen = [...new Set(seenFrom([...state.seen, ...progress.handled], from))].sort();
  // Those read from the instant a cut run resumes from are all kept: else a resumed run would read them again.
  const keep = Math.max(SEEN_MAX, resumeFrom === null ? 0 : seen.filter((entry) => entry >= `${resumeFrom} `).length);
  return { cursor, resumeFrom, seen: seen.slice(Math.max(0, seen.length - keep)), failing: keptFailing(progress.failing, from), counter: state.counter };
}

function maxInstant(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/** The earlier of an instant and a bound (null: none, stays none). */
function minInstant(a: string | null, bound: string): string | null {
  return a === null || a <= bound ? a : bound;
}
