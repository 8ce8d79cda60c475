/**
 * Keeping follow-ups current (CONTRACT §9) and reading them for retention
 * (CONTRACT §8). A follow-up is kept from its members' knowledge only when that
 * is not older than what it was last kept from (issue 43 item 2: `stale`
 * otherwise, nothing written); `diverged` asks the caller for fresher knowledge.
 */
import { DEFAULT_SITUATION_OPTIONS, followUpSituation, type FollowUpSituation, type SituationOptions } from '../../core/follow-up/situation';
import { knowledgeVersion, type VersionedMember } from '../../core/knowledge-version';
import { OPENING_FOLLOW_UP, transactionExpiry, type RetainedFollowUp } from '../../core/retention';
import { bookingSituationOf } from '../../core/report-bookings';
import { labOf } from '../../core/transaction-report';
import { getAppointment } from '../../store/appointments';
import type { StoredFollowUp, TransactionEnd } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { type KeepCurrentOutcome, keepFollowUpCurrent, prospectiveFollowUp } from '../../store/follow-ups/tracker';
import { getTransactionItem } from '../../store/transaction-partition';
import type { TransactionItem } from '../../store/transaction-items';
import type { StepContext } from './context';

type Member = Parameters<typeof followUpSituation>[0][number];
type Status = Parameters<typeof followUpSituation>[1];

export interface FollowUpKeeper {
  /**
   * Keeps follow-up `id` current with its members: only one with a redraw costs a read. `end`: where its
   * transaction ended (CONTRACT §11), null while active; undefined: as stored (a lone order's). `at`: when
   * (default: the clock now); the same instant as the `retained` its expiry was computed from.
   */
  keep(id: string, transactionId: string | null, members: readonly VersionedMember[], status: Status, expiresAt: number | null, end?: TransactionEnd | null, at?: Date): Promise<KeepCurrentOutcome>;
  /**
   * The follow-up `id` of these members as retention reads it (strongly consistent; retainedFollowUp),
   * as keeping it current at `at` will leave it (prospectiveFollowUp: a close the tracker is about to
   * record counts): null when it has none, nor will it open one (one read only when it may have one).
   */
  retained(id: string, transactionId: string | null, members: readonly VersionedMember[], status: Status, at: Date): Promise<RetainedFollowUp | null>;
  /**
   * Whether the stored transaction (none: nothing to do) and its follow-up carry
   * the expiry its follow-up says now (CONTRACT §8), read strongly consistent.
   * Its orders were given it by the same recompute, before the transaction.
   */
  retentionHolds(transactionId: string): Promise<boolean>;
  /** Follow-up write requests made since the last call (the count starts again). */
  takeWrites(): number;
}

/** The order whose appointment moves the follow-up's due time (CONTRACT §10): the redraw order in progress, or null. */
export function appointmentOrderOf(situation: Pick<FollowUpSituation, 'redraw'>): string | null {
  return situation.redraw?.kind === 'redraw_in_progress' ? situation.redraw.orderId : null;
}

/** The debug line a keep-current outcome is logged with, or null. */
export function keptLogMessage(outcome: KeepCurrentOutcome): string | null {
  if (outcome === 'opened' || outcome === 'changed') return 'follow-up kept current';
  if (outcome === 'stale' || outcome === 'diverged') return 'follow-up not kept from older knowledge';
  return null;
}

/**
 * Whether a transaction's follow-up is read for retention: it may have one stored. The setting is
 * not asked: one opened while missing results were followed up holds its transaction as any other does.
 */
