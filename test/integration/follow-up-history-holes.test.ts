/**
 * No history with a hole (issue 82) through the transaction function on DynamoDB
 * Local's real stream and the real sweep: a history item the record repairs late
 * takes the follow-up's expiry as it is now; an item whose write failed and whose
 * stream record was lost is carried by the follow-up item until a person's action
 * writes it in its transaction, or the sweep finds the gap, repairs and counts it;
 * a version held by another entry is counted.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { SWEEP_METRICS, TRANSACTION_METRICS } from '../../functions/shared/metric-names';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import { keys } from '../../functions/store/keys';
import { buildDeliveries, redrawFlow, redrawIds } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

let dropping: ((record: DynamoDBRecord) => boolean) | null = null;
const dropped: DynamoDBRecord[] = [];
let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('follow-up-history-holes', {
    drop: (record) => {
      const lost = dropping?.(record) ?? false;
      if (lost) dropped.push(record);
      return lost;
    },
  });
});
afterAll(async () => {
  await rig?.close();
});

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function writes(body: Record<string, unknown>, id: string, sk: string): boolean {
  const item = body.Item as { pk?: { S?: string }; sk?: { S?: string } } | undefined;
  return item?.pk?.S === keys.followUp(id).pk && (item.sk?.S ?? '').startsWith(sk);
}

/** The record of follow-up `id`'s item at `version`. */
function itemRecordAt(record: DynamoDBRecord, id: string, version: number): boolean {
  const image = record.dynamodb?.NewImage as Record<string, { S?: string; M?: Record<string, { N?: string }> }> | undefined;
  return image?.pk?.S === keys.followUp(id).pk && image.sk?.S === keys.followUp(id).sk && image.fu?.M?.v?.N === String(version);
}

/**
 * A follow-up opened, then its redraw order known (version 2) with that version's history item failing and
 * its item's stream record lost: the hole issue 82 is about. Resolves with the ids and the lost record.
 */
async function withHole(): Promise<{ ids: ReturnType<typeof redrawIds>; record: DynamoDBRecord; rest: ReturnType<typeof buildDeliveries> }> {
  const ids = redrawIds();
  const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
  const redrawStart = deliveries.findIndex((delivery) => delivery.orderId === ids.redrawId);
  await rig.deliver(deliveries.slice(0, redrawStart));
  dropped.length = 0;
  dropping = (record) => itemRecordAt(record, ids.transactionId, 2);
  rig.failNext('PutItem', 1, (body) => writes(body, ids.transactionId, 'HIST#'));
  await rig.deliver(deliveries.slice(redrawStart, redrawStart + 1));
  dropping = null;
  expect(dropped).toHaveLength(1);
  expect(await rig.table.db.get({ TableName: rig.table.tableName, Key: keys.followUpHistory(ids.transactionId, 2) })).toBeUndefined();
  return { ids, record: dropped[0]!, rest: deliveries.slice(redrawStart + 1) };
}

const historyItem = (id: string, version: number) => rig.table.db.get({ TableName: rig.table.tableName, Key: keys.followUpHistory(id, version), ConsistentRead: true });

describe('no history with a hole (issue 82)', () => {
  it('a history item the record repairs late takes the follow-up’s expiry as it is now', async () => {
    const { ids, record } = await withHole();
    // The follow-up's expiry is set meanwhile (a close's retention; a write that adds no version).
    const stored = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
    const expiry = Math.floor(Date.now() / 1000) + 30 * 86_400;
    const { revision: _revision, ...rest } = stored;
    expect(await writeBookkeeping(rig.table.db, rig.table.tableName, stored, { ...rest, expiresAt: expiry }, { knownFrom: null, now: new Date() })).toBe('written');
    // The lost record comes back late (a redelivery): its repair takes the expiry the item has now, not the record's.
    expect((await rig.handle({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(await historyItem(ids.transactionId, 2)).toMatchObject({ entry: { action: 'redraw_order_known' }, expires_at: expiry });
  });

  it('a stream record lost after a failed history write: the sweep finds the gap, repairs it from the item and counts it', async () => {
    const { ids } = await withHole();
    const counts = new Map<string, number>();
    const metrics = { addMetric: (name: string, _unit: string, value: number) => void counts.set(name, (counts.get(name) ?? 0) + value) };
    await runSweep({ reportUnits: false, db: rig.table.db, tableName: rig.table.tableName, now: new Date(Date.now() + 3_600_000), thresholds: DEFAULT_THRESHOLDS, notifier: createInMemoryNotifier(), logger: silent, metrics });
    expect(counts.get(SWEEP_METRICS.historyGaps)).toBe(1);
    expect(await historyItem(ids.transactionId, 2)).toMatchObject({ entry: { action: 'redraw_order_known' } });
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).map((entry) => entry.action)).toEqual(['open', 'redraw_order_known']);
  });

  it('a person’s action writes the entries its follow-up carries in its transaction: no gap after it', async () => {
    const { ids } = await withHole();
    const acted = await actOnFollowUp(rig.table.db, rig.table.tableName, { id: ids.transactionId, body: { action: 'acknowledge' }, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
    expect(acted.kind).toBe('changed');
    await rig.settle();
    expect(await historyItem(ids.transactionId, 2)).toMatchObject({ entry: { action: 'redraw_order_known' } });
    expect((await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).map((entry) => entry.action)).toEqual(['open', 'redraw_order_known', 'acknowledge']);
  });

  it('counts a history version held by another entry that is neither expired nor this one', async () => {
    const ids = redrawIds();
    // An entry of version 1 that is not this follow-up's (a hand-made item, or a bug's), unexpired.
    await rig.table.db.put({ TableName: rig.table.tableName, Item: { ...keys.followUpHistory(ids.transactionId, 1), tx: ids.transactionId, entry: { at: '2020-01-01T00:00:00.000000Z', actor: 'tracker', action: 'open' } } });
    rig.resetCounters();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const redrawStart = deliveries.findIndex((delivery) => delivery.orderId === ids.redrawId);
    await rig.deliver(deliveries.slice(0, redrawStart));
    expect(await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date())).toMatchObject({ followUp: { version: 1 } });
    expect(rig.metrics.get(TRANSACTION_METRICS.historyConflicts)).toBe(1);
  });
});
