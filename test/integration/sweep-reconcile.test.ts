/**
 * The sweep with reconciliation (CONTRACT §6) on DynamoDB Local, the path a user
 * takes: webhooks stored by the webhook's write path, the transaction function
 * fed by the table's real stream, the sweep's Lambda factory with the real
 * Powertools logger and metrics (captured), and the Junction API client talking
 * over real HTTP to the local stand-in for Junction's API, which answers from the
 * same flows (some of whose webhooks never reached the tracker).
 *
 * One table for the file, so the open-redraws index holds every test's orders.
 * Each test lives in its own era, EARLIER than the previous test's: a sweep at a
 * test's `now` finds only that test's orders due (later tests' are not yet due,
 * and earlier tests' are in the future), so its counts are its own.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import type { JunctionApi } from '../../functions/junction/api';
import { createJunctionClient } from '../../functions/junction/client';
import { RECONCILE_METRICS, SERVICES, SWEEP_METRICS } from '../../functions/shared/metric-names';
import { createLogger } from '../../functions/shared/observability';
import { createQueryHandler } from '../../functions/query/app';
import type { ReconcileSettings } from '../../functions/stale-redraw-sweep/config';
import { alertClaimKey } from '../../functions/stale-redraw-sweep/steps/notices';
import { createInMemoryNotifier, type InMemoryNotifier } from '../../functions/notices/notifier';
import { API_KEY_REJECTED } from '../../functions/stale-redraw-sweep/steps/junction-session';
import { countOpenRedraws } from '../../functions/store/redraws';
import { CLAIM_SCOPES, claimKey, keys, OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { localTable } from '../../local/dynamodb-local';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type Delivery, type FlowSpec } from '../support/junction';
import { localEndpoint } from '../support/dynamodb';
import { startDynamoDbProxy } from '../support/dynamodb-proxy';
import { sweepCaptured, type CapturedSweep } from '../support/sweep-run';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

let rig: TransactionRig;
let junction: JunctionStandin;
/** The client as the sweep gets it, with the stand-in's key (retries without waiting long). */
let api: JunctionApi;

beforeAll(async () => {
  rig = await startTransactionRig('sweep-reconcile');
  junction = await startJunctionStandin();
  api = createJunctionClient({ baseUrl: junction.url, apiKey: junction.apiKey, backoffMs: 1 });
});
afterAll(async () => {
  await junction?.close();
  await rig?.close();
});
beforeEach(async () => {
  await junction.clearFaults();
  await junction.clearRequests();
});

let eraIndex = 0;
/** A start date earlier than every previous test's (see the file's comment). */
function nextEra(): Date {
  eraIndex++;
  return new Date(Date.UTC(2040 - eraIndex, 0, 10, 9));
}

/** Stores webhooks the way the webhook function does, then lets the transaction function catch up. */
async function deliver(deliveries: readonly Delivery[]): Promise<void> {
  for (const delivery of deliveries) await rig.webhook(delivery);
  await rig.settle();
}

/** Junction knows every order of the flow at its newest state; the tracker gets only the webhooks `lost` does not name. */
async function seed(spec: FlowSpec, lost: (delivery: Delivery) => boolean = () => false) {
  const deliveries = buildDeliveries(spec);
  await junction.recordDeliveries(deliveries);
  const delivered = deliveries.filter((delivery) => !lost(delivery));
  await deliver(delivered);
  return { deliveries, delivered };
}

interface SweepRun extends CapturedSweep {
  /** Requests to Junction of the catch-up and the verification (the sync's are in syncRequests). */
  requests: string[];
  /** The continuous sync's requests (GET /v3/orders): each sweep with a key makes at least one. */
  syncRequests: string[];
}

