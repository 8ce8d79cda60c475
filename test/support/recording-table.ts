/**
 * A TableClient that records the partition key values each request names, then
 * passes it on unchanged: what IAM's `dynamodb:LeadingKeys` would carry (a
 * GetItem's Key, every key of a BatchGetItem, a Query's partition, on the table
 * or on an index; a write's item or key). The partition key of an index comes
 * from the shared table design (createTableInput), so an index added there is
 * read right without a change here.
 */
import { createTableInput, TABLE } from '../../functions/store/table';
import type { Item, QueryCommandInput, TableClient } from '../../functions/store/table-client';

export type RecordedOperation = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'TransactWriteItems';

export interface RecordedRequest {
  operation: RecordedOperation;
  /** `table`, or the index a Query reads. */
  target: string;
  /** The partition key values the request names. */
  partitions: string[];
}

/** The partition key attribute of each index of the table design. */
const INDEX_PARTITION_KEYS: ReadonlyMap<string, string> = new Map(
  (createTableInput('design').GlobalSecondaryIndexes ?? []).map((index) => [
    String(index.IndexName),
    String(index.KeySchema?.find((element) => element.KeyType === 'HASH')?.AttributeName),
  ]),
);

function partitionOf(item: Item | undefined, operation: string): string {
  const value = item?.[TABLE.partitionKey];
  if (typeof value !== 'string') throw new Error(`a ${operation} without a string ${TABLE.partitionKey}`);
  return value;
}

/**
 * The partition a Query reads: the value its key condition gives the table's or
 * the index's partition key (`<name> = :value`); anything else throws rather
 * than be guessed.
 */
export function queriedPartition(input: QueryCommandInput): string {
  const attribute = input.IndexName === undefined ? TABLE.partitionKey : INDEX_PARTITION_KEYS.get(input.IndexName);
  if (attribute === undefined) throw new Error(`no index ${input.IndexName ?? ''} in the table design`);
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  for (const term of String(input.KeyConditionExpression ?? '').split(/\s+AND\s+/i)) {
    const match = /^\s*\(?\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*\)?\s*$/.exec(term);
    if (match === null) continue;
    const [, name = '', placeholder = ''] = match;
    const value: unknown = values[placeholder];
    if ((names[name] ?? name) === attribute && typeof value === 'string') return value;
  }
  throw new Error(`no partition in the key condition ${String(input.KeyConditionExpression)}`);
}

/** `db`, recording every request into `requests`. */
export function recordingTable(db: TableClient): { db: TableClient; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const record = (operation: RecordedOperation, partitions: string[], target = 'table') => void requests.push({ operation, target, partitions });
  const recorded: TableClient = {
    get: (input) => {
      record('GetItem', [partitionOf(input.Key, 'GetItem')]);
      return db.get(input);
    },
    batchGet: (input) => {
      for (const request of Object.values(input.RequestItems ?? {})) record('BatchGetItem', (request.Keys ?? []).map((key) => partitionOf(key, 'BatchGetItem')));
      return db.batchGet(input);
    },
    query: (input) => {
      record('Query', [queriedPartition(input)], input.IndexName ?? 'table');
      return db.query(input);
    },
    put: (input) => {
      record('PutItem', [partitionOf(input.Item, 'PutItem')]);
      return db.put(input);
    },
    update: (input) => {
      record('UpdateItem', [partitionOf(input.Key, 'UpdateItem')]);
      return db.update(input);
    },
    delete: (input) => {
      record('DeleteItem', [partitionOf(input.Key, 'DeleteItem')]);
      return db.delete(input);
    },
    transactWrite: (input) => {
      const items = (input.TransactItems ?? []).map((entry) => entry.Put?.Item ?? entry.Update?.Key ?? entry.Delete?.Key ?? entry.ConditionCheck?.Key);
      record('TransactWriteItems', items.map((item) => partitionOf(item, 'TransactWriteItems')));
      return db.transactWrite(input);
    },
  };
  return { db: recorded, requests };
}
