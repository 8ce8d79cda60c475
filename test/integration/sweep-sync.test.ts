/**
 * The continuous sync (CONTRACT §6, "Continuous sync") on DynamoDB Local, the
 * path a deployment takes: the sweep's Lambda factory with its real logger and
 * metrics (captured), the Junction API client over real HTTP to the local
 * stand-in, the functions' own table client (the document client) through a proxy on
 * the wire that counts requests, and the transaction function fed by the real
 * stream. A twin table gets every webhook and no sync: what webhooks would have
 * produced, to compare with.
 *
 * One table (and one sync state) for the file: each test lives in a LATER era
 * than the previous one and resets the stand-in, so its sync window holds its own
 * orders only.
 *
 * Why it takes its time (issue 87): every sweep here is the real sync over HTTP
 * to the stand-in, its writes through the wire proxy, then the table's real
 * stream read to its end by the transaction function, and the twin fed every
 * webhook the same way; the two properties run whole syncs per run (3 and 4
 * runs), and the outage test runs one sweep per kind of failure, each through
 * the SDK's own retries. What it proves, that a sync leaves each order and
 * transaction as the webhooks would have once the stream has run, and that a
 * page of the window is never lost or skipped under the table's real answers,
 * needs the stream and the table; a test of the sync's steps on a fake would
 * prove the fake.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instantMillis } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import type { JunctionApi } from '../../functions/junction/api';
import { createJunctionClient } from '../../functions/junction/client';
import { RECONCILE_METRICS, SERVICES, SYNC_METRICS } from '../../functions/shared/metric-names';
import { createLogger } from '../../functions/shared/observability';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { createJunctionSession } from '../../functions/stale-redraw-sweep/steps/junction-session';
import { runSync, type SyncOutcome, type SyncSettings } from '../../functions/stale-redraw-sweep/steps/sync';
import { SYNC_MAX_ATTEMPTS } from '../../functions/core/sync-window';
import { HISTORY_PREFIX, keys } from '../../functions/store/keys';
import { localTable } from '../../local/dynamodb-local';
import { startJunctionStandin, type JunctionStandin, type StandinOrder } from '../../local/junction-standin';
import { localEndpoint } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy, type ProxyFault } from '../support/dynamodb-proxy';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow, type Delivery, type FlowSpec, type Method, type RedrawOutcome } from '../support/junction';
import { sweepCaptured, type CapturedSweep } from '../support/sweep-run';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { captureOutput } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let rig: TransactionRig;
let twin: TransactionRig;
let junction: JunctionStandin;
let api: JunctionApi;
let proxy: DynamoDbProxy;
let output: ReturnType<typeof captureOutput> | null = null;

beforeAll(async () => {
  rig = await startTransactionRig('sweep-sync');
  twin = await startTransactionRig('sweep-sync-twin');
  junction = await startJunctionStandin();
  api = createJunctionClient({ baseUrl: junction.url, apiKey: junction.apiKey, backoffMs: 1, maxRetries: 1 });
  proxy = await startDynamoDbProxy(localEndpoint());
});
afterAll(async () => {
  await proxy?.close();
  await junction?.close();
  await twin?.close();
  await rig?.close();
});
beforeEach(async () => {
  await junction.reset();
  proxy.reset();
});
afterEach(() => {
  output?.restore();
  output = null;
});

let era = 0;
/** A start a year later than the previous test's (see the file's comment). */
function nextEra(): Date {
  era++;
  return new Date(Date.UTC(2030 + era, 0, 10, 9));
}

const METHODS: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
const OUTCOMES: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];

/** Flows of every kind: each collection method, cut short or whole, and redraw transactions at every stage. */
function everyKind(start: Date): FlowSpec[] {
  const flows: FlowSpec[] = [];
  METHODS.forEach((method, index) => {
    flows.push(simpleFlow({ transactionId: freshId(), orderId: freshId() }, method, 2 + index, start));
    flows.push(simpleFlow({ transactionId: null, orderId: freshId() }, method, undefined, start));
  });
  for (const outcome of OUTCOMES) flows.push(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, outcome, start));
  return flows.map((flow, index) => ({ ...flow, firstEventId: 1000 + index * 100 }));
}

