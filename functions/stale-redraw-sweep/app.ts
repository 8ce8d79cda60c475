/**
 * The stale-redraw sweep (CONTRACT §4): flags open redraws that waited too long,
 * notifies once per flag, and clears flags that no longer hold.
 *
 * It reads only the open-redraws index, never the table: due candidates of the
 * two unflagged partitions (a key condition on the status time) and the flagged
 * ones (to clear those that stopped being stale). Its cost follows the number of
 * open redraws, not the size of the table.
 *
 * With a Junction API client (CONTRACT §6) it also catches up on lost webhooks
 * (members behind their listings, from the index's `RECONCILE#behind`
 * partition) and verifies each candidate with the API before flagging it.
 * Without one it makes no request to Junction and behaves as §4 alone.
 *
 * Follow-ups (CONTRACT §9): the candidates' and flagged orders' follow-ups are
 * read once per sweep (eventually consistent, by key). An order whose
 * follow-up is snoozed is not flagged before the snooze ends (a flag it has
 * clears: flagged again if nothing moved by then); one whose follow-up is
 * closed is never flagged, and a flag it has clears. An open follow-up whose
 * redraw failed (`attention: redraw_failed`) is notified once (`redraw_failed`).
 * With FOLLOW_UP_ACK_HOURS, a follow-up still `new` that long after it opened
 * is notified once (`not_acknowledged`). Both come from one read of the
 * worklist's open partition per sweep.
 *
 * One sweep at a time (CONTRACT §4): a lease in the table, and every
 * notification claimed before it is published (store/claims.ts).
 *
 * Appointments (CONTRACT §10): the appointments of the redraw orders read
 * (candidates and flagged ones) are read once per sweep, in one batch
 * (BatchGetItem, eventually consistent, like the index). A booked appointment
 * ahead (within APPOINTMENT_GRACE_HOURS after its start) holds no_progress, a
 * flag it holds clears; once its grace passed with the order not moved since
 * its start, the order is flagged `appointment_missed`. Such an order can be
 * due long before its no_progress cutoff, so redraws in progress are read up
 * to the later of the two cutoffs, and of the newer ones only those whose
 * appointment may be missed now (store/redraws.ts readRedrawsInProgressDue).
 * Every notification names the redraw order's appointment (`appointment`).
 */
import { randomUUID } from 'node:crypto';
import { optionalSetting, required } from '../shared/config';
import { errorName, type FlushingMetricSink, type LogSink, type MetricSink } from '../shared/observability';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TableClient } from '../store/table-client';
import * as z from 'zod/mini';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { membersBehindBefore } from '../core/members';
import type { ListingSnapshot } from '../core/order-record';
import { snoozeEndedChange, stateAt, type FollowUp, type FollowUpState } from '../core/follow-up';
import { hasRedrawOrder, staleCutoffs, staleReason, type NotificationReason, type StaleReason, type StaleThresholds } from '../core/staleness';
import type { Appointment } from '../core/appointment';
import { getAppointment, getAppointments } from '../store/appointments';
import type { JunctionApi } from '../junction/api';
import { catchUpPauseMs } from '../core/catch-up-backoff';
import { pauseCatchUp, readBehindTransactions } from '../store/catch-up';
import { claimMessage, markClaimSent, releaseLease, takeLease } from '../store/claims';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { getFollowUp, getFollowUps, openFollowUps } from '../store/follow-ups/reads';
import { awaitsRedrawFailedNotice, awaitsReminder, keepStaleFlagCopy, markAttentionNotified, markReminded, recordSnoozeEnded } from '../store/follow-ups/tracker';
import { getOrder } from '../store/order-reads';
import type { StoredOrder } from '../store/order-items';
import {
  countOpenRedraws,
  flagStale,
  markNotified,
  readOpenRedraws,
  readRedrawsInProgressDue,
  refileOpenRedraw,
  type IndexedOrder,
} from '../store/redraws';
import { CLAIM_SCOPES, OPEN_REDRAW_PARTITIONS } from '../store/table';
import { readTransactionPartition } from '../store/transaction-partition';
import type { Notifier, StaleRedrawNotification } from './notifier';
import { createJunctionSession, type CatchUpRead, type JunctionSession } from './reconcile';
import { DEFAULT_SYNC, runSync, type SyncOutcome, type SyncSettings } from './sync';
import { RECONCILE_METRICS, SERVICES, SWEEP_METRICS, SYNC_METRICS } from '../shared/metric-names';
import { raceTimer } from '../shared/timer-race';

export { RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS };

export const SWEEP_SERVICE_NAME = SERVICES.staleRedrawSweep;

export { ThresholdsEnv, thresholdsOf } from '../shared/thresholds-env';

/** Catch-up settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const ReconcileEnv = z.object({
  /** A member behind its listing for longer than this is read from the API (Svix delivers most retries well within it). */
  RECONCILE_AFTER_MINUTES: z._default(z.coerce.number().check(z.positive(), z.maximum(525_600)), 60),
  /** Catch-up reads per sweep at most (verification reads of flag candidates are not capped). */
  RECONCILE_MAX_PER_SWEEP: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000)), 100),
});

export interface ReconcileSettings {
  afterMinutes: number;
  maxPerSweep: number;
}

export const DEFAULT_RECONCILE: ReconcileSettings = { afterMinutes: 60, maxPerSweep: 100 };

/** Continuous sync settings (CONTRACT §6), checked at start; they matter only with a Junction API key. */
export const SyncEnv = z.object({
  /** How far back the first sync reaches (older orders are the backfill's). */
  SYNC_LOOKBACK_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(8760)), 24),
  /** Longest time one sweep spends on the sync; a backlog is worked off over as many sweeps as it takes. */
  SYNC_MAX_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(840)), 120),
});

/**
 * The sweep's lease (CONTRACT §4): one sweep at a time. On AWS it ends the
 * sweep's Lambda timeout after it was taken (the stack passes its own timeout:
 * SWEEP_TIMEOUT_SECONDS), so a sweep that died holds it no longer than Lambda
 * would have let it run.
 */
export const LeaseEnv = z.object({
  SWEEP_TIMEOUT_SECONDS: z.pipe(required(), z.coerce.number<string>().check(z.int(), z.minimum(1), z.maximum(900))),
});

/** The lease's length when none is given (`npm start`, tests): the deployed sweep's timeout (lib/table-bound-function.ts TIMEOUTS.sweep). */
export const DEFAULT_SWEEP_LEASE_SECONDS = 300;

/** The lease's name (its item is `LEASE#sweep`, store/claims.ts). */
export const SWEEP_LEASE = 'sweep';

/** The lease's length in seconds from parsed settings (see LeaseEnv). */
export function leaseSecondsOf(env: z.output<typeof LeaseEnv>): number {
  return env.SWEEP_TIMEOUT_SECONDS;
}

