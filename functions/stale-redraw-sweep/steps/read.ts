/**
 * The stale rules' reads (CONTRACT §4, §9, §10), once per sweep and only when
 * the stale rules may start: from the open-redraws index, the due candidates
 * of the two unflagged partitions and the flagged orders; the follow-ups of
 * every order read (by key, eventually consistent: a person's change of the
 * last moment is honoured by the next sweep); the appointments of the redraw
 * orders read (in batches, eventually consistent like the index: those of the
 * redraws in progress come with them, the flagged redraw orders' are read here).
 */
import type { Appointment } from '../../core/appointment';
import { stateAt, type FollowUpState } from '../../core/follow-up/states';
import { staleCutoffs, staleReason, type StaleReason } from '../../core/staleness';
import { getAppointments } from '../../store/appointments';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUps } from '../../store/follow-ups/reads';
import { readOpenRedraws, readRedrawsInProgressDue, type IndexedOrder } from '../../store/redraws';
import { OPEN_REDRAW_PARTITIONS } from '../../store/keys';
import type { SweepContext } from './context';

/** What the stale rules read, once per sweep. */
export interface StaleRulesReads {
  /** Whether the stale rules started (they read nothing otherwise). */
  readonly ran: boolean;
  /** Due candidates: redraws in progress (with an appointment that may be missed), and awaiting a redraw order. */
  readonly inProgress: readonly IndexedOrder[];
  readonly awaiting: readonly IndexedOrder[];
  /** The orders flagged by earlier sweeps. */
  readonly flaggedBefore: readonly IndexedOrder[];
  /** The follow-ups of the orders read, by follow-up id. */
  readonly followUps: ReadonlyMap<string, StoredFollowUp>;
  /** The appointments of the redraw orders read, by order id (null: read, and none stored). */
  readonly appointments: ReadonlyMap<string, Appointment | null>;
}

/** The follow-up an order belongs to (CONTRACT §9): its transaction's, or its own for an order without one. */
export function followUpIdOf(order: Pick<IndexedOrder, 'record'>): string {
  return order.record.transaction_id ?? order.record.id;
}

/** The ids of the flagged redraw orders, whose appointments the sweep reads. */
export function flaggedRedrawIds(flagged: readonly Pick<IndexedOrder, 'record'>[]): string[] {
  return flagged.filter((order) => order.record.origin === 'redraw').map((order) => order.record.id);
}

/** Every appointment read: the redraws in progress', then each flagged redraw order's (null when none is stored). */
export function appointmentsRead(
  inProgress: ReadonlyMap<string, Appointment | null>,
  flaggedIds: readonly string[],
  flagged: ReadonlyMap<string, Appointment>,
): Map<string, Appointment | null> {
  return new Map<string, Appointment | null>([...inProgress, ...flaggedIds.map((id): [string, Appointment | null] => [id, flagged.get(id) ?? null])]);
}

/** Why a follow-up in `state` holds its order back (not flagged nor notified now): closed, or snoozed; null when it does not. */
export function holdingState(state: FollowUpState | undefined): Extract<FollowUpState, 'closed' | 'snoozed'> | null {
  return state === 'closed' || state === 'snoozed' ? state : null;
}

/** Reads what the stale rules work on, if they may start. */
export async function readStaleRules(ctx: SweepContext): Promise<StaleRulesReads> {
  const { db, tableName, now, thresholds } = ctx;
  const cutoffs = staleCutoffs(now, thresholds);
  const read = ctx.gate.mayStart('stale_rules')
    ? await Promise.all([
        // With their appointments (CONTRACT §10): an appointment_missed order can be due before its no_progress cutoff.
        readRedrawsInProgressDue(db, tableName, now, thresholds),
        readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.awaitingRedraw, cutoffs.redrawMissingBefore),
        readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.stale),
      ])
    : null;
  const [inProgressRead, awaiting, flaggedBefore] = read ?? [{ orders: [], appointments: new Map<string, Appointment | null>() }, [], []];
  const inProgress = inProgressRead.orders;
  const followUps = read === null ? new Map<string, StoredFollowUp>() : await getFollowUps(db, tableName, [...inProgress, ...awaiting, ...flaggedBefore].map(followUpIdOf), now);
  const flaggedIds = flaggedRedrawIds(flaggedBefore);
  const flaggedAppointments = flaggedIds.length === 0 ? new Map<string, Appointment>() : await getAppointments(db, tableName, flaggedIds);
  return { ran: read !== null, inProgress, awaiting, flaggedBefore, followUps, appointments: appointmentsRead(inProgressRead.appointments, flaggedIds, flaggedAppointments) };
}

/** An order as this sweep sees it, from its reads. */
export interface OrderView {
  /** The order's follow-up as of now (a snooze that has ended is acknowledged), or null. */
  followUpOf(order: IndexedOrder): StoredFollowUp | null;
  /** The order's appointment as read by this sweep, or null (none, or not a redraw order). */
  appointmentOf(order: Pick<IndexedOrder, 'record'>): Appointment | null;
  /** Why the order is stale now (CONTRACT §4, §10), or null. */
  reasonOf(order: IndexedOrder, hasRedraw: boolean): StaleReason | null;
  /** Why the order is not to be flagged or notified now: its follow-up is closed, or snoozed (until snoozed_until). */
  heldBy(order: IndexedOrder): Extract<FollowUpState, 'closed' | 'snoozed'> | null;
}

/** The view of the orders through this sweep's reads. */
export function orderView(ctx: Pick<SweepContext, 'now' | 'thresholds'>, reads: StaleRulesReads): OrderView {
  const { now, thresholds } = ctx;
  const view: OrderView = {
    followUpOf(order) {
      const stored = reads.followUps.get(followUpIdOf(order));
      return stored === undefined ? null : { ...stored, followUp: stateAt(stored.followUp, now) };
    },
    appointmentOf: (order) => reads.appointments.get(order.record.id) ?? null,
    reasonOf: (order, hasRedraw) => staleReason(order.record, hasRedraw, now, thresholds, view.appointmentOf(order)),
    heldBy: (order) => holdingState(view.followUpOf(order)?.followUp.state),
  };
  return view;
}
