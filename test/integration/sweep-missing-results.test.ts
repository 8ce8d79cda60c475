/**
 * Missing results' counts (CONTRACT §9 `missing`: markers and failure types) on
 * DynamoDB Local, the path a user takes: a failed test kit's webhooks stored by
 * the webhook's write path, the transaction function fed by the table's real
 * stream (it opens the `no_redraw` follow-up and records that the order's
 * results are wanted), the sweep's Lambda factory with the real Powertools logger
 * and metrics (captured) reading Junction's results API over real HTTP from the
 * local stand-in, whose answers are full of PHI canaries.
 *
 * Each test has its own orders and its own clock (`now`), far apart, so the
 * records of one are not due in another's sweeps; the sweep's budget is what
 * each test sets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { attachMeter } from '../../bench/meter';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../functions/core/instant';
import { RESULTS_WANTED_FOR_MS } from '../../functions/core/missing-results';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import type { JunctionApi } from '../../functions/junction/api';
import { createJunctionClient } from '../../functions/junction/client';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { createQueryHandler } from '../../functions/query/app';
import { MISSING_RESULTS_METRICS, SERVICES } from '../../functions/shared/metric-names';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createSweepHandler } from '../../functions/stale-redraw-sweep/app';
import { DEFAULT_RECONCILE } from '../../functions/stale-redraw-sweep/config';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { markAttentionNotified } from '../../functions/store/follow-ups/tracker';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { keys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { localEndpoint } from '../support/dynamodb';
import { createInMemoryPublisher, type InMemoryPublisher } from '../../functions/transaction-status/publisher';
import { startJunctionStandin, type JunctionStandin, type StandinFault } from '../../local/junction-standin';
import { standinMissingTypes } from '../../local/junction-standin/results';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type Delivery, type FlowSpec } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { captureOutput, emfValues } from '../support/webhook';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let rig: TransactionRig;
let standin: JunctionStandin;
let publisher: InMemoryPublisher;
/** The transaction function's clock: when results are first wanted. */
let streamNow = 0;
/** Writes of results-wanted records the table refuses next (throttled). */
let refuseRecordPuts = 0;
/** Every log line of the sweeps, for the PHI check. */
const allLines: string[] = [];

