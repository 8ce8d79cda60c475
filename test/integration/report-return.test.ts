/**
 * Reports (CONTRACT §11) count each transaction and follow-up once, even when
 * it expired (CONTRACT §8) and came back: on DynamoDB Local's real stream, a
 * redraw story's items are deleted the way DynamoDB's TTL does (REMOVE records
 * with userIdentity dynamodb.amazonaws.com), in any order, some late, the
 * history outliving its follow-up; then a late `corrected` result of the
 * redraw order recreates the transaction and its follow-up (versions start
 * again at 1, the transaction's end moved to the correction's time). The
 * report of a window holding both times counts the transaction and the
 * follow-up once, and a redelivery of every record since changes nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { keys, reportToken } from '../../functions/store/keys';
import { readRedrawReport } from '../../functions/store/reports';
import { buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
/** The transaction function's clock while Junction's past is replayed (its closes are recorded then, CONTRACT §9); null: now. */
let trackerClock: number | null = null;
beforeAll(async () => {
  // As deployed: retention on, so the items carry the expiry TTL acts on.
  rig = await startTransactionRig('report-return', { retentionDays: 365, now: () => trackerClock ?? Date.now() });
});
afterAll(async () => {
  await rig?.close();
});

const DAY_MS = 86_400_000;

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

async function weekReport(start: Date) {
  return readRedrawReport(rig.table.db, rig.table.tableName, { from: start, to: new Date(start.getTime() + 7 * DAY_MS), now: new Date() });
}

/** The counts one redraw story adds to its week: one follow-up opened and closed, one walk-in transaction ended with a redraw. */
const ONCE = { opened: 1, closed: 1, by_disposition: { redraw_completed: 1 }, walk_in_completed: 1, with_redraw: 1 };

async function ledgerLife(token: string, item: 'follow_up' | 'transaction'): Promise<unknown> {
  return (await rig.table.db.get({ TableName: rig.table.tableName, Key: keys.reportLedger(token, item), ConsistentRead: true }))?.life;
}

describe('reports count once across an expiry and a return', () => {
  it('counts a transaction and its follow-up once when they expired in any order and a late corrected result brought them back', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // The order TTL deletes the story's items in, and where the deletions split into rounds (the late ones).
        fc.record({ order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), split: fc.integer({ min: 1, max: 4 }) }),
        async ({ order, split }) => {
          const start = new Date(Date.UTC(2026, 7, 3 + 14 * run++, 9));
          const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
          const flow = redrawFlow(ids, 'completed', start);
          // An hour after its completion, the redraw order's result is corrected: a late fact.
          flow.steps.push({ order: 1, low: 'corrected' });
          const deliveries = buildDeliveries(flow);
          const corrected = deliveries.at(-1)!;
          // The tracker records its close when it processes the completion: a day into the week, as it happened.
          trackerClock = start.getTime() + DAY_MS;
          await deliver(deliveries.slice(0, -1));
          trackerClock = null;
          expect(await weekReport(start)).toMatchObject(ONCE);
          const lastVersion = (await rig.transaction(ids.transactionId))!.version;
          const followUp = keys.followUp(ids.transactionId);
          expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'closed' });

          // TTL deletes everything of the story, in any order; the history items last (they outlive their follow-up).
          const history = (
            await rig.table.db.query({
              TableName: rig.table.tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
              ExpressionAttributeValues: { ':pk': followUp.pk, ':h': 'HIST#' },
              ConsistentRead: true,
            })
          ).Items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
          // open and close, and the redraw order's own version when it joined after the opening (how the stream batched).
          expect(history.length).toBeGreaterThanOrEqual(2);
          const items = [keys.transaction(ids.transactionId), keys.order(ids.initialId), keys.order(ids.redrawId), followUp];
          const shuffled = order.map((index) => items[index]!);
          const batchesBefore = rig.batches.length;
          await rig.expire(shuffled.slice(0, split));
          await rig.settle();
          await rig.expire(shuffled.slice(split));
          await rig.settle();
          await rig.expire(history);
          await rig.settle();
          // What expired was counted, and stays counted.
          expect(await weekReport(start)).toMatchObject(ONCE);
          expect(await rig.transaction(ids.transactionId)).toBeNull();

          // The correction arrives: the transaction (version 1, ended at the correction's time) and its follow-up come back.
          trackerClock = start.getTime() + 2 * DAY_MS;
          await deliver([corrected]);
          trackerClock = null;
          const returned = (await rig.transaction(ids.transactionId))!;
          expect(returned.status).toBe('completed');
          // Its versions started again: below the expired one's, so only the ledger's life lets its rows win.
          expect(returned.version).toBeLessThan(lastVersion);
          expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'closed', disposition: 'redraw_completed' });
          expect(await weekReport(start)).toMatchObject(ONCE);
          const token = reportToken(ids.transactionId);
          expect([await ledgerLife(token, 'transaction'), await ledgerLife(token, 'follow_up')]).toEqual([1, 1]);

          // Every record since the expiries began delivered again (the REMOVEs too): still once, no further life.
          for (const { event } of rig.batches.slice(batchesBefore)) expect((await rig.handle(event)).batchItemFailures).toEqual([]);
          expect(await weekReport(start)).toMatchObject(ONCE);
          expect([await ledgerLife(token, 'transaction'), await ledgerLife(token, 'follow_up')]).toEqual([1, 1]);
        },
      ),
      { numRuns: propertyRuns(4) },
    );
    expect(rig.deadLetters).toEqual([]);
  });
});
