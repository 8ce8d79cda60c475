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
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';

export type { DeleteCommandInput, GetCommandInput, PutCommandInput, QueryCommandInput, TransactWriteCommandInput, UpdateCommandInput };

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
  delete(input: DeleteCommandInput): Promise<void>;
  /** TransactWriteItems: all or nothing; a cancelled transaction throws. */
  transactWrite(input: TransactWriteCommandInput): Promise<void>;
}

/** What the webhook path writes with. */
export type ItemWrites = Pick<TableClient, 'put' | 'transactWrite'>;
