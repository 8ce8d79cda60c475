/**
 * Keeping follow-ups current (CONTRACT §9) and reading them for retention
 * (CONTRACT §8). A follow-up is kept from its members' knowledge only when that
 * is not older than what it was last kept from (issue 43 item 2: `stale`
 * otherwise, nothing written); `diverged` asks the caller for fresher knowledge.
 */
import { DEFAULT_SITUATION_OPTIONS, followUpSituation, type FollowUpSituation } from '../../core/follow-up';
import { knowledgeVersion, type VersionedMember } from '../../core/knowledge-version';
import { OPENING_FOLLOW_UP, transactionExpiry, type RetainedFollowUp } from '../../core/retention';
import { getAppointment } from '../../store/appointments';
import type { StoredFollowUp, TransactionEnd } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { type KeepCurrentOutcome, keepFollowUpCurrent } from '../../store/follow-ups/tracker';
import { getTransactionItem } from '../../store/transaction-partition';
import type { TransactionItem } from '../../store/transaction-items';
import type { StepContext } from './context';

type Member = Parameters<typeof followUpSituation>[0][number];
type Status = Parameters<typeof followUpSituation>[1];

export interface FollowUpKeeper {
  /** Keeps follow-up `id` current with its members: only one with a redraw costs a read. */
  /** `end`: where its transaction ended (CONTRACT §11), null while active; undefined: as stored (a lone order's). */
  keep(id: string, transactionId: string | null, members: readonly VersionedMember[], status: Status, expiresAt: number | null, end?: TransactionEnd | null): Promise<KeepCurrentOutcome>;
  /** Follow-up `id` as retention reads it (strongly consistent): one about to open while none is stored. */
  retained(id: string): Promise<RetainedFollowUp>;
  /** A transaction's follow-up for retention: only one with a redraw has (or is about to have) one. */
  ofTransaction(id: string, transaction: { members: Record<string, Member>; status: Status }): Promise<RetainedFollowUp | null>;
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
 * Whether a transaction's follow-up reads for retention: it has (or is about to have) one. The setting is
 * not asked: one opened while missing results were followed up holds its transaction as any other does.
 */
export function hasFollowUp(transaction: { members: Record<string, Member>; status: Status }): boolean {
  return followUpSituation(Object.values(transaction.members), transaction.status, DEFAULT_SITUATION_OPTIONS).mayHaveFollowUp;
}

/** Whether the stored transaction and its follow-up (null: none stored, or none read) carry the expiry the follow-up says. */
export function retentionHoldsFor(stored: TransactionItem, followUp: StoredFollowUp | null, retentionDays: number): boolean {
  const expected = transactionExpiry(stored, retentionDays, hasFollowUp(stored) ? (followUp?.followUp ?? OPENING_FOLLOW_UP) : null);
  return (stored.expires_at ?? null) === expected && (followUp === null || followUp.expiresAt === expected);
}

/** The follow-up steps over the function's dependencies; the write count lasts across invocations until taken. */
export function createFollowUpKeeper(ctx: StepContext): FollowUpKeeper {
  const { db, tableName, clock } = ctx;
  let writes = 0;
  const retained = async (id: string): Promise<RetainedFollowUp> => (await getFollowUp(db, tableName, id, new Date(clock())))?.followUp ?? OPENING_FOLLOW_UP;
  return {
    retained,
    ofTransaction: async (id, transaction) => (hasFollowUp(transaction) ? retained(id) : null),
    async keep(id, transactionId, members, status, expiresAt, end) {
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
        now: new Date(clock()),
        thresholds: ctx.thresholds,
        appointment,
        knowledge,
        ...(end === undefined ? {} : { transactionEnd: end }),
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
      return retentionHoldsFor(stored, followUp, ctx.retentionDays);
    },
    takeWrites() {
      const taken = writes;
      writes = 0;
      return taken;
    },
  };
}