/** One sweep through the Lambda factory, at `now`, with or without Junction; output captured, stream settled after. */
async function sweep(now: number, api: JunctionApi | null, notifier: InMemoryNotifier, reconcile?: ReconcileSettings, db: TableClient = rig.table.db): Promise<SweepRun> {
  const setup = { db, tableName: rig.table.tableName, thresholds: DEFAULT_THRESHOLDS, notifier, junction: api, ...(reconcile ? { reconcile } : {}) };
  // Never the key, whichever client the sweep had.
  const run = await sweepCaptured(setup, now, { junction, settle: () => rig.settle(), never: [junction.apiKey] });
  const isSync = (url: string) => url.startsWith('/v3/orders?');
  return { ...run, requests: run.requests.filter((url) => !isSync(url)), syncRequests: run.requests.filter(isSync) };
}

const about = (notifier: InMemoryNotifier, orderId: string) => notifier.notifications.filter((notification) => notification.order_id === orderId);

async function stored(orderId: string) {
  const order = await rig.order(orderId);
  if (!order) throw new Error('order not stored');
  return order;
}

/** The event id of a flow's last step (buildDeliveries numbers events from 1000, one per step). */
function lastEventId(spec: FlowSpec): number {
  return (spec.firstEventId ?? 1000) + spec.steps.length - 1;
}

