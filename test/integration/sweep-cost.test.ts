/**
 * The sweep's cost follows the open redraws, not the table: in a table ten times
 * larger than what it may read, it reads about as many items as there are due
 * candidates.
 *
 * Measured by counting, with a client middleware, the index entries every Query
 * returns (`Items`) and evaluates (`ScannedCount`, which also covers the
 * `Select: COUNT` queries behind the OpenRedraws metric), and the items read by
 * key (each candidate, its follow-up, and the transaction and members of each
 * order awaiting its redraw). A Scan would fail the test outright.
 *
 * The figures are exact, so no read of any of the other orders goes unseen
 * however many of them there are: the sizes below (a quarter of the 2,900 plain
 * orders and 75 redraw flows this test once seeded, in the same proportions)
 * keep the table ten times larger than what the sweep may read, at a tenth of
 * the seeding.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { orderItem } from '../../functions/store/order-items';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { getOrder } from '../../functions/store/order-reads';
import { recomputeTransaction } from '../../functions/store/transactions';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, newestByOrder, redrawFlow, simpleFlow, type FlowSpec, type Method } from '../support/junction';
import { documentTable } from '../../functions/store/document-table';

const PLAIN_ORDERS = 725;
const DUE_AWAITING = 5; // initial orders in redraw_available for days, no redraw known
const DUE_IN_PROGRESS = 5; // redraw flows without progress for weeks
const ENDED = 5; // redraw flows whose redraw order completed weeks ago
const NOT_YET_DUE = 4; // redraw flows in progress, but recent

let table: TestTable;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  table = await createTestTable('sweep-cost');
});
afterAll(async () => {
  await table?.drop();
});

/** The newest webhook of each order of a flow, projected as the webhook would. */
function projected(spec: FlowSpec) {
  const newest = new Map<string, Record<string, unknown>>();
  for (const delivery of buildDeliveries(spec)) newest.set(delivery.orderId, delivery.body);
  return [...newest.values()].map((body) => {
    const read = readWebhookBody(JSON.stringify(body));
    if (read.kind !== 'order') throw new Error('test body not readable');
    return projectOrder(read.order);
  });
}

