/**
 * TableClient as signed JSON requests to DynamoDB (see store/table-client.ts):
 * the functions' requests without the SDK's DynamoDB client at cold start (its
 * protocol, models, endpoint rules and middleware are ~190 KiB to parse at every
 * cold start, for six operations whose wire format is plain JSON). Values are
 * marshalled and unmarshalled by util-dynamodb with the document client's
 * options, so a call sends the very request the document client would and
 * answers the same values.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsJsonError, awsJsonCaller, partitionDomain, type AwsJsonCall, type AwsJsonOptions, type SigningConfig } from '../shared/aws-json';
import { entrySigning } from '../shared/aws-signing';
import { followUnprocessedKeys, MARSHALL_OPTIONS, type Item, type TableClient, type WriteOutcome } from './table-client';

/** `endpoint`: DYNAMODB_ENDPOINT (DynamoDB Local); the regional endpoint when absent. */
export function httpTable(signing: SigningConfig, endpoint: string | undefined, options: AwsJsonOptions = {}): TableClient {
  const call = awsJsonCaller(
    { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpoint, regionalHost: (region) => `dynamodb.${region}.${partitionDomain(region)}` },
    signing,
    options,
  );
  return {
    async get(input) {
      const output = await call('GetItem', marshalled(input));
      return isMap(output.Item) ? itemOf(output.Item) : undefined;
    },
    async query(input) {
      const output = await call('Query', marshalled(input));
      const items = Array.isArray(output.Items) ? output.Items.filter(isMap).map(itemOf) : [];
      return { Items: items, Count: typeof output.Count === 'number' ? output.Count : items.length, ...(isMap(output.LastEvaluatedKey) ? { LastEvaluatedKey: itemOf(output.LastEvaluatedKey) } : {}) };
    },
    put: (input) => conditional(call, 'PutItem', marshalled(input)),
    update: (input) => conditional(call, 'UpdateItem', marshalled(input)),
    async delete(input) {
      await call('DeleteItem', marshalled(input));
    },
    async transactWrite(input) {
      await call('TransactWriteItems', {
        ...input,
        // Each entry is one of Put, Delete, Update or ConditionCheck, marshalled as a request of its own.
        TransactItems: input.TransactItems?.map((entry) =>
          Object.fromEntries(Object.entries(entry).flatMap(([kind, request]: [string, object | undefined]) => (request ? [[kind, marshalled(request)]] : []))),
        ),
      });
    },
    // Keyed by table: each table's keys are marshalled as a request's; unprocessed ones are asked again with their table's options.
    batchGet: (input) =>
      followUnprocessedKeys(input, async (request) => {
        const tables = Object.entries(request.RequestItems ?? {});
        const output = await call('BatchGetItem', { ...request, RequestItems: Object.fromEntries(tables.map(([table, part]) => [table, { ...part, Keys: part.Keys?.map((key) => marshall(key, MARSHALL_OPTIONS)) }])) });
        const responses = isMap(output.Responses) ? Object.entries(output.Responses) : [];
        const unprocessed = isMap(output.UnprocessedKeys) ? Object.entries(output.UnprocessedKeys) : [];
        return {
          Responses: Object.fromEntries(responses.map(([table, items]) => [table, Array.isArray(items) ? items.filter(isMap).map(itemOf) : []])),
          UnprocessedKeys: unprocessed.length === 0 ? undefined : Object.fromEntries(
            unprocessed.map(([table, part]) => [table, { ...request.RequestItems?.[table], Keys: isMap(part) && Array.isArray(part.Keys) ? part.Keys.filter(isMap).map(itemOf) : [] }]),
          ),
        };
      }),
  };
}

/**
 * The table client of a Lambda entry: DynamoDB Local with fixed credentials
 * when `dynamodbEndpoint` is set, else the regional endpoint with the
 * credentials Lambda puts in the environment (a missing one fails the init, by
 * name). Its signing configuration signs the function's Secrets Manager reads too.
 */
export function entryTable(dynamodbEndpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): { db: TableClient; signing: SigningConfig } {
  const signing = entrySigning(dynamodbEndpoint, env);
  return { db: httpTable(signing, dynamodbEndpoint), signing };
}

async function conditional(call: AwsJsonCall, operation: string, input: Record<string, unknown>): Promise<WriteOutcome> {
  try {
    await call(operation, input);
    return { written: true };
  } catch (error) {
    if (!(error instanceof AwsJsonError) || error.errorType !== 'ConditionalCheckFailedException') throw error;
    return { written: false, stored: isMap(error.answer.Item) ? fromWire(error.answer.Item) : undefined };
  }
}

/** The document client's fields that carry native values (marshalled here); the rest goes as it is. */
const VALUE_FIELDS = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** The input with its native values as DynamoDB's attribute values. */
function marshalled(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const field of VALUE_FIELDS) {
    const value = out[field];
    if (value !== undefined) out[field] = marshall(value as Item, MARSHALL_OPTIONS);
  }
  return out;
}

/** An item as the document client answers it: native values, binary as Uint8Array. */
function itemOf(wire: Record<string, unknown>): Item {
  return unmarshall(fromWire(wire));
}

/**
 * Attribute values from JSON: binary (B, BS) arrives base64-encoded, as JSON
 * spells it; the SDK hands it over as bytes, and so does this.
 */
function fromWire(wire: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(wire)) out[name] = attributeFromWire(value);
  return out;
}

function attributeFromWire(value: unknown): AttributeValue {
  if (!isMap(value)) return value as unknown as AttributeValue;
  if (typeof value.B === 'string') return { B: bytes(value.B) };
  if (Array.isArray(value.BS)) return { BS: value.BS.map((entry) => bytes(String(entry))) };
  if (Array.isArray(value.L)) return { L: value.L.map(attributeFromWire) };
  if (isMap(value.M)) return { M: fromWire(value.M) };
  return value as unknown as AttributeValue;
}

function bytes(base64: string): Uint8Array {
  const buffer = Buffer.from(base64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