/** Follow-up settings (CONTRACT §9), checked at start. */
export const FollowUpEnv = z.object({
  /**
   * Opt-in: a follow-up still `new` this many hours after it opened is notified
   * once (`not_acknowledged`). Unset (or empty): no reminder.
   */
  FOLLOW_UP_ACK_HOURS: optionalSetting(z.coerce.number().check(z.positive(), z.maximum(8760))),
});

/** The not_acknowledged reminder's delay in hours, or null when off (see FollowUpEnv). */
export function followUpAckHoursOf(env: z.output<typeof FollowUpEnv>): number | null {
  return env.FOLLOW_UP_ACK_HOURS ?? null;
}

/** Sync settings from parsed settings (see SyncEnv). */
export function syncOf(env: z.output<typeof SyncEnv>): SyncSettings {
  return { lookbackHours: env.SYNC_LOOKBACK_HOURS, maxSeconds: env.SYNC_MAX_SECONDS };
}

/** Catch-up settings from parsed settings (see ReconcileEnv). */
export function reconcileOf(env: z.output<typeof ReconcileEnv>): ReconcileSettings {
  return { afterMinutes: env.RECONCILE_AFTER_MINUTES, maxPerSweep: env.RECONCILE_MAX_PER_SWEEP };
}

export interface SweepInput {
  db: TableClient;
  tableName: string;
  now: Date;
  thresholds: StaleThresholds;
  notifier: Notifier;
  logger: LogSink;
  metrics: MetricSink;
  /** Junction's API (CONTRACT §6); null or absent: no reconciliation, and no request to Junction. */
  junction?: JunctionApi | null;
  /** Catch-up settings (default DEFAULT_RECONCILE). */
  reconcile?: ReconcileSettings;
  /** Continuous sync settings (default DEFAULT_SYNC). */
  sync?: SyncSettings;
  /** FOLLOW_UP_ACK_HOURS (CONTRACT §9): null or absent, no not_acknowledged reminder. */
  followUpAckHours?: number | null;
  /** Milliseconds since the sweep started (monotonic; default from performance.now()): bounds the sync. */
  elapsedMs?: () => number;
  /**
   * Milliseconds left for this invocation (Lambda's context, or a configured
   * budget), if known: Junction gets a deadline STALE_RULES_RESERVE_MS before
   * the end, and no step starts with less than STEP_MARGIN_MS left.
   */
  timeLeft?: () => number;
  /** Epoch milliseconds (default Date.now): the clock of Junction's deadline, the Junction client's own. */
  wallClock?: () => number;
  /** How long the sweep's lease lasts (s; default DEFAULT_SWEEP_LEASE_SECONDS): the sweep's timeout on AWS. */
  leaseSeconds?: number;
  /** This sweep's id: its lease's and its claims' holder (default: a random UUID). */
  sweepId?: string;
}

export interface SweepResult {
  /** Orders read from the open-redraws index (due candidates and flagged ones). */
  examined: number;
  /** Flags set by this sweep (each notified at once, or left pending for the next sweep). */
  flagged: number;
  /** Orders taken out of the flagged or awaiting partition because they are no longer stale or awaiting. */
  cleared: number;
  /** Orders whose stored state an API read replaced in this sweep (0 without a Junction API key). */
  reconciled: number;
  /** Orders this sweep's sync read from Junction (0 without a Junction API key). */
  synced: number;
  /** True when another sweep held the lease: this one did nothing (every count 0). */
  skipped: boolean;
}

/** What a sweep that found the lease held answers. */
export const SKIPPED_SWEEP: Readonly<SweepResult> = Object.freeze({ examined: 0, flagged: 0, cleared: 0, reconciled: 0, synced: 0, skipped: true });

/** Thrown after a sweep in which some orders failed unexpectedly (DynamoDB; the others were swept), never for Junction's failures. */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Times a reminder's marker is tried again after a lost race (each loss means another write to the follow-up). */
const REMINDER_MARK_RACES = 3;
/** Candidates handled at once: enough to overlap round trips, few enough to stay polite to the table. */
const CONCURRENCY = 8;
/** Catch-up reads in flight at once: polite to Junction's API. */
const JUNCTION_CONCURRENCY = 4;
const MINUTE_MS = 60_000;

/**
 * Junction's deadline is this long before the invocation's end (CONTRACT §4,
 * §6): whatever Junction answers, the stale rules keep this much time for
 * themselves (DynamoDB and SNS only: candidates verified by Junction until its
 * deadline are flagged by §4 alone after it).
 */
export const STALE_RULES_RESERVE_MS = 90_000;
/**
 * A step (the sync, the catch-up, a candidate, a notification) starts only with
 * at least this much time left: a step's longest run with the SDK clients' own
 * timeouts (a notification is bounded by NOTIFY_TIMEOUT_MS), plus the final
 * count and the metrics. Below it the sweep stops cleanly and the next one goes on.
 */
export const STEP_MARGIN_MS = 45_000;
/**
 * The longest wait for one notification. The SNS client ends a hanging request
 * well before (SNS_CLIENT_CONFIG's timeouts); this bounds any other notifier. A
 * notification given up on is aborted and stays pending.
 */
export const NOTIFY_TIMEOUT_MS = 30_000;
/** Failed notifications in a row after which a sweep sends no more (the rest stay pending for the next sweep). */
export const NOTIFICATION_FAILURES_IN_A_ROW_LIMIT = 3;

/**
 * One sweep at `now`.
 *
 * Steps, each started only while enough time is left (STEP_MARGIN_MS; else the
 * sweep stops cleanly, emits SweepStoppedEarly = 1, and the next sweep goes on):
 * the sync and the catch-up (with a key), then the stale rules: the flags of
 * earlier sweeps whose notification is still pending (sent oldest first, or
 * cleared if they no longer hold), the due candidates (each flagged, then
 * notified at once), and the other flags (cleared if they no longer hold).
 *
 * One sweep at a time: it first takes the sweep's lease (LEASE#sweep, for
 * SWEEP_TIMEOUT_SECONDS); a sweep that finds it held ends at once, `skipped`
 * (SweepSkipped = 1). The lease is released at the end, whatever happened.
 *
 * Notifications: a flag is written with a "notification pending" marker,
 * removed once SNS accepted the message; a notification that fails stays
 * pending (the flag stays, so no `redraw.stale_cleared`/`redraw.stale` pair),
 * and every sweep sends what is pending. Every notification (alerts, the
 * not_acknowledged reminders) is claimed before it is handed to SNS and the
 * claim marked after (store/claims.ts): a claim that is not marked is left to
 * its sweep for 15 minutes, then sent again. So the one duplicate is a crash
 * (or a lost answer) between SNS's acceptance and the claim's mark, and it
 * repeats the message once, 15 minutes or more later; a notification the
 * notifier refused is tried again by the first sweep 15 minutes after its
 * claim. A flag that clears before its notification went out is not
 * notified: it no longer asks for action.
 *
 * It throws (SweepError, after its metrics) only when orders could not be
 * swept for the table's sake (DynamoDB); Junction's failures and an early stop
 * never throw, so the schedule's retries never call a rate-limiting Junction again.
 */
