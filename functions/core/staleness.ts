/**
 * The stale-redraw rules of CONTRACT §4 and §10, as plain functions of an
 * order, its transaction's knowledge, the redraw order's appointment and an
 * injected clock.
 *
 * Appointments (§10) change only the rule of a redraw order in progress:
 * - active (pending, reserved, confirmed) with `start_at + grace` ahead:
 *   `no_progress` waits;
 * - `start_at + grace` passed, not completed (nor cancelled), and the order's
 *   status time before `start_at` (it has not moved since): `appointment_missed`;
 * - cancelled, completed, no appointment, or none with a start time: §4 as before.
 * The rules read only the newest stored states (the order's and the
 * appointment's), so whatever order their events arrived in, the answer is
 * the one of the newest states.
 */
import { isActiveAppointment } from './appointment';
import { STALE_REASONS, type AppointmentTiming, type NotificationReason, type StaleReason } from './reasons';
import { canonicalFromDate, instantMillis } from './instant';
import { isEnding } from './status';
import { isAwaitingRedraw } from './transaction-status';

export { STALE_REASONS, type AppointmentTiming, type NotificationReason, type StaleReason };

/** Which open redraw an order is, if any. */
export type OpenRedrawKind = 'redraw_in_progress' | 'awaiting_redraw';

export interface StaleThresholds {
  /** REDRAW_STALE_AFTER_DAYS */
  staleAfterDays: number;
  /** REDRAW_MISSING_AFTER_HOURS */
  missingAfterHours: number;
  /** APPOINTMENT_GRACE_HOURS (CONTRACT §10); absent: DEFAULT_APPOINTMENT_GRACE_HOURS. */
  appointmentGraceHours?: number;
}

/** APPOINTMENT_GRACE_HOURS' default (CONTRACT §10). */
export const DEFAULT_APPOINTMENT_GRACE_HOURS = 48;

export const DEFAULT_THRESHOLDS: StaleThresholds = { staleAfterDays: 7, missingAfterHours: 24, appointmentGraceHours: DEFAULT_APPOINTMENT_GRACE_HOURS };

/**
 * What the stale rules read of a redraw order's appointment (CONTRACT §10):
 * the store's Appointment (core/appointment.ts) fits it.
 */

export interface RedrawCandidate {
  origin: string | null;
  low_level_status: string;
  /** Canonical instant of the order's last status change, per Junction. */
  status_time: string;
}

/**
 * `redraw_in_progress`: a redraw order not yet in an ending state.
 * `awaiting_redraw`: an initial order in redraw_available while its transaction
 * has no known redraw order. Otherwise null: nothing to act on.
 */
export function openRedrawKind(order: RedrawCandidate, transactionHasRedraw: boolean): OpenRedrawKind | null {
  if (order.origin === 'redraw') {
    return isEnding(order.low_level_status) ? null : 'redraw_in_progress';
  }
  if (isAwaitingRedraw(order) && !transactionHasRedraw) return 'awaiting_redraw';
  return null;
}

export interface StaleCutoffs {
  /** A redraw in progress whose status time is before this is stale (no_progress). */
  noProgressBefore: string;
  /** An order awaiting its redraw whose status time is before this is stale (redraw_not_created). */
  redrawMissingBefore: string;
}

const HOUR_MS = 3_600_000;

/** Canonical instants before which an open redraw is stale, at `now`. */
export function staleCutoffs(now: Date, thresholds: StaleThresholds): StaleCutoffs {
  return {
    noProgressBefore: canonicalFromDate(new Date(now.getTime() - thresholds.staleAfterDays * 24 * HOUR_MS)),
    redrawMissingBefore: canonicalFromDate(new Date(now.getTime() - thresholds.missingAfterHours * HOUR_MS)),
  };
}

/**
 * The canonical instant before which a redraw in progress may be due, at
 * `now`: its no_progress cutoff, or `now - grace` when that is later. An
 * order due by `appointment_missed` has its status time before `start_at`,
 * and `start_at + grace` before now, so its status time is before
 * `now - grace` too, possibly long after its no_progress cutoff (the sweep's
 * candidate read, store/redraws.ts).
 */
export function inProgressCandidatesBefore(now: Date, thresholds: StaleThresholds): string {
  const noProgress = now.getTime() - thresholds.staleAfterDays * 24 * HOUR_MS;
  const missed = now.getTime() - graceHoursOf(thresholds) * HOUR_MS;
  return canonicalFromDate(new Date(Math.max(noProgress, missed)));
}

