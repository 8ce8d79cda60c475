/**
 * The FHIR writer and the sweep's catch-up meeting what real FHIR servers and
 * the gateways in front of them answer (CONTRACT §13, issue 69 items 3 and 4),
 * through the real code: the writer's handler fed stream records, the catch-up
 * step and runSweep, DynamoDB Local, the stand-in FHIR server, and a
 * misbehaving server of the test's own in front of it (test/support/fhir-misbehaving.ts).
 *
 * Only 400, 422 and several Tasks are refusals: a redirect (never followed),
 * an HTML page, an empty or huge answer, a 404/405/408/413 leave the pending
 * record, and a sweep brings the Task current once the server is back. A Task
 * deleted in the EHR waits for a person. A throttle is never dead-lettered. One
 * bad pending record never holds up the rest, and the sweep's other steps run
 * whatever the FHIR step met. A change from A to B and back to A is never
 * missed. Every FHIR record expires with its follow-up. Only writes that matter
 * carry the marker. The EHR's own elements survive the tracker's writes.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS, fhirViewOf } from '../../functions/core/fhir-task';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/http';
import { digestOf } from '../../functions/fhir-sync/source';
import { createFhirWriterHandler } from '../../functions/fhir-writer/app';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import type { SweepContext } from '../../functions/stale-redraw-sweep/steps/context';
import { fhirCatchUpStep } from '../../functions/stale-redraw-sweep/steps/fhir';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping, writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { readConfirmation } from '../../functions/store/fhir-records';
import { fhirKeys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startMisbehavingServer, type MisbehavingServer, type RawAnswer } from '../support/fhir-misbehaving';
import { followUpBatch } from '../support/fhir-stream';
import { freshId } from '../support/junction';

const systems = DEFAULT_FHIR_SYSTEMS;
const START = new Date('2026-11-27T00:00:00.000Z');
let shared: TestTable;
let own: TestTable;
let standin: FhirStandin;
let proxy: MisbehavingServer;
/** The misbehaving server's base URL: every writer and sweep here talks to it (it forwards what it does not script). */
let base: string;
let clock = START;

beforeAll(async () => {
  [shared, own, standin] = await Promise.all([createTestTable('fhir-answers'), createTestTable('fhir-answers-own'), startFhirStandin({ now: () => clock })]);
  proxy = await startMisbehavingServer(standin.origin);
  base = `${proxy.origin}/fhir/R4`;
});
afterAll(async () => {
  await Promise.all([shared?.drop(), own?.drop(), standin?.stop(), proxy?.stop()]);
});
beforeEach(async () => {
  clock = START;
  proxy.clear();
  proxy.seen.length = 0;
  await standin.control.reset();
});

const logs: unknown[][] = [];
const logger = { debug: () => undefined, info: () => undefined, warn: (...args: unknown[]) => void logs.push(args), error: (...args: unknown[]) => void logs.push(args) };
function recordingMetrics() {
  const counts = new Map<string, number>();
  return { counts, addMetric: (name: string, _unit: unknown, value: number) => void counts.set(name, (counts.get(name) ?? 0) + value), publishStoredMetrics: () => undefined };
}
const http = () => createFhirHttp({ baseUrl: base, tokens: null, timeoutMs: 2_000 });
const context = (left = 60_000) => ({ getRemainingTimeInMillis: () => left });

function writer(options: { db?: TableClient; table?: TestTable; pause?: (ms: number) => Promise<void> } = {}) {
  const table = options.table ?? shared;
  const metrics = recordingMetrics();
  const handle = createFhirWriterHandler({
    db: options.db ?? table.db,
    tableName: table.tableName,
    http: http(),
    systems,
    baseUrl: base,
    logger,
    metrics,
    now: () => clock,
    ...(options.pause ? { pause: options.pause } : {}),
  });
  return { handle, metrics };
}

async function sweep(table: TestTable = shared) {
  const metrics = recordingMetrics();
  const ctx = { db: table.db, tableName: table.tableName, now: clock, logger, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
  const result = await fhirCatchUpStep(ctx, { http: http(), systems, baseUrl: base, perSweep: 50 }, metrics);
  return { result, metrics };
}

async function openOne(table: TestTable = shared): Promise<StoredFollowUp> {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: clock.toISOString() });
  const stored: Omit<StoredFollowUp, 'revision'> = { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, clock)], clock)).toBe('written');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

