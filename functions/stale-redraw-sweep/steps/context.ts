/**
 * What the steps of one sweep share: the table, the sweep's time, its Junction
 * session (which stops asking after a rejected key, Junction being down, or its
 * deadline), the gate that says whether a step may still start, and the counts
 * of the run summary, kept by the steps as they go.
 */
import type { Attention } from '../../core/attention';
import { canonicalFromDate } from '../../core/instant';
import type { StaleThresholds } from '../../core/staleness';
import type { JunctionApi } from '../../junction/api';
import type { LogSink } from '../../shared/observability';
import type { TableClient } from '../../store/table-client';
import { createJunctionSession, type JunctionSession } from './junction-session';
import { createStepGate, junctionDeadlineOf, type StepGate } from './deadline';

/** Orders (or follow-ups) handled at once: enough to overlap round trips, few enough to stay polite to the table. */
export const CONCURRENCY = 8;

/** The counts of one sweep's run summary (SweepResult and its final log line). */
export interface SweepTally {
  /** Orders (or follow-ups) that could not be swept for the table's sake: the sweep throws after its metrics. */
  failures: number;
  /** Flags set by this sweep. */
  flagged: number;
  /** Orders taken out of the flagged or awaiting partition because they are no longer stale or awaiting. */
  cleared: number;
  /** Of `cleared`, the stale flags cleared. */
  staleCleared: number;
  notified: number;
  notificationFailures: number;
  /** Flags whose notification has not gone out, as this sweep leaves them. */
  pendingAfter: number;
  /** Candidates not flagged because their follow-up is snoozed or closed. */
  heldBack: number;
  /** Flags cleared because their follow-up is closed, or snoozed. */
  clearedClosed: number;
  clearedSnoozed: number;
  reminded: number;
  /** Attention notices sent, per attention (CONTRACT §9). */
  attentionNotified: Record<Attention, number>;
  /** Notifications left to another sweep's fresh claim. */
  heldByClaim: number;
  snoozesEnded: number;
  /** Follow-ups whose copy of their stale flag this sweep set or cleared (CONTRACT §12). */
  staleCopies: number;
  /** Follow-ups whose history lacked their newest version's entry (issue 82; steps/history-gaps.ts). */
  historyGaps: number;
}

/** A tally with every count 0. */
export function emptyTally(): SweepTally {
  return {
    failures: 0,
    flagged: 0,
    cleared: 0,
    staleCleared: 0,
    notified: 0,
    notificationFailures: 0,
    pendingAfter: 0,
    heldBack: 0,
    clearedClosed: 0,
    clearedSnoozed: 0,
    reminded: 0,
    attentionNotified: { redraw_failed: 0, results_still_missing: 0, no_redraw: 0 },
    heldByClaim: 0,
    snoozesEnded: 0,
    staleCopies: 0,
    historyGaps: 0,
  };
}

/** What every step of one sweep shares. */
export interface SweepContext {
  readonly db: TableClient;
  readonly tableName: string;
  readonly now: Date;
  /** `now` as a canonical instant: the time of this sweep's flags and notices. */
  readonly since: string;
  readonly thresholds: StaleThresholds;
  readonly logger: LogSink;
  /** This sweep's id: its claims' holder. */
  readonly sweepId: string;
  /** This sweep's Junction session, or null without a Junction API client (no request to Junction). */
  readonly session: JunctionSession | null;
  readonly gate: StepGate;
  readonly tally: SweepTally;
}

/** What a sweep starts from (SweepInput's part the steps share). */
export interface SweepStart {
  db: TableClient;
  tableName: string;
  now: Date;
  thresholds: StaleThresholds;
  logger: LogSink;
  junction?: JunctionApi | null;
  /** Milliseconds left for this invocation, if known. */
  timeLeft?: () => number;
  /** Epoch milliseconds (default Date.now): the clock of Junction's deadline. */
  wallClock?: () => number;
  sweepId: string;
}

/**
 * One sweep's context: Junction's deadline STALE_RULES_RESERVE_MS before the
 * invocation's end (when its time is known), the steps' gate on the time left.
 */
export function openSweep(start: SweepStart): SweepContext {
  const { db, tableName, now, logger } = start;
  const since = canonicalFromDate(now);
  const wallClock = start.wallClock ?? Date.now;
  const timeLeft = start.timeLeft ?? (() => Number.POSITIVE_INFINITY);
  const leftAtStart = timeLeft();
  const deadline = Number.isFinite(leftAtStart) ? junctionDeadlineOf(wallClock(), leftAtStart) : undefined;
  const session = start.junction
    ? createJunctionSession({ db, tableName, junction: start.junction, logger, ...(deadline === undefined ? {} : { deadline, clock: wallClock }) })
    : null;
  return { db, tableName, now, since, thresholds: start.thresholds, logger, sweepId: start.sweepId, session, gate: createStepGate(timeLeft, logger), tally: emptyTally() };
}