beforeAll(async () => {
  publisher = createInMemoryPublisher();
  rig = await startTransactionRig('missing-results', {
    publisher,
    now: () => streamNow,
    // Throttles the next `refuseRecordPuts` writes of a results-wanted record (the fault test).
    fault: (operation, body) => {
      if (operation !== 'PutItem' || refuseRecordPuts <= 0 || !JSON.stringify(body).includes(`"${keys.resultsWanted('').pk}`)) return null;
      refuseRecordPuts--;
      return { kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException', message: 'throttled' };
    },
  });
  standin = await startJunctionStandin();
});
afterAll(async () => {
  await standin?.close();
  await rig?.close();
});
beforeEach(async () => {
  await standin.clearFaults();
  await standin.clearRequests();
});
afterEach(async () => {
  await standin.clearFaults();
});

let era = 0;
/** A clock far from every other test's (a day of retries fits between two). */
function nextEra(): number {
  era++;
  return Date.UTC(2031, 0, 1) + era * 10 * 24 * HOUR;
}

/** A lone test kit that ends `failed.testkit.sample_error` (a `no_redraw` follow-up whose `missing` names it), or one in a transaction. */
function failedKit(transactionId: string | null = null): { orderId: string; spec: FlowSpec } {
  const orderId = freshId();
  const path = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'];
  return { orderId, spec: { transactionId, orders: [{ id: orderId, origin: 'initial', method: 'testkit' }], steps: path.map((low) => ({ order: 0, low })), start: new Date('2026-03-02T09:00:00Z') } };
}

/** Junction knows the order; the tracker gets every webhook (at `at`, the transaction function's clock). */
async function seed(spec: FlowSpec, at: number): Promise<Delivery[]> {
  streamNow = at;
  const deliveries = buildDeliveries(spec);
  await standin.recordDeliveries(deliveries);
  for (const delivery of deliveries) await rig.webhook(delivery);
  await rig.settle();
  return deliveries;
}

/** The client as the sweep gets it: short waits, a short timeout (the hang test). */
function client(): JunctionApi {
  return createJunctionClient({ baseUrl: standin.url, apiKey: standin.apiKey, backoffMs: 1, timeoutMs: 500 });
}

interface SweepRun {
  lines: string[];
  metric(name: string): number | undefined;
  /** Requests to the results route in this sweep. */
  resultsRequests: string[];
}

/** One sweep through the Lambda factory at `now`; output captured, stream settled after. */
async function sweep(now: number, junction: JunctionApi | null | (() => Promise<JunctionApi | null>), resultsMaxPerSweep = 100, db: TableClient = rig.table.db): Promise<SweepRun> {
  await standin.clearRequests();
  const handler = createSweepHandler({
    db,
    tableName: rig.table.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    notifier: createInMemoryNotifier(),
    logger: createLogger(SERVICES.staleRedrawSweep),
    metrics: createMetrics(SERVICES.staleRedrawSweep),
    clock: () => new Date(now),
    junction,
    reconcile: { ...DEFAULT_RECONCILE, resultsMaxPerSweep },
    // The sync reads only the last hour: the other tests' orders are not its business here.
    sync: { lookbackHours: 1, maxSeconds: 5 },
  });
  const output = captureOutput();
  try {
    await handler();
  } finally {
    output.restore();
  }
  const lines = output.lines();
  allLines.push(...lines);
  await rig.settle();
  const metrics = emfValues(lines);
  const resultsRequests = (await standin.requests()).filter((request) => request.endpoint === 'results').map((request) => request.url);
  return { lines, metric: (name) => metrics.get(name), resultsRequests };
}

async function followUp(id: string) {
  const stored = await getFollowUp(rig.table.db, rig.table.tableName, id, new Date(0));
  if (stored === null) throw new Error(`no follow-up ${id}`);
  return stored;
}

async function wantedRecord(orderId: string) {
  return rig.table.db.get({ TableName: rig.table.tableName, Key: keys.resultsWanted(orderId), ConsistentRead: true });
}

/** The counts the stand-in's answer gives for the order (in that status). */
function expectedCounts(orderId: string, lowLevelStatus: string | null = null): { markers: number; failure_types: Record<string, number> } {
  const types = standinMissingTypes(orderId, lowLevelStatus);
  const failureTypes: Record<string, number> = {};
  for (const type of types) failureTypes[type] = (failureTypes[type] ?? 0) + 1;
  return { markers: types.length, failure_types: failureTypes };
}

describe('missing results from Junction’s results API', () => {
  it('writes markers and failure types onto the follow-up after one sweep, as no version, and keeps the causing order’s counts', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    const opened = await followUp(kit.orderId);
    expect(opened.followUp.attention).toBe('no_redraw');
    expect(opened.followUp.missing).toMatchObject({ order_id: kit.orderId, markers: null, failure_types: null });
    expect(await wantedRecord(kit.orderId)).toMatchObject({ order_id: kit.orderId, follow_up_id: kit.orderId, attempts: 0 });
    const eventsBefore = publisher.events.length;

    const run = await sweep(t0 + MINUTE, client());
    expect(run.resultsRequests).toEqual([`/v3/order/${kit.orderId}/result`]);
    const counted = await followUp(kit.orderId);
    expect(counted.followUp.missing).toEqual({ ...opened.followUp.missing, ...expectedCounts(kit.orderId) });
    expect(counted.causingResults).toEqual({ order_id: kit.orderId, ...expectedCounts(kit.orderId) });
    // Not a version: no history entry, so no follow_up.changed.
    expect(counted.followUp.version).toBe(opened.followUp.version);
    expect(publisher.events.slice(eventsBefore).filter((event) => event.type === 'follow_up.changed')).toEqual([]);
    expect(run.metric(MISSING_RESULTS_METRICS.read)).toBe(1);
    expect(await wantedRecord(kit.orderId)).toBeUndefined();

    // Read once: the next sweep asks nothing.
    expect((await sweep(t0 + 2 * HOUR, client())).resultsRequests).toEqual([]);
  });

  it('counts the initial order’s missing results of a redraw_available follow-up', async () => {
    const t0 = nextEra();
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    await seed(redrawFlow(ids, 'in_progress'), t0);
    const opened = await followUp(ids.transactionId);
    expect(opened.followUp.missing).toMatchObject({ order_id: ids.initialId, markers: null });
    const run = await sweep(t0 + MINUTE, client());
    expect(run.resultsRequests).toEqual([`/v3/order/${ids.initialId}/result`]);
    expect((await followUp(ids.transactionId)).followUp.missing).toMatchObject({ order_id: ids.initialId, ...expectedCounts(ids.initialId) });
  });

  it('counts an incomplete redraw’s own missing results once missing moves to it, and keeps the initial order’s as the causing ones', async () => {
    const t0 = nextEra();
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    // The redraw order completes with results still missing (results_still_missing).
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed')).map((delivery) => {
      const data = structuredClone(delivery.body.data) as Record<string, unknown> & { last_event: { status: string } };
      if (delivery.orderId === ids.redrawId && data.last_event.status.endsWith('.completed')) data.has_missing_results = true;
      return { ...delivery, body: { ...delivery.body, data } };
    });
    const last = deliveries.at(-1)!;
    streamNow = t0;
    await standin.recordDeliveries(deliveries.slice(0, -1));
    for (const delivery of deliveries.slice(0, -1)) await rig.webhook(delivery);
    await rig.settle();
    expect((await sweep(t0 + MINUTE, client())).resultsRequests).toEqual([`/v3/order/${ids.initialId}/result`]);

    await standin.recordDeliveries(deliveries);
    await rig.webhook(last);
    await rig.settle();
    const incomplete = await followUp(ids.transactionId);
    expect(incomplete.followUp.attention).toBe('results_still_missing');
    expect(incomplete.followUp.missing).toMatchObject({ order_id: ids.redrawId, markers: null });
    expect((await sweep(t0 + 2 * MINUTE, client())).resultsRequests).toEqual([`/v3/order/${ids.redrawId}/result`]);
    const counted = await followUp(ids.transactionId);
    expect(counted.followUp.missing).toMatchObject({ order_id: ids.redrawId, ...expectedCounts(ids.redrawId) });
    expect(counted.causingResults).toEqual({ order_id: ids.initialId, ...expectedCounts(ids.initialId) });
  });

  it('loses no wanted results when the record’s write fails: the stream record is reported and retried', async () => {
    // The real clock: the stream's records are not old enough to be parked (parked work does not carry wanted results).
    const t0 = Date.now();
    const kit = failedKit();
    refuseRecordPuts = 2;
    const batchesBefore = rig.batches.length;
    await seed(kit.spec, t0);
    expect(refuseRecordPuts).toBe(0);
    expect(rig.batches.slice(batchesBefore).some((batch) => batch.response.batchItemFailures.length > 0)).toBe(true);
    expect(await wantedRecord(kit.orderId)).toMatchObject({ order_id: kit.orderId, attempts: 0 });
    expect((await sweep(t0 + MINUTE, client())).resultsRequests).toEqual([`/v3/order/${kit.orderId}/result`]);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));
  });

  it('fills a closed follow-up’s missing too', async () => {
    const t0 = nextEra();
    const transactionId = freshId();
    const kit = failedKit(transactionId);
    await seed(kit.spec, t0);
    // A transaction's follow-up has the transaction's id.
    const closed = await actOnFollowUp(rig.table.db, rig.table.tableName, {
      id: transactionId,
      body: { action: 'close', disposition: 'clinician_accepted_partial_results' },
      actor: 'coordinator@example.org',
      now: new Date(t0),
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(closed.kind).toBe('changed');
    await rig.settle();

    const run = await sweep(t0 + MINUTE, client());
    expect(run.resultsRequests).toHaveLength(1);
    const stored = await followUp(transactionId);
    expect(stored.followUp.state).toBe('closed');
    expect(stored.followUp.missing).toMatchObject({ order_id: kit.orderId, ...expectedCounts(kit.orderId) });
  });

  it.each<[string, StandinFault]>([
    ['down (503)', { kind: 'status', status: 503, endpoint: 'results', times: 'always' }],
    ['hanging past the client’s timeout', { kind: 'delay', delayMs: 2_000, endpoint: 'results', times: 'always' }],
    ['answering garbage', { kind: 'malformed_json', endpoint: 'results', times: 'always' }],
    ['answering a body that is no LabResultsRaw', { kind: 'not_an_order', endpoint: 'results', times: 'always' }],
  ])('writes nothing while Junction is %s, reads again at the next sweep, then by backoff, and gives up a day after, counted', async (_name, fault) => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    await standin.injectFault(fault);

    const first = await sweep(t0 + MINUTE, client());
    expect(first.resultsRequests.length).toBeGreaterThanOrEqual(1);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject({ markers: null, failure_types: null });
    expect(await wantedRecord(kit.orderId)).toMatchObject({ attempts: 1 });
    expect(first.metric(MISSING_RESULTS_METRICS.retried)).toBe(1);
    expect(first.metric(MISSING_RESULTS_METRICS.givenUp)).toBe(0);

    // The second attempt at the next sweep, however soon (CONTRACT §9): a person who sweeps after Junction recovers sees the counts.
    expect((await sweep(t0 + 2 * MINUTE, client())).resultsRequests.length).toBeGreaterThanOrEqual(1);
    expect(await wantedRecord(kit.orderId)).toMatchObject({ attempts: 2 });
    // The third not before 15 minutes after the second: no request; then due.
    expect((await sweep(t0 + 10 * MINUTE, client())).resultsRequests).toEqual([]);
    expect((await sweep(t0 + 18 * MINUTE, client())).resultsRequests.length).toBeGreaterThanOrEqual(1);
    expect(await wantedRecord(kit.orderId)).toMatchObject({ attempts: 3 });

    // A day after the results were first wanted: the last read fails too, given up, counted.
    const last = await sweep(t0 + RESULTS_WANTED_FOR_MS + MINUTE, client());
    expect(last.resultsRequests.length).toBeGreaterThanOrEqual(1);
    expect(last.metric(MISSING_RESULTS_METRICS.givenUp)).toBe(1);
    expect(await wantedRecord(kit.orderId)).toBeUndefined();
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject({ markers: null, failure_types: null });
    expect((await sweep(t0 + RESULTS_WANTED_FOR_MS + 5 * HOUR, client())).resultsRequests).toEqual([]);
  });

  it('reads the counts at the next sweep once Junction recovers, however soon after the failed read', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    await standin.injectFault({ kind: 'status', status: 503, endpoint: 'results', times: 'always' });
    expect((await sweep(t0 + MINUTE, client())).resultsRequests.length).toBeGreaterThanOrEqual(1);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject({ markers: null, failure_types: null });
    await standin.clearFaults();
    const next = await sweep(t0 + 2 * MINUTE, client());
    expect(next.resultsRequests).toHaveLength(1);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));
    expect(await wantedRecord(kit.orderId)).toBeUndefined();
  });

  it('reads the counts again when missing changes: a corrected result with fewer missing replaces the first counts (CONTRACT §9)', async () => {
    const t0 = nextEra();
    // A walk-in at a lab without redraws, completed with results missing, then corrected with one of them: a lone order.
    let orderId = freshId();
    while (standinMissingTypes(orderId).length < 2) orderId = freshId();
    const path = ['ordered', 'requisition_created', 'appointment_scheduled', 'completed', 'corrected'];
    const spec: FlowSpec = { transactionId: null, orders: [{ id: orderId, origin: null, method: 'walk_in_test' }], steps: path.map((low) => ({ order: 0, low })), start: new Date('2026-03-02T09:00:00Z') };
    const deliveries = buildDeliveries(spec).map((delivery) => ({ ...delivery, body: { ...delivery.body, data: { ...(delivery.body.data as Record<string, unknown>), has_missing_results: true } } }));
    const deliver = async (some: Delivery[], at: number) => {
      streamNow = at;
      await standin.recordDeliveries(some);
      for (const delivery of some) await rig.webhook(delivery);
      await rig.settle();
    };
    await deliver(deliveries.slice(0, 4), t0);
    expect((await followUp(orderId)).followUp.missing).toMatchObject({ status: 'completed', markers: null });
    await sweep(t0 + MINUTE, client());
    expect((await followUp(orderId)).followUp.missing).toMatchObject({ status: 'completed', ...expectedCounts(orderId) });
    expect(await wantedRecord(orderId)).toBeUndefined();

    // The correction: another state of missing, its counts unknown until read again; then the fewer counts.
    await deliver(deliveries.slice(4), t0 + HOUR);
    expect((await followUp(orderId)).followUp.missing).toMatchObject({ status: 'corrected', markers: null, failure_types: null });
    expect(await wantedRecord(orderId)).toMatchObject({ follow_up_id: orderId, attempts: 0, missing_status: 'corrected' });
    const again = await sweep(t0 + HOUR + MINUTE, client());
    expect(again.resultsRequests).toHaveLength(1);
    const corrected = expectedCounts(orderId, 'corrected');
    expect(corrected.markers).toBe(standinMissingTypes(orderId).length - 1);
    expect((await followUp(orderId)).followUp.missing).toMatchObject({ status: 'corrected', ...corrected });
    // The same state delivered again wants nothing more.
    await deliver(deliveries.slice(4), t0 + 2 * HOUR);
    expect(await wantedRecord(orderId)).toBeUndefined();
  });

  it('honours a 429’s Retry-After longer than the client waits: one request, the next read only after it, then the counts', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    await standin.injectFault({ kind: 'status', status: 429, retryAfter: '7200', endpoint: 'results' });

    const first = await sweep(t0 + MINUTE, client());
    expect(first.resultsRequests).toHaveLength(1);
    expect(await wantedRecord(kit.orderId)).toMatchObject({ attempts: 1, next_attempt_at: canonicalFromDate(new Date(t0 + MINUTE + 2 * HOUR)) });
    // At the next sweep, but before the Retry-After: nothing asked.
    expect((await sweep(t0 + HOUR, client())).resultsRequests).toEqual([]);
    const after = await sweep(t0 + 2 * HOUR + 2 * MINUTE, client());
    expect(after.resultsRequests).toHaveLength(1);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));
  });

  it.each([422, 404, 400])('leaves the counts null after a %i, with exactly one request, never read again', async (status) => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    await standin.injectFault({ kind: 'status', status, endpoint: 'results', times: 'always' });

    const run = await sweep(t0 + MINUTE, client());
    expect(run.resultsRequests).toHaveLength(1);
    expect(await wantedRecord(kit.orderId)).toBeUndefined();
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject({ markers: null, failure_types: null });
    expect((await sweep(t0 + 2 * HOUR, client())).resultsRequests).toEqual([]);
  });

  it('makes no request at all without a key: the counts stay null, the record is dropped', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    const run = await sweep(t0 + MINUTE, null);
    expect(await standin.requests()).toEqual([]);
    expect(run.resultsRequests).toEqual([]);
    expect(await wantedRecord(kit.orderId)).toBeUndefined();
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject({ markers: null, failure_types: null });
  });

  it('keeps the records while the key cannot be read, and reads them once it can', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    const run = await sweep(t0 + MINUTE, () => Promise.reject(new Error('secret unreadable')));
    expect(run.resultsRequests).toEqual([]);
    expect(await wantedRecord(kit.orderId)).toMatchObject({ attempts: 0 });
    expect((await sweep(t0 + 2 * MINUTE, client())).resultsRequests).toHaveLength(1);
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));
  });

  it('reads at most MISSING_RESULTS_MAX_PER_SWEEP orders per sweep, the rest in the next', async () => {
    const t0 = nextEra();
    const kits = [failedKit(), failedKit(), failedKit()];
    for (const kit of kits) await seed(kit.spec, t0);

    const first = await sweep(t0 + MINUTE, client(), 2);
    expect(first.resultsRequests).toHaveLength(2);
    const second = await sweep(t0 + 2 * MINUTE, client(), 2);
    expect(second.resultsRequests).toHaveLength(1);
    expect(new Set([...first.resultsRequests, ...second.resultsRequests])).toEqual(new Set(kits.map((kit) => `/v3/order/${kit.orderId}/result`)));
    for (const kit of kits) expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));
  });

  it('lets none of the stand-in’s PHI canaries reach an item, a log line, a metric, an event or an API answer', async () => {
    const t0 = nextEra();
    const kit = failedKit();
    await seed(kit.spec, t0);
    // The answer the sweep reads is full of canaries.
    const answer = await (await fetch(`${standin.url}/v3/order/${kit.orderId}/result`, { headers: { 'x-vital-api-key': standin.apiKey } })).text();
    expect(answer).toContain(`${PHI_CANARY}-missing-name-0-${kit.orderId}`);
    expect(answer).toContain(`${PHI_CANARY}-missing-loinc-0-${kit.orderId}`);
    await sweep(t0 + MINUTE, client());
    expect((await followUp(kit.orderId)).followUp.missing).toMatchObject(expectedCounts(kit.orderId));

    const { Items } = await rig.table.doc.send(new ScanCommand({ TableName: rig.table.tableName }));
    expect(Items?.length).toBeGreaterThan(0);
    expect(JSON.stringify(Items)).not.toContain(PHI_CANARY);
    expect(allLines.length).toBeGreaterThan(0);
    expect(allLines.join('\n')).not.toContain(PHI_CANARY);
    expect(JSON.stringify(publisher.events)).not.toContain(PHI_CANARY);
    const query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: createLogger(SERVICES.query) });
    const response = await query({ routeKey: 'GET /follow-ups/{follow_up_id}', rawPath: '/x', requestContext: { http: { method: 'GET' } }, pathParameters: { follow_up_id: kit.orderId } });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ follow_up: { missing: { order_id: kit.orderId, ...expectedCounts(kit.orderId) } } });
    expect(response.body).not.toContain(PHI_CANARY);
  });

  it('costs a sweep at most 2 read units and 5 write units per order read: the record, the follow-up read and put, the record deleted', async () => {
    const t0 = nextEra();
    const dynamodb = new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
    const meter = attachMeter(dynamodb);
    const db = documentTable(documentClientOf(dynamodb));
    try {
      // Baseline: a sweep with no record due (the results step's one Query of the index included).
      await sweep(t0, client(), 100, db);
      meter.reset();
      await sweep(t0 + 1, client(), 100, db);
      const idle = meter.reading();
      const kits = [failedKit(), failedKit(), failedKit()];
      for (const kit of kits) await seed(kit.spec, t0);
      // Their no_redraw notices (4 RU + 6 WU each, measured in sweep-follow-up-cost) are not this step's: marked sent.
      for (const kit of kits) expect(await markAttentionNotified(rig.table.db, rig.table.tableName, await followUp(kit.orderId), canonicalFromDate(new Date(t0)))).toBe('written');
      meter.reset();
      await sweep(t0 + MINUTE, client(), 100, db);
      const busy = meter.reading();
      const perOrder = { read: (busy.read - idle.read) / kits.length, write: (busy.write - idle.write) / kits.length, index: (busy.index - idle.index) / kits.length };
      // Figures for the engineering notes: printed, and bounded here.
      process.stdout.write(`missing results cost per order read: ${JSON.stringify(perOrder)}; idle sweep ${JSON.stringify({ read: idle.read, write: idle.write })}; commands ${JSON.stringify(busy.byCommand)}\n`);
      // The record by key (0.5), the follow-up strongly consistent (1); the follow-up's put and the record's delete.
      expect(perOrder.read).toBeLessThanOrEqual(2);
      expect(perOrder.write).toBeLessThanOrEqual(5);
      expect(busy.refusedWrites).toBe(0);
    } finally {
      meter.detach();
      dynamodb.destroy();
    }
  });
});
