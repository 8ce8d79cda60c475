/**
 * What every step of the transaction-status function works with: the
 * function's dependencies, resolved once (StepContext), and one invocation's
 * deadlines and failed records (Run).
 */
import type { SituationOptions } from '../../core/follow-up/situation';
import type { TableClient } from '../../store/table-client';
import type { LogSink } from '../../shared/observability';
import type { StaleThresholds } from '../../core/staleness';
import { raceTimer } from '../../shared/timer-race';
import type { EventPublisher } from '../publisher';

/** The function's dependencies with their defaults applied. */
export interface StepContext {
  db: TableClient;
  tableName: string;
  logger: LogSink;
  /** Transactions (and other items of work) handled at once. */
  concurrency: number;
  /** The clock records are aged by (epoch ms). */
  clock: () => number;
  /** The wall clock late report rows' marks are written by (the sweep's builds wait on it). */
  wallClock: () => number;
  /** Days a transaction (or an order without one) is kept once over; null: no expiry is set. */
  retentionDays: number | null;
  thresholds: StaleThresholds;
  /** Lost races tolerated per transaction (undefined: the recompute's default). */
  maxAttempts: number | undefined;
  publisher: EventPublisher | undefined;
  /** Age past which a failing record's work is parked. */
  parkAfterMs: number;
  /** FOLLOW_UP_MISSING_RESULTS (CONTRACT §9): what opens a follow-up. */
  situationOptions: SituationOptions;
}

/** One invocation: when its work must stop, and the records reported as batch item failures. */
export interface Run {
  /** Publishing and recomputing stop here (epoch ms, Date.now's clock). */
  workDeadline: number;
  /** Parking, when needed, takes from the margin; the rest is for answering. */
  parkDeadline: number;
  /** Sequence numbers of the records reported as failed. */
  failures: Set<string>;
  /** Records whose work cannot be parked (unreadable: a bug). */
  unparkable: Set<string>;
}

/** The deadlines of an invocation that ends `remainingMs` after `now` (both Date.now's clock), keeping `marginMs` back. */
export function deadlinesOf(now: number, remainingMs: number, marginMs: number): Pick<Run, 'workDeadline' | 'parkDeadline'> {
  const end = now + remainingMs;
  return { workDeadline: end - marginMs, parkDeadline: end - marginMs / 5 };
}

/** Resolves with the work's value, or 'late' once `deadline` (epoch ms) has passed first. */
export function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | 'late'> {
  return Number.isFinite(deadline) ? raceTimer(work, deadline - Date.now(), () => 'late' as const) : work;
}
