/**
 * How the sweep sends its notices (CONTRACT §4, §9): every notification (the
 * stale flags' alerts, the attention notices, the not_acknowledged
 * reminders) is claimed before it is handed to the notifier and the claim
 * marked after (store/claims.ts): a claim that is not marked is left to its
 * sweep for 15 minutes, then sent again. So the one duplicate is a crash (or a
 * lost answer) between the notifier's acceptance and the claim's mark, and it
 * repeats the message once, 15 minutes or more later. An alert that carries a
 * follow-up's chat buttons marks that follow-up alerted once SNS accepted it
 * (CONTRACT §9: a button acts only on a follow-up that was notified). Each
 * notification is bounded by NOTIFY_TIMEOUT_MS; after a few failures in a row
 * the sweep sends no more (the rest stay pending for the next sweep).
 */
import type { Appointment } from '../../core/appointment';
import type { Attention } from '../../core/attention';
import type { FollowUp } from '../../core/follow-up/states';
import { canonicalFromDate, instantMillis } from '../../core/instant';
import type { NotificationReason } from '../../core/staleness';
import { buttonsFollowUpId, notificationFollowUpOf, type StaleRedrawNotification } from '../../notices/notification';
import type { Notifier } from '../../notices/notifier';
import { errorName } from '../../shared/observability';
import { raceTimer } from '../../shared/timer-race';
import { claimMessage, markClaimSent } from '../../store/claims';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { markAlerted } from '../../store/follow-ups/tracker';
import type { StoredOrder } from '../../store/order-items';
import { CLAIM_SCOPES } from '../../store/keys';
import type { SweepContext } from './context';

/**
 * The longest wait for one notification. The SNS client ends a hanging request
 * well before (SNS_CLIENT_CONFIG's timeouts); this bounds any other notifier. A
 * notification given up on is aborted and stays pending.
 */
export const NOTIFY_TIMEOUT_MS = 30_000;
/** Failed notifications in a row after which a sweep sends no more (the rest stay pending for the next sweep). */
export const NOTIFICATION_FAILURES_IN_A_ROW_LIMIT = 3;
/** Days a notification's claim is kept (TTL): long after any sweep could send it again. */
export const NOTIFICATION_CLAIM_DAYS = 35;
/** Times a follow-up's notice marker is tried again after a lost race (each loss means another write to the follow-up). */
const REMINDER_MARK_RACES = 3;
const DAY_MS = 86_400_000;

/** The claim of a stale flag's notification: one per order and flag (its `since`). */
export function alertClaimKey(orderId: string, flagSince: string): string {
  return `alert#${orderId}#${flagSince}`;
}

/** The claim of a follow-up's not_acknowledged reminder: one per follow-up (CONTRACT §9). */
export function reminderClaimKey(followUpId: string): string {
  return `not_acknowledged#${followUpId}`;
}

/**
 * The claim of a follow-up's attention notice: one per attention, follow-up
 * and order (`redraw_failed#<follow-up>#<failed order>` as before; Junction
 * supports one redraw per transaction).
 */
export function attentionClaimKey(attention: Attention, followUpId: string, orderId: string): string {
  return `${attention}#${followUpId}#${orderId}`;
}

/** Whether `failuresInARow` failed notifications stop this sweep's notifications. */
export function stopsNotifications(failuresInARow: number): boolean {
  return failuresInARow >= NOTIFICATION_FAILURES_IN_A_ROW_LIMIT;
}

/** The notification of an order for `reason`, sent at `since`: ids, statuses, times, its follow-up and its appointment (never free text). */
export function notificationOf(
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
    follow_up: followUp === null ? null : notificationFollowUpOf(followUp),
    // The redraw order's appointment (CONTRACT §10): an id, a time and a status, never more.
    appointment: appointment === null ? null : { id: appointment.id, start_at: appointment.start_at, status: appointment.status },
  };
}

/**
 * What publishing did. `sent`: accepted now. `already`: an earlier sweep's
 * message went out (its claim is marked; only the caller's own marker is
 * missing). `held`: another sweep claimed it less than 15 minutes ago (it may be
 * sending it now): left to it, or to the first sweep after the 15 minutes.
 * `failed`: not accepted; the claim stays, since an answer that never came may
 * hide an acceptance, and the first sweep 15 minutes after the claim sends it again.
 */