/** The orders these flows made at Junction (a redraw never created has none). */
const orderIdsOf = (flows: readonly FlowSpec[]) => [...new Set(flows.flatMap((flow) => buildDeliveries(flow).map((delivery) => delivery.orderId)))];

/** Pages of 10 (Junction's are up to 100): many pages from few orders. */
const SMALL_PAGES: SyncSettings = { lookbackHours: 24 * 30, maxSeconds: 120, pageSize: 10 };

/** One sweep of `target` through the Lambda factory at `now`; its table requests go through the proxy. */
async function sweep(target: TransactionRig, now: number, junctionApi: JunctionApi | null, sync: SyncSettings = { lookbackHours: 24 * 30, maxSeconds: 120 }): Promise<CapturedSweep> {
  proxy.reset();
  const setup = { db: localTable(proxy.endpoint), tableName: target.table.tableName, thresholds: DEFAULT_THRESHOLDS, notifier: createInMemoryNotifier(), junction: junctionApi, sync };
  return sweepCaptured(setup, now, { junction, settle: () => target.settle(), never: [PHI_CANARY, junction.apiKey] });
}

/** An order's stored state and flag, `source` aside (api from the sync, webhook in the twin). */
async function orderState(target: TransactionRig, orderId: string) {
  const stored = await target.order(orderId);
  if (stored === null) return null;
  const { source: _source, ...record } = stored.record;
  return { record, stale: stored.stale === null ? null : stored.stale.reason, openRedraw: stored.openRedraw };
}

/** A transaction as the query API reads it, members' sources aside. */
async function transactionState(target: TransactionRig, transactionId: string) {
  const transaction = await target.transaction(transactionId);
  return JSON.parse(JSON.stringify(transaction, (name, value: unknown) => (name === 'source' || name === 'updated_at' || name === 'version' ? undefined : value))) as unknown;
}

async function expectSameAsWebhooks(flows: readonly FlowSpec[]): Promise<void> {
  for (const orderId of orderIdsOf(flows)) expect(await orderState(rig, orderId), `order ${orderId}`).toEqual(await orderState(twin, orderId));
  for (const flow of flows) {
    if (flow.transactionId === null) continue;
    const mine = await transactionState(rig, flow.transactionId);
    const theirs = await transactionState(twin, flow.transactionId);
    expect(mine, `transaction ${flow.transactionId}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`).toEqual(theirs);
  }
}

async function deliver(target: TransactionRig, deliveries: readonly Delivery[]): Promise<void> {
  for (const delivery of deliveries) await target.webhook(delivery);
  await target.settle();
}

async function noPhiStored(): Promise<void> {
  const items = await rig.table.doc.send(new ScanCommand({ TableName: rig.table.tableName }));
  expect(JSON.stringify(items.Items ?? [])).not.toContain(PHI_CANARY);
}

/** The newest time any of these orders changed at Junction. */
function newestUpdate(deliveries: readonly Delivery[]): number {
  return Math.max(...deliveries.map((delivery) => instantMillis(String((delivery.body.data as { updated_at: string }).updated_at))));
}

