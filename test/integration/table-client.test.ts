/**
 * The functions' own table client (signed JSON requests, store/http-table.ts)
 * and the SDK's document client (store/document-table.ts) are two
 * implementations of one interface: for the same input they send the same
 * request body on the wire (seen by a proxy in front of DynamoDB Local), store
 * and read back the same values, and answer the same outcome, refused
 * conditions and cancelled transactions included. This is why the bench may
 * meter the functions' requests through the document client.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { documentTable } from '../../functions/store/document-table';
import type { TableClient, WriteOutcome } from '../../functions/store/table-client';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { putQuarantine, QUARANTINE_CHUNK_BYTES } from '../../functions/store/quarantine';
import { localDynamoDbClientConfig, localTable } from '../../local/dynamodb-local';
import { createTestTable, localEndpoint, testDocumentClient, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { buildDeliveries, freshId, redrawFlow, simpleFlow } from '../support/junction';

let table: TestTable;
/** A second table with the same design: each writer stores the same orders in its own. */
let twin: TestTable;
let proxy: DynamoDbProxy;
let sdkClient: DynamoDBClient;
let writers: { http: TableClient; sdk: TableClient };

beforeAll(async () => {
  table = await createTestTable('table-client');
  twin = await createTestTable('table-client-twin');
  proxy = await startDynamoDbProxy(localEndpoint());
  sdkClient = new DynamoDBClient({ ...localDynamoDbClientConfig(proxy.endpoint), maxAttempts: 3 });
  writers = { http: localTable(proxy.endpoint), sdk: documentTable(testDocumentClient(sdkClient)) };
});
afterAll(async () => {
  sdkClient?.destroy();
  await proxy?.close();
  await table?.drop();
  await twin?.drop();
});

type Writer = keyof typeof writers;

/** Runs `write` with each writer in turn; answers each one's outcome (or error name) and the request bodies it sent. */
async function both<T>(write: (writes: TableClient, writer: Writer) => Promise<T>): Promise<Record<Writer, { outcome: T | { error: string }; bodies: unknown[] }>> {
  const result = {} as Record<Writer, { outcome: T | { error: string }; bodies: unknown[] }>;
  for (const writer of ['sdk', 'http'] as const) {
    proxy.reset();
    let outcome: T | { error: string };
    try {
      outcome = await write(writers[writer], writer);
    } catch (error) {
      outcome = { error: error instanceof Error ? error.name : String(error) };
    }
    result[writer] = { outcome, bodies: proxy.requests.map((request) => request.body) };
  }
  return result;
}

/** `value` with the strings in `names` renamed, deeply (bytes, numbers and sets kept as they are). */
function renamed(value: unknown, names: Record<string, string>): unknown {
  if (typeof value === 'string') return names[value] ?? value;
  if (Array.isArray(value)) return value.map((entry) => renamed(entry, names));
  if (value instanceof Uint8Array || value instanceof Set || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, renamed(entry, names)]));
}

async function stored(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
}

/** A native value as the document client takes it: what the store's items are made of, nested. */
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  // util-dynamodb refuses numbers beyond 2^53 (both writers alike, as a rare case shows); DynamoDB's own range ends at 1e-130.
  fc.oneof({ weight: 20, arbitrary: fc.double({ min: -1e15, max: 1e15, noNaN: true }).filter((n) => n === 0 || Math.abs(n) > 1e-100) }, { weight: 1, arbitrary: fc.constant(2 ** 60) }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), { maxKeys: 4 })),
})).value;
const attributes = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name !== 'pk' && name !== 'sk'),
  value,
  { maxKeys: 8 },
);

