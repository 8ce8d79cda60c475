/**
 * Checks, at the start of every bench run, that the meter's prices (meter.ts)
 * follow AWS's documented capacity rules, probing DynamoDB Local with small
 * writes and reads whose AWS price is known in advance:
 *
 * - a write costs 1 unit per KB of the larger of the old and new item, at least 1
 *   (Developer Guide, "Capacity unit consumption for writes");
 * - a global secondary index costs nothing when a write changes none of its keys
 *   and projected attributes, 1 when the item enters or leaves it or only
 *   projected attributes change, 2 when its key changes ("Write capacity units"
 *   of "Using Global Secondary Indexes");
 * - a refused conditional write costs the stored item's size, at least 1, on the
 *   table only ("Capacity units consumed by conditional writes");
 * - a transactional write costs 2 units per KB of each item; its index writes
 *   cost what they cost outside a transaction;
 * - reads: 1 unit per 4 KB strongly consistent, half that eventually
 *   consistent (every index Query is); a Query sums its items first.
 *
 * Sizes are probed at the 1 KB boundary with items whose size item-size.ts
 * computes (strings, numbers, nested maps and lists), so a disagreement between
 * our size rules and DynamoDB Local's shows up here too. Any mismatch throws:
 * the bench never prints figures priced by a rule that does not hold.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  waitUntilTableExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { itemBytes } from './item-size';
import { attachMeter, type Units } from './meter';

export interface CapacityProbe {
  probe: string;
  /** What AWS bills, by its documented rules. */
  expected: Units;
  /** What the meter priced from DynamoDB Local's answer. */
  priced: Units;
  ok: boolean;
}

type Item = Record<string, AttributeValue>;
const s = (value: string): AttributeValue => ({ S: value });

/** An item of exactly `bytes` bytes (by item-size.ts), with a nested map and list, padded with a string. */
function sized(pk: string, bytes: number, extra: Item = {}): Item {
  const base: Item = { pk: s(pk), ...extra, n: { N: '12345' }, m: { M: { a: s('x'), l: { L: [s('y'), { N: '7' }, { BOOL: true }] } } }, pad: s('') };
  const missing = bytes - itemBytes(base);
  if (missing < 0) throw new Error('probe item too small for its attributes');
  return { ...base, pad: s('p'.repeat(missing)) };
}

export async function checkCapacityRules(endpoint: string): Promise<CapacityProbe[]> {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  const tableName = `bench-capacity-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'k1', AttributeType: 'S' },
        { AttributeName: 'k2', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'keys-only', KeySchema: [{ AttributeName: 'k1', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'include', KeySchema: [{ AttributeName: 'k2', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['p'] } },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const meter = attachMeter(client);
  const probes: CapacityProbe[] = [];
  const probe = async (name: string, expected: Partial<Units>, work: () => Promise<unknown>) => {
    meter.reset();
    try {
      await work();
    } catch (error) {
      if (!(error instanceof Error) || !['ConditionalCheckFailedException', 'TransactionCanceledException'].includes(error.name)) throw error;
    }
    const { write, index, refused, read } = meter.reading();
    const want = { write: 0, index: 0, refused: 0, read: 0, ...expected };
    const priced = { write, index, refused, read };
    probes.push({ probe: name, expected: want, priced, ok: JSON.stringify(want) === JSON.stringify(priced) });
  };
  const put = (item: Item, extra: object = {}) => client.send(new PutItemCommand({ TableName: tableName, Item: item, ...extra }));
  try {
    await probe('put, new item of 1024 bytes, no index key', { write: 1 }, () => put(sized('a', 1024)));
    await probe('put, same item at 1025 bytes', { write: 2 }, () => put(sized('a', 1025)));
    await probe('put, back to 1024 bytes (the larger of old and new)', { write: 2 }, () => put(sized('a', 1024)));
    await probe('put, new item with a keys-only index key', { write: 2, index: 1 }, () => put({ pk: s('b'), k1: s('x'), v: s('1') }));
    await probe('put, same index key, another non-key value', { write: 1 }, () => put({ pk: s('b'), k1: s('x'), v: s('2') }));
    await probe('put, changed index key', { write: 3, index: 2 }, () => put({ pk: s('b'), k1: s('y'), v: s('2') }));
    await probe('put, index key removed', { write: 2, index: 1 }, () => put({ pk: s('b'), v: s('2') }));
    await probe('put, new item in an INCLUDE index', { write: 2, index: 1 }, () => put({ pk: s('c'), k2: s('x'), p: s('1'), v: s('1') }));
    await probe('put, non-projected attribute changed', { write: 1 }, () => put({ pk: s('c'), k2: s('x'), p: s('1'), v: s('2') }));
    await probe('put, projected attribute changed', { write: 2, index: 1 }, () => put({ pk: s('c'), k2: s('x'), p: s('2'), v: s('2') }));
    await probe('update, non-key attribute', { write: 1 }, () =>
      client.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: s('c') }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': s('3') } })),
    );
    await put(sized('d', 1500));
    await probe('refused put, stored item of 1500 bytes', { refused: 2 }, () => put({ pk: s('d') }, { ConditionExpression: 'attribute_not_exists(pk)' }));
    await probe('refused update, no stored item', { refused: 1 }, () =>
      client.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: s('none') }, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': s('1') } })),
    );
    await probe('transaction, two small puts, one entering an index', { write: 5, index: 1 }, () =>
      client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: { pk: s('e'), k1: s('z'), v: s('1') } } }, { Put: { TableName: tableName, Item: { pk: s('f'), v: s('1') } } }] })),
    );
    await probe('transaction, one put of 1500 bytes', { write: 4 }, () => client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: sized('g', 1500) } }] })));
    await probe('get, 1500 bytes, strongly consistent', { read: 1 }, () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: s('d') }, ConsistentRead: true })));
    await probe('get, 1500 bytes, eventually consistent', { read: 0.5 }, () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: s('d') } })));
    await probe('query of a keys-only index, one item', { read: 0.5 }, () =>
      client.send(new QueryCommand({ TableName: tableName, IndexName: 'keys-only', KeyConditionExpression: 'k1 = :k', ExpressionAttributeValues: { ':k': s('z') } })),
    );
  } finally {
    meter.detach();
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  }
  const wrong = probes.filter((entry) => !entry.ok);
  if (wrong.length > 0) {
    throw new Error(`DynamoDB Local's capacity, as priced by the meter, breaks AWS's rules: ${JSON.stringify(wrong)}`);
  }
  return probes;
}