describe('one sweep brings Junction’s state', () => {
  it('with no webhook delivered at all: every order and transaction as webhooks would have left them, and the stale flags of §4', async () => {
    const flows = everyKind(nextEra());
    const deliveries = flows.flatMap((flow) => buildDeliveries(flow));
    await junction.recordDeliveries(deliveries);
    await deliver(twin, deliveries);
    // Late enough for redraws to be stale (§4: 24 h awaiting, 7 days without progress).
    const now = newestUpdate(deliveries) + 8 * DAY;

    const run = await sweep(rig, now, api);
    await sweep(twin, now, null);
    const orders = orderIdsOf(flows);
    expect(run.result.synced).toBe(orders.length);
    expect(run.result.reconciled).toBe(orders.length);
    expect(run.metric(SYNC_METRICS.synced)).toBe(orders.length);
    expect(run.metric(SYNC_METRICS.lagSeconds)).toBe(0);
    // Every metric the alarms read is emitted by a sweep with a key, zero included (test/infra/alarm-metrics.test.ts);
    // JunctionKeyUnusable is the handler's, which reads the key (test/integration/sweep-key-secret.test.ts).
    const swept = [...Object.values(SYNC_METRICS), ...Object.values(RECONCILE_METRICS)].filter((name) => name !== RECONCILE_METRICS.keyUnusable);
    for (const name of swept) expect(run.metric(name), name).toEqual(expect.any(Number));
    expect(run.metric(SYNC_METRICS.skipped)).toBe(0);
    expect(run.requests.filter((url) => url.startsWith('/v3/orders?'))).toHaveLength(1);
    // Stale flags set by the same sweep, as in the twin that had every webhook.
    expect(run.result.flagged).toBeGreaterThan(0);
    await expectSameAsWebhooks(flows);
    for (const orderId of orders) expect((await rig.order(orderId))?.record.source).toBe('api');
    await noPhiStored();
  });

  it('with a random half of the webhooks lost: the same, for any half', async () => {
    await fc.assert(
      fc.asyncProperty(fc.infiniteStream(fc.boolean()), async (coins) => {
        await junction.reset();
        const flows = everyKind(nextEra());
        const deliveries = flows.flatMap((flow) => buildDeliveries(flow));
        await junction.recordDeliveries(deliveries);
        await deliver(twin, deliveries);
        const flips = coins.take(deliveries.length);
        await deliver(rig, deliveries.filter(() => flips.next().value === true));
        const now = newestUpdate(deliveries) + 2 * HOUR;
        const run = await sweep(rig, now, api);
        await sweep(twin, now, null);
        expect(run.result.synced).toBe(orderIdsOf(flows).length);
        await expectSameAsWebhooks(flows);
      }),
      { numRuns: propertyRuns(3) },
    );
    await noPhiStored();
  });
});

/** `count` orders of one method, created a minute apart from `start`, each with its first two steps. */
function manyOrders(start: Date, count: number): { flows: FlowSpec[]; deliveries: Delivery[] } {
  const flows = Array.from({ length: count }, (_, index) =>
    ({ ...simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 2, new Date(start.getTime() + index * 60_000)), stepMinutes: 1, firstEventId: 1000 + index * 10 }),
  );
  return { flows, deliveries: flows.flatMap((flow) => buildDeliveries(flow)) };
}

/** The order as updated at Junction at `at`: a newer event of the same status (the sync must store its id). */
function updatedAt(order: StandinOrder, at: number): StandinOrder {
  const last = order.last_event as { id: number; status: string };
  const event = { id: last.id + 1, created_at: new Date(at).toISOString(), status: last.status };
  const events = Array.isArray(order.events) ? order.events : [];
  return { ...order, updated_at: new Date(at).toISOString(), last_event: event, events: [...events, event] };
}

async function expectEveryOrderCurrent(): Promise<void> {
  for (const order of await junction.orders()) {
    const stored = await rig.order(order.id);
    expect(stored?.record.last_event?.id, `order ${order.id}`).toBe((order.last_event as { id: number }).id);
  }
}

