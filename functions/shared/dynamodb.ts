/**
 * The DynamoDB document client every function uses. On AWS the endpoint is the
 * regional one; locally (`npm start`, tests) it is DynamoDB Local's.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_ENDPOINT_CREDENTIALS } from './aws-signing';

export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * The client a Lambda entry uses: the regional endpoint on AWS, or
 * `DYNAMODB_ENDPOINT` (DynamoDB Local) with fixed credentials, since DynamoDB
 * Local accepts any but the SDK signs every request.
 */
export function entryDocumentClient(dynamodbEndpoint: string | undefined): DynamoDBDocumentClient {
  if (!dynamodbEndpoint) return documentClient();
  return documentClient({
    endpoint: dynamodbEndpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
  });
}