function redrawIds() {
  return { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
}

describe('verify before flagging', () => {
  it('repairs a lost webhook instead of flagging: the redraw moved on at Junction', async () => {
    const ids = redrawIds();
    const base = redrawFlow(ids, 'in_progress', nextEra());
    // Three days between steps; the redraw's last step (appointment_scheduled) never reaches the tracker.
    const spec = { ...base, stepMinutes: 3 * 24 * 60, steps: [...base.steps, { order: 1, low: 'appointment_scheduled' }] };
    const { deliveries } = await seed(spec, (delivery) => delivery.eventId === lastEventId(spec));
    const lostEvent = deliveries.at(-1)!;
    const before = await stored(ids.redrawId);
    expect(before.record.low_level_status).toBe('requisition_created');
    const now = instantMillis(before.record.status_time) + 7 * DAY + HOUR; // stale by what the tracker knows

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, api, notifier);

    expect(about(notifier, ids.redrawId)).toEqual([]);
    expect(run.result).toMatchObject({ flagged: 0, reconciled: 1 });
    expect(run.metric(RECONCILE_METRICS.reconciled)).toBe(1);
    expect(run.requests).toEqual([`/v3/order/${ids.redrawId}`]);
    const after = await stored(ids.redrawId);
    expect(after.record).toMatchObject({ source: 'api', low_level_status: 'appointment_scheduled', last_event: { id: lostEvent.eventId } });
    expect(after.stale).toBeNull();
    expect(after.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
    // The transaction function took the API's state from the stream, like a webhook's.
    expect((await rig.transaction(ids.transactionId))?.members[ids.redrawId]).toMatchObject({ source: 'api', low_level_status: 'appointment_scheduled' });
  });

  it('does not flag redraw_not_created when the redraw order exists at Junction; it joins as a listing member', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', nextEra());
    // None of the redraw order's webhooks reach the tracker.
    await seed(spec, (delivery) => delivery.orderId === ids.redrawId);
    const initial = await stored(ids.initialId);
    expect(initial.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    const now = instantMillis(initial.record.status_time) + 2 * DAY;

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, api, notifier);

    expect(about(notifier, ids.initialId)).toEqual([]);
    expect(run.result).toMatchObject({ flagged: 0, reconciled: 0 }); // the initial order was up to date; a joined member is not counted
    expect(run.requests).toEqual(expect.arrayContaining([`/v3/order/${ids.initialId}`, `/v3/order_transaction/${ids.transactionId}`]));
    const transaction = await rig.transaction(ids.transactionId);
    expect(transaction?.members[ids.redrawId]).toMatchObject({ source: 'transaction_listing', origin: 'redraw', low_level_status: 'requisition_created' });
    expect((await stored(ids.redrawId)).record).toMatchObject({ source: 'transaction_listing', last_event: null });
    expect((await stored(ids.initialId)).openRedraw).toBeNull();

    // Known only from a listing, the redraw order is behind: the next sweep reads it from the API (catch-up).
    const next = await sweep(now + HOUR, api, notifier);
    expect(next.requests).toEqual([`/v3/order/${ids.redrawId}`]);
    expect(next.result.reconciled).toBe(1);
    expect((await stored(ids.redrawId)).record).toMatchObject({ source: 'api', low_level_status: 'requisition_created' });
    expect((await rig.transaction(ids.transactionId))?.behind_status_time).toBeNull();
  });

  it('still flags a real stale redraw, once, with one notification', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', nextEra());
    await seed(spec);
    const now = instantMillis((await stored(ids.redrawId)).record.status_time) + 8 * DAY;

    const notifier = createInMemoryNotifier();
    const first = await sweep(now, api, notifier);
    expect(first.result).toMatchObject({ flagged: 1, reconciled: 0 });
    expect(first.requests).toEqual([`/v3/order/${ids.redrawId}`]);
    expect(about(notifier, ids.redrawId)).toMatchObject([{ reason: 'no_progress', since: canonicalFromDate(new Date(now)) }]);
    expect((await stored(ids.redrawId)).record.source).toBe('webhook'); // the API read was a duplicate: source unchanged

    const second = await sweep(now + HOUR, api, notifier);
    expect(second.result).toMatchObject({ flagged: 0, reconciled: 0 });
    expect(about(notifier, ids.redrawId)).toHaveLength(1);
    expect((await stored(ids.redrawId)).stale).toEqual({ since: canonicalFromDate(new Date(now)), reason: 'no_progress' });
  });

  it('verifies a candidate Junction holds as stored without writing the order (no refused write): the flag, its notification and the follow-up\'s copy of the flag are the only writes', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', nextEra());
    await seed(spec);
    const now = instantMillis((await stored(ids.redrawId)).record.status_time) + 8 * DAY;
    const proxy = await startDynamoDbProxy(localEndpoint());
    try {
      const notifier = createInMemoryNotifier();
      const run = await sweep(now, api, notifier, undefined, localTable(proxy.endpoint));
      expect(run.result).toMatchObject({ flagged: 1, reconciled: 0 });
      expect(run.requests).toEqual([`/v3/order/${ids.redrawId}`]);
      // The flag, the notification's claim and its mark, the follow-up's alerted marker (its chat buttons may
      // act, issue 45 item 5), then the removal of the flag's marker once sent, and last the follow-up's copy
      // of the flag (the console's queues, CONTRACT §12): one conditional PutItem each on the follow-up.
      // Writes about this flow's orders and transaction (earlier tests' orders share the table).
      const aboutFlow = (body: Record<string, unknown>) => [ids.initialId, ids.redrawId, ids.transactionId].some((id) => JSON.stringify(body).includes(id));
      const partitionOf = (body: Record<string, unknown>) => ((body.Key ?? body.Item) as { pk?: { S?: string } } | undefined)?.pk?.S ?? '';
      // The record of the initial order's wanted results (CONTRACT §9 `missing`) is the results step's, not the verification's.
      const ofResults = (body: Record<string, unknown>) => partitionOf(body).startsWith(keys.resultsWanted('').pk);
      const writes = proxy.requests.filter((request) => ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'].includes(request.operation) && aboutFlow(request.body) && !ofResults(request.body));
      expect(writes.map((request) => `${request.operation} ${partitionOf(request.body)}`)).toEqual([
        `UpdateItem ORDER#${ids.redrawId}`,
        `PutItem ${claimKey(CLAIM_SCOPES.notification, alertClaimKey(ids.redrawId, canonicalFromDate(new Date(now)))).pk}`,
        `UpdateItem ${claimKey(CLAIM_SCOPES.notification, alertClaimKey(ids.redrawId, canonicalFromDate(new Date(now)))).pk}`,
        `PutItem FOLLOWUP#${ids.transactionId}`,
        `UpdateItem ORDER#${ids.redrawId}`,
        `PutItem FOLLOWUP#${ids.transactionId}`,
      ]);
      expect(about(notifier, ids.redrawId)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('degrade, never break', () => {
  it('flags by §4 when Junction is down, and counts and logs the failure without PHI', async () => {
    const ids = redrawIds();
    const spec = redrawFlow(ids, 'in_progress', nextEra());
    await seed(spec, (delivery) => delivery.orderId === ids.redrawId); // Junction knows the redraw, but cannot say so
    const now = instantMillis((await stored(ids.initialId)).record.status_time) + 2 * DAY;
    await junction.injectFault({ kind: 'status', status: 503, times: 'always' });

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, api, notifier);
    expect(about(notifier, ids.initialId)).toMatchObject([{ reason: 'redraw_not_created' }]);
    expect(run.result).toMatchObject({ flagged: 1, reconciled: 0 });
    expect(run.metric(RECONCILE_METRICS.failures)).toBeGreaterThanOrEqual(1);
    expect(run.metric(RECONCILE_METRICS.unavailable)).toBe(run.metric(RECONCILE_METRICS.failures));
    const failures = run.lines.filter((line) => line.includes('junction read failed'));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const line of failures) {
      expect(JSON.parse(line)).toMatchObject({ level: 'WARN', kind: 'unavailable' });
      expect(line).not.toContain(PHI_CANARY);
    }
  });

  it('flags by §4 when Junction answers garbage full of PHI, which reaches no log line and no item', async () => {
    const ids = redrawIds();
    await seed(redrawFlow(ids, 'in_progress', nextEra()), (delivery) => delivery.orderId === ids.redrawId);
    const now = instantMillis((await stored(ids.initialId)).record.status_time) + 2 * DAY;
    await junction.injectFault({ kind: 'not_an_order', endpoint: 'order' });
    await junction.injectFault({ kind: 'malformed_json', endpoint: 'order_transaction' });

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, api, notifier);
    expect(run.requests).toEqual([`/v3/order/${ids.initialId}`, `/v3/order_transaction/${ids.transactionId}`]);
    expect(about(notifier, ids.initialId)).toMatchObject([{ reason: 'redraw_not_created' }]);
    expect(run.metric(RECONCILE_METRICS.invalidAnswers)).toBe(2);
    expect(run.lines.filter((line) => line.includes('junction read failed')).map((line) => JSON.parse(line))).toMatchObject([
      { order_id: ids.initialId, kind: 'invalid_answer' },
      { transaction_id: ids.transactionId, kind: 'invalid_answer' },
    ]);
    expect(run.lines.join('\n')).not.toContain(PHI_CANARY);
    const { Items } = await rig.table.doc.send(new ScanCommand({ TableName: rig.table.tableName }));
    expect(JSON.stringify(Items)).not.toContain(PHI_CANARY);
  });

  it('treats a rejected key as a configuration error: logged by name, exactly one request, flags by §4', async () => {
    const ids = redrawIds();
    await seed(redrawFlow(ids, 'in_progress', nextEra()), (delivery) => delivery.orderId === ids.redrawId);
    const now = instantMillis((await stored(ids.initialId)).record.status_time) + 2 * DAY;
    const wrongKey = 'sk_us_revoked_0123456789abcdef';
    const rejected = createJunctionClient({ baseUrl: junction.url, apiKey: wrongKey, backoffMs: 1 });

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, rejected, notifier);
    // The sync's first page is the sweep's first request, and its only one: no request loop.
    expect([...run.syncRequests, ...run.requests]).toHaveLength(1);
    expect(run.syncRequests).toHaveLength(1);
    expect(run.result.synced).toBe(0);
    expect(run.lines.join('\n')).not.toContain(wrongKey);
    expect(about(notifier, ids.initialId)).toMatchObject([{ reason: 'redraw_not_created' }]);
    expect(run.metric(RECONCILE_METRICS.unauthorized)).toBe(1);
    const errors = run.lines.filter((line) => line.includes(API_KEY_REJECTED));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 'ERROR', error: API_KEY_REJECTED });
  });

  it('makes no request at all without an API key, and answers as before with reconciled 0', async () => {
    const ids = redrawIds();
    await seed(redrawFlow(ids, 'in_progress', nextEra()), (delivery) => delivery.orderId === ids.redrawId);
    const now = instantMillis((await stored(ids.initialId)).record.status_time) + 2 * DAY;

    const notifier = createInMemoryNotifier();
    const run = await sweep(now, null, notifier);
    expect(run.requests).toEqual([]);
    expect(run.syncRequests).toEqual([]);
    expect(Object.keys(run.result).sort()).toEqual(['cleared', 'examined', 'flagged', 'reconciled', 'skipped', 'synced']);
    expect(run.result).toMatchObject({ flagged: 1, reconciled: 0, synced: 0 });
    expect(about(notifier, ids.initialId)).toMatchObject([{ reason: 'redraw_not_created' }]);
    expect(run.metric(RECONCILE_METRICS.reconciled)).toBeUndefined();
    expect(run.metric(SWEEP_METRICS.flagged)).toBe(1);
  });
});

