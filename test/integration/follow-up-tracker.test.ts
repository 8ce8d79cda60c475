/**
 * The tracker's side of follow-ups (CONTRACT §9) through the transaction
 * function on DynamoDB Local's real stream: Junction's facts open a follow-up,
 * close it (`redraw_completed`, `cancelled`) or mark it `attention`, never over
 * a person's close, and never again after a person reopens it; retention (§8)
 * takes the follow-up and its history with the transaction. An order without a
 * transaction has a follow-up of its own id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryAfter } from '../../functions/core/retention';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { markAlerted, markReminded } from '../../functions/store/follow-ups/tracker';
import { keys } from '../../functions/store/keys';
import { TRANSACTION_METRICS } from '../../functions/shared/metric-names';
import { buildDeliveries, freshId, redrawFlow, redrawIds, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const RETENTION_DAYS = 30;
let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('follow-up-tracker', { retentionDays: RETENTION_DAYS });
});
afterAll(async () => {
  await rig?.close();
});

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

const person = (id: string, body: unknown) =>
  actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });

describe('the tracker keeps each follow-up current', () => {
  it('opens none for a transaction without a redraw', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'completed')).slice(0, 3));
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toBeNull();
  });

  it('opens one when the initial order enters redraw_available, follows the redraw order, and closes it redraw_completed with the transaction’s expiry on it and its history', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    await deliver(deliveries.slice(0, 5));
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toMatchObject({
      followUp: { id: ids.transactionId, transaction_id: ids.transactionId, initial_order_id: ids.initialId, redraw_order_id: null, state: 'new', version: 1 },
      redraw: { kind: 'awaiting_redraw', orderId: ids.initialId },
    });
    await deliver(deliveries.slice(5, -1));
    const inProgress = await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    expect(inProgress).toMatchObject({ followUp: { redraw_order_id: ids.redrawId, version: 2 }, redraw: { kind: 'redraw_in_progress', orderId: ids.redrawId } });
    await deliver(deliveries.slice(-1));
    const closed = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.status).toBe('completed');
    // RETENTION_DAYS after the later of the transaction's end and the follow-up's close (CONTRACT §8), which the
    // tracker records when it processes the completion (CONTRACT §9: closed_at is the close entry's at).
    const expiry = expiryAfter([transaction!.updated_at, closed.followUp.closed_at!].sort().at(-1)!, RETENTION_DAYS);
    expect(closed.followUp.closed_at! > transaction!.updated_at).toBe(true);
    expect(closed).toMatchObject({ followUp: { state: 'closed', disposition: 'redraw_completed', version: 3 }, dueAt: null, expiresAt: expiry });
    const history = await rig.table.db.query({
      TableName: rig.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: { ':pk': keys.followUp(ids.transactionId).pk, ':h': 'HIST#' },
      ConsistentRead: true,
    });
    expect(history.Items.map((item) => [item.entry.actor, item.entry.action, item.expires_at])).toEqual([
      ['tracker', 'open', expiry],
      ['tracker', 'redraw_order_known', expiry],
      ['tracker', 'close', expiry],
    ]);
    // The close is dated when the tracker recorded it (the history's clock); Junction's time of the
    // redraw order's completion rides along as fact_time (CONTRACT §9).
    const entries = await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    expect(closed.followUp.closed_at).toBe(entries.at(-1)!.at);
    expect(entries.at(-1)!.fact_time).toBe(transaction!.updated_at);
    expect(entries.at(-1)!.at >= entries.at(-2)!.at).toBe(true);
  });

  it('opens from the history of a webhook answered stale, and closes results_received when the initial order’s results came after all', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'results_received'));
    const statusOf = (delivery: Delivery) => (delivery.body as { data: { last_event: { status: string } } }).data.last_event.status;
    const available = deliveries.find((delivery) => statusOf(delivery).endsWith('.redraw_available'))!;
    const completed = deliveries.at(-1)!;
    expect(statusOf(completed)).toMatch(/\.completed$/);
    // The newest state arrives first, its history cut short of redraw_available (a payload that does not say it).
    const cut = structuredClone(completed);
    const data = (cut.body as { data: { events: { status: string }[] } }).data;
    data.events = data.events.filter((event) => !event.status.endsWith('.redraw_available'));
    expect(await rig.webhook(cut)).toBe('applied');
    await rig.settle();
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toBeNull();
    // The older redraw_available webhook is stale, but its history is news: the follow-up opens (CONTRACT §9).
    expect(await rig.webhook(available)).toBe('stale');
    await rig.settle();
    const stored = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    expect(stored.followUp).toMatchObject({ state: 'closed', disposition: 'results_received', initial_order_id: ids.initialId, opened_at: '2026-03-02T13:00:00.000000Z' });
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).map((entry) => [entry.actor, entry.action, entry.fact ?? null])).toEqual([
      ['tracker', 'open', null],
      ['tracker', 'close', 'results_received'],
    ]);
    // Redelivered, it changes nothing more.
    expect(await rig.webhook(available)).toBe('stale');
    await rig.settle();
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp.version).toBe(2);
  });

  it('keeps a follow-up open for attention when the initial order ends failed without a redraw order, and reopens one a cancel closed when the transaction is reinstated', async () => {
    const failed = redrawIds();
    const failing = buildDeliveries(redrawFlow(failed, 'not_created'));
    const last = structuredClone(failing.at(-1)!);
    await deliver(failing);
    // The initial order leaves redraw_available for sample_error: a person decides (CONTRACT §9).
    const body = last.body as { data: { events: { id: number; created_at: string; status: string }[]; last_event: unknown; updated_at: string; status: string } };
    const event = { id: last.eventId + 1, created_at: '2026-03-03T09:00:00.000Z', status: 'failed.walk_in_test.sample_error' };
    body.data.events.push(event);
    body.data.last_event = event;
    body.data.updated_at = event.created_at;
    body.data.status = 'failed';
    expect(await rig.webhook({ ...last, eventId: event.id })).toBe('applied');
    await rig.settle();
    expect((await getFollowUp(rig.table.db, rig.table.tableName, failed.transactionId, new Date()))!.followUp).toMatchObject({ state: 'new', attention: 'redraw_failed', disposition: null });

    const reinstated = redrawIds();
    const flow = buildDeliveries(redrawFlow(reinstated, 'reinstated'));
    const redrawStart = flow.findIndex((delivery) => delivery.orderId === reinstated.redrawId);
    await deliver(flow.slice(0, redrawStart));
    expect((await getFollowUp(rig.table.db, rig.table.tableName, reinstated.transactionId, new Date()))!.followUp).toMatchObject({ state: 'closed', disposition: 'cancelled' });
    await deliver(flow.slice(redrawStart));
    expect((await getFollowUp(rig.table.db, rig.table.tableName, reinstated.transactionId, new Date()))!.followUp).toMatchObject({ state: 'new', disposition: null, closed_at: null, redraw_order_id: reinstated.redrawId });
    expect((await readHistory(rig.table.db, rig.table.tableName, reinstated.transactionId, new Date())).map((entry) => [entry.actor, entry.action, entry.fact ?? null])).toEqual([
      ['tracker', 'open', null],
      ['tracker', 'close', 'transaction_cancelled'],
      ['tracker', 'redraw_order_known', null],
      ['tracker', 'reopen', 'transaction_cancelled'],
    ]);
  });

  it('marks a failed redraw for attention and leaves the follow-up open', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'sample_error')));
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'new', attention: 'redraw_failed' });
    // Set once, as the tracker's version (how many versions before it depends on how the stream batched the webhooks).
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).filter((entry) => entry.action === 'attention')).toMatchObject([{ actor: 'tracker', attention: 'redraw_failed', fact: 'redraw_failed' }]);
  });

  it('never overwrites a person’s close: the completed redraw is recorded in the history, the disposition stays', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    await deliver(deliveries.slice(0, 5));
    expect(await person(ids.transactionId, { action: 'close', disposition: 'tested_elsewhere' })).toMatchObject({ kind: 'changed' });
    await deliver(deliveries.slice(5));
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'closed', disposition: 'tested_elsewhere', version: 3 });
    // The redraw order is a version; its completion changes nothing of a person's close, so it is none.
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).map((entry) => [entry.actor, entry.action, entry.fact ?? entry.disposition])).toEqual([
      ['tracker', 'open', undefined],
      ['j.doe', 'close', 'tested_elsewhere'],
      ['tracker', 'redraw_order_known', undefined],
    ]);
  });

  it('does not close again what a person reopened, when the same facts come again', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    await deliver(deliveries);
    expect(await person(ids.transactionId, { action: 'reopen' })).toMatchObject({ kind: 'changed', stored: { followUp: { state: 'acknowledged' } } });
    // Svix delivers the redraw order's last webhooks again, and a later one for the initial order.
    for (const delivery of deliveries.slice(-2)) await rig.webhook(delivery);
    await rig.settle();
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'acknowledged', disposition: null });
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).at(-1)).toMatchObject({ actor: 'j.doe', action: 'reopen' });
  });

  it('loses no follow-up when DynamoDB fails its write: the record is reported, the stream retries it, and it opens once', async () => {
    const ids = redrawIds();
    const first = rig.batches.length;
    // The tracker's write of the follow-up item (one PutItem, no transaction: store/follow-ups/pending-history.ts) fails.
    rig.failNext('PutItem', 1, (body) => writes(body, ids.transactionId, 'FOLLOWUP'));
    await deliver(buildDeliveries(redrawFlow(ids, 'not_created')));
    expect(rig.batches.slice(first).some(({ response }) => response.batchItemFailures.length > 0)).toBe(true);
    expect(rig.deadLetters).toEqual([]);
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toMatchObject({ followUp: { state: 'new', version: 1 } });
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).map((entry) => entry.action)).toEqual(['open']);
  });

  it('keeps every version’s history entry, once, when its write stops after the follow-up item: the item’s record writes it', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const redrawStart = deliveries.findIndex((delivery) => delivery.orderId === ids.redrawId);
    await deliver(deliveries.slice(0, redrawStart));
    rig.resetCounters();
    // The item lands with its new version; its history item does not (DynamoDB fails it, as a function stopping would).
    rig.failNext('PutItem', 1, (body) => writes(body, ids.transactionId, 'HIST#'));
    await deliver(deliveries.slice(redrawStart, redrawStart + 1));
    expect(rig.metrics.get(TRANSACTION_METRICS.historyRepaired)).toBe(1);
    expect(rig.deadLetters).toEqual([]);
    // Each version once, in order, and the follow-up at the version its history ends at.
    await deliver(deliveries.slice(redrawStart + 1));
    const history = await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    expect(history.map((entry) => entry.action)).toEqual(['open', 'redraw_order_known', 'close']);
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toMatchObject({ followUp: { state: 'closed', version: 3 } });
  });

  it('keeps the alerted marker through the tracker’s, the sweep’s and people’s later writes, and sets it once', async () => {
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'sample_error'));
    await deliver(deliveries.slice(0, 5));
    const at = '2026-03-10T12:00:00.000000Z';
    expect(await markAlerted(rig.table.db, rig.table.tableName, ids.transactionId, at, new Date())).toBe('written');
    // Set once: a later alert keeps the first time.
    expect(await markAlerted(rig.table.db, rig.table.tableName, ids.transactionId, '2026-03-11T12:00:00.000000Z', new Date())).toBe('already');
    const alertedAt = async () => (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.alertedAt;
    expect(await alertedAt()).toBe(at);
    // A person's action, the tracker's new versions (the redraw order, its failure), the sweep's bookkeeping.
    expect((await person(ids.transactionId, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' })).kind).toBe('changed');
    await deliver(deliveries.slice(5));
    const stored = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    expect(stored.followUp).toMatchObject({ attention: 'redraw_failed', redraw_order_id: ids.redrawId });
    expect(await markReminded(rig.table.db, rig.table.tableName, stored, at)).toBe('written');
    expect((await person(ids.transactionId, { action: 'close', disposition: 'patient_declined' })).kind).toBe('changed');
    expect(await alertedAt()).toBe(at);
    // None for a follow-up that does not exist.
    expect(await markAlerted(rig.table.db, rig.table.tableName, freshId(), at, new Date())).toBe('none');
  });

  it('gives an order without a transaction a follow-up of its own id', async () => {
    const orderId = freshId();
    const deliveries = buildDeliveries({
      transactionId: null,
      orders: [{ id: orderId, origin: 'initial', method: 'walk_in_test' }],
      steps: ['ordered', 'requisition_created', 'partial_results', 'redraw_available'].map((low) => ({ order: 0, low })),
      start: new Date('2026-03-02T09:00:00Z'),
    });
    await deliver(deliveries);
    expect(await getFollowUp(rig.table.db, rig.table.tableName, orderId, new Date())).toMatchObject({
      followUp: { id: orderId, transaction_id: null, initial_order_id: orderId, state: 'new' },
      redraw: { kind: 'awaiting_redraw', orderId },
    });
  });
});

/** Whether a request body (DynamoDB JSON) writes follow-up `id`'s item whose sort key starts with `sk`. */
function writes(body: Record<string, unknown>, id: string, sk: string): boolean {
  const item = body.Item as { pk?: { S?: string }; sk?: { S?: string } } | undefined;
  return item?.pk?.S === keys.followUp(id).pk && (item.sk?.S ?? '').startsWith(sk);
}
