/**
 * Stream delivery semantics of the transaction-status function on DynamoDB
 * Local: redelivery is idempotent, a failing transaction is reported and its
 * retry converges, the cost per batch is bounded, and any order, duplication
 * or concurrency of webhooks converges to the in-order result.
 */
import fc from 'fast-check';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_ATTRIBUTES } from '../../functions/store/order-items';
import { getTransactionItem, readTransactionPartition } from '../../functions/store/transaction-partition';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { METRIC } from '../../functions/transaction-status/app';
import { ledgerReadsIn, tallyWritesIn, markWritesIn, wantedWritesIn } from '../support/report-rows';
import {
  arbShuffledDeliveries,
  buildDeliveries,
  freshId,
  redrawFlow,
  type Delivery,
  type RedrawOutcome,
} from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

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

function readsIn(requests: Map<string, number>): number {
  return [...requests].filter(([name]) => /^(Get|Query|BatchGet)/.test(name)).reduce((sum, [, count]) => sum + count, 0);
}

const A = ORDER_ATTRIBUTES;

/** Report rows written (not refused) so far. */
const reportRowsWritten = () => rig.metrics.get(METRIC.reportRowWrites) ?? 0;

/** Transactions a batch can change: webhook-sourced orders that are new or changed state (not only index keys). */
function transactionsIn(event: DynamoDBStreamEvent): Set<string> {
  const ids = new Set<string>();
  for (const record of event.Records) {
    const next = record.dynamodb?.NewImage;
    const previous = record.dynamodb?.OldImage;
    const id = next?.[A.transactionId]?.S;
    if (id === undefined || next?.[A.source]?.S !== 'webhook') continue;
    const sameState = previous !== undefined && previous[A.rank]?.S === next[A.rank]?.S && previous[A.source]?.S === next[A.source]?.S;
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
    const rowsBefore = reportRowsWritten();
    for (const { event } of rig.batches) {
      expect((await rig.handle(event)).batchItemFailures).toEqual([]);
    }
    // Only the report rows' and the wanted results' conditional puts, every one refused, and the late rows'
    // marks of their hours (each written before its row, so made again): nothing else is written again.
    const batches = rig.batches.map(({ event }) => event);
    expect(markWritesIn(batches)).toBeGreaterThan(0);
    expect(writesIn(rig.requests)).toBe(tallyWritesIn(batches) + wantedWritesIn(batches) + markWritesIn(batches));
    expect(reportRowsWritten()).toBe(rowsBefore);
    expect(readsIn(rig.requests)).toBeGreaterThan(0);
    expect(await rig.transaction(ids.transactionId)).toEqual(before);
  });
});

describe('redelivery of an older batch (issue 24 item 11)', () => {
  it('keeps results_missing of a transaction completed with results missing: an order’s older image decides nothing', async () => {
    const ids = redrawIds();
    rig.resetCounters();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    const last = deliveries.at(-1)!;
    const missing = { ...last, body: { ...last.body, data: { ...(last.body.data as Record<string, unknown>), has_missing_results: true } } };
    // One batch per webhook: each image is the newest in its batch when first handled.
    for (const delivery of [...deliveries.slice(0, -1), missing]) {
      await rig.webhook(delivery);
      await rig.settle();
    }
    const stored = () => getTransactionItem(rig.table.db, rig.table.tableName, ids.transactionId, true);
    const before = await stored();
    expect(before).toMatchObject({ status: 'completed', results_missing: true });

    // Redelivered later (a retried batch), the initial order's images in progress are older than what is stored.
    rig.requests.clear();
    const rowsBefore = reportRowsWritten();
    for (const { event } of rig.batches) expect((await rig.handle(event)).batchItemFailures).toEqual([]);
    const batches = rig.batches.map(({ event }) => event);
    expect(writesIn(rig.requests)).toBe(tallyWritesIn(batches) + wantedWritesIn(batches) + markWritesIn(batches));
    expect(reportRowsWritten()).toBe(rowsBefore);
    expect(await stored()).toEqual(before);
  });
});