describe('paging a window while Junction changes', () => {
  it('skips no order when orders are updated between page reads (property), the leavers coming with the next sweep', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 4 }), async (changes) => {
        await junction.reset();
        const start = nextEra();
        const { deliveries } = manyOrders(start, 23);
        await junction.recordDeliveries(deliveries);
        const now = newestUpdate(deliveries) + HOUR;
        let reads = 0;
        junction.onPageRead(({ orders }) => {
          const picks = changes[reads++] ?? [];
          const all = orders();
          // Updated at Junction after the window's end: each leaves the window, shifting the later ones towards page 1.
          return picks.map((pick, index) => updatedAt(all[pick % all.length]!, now + (reads * 10 + index) * 1000));
        });
        const first = await sweep(rig, now, api, SMALL_PAGES);
        junction.onPageRead(null);
        expect(first.result.synced).toBeGreaterThanOrEqual(23 - changes.flat().length);
        // Pages read: the first (page 1, for the total); then the window's settled part (core/sync-window.ts) from the
        // last page back to page 1, going down to an earlier last page when orders left; then its rest, one empty page.
        const pagesOf = (run: CapturedSweep) => run.requests.filter((url) => url.startsWith('/v3/orders?')).map((url) => Number(new URL(url, 'http://x').searchParams.get('page')));
        const [firstPage, ...walk] = pagesOf(first);
        const rest = walk.pop();
        expect([firstPage, walk[0], walk.at(-1), rest]).toEqual([1, 3, 1, 1]);
        for (let step = 1; step < walk.length; step++) expect(walk[step]!).toBeLessThan(walk[step - 1]!);
        const second = await sweep(rig, now + HOUR, api, SMALL_PAGES);
        expect(second.result.synced).toBeGreaterThanOrEqual(new Set(changes.flat()).size > 0 ? 1 : 0);
        await expectEveryOrderCurrent();
      }),
      { numRuns: propertyRuns(4) },
    );
  });

  it('continues where it stopped when Junction fails mid-window: the stale rules still run, the next sweep finishes, nothing is lost', async () => {
    const { deliveries } = manyOrders(nextEra(), 23);
    await junction.recordDeliveries(deliveries);
    const now = newestUpdate(deliveries) + HOUR;
    let reads = 0;
    junction.onPageRead(() => {
      // Junction goes down after the window's second page read.
      if (++reads === 2) void junction.injectFault({ kind: 'status', status: 503, times: 'always', endpoint: 'orders' });
    });
    const failed = await sweep(rig, now, api, SMALL_PAGES);
    junction.onPageRead(null);
    // Page 1 (10 orders, and the total), then the last page (3): page 2 fails.
    expect(failed.result.synced).toBe(13);
    expect(failed.result).toMatchObject({ examined: expect.any(Number) });
    expect(failed.metric(SYNC_METRICS.lagSeconds)).toBeGreaterThan(0);
    const stop = failed.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'sync stopped: the next sweep continues');
    expect(stop).toMatchObject({ level: 'WARN', reason: 'unavailable', next_page: 2, pages: 2 });

    await junction.clearFaults();
    const next = await sweep(rig, now + HOUR, api, SMALL_PAGES);
    // Page 2 again, then page 1 (the settled part's rest), the window's last 5 minutes (one page), then the next window's one page.
    expect(next.requests.filter((url) => url.startsWith('/v3/orders?')).map((url) => new URL(url, 'http://x').searchParams.get('page'))).toEqual(['2', '1', '1', '1']);
    expect(next.metric(SYNC_METRICS.lagSeconds)).toBe(0);
    await expectEveryOrderCurrent();
  });

  it('stops at the first request when the key is rejected, keeps its window, and syncs all of it once the key works', async () => {
    const { deliveries } = manyOrders(nextEra(), 5);
    await junction.recordDeliveries(deliveries);
    const now = newestUpdate(deliveries) + HOUR;
    const rejected = createJunctionClient({ baseUrl: junction.url, apiKey: 'sk_us_revoked_0123456789abcdef', backoffMs: 1 });
    const refused = await sweep(rig, now, rejected);
    expect(refused.requests).toHaveLength(1);
    expect(refused.result.synced).toBe(0);
    expect(refused.metric(SYNC_METRICS.lagSeconds)).toBeGreaterThan(0);
    const later = await sweep(rig, now + DAY, api);
    expect(later.result.synced).toBe(5);
    await expectEveryOrderCurrent();
  });

  it('stops after a page when its time budget is spent, and works a backlog off over the next sweeps', async () => {
    const { deliveries } = manyOrders(nextEra(), 23);
    await junction.recordDeliveries(deliveries);
    const now = newestUpdate(deliveries) + HOUR;
    const tight = { ...SMALL_PAGES, maxSeconds: 1 };
    junction.onPageRead(() => {
      // Each page takes longer than the budget.
      const until = Date.now() + 1100;
      while (Date.now() < until) {
        /* busy: a slow Junction */
      }
    });
    const runs: CapturedSweep[] = [];
    for (let sweepNo = 0; sweepNo < 6; sweepNo++) runs.push(await sweep(rig, now + sweepNo * HOUR, api, tight));
    junction.onPageRead(null);
    // One page per sweep: page 1 (the total), 3, 2, 1 (the settled part), the window's last 5 minutes; the sixth
    // sweep reads the next window, empty, and is done.
    expect(runs.map((run) => run.requests.filter((url) => url.startsWith('/v3/orders?')).length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(runs.map((run) => run.lines.some((line) => line.includes('"reason":"time"')))).toEqual([true, true, true, true, true, false]);
    await expectEveryOrderCurrent();
  });
});