export async function runSweep(input: SweepInput): Promise<SweepResult> {
  const { db, tableName, now, logger, metrics } = input;
  const holder = input.sweepId ?? randomUUID();
  const taken = await takeLease(db, tableName, { name: SWEEP_LEASE, holder, now, seconds: input.leaseSeconds ?? DEFAULT_SWEEP_LEASE_SECONDS });
  metrics.addMetric(SWEEP_METRICS.skipped, MetricUnit.Count, taken.taken ? 0 : 1);
  if (!taken.taken) {
    logger.info('sweep skipped: another sweep holds the lease', { held_until: taken.heldUntilMs === null ? null : canonicalFromDate(new Date(taken.heldUntilMs)) });
    return { ...SKIPPED_SWEEP };
  }
  try {
    return await sweepHoldingLease(input, holder);
  } finally {
    try {
      if ((await releaseLease(db, tableName, taken.lease)) === 'lost') logger.warn('sweep lease had ended and was taken by another sweep before this one finished', {});
    } catch (error) {
      // It ends by itself (SWEEP_TIMEOUT_SECONDS after it was taken); until then sweeps are skipped.
      logger.warn('releasing the sweep lease failed: it ends by itself', { error: errorName(error) });
    }
  }
}

/** One sweep, under its lease (runSweep). */
async function sweepHoldingLease(input: SweepInput, sweepId: string): Promise<SweepResult> {
  const { db, tableName, now, thresholds, logger, metrics } = input;
  const since = canonicalFromDate(now);
  const cutoffs = staleCutoffs(now, thresholds);
  const wallClock = input.wallClock ?? Date.now;
  const timeLeft = input.timeLeft ?? (() => Number.POSITIVE_INFINITY);
  const leftAtStart = timeLeft();
  const junctionDeadline = Number.isFinite(leftAtStart) ? wallClock() + leftAtStart - STALE_RULES_RESERVE_MS : undefined;
  const session: JunctionSession | null = input.junction
    ? createJunctionSession({ db, tableName, junction: input.junction, logger, ...(junctionDeadline === undefined ? {} : { deadline: junctionDeadline, clock: wallClock }) })
    : null;

  let stoppedAt: string | null = null;
  /** Whether a step may start now; once one may not, no later step does either. */
  const mayStart = (step: string): boolean => {
    if (stoppedAt !== null) return false;
    const left = timeLeft();
    if (left >= STEP_MARGIN_MS) return true;
    stoppedAt = step;
    logger.warn('sweep time low: stopping cleanly, the next sweep goes on', { step, time_left_ms: Math.max(0, Math.round(left)) });
    return false;
  };

  let failures = 0;
  let catchUpRun: CatchUpRun | null = null;
  let sync: SyncOutcome | null = null;
  // The sync first (CONTRACT §6): the catch-up and the stale rules then work on what it brought.
  if (session !== null && mayStart('sync')) {
    const started = performance.now();
    try {
      sync = await runSync({
        db,
        tableName,
        session,
        now,
        settings: input.sync ?? DEFAULT_SYNC,
        logger,
        elapsedMs: input.elapsedMs ?? (() => performance.now() - started),
        ...(input.timeLeft ? { timeLeft: input.timeLeft } : {}),
      });
      if (sync.stopped === 'apply_failed') failures++;
    } catch (error) {
      failures++;
      logger.error('sync failed', { error: errorName(error) });
    }
  }
  // Catch-up next, so that the candidates read next already show what it repaired.
  if (session !== null && mayStart('catch_up')) {
    try {
      catchUpRun = await catchUp(input, session, mayStart, () => void failures++);
    } catch (error) {
      failures++;
      logger.error('catch-up failed', { error: errorName(error) });
    }
  }

  const read = mayStart('stale_rules')
    ? await Promise.all([
        // With their appointments (CONTRACT §10): an appointment_missed order can be due before its no_progress cutoff.
        readRedrawsInProgressDue(db, tableName, now, thresholds),
        readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.awaitingRedraw, cutoffs.redrawMissingBefore),
        readOpenRedraws(db, tableName, OPEN_REDRAW_PARTITIONS.stale),
      ])
    : null;
  const [inProgressRead, awaiting, flaggedBefore] = read ?? [{ orders: [], appointments: new Map<string, Appointment | null>() }, [], []];
  const inProgress = inProgressRead.orders;

  // The follow-ups of every order read (CONTRACT §9), once, by key and eventually consistent:
  // a person's change of the last moment is honoured by the next sweep.
  const followUps: Map<string, StoredFollowUp> =
    read === null ? new Map() : await getFollowUps(db, tableName, [...inProgress, ...awaiting, ...flaggedBefore].map(followUpIdOf), now);
  /** The order's follow-up as of now (a snooze that has ended is acknowledged), or null. */
  const followUpOf = (order: IndexedOrder): StoredFollowUp | null => {
    const stored = followUps.get(followUpIdOf(order));
    return stored === undefined ? null : { ...stored, followUp: stateAt(stored.followUp, now) };
  };
  // The appointments of the redraw orders read (CONTRACT §10), once, in batches, eventually consistent like the index:
  // those of the redraws in progress came with them; the flagged redraw orders' are read here.
  // Null: read, and none stored.
  const flaggedRedrawIds = flaggedBefore.filter((order) => order.record.origin === 'redraw').map((order) => order.record.id);
  const flaggedAppointments = flaggedRedrawIds.length === 0 ? new Map<string, Appointment>() : await getAppointments(db, tableName, flaggedRedrawIds);
  const appointments = new Map<string, Appointment | null>([
    ...inProgressRead.appointments,
    ...flaggedRedrawIds.map((id): [string, Appointment | null] => [id, flaggedAppointments.get(id) ?? null]),
  ]);
  /** The order's appointment as read by this sweep, or null (none, or not a redraw order). */
  const appointmentOf = (order: Pick<IndexedOrder, 'record'>): Appointment | null => appointments.get(order.record.id) ?? null;
  /** Why the order is stale now (CONTRACT §4, §10), or null. */
  const reasonOf = (order: IndexedOrder, hasRedraw: boolean): StaleReason | null => staleReason(order.record, hasRedraw, now, thresholds, appointmentOf(order));

  /** Why the order is not to be flagged or notified now: its follow-up is closed, or snoozed (until snoozed_until). */
  const heldBy = (order: IndexedOrder): Extract<FollowUpState, 'closed' | 'snoozed'> | null => {
    const state = followUpOf(order)?.followUp.state;
    return state === 'closed' || state === 'snoozed' ? state : null;
  };

  // The transaction function may lag behind the webhook: ask the transaction's
  // partition whether a redraw order is known, once per transaction per sweep.
  const redrawKnown = new Map<string, Promise<boolean>>();
  const transactionHasRedraw = (order: IndexedOrder): Promise<boolean> => {
    const transactionId = order.record.transaction_id;
    if (order.record.origin === 'redraw' || transactionId === null) return Promise.resolve(false);
    let known = redrawKnown.get(transactionId);
    if (!known) {
      known = readTransactionPartition(db, tableName, transactionId).then(({ orders, transaction }) =>
        hasRedrawOrder([
          ...orders.map((member) => member.record).filter((member) => member.id !== order.record.id),
          ...Object.values(transaction?.members ?? {}).filter((member) => member.id !== order.record.id),
        ]),
      );
      redrawKnown.set(transactionId, known);
    }
    return known;
  };

  /**
   * The orders' stale flags as this sweep leaves them (order id to flag, null once cleared): the
   * follow-ups' copies are kept to it at the end (CONTRACT §12, the queues), without another read.
   */
  const flagsNow = new Map<string, { since: string; reason: string } | null>(
    flaggedBefore.map((order): [string, { since: string; reason: string } | null] => [order.record.id, order.stale === null ? null : { since: order.stale.since, reason: order.stale.reason }]),
  );
  let flagged = 0;
  let cleared = 0;
  let staleCleared = 0;
  let notified = 0;
  let notificationFailures = 0;
  let failuresInARow = 0;
  let notificationsStopped = false;
  /** Flags whose notification has not gone out, as this sweep leaves them. */
  let pendingAfter = 0;
  /** Candidates not flagged because their follow-up is snoozed or closed. */
  let heldBack = 0;
  /** Flags cleared because their follow-up is closed, or snoozed. */
  let clearedClosed = 0;
  let clearedSnoozed = 0;
  let reminded = 0;
  /** redraw_failed notices sent (CONTRACT §9). */
  let redrawFailedNotified = 0;
  /** Notifications left to another sweep's fresh claim. */
  let heldByClaim = 0;
  let snoozesEnded = 0;
  /** Follow-ups whose copy of their stale flag this sweep set or cleared (CONTRACT §12). */
  let staleCopies = 0;

  const seenOf = (order: IndexedOrder) => ({ orderId: order.record.id, rank: order.record.rank, partition: order.openRedraw });

  /**
   * Hands one notification to the notifier, bounded by NOTIFY_TIMEOUT_MS:
   * whether it was accepted. A failure is counted; after a few in a row the
   * sweep sends no more.
   */
  const send = async (notification: StaleRedrawNotification): Promise<boolean> => {
    const abort = new AbortController();
    try {
      await withTimeout(input.notifier.notify(notification, { signal: abort.signal }), NOTIFY_TIMEOUT_MS, abort);
      failuresInARow = 0;
      return true;
    } catch (error) {
      notificationFailures++;
      logger.error('stale redraw notification failed: it stays pending for the next sweep', { order_id: notification.order_id, reason: notification.reason, error: errorName(error) });
      if (++failuresInARow >= NOTIFICATION_FAILURES_IN_A_ROW_LIMIT && !notificationsStopped) {
        notificationsStopped = true;
        logger.error('stale redraw notifications keep failing: no more in this sweep, the rest stay pending', { failures_in_a_row: failuresInARow });
      }
      return false;
    }
  };

  /**
   * Publishes one notification under its claim (CONTRACT §4, §9): claimed (a
   * conditional write), handed to the notifier, then the claim marked sent.
   * `sent`: accepted now. `already`: an earlier sweep's message went out (its
   * claim is marked; only the caller's own marker is missing). `held`: another
   * sweep claimed it less than 15 minutes ago (it may be sending it now): left
   * to it, or to the first sweep after the 15 minutes. `failed`: not accepted;
   * the claim stays, since an answer that never came may hide an acceptance,
   * and the first sweep 15 minutes after the claim sends it again.
   */
  const publish = async (key: string, notification: StaleRedrawNotification): Promise<'sent' | 'already' | 'held' | 'failed'> => {
    const claimed = await claimMessage(db, tableName, { scope: CLAIM_SCOPES.notification, key, holder: sweepId, now, keepDays: NOTIFICATION_CLAIM_DAYS });
    if (claimed.kind === 'sent') return 'already';
    if (claimed.kind === 'held') {
      heldByClaim++;
      logger.info('notification claimed by another sweep less than 15 minutes ago: left to it', {
        order_id: notification.order_id,
        reason: notification.reason,
        claimed_at: claimed.claimedAtMs === null ? null : canonicalFromDate(new Date(claimed.claimedAtMs)),
      });
      return 'held';
    }
    if (!(await send(notification))) return 'failed';
    if ((await markClaimSent(db, tableName, claimed.claim, now)) === 'lost') {
      // Ours went stale and another sweep claimed it again: it sends it too (the one repeat a crash may cause).
      logger.warn('notification sent, but its claim was taken over meanwhile', { order_id: notification.order_id, reason: notification.reason });
    }
    return 'sent';
  };

  /**
   * Sends the notification of the flag set at `flagSince` under its claim
   * (publish), then records it sent (removes the flag's pending marker). Not
   * sent (a failure, or another sweep's fresh claim) leaves it pending
   * (counted). A crash between the notifier's acceptance and the claim's mark
   * is the one way it can go out twice: the first sweep 15 minutes after the
   * claim sends it again, once. A crash between the claim's mark and the
   * marker's removal sends nothing again: the next sweep finds it `already`
   * sent and removes the marker.
   */
  const notify = async (order: IndexedOrder, reason: StaleReason, flagSince: string): Promise<void> => {
    if (notificationsStopped || !mayStart('notification')) {
      pendingAfter++;
      return;
    }
    let outcome: Awaited<ReturnType<typeof publish>>;
    try {
      outcome = await publish(alertClaimKey(order.record.id, flagSince), notificationOf(order.record, reason, flagSince, now, followUpOf(order)?.followUp ?? null, appointmentOf(order)));
    } catch (error) {
      pendingAfter++; // still flagged, still pending
      throw error;
    }
    if (outcome === 'failed' || outcome === 'held') {
      pendingAfter++;
      return;
    }
    if (outcome === 'sent') notified++;
    try {
      if ((await markNotified(db, tableName, order.record.id, flagSince)) === 'lost') {
        logger.debug('notification sent for a flag that cleared meanwhile', { order_id: order.record.id });
      }
    } catch (error) {
      pendingAfter++;
      throw error;
    }
  };

  /**
   * Verify before flagging (CONTRACT §6): read the candidate (and, for
   * redraw_not_created, its transaction) from Junction, apply what is newer, and
   * say what is still stale. Null: nothing to flag any more. When Junction gives
   * nothing usable, the candidate stands as read (§4).
   */
  const verify = async (
    order: IndexedOrder,
    reason: StaleReason,
    hasRedraw: boolean,
  ): Promise<{ order: IndexedOrder; reason: StaleReason } | null> => {
    if (session === null) return { order, reason };
    const orderId = order.record.id;
    const transactionId = order.record.transaction_id;
    // The candidate as read: a current order costs the verification no refused write.
    const applied = await session.reconcileOrder(orderId, { record: order.record, listing: order.listing });
    const transactionRead =
      reason === 'redraw_not_created' && transactionId !== null
        ? await session.reconcileTransaction(transactionId, order.record.collection_method)
        : null;
    if (applied === null && transactionRead === null) return { order, reason };

    const redrawNow =
      hasRedraw ||
      listingHasRedraw(applied?.listing ?? null, orderId) ||
      hasRedrawOrder(otherMembers(applied?.recompute?.transaction.members, orderId)) ||
      hasRedrawOrder(otherMembers(transactionRead?.transaction.members, orderId));
    if (redrawNow && transactionId !== null && order.record.origin !== 'redraw') redrawKnown.set(transactionId, Promise.resolve(true));
    // What is stored now (strongly consistent): the API's state, or a newer one, with its partition.
    const current = await getOrder(db, tableName, orderId);
    if (current === null) return null;
    const partition = current.openRedraw;
    if (partition === null || partition === OPEN_REDRAW_PARTITIONS.stale) return null; // left the index, or flagged meanwhile
    const currentOrder: IndexedOrder = { ...current, openRedraw: partition, notificationPending: false };
    const stillStale = staleReason(current.record, redrawNow, now, thresholds, appointmentOf(order));
    if (stillStale === null) {
      if (redrawNow && (await refileOpenRedraw(db, tableName, seenOf(currentOrder), current.record, true)) === 'written') cleared++;
      return null;
    }
    return { order: currentOrder, reason: stillStale };
  };

  const sweepCandidate = async (candidate: IndexedOrder): Promise<void> => {
    // A person is on it (snoozed until a date) or closed it: not flagged (CONTRACT §9), not even verified.
    if (heldBy(candidate) !== null) {
      heldBack++;
      return;
    }
    const hasRedraw = await transactionHasRedraw(candidate);
    const candidateReason = reasonOf(candidate, hasRedraw);
    if (candidateReason === null) {
      // Not stale after all: its redraw order is known by now (the index was not updated yet).
      if (hasRedraw && (await refileOpenRedraw(db, tableName, seenOf(candidate), candidate.record, hasRedraw)) === 'written') cleared++;
      return;
    }
    const verified = await verify(candidate, candidateReason, hasRedraw);
    if (verified === null) return;
    const { order, reason } = verified;
    if ((await flagStale(db, tableName, seenOf(order), { since, reason })) === 'lost') {
      logger.debug('stale flag not set: the order moved on or is flagged already', { order_id: order.record.id });
      return;
    }
    flagged++;
    flagsNow.set(order.record.id, { since, reason });
    await notify(order, reason, since);
  };

  /**
   * Clears a flag that no longer holds (the order is no longer stale, or its
   * follow-up is closed or snoozed: CONTRACT §9, an order of a snoozed
   * follow-up is not flagged before the snooze ends, so a flag from before the
   * snooze clears too, and the order is flagged again, as a new episode, if
   * nothing moved by then); true when it no longer holds.
   */
  const clearIfOver = async (order: IndexedOrder): Promise<boolean> => {
    const hasRedraw = await transactionHasRedraw(order);
    const held = heldBy(order);
    if (held === null && reasonOf(order, hasRedraw) !== null) return false;
    // Cleared now, or by whatever moved the order meanwhile (the refile then loses its race).
    flagsNow.set(order.record.id, null);
    // Cleared for its follow-up: noted on the item, so that redraw.stale_cleared says why (CONTRACT §7 cleared_by).
    const note = held !== null && order.stale !== null ? { since: order.stale.since, by: held } : undefined;
    if ((await refileOpenRedraw(db, tableName, seenOf(order), order.record, hasRedraw, note)) === 'written') {
      cleared++;
      staleCleared++;
      if (held !== null) {
        if (held === 'closed') clearedClosed++;
        else clearedSnoozed++;
        logger.info('stale flag cleared', { order_id: order.record.id, follow_up_id: followUpIdOf(order), reason: `follow_up_${held}` });
      }
    }
    return true;
  };

  /** A flag of an earlier sweep whose notification has not gone out: sent if the flag still holds. */
  const sendPending = async (order: IndexedOrder): Promise<void> => {
    if (!mayStart('notification')) {
      pendingAfter++;
      return;
    }
    if (order.stale === null) return;
    let over: boolean;
    try {
      over = await clearIfOver(order);
    } catch (error) {
      pendingAfter++; // still flagged, still pending
      throw error;
    }
    if (over) return;
    await notify(order, order.stale.reason, order.stale.since);
  };

  /**
   * The not_acknowledged reminder of one follow-up (CONTRACT §9,
   * FOLLOW_UP_ACK_HOURS): read again strongly consistently (the worklist index
   * may lag a person's acknowledgement), sent, then marked. The marker is
   * written only after the notifier accepted it, so a failed notification is
   * tried again by the next sweep; a lost race on the marker (another write to
   * the follow-up) reads it again and marks it while it is still new and
   * unmarked. The one way a reminder goes out twice: the sweep stops (or
   * DynamoDB fails) between the notifier's acceptance and the marker.
   */
  const remind = async (listed: StoredFollowUp, openedBefore: string): Promise<void> => {
    if (notificationsStopped || !mayStart('notification')) return;
    const due = (stored: StoredFollowUp | null): stored is StoredFollowUp =>
      stored !== null && stateAt(stored.followUp, now).state === 'new' && stored.remindedAt === null && stored.followUp.opened_at < openedBefore;
    const stored = await getFollowUp(db, tableName, listed.followUp.id, now);
    if (!due(stored)) return;
    const { followUp } = stored;
    const orderId = stored.redraw?.orderId ?? followUp.redraw_order_id ?? followUp.initial_order_id;
    const order = orderId === null ? null : await getOrder(db, tableName, orderId);
    if (order === null) {
      logger.debug('follow-up without a stored order: no reminder', { follow_up_id: followUp.id });
      return;
    }
    // The reminder names the redraw order's appointment too: as this sweep read it, else one read.
    const appointment =
      order.record.origin !== 'redraw' ? null : appointments.has(order.record.id) ? appointmentOf(order) : await getAppointment(db, tableName, order.record.id);
    const outcome = await publish(reminderClaimKey(followUp.id), notificationOf(order.record, 'not_acknowledged', since, now, followUp, appointment));
    if (outcome === 'failed' || outcome === 'held') return;
    if (outcome === 'sent') {
      notified++;
      reminded++;
    }
    if (!(await markSent(stored, due, (current) => markReminded(db, tableName, current, since)))) {
      logger.warn('reminder sent but not marked: the next sweep may send it again', { follow_up_id: followUp.id });
    }
  };

  /**
   * Marks a follow-up's notice sent (its marker on the item), read again after
   * each lost race (another write of the follow-up) while the notice is still
   * due; false when every try lost.
   */
  const markSent = async (
    sent: StoredFollowUp,
    due: (stored: StoredFollowUp | null) => stored is StoredFollowUp,
    mark: (stored: StoredFollowUp) => Promise<'written' | 'lost'>,
  ): Promise<boolean> => {
    let stored: StoredFollowUp | null = sent;
    for (let race = 0; race < REMINDER_MARK_RACES; race++) {
      if ((await mark(stored)) === 'written') return true;
      stored = await getFollowUp(db, tableName, sent.followUp.id, now);
      if (!due(stored)) return true;
    }
    return false;
  };

  /**
   * The redraw_failed notice of one follow-up (CONTRACT §9): its redraw order
   * ended otherwise than completed, it stays open with `attention`, and a
   * person decides what happens next. Read again strongly consistently (the
   * worklist may lag a person's close), sent under its claim (one per
   * follow-up and failed redraw order), then marked on the follow-up (`an`), as
   * the reminder is. The claim also covers a marker that a later write of the
   * follow-up did not keep: the next sweep finds the claim sent and only marks
   * it again. The one way it goes out twice: a crash between the notifier's
   * acceptance and the claim's mark (sent again 15 minutes later, once).
   */
  const noticeFailedRedraw = async (listed: StoredFollowUp): Promise<void> => {
    if (notificationsStopped || !mayStart('notification')) return;
    const due = (stored: StoredFollowUp | null): stored is StoredFollowUp => stored !== null && awaitsRedrawFailedNotice(stored, now);
    const stored = await getFollowUp(db, tableName, listed.followUp.id, now);
    if (!due(stored)) return;
    const followUp = stateAt(stored.followUp, now);
    // The order that failed: the redraw order, or (a transaction that ended without one) the initial order.
    const orderId = followUp.redraw_order_id ?? followUp.initial_order_id;
    const order = orderId === null ? null : await getOrder(db, tableName, orderId);
    if (orderId === null || order === null) {
      logger.debug('follow-up without a stored order: no redraw_failed notice', { follow_up_id: followUp.id });
      return;
    }
    const outcome = await publish(redrawFailedClaimKey(followUp.id, orderId), notificationOf(order.record, 'redraw_failed', since, now, followUp, null));
    if (outcome === 'failed' || outcome === 'held') return;
    if (outcome === 'sent') {
      notified++;
      redrawFailedNotified++;
    }
    if (!(await markSent(stored, due, (current) => markAttentionNotified(db, tableName, current, since)))) {
      logger.warn('redraw_failed notice sent but not marked: the next sweep marks it (its claim says it went out)', { follow_up_id: followUp.id });
    }
  };

  const guarded = (step: string, work: (order: IndexedOrder) => Promise<void>) => async (order: IndexedOrder) => {
    if (step !== 'notification' && !mayStart(step)) return;
    try {
      await work(order);
    } catch (error) {
      failures++;
      logger.error('sweeping an order failed', { order_id: order.record.id, error: errorName(error) });
    }
  };
  const pendingBefore = flaggedBefore.filter((order) => order.notificationPending).sort(bySince);
  await forEachLimited(pendingBefore, CONCURRENCY, guarded('notification', sendPending));
  await forEachLimited([...inProgress, ...awaiting], CONCURRENCY, guarded('candidate', sweepCandidate));
  await forEachLimited(
    flaggedBefore.filter((order) => !order.notificationPending),
    CONCURRENCY,
    guarded('flagged', async (order) => void (await clearIfOver(order))),
  );
  // The follow-ups' own notices (CONTRACT §9), after the stale rules, from one read of the open worklist:
  // each failed redraw (attention redraw_failed) first, then the opt-in not_acknowledged reminders.
  const ackHours = input.followUpAckHours ?? null;
  if (read !== null && mayStart('follow_up_notices')) {
    const openedBefore = ackHours === null ? null : canonicalFromDate(new Date(now.getTime() - ackHours * HOUR_MS));
    try {
      const open = await openFollowUps(db, tableName, now);
      const each = async (listed: StoredFollowUp[], work: (stored: StoredFollowUp) => Promise<void>, what: string) =>
        forEachLimited(listed, CONCURRENCY, async (stored) => {
          try {
            await work(stored);
          } catch (error) {
            failures++;
            logger.error(what, { follow_up_id: stored.followUp.id, error: errorName(error) });
          }
        });
      // A snooze that ended is the tracker's version (CONTRACT §9: the first write after snoozed_until, the
      // sweep's or an action's, records snooze_ended), so the history says when it came back to the team.
      await each(
        open.filter((stored) => snoozeEndedChange(stored.followUp, stored.last ?? null, now) !== null),
        async (stored) => {
          if ((await recordSnoozeEnded(db, tableName, stored, now, thresholds)) === 'written') snoozesEnded++;
        },
        'recording an ended snooze failed',
      );
      await each(
        open.filter((stored) => awaitsRedrawFailedNotice(stored, now)),
        noticeFailedRedraw,
        'notifying a failed redraw failed',
      );
      if (openedBefore !== null) {
        await each(
          open.filter((stored) => awaitsReminder(stored, openedBefore)),
          (stored) => remind(stored, openedBefore),
          'reminding of a follow-up failed',
        );
      }
      // Last, the queues' copy of each open follow-up's stale flag (CONTRACT §12): a write only where it differs.
      await each(
        open,
        async (stored) => {
          if (await keepStaleFlagCopy(db, tableName, stored, flagsNow, now)) staleCopies++;
        },
        'keeping a follow-up\'s stale flag copy failed',
      );
    } catch (error) {
      failures++;
      logger.error('reading open follow-ups failed', { error: errorName(error) });
    }
  }

  const counts = read === null ? null : await countOpenRedraws(db, tableName);
  metrics.addMetric(SWEEP_METRICS.flagged, MetricUnit.Count, flagged);
  metrics.addMetric(SWEEP_METRICS.notificationFailures, MetricUnit.Count, notificationFailures);
  metrics.addMetric(SWEEP_METRICS.stoppedEarly, MetricUnit.Count, stoppedAt === null ? 0 : 1);
  // The stale rules' own figures, when they ran (from this sweep's reads and writes: the index may not show its writes yet).
  const openNow = counts === null ? null : counts[OPEN_REDRAW_PARTITIONS.redrawInProgress] + counts[OPEN_REDRAW_PARTITIONS.awaitingRedraw] + counts[OPEN_REDRAW_PARTITIONS.stale];
  if (openNow !== null) {
    metrics.addMetric(SWEEP_METRICS.stale, MetricUnit.Count, flaggedBefore.length - staleCleared + flagged);
    metrics.addMetric(SWEEP_METRICS.open, MetricUnit.Count, openNow);
    metrics.addMetric(SWEEP_METRICS.notificationsPending, MetricUnit.Count, pendingAfter);
  }

  const junction = session?.stats() ?? null;
  if (junction !== null) {
    // Real failures only: an answer that did not improve a behind member (404 included) is Junction lagging its listing, counted apart.
    const readFailures = junction.failures.unavailable + junction.failures.invalid_answer;
    metrics.addMetric(RECONCILE_METRICS.reconciled, MetricUnit.Count, junction.reconciled);
    metrics.addMetric(RECONCILE_METRICS.failures, MetricUnit.Count, readFailures);
    metrics.addMetric(RECONCILE_METRICS.unavailable, MetricUnit.Count, junction.failures.unavailable);
    metrics.addMetric(RECONCILE_METRICS.invalidAnswers, MetricUnit.Count, junction.failures.invalid_answer);
    metrics.addMetric(RECONCILE_METRICS.notFound, MetricUnit.Count, junction.failures.not_found);
    metrics.addMetric(RECONCILE_METRICS.unauthorized, MetricUnit.Count, junction.unauthorized);
    metrics.addMetric(RECONCILE_METRICS.requests, MetricUnit.Count, junction.requests);
    metrics.addMetric(RECONCILE_METRICS.behind, MetricUnit.Count, catchUpRun?.due ?? 0);
    metrics.addMetric(RECONCILE_METRICS.notImproved, MetricUnit.Count, catchUpRun?.notImproved ?? 0);
    if (sync !== null) {
      metrics.addMetric(SYNC_METRICS.synced, MetricUnit.Count, sync.synced);
      metrics.addMetric(SYNC_METRICS.applied, MetricUnit.Count, sync.applied);
      metrics.addMetric(SYNC_METRICS.lagSeconds, MetricUnit.Seconds, sync.lagSeconds);
      metrics.addMetric(SYNC_METRICS.invalid, MetricUnit.Count, sync.invalid);
      metrics.addMetric(SYNC_METRICS.skipped, MetricUnit.Count, sync.skipped);
    }
  }

  const result: SweepResult = {
    examined: inProgress.length + awaiting.length + flaggedBefore.length,
    flagged,
    cleared,
    reconciled: (junction?.reconciled ?? 0) + (sync?.applied ?? 0),
    synced: sync?.synced ?? 0,
    skipped: false,
  };
  logger.info('stale redraw sweep done', {
    ...result,
    notified,
    reminded,
    redraw_failed_notified: redrawFailedNotified,
    held_back_by_follow_up: heldBack,
    cleared_follow_up_closed: clearedClosed,
    cleared_follow_up_snoozed: clearedSnoozed,
    snoozes_ended: snoozesEnded,
    stale_flag_copies: staleCopies,
    notification_failures: notificationFailures,
    notifications_held_by_claim: heldByClaim,
    notifications_pending: read === null ? null : pendingAfter,
    stopped_early_at: stoppedAt,
    failures,
    open_redraws: openNow,
    ...(junction === null
      ? {}
      : {
          junction_requests: junction.requests,
          junction_failures: junction.failures,
          junction_unauthorized: junction.unauthorized,
          junction_stopped: junction.stopped,
          behind: catchUpRun?.due ?? 0,
          catch_up_not_improved: catchUpRun?.notImproved ?? 0,
          catch_up_paused: catchUpRun?.paused ?? 0,
          sync_stopped: sync?.stopped ?? null,
          sync_skipped: sync?.skipped ?? null,
          sync_lag_seconds: sync?.lagSeconds ?? null,
        }),
  });
  if (failures > 0) throw new SweepError(`${failures} order(s) could not be swept`);
  return result;
}

