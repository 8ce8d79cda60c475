/**
 * What the tests of the sweep with follow-ups share (test/integration/sweep-follow-up*.test.ts):
 * a table of their own with the transaction function on its real stream (its
 * facts published in memory), webhooks stored as the webhook stores them, a
 * person's actions through the store's actOnFollowUp (what the HTTP route
 * calls), and runSweep with an injected clock. Every log line and notification
 * is kept, for the files' PHI checks.
 *
 * One table a file: each test has its own era (a start date later than every
 * earlier test's), so a sweep finds only its own orders due, and its
 * assertions are about its own ids.
 */
import { afterAll, beforeAll } from 'vitest';
import { instantMillis } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { runSweep, type SweepInput } from '../../functions/stale-redraw-sweep/app';
import type { StaleRedrawNotification } from '../../functions/notices/notification';
import type { Notifier } from '../../functions/notices/notifier';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { buildDeliveries, freshId, redrawFlow, type RedrawOutcome } from './junction';
import { startTransactionRig, type TransactionRig } from './transaction-rig';

/**
 * The file's table (`name`), started before its tests and closed after, and the
 * helpers bound to it; each an arrow property, so a file may take them apart
 * (`const { seed, sweep } = sweeps`).
 */
export class FollowUpSweeps {
  /** The facts the transaction function published. */
  readonly events = createInMemoryPublisher();
  /** Every log line of the file's sweeps. */
  readonly logged: unknown[] = [];
  /** Every notification any sweep of the file handed to a notifier (the PHI check reads them all). */
  readonly everyNotification: unknown[] = [];
  private started: TransactionRig | undefined;
  private era = 0;
  /** The sweeps' logger: it keeps every line in `logged`. */
  readonly logger = {
    debug: (...args: unknown[]) => void this.logged.push(args),
    info: (...args: unknown[]) => void this.logged.push(args),
    warn: (...args: unknown[]) => void this.logged.push(args),
    error: (...args: unknown[]) => void this.logged.push(args),
  };

  constructor(private readonly name: string) {
    beforeAll(async () => {
      this.started = await startTransactionRig(name, { publisher: this.events });
    });
    afterAll(async () => {
      await this.started?.close();
    });
  }

  /** The file's table and stream, once started. */
  readonly rig = (): TransactionRig => {
    if (this.started === undefined) throw new Error(`${this.name}: the table is not started`);
    return this.started;
  };

  /** A start date later than every earlier test's, a year apart (see the file's comment). */
  readonly nextEra = (): Date => {
    this.era++;
    return new Date(Date.UTC(2030 + this.era, 0, 10, 9));
  };

  /** A redraw flow delivered through the webhook's store path, then the transaction function (real stream). */
  readonly seed = async (outcome: RedrawOutcome, start: Date) => {
    const rig = this.rig();
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    for (const delivery of buildDeliveries(redrawFlow(ids, outcome, start))) await rig.webhook(delivery);
    await rig.settle();
    const watched = outcome === 'not_created' ? ids.initialId : ids.redrawId;
    const order = await rig.order(watched);
    if (order === null) throw new Error('order not stored');
    const followUp = await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    if (followUp === null) throw new Error('the transaction function opened no follow-up');
    // Its version once seeded: 1, or 2 when the redraw order joined after the opening (how the stream batched the webhooks).
    return { ...ids, watched, statusTime: instantMillis(order.record.status_time), openedAt: instantMillis(followUp.followUp.opened_at), version: followUp.followUp.version };
  };

  /** A lone test kit that ends sample_error with `status_detail` (Junction never redraws a kit): CONTRACT §9's no_redraw. */
  readonly seedFailedKit = async (start: Date) => {
    const rig = this.rig();
    const ids = { transactionId: freshId(), orderId: freshId() };
    const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
    const deliveries = buildDeliveries({ transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method: 'testkit' }], steps, start });
    const last = deliveries.at(-1)!;
    const data = last.body.data as { events: Array<Record<string, unknown>>; last_event: Record<string, unknown> };
    data.events.at(-1)!.status_detail = 'sample_hemolyzed';
    data.last_event = { ...data.last_event, status_detail: 'sample_hemolyzed' };
    for (const delivery of deliveries) await rig.webhook(delivery);
    await rig.settle();
    const order = await rig.order(ids.orderId);
    if (order === null) throw new Error('order not stored');
    return { ...ids, statusTime: instantMillis(order.record.status_time) };
  };

  /** A person's action, as the HTTP route applies it. */
  readonly act = async (id: string, body: unknown, at: number) => {
    const result = await actOnFollowUp(this.rig().table.db, this.rig().table.tableName, { id, body, actor: 'j.doe', now: new Date(at), thresholds: DEFAULT_THRESHOLDS });
    if (result.kind !== 'changed' && result.kind !== 'unchanged') throw new Error(`action refused: ${result.kind}`);
    return result.stored.followUp;
  };

  /** A notifier that keeps what it was handed (and adds it to everyNotification). */
  readonly recording = (): Notifier & { sent: StaleRedrawNotification[] } => {
    const sent: StaleRedrawNotification[] = [];
    const every = this.everyNotification;
    return {
      sent,
      async notify(notification) {
        every.push(notification);
        sent.push(notification);
      },
    };
  };

  /** runSweep at `now` on the file's table, its metrics kept; the stream settled after. */
  readonly sweep = async (now: number, notifier: Notifier, extra: Partial<SweepInput> = {}) => {
    const metrics = new Map<string, number>();
    const result = await runSweep({
      db: this.rig().table.db,
      tableName: this.rig().table.tableName,
      now: new Date(now),
      thresholds: DEFAULT_THRESHOLDS,
      notifier,
      logger: this.logger,
      metrics: { addMetric: (name: string, _unit: string, value: number) => void metrics.set(name, value) },
      ...extra,
    });
    await this.rig().settle();
    return { result, metrics };
  };

  /** The notifications of `sent` about `orderId` (for `reason`, when given). */
  readonly about = (sent: readonly StaleRedrawNotification[], orderId: string, reason?: string) =>
    sent.filter((notification) => notification.order_id === orderId && (reason === undefined || notification.reason === reason));

  /** The facts of `type` published about `orderId`. */
  readonly factsOf = (orderId: string, type: string) => this.events.events.filter((event) => event.order_id === orderId && event.type === type);
}
