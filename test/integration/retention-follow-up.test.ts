/**
 * Retention with follow-ups (CONTRACT §8, as sharpened by issue 32) through
 * the transaction function on DynamoDB Local's real stream: a transaction, its
 * orders and its follow-up (with its history) expire RETENTION_DAYS after the
 * later of the transaction's end and the follow-up's close, and nothing of them
 * expires while the follow-up is open. A person's close or reopen (the actions
 * function, which never touches transactions) moves it through the follow-up
 * item's own stream record. An expiry is no change: no event, no version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryAfter, transactionExpiry } from '../../functions/core/retention';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { keys } from '../../functions/store/keys';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { buildDeliveries, redrawFlow, redrawIds, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const RETENTION_DAYS = 30;
let rig: TransactionRig;
let publisher: InMemoryPublisher;
beforeAll(async () => {
  publisher = createInMemoryPublisher();
  rig = await startTransactionRig('retention-follow-up', { retentionDays: RETENTION_DAYS, publisher });
});
afterAll(async () => {
  await rig?.close();
});

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

const person = async (id: string, body: unknown) => {
  const outcome = await actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
  expect(outcome.kind).toBe('changed');
  await rig.settle();
};

/** The `expires_at` of every item of the story: transaction, its orders, its follow-up, each history entry (null: none). */
async function expiries(ids: ReturnType<typeof redrawIds>): Promise<Record<string, number | null>> {
  const read = async (key: { pk: string; sk: string }) => ((await rig.table.db.get({ TableName: rig.table.tableName, Key: key, ConsistentRead: true }))?.expires_at as number | undefined) ?? null;
  const history = await rig.table.db.query({
    TableName: rig.table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
    ExpressionAttributeValues: { ':pk': keys.followUp(ids.transactionId).pk, ':h': 'HIST#' },
    ConsistentRead: true,
  });
  return {
    transaction: await read(keys.transaction(ids.transactionId)),
    initial: await read(keys.order(ids.initialId)),
    redraw: await read(keys.order(ids.redrawId)),
    follow_up: await read(keys.followUp(ids.transactionId)),
    ...Object.fromEntries(history.Items.map((item) => [String(item.sk), (item.expires_at as number | undefined) ?? null])),
  };
}

function allEqual(values: Record<string, number | null>, expected: number | null): void {
  expect(Object.keys(values).length).toBeGreaterThan(4);
  expect(values).toEqual(Object.fromEntries(Object.keys(values).map((name) => [name, expected])));
}

describe('retention follows the follow-up', () => {
  it('keeps an over transaction, its orders, its follow-up and history while the follow-up is open; a person’s close sets the expiry from the close, a reopen clears it, a new close moves it', async () => {
    const ids = redrawIds();
    // The redraw failed: the transaction is over, its follow-up stays open (attention) for a person to decide.
    await deliver(buildDeliveries(redrawFlow(ids, 'sample_error')));
    const transaction = (await rig.transaction(ids.transactionId))!;
    expect(transaction.status).toBe('completed');
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'new', attention: 'redraw_failed' });
    allEqual(await expiries(ids), null);

    const eventsBefore = publisher.events.length;
    const versionBefore = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp.version;
    await person(ids.transactionId, { action: 'close', disposition: 'patient_declined' });
    const closed = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    const expected = transactionExpiry(transaction, RETENTION_DAYS, closed.followUp)!;
    // Closed today, long after the transaction's end: the close decides.
    expect(expected).toBe(expiryAfter(closed.followUp.closed_at!, RETENTION_DAYS));
    expect(expected).toBeGreaterThan(expiryAfter(transaction.updated_at, RETENTION_DAYS));
    allEqual(await expiries(ids), expected);
    // The expiry moved no version and published nothing but the person's own change.
    expect(closed.followUp.version).toBe(versionBefore + 1);
    expect(publisher.events.slice(eventsBefore).map((event) => event.type)).toEqual(['follow_up.changed']);
    expect((await rig.transaction(ids.transactionId))?.status).toBe('completed');

    await person(ids.transactionId, { action: 'reopen' });
    allEqual(await expiries(ids), null);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await person(ids.transactionId, { action: 'close', disposition: 'other' });
    const again = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    const moved = expiryAfter(again.followUp.closed_at!, RETENTION_DAYS);
    expect(moved).toBeGreaterThan(expected);
    allEqual(await expiries(ids), moved);
    expect(rig.deadLetters).toEqual([]);
  });

  it('expires a transaction whose follow-up the tracker closed at the redraw’s completion after the later of its end and that close, and keeps everything while a person holds the follow-up open after it', async () => {
    const ids = redrawIds();
    await deliver(buildDeliveries(redrawFlow(ids, 'completed')));
    const transaction = (await rig.transaction(ids.transactionId))!;
    // The tracker's close is recorded when it processed the completion (CONTRACT §9), here long after Junction's end.
    const closedAt = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp.closed_at!;
    expect(closedAt > transaction.updated_at).toBe(true);
    allEqual(await expiries(ids), expiryAfter(closedAt, RETENTION_DAYS));

    await person(ids.transactionId, { action: 'reopen' });
    allEqual(await expiries(ids), null);
    expect(rig.deadLetters).toEqual([]);
  });
});
