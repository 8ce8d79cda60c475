/**
 * A setup file of the integration project (vitest.config.mts): points the SDK's
 * own endpoint setting at this file's DynamoDB Local (./dynamodb.ts picks it),
 * so a client made without an endpoint, in this process or a child it starts
 * with this environment, reaches the same JVM as the file's tables.
 */
import { localEndpoint } from './dynamodb';

process.env.AWS_ENDPOINT_URL_DYNAMODB = localEndpoint();
