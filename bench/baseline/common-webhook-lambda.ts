/**
 * THE BASELINE's Lambda entry, for the cold-start section: the common approach's
 * webhook (baseline/common-webhook.ts: Powertools Logger and idempotency, svix,
 * zod, the SDK's document client) wired as such a function is, clients created
 * at init, the signing secret from the environment (as the tracker's webhook is
 * measured).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCommonWebhookHandler } from './common-webhook';

const client = new DynamoDBClient({});

export const handler = createCommonWebhookHandler({
  client,
  doc: DynamoDBDocumentClient.from(client),
  ordersTable: process.env.ORDERS_TABLE ?? 'orders',
  idempotencyTable: process.env.IDEMPOTENCY_TABLE ?? 'idempotency',
  secret: process.env.JUNCTION_WEBHOOK_SECRET ?? '',
  logger: new Logger(),
});