async function act(id: string, body: Record<string, unknown>, table: TestTable = shared): Promise<StoredFollowUp> {
  const result = await actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: clock, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

/** The tracker's own change (no new version): the order flagged stale (`flag`) or the flag cleared, as the sweep writes it. */
async function trackerChange(stored: StoredFollowUp, flag: boolean, table: TestTable = shared): Promise<StoredFollowUp> {
  const staleFlag = flag ? { since: clock.toISOString(), reason: 'no_progress', orderId: stored.followUp.initial_order_id!, statusTime: clock.toISOString() } : null;
  const next = { ...stored, revision: stored.revision + 1, staleFlag } as StoredFollowUp;
  await table.db.put({ TableName: table.tableName, Item: itemOf(next, true) });
  return next;
}

async function tasksOf(id: string) {
  return (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
}
async function rawItem(key: Record<string, unknown>, table: TestTable = shared): Promise<Record<string, unknown> | undefined> {
  return table.db.get({ TableName: table.tableName, Key: key, ConsistentRead: true });
}
async function pendingItems(id: string, table: TestTable = shared): Promise<Record<string, unknown>[]> {
  const page = await table.db.query({
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': fhirKeys.pending('', '').pk },
  });
  return page.Items.filter((item) => item.fid === id);
}
async function expectCurrent(id: string, table: TestTable = shared) {
  const current = (await getFollowUp(table.db, table.tableName, id, clock))!;
  const tasks = await tasksOf(id);
  expect(tasks).toHaveLength(1);
  expect(contentDigest(tasks[0] as never, systems)).toBe(digestOf(current, systems));
  expect(await pendingItems(id, table)).toEqual([]);
}
/** The reason the writer or the catch-up logged for follow-up `id`'s unavailable answer, and its status. */
function unavailableLogged(id: string): { reason: unknown; status: unknown } | undefined {
  const entry = logs.map((args) => args[1] as Record<string, unknown> | undefined).findLast((fields) => fields?.follow_up_id === id && 'reason' in fields);
  if (entry) return { reason: entry.reason, status: entry.status };
  // A search's 404 is logged apart (base_url_not_found), with its status.
  const notFound = logs.find((args) => String(args[0]).includes('answered 404') && (args[1] as Record<string, unknown>)?.follow_up_id === id);
  return notFound ? { reason: 'base_url_not_found', status: (notFound[1] as Record<string, unknown>).status } : undefined;
}

const html = (status: number, extra: Record<string, string> = {}): RawAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', ...extra },
  body: '<!doctype html><html><body><h1>Sign in to continue</h1></body></html>',
});
const outcome = (status: number, code: string): RawAnswer => ({
  status,
  headers: { 'content-type': 'application/fhir+json' },
  body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: 'scripted' }] }),
});

