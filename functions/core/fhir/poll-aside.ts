/**
 * A poll that no Task can stop (CONTRACT §13, "Found within FHIR_POLL_SECONDS";
 * issue 82): what the FHIR writer's poll does when the sync of one Task version
 * fails, as plain functions of plain data (functions/fhir-writer/poll-run.ts does
 * the I/O, core/fhir/poll-cursor.ts keeps the list with the cursor).
 *
 * - Failed tries are counted per Task version (its id and `versionId`), kept
 *   with the cursor between runs. Below POLL_TRIES the run stops before the
 *   version, as it always did (the server may be going down: the next run
 *   reads it again). At the POLL_TRIES-th the version is set aside: the run
 *   marks it handled (the cursor moves on past it) and its follow-up gets a
 *   pending record behind every other, due after the catch-up's first pause
 *   (core/catch-up-backoff.ts), as a pending record the catch-up failed
 *   PENDING_TRIES times waits. The catch-up and the writer's own read before a
 *   write still read it: set aside, never lost.
 * - Every failed sync counts, a 429 or a Retry-After too: a server that
 *   answers its search but keeps throttling one Task's reads would otherwise
 *   stop the poll for good. A server truly down fails the search first (the run
 *   stops, nothing counted), and a version set aside is never lost.
 * - A version read and handled drops its count; the counts kept are those the
 *   next run can still read (from where it starts), at most FAILING_MAX.
 */
import { catchUpPauseMs } from '../catch-up-backoff';

/** Failed tries of one Task version after which the poll sets it aside. */
export const POLL_TRIES = 3;
/** The most failing versions kept with the cursor (a run stops at the first below POLL_TRIES: one more a run at most). */
export const FAILING_MAX = 50;

/** A Task version whose sync failed, as kept with the cursor. */
export interface FailingVersion {
  /** `<id>|<versionId>` (core/fhir/poll-cursor.ts pairOf). */
  pair: string;
  /** Its `meta.lastUpdated` (canonical), or null when it has none. */
  at: string | null;
  /** Failed tries so far (1 .. POLL_TRIES - 1). */
  tries: number;
}

/** What a failed sync of one version means to the run. */
export type FailedTry =
  /** Counted (`tries` so far, below POLL_TRIES): the run stops before the version, the next reads it again. */
  | { kind: 'stop'; tries: number; failing: FailingVersion[] }
  /** The POLL_TRIES-th: the version is set aside (due to the catch-up after `until`), the run goes on past it. */
  | { kind: 'set_aside'; tries: number; failing: FailingVersion[] };

/** A failed try of `version`: counted on `failing`, and whether the run stops or sets it aside. */
export function failedTry(failing: readonly FailingVersion[], version: Pick<FailingVersion, 'pair' | 'at'>): FailedTry {
  const tries = (failing.find((one) => one.pair === version.pair)?.tries ?? 0) + 1;
  const others = failing.filter((one) => one.pair !== version.pair);
  if (tries >= POLL_TRIES) return { kind: 'set_aside', tries, failing: others };
  return { kind: 'stop', tries, failing: [...others, { pair: version.pair, at: version.at, tries }] };
}

/** `failing` without `pair` (read and handled, or set aside). */
export function withoutFailing(failing: readonly FailingVersion[], pair: string): FailingVersion[] {
  return failing.filter((one) => one.pair !== pair);
}

/**
 * The failing versions worth keeping for a run that starts at `from`: those
 * it can read again (at or after it, or without an instant), at most
 * FAILING_MAX, the newest.
 */
export function keptFailing(failing: readonly FailingVersion[], from: string | null): FailingVersion[] {
  const readable = failing.filter((one) => from === null || one.at === null || one.at >= from);
  return readable.slice(Math.max(0, readable.length - FAILING_MAX));
}

/** Whether two lists of failing versions are the same. */
export function sameFailing(a: readonly FailingVersion[], b: readonly FailingVersion[]): boolean {
  return a.length === b.length && a.every((one, index) => one.pair === b[index]!.pair && one.at === b[index]!.at && one.tries === b[index]!.tries);
}

/** When a version set aside at `now` is next due to the catch-up: after its first pause, as a pending record moved behind. */
export function setAsideUntil(now: Date): Date {
  return new Date(now.getTime() + catchUpPauseMs(1));
}