/** Days a notification's claim is kept (TTL): long after any sweep could send it again. */
export const NOTIFICATION_CLAIM_DAYS = 35;

/** The claim of a stale flag's notification: one per order and flag (its `since`). */
export function alertClaimKey(orderId: string, flagSince: string): string {
  return `alert#${orderId}#${flagSince}`;
}

/** The claim of a follow-up's not_acknowledged reminder: one per follow-up (CONTRACT §9). */
export function reminderClaimKey(followUpId: string): string {
  return `not_acknowledged#${followUpId}`;
}

/** The claim of a follow-up's redraw_failed notice: one per follow-up and failed order (Junction supports one redraw per transaction). */
export function redrawFailedClaimKey(followUpId: string, orderId: string): string {
  return `redraw_failed#${followUpId}#${orderId}`;
}

/** Oldest flag first (its `since`), then by order id. */
function bySince(a: IndexedOrder, b: IndexedOrder): number {
  const [ka, kb] = [`${a.stale?.since ?? ''}#${a.record.id}`, `${b.stale?.since ?? ''}#${b.record.id}`];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Settles as `promise`, or rejects (and aborts) after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, abort: AbortController): Promise<T> {
  return raceTimer(promise, ms, () => {
    const error = new Error(`no answer within ${ms} ms`);
    error.name = 'NotificationTimeout';
    abort.abort(error);
    throw error;
  });
}

