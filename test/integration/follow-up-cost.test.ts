/**
 * What a follow-up (CONTRACT §9) costs per redraw in DynamoDB units, as AWS
 * bills them on demand (bench/meter.ts over DynamoDB Local's consumed capacity:
 * TransactWriteItems at twice a plain write, index writes at the plain price,
 * refused writes by the stored item's size), for a typical redraw story:
 * opened when the initial order reaches redraw_available, the redraw order
 * known, acknowledged, snoozed, a contact recorded, closed by the tracker when
 * the redraw completes, with retention (365 days, as deployed) setting the
 * history's expiry when the transaction ends.
 *
 * The transaction function runs on the table's real stream with a table client
 * that sends follow-up requests (keys and worklist partitions FOLLOWUP…) through
 * one metered client and everything else through another, so the follow-up's
 * share is measured apart from the rest of the function's work. People's
 * actions are store/follow-ups/actions.ts actOnFollowUp (what POST /follow-ups/{id}/actions
 * calls), metered on the follow-up side. docs/table-design.md quotes these figures.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { itemBytes } from '../../bench/item-size';
import { typicalWakeTime } from '../../bench/story-cost';
import { attachMeter, splitTable, type Meter, type MeterReading } from '../../bench/meter';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { documentTable } from '../../functions/store/document-table';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { listFollowUps } from '../../functions/store/follow-ups/worklist';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { keys } from '../../functions/store/keys';
import type { LogSink } from '../../functions/shared/observability';
import { createTransactionStatusHandler } from '../../functions/transaction-status/app';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, testClient, testDocumentClient, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';

const silent: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

let table: TestTable;
let reader: StreamReader;
let streams: DynamoDBStreamsClient;
const clients = { followUp: testClient(), rest: testClient() };
let meters: { followUp: Meter; rest: Meter };
const publisher = createInMemoryPublisher();

beforeAll(async () => {
  table = await createTestTable('follow-up-cost');
  meters = { followUp: attachMeter(clients.followUp), rest: attachMeter(clients.rest) };
  const handler = createTransactionStatusHandler({
    db: splitTable(documentTable(testDocumentClient(clients.followUp)), documentTable(testDocumentClient(clients.rest))),
    tableName: table.tableName,
    logger: silent,
    metrics: { addMetric() {}, publishStoredMetrics() {} },
    publisher,
    retentionDays: 365,
  });
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  reader = startStreamReader({ client: streams, streamArn: await findStreamArn(table.client, table.tableName), handler, pollIntervalMs: 20, logger: silent });
});
afterAll(async () => {
  await reader?.stop();
  streams?.destroy();
  for (const meter of Object.values(meters ?? {})) meter.detach();
  for (const client of Object.values(clients)) client.destroy();
  await table?.drop();
});

/** A reading's figures: write units (table + index), of which the index, and read units. */
const figures = (reading: MeterReading) => ({ write: reading.write + reading.refused, index: reading.index, read: reading.read, requests: reading.byCommand });

