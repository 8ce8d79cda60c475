/**
 * THE BASELINE, not the tracker: a Junction webhook handler written the way
 * most integrations write one, for the benchmark to compare against.
 *
 * - verify with the svix library (Junction's docs point there), then JSON.parse;
 * - `makeIdempotent` from Powertools (DynamoDBPersistenceLayer on its own
 *   idempotency table), keyed on the `svix-id` header, in front of
 * - a read-then-write handler: GetItem the order, compare event ids, PutItem.
 *
 * Its known weak spots are deliberate, because they are what the common approach
 * does: the read and the write are not atomic (two deliveries of one order can
 * interleave), and the idempotency key is the message id (a Junction resend of
 * the same event under a new id runs the handler again). The benchmark measures
 * what they cost; it does not assume it.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { Webhook, WebhookVerificationError } from 'svix';
import * as z from 'zod';

export interface CommonWebhookDeps {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  ordersTable: string;
  idempotencyTable: string;
  secret: string;
  logger: Logger;
}

/** Just enough of the body to store an order's state. */
const Body = z.object({
  event_type: z.string(),
  data: z
    .object({
      id: z.string(),
      status: z.string().nullish(),
      updated_at: z.string(),
      last_event: z.object({ id: z.number(), status: z.string() }).nullish(),
      events: z.array(z.object({ id: z.number(), status: z.string() })).optional(),
      order_transaction: z.object({ id: z.string() }).nullish(),
    })
    .loose(),
});

const StoredOrder = z.object({ last_event_id: z.number() }).loose();

type Answer = APIGatewayProxyStructuredResultV2;

export type CommonWebhookHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;

/** Tables of the baseline: an orders table keyed by order id, and Powertools' idempotency table keyed by `id`. */
export function commonTablesInput(ordersTable: string, idempotencyTable: string) {
  return [
    {
      TableName: ordersTable,
      BillingMode: 'PAY_PER_REQUEST' as const,
      AttributeDefinitions: [{ AttributeName: 'order_id', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' as const }],
    },
    {
      TableName: idempotencyTable,
      BillingMode: 'PAY_PER_REQUEST' as const,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
    },
  ];
}

export function createCommonWebhookHandler(deps: CommonWebhookDeps): CommonWebhookHandler {
  const { doc, logger } = deps;
  const webhook = new Webhook(deps.secret);

  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: deps.idempotencyTable, awsSdkV3Client: deps.client });

  async function processOrder(event: APIGatewayProxyEventV2): Promise<Answer> {
    const body = Body.parse(JSON.parse(event.body ?? ''));
    if (!body.event_type.startsWith('labtest.order.')) return { statusCode: 200, body: '{"ok":true}' };
    const order = body.data;
    const eventId = order.last_event?.id ?? Math.max(...(order.events ?? []).map((e) => e.id));
    const status = order.last_event?.status ?? order.events?.find((e) => e.id === eventId)?.status ?? order.status ?? 'unknown';

    // Read, compare, write: the usual shape, and not atomic.
    const { Item } = await doc.send(new GetCommand({ TableName: deps.ordersTable, Key: { order_id: order.id } }));
    const stored = Item ? StoredOrder.parse(Item) : null;
    if (stored && stored.last_event_id >= eventId) {
      logger.info('older event ignored', { order_id: order.id });
      return { statusCode: 200, body: '{"ok":true}' };
    }
    await doc.send(
      new PutCommand({
        TableName: deps.ordersTable,
        Item: {
          order_id: order.id,
          last_event_id: eventId,
          status,
          updated_at: order.updated_at,
          transaction_id: order.order_transaction?.id ?? null,
        },
      }),
    );
    logger.info('order updated', { order_id: order.id });
    return { statusCode: 200, body: '{"ok":true}' };
  }

  const idempotent = makeIdempotent(async (event: APIGatewayProxyEventV2, _context: Context) => processOrder(event), {
    persistenceStore,
    config: new IdempotencyConfig({ eventKeyJmesPath: 'headers."svix-id"' }),
  });

  return async (event, context) => {
    logger.info('webhook received');
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    try {
      webhook.verify(raw, Object.fromEntries(Object.entries(event.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]]))));
    } catch (error) {
      if (error instanceof WebhookVerificationError) return { statusCode: 401, body: '{"error":"invalid signature"}' };
      throw error;
    }
    // Lambda turns a thrown error (e.g. an execution already in progress for this svix-id) into a 5xx.
    return idempotent(event, context);
  };
}