/** What one catch-up did. */
interface CatchUpRun {
  /** Members due (behind their listings for longer than RECONCILE_AFTER_MINUTES, not paused). */
  due: number;
  /** Reads whose answer did not improve the member (older or the same state, or 404). */
  notImproved: number;
  /** Transactions paused because none of their read members improved. */
  paused: number;
}

/**
 * Catch-up (CONTRACT §6): reads from Junction the members whose own state has
 * been behind what a listing showed for them for longer than
 * RECONCILE_AFTER_MINUTES (by Junction's status times, never our clock), the
 * longest behind first, at most RECONCILE_MAX_PER_SWEEP, each once. A
 * transaction none of whose due members Junction improved (older or the same
 * state, 404) is paused (1 h, doubling to 24 h: core/catch-up-backoff.ts), so it
 * does not stay first forever and the members behind it get read; a read that
 * failed (unavailable, invalid) pauses nothing: the next sweep reads it again.
 */
async function catchUp(input: SweepInput, session: JunctionSession, mayStart: (step: string) => boolean, onFailure: () => void): Promise<CatchUpRun> {
  const { db, tableName, now, logger } = input;
  const settings = input.reconcile ?? DEFAULT_RECONCILE;
  const afterMs = settings.afterMinutes * MINUTE_MS;
  const before = canonicalFromDate(new Date(now.getTime() - afterMs));
  const transactions = await readBehindTransactions(db, tableName, before, settings.maxPerSweep);
  const dueOf = new Map(transactions.map((behind) => [behind, membersBehindBefore(Object.values(behind.transaction.members), before).map((member) => member.id)]));
  const due = [...new Set([...dueOf.values()].flat())];
  const reading = due.slice(0, settings.maxPerSweep);
  if (due.length > reading.length) logger.info('catch-up capped: the rest waits for the next sweep', { due: due.length, reading: reading.length });
  const outcomes = new Map<string, CatchUpRead>();
  await forEachLimited(reading, JUNCTION_CONCURRENCY, async (orderId) => {
    if (!mayStart('catch_up')) return;
    try {
      outcomes.set(orderId, await session.catchUpOrder(orderId));
    } catch (error) {
      logger.error('applying an api read failed', { order_id: orderId, error: errorName(error) });
      onFailure();
    }
  });
  const notImproved = [...outcomes.values()].filter((outcome) => outcome === 'not_improved').length;
  let paused = 0;
  for (const [behind, members] of dueOf) {
    if (members.length === 0 || !members.every((id) => outcomes.get(id) === 'not_improved')) continue;
    const reads = behind.notImprovedReads + 1;
    const nextTry = now.getTime() + catchUpPauseMs(reads);
    try {
      const written = await pauseCatchUp(db, tableName, behind.transaction, { notImprovedReads: reads, sortFrom: canonicalFromDate(new Date(nextTry - afterMs)) });
      if (written === 'written') paused++;
    } catch (error) {
      // Not pausing costs one more read next sweep, nothing else.
      logger.warn('pausing a catch-up failed', { transaction_id: behind.transaction.id, error: errorName(error) });
    }
  }
  return { due: due.length, notImproved, paused };
}

