/**
 * Recomputing each transaction the batch touches, once per batch, and keeping
 * its follow-up current from what the recompute knows. Transactions are
 * independent: one that fails has its records reported.
 *
 * Follow-ups are kept by version (issue 43 item 2): one kept from knowledge
 * newer of one member and older of another (a member this recompute took from
 * the transaction item) has every member read again (MAX_KNOWLEDGE_REFRESHES).
 */
import { canonicalFromDate, instantMillis } from '../../core/instant';
import type { TransactionKnowledge } from '../../core/members';
import { labOf } from '../../core/transaction-report';
import type { TransactionEnd } from '../../store/follow-ups/item';
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import type { StoredOrder } from '../../store/order-items';
import { getOrders } from '../../store/order-reads';
import { getTransactionItem } from '../../store/transaction-partition';
import { recomputeTransaction, type RecomputeResult } from '../../store/transactions';
import { beforeDeadline, type Run, type StepContext } from './context';
import { keptForever, type FollowUpKeeper } from './follow-ups';
import type { TouchedTransaction } from './intake';

/**
 * Times a recompute reads every member again when its follow-up was kept from
 * knowledge that diverged from its own (each newer of one member): each time
 * it knows everything written before its reads, so only recomputes landing in
 * between can make it diverge again. Past this, the transaction is reported and
 * its records retried, as after lost races.
 */
export const MAX_KNOWLEDGE_REFRESHES = 3;

/** What the recomputes of a batch did. */
export interface RecomputeTally {
  /** Transactions not recomputed in the time left (their records are reported). */
  late: number;
  writes: number;
  conflicts: number;
  /** Ended transactions left with retention on, no expiry and no follow-up to hold it (keptForever: alarmed). */
  keptForever: number;
}

/** A transaction recomputed and its follow-up kept, and whether nothing holds it that would let it expire (keptForever). */
type Recomputed = RecomputeResult & { keptForever: boolean };

/** Orders read by key for parked work that are its transaction's own states (listing-only ones are the recompute's to write). */
export function ownOrdersOf(read: readonly StoredOrder[], transactionId: string): StoredOrder[] {
  return read.filter((order) => order.record.transaction_id === transactionId && order.record.source !== 'transaction_listing');
}

/** The members to read again: those the recompute knew and those the stored transaction item names. */
export function membersToReread(known: Record<string, unknown>, stored: Record<string, unknown> | undefined): string[] {
  return [...new Set([...Object.keys(known), ...Object.keys(stored ?? {})])];
}

/** Where a transaction ended (CONTRACT §11: its newest status time, initial order's lab, method), or null while active. */
export function transactionEndOf(transaction: TransactionKnowledge, collectionMethod: string | null): TransactionEnd | null {
  if (transaction.status === 'active') return null;
  // To the millisecond, as the follow-up item keeps it (store/follow-ups/item.ts): the same value read back, so no rewrite.
  return { at: canonicalFromDate(new Date(instantMillis(transaction.updated_at))), lab: labOf(Object.values(transaction.members)), method: collectionMethod };
}

/** A recompute after an earlier one: the later's result, with the writes and conflicts of both. */
export function addedUp(earlier: RecomputeResult, later: RecomputeResult): RecomputeResult {
  return { ...later, writes: earlier.writes + later.writes, conflicts: earlier.conflicts + later.conflicts };
}

/**
 * Recomputes a transaction from the orders given and keeps its follow-up
 * current, reading every member again while the follow-up's knowledge diverged.
 */