describe('cost', () => {
  it('makes no order write when every synced order is already held: one BatchGetItem per page', async () => {
    const flows = everyKind(nextEra());
    const deliveries = flows.flatMap((flow) => buildDeliveries(flow));
    await junction.recordDeliveries(deliveries);
    await deliver(rig, deliveries);
    const run = await sweep(rig, newestUpdate(deliveries) + HOUR, api);
    expect(run.result.synced).toBe(orderIdsOf(flows).length);
    expect(run.result.reconciled).toBe(0);
    const orderPrefix = keys.order('').pk;
    const orderWrites = proxy.requests.filter((request) => {
      const body = JSON.stringify(request.body);
      return ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'].includes(request.operation) && body.includes(`"S":"${orderPrefix}`);
    });
    expect(orderWrites).toEqual([]);
    // One BatchGetItem per page read, and the sync's own state saved once per page.
    const pages = run.requests.filter((url) => url.startsWith('/v3/orders?')).length;
    // (The stale rules' own batch, of the redraw orders' appointments (CONTRACT §10), is apart: one at most.)
    const appointmentReads = proxy.requests.filter((request) => request.operation === 'BatchGetItem' && JSON.stringify(request.body).includes('"S":"APPT"'));
    expect(appointmentReads.length).toBeLessThanOrEqual(1);
    // (So is the history check's, of the open follow-ups' newest entries (issue 82: the sweep looks for gaps): one at most.)
    const historyReads = proxy.requests.filter((request) => request.operation === 'BatchGetItem' && JSON.stringify(request.body).includes(`"S":"${HISTORY_PREFIX}`));
    expect(historyReads.length).toBeLessThanOrEqual(1);
    expect((proxy.counts().BatchGetItem ?? 0) - appointmentReads.length - historyReads.length).toBe(pages);
    const syncStateWrites = proxy.requests.filter((request) => request.operation === 'PutItem' && JSON.stringify(request.body).includes('"synced_until"'));
    expect(syncStateWrites).toHaveLength(pages);
  });
});

