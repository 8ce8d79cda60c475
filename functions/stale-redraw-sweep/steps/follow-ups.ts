/**
 * The follow-ups' own steps (CONTRACT §9, §12), after the stale rules, from
 * one read of the worklist's open partition: each snooze that ended is
 * recorded, each attention notified (redraw_failed, results_still_missing,
 * no_redraw: once per attention and episode), then the
 * opt-in not_acknowledged reminders, and last the queues' copy of each open
 * follow-up's stale flag. A follow-up that fails for the table's sake is
 * counted and logged; the others go on.
 */
import { snoozeEndedChange } from '../../core/follow-up/history';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { openFollowUps } from '../../store/follow-ups/reads';
import { awaitsReminder, keepStaleFlagCopy, recordSnoozeEnded } from '../../store/follow-ups/tracker';
import { awaitsAttentionNotice, noticeAttention } from './attention-notices';
import { compareHistories } from './history-gaps';
import { CONCURRENCY } from './context';
import { remind, reminderOpenedBefore } from './reminders';
import type { StaleRules } from './rules';

/** The open follow-ups whose snooze ended and is not recorded yet: the first write after snoozed_until records snooze_ended. */
export function snoozesEnded(open: readonly StoredFollowUp[], now: Date): StoredFollowUp[] {
  return open.filter((stored) => snoozeEndedChange(stored.followUp, stored.last ?? null, now) !== null);
}

/** The follow-ups' steps, when the stale rules ran and time is left. */
export async function followUpSteps(rules: StaleRules, ackHours: number | null): Promise<void> {
  const { ctx, flagsNow } = rules;
  const { db, tableName, now, thresholds, logger, tally } = ctx;
  if (!rules.reads.ran || !ctx.gate.mayStart('follow_up_notices')) return;
  const openedBefore = reminderOpenedBefore(now, ackHours);
  const each = async (listed: readonly StoredFollowUp[], work: (stored: StoredFollowUp) => Promise<void>, what: string) =>
    forEachLimited(listed, CONCURRENCY, async (stored) => {
      try {
        await work(stored);
      } catch (error) {
        tally.failures++;
        logger.error(what, { follow_up_id: stored.followUp.id, error: errorName(error) });
      }
    });
  try {
    const open = await openFollowUps(db, tableName, now);
    // First, so that the writes below carry forward what a gap's repair did not find written (issue 82).
    await compareHistories(ctx, open);
    // A snooze that ended is the tracker's version (CONTRACT §9: the first write after snoozed_until, the
    // sweep's or an action's, records snooze_ended), so the history says when it came back to the team.
    await each(
      snoozesEnded(open, now),
      async (stored) => {
        if ((await recordSnoozeEnded(db, tableName, stored, now, thresholds)) === 'written') tally.snoozesEnded++;
      },
      'recording an ended snooze failed',
    );
    await each(
      open.filter((stored) => awaitsAttentionNotice(stored, now)),
      (stored) => noticeAttention(rules, stored),
      'notifying a follow-up\'s attention failed',
    );
    if (openedBefore !== null) {
      await each(
        open.filter((stored) => awaitsReminder(stored, openedBefore)),
        (stored) => remind(rules, stored, openedBefore),
        'reminding of a follow-up failed',
      );
    }
    // Last, the queues' copy of each open follow-up's stale flag (CONTRACT §12): a write only where it differs.
    await each(
      open,
      async (stored) => {
        if (await keepStaleFlagCopy(db, tableName, stored, flagsNow, now)) tally.staleCopies++;
      },
      'keeping a follow-up\'s stale flag copy failed',
    );
  } catch (error) {
    tally.failures++;
    logger.error('reading open follow-ups failed', { error: errorName(error) });
  }
}
