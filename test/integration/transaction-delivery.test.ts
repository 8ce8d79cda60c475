/**
 * Stream delivery semantics of the transaction-status function on DynamoDB
 * Local: redelivery is idempotent, a failing transaction is reported and its
 * retry converges, the cost per batch is bounded, and any order, duplication
 * or concurrency of webhooks converges to the in-order result.
 */
import fc from 'fast-check';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTransactionPartition } from '../../functions/store/transaction-partition';
import { METRIC } from '../../functions/transaction-status/app';
import {
  arbShuffledDeliveries,
  buildDeliveries,
  freshId,
  redrawFlow,
  type Delivery,
  type RedrawOutcome,
} from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('txn-delivery');
});
afterAll(async () => {
  await rig?.close();
});

const WRITE_COMMANDS = /^(Put|Update|TransactWrite)/;

function writesIn(requests: Map<string, number>): number {
  return [...requests].filter(([name]) => WRITE_COMMANDS.test(name)).reduce((sum, [, count]) => sum + count, 0);
}

function queriesIn(requests: Map<string, number>): number {
  return [...requests].filter(([name]) => name.startsWith('Query')).reduce((sum, [, count]) => sum + count, 0);
}

/** Transactions a batch can change: webhook-sourced orders that are new or changed state (not only index keys). */
function transactionsIn(event: DynamoDBStreamEvent): Set<string> {
  const ids = new Set<string>();
  for (const record of event.Records) {
    const next = record.dynamodb?.NewImage;
    const previous = record.dynamodb?.OldImage;
    const id = next?.transaction_id?.S;
    if (id === undefined || next?.source?.S !== 'webhook') continue;
    const sameState = previous !== undefined && previous.rank?.S === next.rank?.S && previous.source?.S === next.source?.S;
    if (record.eventName === 'INSERT' || (record.eventName === 'MODIFY' && !sameState)) ids.add(id);
  }
  return ids;
}

