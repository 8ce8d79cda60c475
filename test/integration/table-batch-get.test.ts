/**
 * The store's one batch read (TableClient.batchGet over the document client,
 * what the continuous sync reads a page's orders with): found items only, as
 * native values, and the keys DynamoDB leaves unprocessed asked again until
 * none is left. A proxy on the wire makes DynamoDB Local leave them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableClient } from '../../functions/store/table-client';
import { BatchGetIncompleteError } from '../../functions/store/table-client';
import { localTable } from '../../local/dynamodb-local';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { freshId } from '../support/junction';

let table: TestTable;
let proxy: DynamoDbProxy;
let db: TableClient;

beforeAll(async () => {
  table = await createTestTable('table-batch-get');
  proxy = await startDynamoDbProxy(localEndpoint());
  db = localTable(proxy.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  await table?.drop();
});

/** Three keys, the first two stored (with a binary value each). */
async function storedKeys(): Promise<string[]> {
  const pks = [freshId(), freshId(), freshId()].map((id) => `BATCH#${id}`);
  for (const [index, pk] of pks.slice(0, 2).entries()) await table.db.put({ TableName: table.tableName, Item: { pk, sk: 'ITEM', at: index, bytes: Buffer.from([index]) } });
  return pks;
}

const keysOf = (pks: string[]) => ({ Keys: pks.map((pk) => ({ pk, sk: 'ITEM' })), ConsistentRead: false });

describe('batchGet', () => {
  it('answers the items found, as native values, and nothing for a key not stored, in one request', async () => {
    const pks = await storedKeys();
    proxy.reset();
    const found = await db.batchGet({ RequestItems: { [table.tableName]: keysOf(pks) } });
    const read = (found[table.tableName] ?? []).map(({ pk, at, bytes }) => ({ key: pks.indexOf(String(pk)), at, bytes })).sort((a, b) => a.key - b.key);
    expect(read).toEqual([0, 1].map((index) => ({ key: index, at: index, bytes: new Uint8Array([index]) })));
    expect(proxy.counts()).toEqual({ BatchGetItem: 1 });
  });

  it('asks again for the keys DynamoDB left unprocessed, with the same keys', async () => {
    const pks = await storedKeys();
    proxy.reset();
    let first = true;
    proxy.fault = (operation) => (operation === 'BatchGetItem' && first ? ((first = false), { kind: 'unprocessed_keys' }) : null);
    const found = await db.batchGet({ RequestItems: { [table.tableName]: keysOf(pks) } });
    expect(found[table.tableName]).toHaveLength(2);
    expect(proxy.requests.map(({ operation }) => operation)).toEqual(['BatchGetItem', 'BatchGetItem']);
    expect(proxy.requests[1]?.body).toEqual(proxy.requests[0]?.body);
  });

  it('gives up with BatchGetIncompleteError when keys stay unprocessed', async () => {
    const pks = await storedKeys();
    proxy.reset();
    proxy.fault = (operation) => (operation === 'BatchGetItem' ? { kind: 'unprocessed_keys' } : null);
    await expect(db.batchGet({ RequestItems: { [table.tableName]: keysOf(pks) } })).rejects.toBeInstanceOf(BatchGetIncompleteError);
    proxy.fault = () => null;
  });
});
