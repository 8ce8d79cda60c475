/**
 * The SDK's DynamoDB document client, for the CLI and the tests (through
 * store/document-table.ts when they call the store). No function loads it: they
 * reach the table with signed JSON requests (store/http-table.ts), which keeps
 * their cold starts small.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
