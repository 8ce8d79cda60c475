/**
 * When the sweep flags a follow-up's open redraw if nothing moves (CONTRACT
 * §9 `due_at`: §4's rule with §10's appointments, not before a snooze ends),
 * and the open redraw that time is counted from.
 */
import { canonicalFromDate, instantMillis } from '../instant';
import { inProgressDue, type AppointmentTiming, type StaleThresholds } from '../staleness';
import type { FollowUp } from './states';

const HOUR_MS = 3_600_000;

/** The open redraw the follow-up is about: an initial order awaiting its redraw, or the redraw order in progress. */
export interface OpenRedrawTiming {
  kind: 'awaiting_redraw' | 'redraw_in_progress';
  /** Junction's status time of that order (canonical instant). */
  statusTime: string;
  /** That order: its stale flag is the follow-up's `stale`. */
  orderId: string;
  /**
   * The redraw order's appointment (CONTRACT §10: only a redraw in progress
   * has one that counts), as much of it as the rules read; absent or null: none.
   */
  appointment?: AppointmentTiming | null;
}

/**
 * `due_at` (CONTRACT §9): when §4 (with §10's appointments) flags the open
 * redraw if nothing moves, not before a snooze ends; null when the follow-up
 * is closed or there is no open redraw to flag. A redraw in progress is due
 * by the sweep's own rule (core/staleness.ts inProgressDue): with an active
 * appointment not before `start_at + grace`, and then at once
 * (`appointment_missed`) if the order has not moved since `start_at`.
 */
export function dueAt(followUp: FollowUp, redraw: OpenRedrawTiming | null, thresholds: StaleThresholds): string | null {
  if (followUp.state === 'closed' || redraw === null) return null;
  let due =
    redraw.kind === 'awaiting_redraw'
      ? instantMillis(redraw.statusTime) + thresholds.missingAfterHours * HOUR_MS
      : inProgressDue(redraw.statusTime, redraw.appointment ?? null, thresholds).atMs;
  if (followUp.state === 'snoozed' && followUp.snoozed_until !== null) due = Math.max(due, instantMillis(followUp.snoozed_until));
  return canonicalFromDate(new Date(due));
}