function listingHasRedraw(listing: ListingSnapshot | null, orderId: string): boolean {
  return listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== orderId));
}

function otherMembers(members: Readonly<Record<string, { id: string; origin: string | null }>> | undefined, orderId: string) {
  return Object.values(members ?? {}).filter((member) => member.id !== orderId);
}

/** The follow-up an order belongs to (CONTRACT §9): its transaction's, or its own for an order without one. */
function followUpIdOf(order: IndexedOrder): string {
  return order.record.transaction_id ?? order.record.id;
}

function notificationOf(
  record: StoredOrder['record'],
  reason: NotificationReason,
  since: string,
  now: Date,
  followUp: FollowUp | null,
  appointment: Appointment | null,
): StaleRedrawNotification {
  return {
    order_id: record.id,
    transaction_id: record.transaction_id,
    reason,
    status: record.status,
    low_level_status: record.low_level_status,
    days_waiting: Math.floor((now.getTime() - instantMillis(record.status_time)) / DAY_MS),
    since,
    status_time: record.status_time,
    follow_up:
      followUp === null
        ? null
        : {
            id: followUp.id,
            state: followUp.state,
            owner: followUp.owner,
            contact_attempts: followUp.contact_attempts,
            opened_at: followUp.opened_at,
            version: followUp.version,
            // What the team recorded (enums, a time, its own reference): never free text.
            reference: followUp.reference,
            last_contact: followUp.last_contact,
            snoozed_until: followUp.snoozed_until,
            snooze_reason: followUp.snooze_reason,
          },
    // The redraw order's appointment (CONTRACT §10): an id, a time and a status, never more.
    appointment: appointment === null ? null : { id: appointment.id, start_at: appointment.start_at, status: appointment.status },
  };
}



