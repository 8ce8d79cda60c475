/**
 * The smoke order leaves nothing that lasts (issue 27, item 4): the body
 * `redraw-tracker smoke` sends, through the real webhook handler (signed) and
 * the transaction function fed by the table's real stream on DynamoDB Local.
 * Its item expires a day after it was made, set by the webhook's own write and
 * kept by the transaction function's retention; it is no open redraw, has no
 * follow-up, and its one event names it by its id. Its answers are counted
 * under their own metric (SmokeWebhooks), never as Junction's order webhooks:
 * a smoke test does not reset the NoOrderWebhooks alarm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../functions/core/events';
import { canonicalFromDate } from '../../functions/core/instant';
import { SMOKE_ORDER_LIFETIME_SECONDS, SMOKE_ORDER_PREFIX } from '../../functions/core/smoke';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { keys } from '../../functions/store/keys';
import type { EventPublisher } from '../../functions/transaction-status/publisher';
import { newSmokeOrderId, smokeWebhookBody } from '../../cli/smoke';
import { buildDeliveries, freshId, simpleFlow } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { captureOutput, lambdaContext, newSecret, parseAnswer, signedEvent, webhookAnswerMetrics, webhookHandlerFor } from '../support/webhook';

const RETENTION_DAYS = 30;
const secret = newSecret();
const published: TrackerEvent[] = [];
const publisher: EventPublisher = {
  async publish(events) {
    published.push(...events);
    return [];
  },
};
let rig: TransactionRig;

beforeAll(async () => {
  rig = await startTransactionRig('smoke-order', { retentionDays: RETENTION_DAYS, publisher });
});
afterAll(async () => {
  await rig?.close();
});

/** Posts a body to the real webhook handler, signed as Svix signs it; its `result`. */
async function postWebhook(body: unknown): Promise<string> {
  const handler = webhookHandlerFor(rig.table.db, rig.table.tableName, [secret], { retentionDays: RETENTION_DAYS });
  const answer = parseAnswer(await handler(signedEvent(JSON.stringify(body), { secret }), lambdaContext()));
  expect(answer.statusCode).toBe(200);
  return 'result' in answer.body ? answer.body.result : answer.body.error.code;
}

async function expiresAt(orderId: string): Promise<unknown> {
  return (await rig.table.db.get({ TableName: rig.table.tableName, Key: keys.order(orderId), ConsistentRead: true }))?.expires_at;
}

describe('a smoke order through the webhook and the transaction function', () => {
  it('expires a day after it was made, set by the webhook and kept by the retention of the transaction function', async () => {
    const orderId = newSmokeOrderId();
    expect(orderId.startsWith(SMOKE_ORDER_PREFIX)).toBe(true);
    const madeAt = new Date();
    const expected = Math.floor(Date.parse(canonicalFromDate(madeAt)) / 1000) + SMOKE_ORDER_LIFETIME_SECONDS;

    expect(await postWebhook(smokeWebhookBody(orderId, madeAt))).toBe('applied');
    // The webhook's one write carries it: before the stream has reached the transaction function.
    expect(await expiresAt(orderId)).toBe(expected);
    expect(expected - madeAt.getTime() / 1000).toBeLessThanOrEqual(SMOKE_ORDER_LIFETIME_SECONDS);

    await rig.settle();
    const batch = rig.batches.find((candidate) => candidate.event.Records.some((record) => record.dynamodb?.Keys?.['pk']?.S === keys.order(orderId).pk));
    expect(batch?.response).toEqual({ batchItemFailures: [] });
    expect(await expiresAt(orderId)).toBe(expected);

    // A redelivery (Svix retries) is a duplicate and changes nothing.
    expect(await postWebhook(smokeWebhookBody(orderId, madeAt))).toBe('duplicate');
    await rig.settle();
    expect(await expiresAt(orderId)).toBe(expected);

    const stored = await rig.order(orderId);
    expect(stored?.record).toMatchObject({ id: orderId, transaction_id: null, status: 'received', low_level_status: 'ordered' });
    // Not in the open-redraws index the sweep reads: never flagged stale. No follow-up.
    expect(stored?.openRedraw).toBeNull();
    expect(stored?.stale).toBeNull();
    expect(await getFollowUp(rig.table.db, rig.table.tableName, orderId, new Date())).toBeNull();

    // Its one event names it by its id: a consumer's `anything-but: {prefix}` rule drops it.
    const mine = published.filter((event) => event.order_id === orderId);
    expect(mine.map((event) => [event.type, event.transaction_id])).toEqual([['order.status_changed', null]]);
    expect(mine[0]).toMatchObject({ from: null, to: 'ordered' });
  });

  it('counts a smoke order’s answers as SmokeWebhooks, never as the Webhooks NoOrderWebhooks watches; a Junction order as Webhooks', async () => {
    const smokeId = newSmokeOrderId();
    const junctionId = freshId();
    const [created] = buildDeliveries(simpleFlow({ transactionId: null, orderId: junctionId }, 'walk_in_test', 1, new Date()));
    const output = captureOutput();
    try {
      const madeAt = new Date();
      expect(await postWebhook(smokeWebhookBody(smokeId, madeAt))).toBe('applied');
      expect(await postWebhook(smokeWebhookBody(smokeId, madeAt))).toBe('duplicate');
      expect(await postWebhook(created!.body)).toBe('applied');
    } finally {
      output.restore();
    }
    expect(webhookAnswerMetrics(output.lines())).toEqual(['SmokeWebhooks applied', 'SmokeWebhooks duplicate', 'Webhooks applied']);
  });

  it('gives an order of Junction without a transaction, in the same state, no expiry (the rule is the smoke id)', async () => {
    const orderId = freshId();
    const [created] = buildDeliveries(simpleFlow({ transactionId: null, orderId }, 'walk_in_test', 1, new Date()));
    expect(await postWebhook(created!.body)).toBe('applied');
    await rig.settle();
    expect((await rig.order(orderId))?.record.low_level_status).toBe('ordered');
    expect(await expiresAt(orderId)).toBeUndefined();
  });
});