describe('the functions\' table client and the document client', () => {
  it('send the same PutItem and store the same item, for any item the document client takes', async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(attributes, async (item) => {
        const keys = { sdk: { pk: `PROP#${freshId()}`, sk: 'ITEM' }, http: { pk: `PROP#${freshId()}`, sk: 'ITEM' } };
        const result = await both((writes, writer) => writes.put({ TableName: table.tableName, Item: { ...item, ...keys[writer] } }));
        // Both marshal with util-dynamodb: a number it refuses (beyond 2^53) is refused by both, before any request.
        expect(result.http.outcome).toEqual(result.sdk.outcome);
        if ('error' in result.sdk.outcome) {
          expect(result.http.bodies).toEqual([]);
          return;
        }
        written++;
        const sameKey = (body: unknown) => JSON.parse(JSON.stringify(body).replaceAll(keys.sdk.pk, 'K').replaceAll(keys.http.pk, 'K')) as unknown;
        const withoutKey = (value: unknown) => renamed(value, { [keys.sdk.pk]: 'K', [keys.http.pk]: 'K' });
        expect(result.http.bodies.map(sameKey)).toEqual(result.sdk.bodies.map(sameKey));
        const { pk: _sdkKey, ...sdkItem } = (await stored(keys.sdk.pk, 'ITEM')) ?? {};
        const { pk: _httpKey, ...httpItem } = (await stored(keys.http.pk, 'ITEM')) ?? {};
        expect(httpItem).toEqual(sdkItem);
        // Read back by each: GetItem and Query answer the same native values (binary as bytes, numbers as numbers).
        const got = await both((reads, writer) => reads.get({ TableName: table.tableName, Key: keys[writer], ConsistentRead: true }));
        expect(withoutKey(got.http.outcome)).toEqual(withoutKey(got.sdk.outcome));
        expect(withoutKey(got.http.outcome)).toEqual(withoutKey({ ...sdkItem, pk: 'K' }));
        const queried = await both((reads, writer) =>
          reads.query({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys[writer].pk }, ConsistentRead: true }),
        );
        expect(withoutKey(queried.http.outcome)).toEqual(withoutKey(queried.sdk.outcome));
        expect(sameKey(queried.http.bodies)).toEqual(sameKey(queried.sdk.bodies));
      }),
      { numRuns: 60, seed: 20261122 },
    );
    expect(written).toBeGreaterThan(45);
  });

  it('send the same order writes, and answer the same outcome for applied, duplicate and stale deliveries', async () => {
    const outcomes = new Set<string>();
    for (const flow of [redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed'), simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit')]) {
      const deliveries = buildDeliveries(flow);
      // In order, then a retry of each, then the oldest again: applied, duplicate, stale.
      for (const delivery of [...deliveries, ...deliveries, deliveries[0]!]) {
        const read = readWebhookBody(JSON.stringify(delivery.body));
        if (read.kind !== 'order') throw new Error('test delivery not readable');
        const projected = projectOrder(read.order);
        const tableOf = (writer: Writer) => (writer === 'sdk' ? table.tableName : twin.tableName);
        const result = await both((writes, writer) => putOrderFromWebhook(writes, tableOf(writer), projected));
        expect(result.http.outcome).toEqual(result.sdk.outcome);
        expect(result.http.bodies).toEqual(result.sdk.bodies.map((body) => ({ ...(body as object), TableName: twin.tableName })));
        outcomes.add(String(result.http.outcome));
      }
    }
    expect([...outcomes].sort()).toEqual(['applied', 'duplicate', 'stale']);
  });

  it('answer a refused condition with the stored item, and apply an allowed one, alike', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }), async (ranks) => {
        const keys = { sdk: { pk: `RANK#${freshId()}`, sk: 'ITEM' }, http: { pk: `RANK#${freshId()}`, sk: 'ITEM' } };
        for (const rank of ranks) {
          const result = await both((writes, writer): Promise<WriteOutcome> =>
            writes.put({
              TableName: table.tableName,
              Item: { ...keys[writer], rank: `r${rank}`, at: rank },
              ConditionExpression: 'attribute_not_exists(#pk) OR #rank < :rank',
              ExpressionAttributeNames: { '#pk': 'pk', '#rank': 'rank' },
              ExpressionAttributeValues: { ':rank': `r${rank}` },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          const withoutKey = (outcome: unknown) => JSON.parse(JSON.stringify(outcome).replaceAll(keys.sdk.pk, 'K').replaceAll(keys.http.pk, 'K')) as unknown;
          expect(withoutKey(result.http.outcome)).toEqual(withoutKey(result.sdk.outcome));
          if ('written' in result.http.outcome && !result.http.outcome.written) expect(result.http.outcome.stored?.rank?.S).toMatch(/^r\d$/);
          expect(result.http.bodies).toHaveLength(1);
        }
      }),
      { numRuns: 15, seed: 7 },
    );
  });

  it('send the same TransactWriteItems with binary chunks, and both refuse a cancelled transaction whole', async () => {
    const messageIds = { sdk: `msg_${freshId()}`, http: `msg_${freshId()}` };
    const body = Buffer.from(Array.from({ length: QUARANTINE_CHUNK_BYTES * 2 }, (_, index) => (index * 7919) % 251));
    const quarantine = (svixId: string) => ({ svixId, svixTimestamp: 1_780_000_000, reason: 'data: invalid_type', receivedAt: new Date('2026-11-22T10:00:00Z'), rawBody: body });
    const written = await both((writes, writer) => putQuarantine(writes, table.tableName, quarantine(messageIds[writer])));
    expect(written.sdk.outcome).toBeUndefined();
    expect(written.http.outcome).toBeUndefined();
    const sameId = (bodies: unknown[]) => JSON.parse(JSON.stringify(bodies).replaceAll(messageIds.sdk, 'M').replaceAll(messageIds.http, 'M')) as unknown;
    expect(sameId(written.http.bodies)).toEqual(sameId(written.sdk.bodies));
    expect(written.http.bodies).toHaveLength(1);

    const cancelled = await both((writes, writer) =>
      writes.transactWrite({
        TransactItems: [
          { Put: { TableName: table.tableName, Item: { pk: `TXN#${messageIds[writer]}`, sk: 'A', body: Buffer.from('bytes') } } },
          // The quarantine item exists: this condition fails, and the whole transaction with it.
          { Put: { TableName: table.tableName, Item: { pk: `QUARANTINE#${messageIds[writer]}`, sk: 'QUARANTINE' }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    expect(cancelled.sdk.outcome).toEqual({ error: 'TransactionCanceledException' });
    expect(cancelled.http.outcome).toEqual({ error: 'TransactionCanceledException' });
    expect(await stored(`TXN#${messageIds.sdk}`, 'A')).toBeUndefined();
    expect(await stored(`TXN#${messageIds.http}`, 'A')).toBeUndefined();
  });

  it('page a Query alike, following LastEvaluatedKey through ExclusiveStartKey', async () => {
    const pks = { sdk: `PAGE#${freshId()}`, http: `PAGE#${freshId()}` };
    for (const writer of ['sdk', 'http'] as const) {
      for (let index = 0; index < 7; index++) await writers[writer].put({ TableName: table.tableName, Item: { pk: pks[writer], sk: `S#${index}`, at: index, bytes: Buffer.from([index]) } });
    }
    const pages = await both(async (reads, writer) => {
      const seen: unknown[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await reads.query({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pks[writer] }, Limit: 3, ExclusiveStartKey: startKey });
        seen.push({ count: page.Count, items: page.Items.map(({ sk, at, bytes }) => ({ sk, at, bytes })) });
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return seen;
    });
    expect(pages.http.outcome).toEqual(pages.sdk.outcome);
    expect(pages.http.bodies).toHaveLength(3);
    expect(renamed(pages.http.bodies, { [pks.http]: 'P' })).toEqual(renamed(pages.sdk.bodies, { [pks.sdk]: 'P' }));
  });

  it('update and delete alike: a refused update answers the stored item, an allowed one writes', async () => {
    const keys = { sdk: { pk: `UPD#${freshId()}`, sk: 'ITEM' }, http: { pk: `UPD#${freshId()}`, sk: 'ITEM' } };
    for (const writer of ['sdk', 'http'] as const) await writers[writer].put({ TableName: table.tableName, Item: { ...keys[writer], version: 1, tags: new Set(['a']) } });
    const update = (version: number) =>
      both((writes, writer) =>
        writes.update({
          TableName: table.tableName,
          Key: keys[writer],
          UpdateExpression: 'SET #version = :next ADD #tags :tag REMOVE #gone',
          ConditionExpression: '#version = :seen',
          ExpressionAttributeNames: { '#version': 'version', '#tags': 'tags', '#gone': 'gone' },
          ExpressionAttributeValues: { ':next': version + 1, ':seen': version, ':tag': new Set([`v${version}`]) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    const allowed = await update(1);
    expect(allowed.http.outcome).toEqual({ written: true });
    expect(allowed.sdk.outcome).toEqual({ written: true });
    const refused = await update(1);
    const rename = (value: unknown) => renamed(value, { [keys.sdk.pk]: 'K', [keys.http.pk]: 'K' });
    expect(rename(refused.http.outcome)).toEqual(rename(refused.sdk.outcome));
    expect(refused.http.outcome).toMatchObject({ written: false, stored: { version: { N: '2' } } });
    expect(rename(refused.http.bodies)).toEqual(rename(refused.sdk.bodies));
    const deleted = await both((writes, writer) => writes.delete({ TableName: table.tableName, Key: keys[writer] }));
    expect(rename(deleted.http.bodies)).toEqual(rename(deleted.sdk.bodies));
    expect(await stored(keys.sdk.pk, 'ITEM')).toBeUndefined();
    expect(await stored(keys.http.pk, 'ITEM')).toBeUndefined();
  });

  it('read a BatchGetItem alike, asking again for the keys DynamoDB left unprocessed, found items only', async () => {
    const pks = { sdk: [freshId(), freshId(), freshId()].map((id) => `BATCH#${id}`), http: [freshId(), freshId(), freshId()].map((id) => `BATCH#${id}`) };
    for (const writer of ['sdk', 'http'] as const) {
      for (const [index, pk] of pks[writer].slice(0, 2).entries()) await writers[writer].put({ TableName: table.tableName, Item: { pk, sk: 'ITEM', at: index, bytes: Buffer.from([index]) } });
    }
    const read = () =>
      both(async (reads, writer) => {
        const found = await reads.batchGet({ RequestItems: { [table.tableName]: { Keys: pks[writer].map((pk) => ({ pk, sk: 'ITEM' })) } } });
        return (found[table.tableName] ?? []).map(({ pk, at, bytes }) => ({ key: pks[writer].indexOf(String(pk)), at, bytes })).sort((a, b) => a.key - b.key);
      });
    const plain = await read();
    expect(plain.sdk.outcome).toEqual([0, 1].map((index) => ({ key: index, at: index, bytes: new Uint8Array([index]) })));
    expect(plain.http.outcome).toEqual(plain.sdk.outcome);
    const rename = (value: unknown) => renamed(value, Object.fromEntries(pks.http.map((pk, index) => [pk, pks.sdk[index]!])));
    expect(rename(plain.http.bodies)).toEqual(plain.sdk.bodies);
    // The first answer leaves every key unprocessed: each client asks again, once, for the same keys.
    let first = true;
    const throttled = await both(async (reads, writer) => {
      first = true;
      proxy.fault = (operation) => (operation === 'BatchGetItem' && first ? ((first = false), { kind: 'unprocessed_keys' }) : null);
      const found = await reads.batchGet({ RequestItems: { [table.tableName]: { Keys: pks[writer].map((pk) => ({ pk, sk: 'ITEM' })), ConsistentRead: false } } });
      return (found[table.tableName] ?? []).length;
    });
    proxy.fault = () => null;
    expect(throttled.http.outcome).toBe(2);
    expect(throttled.sdk.outcome).toBe(2);
    expect(throttled.http.bodies).toHaveLength(2);
    expect(rename(throttled.http.bodies)).toEqual(throttled.sdk.bodies);
    expect(throttled.http.bodies[1]).toEqual(throttled.http.bodies[0]);
  });

  it('do not retry a refused request (a validation error): one request, named by its error type', async () => {
    const result = await both((writes) => writes.put({ TableName: table.tableName, Item: { pk: '', sk: 'ITEM' } }));
    expect(result.http.outcome).toEqual({ error: 'ValidationException' });
    expect(result.sdk.outcome).toEqual({ error: 'ValidationException' });
    expect(result.http.bodies).toHaveLength(1);
    expect(result.sdk.bodies).toHaveLength(1);
  });
});