describe('only a final answer is a refusal: every other answer leaves the Task pending, and a sweep brings it current (CONTRACT §13)', () => {
  it('a search answered with a redirect, an HTML page, nothing, a huge body, 404, 405, 408, 413 or a 5xx page: unavailable with its reason, never a POST, never refused', async () => {
    const cases: { answer: RawAnswer; reason: string; status?: null }[] = [
      { answer: { status: 302, headers: { location: proxy.loginUrl } }, reason: 'redirect' },
      { answer: { ...html(301, { location: proxy.loginUrl }) }, reason: 'redirect' },
      { answer: { status: 307, headers: { location: `${proxy.loginUrl}?next=Task` }, body: '' }, reason: 'redirect' },
      { answer: html(200), reason: 'unreadable' },
      { answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: '' }, reason: 'unreadable' },
      { answer: outcome(200, 'informational'), reason: 'unreadable' },
      // Cut at 5 MiB: no answer was read (no status).
      { answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, bytes: 5 * 1024 * 1024 + 65_536 }, reason: 'too_large', status: null },
      { answer: outcome(404, 'not-found'), reason: 'base_url_not_found' },
      { answer: { status: 404 }, reason: 'base_url_not_found' },
      { answer: outcome(405, 'not-supported'), reason: 'not_allowed' },
      { answer: { status: 408 }, reason: 'timeout' },
      { answer: html(413), reason: 'unexpected_status' },
      { answer: html(502), reason: 'server' },
    ];
    const opened: StoredFollowUp[] = [];
    const totals = recordingMetrics().counts;
    for (const { answer } of cases) {
      const one = await openOne();
      opened.push(one);
      proxy.script({ method: 'GET', path: new RegExp(`^/fhir/R4/Task\\?identifier=.*${one.followUp.id}$`), answer });
      const { handle, metrics } = writer();
      // Not a throttle: the batch is retried (then the dead-letter queue), and the sweep sends it meanwhile.
      expect(await handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [{ itemIdentifier: '1000' }] });
      for (const [name, value] of metrics.counts) totals.set(name, (totals.get(name) ?? 0) + value);
    }
    cases.forEach(({ answer, reason, status }, index) => {
      expect({ case: index, ...unavailableLogged(opened[index]!.followUp.id) }).toEqual({ case: index, reason, status: status === null ? null : answer.status });
    });
    expect(totals.get(FHIR_METRICS.unavailable)).toBe(cases.length);
    expect(totals.get(FHIR_METRICS.baseUrlNotFound)).toBe(2);
    expect(totals.get(FHIR_METRICS.refused)).toBeUndefined();
    // Nothing was written, the login page was never asked for, and every follow-up is still pending.
    expect(proxy.seen.filter((request) => request.method !== 'GET' || request.path === '/login')).toEqual([]);
    expect(await standin.control.tasks()).toEqual([]);
    for (const one of opened) {
      expect(await pendingItems(one.followUp.id)).toHaveLength(1);
      expect((await readConfirmation(shared.db, shared.tableName, one.followUp.id, base, true))?.refusedDigest ?? null).toBeNull();
    }
    // The server is back: one sweep brings every Task current.
    proxy.clear();
    await sweep();
    for (const one of opened) await expectCurrent(one.followUp.id);
  });

  it('a create answered with a redirect to a login page, an HTML or OperationOutcome 201, 404, 405, 408 or 413: never taken as a stored Task, never refused, sent once the server is back', async () => {
    const cases: { answer: RawAnswer; reason: string }[] = [
      { answer: { status: 302, headers: { location: proxy.loginUrl } }, reason: 'redirect' },
      { answer: { status: 303, headers: { location: proxy.loginUrl, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Task', id: 'login', status: 'ready', intent: 'order' }) }, reason: 'redirect' },
      { answer: html(201), reason: 'unreadable' },
      { answer: outcome(201, 'informational'), reason: 'unreadable' },
      // A 200 to a conditional create says another writer created it, but a gateway's page says nothing: one POST, not a loop.
      { answer: html(200), reason: 'unreadable' },
      { answer: outcome(404, 'not-found'), reason: 'not_found' },
      { answer: { status: 405 }, reason: 'not_allowed' },
      { answer: outcome(408, 'timeout'), reason: 'timeout' },
      { answer: { status: 413, body: '' }, reason: 'unexpected_status' },
    ];
    const opened: StoredFollowUp[] = [];
    for (const { answer } of cases) {
      const one = await openOne();
      opened.push(one);
      proxy.script({ method: 'POST', path: /^\/fhir\/R4\/Task$/, answer, times: 1 });
      const { handle, metrics } = writer();
      expect((await handle(followUpBatch(one), context())).batchItemFailures).toHaveLength(1);
      expect(metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
      expect(metrics.counts.get(FHIR_METRICS.refused)).toBeUndefined();
      // No confirmation of a Task the server never stored (the redirect's body is not one).
      expect((await readConfirmation(shared.db, shared.tableName, one.followUp.id, base, true))?.taskId ?? null).toBeNull();
    }
    cases.forEach(({ reason }, index) => expect(unavailableLogged(opened[index]!.followUp.id)?.reason).toBe(reason));
    expect(proxy.seen.filter((request) => request.path === '/login')).toEqual([]);
    expect(proxy.seen.filter((request) => request.method === 'POST')).toHaveLength(cases.length);
    expect(await standin.control.tasks()).toEqual([]);
    await sweep();
    for (const one of opened) await expectCurrent(one.followUp.id);
  });
});

describe('an update answered with what is not a Task (CONTRACT §13)', () => {
  it('a PUT answered with a redirect, an HTML 200, a JSON 200 that is not a Task, 405 or 413 leaves the Task pending, never refused; the sweep then sends it', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const cases: { answer: RawAnswer; reason: string }[] = [
      { answer: { status: 302, headers: { location: proxy.loginUrl } }, reason: 'redirect' },
      { answer: html(200), reason: 'unreadable' },
      { answer: outcome(200, 'informational'), reason: 'unreadable' },
      { answer: outcome(405, 'not-supported'), reason: 'not_allowed' },
      { answer: html(413), reason: 'unexpected_status' },
    ];
    const bodies = [
      { action: 'acknowledge', owner: 'j.doe' },
      { action: 'record_contact', channel: 'phone', outcome: 'no_answer' },
      { action: 'assign', owner: 'a.smith' },
      { action: 'record_contact', channel: 'sms', outcome: 'reached' },
      { action: 'assign', owner: 'j.doe' },
    ];
    for (const [index, { answer, reason }] of cases.entries()) {
      proxy.script({ method: 'PUT', path: /^\/fhir\/R4\/Task\/[^/?]+$/, answer, times: 1 });
      const acted = await act(one.followUp.id, bodies[index]!);
      const { handle, metrics } = writer();
      logs.length = 0;
      expect((await handle(followUpBatch(acted), context())).batchItemFailures).toHaveLength(1);
      expect({ index, reason: unavailableLogged(one.followUp.id)?.reason }).toEqual({ index, reason });
      expect(metrics.counts.get(FHIR_METRICS.refused)).toBeUndefined();
      expect(await pendingItems(one.followUp.id)).toHaveLength(1);
    }
    expect(proxy.seen.filter((request) => request.path === '/login')).toEqual([]);
    await sweep();
    await expectCurrent(one.followUp.id);
  });
});

describe('a Task deleted in the EHR (CONTRACT §13)', () => {
  it('is not created again by a tracker change (deleted_in_ehr, counted), and is after a person acts on the follow-up', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    await expectCurrent(one.followUp.id);
    const [task] = await tasksOf(one.followUp.id);
    // Deleted in the EHR: the search finds nothing for the identifier, and a read by its id answers 404.
    await standin.control.editTask(task!.id!, { identifier: [{ system: 'urn:ehr:archive', value: 'gone' }] });
    proxy.script({ method: 'GET', path: new RegExp(`^/fhir/R4/Task/${task!.id}$`), answer: outcome(404, 'not-found') });
    proxy.seen.length = 0;
    const flagged = await trackerChange(one, true);
    const first = writer();
    expect(await first.handle(followUpBatch(flagged), context())).toEqual({ batchItemFailures: [] });
    expect(proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await tasksOf(one.followUp.id)).toEqual([]);
    expect(first.metrics.counts.get(FHIR_METRICS.deletedInEhr)).toBe(1);
    const view = () => readConfirmation(shared.db, shared.tableName, one.followUp.id, base, true);
    expect(fhirViewOf(await view(), digestOf(flagged, systems), base)?.state).toBe('deleted_in_ehr');
    expect(await pendingItems(one.followUp.id)).toEqual([]);
    // The tracker's next changes (the flag cleared: the content last confirmed, nothing to send; flagged again):
    // still not created, and the Task not even read by id again.
    const cleared = await trackerChange(flagged, false);
    await writer().handle(followUpBatch(cleared), context());
    const reflagged = await trackerChange(cleared, true);
    const second = writer();
    await second.handle(followUpBatch(reflagged), context());
    expect(second.metrics.counts.get(FHIR_METRICS.deletedInEhr)).toBe(1);
    expect(fhirViewOf(await view(), digestOf(reflagged, systems), base)?.state).toBe('deleted_in_ehr');
    expect(proxy.seen.filter((request) => request.path === `/fhir/R4/Task/${task!.id}`)).toHaveLength(1);
    expect(proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await tasksOf(one.followUp.id)).toEqual([]);
    // A person's action: the Task is created again.
    const acted = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    await writer().handle(followUpBatch(acted), context());
    await expectCurrent(one.followUp.id);
    expect(fhirViewOf(await view(), digestOf(acted, systems), base)?.state).toBe('current');
  });
});

