/**
 * The store's requests to DynamoDB, in the document client's shapes (native
 * values in, native values out), behind one interface with two implementations:
 * - `httpTable` (store/http-table.ts): what every Lambda function and `npm start`
 *   use, a signed JSON request per call (shared/aws-json.ts) with util-dynamodb's
 *   marshalling, and nothing of the SDK's clients at cold start;
 * - `documentTable` (store/document-table.ts): the SDK's document client, for the
 *   bench's capacity meter and the tests' fault injection, which are client
 *   middleware, and for the CLI.
 * Both send the same request and answer the same result for the same input
 * (test/integration/table-client.test.ts). A refused condition is a result, not
 * an exception.
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