/** One sync alone (runSync, the sweep's first step) of `rig` at `now`, its table requests through the proxy. */
async function syncOnly(now: number, settings: SyncSettings = SMALL_PAGES): Promise<{ outcome: SyncOutcome; lines: Record<string, unknown>[] }> {
  await junction.clearRequests();
  const db = localTable(proxy.endpoint);
  const logger = createLogger(SERVICES.staleRedrawSweep);
  output = captureOutput();
  let outcome: SyncOutcome;
  try {
    const session = createJunctionSession({ db, tableName: rig.table.tableName, junction: api, logger });
    outcome = await runSync({ db, tableName: rig.table.tableName, session, now: new Date(now), settings, logger, elapsedMs: () => 0 });
  } finally {
    output.restore();
  }
  const lines = output.lines();
  output = null;
  await rig.settle();
  for (const line of lines) expect(line).not.toContain(PHI_CANARY);
  return { outcome, lines: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Whether a DynamoDB request body names this order's item (its key in a write, a read or a batch read). */
function touchesOrder(body: Record<string, unknown>, orderId: string): boolean {
  return JSON.stringify(body).includes(`"S":"${keys.order(orderId).pk}"`);
}

/** The ids on the pages of this window, in Junction's order (by creation, then id), as the stand-in sorts them. */
async function idsByCreation(): Promise<string[]> {
  return (await junction.orders()).sort((a, b) => instantMillis(a.created_at) - instantMillis(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((order) => order.id);
}

describe('an order of a sync page that cannot be applied', () => {
  it(`is tried on ${SYNC_MAX_ATTEMPTS} sweeps, then skipped (counted, logged by id) so the window moves on; a newer update of it gets fresh tries`, async () => {
    const { deliveries } = manyOrders(nextEra(), 23);
    await junction.recordDeliveries(deliveries);
    // The first order of page 1: page 1 is read first (for the total) and last (on the way back).
    const [poison] = await idsByCreation();
    // DynamoDB refuses its write, every time, for a reason of its own (a 400: not a table that is down).
    const refused: ProxyFault = { kind: 'answer', status: 400, errorType: 'ValidationException', message: 'Item size has exceeded the maximum allowed size' };
    const refuse = (operation: string, body: Record<string, unknown>) => (operation === 'PutItem' && touchesOrder(body, poison!) ? refused : null);
    const start = newestUpdate(deliveries) + HOUR;

    const runs = [];
    for (let sweepNo = 0; sweepNo < SYNC_MAX_ATTEMPTS; sweepNo++) {
      proxy.fault = refuse;
      runs.push(await syncOnly(start + sweepNo * HOUR));
    }
    proxy.reset();
    // Two sweeps stop at page 1 (read again next time); the third skips the order and reads the window whole.
    expect(runs.map((run) => run.outcome.stopped)).toEqual([...Array.from({ length: SYNC_MAX_ATTEMPTS - 1 }, () => 'apply_failed'), null]);
    expect(runs.map((run) => run.outcome.skipped)).toEqual([...Array.from({ length: SYNC_MAX_ATTEMPTS - 1 }, () => 0), 1]);
    expect(runs.at(-1)!.outcome).toMatchObject({ caughtUp: true, lagSeconds: 0 });
    const tries = runs.slice(0, -1).map((run) => run.lines.find((line) => line.message === 'sync could not apply an order: the next sweep tries again'));
    expect(tries.map((line) => line?.attempts)).toEqual(Array.from({ length: SYNC_MAX_ATTEMPTS - 1 }, (_, index) => index + 1));
    const skippedLines = runs.flatMap((run) => run.lines.filter((line) => line.message === 'sync skipped an order it could not apply: backfill it once the cause is fixed'));
    // Logged once (page 1 read again on the way back skips it silently), by id and error type only.
    expect(skippedLines).toEqual([expect.objectContaining({ level: 'ERROR', order_id: poison, attempts: SYNC_MAX_ATTEMPTS, error: 'ValidationException' })]);
    // Every other order of the window is applied, the skipped one is not stored.
    for (const order of await junction.orders()) {
      const stored = await rig.order(order.id);
      if (order.id === poison) expect(stored).toBeNull();
      else expect(stored?.record.last_event?.id, `order ${order.id}`).toBe((order.last_event as { id: number }).id);
    }

    // The cause fixed and the order updated at Junction: the next sweep applies its new state.
    const updated = updatedAt((await junction.orders()).find((order) => order.id === poison)!, start + 10 * HOUR);
    await junction.putOrder(updated);
    const after = await syncOnly(start + 11 * HOUR);
    expect(after.outcome).toMatchObject({ skipped: 0, stopped: null, caughtUp: true });
    expect((await rig.order(poison!))?.record.last_event?.id).toBe((updated.last_event as { id: number }).id);
  });

  it('never skips when the table is unavailable for the whole page (5xx, throttling, no answer, a missing grant, after the SDK retries): the page waits, however many sweeps, then applies', async () => {
    const { deliveries } = manyOrders(nextEra(), 12);
    await junction.recordDeliveries(deliveries);
    const ids = await idsByCreation();
    // One kind of unavailability per sweep, more sweeps than an order's tries.
    const outages: { fault: ProxyFault; error: string }[] = [
      { fault: { kind: 'answer', status: 500, errorType: 'InternalServerError' }, error: 'InternalServerError' },
      { fault: { kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException' }, error: 'ProvisionedThroughputExceededException' },
      { fault: { kind: 'reset_before' }, error: 'ECONNRESET' },
      { fault: { kind: 'answer', status: 503, errorType: 'ServiceUnavailable' }, error: 'ServiceUnavailable' },
      // A grant missing: a 400, but the table's (the tries could not be saved either, with the grant missing for the whole table).
      { fault: { kind: 'answer', status: 400, errorType: 'AccessDeniedException' }, error: 'AccessDeniedException' },
    ];
    expect(outages.length).toBeGreaterThan(SYNC_MAX_ATTEMPTS);
    const start = newestUpdate(deliveries) + HOUR;
    const failed = [];
    for (const [sweepNo, outage] of outages.entries()) {
      // Every read and write of the orders fails; the sync's own state item is still written.
      proxy.fault = (operation, body) => (['BatchGetItem', 'PutItem', 'UpdateItem'].includes(operation) && ids.some((id) => touchesOrder(body, id)) ? outage.fault : null);
      const run = await syncOnly(start + sweepNo * HOUR);
      expect(run.lines.find((line) => line.message === 'sync page could not be applied: it is read again by the next sweep')).toMatchObject({ level: 'ERROR', error: outage.error });
      failed.push(run);
    }
    proxy.reset();
    expect(failed.map((run) => run.outcome.stopped)).toEqual(outages.map(() => 'apply_failed'));
    expect(failed.map((run) => run.outcome.skipped)).toEqual(outages.map(() => 0));
    expect(failed.flatMap((run) => run.lines).filter((line) => String(line.message).startsWith('sync skipped'))).toEqual([]);
    for (const id of ids) expect(await rig.order(id)).toBeNull();

    const healed = await syncOnly(start + 10 * HOUR);
    expect(healed.outcome).toMatchObject({ skipped: 0, stopped: null, caughtUp: true });
    await expectEveryOrderCurrent();
  });

  it('never skips when the table keeps every key of the page unprocessed (throttling of BatchGetItem beyond its retries)', async () => {
    const { deliveries } = manyOrders(nextEra(), 12);
    await junction.recordDeliveries(deliveries);
    const ids = await idsByCreation();
    const start = newestUpdate(deliveries) + HOUR;
    proxy.fault = (operation, body) => (operation === 'BatchGetItem' && ids.some((id) => touchesOrder(body, id)) ? { kind: 'unprocessed_keys' } : null);
    const failed = [];
    for (let sweepNo = 0; sweepNo <= SYNC_MAX_ATTEMPTS; sweepNo++) failed.push(await syncOnly(start + sweepNo * HOUR));
    proxy.reset();
    expect(failed.map((run) => run.outcome.stopped)).toEqual(failed.map(() => 'apply_failed'));
    expect(failed.map((run) => run.outcome.skipped)).toEqual(failed.map(() => 0));
    expect(failed[0]?.lines.find((line) => line.message === 'sync page could not be applied: it is read again by the next sweep')).toMatchObject({ error: 'BatchGetIncompleteError' });

    const healed = await syncOnly(start + 10 * HOUR);
    expect(healed.outcome).toMatchObject({ skipped: 0, stopped: null, caughtUp: true });
    await expectEveryOrderCurrent();
  });

  it('invalid orders never hold the window and are counted each time a page shows them', async () => {
    const { deliveries } = manyOrders(nextEra(), 14);
    await junction.recordDeliveries(deliveries);
    // The first order of page 1 breaks Junction's schema (a negative event id): the client counts it invalid.
    const [broken] = await idsByCreation();
    const order = (await junction.orders()).find((candidate) => candidate.id === broken)!;
    await junction.putOrder({ ...order, last_event: { ...(order.last_event as object), id: -1 } });
    const start = newestUpdate(deliveries) + HOUR;

    const run = await syncOnly(start);
    // Page 1 (for the total), page 2, page 1 again: the broken order is seen twice, counted twice.
    expect(run.outcome).toMatchObject({ invalid: 2, skipped: 0, stopped: null, caughtUp: true, synced: 15 });
    expect(await rig.order(broken!)).toBeNull();
    for (const id of (await idsByCreation()).filter((id) => id !== broken)) expect(await rig.order(id), `order ${id}`).not.toBeNull();
    expect(run.lines.find((line) => line.message === 'sync skipped orders that are not valid orders')).toMatchObject({ invalid: 2 });

    // Seen again by a later window (updated at Junction, still broken): counted again, the window still moves on.
    await junction.putOrder({ ...order, updated_at: new Date(start + 2 * HOUR).toISOString(), last_event: { ...(order.last_event as object), id: -1 } });
    const again = await syncOnly(start + 3 * HOUR);
    expect(again.outcome).toMatchObject({ invalid: 1, stopped: null, caughtUp: true });
  });
});