describe('a throttle is never dead-lettered (CONTRACT §13)', () => {
  it('a Retry-After that fits the time left is waited for and sent again; one that does not, or none, leaves the Task to the sweep without a batch failure', async () => {
    const pauses: number[] = [];
    const pause = async (ms: number) => void pauses.push(ms);
    const one = await openOne();
    await standin.control.injectFault({ kind: 'status', status: 429, retryAfter: 2, endpoint: 'search', times: 1 });
    expect(await writer({ pause }).handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [] });
    expect(pauses).toEqual([2_000]);
    await expectCurrent(one.followUp.id);

    const [two, three] = [await openOne(), await openOne()];
    await standin.control.injectFault({ kind: 'status', status: 503, retryAfter: 3_600, times: 'always' });
    const late = writer({ pause });
    expect(await late.handle(followUpBatch(two), context())).toEqual({ batchItemFailures: [] });
    expect(late.metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
    await standin.control.clearFaults();
    await standin.control.injectFault({ kind: 'status', status: 429, times: 'always' });
    expect(await writer({ pause }).handle(followUpBatch(three), context())).toEqual({ batchItemFailures: [] });
    expect(pauses).toEqual([2_000]);
    expect(await pendingItems(two.followUp.id)).toHaveLength(1);
    expect(await pendingItems(three.followUp.id)).toHaveLength(1);
    await standin.control.clearFaults();
    await sweep();
    await expectCurrent(two.followUp.id);
    await expectCurrent(three.followUp.id);
  });
});

