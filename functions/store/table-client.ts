/**
 * The store's requests to DynamoDB, in the document client's shapes (native
 * values in, native values out): the six operations the store makes, and the
 * one place where a refused condition becomes a result (a lost race is a value,
 * not an exception). Implemented by the SDK's document client
 * (store/document-table.ts); the seam stays because it is narrow: store code
 * cannot reach a Scan or a batch write, and a unit test's unreachable table is a
 * few lines (test/support/unreachable-table.ts) instead of a mocked SDK.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommandInput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { forEachLimited } from '../shared/concurrency';

export type { BatchGetCommandInput, DeleteCommandInput, GetCommandInput, PutCommandInput, QueryCommandInput, TransactWriteCommandInput, UpdateCommandInput };

/** How native values become attribute values, for both implementations: undefined attributes are left out. */
export const MARSHALL_OPTIONS = Object.freeze({ removeUndefinedValues: true } as const);

/** An item with native values, as the document client reads and writes them. */
export type Item = Record<string, NativeAttributeValue>;

/** A conditional write's outcome: written, or refused by its condition (with the stored item, in DynamoDB's attribute values, when ALL_OLD was asked for). */
export type WriteOutcome = { written: true } | { written: false; stored: Record<string, AttributeValue> | undefined };

export interface QueryPage {
  Items: Item[];
  /** Items in the page (with Select COUNT, the only answer). */
  Count: number;
  LastEvaluatedKey?: Item;
}

export interface TableClient {
  /** GetItem: the item, or undefined. */
  get(input: GetCommandInput): Promise<Item | undefined>;
  /** One page of a Query (store/query-pages.ts follows LastEvaluatedKey). */
  query(input: QueryCommandInput): Promise<QueryPage>;
  put(input: PutCommandInput): Promise<WriteOutcome>;
  update(input: UpdateCommandInput): Promise<WriteOutcome>;
  /** DeleteItem: with a ConditionExpression, refused as a conditional write is. */
  delete(input: DeleteCommandInput): Promise<WriteOutcome>;
  /** TransactWriteItems: all or nothing; a cancelled transaction throws. */
  transactWrite(input: TransactWriteCommandInput): Promise<void>;
  /**
   * BatchGetItem (at most BATCH_GET_MAX_KEYS keys, no duplicates): the items found, by table,
   * in no particular order; UnprocessedKeys are asked again (followUnprocessedKeys).
   */
  batchGet(input: BatchGetCommandInput): Promise<Record<string, Item[]>>;
}

/** DynamoDB's limit of keys per BatchGetItem. */
export const BATCH_GET_MAX_KEYS = 100;

/** One BatchGetItem answer, native values. */
export interface BatchGetAnswer {
  Responses: Record<string, Item[]>;
  UnprocessedKeys: BatchGetCommandInput['RequestItems'] | undefined;
}

/** Thrown when DynamoDB keeps leaving keys unprocessed (throttling) after every attempt. */
export class BatchGetIncompleteError extends Error {
  override readonly name = 'BatchGetIncompleteError';
}

/** Attempts of one batchGet, the first included, before BatchGetIncompleteError. */
const BATCH_GET_ATTEMPTS = 6;

/**
 * Sends `input`, then the keys DynamoDB left unprocessed (it does under
 * throttling or past 16 MB), with a doubling wait from 50 ms, as AWS advises,
 * until none are left; the answers merged by table. Shared by both implementations.
 */
export async function followUnprocessedKeys(
  input: BatchGetCommandInput,
  send: (input: BatchGetCommandInput) => Promise<BatchGetAnswer>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Record<string, Item[]>> {
  const found: Record<string, Item[]> = {};
  let request: BatchGetCommandInput['RequestItems'] | undefined = input.RequestItems;
  for (let attempt = 0; request !== undefined && Object.keys(request).length > 0; attempt++) {
    if (attempt >= BATCH_GET_ATTEMPTS) throw new BatchGetIncompleteError(`keys still unprocessed after ${BATCH_GET_ATTEMPTS} attempts`);
    if (attempt > 0) await sleep(50 * 2 ** (attempt - 1));
    const answer = await send({ ...input, RequestItems: request });
    for (const [table, items] of Object.entries(answer.Responses)) (found[table] ??= []).push(...items);
    request = answer.UnprocessedKeys;
  }
  return found;
}

/**
 * Items read by key at once: a sweep after a large backfill meets thousands of
 * due candidates, and thousands of requests at once outrun the SDK's sockets and
 * its 1 s connection timeout (measured on DynamoDB Local with 1,000).
 */
export const READS_IN_FLIGHT = 16;

/** The items at these keys (undefined where none), in the keys' order, read READS_IN_FLIGHT at a time. */
export async function getItems(db: TableClient, tableName: string, itemKeys: readonly Item[], consistent: boolean): Promise<(Item | undefined)[]> {
  const items: (Item | undefined)[] = new Array(itemKeys.length);
  await forEachLimited(itemKeys, READS_IN_FLIGHT, async (Key, index) => {
    items[index] = await db.get({ TableName: tableName, Key, ConsistentRead: consistent });
  });
  return items;
}

/** What the webhook path writes with. */
export type ItemWrites = Pick<TableClient, 'put' | 'update' | 'transactWrite'>;
