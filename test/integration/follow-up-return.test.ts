/**
 * A follow-up that returns after its expiry, while DynamoDB has yet to delete
 * the expired items (CONTRACT §9: they count as absent; issue 43, item 4), end
 * to end: webhooks stored as the webhook function stores them, the transaction
 * function on DynamoDB Local's real stream. A redraw story ends (its follow-up
 * closed, everything given an expiry, RETENTION_DAYS 1); a day later, with
 * every item still stored (DynamoDB Local's TTL deletes nothing, AWS's takes
 * days), a second redraw order joins the transaction. The tracker opens a fresh
 * follow-up over the expired one: version 1, `open`, a history of its own,
 * published as any opening is; the report counts it once; the expired history
 * entries never show, not even where the new one's later versions overwrite them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../functions/core/events';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler } from '../../functions/query/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { queryItems } from '../../functions/store/query-pages';
import { keys, reportToken } from '../../functions/store/keys';
import { readRedrawReport } from '../../functions/store/reports';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { buildDeliveries, freshId, type Delivery, type FlowSpec } from '../support/junction';
import { openApiValidator } from '../support/openapi';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

let rig: TransactionRig;
let publisher: InMemoryPublisher;
/** The transaction function's clock while the first story is told (its close is recorded then); null: now. */
let trackerClock: number | null = null;
const assertDocumented = openApiValidator();
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  publisher = createInMemoryPublisher();
  rig = await startTransactionRig('follow-up-return', { publisher, retentionDays: 1, now: () => trackerClock ?? Date.now() });
});
afterAll(async () => {
  await rig?.close();
});

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

const START = new Date('2026-03-02T09:00:00Z');
const HOUR_MS = 3_600_000;

describe('a follow-up that returns after an expiry, its expired items still stored', () => {
  it('opens fresh at version 1 with a clean history, published and counted once, and its later versions never show the expired entries', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId(), secondRedrawId: freshId() };
    const story: FlowSpec = {
      transactionId: ids.transactionId,
      orders: [
        { id: ids.initialId, origin: 'initial', method: 'walk_in_test' },
        { id: ids.redrawId, origin: 'redraw', method: 'walk_in_test', parentId: ids.initialId },
        { id: ids.secondRedrawId, origin: 'redraw', method: 'walk_in_test', parentId: ids.initialId },
      ],
      steps: [
        ...['ordered', 'requisition_created', 'appointment_scheduled', 'partial_results', 'redraw_available'].map((low) => ({ order: 0, low })),
        ...['ordered', 'requisition_created', 'appointment_scheduled', 'completed'].map((low) => ({ order: 1, low })),
        // After the expiry: a second redraw order.
        ...['ordered', 'requisition_created'].map((low) => ({ order: 2, low })),
      ],
      start: START,
    };
    const deliveries = buildDeliveries(story);
    const id = ids.transactionId;

    // The first story, told as it happened: the tracker closes the follow-up on the redraw's completion.
    trackerClock = START.getTime() + 10 * HOUR_MS;
    await deliver(deliveries.slice(0, -2));
    const told = new Date(trackerClock);
    const closed = await getFollowUp(rig.table.db, rig.table.tableName, id, told);
    expect(closed).toMatchObject({ followUp: { state: 'closed', disposition: 'redraw_completed' } });
    expect(closed!.expiresAt).not.toBeNull();
    const expiredAt = closed!.expiresAt!;
    const firstLife = (await readHistory(rig.table.db, rig.table.tableName, id, told)).map((entry) => entry.action);
    expect(firstLife.at(-1)).toBe('close');
    expect(firstLife.length).toBeGreaterThanOrEqual(2);

    // Now, past its expiry (RETENTION_DAYS 1): the follow-up and its history are absent, still stored.
    trackerClock = null;
    expect(expiredAt * 1000).toBeLessThan(Date.now());
    expect(await getFollowUp(rig.table.db, rig.table.tableName, id, new Date())).toBeNull();
    expect(await readHistory(rig.table.db, rig.table.tableName, id, new Date())).toEqual([]);
    const stored = async () => {
      const items: Record<string, unknown>[] = [];
      for await (const item of queryItems(rig.table.db, { TableName: rig.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.followUp(id).pk }, ConsistentRead: true })) items.push(item);
      return items;
    };
    expect((await stored()).length).toBe(firstLife.length + 1);

    // The second redraw order joins: the tracker opens a fresh follow-up over the expired one.
    await deliver(deliveries.slice(-2));
    const now = new Date();
    const returned = await getFollowUp(rig.table.db, rig.table.tableName, id, now);
    expect(returned).toMatchObject({ followUp: { version: 1, state: 'new', owner: null, redraw_order_id: ids.secondRedrawId, closed_at: null }, expiresAt: null });
    expect((await readHistory(rig.table.db, rig.table.tableName, id, now)).map((entry) => [entry.actor, entry.action])).toEqual([['tracker', 'open']]);
    // The transaction moved again: kept again (no expiry), its follow-up open.
    expect(await rig.transaction(id)).toMatchObject({ status: 'active' });
    expect((await rig.transaction(id))?.expires_at ?? null).toBeNull();
    // The expired entries after version 1 are still stored, with their expiry: never revived.
    expect((await stored()).filter((item) => item.expires_at === expiredAt).length).toBe(firstLife.length - 1);

    // Through the query function: version 1 and its one entry.
    const query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: silent });
    const answer = await query({ routeKey: '$default', rawPath: `/follow-ups/${id}`, requestContext: { http: { method: 'GET' } } });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', answer);
    expect(JSON.parse(answer.body)).toMatchObject({ follow_up: { id, version: 1, state: 'new' }, history: [{ action: 'open' }] });
    expect((JSON.parse(answer.body) as { history: unknown[] }).history).toHaveLength(1);

    // A person acts: version 2 is written where the expired one's version 2 was; still only the new life shows.
    expect(await actOnFollowUp(rig.table.db, rig.table.tableName, { id, body: { action: 'acknowledge', owner: 'team.west' }, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS })).toMatchObject({
      kind: 'changed',
      stored: { followUp: { version: 2 } },
    });
    await rig.settle();
    expect((await readHistory(rig.table.db, rig.table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'acknowledge']);

    // Published as any follow-up's changes: each life's open once, and the new life's acknowledge (written over an expired entry).
    const changes = publisher.events.filter((event): event is Extract<TrackerEvent, { type: 'follow_up.changed' }> => event.type === 'follow_up.changed' && event.follow_up_id === id);
    const actions = changes.map((event) => [event.version, event.action]);
    expect(actions.slice(0, firstLife.length)).toEqual(firstLife.map((action, index) => [index + 1, action]));
    expect(actions.slice(firstLife.length)).toEqual([
      [1, 'open'],
      [2, 'acknowledge'],
    ]);

    // Counted once: the report's rows moved to the follow-up's second life (its expired life's close undone), none added beside them.
    const report = await readRedrawReport(rig.table.db, rig.table.tableName, { from: new Date(START.getTime() - 24 * HOUR_MS), to: new Date(START.getTime() + 6 * 24 * HOUR_MS), now: new Date() });
    expect(report).toMatchObject({ opened: 1, closed: 0 });
    expect((await rig.table.db.get({ TableName: rig.table.tableName, Key: keys.reportLedger(reportToken(id), 'follow_up'), ConsistentRead: true }))?.life).toBe(1);
    expect(rig.deadLetters).toEqual([]);
  });
});
