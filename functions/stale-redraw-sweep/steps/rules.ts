/**
 * What the stale rules and the follow-ups' notices of one sweep share: the
 * sweep's context, its reads and the view of each order through them, what it
 * knows of its transactions' redraw orders, its sender of notices, and the
 * stale flags as it leaves them.
 */
import type { Notifier } from '../../notices/notifier';
import type { IndexedOrder, SeenOrder } from '../../store/redraws';
import type { SweepContext } from './context';
import { createNoticeSender, type NoticeSender } from './notices';
import { orderView, type OrderView, type StaleRulesReads } from './read';
import { createRedrawKnown, type RedrawKnown } from './redraw-known';

/** An order's stale flag (its time and reason), or null once cleared. */
export type FlagNow = { since: string; reason: string } | null;

export interface StaleRules {
  readonly ctx: SweepContext;
  readonly reads: StaleRulesReads;
  readonly view: OrderView;
  readonly known: RedrawKnown;
  readonly sender: NoticeSender;
  /**
   * The orders' stale flags as this sweep leaves them (order id to flag, null once cleared): the
   * follow-ups' copies are kept to it at the end (CONTRACT §12, the queues), without another read.
   */
  readonly flagsNow: Map<string, FlagNow>;
}

/** The flags of earlier sweeps, as read (an order read from the flagged partition without a flag has none). */
export function flagsRead(flaggedBefore: readonly Pick<IndexedOrder, 'record' | 'stale'>[]): Map<string, FlagNow> {
  return new Map(flaggedBefore.map((order): [string, FlagNow] => [order.record.id, order.stale === null ? null : { since: order.stale.since, reason: order.stale.reason }]));
}

/** What a writer saw of an order: the condition of its conditional writes. */
export function seenOf(order: Pick<IndexedOrder, 'record' | 'openRedraw'>): SeenOrder {
  return { orderId: order.record.id, rank: order.record.rank, partition: order.openRedraw };
}

/** The stale rules of one sweep, on its reads. */
export function staleRulesOf(ctx: SweepContext, reads: StaleRulesReads, notifier: Notifier): StaleRules {
  return {
    ctx,
    reads,
    view: orderView(ctx, reads),
    known: createRedrawKnown(ctx.db, ctx.tableName),
    sender: createNoticeSender(ctx, notifier),
    flagsNow: flagsRead(reads.flaggedBefore),
  };
}
