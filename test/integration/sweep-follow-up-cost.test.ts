/**
 * What follow-ups add to a sweep's DynamoDB bill (CONTRACT §9), in capacity
 * units as AWS bills them (bench/meter.ts over DynamoDB Local's consumed
 * capacity): the follow-ups of the orders the sweep reads, once each, by key
 * and eventually consistent; and, only with FOLLOW_UP_ACK_HOURS, one Query of
 * the worklist's open partition plus, per reminder, two strongly consistent
 * reads (the follow-up, its order) and the marker's conditional write. Every
 * alert that carries a follow-up's chat buttons reads that follow-up once more
 * (strongly consistent) for its alerted marker, and the first one writes it
 * (CONTRACT §9: a button acts only on a follow-up that was notified).
 *
 * Follow-ups are opened by the transaction function on the table's real
 * stream, as in production; the sweep reads through a metered client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter } from '../../bench/meter';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { instantMillis } from '../../functions/core/instant';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { getFollowUps } from '../../functions/store/follow-ups/reads';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { localEndpoint } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow, type RedrawOutcome } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Few of each, and not as many of one as of the other: every figure below is exact per order (or per
// reminder), so a handful shows it as well as twenty did, and a cost charged to the wrong kind shows too.
const AWAITING = 4;
const IN_PROGRESS = 3;
const START = new Date('2031-03-02T09:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let rig: TransactionRig;
let client: DynamoDBClient;
beforeAll(async () => {
  rig = await startTransactionRig('sweep-follow-up-cost');
  client = new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
});
afterAll(async () => {
  client?.destroy();
  await rig?.close();
});

async function seed(outcome: RedrawOutcome): Promise<string> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, outcome, START))) await rig.webhook(delivery);
  return ids.transactionId;
}

describe('what follow-ups add to a sweep', () => {
  it('costs half a read unit per order the sweep reads (its follow-up, eventually consistent), and the reminder a Query of the open worklist plus two reads and a write per reminder', async () => {
    const transactions: string[] = [];
    for (let i = 0; i < AWAITING; i++) transactions.push(await seed('not_created'));
    for (let i = 0; i < IN_PROGRESS; i++) transactions.push(await seed('in_progress'));
    await rig.settle();
    const db = documentTable(documentClientOf(client));
    const meter = attachMeter(client);
    const sweep = async (now: number, followUpAckHours: number | null) => {
      meter.reset();
      const notifier = createInMemoryNotifier();
      const result = await runSweep({ reportUnits: false, db, tableName: rig.table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier, logger: silent, metrics: { addMetric: () => undefined }, followUpAckHours });
      return { result, reading: meter.reading(), notifications: notifier.notifications };
    };

    // The extra reads of the stale rules: exactly getFollowUps of the candidates' follow-ups, metered alone.
    meter.reset();
    const followUps = await getFollowUps(db, rig.table.tableName, transactions, new Date());
    const followUpReads = meter.reading();
    expect(followUps.size).toBe(transactions.length);
    expect(followUpReads.byCommand).toEqual({ GetItemCommand: transactions.length });
    // Each follow-up item is well under 4 KB: half a read unit, eventually consistent.
    expect(followUpReads.read).toBeCloseTo(0.5 * transactions.length, 5);

    // Sweep 1: every open redraw is due (10 days on): 7 candidates, 7 follow-up reads among its GetItems.
    const now = instantMillis('2031-03-12T09:00:00.000000Z');
    expect(now - START.getTime()).toBe(10 * DAY);
    const first = await sweep(now, null);
    expect(first.result).toMatchObject({ examined: transactions.length, flagged: transactions.length });
    // Items by key: each candidate, its follow-up, and each awaiting one's transaction and member; then, per
    // alert sent, its follow-up again for the alerted marker, written the first time (a PutItem each).
    expect(first.reading.byCommand.GetItemCommand).toBe(2 * transactions.length + 2 * AWAITING + transactions.length);
    expect(first.notifications).toHaveLength(transactions.length);

    // Sweep 2 with FOLLOW_UP_ACK_HOURS: every follow-up is still new, so each is reminded once.
    const second = await sweep(now + HOUR, 24);
    expect(second.notifications.filter((sent) => sent.reason === 'not_acknowledged')).toHaveLength(transactions.length);
    // Sweeps 3 and 3': nothing left to remind. The worklist's Query is made either way (the redraw_failed
    // notices read it, CONTRACT §9): the setting adds no request.
    const quietOn = await sweep(now + 2 * HOUR, 24);
    const quietOff = await sweep(now + 3 * HOUR, null);
    expect(quietOn.notifications).toEqual([]);
    expect(quietOn.reading.byCommand.QueryCommand).toBe(quietOff.reading.byCommand.QueryCommand);

    const figures = {
      orders_read_by_the_sweep: transactions.length,
      follow_up_read_units: followUpReads.read,
      follow_up_read_units_per_order: followUpReads.read / transactions.length,
      first_sweep_read_units: first.reading.read,
      reminder_sweep: { reminders: transactions.length, read_units: second.reading.read, write_units: second.reading.write, requests: second.reading.byCommand },
      quiet_sweep: { read_units: quietOff.reading.read, write_units: quietOff.reading.write, requests: quietOff.reading.byCommand },
    };
    console.info('sweep follow-up cost', JSON.stringify(figures));
    // The same reads with the setting on or off: the worklist's Query is one read of the open partition either way.
    expect(quietOn.reading.read).toBe(quietOff.reading.read);
    // A quiet sweep writes its lease only: taken (PutItem) and released (UpdateItem), one unit each.
    expect(quietOff.reading.write).toBe(2);
    expect(quietOff.reading.byCommand.PutItemCommand).toBe(1);
    expect(quietOff.reading.byCommand.UpdateItemCommand).toBe(1);
    // A reminder: its follow-up and its order read again strongly consistently (1 unit each), and the follow-up
    // once more for the alerted marker (set by the first sweep's alert: no write); its claim (PutItem) and the
    // claim's mark (UpdateItem), and the follow-up's reminder marker (PutItem). Plus the lease's two writes.
    // Three strongly consistent units each; the worklist's Query's units follow its items' total size in 4 KB
    // steps, and the markers written between the two sweeps may move it by one step (half a unit).
    expect(Math.abs(second.reading.read - quietOn.reading.read - 3 * transactions.length)).toBeLessThanOrEqual(1);
    // Of that, the reads by key exactly: three strongly consistent units per reminder.
    const getItemUnits = (reading: typeof second.reading) => reading.unitsByCommand.GetItemCommand?.read ?? 0;
    expect(getItemUnits(second.reading) - getItemUnits(quietOn.reading)).toBe(3 * transactions.length);
    expect(second.reading.byCommand.PutItemCommand).toBe(2 * transactions.length + 1);
    expect(second.reading.byCommand.UpdateItemCommand).toBe(transactions.length + 1);
    meter.detach();
  });

  it('costs per attention notice (a failed test kit: no_redraw) two strongly consistent reads, the alerted read, the claim and its mark, the marker and the alerted marker; nothing on the next sweep', async () => {
    const KITS = 3;
    const kits: string[] = [];
    const kitStart = new Date('2032-03-02T09:00:00Z');
    const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
    for (let i = 0; i < KITS; i++) {
      const kit = { transactionId: freshId(), orderId: freshId() };
      kits.push(kit.transactionId);
      for (const delivery of buildDeliveries({ transactionId: kit.transactionId, orders: [{ id: kit.orderId, origin: 'initial', method: 'testkit' }], steps, start: kitStart })) await rig.webhook(delivery);
    }
    await rig.settle();
    const db = documentTable(documentClientOf(client));
    const meter = attachMeter(client);
    const sweep = async (now: number) => {
      meter.reset();
      const notifier = createInMemoryNotifier();
      await runSweep({ reportUnits: false, db, tableName: rig.table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier, logger: silent, metrics: { addMetric: () => undefined } });
      return { reading: meter.reading(), notifications: notifier.notifications };
    };
    const now = kitStart.getTime() + DAY;
    const noticed = await sweep(now);
    const mine = noticed.notifications.filter((sent) => sent.reason === 'no_redraw' && kits.includes(sent.transaction_id ?? ''));
    expect(mine).toHaveLength(KITS);
    const quiet = await sweep(now + HOUR);
    expect(quiet.notifications.filter((sent) => kits.includes(sent.transaction_id ?? ''))).toEqual([]);
    const figures = {
      notices: KITS,
      notice_sweep: { read_units: noticed.reading.read, write_units: noticed.reading.write, requests: noticed.reading.byCommand },
      quiet_sweep: { read_units: quiet.reading.read, write_units: quiet.reading.write, requests: quiet.reading.byCommand },
      per_notice: { read_units: (noticed.reading.read - quiet.reading.read) / KITS, write_units: (noticed.reading.write - quiet.reading.write) / KITS },
    };
    console.info('attention notice cost', JSON.stringify(figures));
    // Per notice, strongly consistent GetItems: the follow-up and its order before sending, the follow-up for its
    // alerted marker and again, as that marker left it, for its attention marker; its claim (PutItem) and the
    // claim's mark (UpdateItem); the alerted marker and the attention marker (a PutItem each of the whole
    // follow-up item: 2 units at its size), neither losing a race to the other.
    const delta = (command: string) => (noticed.reading.byCommand[command] ?? 0) - (quiet.reading.byCommand[command] ?? 0);
    expect(delta('GetItemCommand')).toBe(4 * KITS);
    expect(delta('PutItemCommand')).toBe(3 * KITS);
    expect(delta('UpdateItemCommand')).toBe(KITS);
    expect(delta('QueryCommand')).toBe(0);
    // Without a Junction key the same sweep drops each kit's results-wanted record (CONTRACT §9 `missing`): a DeleteItem,
    // 1 unit and 1 for its index entry; not the notice's.
    expect(delta('DeleteItemCommand')).toBe(KITS);
    // 6 units: the claim and its mark 1 each, the two whole-item writes 2 each; plus the record's drop, 2.
    expect(figures.per_notice.write_units).toBeLessThanOrEqual(6 + 2);
    meter.detach();
  });
});