describe('failures', () => {
  it('reports the earliest record of a failing transaction and converges when the reader retries', async () => {
    const ids = redrawIds();
    rig.resetCounters();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed'));
    rig.failNext('GetItem');
    for (const delivery of deliveries) await rig.webhook(delivery);
    await rig.settle();

    const failed = rig.batches.find(({ response }) => response.batchItemFailures.length > 0);
    expect(failed).toBeDefined();
    const firstOfTransaction = failed!.event.Records.find(
      (record) => record.dynamodb?.NewImage?.[A.transactionId]?.S === ids.transactionId,
    );
    // Its records are reported (each carries its own work, for parking), the earliest first in the
    // stream's order: Lambda retries from the lowest reported sequence number. No other record is.
    const reported = failed!.response.batchItemFailures.map((failure) => failure.itemIdentifier);
    const ofTransaction = new Set(
      failed!.event.Records.filter((record) => record.dynamodb?.NewImage?.[A.transactionId]?.S === ids.transactionId).map((record) => record.dynamodb?.SequenceNumber),
    );
    expect(reported).toContain(firstOfTransaction?.dynamodb?.SequenceNumber);
    expect(reported.every((sequenceNumber) => ofTransaction.has(sequenceNumber))).toBe(true);
    expect([...reported].sort()[0]).toBe(firstOfTransaction?.dynamodb?.SequenceNumber);
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
    // Write faults: both transactions are read, a transaction item write and an order's index update fail.
    rig.failNext('UpdateItem');
    rig.failNext('PutItem');
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
  it('reads each transaction once per batch and writes only what its order items cannot tell', async () => {
    rig.resetCounters();
    const flows = [redrawIds(), redrawIds(), redrawIds()];
    const deliveries = flows.flatMap((ids) => buildDeliveries(redrawFlow(ids, 'completed')));
    // Written all at once, so that batches hold several records of several transactions.
    await Promise.all(deliveries.map((delivery) => rig.webhook(delivery)));
    await rig.settle();
    let recomputed = 0;
    let writes = 0;
    let conflicts = 0;
    for (const { event, requests, conflicts: lost } of rig.batches) {
      const touched = transactionsIn(event).size;
      recomputed += touched;
      // The transaction item of each, plus each of its two members at most once: when its redraw
      // joins (the members awaiting it) and when the batch's newest images may end it (the members
      // the batch does not show: the stored status and the expiries follow their current items).
      // And the follow-up of each transaction with a redraw (CONTRACT §9): one more read. Besides: the report
      // ledger of each record that changes report rows (CONTRACT §11).
      const reads = readsIn(requests) - ledgerReadsIn([event]);
      expect(reads).toBeGreaterThanOrEqual(touched);
      expect(reads).toBeLessThanOrEqual(4 * touched);
      writes += writesIn(requests) - tallyWritesIn([event]) - markWritesIn([event]) - wantedWritesIn([event]);
      conflicts += lost;
    }
    expect(rig.batches.some(({ event }) => event.Records.length > 2)).toBe(true);
    expect(rig.metrics.get(METRIC.recomputed)).toBe(recomputed);
    // Whatever the batching, as for the reads: in each batch, the transaction item of each transaction
    // it touches and each of its two members at most once (one write for all the batch's records of
    // it, not one per record or per status change). At least, per flow, the transaction item when it
    // begins and the initial order out of the awaiting partition. (A bound of 3 per flow held while a
    // batch showed each flow's last records together; split over more batches, a transaction whose
    // status moved in each is written in each: 10 writes for 3 flows once in a clean-clone run, then
    // 3 times in 12 runs on a loaded machine.)
    const followUpWrites = rig.metrics.get(METRIC.followUpWrites) ?? 0;
    writes -= followUpWrites;
    expect(writes).toBeLessThanOrEqual(3 * recomputed + conflicts);
    expect(writes).toBeGreaterThanOrEqual(2 * flows.length);
    // The follow-up: opened, then once per status change of its open redraw (its due time moves
    // with it: the redraw order's 3 steps before it completes), closed redraw_completed; fewer when
    // a batch shows several of these at once. Races lost are written again.
    expect(followUpWrites).toBeGreaterThanOrEqual(flows.length);
    expect(followUpWrites).toBeLessThanOrEqual(5 * flows.length + conflicts);
    for (const ids of flows) {
      expect((await rig.transaction(ids.transactionId))?.status).toBe('completed');
      expect((await rig.order(ids.initialId))?.openRedraw).toBeNull();
    }
  });
});

/**
 * A history a consumer can trust (CONTRACT §9): one entry per version, each
 * from_state the previous to_state, `at` never going back, the last entry's
 * state the follow-up's, `closed_at` its close entry's `at`.
 */
function expectTrustedHistory(followUp: { state: string; version: number; closed_at: string | null }, history: readonly { at: string; action: string; from_state: string; to_state: string }[]): void {
  expect(history).toHaveLength(followUp.version);
  for (let index = 1; index < history.length; index++) {
    expect(history[index]!.from_state).toBe(history[index - 1]!.to_state);
    expect(history[index]!.at >= history[index - 1]!.at).toBe(true);
  }
  expect(history.at(-1)!.to_state).toBe(followUp.state);
  if (followUp.state === 'closed') expect(followUp.closed_at).toBe(history.findLast((entry) => entry.to_state === 'closed' && entry.from_state !== 'closed')!.at);
}

describe('any delivery order converges', () => {
  type Role = 'initial' | 'redraw';
  interface Outcome {
    status: string | undefined;
    members: Record<string, unknown>;
    orders: { role: Role; source: string; low_level_status: string; rank: string }[];
    /** The follow-up (CONTRACT §9): the same whatever the delivery order. */
    followUp: Record<string, unknown> | null;
  }

  async function outcomeOf(ids: ReturnType<typeof redrawIds>): Promise<Outcome> {
    const role = (id: string): Role => (id === ids.initialId ? 'initial' : 'redraw');
    const transaction = await rig.transaction(ids.transactionId);
    const partition = await readTransactionPartition(rig.table.db, rig.table.tableName, ids.transactionId);
    const followUp = await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    const history = await readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    if (followUp !== null) expectTrustedHistory(followUp.followUp, history);
    return {
      followUp:
        followUp === null
          ? null
          : {
              ...followUp.followUp,
              // How it got there depends on the delivery order (CONTRACT §9: the tracker's versions, dated when
              // recorded): the state converges, the path is checked by expectTrustedHistory.
              version: 'path',
              closed_at: followUp.followUp.closed_at === null ? null : 'recorded',
              acknowledged_at: followUp.followUp.acknowledged_at === null ? null : 'recorded',
              last_contact: followUp.followUp.last_contact === null ? null : { ...followUp.followUp.last_contact, at: 'recorded' },
              id: 'transaction',
              transaction_id: 'transaction',
              initial_order_id: followUp.followUp.initial_order_id === null ? null : role(followUp.followUp.initial_order_id),
              redraw_order_id: followUp.followUp.redraw_order_id === null ? null : role(followUp.followUp.redraw_order_id),
              missing: followUp.followUp.missing === null ? null : { ...followUp.followUp.missing, order_id: role(followUp.followUp.missing.order_id) },
              due: followUp.dueAt,
              redraw: followUp.redraw === null ? null : { ...followUp.redraw, orderId: role(followUp.redraw.orderId) },
              applied: [...followUp.applied].sort(),
              history: 'path',
            },
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
      { numRuns: propertyRuns(15) },
    );
    expect(rig.deadLetters).toEqual([]);
  });

  it('stores results_missing as the redraw order’s own webhook says, for any permutation, duplication and burst, and a redelivery of the flow’s batches changes nothing (issue 24 item 11)', async () => {
    const scenario = fc
      .record({ missing: fc.boolean(), burstSizes: fc.oneof(fc.constant<number[]>([1]), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 })) })
      .chain(({ missing, burstSizes }) => {
        const ids = redrawIds();
        const flow = buildDeliveries(redrawFlow(ids, 'completed'));
        const last = flow.at(-1)!;
        const deliveries = [...flow.slice(0, -1), { ...last, body: { ...last.body, data: { ...(last.body.data as Record<string, unknown>), has_missing_results: missing } } }];
        return fc.record({ ids: fc.constant(ids), missing: fc.constant(missing), burstSizes: fc.constant(burstSizes), deliveries: arbShuffledDeliveries(deliveries) });
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ ids, missing, burstSizes, deliveries }) => {
        const first = rig.batches.length;
        for (const burst of bursts(deliveries, burstSizes)) {
          await Promise.all(burst.map((delivery) => rig.webhook(delivery)));
          await rig.settle();
        }
        const stored = () => getTransactionItem(rig.table.db, rig.table.tableName, ids.transactionId, true);
        const settled = await stored();
        expect(settled).toMatchObject({ status: 'completed', results_missing: missing });
        const ours = rig.batches.slice(first).filter(({ event }) => JSON.stringify(event).includes(ids.transactionId));
        rig.requests.clear();
        const rowsBefore = reportRowsWritten();
        for (const { event } of ours) expect((await rig.handle(event)).batchItemFailures).toEqual([]);
        const redelivered = ours.map(({ event }) => event);
        expect(writesIn(rig.requests)).toBe(tallyWritesIn(redelivered) + wantedWritesIn(redelivered) + markWritesIn(redelivered));
        expect(reportRowsWritten()).toBe(rowsBefore);
        expect(await stored()).toEqual(settled);
      }),
      { numRuns: propertyRuns(12) },
    );
    expect(rig.deadLetters).toEqual([]);
  });

  it('converges on the same follow-up for any order of Junction’s facts, duplicated, in bursts, with people’s actions in between: closed, reopened and kept current by the tracker (property)', async () => {
    const NURSE = 'arn:aws:iam::123456789012:user/nurse';
    const person = async (id: string) => {
      for (const body of [{ action: 'acknowledge', owner: 'team.outreach' }, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }]) {
        const result = await actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: NURSE, now: new Date(), thresholds: DEFAULT_THRESHOLDS });
        expect(result.kind).toBe('changed');
      }
    };
    /** Phase one: the initial order up to redraw_available (the follow-up opens); then a person; then the rest. */
    const phases = (ids: ReturnType<typeof redrawIds>, outcome: RedrawOutcome) => {
      const all = buildDeliveries(redrawFlow(ids, outcome));
      const lastEvent = (delivery: Delivery) => (delivery.body as { data: { last_event: { status: string } } }).data.last_event.status;
      const opening = all.find((delivery) => delivery.orderId === ids.initialId && lastEvent(delivery).endsWith('.redraw_available'));
      if (opening === undefined) throw new Error('no redraw_available in the flow');
      const isFirst = (delivery: Delivery) => delivery.orderId === ids.initialId && delivery.eventId <= opening.eventId;
      return { first: all.filter(isFirst), rest: all.filter((delivery) => !isFirst(delivery)) };
    };
    const expected = new Map<RedrawOutcome, Outcome>();
    const expectedOf = async (outcome: RedrawOutcome) => {
      const known = expected.get(outcome);
      if (known) return known;
      const ids = redrawIds();
      const { first, rest } = phases(ids, outcome);
      for (const delivery of first) await rig.webhook(delivery);
      await rig.settle();
      await person(ids.transactionId);
      for (const delivery of rest) {
        await rig.webhook(delivery);
        await rig.settle();
      }
      const result = await outcomeOf(ids);
      expected.set(outcome, result);
      return result;
    };
    const scenario = fc
      .constantFrom<RedrawOutcome>('completed', 'cancelled', 'sample_error', 'not_created', 'results_received', 'initial_cancelled', 'reinstated')
      .chain((outcome) => {
        const ids = redrawIds();
        const { first, rest } = phases(ids, outcome);
        return fc.record({
          outcome: fc.constant(outcome),
          ids: fc.constant(ids),
          first: arbShuffledDeliveries(first),
          rest: arbShuffledDeliveries(rest),
          burstSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        });
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ outcome, ids, first, rest, burstSizes }) => {
        const wanted = await expectedOf(outcome);
        for (const burst of bursts(first, burstSizes)) await Promise.all(burst.map((delivery) => rig.webhook(delivery)));
        await rig.settle();
        await person(ids.transactionId);
        for (const burst of bursts(rest, burstSizes)) await Promise.all(burst.map((delivery) => rig.webhook(delivery)));
        await rig.settle();
        expect(await outcomeOf(ids)).toEqual(wanted);
      }),
      { numRuns: propertyRuns(14) },
    );
    // What each outcome leaves, as CONTRACT §9 says.
    const states = Object.fromEntries([...expected].map(([outcome, result]) => [outcome, result.followUp && [result.followUp.state, result.followUp.disposition, result.followUp.attention]]));
    expect(states).toMatchObject({
      ...(states.completed ? { completed: ['closed', 'redraw_completed', null] } : {}),
      ...(states.sample_error ? { sample_error: ['acknowledged', null, 'redraw_failed'] } : {}),
      ...(states.results_received ? { results_received: ['closed', 'results_received', null] } : {}),
      ...(states.initial_cancelled ? { initial_cancelled: ['closed', 'cancelled', null] } : {}),
      ...(states.reinstated ? { reinstated: ['acknowledged', null, null] } : {}),
      ...(states.not_created ? { not_created: ['acknowledged', null, null] } : {}),
    });
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