async function batchWrite(items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] = items.slice(i, i + 25);
    while (pending.length > 0) {
      const result = await table.doc.send(
        new BatchWriteCommand({ RequestItems: { [table.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      pending = (result.UnprocessedItems?.[table.tableName] ?? []).flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : []));
    }
  }
}

describe('stale-redraw sweep cost', () => {
  it('reads about as many items as there are due candidates, whatever the size of the table', async () => {
    const methods: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
    const old = new Date('2026-01-05T09:00:00Z');
    const recent = new Date('2026-02-28T12:00:00Z');
    const now = new Date('2026-03-01T00:00:00Z');

    // Bulk: orders that are no open redraw, written fast with BatchWriteItem from orderItem().
    const plain = Array.from({ length: PLAIN_ORDERS }, (_, i) =>
      projected(simpleFlow({ transactionId: i % 2 ? freshId() : null, orderId: freshId() }, methods[i % 4]!, 1 + (i % 6), old)),
    ).flat();
    await batchWrite(plain.map(({ record }) => orderItem(record, false)));

    // Open redraws through the webhook's own write of each order's newest webhook (the state every delivery order
    // converges to: newestByOrder), then the transaction function's recompute of their transaction.
    const seed = async (spec: FlowSpec) => {
      const newest = [...newestByOrder(buildDeliveries(spec)).values()];
      for (const delivery of newest) {
        const read = readWebhookBody(JSON.stringify(delivery.body));
        if (read.kind !== 'order') throw new Error('test body not readable');
        expect(await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order))).toBe('applied');
      }
      const orders = await Promise.all(newest.map(async ({ orderId }) => (await getOrder(table.db, table.tableName, orderId))!));
      await recomputeTransaction(table.db, table.tableName, spec.transactionId!, { orders, listings: [] });
    };
    const ids = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
    // Each flow on its own ids: eight at a time (one after another took most of this test's time on a busy machine).
    const flows = [
      ...Array.from({ length: DUE_AWAITING }, () => redrawFlow(ids(), 'not_created', old)),
      ...Array.from({ length: ENDED }, () => redrawFlow(ids(), 'completed', old)),
      ...Array.from({ length: DUE_IN_PROGRESS }, () => redrawFlow(ids(), 'in_progress', old)),
      ...Array.from({ length: NOT_YET_DUE }, () => redrawFlow(ids(), 'in_progress', recent)),
    ];
    for (let start = 0; start < flows.length; start += 8) await Promise.all(flows.slice(start, start + 8).map(seed));
    // The transaction function took the initial order of every flow whose redraw
    // appeared out of REDRAW#awaiting: due are the initial orders still awaiting
    // and the redraws without progress.
    const dueCandidates = DUE_AWAITING + DUE_IN_PROGRESS;
    // Items read by key: each candidate, its follow-up (CONTRACT §9: one per candidate's transaction, none stored
    // here, each read all the same), and for each awaiting one its transaction and its one member (the double check).
    const byKey = dueCandidates + dueCandidates + DUE_AWAITING * 2;

    const reads = { queries: 0, items: 0, scanned: 0, countItems: 0, gets: 0, batchGetKeys: 0, batchGets: 0, puts: 0, other: [] as string[] };
    table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output;
        if (context.commandName === 'QueryCommand' && 'ScannedCount' in output) {
          reads.queries++;
          reads.items += output.Items?.length ?? 0;
          reads.scanned += output.ScannedCount ?? 0;
          if (!output.Items) reads.countItems += output.Count ?? 0;
        } else if (context.commandName === 'GetItemCommand') {
          reads.gets++;
        } else if (context.commandName === 'BatchGetItemCommand') {
          // The appointments of the redraws in progress read (CONTRACT §10), in one batch.
          reads.batchGets++;
          reads.batchGetKeys += Object.values((args.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems).reduce((sum, request) => sum + request.Keys.length, 0);
        } else if (context.commandName === 'PutItemCommand') {
          // The sweep's lease and its notifications' claims (conditional writes of their own items).
          reads.puts++;
        } else if (context.commandName !== 'UpdateItemCommand') {
          reads.other.push(context.commandName ?? 'unknown');
        }
        return result;
      },
      { step: 'initialize', name: 'countReads' },
    );

    const notifier = createInMemoryNotifier();
    const result = await runSweep({ reportUnits: false,
      // Through the document client: the read counter above is client middleware.
      db: documentTable(table.doc),
      tableName: table.tableName,
      now,
      thresholds: DEFAULT_THRESHOLDS,
      notifier,
      logger: silent,
      metrics: { addMetric: () => undefined },
    });
    table.doc.middlewareStack.remove('countReads');

    const tableItems = plain.length + DUE_AWAITING + 2 * (ENDED + DUE_IN_PROGRESS + NOT_YET_DUE);
    console.info('sweep cost', { tableItems, dueCandidates, ...result, ...reads, notifications: notifier.notifications.length });

    expect(reads.other).toEqual([]); // no Scan: only Queries, reads by key (and the conditional writes)
    // Writes of items of their own: the lease, and one claim per notification.
    expect(reads.puts).toBe(1 + notifier.notifications.length);
    // The appointments of the redraws in progress listed: one BatchGetItem of their keys (none is stored here).
    expect(reads.batchGets).toBe(1);
    expect(reads.batchGetKeys).toBe(DUE_IN_PROGRESS);
    expect(result).toEqual({ examined: dueCandidates, flagged: DUE_AWAITING + DUE_IN_PROGRESS, cleared: 0, reconciled: 0, synced: 0, skipped: false });
    // Index entries returned: exactly the due candidates; items read by key: them and the double check's.
    expect(reads.items).toBe(dueCandidates);
    expect(reads.gets).toBe(byKey);
    expect(reads.gets).toBeLessThanOrEqual(3 * dueCandidates);
    // The COUNT queries behind OpenRedraws evaluate the open redraws left (flagged + not yet due), no more.
    expect(reads.countItems).toBe(DUE_AWAITING + DUE_IN_PROGRESS + NOT_YET_DUE);
    expect(reads.scanned).toBe(reads.items + reads.countItems);
    expect(reads.scanned).toBeLessThan(tableItems / 10);
  }, 480_000); // a hang guard: seeding 3,000 orders took over 180 s beside another test run (units are asserted, not time)
});