describe('one bad pending record never holds up the rest; the sweep\'s other steps run whatever the FHIR step met (CONTRACT §13)', () => {
  it('runSweep with the FHIR step failing as a whole (DynamoDB under it) still builds the report units, and counts FhirCatchUpFailed', async () => {
    const one = await openOne(own);
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    await writer({ table: own }).handle(followUpBatch(one), context());
    await standin.control.clearFaults();
    const order: string[] = [];
    const failing: TableClient = {
      ...own.db,
      query: async (input) => {
        const pk = String(input.ExpressionAttributeValues?.[':pk'] ?? '');
        order.push(pk);
        if (pk === fhirKeys.pending('', '').pk) throw Object.assign(new Error('Throughput exceeds the current capacity of your table or index.'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
        return own.db.query(input);
      },
    };
    const metrics = recordingMetrics();
    await runSweep({
      db: failing,
      tableName: own.tableName,
      now: clock,
      thresholds: DEFAULT_THRESHOLDS,
      notifier: createInMemoryNotifier(),
      logger,
      metrics,
      fhir: { http: http(), systems, baseUrl: base, perSweep: 50 },
      wallClock: () => clock.getTime(),
    });
    expect(metrics.counts.get(FHIR_METRICS.catchUpFailed)).toBe(1);
    const failedAt = order.indexOf(fhirKeys.pending('', '').pk);
    expect(failedAt).toBeGreaterThanOrEqual(0);
    // The report units' step ran after it (it reads its marks' partitions).
    expect(order.slice(failedAt + 1).some((pk) => pk.includes('unit-'))).toBe(true);
    expect(await pendingItems(one.followUp.id, own)).toHaveLength(1);
  });

  it('three records that keep failing (a 500, a Task id `..`, a 403 for that Task alone) first in the partition: within a few sweeps the later ones are current, and the bad ones are tried again after their backoff', async () => {
    // The bad ones opened first, in this order: their pending records sort before the healthy ones'.
    const bad: StoredFollowUp[] = [];
    for (const hoursBefore of [3, 2, 1]) {
      clock = new Date(START.getTime() - hoursBefore * 3_600_000);
      bad.push(await openOne(own));
    }
    clock = START;
    const healthy = [await openOne(own), await openOne(own), await openOne(own)];
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    await writer({ table: own }).handle(followUpBatch(...bad, ...healthy), context());
    await standin.control.clearFaults();
    const search = (id: string) => new RegExp(`^/fhir/R4/Task\\?identifier=.*${id}$`);
    proxy.script({ method: 'GET', path: search(bad[0]!.followUp.id), answer: html(500) });
    const dotDot = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Task', id: '..', meta: { versionId: '1' }, status: 'ready', intent: 'order', identifier: [{ system: systems.task, value: bad[1]!.followUp.id }] } }] };
    proxy.script({ method: 'GET', path: search(bad[1]!.followUp.id), answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(dotDot) } });
    proxy.script({ method: 'GET', path: search(bad[2]!.followUp.id), answer: outcome(403, 'forbidden') });
    let sweeps = 0;
    for (; sweeps < 8; sweeps++) {
      clock = new Date(clock.getTime() + 60_000);
      await sweep(own);
      if ((await Promise.all(healthy.map((one) => pendingItems(one.followUp.id, own)))).every((items) => items.length === 0)) break;
    }
    expect(sweeps).toBeLessThan(8);
    for (const one of healthy) await expectCurrent(one.followUp.id, own);
    // The bad ones wait behind the rest, each with its next try to come.
    for (const one of bad) {
      const [item] = await pendingItems(one.followUp.id, own);
      expect(String(item?.sk)).toMatch(/^~/);
    }
    // Not tried again before their backoff (an hour at least: the server took other Tasks in that run)...
    proxy.seen.length = 0;
    clock = new Date(clock.getTime() + 30 * 60_000);
    await sweep(own);
    expect(proxy.seen.filter((request) => bad.some((one) => request.path.includes(one.followUp.id)))).toEqual([]);
    // ...and sent once it has passed and the server answers them.
    proxy.clear();
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    await sweep(own);
    for (const one of bad) await expectCurrent(one.followUp.id, own);
  });
});

describe('a change from A to B and back to A is never missed (CONTRACT §13)', () => {
  it('an eventually consistent read of the confirmation still showing A does not hide the change back to A', async () => {
    const a = await openOne();
    await writer().handle(followUpBatch(a), context());
    await expectCurrent(a.followUp.id);
    const confirmedA = await rawItem(fhirKeys.confirmation(a.followUp.id));
    const b = await trackerChange(a, true);
    await writer().handle(followUpBatch(b), context());
    await expectCurrent(a.followUp.id);
    const backToA = await trackerChange(b, false);
    expect(digestOf(backToA, systems)).toBe(digestOf(a, systems));
    // The table, whose eventually consistent read of the confirmation still answers A's (a replica behind): DynamoDB Local cannot be asked for one.
    const lagging: TableClient = {
      ...shared.db,
      get: async (input) => {
        if (String(input.Key?.pk).startsWith(fhirKeys.confirmation('').pk) && input.ConsistentRead !== true) return structuredClone(confirmedA);
        return shared.db.get(input);
      },
    };
    const { handle, metrics } = writer({ db: lagging });
    await handle(followUpBatch(backToA), context());
    expect(metrics.counts.get(FHIR_METRICS.written)).toBe(1);
    await expectCurrent(a.followUp.id);
    expect(contentDigest((await tasksOf(a.followUp.id))[0] as never, systems)).toBe(digestOf(a, systems));
  });
});

describe('every FHIR record expires with its follow-up (CONTRACT §13)', () => {
  it('the confirmation and the pending record follow the expiry when it is set, moved and cleared', async () => {
    const ttl = 'expires_at';
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    expect((await rawItem(fhirKeys.confirmation(one.followUp.id)))?.[ttl]).toBeUndefined();
    const bookkeeping = async (from: StoredFollowUp, expiresAt: number | null) => {
      const { revision: _revision, ...rest } = from;
      expect(await writeBookkeeping(shared.db, shared.tableName, from, { ...rest, expiresAt }, { knownFrom: null, now: clock })).toBe('written');
      return (await getFollowUp(shared.db, shared.tableName, from.followUp.id, clock))!;
    };
    const confirmationTtl = async () => (await rawItem(fhirKeys.confirmation(one.followUp.id)))?.[ttl];
    const pendingTtls = async () => (await pendingItems(one.followUp.id)).map((item) => item[ttl]);
    // Set on a follow-up whose Task is current: the confirmation follows, and the server is not asked.
    const expiry = Math.floor(START.getTime() / 1000) + 90 * 86_400;
    proxy.seen.length = 0;
    const set = await bookkeeping(one, expiry);
    await writer().handle(followUpBatch(set), context());
    expect(await confirmationTtl()).toBe(expiry);
    expect(proxy.seen).toEqual([]);
    // A person's change while the server is down: the pending record carries the expiry too.
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    const acted = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    expect(acted.expiresAt).toBe(expiry);
    await writer().handle(followUpBatch(acted), context());
    expect(await pendingTtls()).toEqual([expiry]);
    // Moved, then cleared: both follow.
    const moved = await bookkeeping(acted, expiry + 86_400);
    await writer().handle(followUpBatch(moved), context());
    expect(await confirmationTtl()).toBe(expiry + 86_400);
    expect(await pendingTtls()).toEqual([expiry + 86_400]);
    const cleared = await bookkeeping(moved, null);
    await writer().handle(followUpBatch(cleared), context());
    expect(await confirmationTtl()).toBeUndefined();
    expect(await pendingTtls()).toEqual([undefined]);
    // Back: the sweep confirms it, still kept.
    await standin.control.clearFaults();
    await sweep();
    await expectCurrent(one.followUp.id);
    expect(await confirmationTtl()).toBeUndefined();
  });
});

describe('only writes that matter reach the writer: the marker (CONTRACT §13)', () => {
  it('a bookkeeping write that changes neither the Task nor the expiry carries no marker, and the writer given it does nothing; a change that moves the Task carries it', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const followUpKey = { pk: itemOf(one).pk, sk: itemOf(one).sk };
    const { revision: _revision, ...rest } = one;
    expect(await writeBookkeeping(shared.db, shared.tableName, one, { ...rest, remindedAt: clock.toISOString() }, { knownFrom: null, now: clock })).toBe('written');
    const reminded = (await rawItem(followUpKey))!;
    expect(reminded.rev).toBe(one.revision + 1);
    expect(reminded).not.toHaveProperty('fx');
    // The writer given its stream record (npm start's reader has no filter): no request, no read.
    const reads: unknown[] = [];
    const counting: TableClient = { ...shared.db, get: async (input) => (reads.push(input), shared.db.get(input)), query: async (input) => (reads.push(input), shared.db.query(input)) };
    proxy.seen.length = 0;
    const record = { eventName: 'MODIFY' as const, dynamodb: { SequenceNumber: '2000', NewImage: marshall(reminded, { removeUndefinedValues: true }) as never } };
    expect(await writer({ db: counting }).handle({ Records: [record] }, context())).toEqual({ batchItemFailures: [] });
    expect(proxy.seen).toEqual([]);
    expect(reads).toEqual([]);
    // A person's action moves the Task: its write carries the marker.
    await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    expect((await rawItem(followUpKey))?.fx).toBe(1);
  });
});