describe('follow-up cost per redraw', () => {
  it('costs 45 write units (20 of them the indexes’) and 13.5 read units over a typical redraw story, step by step', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const deliver = async (part: readonly Delivery[]) => {
      for (const delivery of part) {
        const read = readWebhookBody(JSON.stringify(delivery.body));
        if (read.kind !== 'order') throw new Error('test delivery not readable');
        await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
        await reader.whenIdle();
      }
    };
    const redrawStart = deliveries.findIndex((delivery) => delivery.orderId === ids.redrawId);
    const steps: { step: string; followUp: ReturnType<typeof figures> }[] = [];
    const measure = async (step: string, work: () => Promise<unknown>) => {
      meters.followUp.reset();
      await work();
      await reader.whenIdle();
      steps.push({ step, followUp: figures(meters.followUp.reading()) });
    };
    const act = (body: Record<string, unknown>) =>
      actOnFollowUp(documentTable(testDocumentClient(clients.followUp)), table.tableName, {
        id: ids.transactionId,
        body,
        actor: 'arn:aws:iam::123456789012:user/nurse',
        now: new Date(),
        thresholds: DEFAULT_THRESHOLDS,
      });

    meters.rest.reset();
    await measure('initial order webhooks up to redraw_available: opened', () => deliver(deliveries.slice(0, redrawStart)));
    await measure('redraw order ordered: known', () => deliver(deliveries.slice(redrawStart, redrawStart + 1)));
    await measure('acknowledge', () => act({ action: 'acknowledge', owner: 'team.outreach' }));
    await measure('snooze', () => act({ action: 'snooze', until: typicalWakeTime(new Date()), reason: 'appointment_booked' }));
    await measure('record_contact', () => act({ action: 'record_contact', channel: 'phone', outcome: 'reached' }));
    await measure('redraw order moves on (requisition_created, appointment_scheduled)', () => deliver(deliveries.slice(redrawStart + 1, -1)));
    await measure('redraw order completed: closed redraw_completed, history expiry set', () => deliver(deliveries.slice(-1)));
    const rest = figures(meters.rest.reading());

    const stored = await getFollowUp(table.db, table.tableName, ids.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ state: 'closed', disposition: 'redraw_completed', version: 6, contact_attempts: 1 });
    expect((await readHistory(table.db, table.tableName, ids.transactionId, new Date())).map((entry) => entry.action)).toEqual(['open', 'redraw_order_known', 'acknowledge', 'snooze', 'record_contact', 'close']);
    expect(publisher.events.filter((event) => event.type === 'follow_up.changed')).toHaveLength(6);

    const total = steps.reduce(
      (sum, { followUp }) => ({ write: sum.write + followUp.write, index: sum.index + followUp.index, read: sum.read + followUp.read }),
      { write: 0, index: 0, read: 0 },
    );
    // [step, write units (table + index; a person's TransactWriteItems at 2 per KB), of which the indexes', read units]
    // The worklist index (issue 45) adds its entry's write (1) when its key or entry changes (a new follow-up, a due time, an
    // owner, a state), 2 when its key moves; none when neither changes (record_contact). Its sort key and entry (about 100
    // bytes) took the item over 1 KB once it was snoozed with a contact recorded (before the worklist index: 45 units, 12
    // of them the index's; with it, 61 and 24); issue 76's compact `fu` keeps it under 1 KB all along, the tracker's entry
    // it carries included (the snooze's wake time is a whole hour, typicalWakeTime, as issue 54 fixed a flaky figure).
    expect(steps.map(({ step, followUp: { write, index, read } }) => [step, write, index, read])).toEqual([
      // GetItem (none stored: 1 RU); the tracker's version is one PutItem of the item carrying its entry (1), then HIST#1 (1)
      // (issue 76: no transaction, store/follow-ups/pending-history.ts); the item enters both indexes (1 + 1).
      // Then the new follow-up item's own record is checked for retention (CONTRACT §8: nothing expires while it is open): 1 RU.
      // In one transaction (before issue 76) it was 6: the item and HIST#1 at 2 each.
      ['initial order webhooks up to redraw_available: opened', 4, 2, 2],
      // The redraw order known is a version (CONTRACT §9: redraw_order_known): the item (1) and HIST#2 (1); its due time,
      // both indexes' sort key, moves (2 + 2). It was 8 in a transaction. Issue 82: the entries the item carried (`open`) are
      // carried on until their history item is known written: one eventually consistent GetItem of HIST#1 (0.5).
      ['redraw order ordered: known', 6, 4, 1.5],
      // A person's action is one transaction (applied once, whatever the network answers): item (2), history entry (2), the
      // by-transaction copy (1: projected attributes changed, key not), the worklist key moves to the owner's range (2).
      // Issue 82: the carried entry's history item read strongly consistent (1), so a missing one joins the transaction.
      ['acknowledge', 7, 3, 2],
      // As acknowledge, but the snooze moves the due time: both index keys change (2 + 2).
      ['snooze', 8, 4, 1],
      // Item (2), history entry (2), the by-transaction copy (1); the worklist entry is unchanged (0). The compact item
      // (issue 76: `fu` without its id and nulls) stays under 1 KB with a contact recorded: it was 8, the item over 1 KB.
      ['record_contact', 5, 1, 1],
      // Each move of the redraw order: the item's redraw timing, one PutItem (1), and the by-transaction copy (1; the snooze
      // holds the due time). It was 8, the item over 1 KB.
      ['redraw order moves on (requisition_created, appointment_scheduled)', 4, 2, 2],
      // Closed with its expiry in the same write (issue 57: retention reads the follow-up as this keep leaves it, closed now,
      // so the transaction, its orders and the follow-up get the close's expiry at once, CONTRACT §8): the recompute's read (1)
      // and keep-current's (1), the Query of the history (1) and an UpdateItem per earlier entry (5 × 1), then the item (1)
      // carrying the close's entry, HIST#6 with its expiry (1), open → closed in both indexes (2 + 2). Its stream record's
      // retention check reads it (1) and finds the expiry in place. It was 16 in a transaction, and 20 WU and 7 RU when the
      // close was written first and its record moved the expiry after (a second write of the item, of each entry and of
      // the transaction). The close also keeps where its transaction ended (issue 48: `te`, in a few bytes).
      ['redraw order completed: closed redraw_completed, history expiry set', 11, 4, 4],
    ]);
    expect(total).toEqual({ write: 45, index: 20, read: 13.5 });
    // The rest of the transaction function's work on the same story, for scale. Of its reads, 3 are the redraw
    // order's appointment (CONTRACT §10: one strongly consistent GetItem per keep-current of a redraw in progress);
    // of its writes, 3 are report rows (CONTRACT §11: the follow-up opened, closed, and the transaction ended).
    // Retention by the follow-up's close (CONTRACT §8) costs the checks' reads of the transaction (2: the close's
    // expiry is written with the transaction's end, issue 57; it was a second write of the transaction item and 6.5 RU
    // when the close's record moved the expiry after); each of the 3 records that change report rows
    // reads its item's report ledger first (3: counted once across an expiry and a return); and 1 WU is the transaction item
    // keeping when its initial order was in redraw_available (CONTRACT §9: the follow-up stays current after the order
    // leaves it, even when only a listing or a replaced state showed it). 2 WU are the record that the initial
    // order's missing results are wanted (CONTRACT §9 `missing`: the item and its open-redraws index entry), for the sweep.
    // Issue 48: the story's facts are March's, delivered today: the opened and ended rows are late, and each marks its hour
    // before it is written (issue 55: 1 WU each, 2; it was 2 each, the mark after the row and a note of it on the row); the
    // close is the tracker's now, on time (no mark). Issue 73: 1 WU is the instant counting closes by person began
    // (CONTRACT §11 closes_counted_since, store/report-closers.ts): a conditional put, once per handler instance, before
    // its first close row (a cold start pays it once, whether it writes or finds one stored).
    expect({ write: rest.write, read: rest.read }).toEqual({ write: 16, read: 14 });

    // The figures hold while the items stay under 1 KB (a transactional write: 2 units per KB).
    const raw = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: keys.followUp(ids.transactionId).pk }, sk: { S: 'FOLLOWUP' } } }));
    const history = await table.client.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)', ExpressionAttributeValues: { ':pk': { S: keys.followUp(ids.transactionId).pk }, ':h': { S: 'HIST#' } } }),
    );
    const sizes = { item: itemBytes(raw.Item!), history: (history.Items ?? []).map((item) => itemBytes(item)) };
    expect(sizes.item).toBeLessThan(1024);
    for (const size of sizes.history) expect(size).toBeLessThan(1024);
  });

  it('reads an unfiltered worklist page in one Query of the page and one more, an owner\'s in one Query of the owner\'s range of the worklist index and one BatchGetItem of the page: what it skips, it no longer pays for', async () => {
    const db = documentTable(testDocumentClient(clients.followUp));
    const owners = Array.from({ length: 10 }, (_, index) => `nurse.${index}`);
    // 60 open follow-ups, 6 per owner: more than an unfiltered page and the one after it (51), ten times an owner's.
    for (let index = 0; index < 60; index++) {
      const id = freshId();
      const followUp = { ...openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: '2026-03-02T13:00:00.000000Z' }), owner: owners[index % 10]! };
      const redraw = { kind: 'awaiting_redraw' as const, statusTime: '2026-03-02T13:00:00.000000Z', orderId: followUp.initial_order_id! };
      const dueAt = new Date(Date.parse('2026-03-03T13:00:00Z') + index * 60_000).toISOString().replace('Z', '000Z');
      expect(await writeStoredFollowUp(db, table.tableName, null, { followUp, redraw, dueAt, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
    }
    const page = async (owner: string | null) => {
      meters.followUp.reset();
      const listed = await listFollowUps(db, table.tableName, { state: 'open', owner, limit: 50, from: null, now: new Date() });
      const reading = meters.followUp.reading();
      return { items: listed.items.length, queries: reading.byCommand.QueryCommand, batchGets: reading.byCommand.BatchGetItemCommand ?? 0, read: reading.read, copies: reading.queryScanned };
    };
    // Unfiltered: one Query reads the page and one more (about 0.45 KB each: 0.06 RU; 0.75 KB and 5 RU before issue 76's
    // compact `fu`), to know whether a next page exists.
    expect(await page(null)).toEqual({ items: 50, queries: 1, batchGets: 0, read: 3, copies: 51 });
    // One owner in 10: the owner's range of the worklist index (its 6 slim entries, to its end: 0.5 RU), then the 6 items by key
    // (0.5 RU each: BatchGetItem prices each item alone): none of the other owners' 54 is read
    // (before the worklist index: Queries reading every copy, 17 RU for 200 follow-ups and an owner's 20).
    expect(await page('nurse.3')).toEqual({ items: 6, queries: 1, batchGets: 1, read: 3.5, copies: 6 });
  });
});

