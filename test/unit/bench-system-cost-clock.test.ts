/**
 * Section e's clock for the transaction function (bench/system-cost-clock.ts):
 * a stream whose messages say when they are sent runs each batch a minute
 * after the earliest send time of the order writes it carries, never going
 * back; a stream without send times leaves the function on the real clock;
 * and the function's own writes are noted by key and version.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { orderItem } from '../../functions/store/order-items';
import type { TableClient } from '../../functions/store/table-client';
import { recordingClocks, sendTimes, streamClock } from '../../bench/system-cost-clock';
import type { StreamMessage, WebhookStream } from '../../bench/webhook-stream';
import { buildDeliveries, freshId, simpleFlow } from '../support/junction';
import { expectedRecord } from '../support/webhook-store';

const SENT = Date.parse('2026-03-02T09:00:07.250Z');

/** A testkit order's deliveries as stream messages, the first ones sent at SENT, SENT + 1 h, ... (or with no send time). */
function streamOf(withSendTimes: boolean): { stream: WebhookStream; bodies: Record<string, unknown>[] } {
  const deliveries = buildDeliveries(simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 3, new Date('2026-03-02T09:00:00Z')));
  const messages = deliveries.map((delivery, index) => ({
    svixId: `msg_${index}`,
    body: JSON.stringify(delivery.body),
    orderId: delivery.orderId,
    eventId: delivery.eventId,
    kind: 'first' as const,
    ...(withSendTimes ? { sendAt: SENT + index * 3_600_000 } : {}),
  })) as StreamMessage[];
  return { stream: { messages, newest: new Map(), shape: {} as WebhookStream['shape'] }, bodies: deliveries.map((delivery) => delivery.body) };
}

/** The stream record of the order write a delivery's body leads to. */
function orderRecord(body: Record<string, unknown>): DynamoDBRecord {
  return { eventName: 'MODIFY', dynamodb: { NewImage: marshall(orderItem(expectedRecord(body), false), { removeUndefinedValues: true }) as never } };
}

describe("section e's stream clock", () => {
  it('leaves the function on the real clock when the messages carry no send time', () => {
    const { stream, bodies } = streamOf(false);
    expect(sendTimes(stream).size).toBe(0);
    const clock = streamClock(stream);
    clock.onBatch([orderRecord(bodies[0]!)]);
    expect(clock.handlerClocks).toEqual({});
  });

  it('runs a batch a minute after the earliest send time of its order writes, and never goes back', () => {
    const { stream, bodies } = streamOf(true);
    expect(sendTimes(stream).size).toBe(bodies.length);
    const clock = streamClock(stream);
    const now = clock.handlerClocks.now!;
    clock.onBatch([orderRecord(bodies[2]!), orderRecord(bodies[1]!)]);
    expect(now()).toBe(Math.floor((SENT + 3_600_000) / 1000) * 1000 + 60_000);
    clock.onBatch([orderRecord(bodies[0]!)]);
    expect(now()).toBe(Math.floor((SENT + 3_600_000) / 1000) * 1000 + 60_000);
    // A batch with none of its own writes dates its rows by the batch clock.
    expect(clock.handlerClocks.wallClock!()).toBe(now());
  });

  it("notes the key and version of each item the function puts, alone or in a transaction", async () => {
    const noted: string[] = [];
    const db = recordingClocks({ put: async () => ({}), transactWrite: async () => ({}) } as unknown as TableClient, (key) => noted.push(key));
    await db.put({ TableName: 't', Item: { pk: 'TXN#1', v: 3 } });
    await db.transactWrite({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'FOLLOWUP#2', rev: 4 } } }, { Update: { TableName: 't', Key: { pk: 'x' } } }] } as never);
    await db.put({ TableName: 't', Item: { pk: 'ORDER#3' } });
    expect(noted).toEqual(['TXN#1|3', 'FOLLOWUP#2|4']);
  });
});