export function hasFollowUp(transaction: { members: Record<string, Member>; status: Status }): boolean {
  return followUpSituation(Object.values(transaction.members), transaction.status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp;
}

/**
 * The follow-up retention reads (CONTRACT §8), from the one stored (null: none stored, or
 * none read): the stored one, open or closed, whatever the setting is now; none stored, the one
 * about to open when the situation opens one (it holds the expiry off from now), else none. With
 * FOLLOW_UP_MISSING_RESULTS off, a transaction that ended with results missing and no redraw
 * opens none, so it expires like any other (issue 55).
 */
export function retainedFollowUp(situation: Pick<FollowUpSituation, 'mayHaveFollowUp' | 'opens'>, stored: RetainedFollowUp | null): RetainedFollowUp | null {
  if (!situation.mayHaveFollowUp) return null;
  return stored ?? (situation.opens ? OPENING_FOLLOW_UP : null);
}

/** Whether the stored transaction and its follow-up (null: none stored, or none read) carry the expiry the follow-up says. */
export function retentionHoldsFor(stored: TransactionItem, followUp: StoredFollowUp | null, retentionDays: number, options: SituationOptions = DEFAULT_SITUATION_OPTIONS): boolean {
  const situation = followUpSituation(Object.values(stored.members), stored.status, options);
  const expected = transactionExpiry(stored, retentionDays, retainedFollowUp(situation, followUp?.followUp ?? null));
  return (stored.expires_at ?? null) === expected && (followUp === null || followUp.expiresAt === expected);
}

/**
 * Whether an ended transaction (or order without one) is left with retention on, no expiry and
 * no follow-up to hold it (the keep's outcome `none`: none stored, none opens): it would be kept
 * forever (CONTRACT §8). Counted by an alarmed metric; 0 unless retention is wrong.
 */
export function keptForever(retentionDays: number | null, ended: boolean, expiresAt: number | null, kept: KeepCurrentOutcome): boolean {
  return retentionDays !== null && ended && expiresAt === null && kept === 'none';
}

/** The follow-up steps over the function's dependencies; the write count lasts across invocations until taken. */
export function createFollowUpKeeper(ctx: StepContext): FollowUpKeeper {
  const { db, tableName, clock } = ctx;
  let writes = 0;
  return {
    async retained(id, transactionId, members, status, at) {
      const situation = followUpSituation(members, status, ctx.situationOptions);
      if (!situation.mayHaveFollowUp) return null;
      const stored = await getFollowUp(db, tableName, id, at);
      return retainedFollowUp(situation, prospectiveFollowUp(stored, { id, transactionId, situation, knowledge: knowledgeVersion(members), now: at }));
    },
    async keep(id, transactionId, members, status, expiresAt, end, at) {
      const situation = followUpSituation(members, status, ctx.situationOptions);
      if (!situation.mayHaveFollowUp) return 'none';
      // The redraw order's appointment moves its due time (CONTRACT §10): read by key, strongly consistent.
      const appointmentOrder = appointmentOrderOf(situation);
      const appointment = appointmentOrder === null ? null : await getAppointment(db, tableName, appointmentOrder);
      const knowledge = knowledgeVersion(members);
      const kept = await keepFollowUpCurrent(db, tableName, {
        id,
        transactionId,
        situation,
        expiresAt,
        now: at ?? new Date(clock()),
        thresholds: ctx.thresholds,
        appointment,
        knowledge,
        ...(end === undefined ? {} : { transactionEnd: end }),
        // A transaction's members say what its bookings report reads (a lone order's keep as stored).
        ...(end === undefined ? {} : { bookingSituation: bookingSituationOf(members, labOf(members)) }),
      });
      writes += kept.writes;
      const message = keptLogMessage(kept.outcome);
      if (message !== null) ctx.logger.debug(message, { follow_up_id: id, outcome: kept.outcome });
      return kept.outcome;
    },
    async retentionHolds(transactionId) {
      if (ctx.retentionDays === null) return true;
      const stored = await getTransactionItem(db, tableName, transactionId, true);
      if (stored === null) return true;
      const followUp = hasFollowUp(stored) ? await getFollowUp(db, tableName, transactionId, new Date(clock())) : null;
      return retentionHoldsFor(stored, followUp, ctx.retentionDays, ctx.situationOptions);
    },
    takeWrites() {
      const taken = writes;
      writes = 0;
      return taken;
    },
  };
}
