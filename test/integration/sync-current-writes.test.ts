/**
 * CONTRACT §6: "an order that the tracker already holds in the state the API
 * gives costs no write", and a recompute that changes nothing writes nothing.
 * A continuous sync over orders the tracker holds exactly as Junction gives
 * them (webhooks of every kind delivered, transactions with redraws among
 * them, retention on as deployed) makes no write request at all, neither in
 * the sweep nor in the transaction function behind it: only the sync's own
 * state (its window's progress) is saved.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantMillis } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createJunctionClient } from '../../functions/junction/client';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createSweepHandler } from '../../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { localTable } from '../../local/dynamodb-local';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { localEndpoint } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { buildDeliveries, freshId, mulberry32, redrawFlow, simpleFlow, type Delivery, type FlowSpec, type RedrawOutcome } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { captureOutput } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
let junction: JunctionStandin;
let proxy: DynamoDbProxy;

beforeAll(async () => {
  rig = await startTransactionRig('sync-current', { retentionDays: 365 });
  junction = await startJunctionStandin();
  proxy = await startDynamoDbProxy(localEndpoint());
});
afterAll(async () => {
  await proxy?.close();
  await junction?.close();
  await rig?.close();
});

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'];

/** Fifteen orders: redraw transactions at every stage, and single orders with and without a transaction. */
function flows(start: Date): FlowSpec[] {
  const outcomes: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];
  const redraws = outcomes.map((outcome, index) => ({ ...redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, outcome, start), firstEventId: 1000 + index * 100 }));
  const singles = [
    simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', undefined, start),
    simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 3, start),
    simpleFlow({ transactionId: null, orderId: freshId() }, 'at_home_phlebotomy', undefined, start),
    simpleFlow({ transactionId: null, orderId: freshId() }, 'on_site_collection', 2, start),
    simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'on_site_collection', undefined, start),
    simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', 4, start),
  ].map((flow, index) => ({ ...flow, firstEventId: 2000 + index * 100 }));
  return [...redraws, ...singles];
}

function newestUpdate(deliveries: readonly Delivery[]): number {
  return Math.max(...deliveries.map((delivery) => instantMillis(String((delivery.body.data as { updated_at: string }).updated_at))));
}

/** One sweep (sync, then the stale rules) at `now`, through the Lambda factory; its table requests go through the proxy. */
async function sweep(now: number) {
  const handler = createSweepHandler({
    db: localTable(proxy.endpoint),
    tableName: rig.table.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    notifier: createInMemoryNotifier(),
    logger: createLogger(SERVICES.staleRedrawSweep),
    metrics: createMetrics(SERVICES.staleRedrawSweep),
    // An hour after the orders' last change (see callers): nothing is stale yet, so no flag is written.
    clock: () => new Date(now),
    junction: createJunctionClient({ baseUrl: junction.url, apiKey: junction.apiKey, backoffMs: 1, maxRetries: 1 }),
    sync: { lookbackHours: 24 * 30, maxSeconds: 120 },
  });
  const output = captureOutput();
  try {
    return await handler();
  } finally {
    output.restore();
    await rig.settle();
  }
}

/** Forgets the sync's progress, so that the next sweep's window holds the era's orders again. */
async function forgetSyncState(): Promise<void> {
  await rig.table.doc.send(new DeleteCommand({ TableName: rig.table.tableName, Key: { pk: 'SYNC#orders', sk: 'SYNC' } }));
}

type Held = 'webhooks in order' | 'webhooks shuffled' | 'an earlier sync' | 'an earlier sync, then every webhook';

/** Fifteen orders at Junction, held by the tracker exactly as Junction gives them, the way `held` says. */
async function holdCurrent(held: Held, shuffle: (deliveries: Delivery[]) => Delivery[] = (deliveries) => deliveries): Promise<Delivery[]> {
  await forgetSyncState();
  await junction.reset();
  const deliveries = flows(new Date(Date.now() - 20 * 86_400_000)).flatMap((flow) => buildDeliveries(flow));
  expect(new Set(deliveries.map((delivery) => delivery.orderId)).size).toBe(15);
  await junction.recordDeliveries(deliveries);
  if (held === 'webhooks in order') for (const delivery of deliveries) await rig.webhook(delivery);
  if (held === 'webhooks shuffled') for (const delivery of shuffle(deliveries)) await rig.webhook(delivery);
  if (held.startsWith('an earlier sync')) {
    await sweep(newestUpdate(deliveries) + 3_600_000);
    await forgetSyncState();
  }
  if (held === 'an earlier sync, then every webhook') for (const delivery of deliveries) await rig.webhook(delivery);
  await rig.settle();
  return deliveries;
}

/** Syncs the held orders again and asserts that nothing but the sync's own state was written. */
async function expectSyncWritesNothing(deliveries: readonly Delivery[]): Promise<void> {
  // A first sweep sends what any first sweep sends once (the failed redraws' notices, CONTRACT §9), not the sync's doing.
  await sweep(newestUpdate(deliveries) + 3_600_000);
  await forgetSyncState();
  await rig.settle();
  rig.resetCounters();
  proxy.reset();
  const result = await sweep(newestUpdate(deliveries) + 3_600_000);
  expect(result.synced).toBe(15);
  expect(result.reconciled).toBe(0);
  // The sync's own state and the sweep's lease (taken and released: one sweep at a time, CONTRACT §4) are all it writes.
  const own = (request: { body: unknown }) => ['"synced_until"', '"LEASE#sweep"'].some((mark) => JSON.stringify(request.body).includes(mark));
  const writes = proxy.requests.filter((request) => WRITES.includes(request.operation) && !own(request));
  expect(writes.map((request) => `${request.operation} ${JSON.stringify(request.body).slice(0, 200)}`)).toEqual([]);
  // The sweep wrote nothing, so the transaction function had no record to act on.
  expect(WRITES.map((operation) => rig.requests.get(operation) ?? 0)).toEqual(WRITES.map(() => 0));
}

describe('a continuous sync of orders already current (transactions with redraws among them)', () => {
  it.each<Held>(['webhooks in order', 'an earlier sync', 'an earlier sync, then every webhook'])(
    'makes no write request, in the sweep or in the transaction function, but the sync state: held from %s',
    async (held) => {
      await expectSyncWritesNothing(await holdCurrent(held));
    },
  );

  it('makes no write request either when the webhooks came in any order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const random = mulberry32(seed);
        const deliveries = await holdCurrent('webhooks shuffled', (all) => {
          const shuffled = [...all];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          return shuffled;
        });
        await expectSyncWritesNothing(deliveries);
      }),
      { numRuns: propertyRuns(4) },
    );
  });
});