async function recomputeAndKeep(ctx: StepContext, followUps: FollowUpKeeper, transactionId: string, orders: StoredOrder[]): Promise<Recomputed> {
  const { db, tableName, retentionDays } = ctx;
  // One instant for the follow-up's changes and the expiry computed from them (a close the keep records counts).
  const at = new Date(ctx.clock());
  // The listings ride on the orders' items: none comes from elsewhere here.
  const recompute = (evidence: StoredOrder[]) =>
    recomputeTransaction(
      db,
      tableName,
      transactionId,
      { orders: evidence, listings: [] },
      { maxAttempts: ctx.maxAttempts, retentionDays, followUpOf: (transaction) => followUps.retained(transactionId, transactionId, Object.values(transaction.members), transaction.status, at) },
    );
  // The expiry the recompute gave the transaction and its orders goes to the follow-up and its history too.
  const keep = ({ transaction, expiresAt, collectionMethod }: RecomputeResult) =>
    followUps.keep(transactionId, transactionId, Object.values(transaction.members), transaction.status, retentionDays === null ? null : expiresAt, transactionEndOf(transaction, collectionMethod), at);
  let recomputed = await recompute(orders);
  let kept = await keep(recomputed);
  // Its follow-up was kept from knowledge newer of one member and older of another (a member this recompute took
  // from the transaction item, which holds no member's own newer state): what it knows newer would be lost.
  // Every member is read again, strongly consistent, and the follow-up kept from that. The transaction item,
  // read strongly too, names every member any recompute kept a follow-up from (it stores a member that joins first).
  for (let refresh = 1; kept === 'diverged'; refresh++) {
    if (refresh > MAX_KNOWLEDGE_REFRESHES) throw new Error(`follow-up knowledge diverged ${MAX_KNOWLEDGE_REFRESHES} times in a row`);
    const stored = await getTransactionItem(db, tableName, transactionId, true);
    const ids = membersToReread(recomputed.transaction.members, stored?.members);
    const current = (await getOrders(db, tableName, ids, true)).filter((order) => order.record.transaction_id === transactionId);
    recomputed = addedUp(recomputed, await recompute(current));
    kept = await keep(recomputed);
  }
  return { ...recomputed, keptForever: keptForever(retentionDays, recomputed.transaction.status !== 'active', recomputed.expiresAt, kept) };
}

/** One touched transaction: its recompute, null when there is nothing to recompute, or 'late'. */
async function recomputeTouchedOne(
  ctx: StepContext,
  followUps: FollowUpKeeper,
  transactionId: string,
  entry: TouchedTransaction,
  deadline: number,
): Promise<Recomputed | null | 'late'> {
  // Nothing starts that cannot end before the deadline is near.
  if (Date.now() >= deadline) return 'late';
  const orders = [...entry.orders];
  if (entry.orderIds.size > 0) {
    // Parked work: the orders as stored now (their own state; listing-only ones are the recompute's to write).
    orders.push(...ownOrdersOf(await getOrders(ctx.db, ctx.tableName, [...entry.orderIds], true), transactionId));
  }
  // Only retention asks, and the transaction and its follow-up already carry what the follow-up says: nothing to do.
  if (entry.retentionOnly && orders.length === 0 && (await followUps.retentionHolds(transactionId))) return null;
  // Parked work whose orders are gone (expired) and whose transaction was never stored: nothing to recompute.
  if (entry.parked && orders.length === 0 && (await getTransactionItem(ctx.db, ctx.tableName, transactionId, true)) === null) return null;
  return recomputeAndKeep(ctx, followUps, transactionId, orders);
}

/** Recomputes every touched transaction, `concurrency` at a time; a failed or late one has its records reported. */
export async function recomputeTouched(ctx: StepContext, run: Run, followUps: FollowUpKeeper, touched: ReadonlyMap<string, TouchedTransaction>): Promise<RecomputeTally> {
  const tally: RecomputeTally = { late: 0, writes: 0, conflicts: 0, keptForever: 0 };
  await forEachLimited([...touched.entries()], ctx.concurrency, async ([transactionId, entry]) => {
    try {
      const outcome = await beforeDeadline(recomputeTouchedOne(ctx, followUps, transactionId, entry, run.workDeadline), run.workDeadline);
      if (outcome === 'late') {
        tally.late++;
        for (const sequenceNumber of entry.records) run.failures.add(sequenceNumber);
        return;
      }
      if (outcome === null) return;
      tally.writes += outcome.writes;
      tally.conflicts += outcome.conflicts;
      if (outcome.keptForever) {
        tally.keptForever++;
        ctx.logger.warn('transaction ended without an expiry or a follow-up to hold it', { transaction_id: transactionId, status: outcome.transaction.status });
      }
      ctx.logger.debug('transaction recomputed', {
        transaction_id: transactionId,
        status: outcome.transaction.status,
        writes: outcome.writes,
        conflicts: outcome.conflicts,
      });
    } catch (error) {
      ctx.logger.error('transaction recompute failed', { transaction_id: transactionId, error: errorName(error) });
      for (const sequenceNumber of entry.records) run.failures.add(sequenceNumber);
    }
  });
  if (tally.late > 0) ctx.logger.warn('transactions not recomputed in the time left; their records are reported', { transactions: tally.late });
  return tally;
}