describe('catch-up on lost webhooks', () => {
  /** Two orders of one transaction; B's second webhook is lost, and A's next one lists B at that newer state. */
  function twoOrders(start: Date): { spec: FlowSpec; a: string; b: string; transactionId: string } {
    const [a, b, transactionId] = [freshId(), freshId(), freshId()];
    return {
      a,
      b,
      transactionId,
      spec: {
        transactionId,
        orders: [
          { id: a, origin: 'initial', method: 'walk_in_test' },
          { id: b, origin: 'recreation', method: 'walk_in_test', parentId: a },
        ],
        steps: [
          { order: 0, low: 'ordered' },
          { order: 1, low: 'ordered' },
          { order: 1, low: 'requisition_created' }, // lost
          { order: 0, low: 'requisition_created' },
        ],
        start,
        stepMinutes: 60,
      },
    };
  }
  const lostStep = (delivery: Delivery, b: string) => delivery.orderId === b && delivery.eventType === 'labtest.order.updated';

  it('reads a member behind its listing for longer than RECONCILE_AFTER_MINUTES, and not sooner', async () => {
    const flow = twoOrders(nextEra());
    await seed(flow.spec, (delivery) => lostStep(delivery, flow.b));
    const listedAt = flow.spec.start.getTime() + 2 * HOUR; // the lost step's time, as A's listing shows it
    const transaction = await rig.transaction(flow.transactionId);
    expect(transaction?.members[flow.b]).toMatchObject({ source: 'webhook', low_level_status: 'ordered' });
    expect(transaction?.behind_status_time).toBe(canonicalFromDate(new Date(listedAt)));
    const notifier = createInMemoryNotifier();
    const settings = { afterMinutes: 60, maxPerSweep: 100 };

    const early = await sweep(listedAt + 60 * MINUTE, api, notifier, settings); // exactly 60 minutes: not yet
    expect(early.requests).toEqual([]);
    expect(early.result.reconciled).toBe(0);

    const due = await sweep(listedAt + 61 * MINUTE, api, notifier, settings);
    expect(due.requests).toEqual([`/v3/order/${flow.b}`]);
    expect(due.result.reconciled).toBe(1);
    expect(due.metric(RECONCILE_METRICS.behind)).toBe(1);
    expect((await stored(flow.b)).record).toMatchObject({ source: 'api', low_level_status: 'requisition_created' });
    const repaired = await rig.transaction(flow.transactionId);
    expect(repaired?.members[flow.b]).toMatchObject({ source: 'api', low_level_status: 'requisition_created' });
    expect(repaired?.behind_status_time).toBeNull();

    const after = await sweep(listedAt + 2 * HOUR, api, notifier, settings);
    expect(after.requests).toEqual([]);
  });

  it('keeps behind transactions out of GET /redraws and the open-redraws counts', async () => {
    const flow = twoOrders(nextEra());
    await seed(flow.spec, (delivery) => lostStep(delivery, flow.b));
    expect((await rig.transaction(flow.transactionId))?.behind_status_time).not.toBeNull();
    const query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: createLogger(SERVICES.query) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await query({
        routeKey: '$default',
        rawPath: '/redraws',
        requestContext: { http: { method: 'GET' } },
        queryStringParameters: { state: 'open', limit: '100', ...(cursor ? { cursor } : {}) },
      });
      expect(response.statusCode).toBe(200);
      const page = z.object({ items: z.array(z.object({ id: z.string() })), next_cursor: z.string().nullable() }).parse(JSON.parse(response.body));
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen.length).toBeGreaterThan(0); // the other tests' open redraws
    expect(seen).not.toContain(flow.transactionId);
    const counts = await countOpenRedraws(rig.table.db, rig.table.tableName);
    expect(Object.keys(counts).sort()).toEqual(Object.values(OPEN_REDRAW_PARTITIONS).sort());
  });

  it('backs off a member Junction keeps answering with an old state: read, paused 1 h, then 2 h; counted apart from failures', async () => {
    const flow = twoOrders(nextEra());
    const deliveries = buildDeliveries(flow.spec);
    // Junction's API lags behind its own listing: it still answers B's first state.
    await junction.recordDeliveries(deliveries.filter((delivery) => !lostStep(delivery, flow.b)));
    await deliver(deliveries.filter((delivery) => !lostStep(delivery, flow.b)));
    const behindSince = (await rig.transaction(flow.transactionId))?.behind_status_time;
    expect(behindSince).not.toBeNull();
    const notifier = createInMemoryNotifier();
    const first = instantMillis(behindSince!) + 2 * HOUR;

    const read1 = await sweep(first, api, notifier);
    expect(read1.requests).toEqual([`/v3/order/${flow.b}`]);
    expect(read1.result.reconciled).toBe(0);
    expect(read1.metric(RECONCILE_METRICS.notImproved)).toBe(1);
    expect(read1.metric(RECONCILE_METRICS.failures)).toBe(0);
    expect((await rig.transaction(flow.transactionId))?.behind_status_time).toBe(behindSince);

    expect((await sweep(first + HOUR, api, notifier)).requests).toEqual([]);
    const read2 = await sweep(first + HOUR + MINUTE, api, notifier);
    expect(read2.requests).toEqual([`/v3/order/${flow.b}`]);
    expect((await sweep(first + 3 * HOUR, api, notifier)).requests).toEqual([]);
    expect((await sweep(first + 3 * HOUR + 2 * MINUTE, api, notifier)).requests).toEqual([`/v3/order/${flow.b}`]);

    // Once Junction has the newer state, the next due read repairs it.
    await junction.recordDeliveries(deliveries);
    const repaired = await sweep(first + 8 * HOUR, api, notifier);
    expect(repaired.requests).toEqual([`/v3/order/${flow.b}`]);
    expect(repaired.result.reconciled).toBe(1);
    expect((await rig.transaction(flow.transactionId))?.behind_status_time).toBeNull();
  });

  it('does not starve: with more stuck members than RECONCILE_MAX_PER_SWEEP, a newer behind member is caught up within two sweeps', async () => {
    const start = nextEra();
    const maxPerSweep = 3;
    // Stuck: Junction's API lags its listing for good (it answers their older state).
    const stuck = [0, 1, 2, 3, 4].map((i) => twoOrders(new Date(start.getTime() + i * HOUR)));
    for (const flow of stuck) {
      const deliveries = buildDeliveries(flow.spec);
      await junction.recordDeliveries(deliveries.filter((delivery) => !lostStep(delivery, flow.b)));
      await deliver(deliveries.filter((delivery) => !lostStep(delivery, flow.b)));
    }
    // Newer, and repairable: Junction has its member's newer state.
    const newer = twoOrders(new Date(start.getTime() + 2 * DAY));
    await seed(newer.spec, (delivery) => lostStep(delivery, newer.b));
    const notifier = createInMemoryNotifier();
    const now = start.getTime() + 5 * DAY;

    const first = await sweep(now, api, notifier, { afterMinutes: 60, maxPerSweep });
    expect(first.requests).toHaveLength(maxPerSweep);
    expect(first.requests).not.toContain(`/v3/order/${newer.b}`);
    const second = await sweep(now + HOUR, api, notifier, { afterMinutes: 60, maxPerSweep });
    expect(second.requests).toContain(`/v3/order/${newer.b}`);
    expect(second.result.reconciled).toBeGreaterThanOrEqual(1);
    expect((await rig.transaction(newer.transactionId))?.behind_status_time).toBeNull();
    // Each stuck member was read once in those two sweeps (none twice while paused), and none counted as a failure.
    const reads = [...first.requests, ...second.requests];
    for (const flow of stuck) expect(reads.filter((url) => url === `/v3/order/${flow.b}`)).toHaveLength(1);
    expect((first.metric(RECONCILE_METRICS.notImproved) ?? 0) + (second.metric(RECONCILE_METRICS.notImproved) ?? 0)).toBe(stuck.length);
    expect(first.metric(RECONCILE_METRICS.failures)).toBe(0);
    expect(second.metric(RECONCILE_METRICS.failures)).toBe(0);
  });

  it('reads at most RECONCILE_MAX_PER_SWEEP members per sweep, the longest behind first', async () => {
    const start = nextEra();
    const flows = [0, 1, 2].map((i) => twoOrders(new Date(start.getTime() + i * DAY)));
    for (const flow of flows) await seed(flow.spec, (delivery) => lostStep(delivery, flow.b));
    const notifier = createInMemoryNotifier();
    const now = start.getTime() + 10 * DAY;

    const first = await sweep(now, api, notifier, { afterMinutes: 60, maxPerSweep: 2 });
    expect(first.requests).toEqual(expect.arrayContaining([`/v3/order/${flows[0]!.b}`, `/v3/order/${flows[1]!.b}`]));
    expect(first.requests).toHaveLength(2);
    expect(first.result.reconciled).toBe(2);

    const second = await sweep(now + HOUR, api, notifier, { afterMinutes: 60, maxPerSweep: 2 });
    expect(second.requests).toEqual([`/v3/order/${flows[2]!.b}`]);
  });
});

describe('PHI', () => {
  it('never lets a canary from an API answer reach an item, a log line, a metric or an answer', async () => {
    const ids = redrawIds();
    const base = redrawFlow(ids, 'in_progress', nextEra());
    const spec = { ...base, stepMinutes: 3 * 24 * 60, steps: [...base.steps, { order: 1, low: 'appointment_scheduled' }] };
    await seed(spec, (delivery) => delivery.eventId === lastEventId(spec));
    const now = instantMillis((await stored(ids.redrawId)).record.status_time) + 8 * DAY;
    const notifier = createInMemoryNotifier(createLogger(SERVICES.staleRedrawSweep));

    const run = await sweep(now, api, notifier);
    expect(run.result.reconciled).toBeGreaterThanOrEqual(1);
    expect(run.lines.length).toBeGreaterThan(0);
    expect(run.lines.join('\n')).not.toContain(PHI_CANARY);
    expect(JSON.stringify(run.result)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(notifier.notifications)).not.toContain(PHI_CANARY);
    const { Items } = await rig.table.doc.send(new ScanCommand({ TableName: rig.table.tableName }));
    expect(Items?.length).toBeGreaterThan(0);
    expect(JSON.stringify(Items)).not.toContain(PHI_CANARY);
  });
});