function redrawIds() {
  return { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
}

describe('redelivery', () => {
  it('performs no write when the same batch is delivered again', async () => {
    const ids = redrawIds();
    rig.resetCounters();
    for (const delivery of buildDeliveries(redrawFlow(ids, 'completed'))) await rig.webhook(delivery);
    await rig.settle();
    expect(rig.batches.length).toBeGreaterThan(0);
    const before = await rig.transaction(ids.transactionId);

    rig.requests.clear();
    for (const { event } of rig.batches) {
      expect((await rig.handle(event)).batchItemFailures).toEqual([]);
    }
    expect(writesIn(rig.requests)).toBe(0);
    expect(queriesIn(rig.requests)).toBeGreaterThan(0);
    expect(await rig.transaction(ids.transactionId)).toEqual(before);
  });
});

describe('failures', () => {
  it('reports the earliest record of a failing transaction and converges when the reader retries', async () => {
    const ids = redrawIds();
    rig.resetCounters();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    rig.failNext('QueryCommand');
    for (const delivery of deliveries) await rig.webhook(delivery);
    await rig.settle();

    const failed = rig.batches.find(({ response }) => response.batchItemFailures.length > 0);
    expect(failed).toBeDefined();
    const firstOfTransaction = failed!.event.Records.find(
      (record) => record.dynamodb?.NewImage?.transaction_id?.S === ids.transactionId,
    );
    expect(failed!.response.batchItemFailures).toEqual([{ itemIdentifier: firstOfTransaction?.dynamodb?.SequenceNumber }]);
    const retry = rig.batches[rig.batches.indexOf(failed!) + 1];
    expect(retry?.event.Records[0]?.dynamodb?.SequenceNumber).toBe(firstOfTransaction?.dynamodb?.SequenceNumber);
    expect(retry?.response.batchItemFailures).toEqual([]);
    expect(rig.deadLetters).toEqual([]);
    expect((await rig.transaction(ids.transactionId))?.status).toBe('completed');
  });

  it('reports failed writes and converges on retry for every transaction of the batch', async () => {
    const a = redrawIds();
    const b = redrawIds();
    rig.resetCounters();
    // A write fault: both transactions are read, one write fails.
    rig.failNext('TransactWriteItemsCommand');
    rig.failNext('PutItemCommand');
    const both = [...buildDeliveries(redrawFlow(a, 'completed')), ...buildDeliveries(redrawFlow(b, 'in_progress'))];
    await Promise.all(both.map((delivery) => rig.webhook(delivery)));
    await rig.settle();
    expect(rig.batches.some(({ response }) => response.batchItemFailures.length > 0)).toBe(true);
    expect(rig.deadLetters).toEqual([]);
    expect((await rig.transaction(a.transactionId))?.status).toBe('completed');
    expect((await rig.transaction(b.transactionId))?.status).toBe('active');
  });
});

describe('cost', () => {
  it('makes one Query and at most one write request per distinct transaction per batch', async () => {
    rig.resetCounters();
    const flows = [redrawIds(), redrawIds(), redrawIds()];
    const deliveries = flows.flatMap((ids) => buildDeliveries(redrawFlow(ids, 'completed')));
    // Written all at once, so that batches hold several records of several transactions.
    await Promise.all(deliveries.map((delivery) => rig.webhook(delivery)));
    await rig.settle();
    let recomputed = 0;
    for (const { event, requests, conflicts } of rig.batches) {
      const touched = transactionsIn(event).size;
      recomputed += touched;
      expect(queriesIn(requests)).toBe(touched);
      // A race lost to a webhook stored meanwhile costs one more write (merged from the returned old item, no read).
      expect(writesIn(requests)).toBeLessThanOrEqual(touched + conflicts);
    }
    expect(rig.batches.some(({ event }) => event.Records.length > 2)).toBe(true);
    expect(rig.metrics.get(METRIC.recomputed)).toBe(recomputed);
    for (const ids of flows) expect((await rig.transaction(ids.transactionId))?.status).toBe('completed');
  });
});

describe('any delivery order converges', () => {
  type Role = 'initial' | 'redraw';
  interface Outcome {
    status: string | undefined;
    members: Record<string, unknown>;
    orders: { role: Role; source: string; low_level_status: string; rank: string }[];
  }

  async function outcomeOf(ids: ReturnType<typeof redrawIds>): Promise<Outcome> {
    const role = (id: string): Role => (id === ids.initialId ? 'initial' : 'redraw');
    const transaction = await rig.transaction(ids.transactionId);
    const partition = await readTransactionPartition(rig.table.doc, rig.table.tableName, ids.transactionId);
    return {
      status: transaction?.status,
      members: Object.fromEntries(
        Object.values(transaction?.members ?? {}).map((member) => [role(member.id), { ...member, id: role(member.id) }]),
      ),
      orders: partition.orders.map(({ record }) => ({
        role: role(record.id),
        source: record.source,
        low_level_status: record.low_level_status,
        rank: record.rank,
      })),
    };
  }

  const inOrder = new Map<RedrawOutcome, Outcome>();
  async function expectedFor(outcome: RedrawOutcome): Promise<Outcome> {
    const cached = inOrder.get(outcome);
    if (cached) return cached;
    const ids = redrawIds();
    for (const delivery of buildDeliveries(redrawFlow(ids, outcome))) {
      await rig.webhook(delivery);
      await rig.settle();
    }
    const result = await outcomeOf(ids);
    inOrder.set(outcome, result);
    return result;
  }

  it('yields the in-order status and members for any permutation, duplication and burst of a redraw flow', async () => {
    const scenario = fc
      .constantFrom<RedrawOutcome>('completed', 'cancelled', 'sample_error', 'not_created', 'in_progress')
      .chain((outcome) => {
        const ids = redrawIds();
        return fc.record({
          outcome: fc.constant(outcome),
          ids: fc.constant(ids),
          deliveries: arbShuffledDeliveries(buildDeliveries(redrawFlow(ids, outcome))),
          burstSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
          settleBetween: fc.boolean(),
        });
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ outcome, ids, deliveries, burstSizes, settleBetween }) => {
        const expected = await expectedFor(outcome);
        for (const burst of bursts(deliveries, burstSizes)) {
          await Promise.all(burst.map((delivery) => rig.webhook(delivery)));
          if (settleBetween) await rig.settle();
        }
        await rig.settle();
        expect(await outcomeOf(ids)).toEqual(expected);
      }),
      { numRuns: 15 },
    );
    expect(rig.deadLetters).toEqual([]);
  });

  /** Consecutive slices of the given sizes (cycling), delivered concurrently within a slice. */
  function bursts(deliveries: Delivery[], sizes: number[]): Delivery[][] {
    const result: Delivery[][] = [];
    for (let start = 0, index = 0; start < deliveries.length; index++) {
      const size = sizes[index % sizes.length]!;
      result.push(deliveries.slice(start, start + size));
      start += size;
    }
    return result;
  }
});