export type PublishOutcome = 'sent' | 'already' | 'held' | 'failed';

/** Whether a notice did not go out (nor had gone out before): it stays pending. */
export function leftPending(outcome: PublishOutcome): boolean {
  return outcome === 'failed' || outcome === 'held';
}

/** One sweep's sender of notices. */
export interface NoticeSender {
  /** Publishes one notification under its claim: claimed (a conditional write), handed to the notifier, then the claim marked sent. */
  publish(key: string, notification: StaleRedrawNotification): Promise<PublishOutcome>;
  /** Whether notifications kept failing: this sweep sends no more. */
  readonly stopped: boolean;
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

/** The sender of one sweep, through `notifier`. */
export function createNoticeSender(ctx: SweepContext, notifier: Notifier): NoticeSender {
  const { db, tableName, now, logger, tally } = ctx;
  let failuresInARow = 0;
  let stopped = false;

  /** Hands one notification to the notifier, bounded by NOTIFY_TIMEOUT_MS: whether it was accepted. */
  const send = async (notification: StaleRedrawNotification): Promise<boolean> => {
    const abort = new AbortController();
    try {
      await withTimeout(notifier.notify(notification, { signal: abort.signal }), NOTIFY_TIMEOUT_MS, abort);
      failuresInARow = 0;
      return true;
    } catch (error) {
      tally.notificationFailures++;
      logger.error('stale redraw notification failed: it stays pending for the next sweep', { order_id: notification.order_id, reason: notification.reason, error: errorName(error) });
      if (stopsNotifications(++failuresInARow) && !stopped) {
        stopped = true;
        logger.error('stale redraw notifications keep failing: no more in this sweep, the rest stay pending', { failures_in_a_row: failuresInARow });
      }
      return false;
    }
  };

  /**
   * Marks the follow-up an accepted alert carries buttons for as alerted (its
   * buttons may act from now on, CONTRACT §9). After the claim's mark, so that a
   * failure here never sends the message again: the next sweep finds the claim
   * sent (`already`) and marks it then.
   */
  const markButtons = async (notification: StaleRedrawNotification): Promise<void> => {
    const id = buttonsFollowUpId(notification);
    if (id === null) return;
    if ((await markAlerted(db, tableName, id, ctx.since, now)) === 'lost') {
      logger.warn('alert sent, but its follow-up is not marked alerted: its buttons refuse until its next alert marks it', { follow_up_id: id });
    }
  };

  return {
    async publish(key, notification) {
      const claimed = await claimMessage(db, tableName, { scope: CLAIM_SCOPES.notification, key, holder: ctx.sweepId, now, keepDays: NOTIFICATION_CLAIM_DAYS });
      if (claimed.kind === 'sent') {
        // An earlier sweep's message went out: it may have stopped before marking its follow-up.
        await markButtons(notification);
        return 'already';
      }
      if (claimed.kind === 'held') {
        tally.heldByClaim++;
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
      await markButtons(notification);
      return 'sent';
    },
    get stopped() {
      return stopped;
    },
  };
}

/**
 * Marks a follow-up's notice sent (its marker on the item), read again after
 * each lost race (another write of the follow-up) while the notice is still
 * due; false when every try lost.
 */
export async function markFollowUpNoticed(
  ctx: Pick<SweepContext, 'db' | 'tableName' | 'now'>,
  sent: StoredFollowUp,
  due: (stored: StoredFollowUp | null) => stored is StoredFollowUp,
  mark: (stored: StoredFollowUp) => Promise<'written' | 'lost'>,
): Promise<boolean> {
  let stored: StoredFollowUp | null = sent;
  for (let race = 0; race < REMINDER_MARK_RACES; race++) {
    if ((await mark(stored)) === 'written') return true;
    stored = await getFollowUp(ctx.db, ctx.tableName, sent.followUp.id, ctx.now);
    if (!due(stored)) return true;
  }
  return false;
}
