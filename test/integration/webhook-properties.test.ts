/**
 * Whatever the order, duplication or concurrency of deliveries, each order ends
 * in the state of its newest event, and every answer is applied, duplicate or
 * stale. Realistic flows (every collection method, the redraw flow) delivered
 * by the handler against DynamoDB Local.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getOrder } from '../../functions/store/order-reads';
import { type WebhookHandler } from '../../functions/webhook/app';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { arbFlow, arbShuffledDeliveries, buildDeliveries, newestByOrder, type Delivery } from '../support/junction';
import { captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, signedEvent, webhookHandlerFor } from '../support/webhook';
import { expectedRecord } from '../support/webhook-store';
import { propertyRuns } from '../support/property-runs';

const secret = newSecret();
let table: TestTable;
let handler: WebhookHandler;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  table = await createTestTable('webhook-props');
  handler = webhookHandlerFor(table.db, table.tableName, [secret]);
});
afterAll(async () => {
  await table.drop();
});
// Powertools writes a log line and a metric record per invocation: keep the test output readable.
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

/** The flow's deliveries with, for each, whether it is a Svix retry of an earlier message (same id, new timestamp). */
const arbScenario = arbFlow().chain((flow) => {
  const deliveries = buildDeliveries(flow);
  return arbShuffledDeliveries(deliveries).map((shuffled) => ({ deliveries, shuffled }));
});

/** One Svix message per distinct webhook; copies of it are retries with a new timestamp and signature. */
function messageIds(deliveries: readonly Delivery[]): Map<Delivery, string> {
  return new Map(deliveries.map((delivery) => [delivery, newMessageId()]));
}

async function send(delivery: Delivery, messageId: string, secondsAgo: number): Promise<string> {
  const event = signedEvent(JSON.stringify(delivery.body), { secret, messageId, timestamp: Math.floor(Date.now() / 1000) - secondsAgo });
  const answer = parseAnswer(await handler(event, lambdaContext()));
  return 'result' in answer.body ? answer.body.result : answer.body.error.code;
}

/** Each distinct event is applied at most once, and each order's newest event exactly once. */
function expectAppliedOnce(deliveries: readonly Delivery[], shuffled: readonly Delivery[], answers: readonly string[]): void {
  expect(answers.every((answer) => ['applied', 'duplicate', 'stale'].includes(answer))).toBe(true);
  const newest = new Set(newestByOrder(deliveries).values());
  for (const delivery of deliveries) {
    const applied = shuffled.filter((copy, index) => copy === delivery && answers[index] === 'applied').length;
    if (newest.has(delivery)) expect(applied).toBe(1);
    else expect(applied).toBeLessThanOrEqual(1);
  }
}

async function expectNewestStored(deliveries: readonly Delivery[]): Promise<void> {
  for (const [orderId, newest] of newestByOrder(deliveries)) {
    const stored = await getOrder(table.db, table.tableName, orderId);
    expect(stored?.record).toEqual(expectedRecord(newest.body));
  }
}

describe('delivery order, retries and concurrency', () => {
  it('ends with the newest state of each order when deliveries arrive one by one, shuffled, with Svix retries', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async ({ deliveries, shuffled }) => {
        const ids = messageIds(deliveries);
        const answers: string[] = [];
        // Each copy is a separate attempt: same message id, its own (recent) timestamp and signature.
        for (const [index, delivery] of shuffled.entries()) answers.push(await send(delivery, ids.get(delivery)!, index % 60));
        expectAppliedOnce(deliveries, shuffled, answers);
        await expectNewestStored(deliveries);
      }),
      { numRuns: propertyRuns(20) },
    );
  });

  it('ends with the newest state of each order when every delivery arrives at once', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async ({ deliveries, shuffled }) => {
        const ids = messageIds(deliveries);
        const answers = await Promise.all(shuffled.map((delivery, index) => send(delivery, ids.get(delivery)!, index % 60)));
        expectAppliedOnce(deliveries, shuffled, answers);
        await expectNewestStored(deliveries);
      }),
      { numRuns: propertyRuns(20) },
    );
  });
});
