/**
 * Section c: what one stale-redraw sweep reads as the table grows. One table
 * grows to each size in turn (BatchWriteItem of items from orderItem(); mostly
 * orders that are no open redraw, a few open redraws that are not yet due);
 * before each sweep the same fixed set of due candidates is written back
 * unflagged, so every sweep has the same work to do.
 *
 * The sweep only reads the open-redraws index, which needs no stream: the
 * table is created without one so that seeding 50k items stays quick on
 * DynamoDB Local (a stream changes nothing the sweep reads).
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { projectOrder, type OrderRecord } from '../functions/core/order-record';
import { readWebhookBody } from '../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { runSweep } from '../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../functions/notices/notifier';
import { orderItem } from '../functions/store/order-items';
import { createTableInput } from '../functions/store/table';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, type FlowSpec, type Method } from '../test/support/junction';
import { attachMeter } from './meter';
import { forEachLimited } from '../functions/shared/concurrency';
import { progress, round } from './stats';
import { documentClientOf, documentTable } from '../functions/store/document-table';

export interface SweepCost {
  orders: number;
  dueCandidates: number;
  openNotDue: number;
  examined: number;
  flagged: number;
  /** Index entries the sweep's Queries returned (keys: candidates, flagged ones). */
  itemsRead: number;
  /** Items read by key (each candidate, and each awaiting candidate's transaction and members). */
  itemsReadByKey: number;
  /** Items its Queries evaluated, the Select: COUNT queries behind the OpenRedraws metric included. */
  itemsEvaluated: number;
  requests: number;
  readUnits: number;
  ms: number;
}

const NOW = new Date('2026-03-01T00:00:00Z');
const OLD = new Date('2026-01-05T09:00:00Z');
const RECENT = new Date('2026-02-28T12:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Each order's newest state in a flow, projected as the webhook does. */
function newestRecords(spec: FlowSpec): { record: OrderRecord; listingHasRedraw: boolean }[] {
  const newest = new Map<string, Record<string, unknown>>();
  for (const delivery of buildDeliveries(spec)) newest.set(delivery.orderId, delivery.body);
  return [...newest.values()].map((body) => {
    const read = readWebhookBody(JSON.stringify(body));
    if (read.kind !== 'order') throw new Error('bench body not readable');
    const { record, listing } = projectOrder(read.order);
    const listingHasRedraw = listing !== null && listing.members.some((member) => member.id !== record.id && member.origin === 'redraw');
    return { record, listingHasRedraw };
  });
}

/** The same record under new ids (a template is projected once, then cloned: 50k projections would dominate). */
function cloneRecord(record: OrderRecord, withTransaction: boolean): OrderRecord {
  return { ...record, id: freshId(), transaction_id: withTransaction ? freshId() : null };
}

export async function measureSweepCost(endpoint: string, sizes: readonly number[], dueCandidates: number): Promise<SweepCost[]> {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  const doc = documentClientOf(client);
  const tableName = `bench-sweep-${freshId()}`;
  const { StreamSpecification: _stream, ...input } = createTableInput(tableName);
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const batchWrite = batchWriter(doc, tableName);
  const templates = orderTemplates();
  const candidates = dueCandidateItems(dueCandidates);

  const results: SweepCost[] = [];
  let written = 0;
  let openNotDue = 0;
  for (const size of sizes) {
    const bulk = bulkItems(templates, written, size - candidates.length);
    openNotDue += bulk.openNotDue;
    const seedStart = performance.now();
    await batchWrite(bulk.items);
    written += bulk.items.length;
    // Back to unflagged: the previous sweep flagged them.
    await batchWrite(candidates);
    progress(`sweep table: ${written + candidates.length} orders (seeded ${bulk.items.length} in ${round((performance.now() - seedStart) / 1000, 1)} s)`);
    const { result, reading, ms } = await meteredSweep(client, doc, tableName);
    results.push({
      orders: written + candidates.length,
      dueCandidates: candidates.length,
      openNotDue,
      examined: result.examined,
      flagged: result.flagged,
      itemsRead: reading.queryItems,
      itemsReadByKey: reading.byCommand.GetItemCommand ?? 0,
      itemsEvaluated: reading.queryScanned,
      requests: reading.requests,
      readUnits: round(reading.read, 1),
      ms: round(ms, 1),
    });
    progress(`sweep at ${written + candidates.length} orders: ${reading.queryItems} items read, ${round(ms)} ms`);
  }
  client.destroy();
  return results;
}

/** Writes items in batches of 25, 4 at a time, until DynamoDB has taken every one. */
function batchWriter(doc: DynamoDBDocumentClient, tableName: string): (items: Record<string, unknown>[]) => Promise<void> {
  return async (items) => {
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    await forEachLimited(batches, 4, async (batch) => {
      let pending = batch;
      while (pending.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []).flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : []));
      }
    });
  };
}

type Templates = ReturnType<typeof orderTemplates>;

/** Templates: orders of every method at every step (no open redraw), and open redraws not yet due. */
function orderTemplates() {
  const methods: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
  const plainTemplates = methods.flatMap((method) =>
    [1, 2, 3, 4, 5, 6].flatMap((cut) => newestRecords(simpleFlow({ transactionId: freshId(), orderId: freshId() }, method, cut, OLD))),
  );
  const recentRedraw = newestRecords(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'in_progress', RECENT)).filter(
    ({ record }) => record.origin === 'redraw',
  );
  return { plainTemplates, recentRedraw };
}

/** The due candidates: half awaiting a redraw that never came, half redraws without progress for weeks. */
function dueCandidateItems(dueCandidates: number): Record<string, unknown>[] {
  const candidates: Record<string, unknown>[] = [];
  for (let i = 0; i < dueCandidates; i++) {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const records = newestRecords(redrawFlow(ids, i % 2 === 0 ? 'not_created' : 'in_progress', OLD));
    const due = records.filter(({ record }) => record.origin === (i % 2 === 0 ? 'initial' : 'redraw'));
    candidates.push(...due.map(({ record, listingHasRedraw }) => orderItem(record, listingHasRedraw)));
  }
  return candidates;
}

/** The items from index `from` up to `to`: plain orders, and about 2% open redraws that are not due yet. */
function bulkItems(templates: Templates, from: number, to: number): { items: Record<string, unknown>[]; openNotDue: number } {
  const items: Record<string, unknown>[] = [];
  let openNotDue = 0;
  for (let i = from; i < to; i++) {
    // About 2% of the table: open redraws that are not due yet (redraw orders of recent flows).
    if (i % 100 < 2) {
      const { record, listingHasRedraw } = templates.recentRedraw[i % templates.recentRedraw.length]!;
      items.push(orderItem({ ...record, id: freshId() }, listingHasRedraw));
      openNotDue++;
    } else {
      const { record } = templates.plainTemplates[i % templates.plainTemplates.length]!;
      items.push(orderItem(cloneRecord(record, i % 2 === 0), false));
    }
  }
  return { items, openNotDue };
}

/** One sweep at NOW, its requests metered and timed. */
async function meteredSweep(client: DynamoDBClient, doc: DynamoDBDocumentClient, tableName: string) {
  const meter = attachMeter(client);
  const started = performance.now();
  const result = await runSweep({
    db: documentTable(doc),
    tableName,
    now: NOW,
    thresholds: DEFAULT_THRESHOLDS,
    notifier: createInMemoryNotifier(),
    logger: silent,
    metrics: { addMetric: () => undefined },
  });
  const ms = performance.now() - started;
  const reading = meter.reading();
  meter.detach();
  return { result, reading, ms };
}
