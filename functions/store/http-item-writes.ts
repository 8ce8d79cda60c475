/**
 * ItemWrites as signed JSON requests to DynamoDB (see store/item-writes.ts): the
 * webhook's writes without the SDK's DynamoDB client at cold start. Values are
 * marshalled by util-dynamodb with the document client's options, so a write
 * sends the very request the document client would.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { AwsJsonError, awsJsonCaller, partitionDomain, type AwsJsonOptions, type SigningConfig } from '../shared/aws-json';
import type { ItemWrites, PutInput } from './item-writes';

/** The document client's marshalling (shared/dynamodb.ts): undefined attributes are left out. */
const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/** `endpoint`: DYNAMODB_ENDPOINT (DynamoDB Local); the regional endpoint when absent. */
export function httpItemWrites(signing: SigningConfig, endpoint: string | undefined, options: AwsJsonOptions = {}): ItemWrites {
  const call = awsJsonCaller(
    { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpoint, regionalHost: (region) => `dynamodb.${region}.${partitionDomain(region)}` },
    signing,
    options,
  );
  return {
    async put(input) {
      try {
        await call('PutItem', marshalled(input));
        return { written: true };
      } catch (error) {
        if (!(error instanceof AwsJsonError) || error.errorType !== 'ConditionalCheckFailedException') throw error;
        return { written: false, stored: storedItem(error.answer.Item) };
      }
    },
    async transactWrite(input) {
      await call('TransactWriteItems', {
        ...input,
        TransactItems: input.TransactItems?.map((entry) => ({
          ...(entry.Put ? { Put: marshalled(entry.Put) } : {}),
          ...(entry.Delete ? { Delete: marshalled(entry.Delete) } : {}),
          ...(entry.Update ? { Update: marshalled(entry.Update) } : {}),
          ...(entry.ConditionCheck ? { ConditionCheck: marshalled(entry.ConditionCheck) } : {}),
        })),
      });
    },
  };
}

type WithValues = Partial<Pick<PutInput, 'Item' | 'ExpressionAttributeValues'>> & { Key?: Record<string, unknown> };

/** The input with its native values (Item, Key, ExpressionAttributeValues) as DynamoDB's attribute values. */
function marshalled(input: WithValues): Record<string, unknown> {
  const { Item, Key, ExpressionAttributeValues, ...rest } = input;
  return {
    ...rest,
    ...(Item ? { Item: marshall(Item, MARSHALL_OPTIONS) } : {}),
    ...(Key ? { Key: marshall(Key, MARSHALL_OPTIONS) } : {}),
    ...(ExpressionAttributeValues ? { ExpressionAttributeValues: marshall(ExpressionAttributeValues, MARSHALL_OPTIONS) } : {}),
  };
}

/** The stored item DynamoDB returned with a refused condition (ALL_OLD), as wire attribute values. */
function storedItem(item: unknown): Record<string, AttributeValue> | undefined {
  return typeof item === 'object' && item !== null ? (item as Record<string, AttributeValue>) : undefined;
}