describe('the EHR\'s own elements survive the tracker\'s writes (CONTRACT §13)', () => {
  it('a note, `for`, another system\'s identifier and a meta.tag added in the EHR are kept by every later write; a change to them alone starts no write', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const [task] = await tasksOf(one.followUp.id);
    const ehr = {
      note: [{ text: 'Left a voicemail, will try again tomorrow' }],
      for: { reference: 'Patient/ehr-123' },
      identifier: [...task!.identifier!, { system: 'urn:ehr:worklist-item', value: 'W-77' }],
      meta: { ...task!.meta, tag: [{ system: 'urn:ehr:tags', code: 'lab-callback' }] },
    };
    await standin.control.editTask(task!.id!, ehr as never);
    // A change to the EHR's elements alone: the tracker's next look at the Task writes nothing.
    await shared.db.put({ TableName: shared.tableName, Item: { ...fhirKeys.pending(one.followUp.opened_at, one.followUp.id), fid: one.followUp.id, op: one.followUp.opened_at, rev: one.revision, since: clock.toISOString(), tries: 0 } });
    proxy.seen.length = 0;
    const looked = await sweep();
    expect(looked.metrics.counts.get(FHIR_METRICS.unchanged)).toBe(1);
    expect(proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    // A person's actions, each written.
    const actions = [
      { action: 'acknowledge', owner: 'j.doe' },
      { action: 'record_contact', channel: 'phone', outcome: 'no_answer' },
      { action: 'assign', owner: 'a.smith' },
      { action: 'close', disposition: 'tested_elsewhere' },
    ];
    for (const body of actions) {
      clock = new Date(clock.getTime() + 3_600_000);
      const acted = await act(one.followUp.id, body);
      const { metrics } = await (async () => {
        const run = writer();
        await run.handle(followUpBatch(acted), context());
        return run;
      })();
      expect(metrics.counts.get(FHIR_METRICS.written)).toBe(1);
      await expectCurrent(one.followUp.id);
    }
    const written = (await standin.control.versions()).filter((version) => version.id === task!.id && version.by === 'api').slice(1);
    expect(written).toHaveLength(actions.length);
    for (const version of written) {
      expect(version.resource.note).toEqual(ehr.note);
      expect(version.resource.for).toEqual(ehr.for);
      expect(version.resource.identifier).toContainEqual({ system: 'urn:ehr:worklist-item', value: 'W-77' });
      expect(version.resource.meta?.tag).toEqual(ehr.meta.tag);
    }
    expect((await tasksOf(one.followUp.id))[0]!.status).toBe('completed');
  });
});