export function graceHoursOf(thresholds: StaleThresholds): number {
  return thresholds.appointmentGraceHours ?? DEFAULT_APPOINTMENT_GRACE_HOURS;
}

/**
 * What a redraw order's appointment means for the rules (CONTRACT §10):
 * `none` (no appointment, or cancelled, completed, or without a start time:
 * §4 alone), else its grace end (`start_at + grace`, epoch ms), whether it
 * holds no_progress until then (`active`), and whether the order has not
 * moved since `start_at`.
 */
export type AppointmentRule =
  | { kind: 'none' }
  | { kind: 'booked'; active: boolean; graceEndsMs: number; orderStillBefore: boolean };

export function appointmentRule(statusTime: string, appointment: AppointmentTiming | null, thresholds: StaleThresholds): AppointmentRule {
  if (appointment === null || appointment.start_at === null) return { kind: 'none' };
  if (appointment.status === 'cancelled' || appointment.status === 'completed') return { kind: 'none' };
  return {
    kind: 'booked',
    active: isActiveAppointment(appointment),
    graceEndsMs: instantMillis(appointment.start_at) + graceHoursOf(thresholds) * HOUR_MS,
    orderStillBefore: statusTime < appointment.start_at,
  };
}

/**
 * Whether an order with this appointment may be flagged `appointment_missed`
 * at `now`: it counts (not cancelled or completed, with a start) and its
 * grace has passed. Whether the order moved since its start is the order's to say.
 */
export function appointmentMayBeMissed(appointment: AppointmentTiming, now: Date, thresholds: StaleThresholds): boolean {
  const rule = appointmentRule(appointment.start_at ?? '', appointment, thresholds);
  return rule.kind === 'booked' && now.getTime() > rule.graceEndsMs;
}

/**
 * Why an order is a stale redraw at `now`, or null when it is not.
 * `appointment`: the order's appointment (CONTRACT §10; only a redraw order in
 * progress reads it), or null / absent when the tracker knows none.
 */
export function staleReason(
  order: RedrawCandidate,
  transactionHasRedraw: boolean,
  now: Date,
  thresholds: StaleThresholds,
  appointment: AppointmentTiming | null = null,
): StaleReason | null {
  const kind = openRedrawKind(order, transactionHasRedraw);
  if (kind === null) return null;
  const cutoffs = staleCutoffs(now, thresholds);
  if (kind === 'awaiting_redraw') return order.status_time < cutoffs.redrawMissingBefore ? 'redraw_not_created' : null;
  const rule = appointmentRule(order.status_time, appointment, thresholds);
  if (rule.kind === 'booked') {
    const gracePassed = now.getTime() > rule.graceEndsMs;
    if (gracePassed && rule.orderStillBefore) return 'appointment_missed';
    if (rule.active && !gracePassed) return null;
  }
  return order.status_time < cutoffs.noProgressBefore ? 'no_progress' : null;
}

/**
 * When a redraw order in progress is flagged if nothing moves (epoch ms: it is
 * flagged once `now` is past it), and for which reason: the same rules as
 * staleReason, solved for `now` (CONTRACT §9's `due_at`, §10).
 */
export function inProgressDue(statusTime: string, appointment: AppointmentTiming | null, thresholds: StaleThresholds): { atMs: number; reason: 'no_progress' | 'appointment_missed' } {
  const noProgress = instantMillis(statusTime) + thresholds.staleAfterDays * 24 * HOUR_MS;
  const rule = appointmentRule(statusTime, appointment, thresholds);
  if (rule.kind === 'none') return { atMs: noProgress, reason: 'no_progress' };
  if (rule.orderStillBefore && (rule.active || rule.graceEndsMs <= noProgress)) return { atMs: rule.graceEndsMs, reason: 'appointment_missed' };
  // Not missed (the order moved after start_at), or no_progress comes first: no_progress, held while active until the grace ends.
  return { atMs: rule.active ? Math.max(noProgress, rule.graceEndsMs) : noProgress, reason: 'no_progress' };
}

/** Whether a transaction's members include a redraw order (as far as the tracker knows). */
export function hasRedrawOrder(members: readonly { origin: string | null }[]): boolean {
  return members.some((member) => member.origin === 'redraw');
}

