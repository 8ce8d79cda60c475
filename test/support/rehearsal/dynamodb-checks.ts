/**
 * What IAM checks for one DynamoDB request, as the rehearsal's AWS proxy asks it (./aws-services.ts):
 * each action on its table or index, with the partition key values the request names
 * (`dynamodb:LeadingKeys`), read from the template's table definition.
 */
import type { Deployment } from './deployment';
import type { AccessRequest } from './iam';

type AttributeMap = Record<string, Record<string, unknown>>;

/**
 * What IAM checks for one DynamoDB request: each action on its table or index,
 * with the request's `dynamodb:LeadingKeys` (the partition key values it names;
 * each write of a transaction on its own, as IAM authorizes it).
 */
export function dynamoDbChecks(operation: string, input: Record<string, unknown>, deployment: Deployment): { action: string; resource: string; context: AccessRequest['context'] }[] {
  const tableArn = (name: unknown) => `arn:aws:dynamodb:${deployment.region}:${deployment.account}:table/${String(name)}`;
  const partitionKey = partitionKeyOf(deployment.table.createTable);
  const leading = (items: readonly (AttributeMap | undefined)[], attribute = partitionKey): string[] =>
    items.map((item) => {
      const value = item?.[attribute]?.S;
      if (typeof value !== 'string') throw new Error(`a ${operation} request without a string ${attribute}`);
      return value;
    });
  const on = (action: string, table: unknown, keys: string[] | undefined, index?: unknown) => ({
    action: `dynamodb:${action}`,
    resource: index === undefined ? tableArn(table) : `${tableArn(table)}/index/${String(index)}`,
    context: { 'aws:SecureTransport': 'true', ...(keys === undefined ? {} : { 'dynamodb:LeadingKeys': keys }) },
  });
  switch (operation) {
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Record<string, { TableName?: string; Item?: AttributeMap; Key?: AttributeMap }>[]).flatMap((entry) =>
        Object.entries(entry).map(([kind, request]) =>
          on({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? kind, request.TableName, leading([request.Item ?? request.Key])),
        ),
      );
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as { Get: { TableName?: string; Key?: AttributeMap } }[]).map((entry) => on('GetItem', entry.Get.TableName, leading([entry.Get.Key])));
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: AttributeMap[] }>).map(([table, request]) => on(operation, table, leading(request.Keys ?? [])));
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }[]>).map(([table, requests]) =>
        on(operation, table, leading(requests.map((request) => request.PutRequest?.Item ?? request.DeleteRequest?.Key))),
      );
    case 'Query':
      return [on('Query', input.TableName, [queriedPartition(input, deployment.table.createTable)], input.IndexName)];
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [on(operation, input.TableName, leading([input.Key as AttributeMap | undefined]))];
    case 'PutItem':
      return [on(operation, input.TableName, leading([input.Item as AttributeMap | undefined]))];
    default:
      // Scan and the rest name no partition: the key is absent from the request, as in IAM.
      return [on(operation, input.TableName, undefined)];
  }
}

interface KeySchemaElement {
  AttributeName: string;
  KeyType: string;
}

/** The partition key attribute of the table (or of one of its indexes), from the template's table definition. */
function partitionKeyOf(createTable: Record<string, unknown>, indexName?: unknown): string {
  const schema =
    indexName === undefined
      ? (createTable.KeySchema as KeySchemaElement[] | undefined)
      : ((createTable.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: KeySchemaElement[] }[]).find((index) => index.IndexName === indexName)?.KeySchema;
  const hash = schema?.find((element) => element.KeyType === 'HASH')?.AttributeName;
  if (hash === undefined) throw new Error(`no partition key for ${indexName === undefined ? 'the table' : `index ${String(indexName)}`}`);
  return hash;
}

/**
 * The partition a Query reads: the value its key condition gives the (table's or
 * index's) partition key, `<name> = :value` (the store's only form); anything
 * else is refused rather than guessed.
 */
function queriedPartition(input: Record<string, unknown>, createTable: Record<string, unknown>): string {
  const attribute = partitionKeyOf(createTable, input.IndexName);
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as AttributeMap;
  for (const term of String(input.KeyConditionExpression ?? '').split(/\s+AND\s+/i)) {
    const match = /^\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*$/.exec(term);
    if (match === null) continue;
    const [, name = '', placeholder = ''] = match;
    const value = values[placeholder]?.S;
    if ((names[name] ?? name) === attribute && typeof value === 'string') return value;
  }
  throw new Error(`the rehearsal cannot find the partition of the key condition ${String(input.KeyConditionExpression)}`);
}