export interface SweepHandlerDeps extends Omit<SweepInput, 'now' | 'metrics' | 'junction' | 'timeLeft' | 'elapsedMs'> {
  metrics: FlushingMetricSink;
  /** The sweep's clock; injectable so tests need no waiting. */
  clock?: () => Date;
  /**
   * Junction's API, or a provider asked once per sweep (so a key set after the
   * start is picked up); null or absent: no reconciliation, no request to Junction.
   */
  junction?: JunctionApi | null | (() => Promise<JunctionApi | null>);
  /** A time budget per sweep (ms) when the invocation gives none (no Lambda context, e.g. locally); absent: none. */
  budgetMs?: number;
}

/**
 * The sweep's entry: one sweep per invocation (an EventBridge schedule on AWS,
 * a timer or `POST /local/sweep` locally). The event carries nothing it needs;
 * Lambda's context (or `budgetMs`), when given, bounds the sweep: Junction's
 * deadline and the steps' start (runSweep). Metrics are flushed in every case.
 */
export function createSweepHandler(deps: SweepHandlerDeps): (event?: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<SweepResult> {
  const clock = deps.clock ?? (() => new Date());
  const wallClock = deps.wallClock ?? Date.now;
  const { junction, budgetMs, ...rest } = deps;
  return async (_event, context) => {
    try {
      const startedAt = wallClock();
      const timeLeft = context ? () => context.getRemainingTimeInMillis() : budgetMs === undefined ? undefined : () => budgetMs - (wallClock() - startedAt);
      return await runSweep({
        ...rest,
        junction: await resolveJunction(junction, deps.logger, deps.metrics),
        now: clock(),
        ...(timeLeft ? { timeLeft } : {}),
      });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/**
 * The Junction client for this sweep. When its provider fails (the key secret
 * cannot be read, or holds something that is not a key), this sweep goes on
 * without reconciliation (the stale rules run as without a key) and says so:
 * an error log and JunctionKeyUnusable = 1 (alarmed); 0 while the key is usable
 * or the secret holds the placeholder (reconciliation off by choice).
 */
async function resolveJunction(junction: SweepHandlerDeps['junction'], logger: LogSink, metrics: MetricSink): Promise<JunctionApi | null> {
  if (typeof junction !== 'function') return junction ?? null;
  try {
    const api = await junction();
    metrics.addMetric(RECONCILE_METRICS.keyUnusable, MetricUnit.Count, 0);
    return api;
  } catch (error) {
    metrics.addMetric(RECONCILE_METRICS.keyUnusable, MetricUnit.Count, 1);
    logger.error('junction api key unusable: sweeping without reconciliation', { setting: 'JUNCTION_API_KEY_SECRET_ARN', error: secretErrorName(error) });
    return null;
  }
}

/**
 * What a log may say of a failed key secret: the SDK's error behind Powertools'
 * GetParameterError (`AccessDeniedException`, `ResourceNotFoundException`), or
 * `ConfigError` for a secret that holds no key; never a message or a value.
 */
export function secretErrorName(error: unknown): string {
  return error instanceof Error && error.cause instanceof Error ? errorName(error.cause) : errorName(error);
}
