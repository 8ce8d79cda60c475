/**
 * The EventBridge publisher (functions/transaction-status/publisher.ts) with the
 * real SDK client against a tiny stand-in for EventBridge's PutEvents on
 * 127.0.0.1 (its JSON 1.1 protocol): a call that reports failed entries
 * (FailedEntryCount > 0) is retried with those entries only, in batches of at
 * most 10; entries that keep failing come back to the caller (whose stream
 * records are then reported, CONTRACT §7); a failed call retries its whole batch.
 * Batches go out up to 4 at a time; with a deadline (issue 24, item 6) a call
 * still unanswered at it is abandoned, and no attempt or pause starts that
 * cannot end before it.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { eventId, type TrackerEvent } from '../../functions/core/events';
import { createEventBridgePublisher } from '../../functions/transaction-status/publisher';

const PutEventsRequest = z.object({
  Entries: z.array(z.object({ EventBusName: z.string(), Source: z.string(), DetailType: z.string(), Detail: z.string() }).strict()),
}).strict();

/** The fact ids each PutEvents call carried, in order. */
let calls: string[][] = [];
/**
 * Per call: the ids whose entry the stand-in answers as failed, 'call' to fail the whole call
 * with a 500, 'hang' never to answer, or a number of milliseconds to wait before serving it.
 */
let answerPlan: ((ids: string[], call: number) => Set<string> | 'call' | 'hang' | number) = () => new Set();
/** Calls in flight now, and the most seen at once. */
let inFlight = 0;
let mostInFlight = 0;
const hanging = new Set<ServerResponse>();
let server: Server;
let client: EventBridgeClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      const entries = PutEventsRequest.parse(JSON.parse(body)).Entries;
      const ids = entries.map((entry) => z.object({ id: z.string() }).loose().parse(JSON.parse(entry.Detail)).id);
      calls.push(ids);
      const failing = answerPlan(ids, calls.length);
      if (failing === 'hang') {
        hanging.add(response);
        return;
      }
      if (typeof failing === 'number') {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedEntryCount: 0, Entries: ids.map((id) => ({ EventId: `ev-${id}` })) }));
        }, failing);
        return;
      }
      if (failing === 'call') {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalException', message: 'stand-in failure' }));
        return;
      }
      const answer = {
        FailedEntryCount: ids.filter((id) => failing.has(id)).length,
        Entries: ids.map((id) => (failing.has(id) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'stand-in entry failure' } : { EventId: `ev-${id}` })),
      };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
    });
  });
  const port = await new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
  client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'standin', secretAccessKey: 'standin' },
    // One attempt per call: the publisher's own retries are under test, not the SDK's.
    maxAttempts: 1,
  });
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  client?.destroy();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});
beforeEach(() => {
  calls = [];
  answerPlan = () => new Set();
  mostInFlight = 0;
  for (const response of hanging) response.destroy();
  hanging.clear();
});

function facts(count: number): TrackerEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const orderId = `order-${index}`;
    return { id: eventId('redraw.available', orderId, '2026-03-02T09:00:00.000000Z'), type: 'redraw.available', order_id: orderId, transaction_id: 'txn', status_time: '2026-03-02T09:00:00.000000Z' };
  });
}

describe('EventBridge publisher', () => {
  it('sends PutEvents in batches of at most 10 and retries only the entries a call reported as failed', async () => {
    const events = facts(12);
    const failOnce = new Set([events[1]!.id, events[5]!.id, events[11]!.id]);
    answerPlan = (ids) => new Set(ids.filter((id) => failOnce.delete(id)));
    const publisher = createEventBridgePublisher(client, 'bus', { pauseMs: 1 });

    expect(await publisher.publish(events)).toEqual([]);
    expect(calls.map((ids) => ids.length)).toEqual([10, 2, 3]);
    expect(calls[0]).toEqual(events.slice(0, 10).map((event) => event.id));
    // The retry carries the three failed entries and nothing else.
    expect(calls[2]).toEqual([events[1]!.id, events[5]!.id, events[11]!.id]);
  });

  it('reports the entries that still fail after its attempts, and publishes the others once', async () => {
    const events = facts(4);
    const stuck = events[2]!.id;
    answerPlan = (ids) => new Set(ids.filter((id) => id === stuck));
    const publisher = createEventBridgePublisher(client, 'bus', { attempts: 3, pauseMs: 1 });

    const unpublished = await publisher.publish(events);
    expect(unpublished).toEqual([events[2]]);
    expect(calls).toEqual([events.map((event) => event.id), [stuck], [stuck]]);
  });

  it('retries the whole batch of a call that failed, then reports it if it keeps failing', async () => {
    const events = facts(3);
    answerPlan = (_ids, call) => (call === 1 ? 'call' : new Set());
    const publisher = createEventBridgePublisher(client, 'bus', { pauseMs: 1 });
    expect(await publisher.publish(events)).toEqual([]);
    expect(calls).toEqual([events.map((event) => event.id), events.map((event) => event.id)]);

    calls = [];
    answerPlan = () => 'call';
    expect(await createEventBridgePublisher(client, 'bus', { attempts: 2, pauseMs: 1 }).publish(events)).toEqual(events);
    expect(calls).toHaveLength(2);
  });

  it('sends the batches of one publish up to 4 at a time', async () => {
    const events = facts(60);
    // Each call is answered after a pause: calls made together are in flight together.
    answerPlan = () => 200;
    expect(await createEventBridgePublisher(client, 'bus').publish(events)).toEqual([]);
    expect(calls).toHaveLength(6);
    expect(new Set(calls.flat())).toEqual(new Set(events.map((event) => event.id)));
    expect(mostInFlight).toBe(4);
  });

  it('abandons a call still unanswered at the deadline and starts no retry after it, returning every event not published', async () => {
    const events = facts(3);
    answerPlan = () => 'hang';
    const publisher = createEventBridgePublisher(client, 'bus', { pauseMs: 1, minAttemptMs: 50 });
    expect(await publisher.publish(events, { deadline: Date.now() + 300 })).toEqual(events);
    expect(calls).toHaveLength(1);
  });

  it('starts no pause that would leave no time for the retry after it', async () => {
    const events = facts(2);
    answerPlan = () => 'call';
    // A 500 answers at once; the retry would wait 10 s, past the deadline: it is not started.
    const publisher = createEventBridgePublisher(client, 'bus', { pauseMs: 10_000, minAttemptMs: 50 });
    expect(await publisher.publish(events, { deadline: Date.now() + 5_000 })).toEqual(events);
    expect(calls).toHaveLength(1);
  });

  it('makes no call at all when less than an attempt is left', async () => {
    const events = facts(2);
    const publisher = createEventBridgePublisher(client, 'bus', { minAttemptMs: 1_000 });
    expect(await publisher.publish(events, { deadline: Date.now() + 100 })).toEqual(events);
    expect(calls).toEqual([]);
  });
});
