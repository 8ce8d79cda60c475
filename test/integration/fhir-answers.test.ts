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
import { describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { digestOf } from '../../functions/fhir/sync/source';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import { readConfirmation } from '../../functions/store/fhir-records';
import { fhirKeys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import type { RawAnswer } from '../support/fhir-misbehaving';
import { followUpBatch } from '../support/fhir-stream';
import { context, FhirAnswerRig, html, outcome, START } from '../support/fhir-answers-rig';
import { recordingMetrics } from '../support/recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
const rig = new FhirAnswerRig();
const { http, writer, sweep, openOne, act, trackerChange, tasksOf, rawItem, pendingItems, expectCurrent, unavailableLogged } = rig;

describe('only a final answer is a refusal: every other answer leaves the Task pending, and a sweep brings it current (CONTRACT §13)', () => {
  it('a search answered with a redirect, an HTML page, nothing, a huge body, 400, 404, 405, 408, 413, 422 or a 5xx page: unavailable with its reason, never a POST, never refused', async () => {
    const cases: { answer: RawAnswer; reason: string; status?: null }[] = [
      { answer: { status: 302, headers: { location: rig.proxy.loginUrl } }, reason: 'redirect' },
      { answer: { ...html(301, { location: rig.proxy.loginUrl }) }, reason: 'redirect' },
      { answer: { status: 307, headers: { location: `${rig.proxy.loginUrl}?next=Task` }, body: '' }, reason: 'redirect' },
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
      // A search's 400 or 422 refuses no Task (a parameter the server took amiss): read again, never refused.
      { answer: outcome(400, 'invalid'), reason: 'unexpected_status' },
      { answer: outcome(422, 'processing'), reason: 'unexpected_status' },
      { answer: html(502), reason: 'server' },
    ];
    const opened: StoredFollowUp[] = [];
    const totals = recordingMetrics().counts;
    for (const { answer } of cases) {
      const one = await openOne();
      opened.push(one);
      rig.proxy.script({ method: 'GET', path: new RegExp(`^/fhir/R4/Task\\?identifier=.*${one.followUp.id}$`), answer });
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
    expect(rig.proxy.seen.filter((request) => request.method !== 'GET' || request.path === '/login')).toEqual([]);
    expect(await rig.standin.control.tasks()).toEqual([]);
    for (const one of opened) {
      expect(await pendingItems(one.followUp.id)).toHaveLength(1);
      expect((await readConfirmation(rig.shared.db, rig.shared.tableName, one.followUp.id, rig.base, true))?.refusedDigest ?? null).toBeNull();
    }
    // The server is back: one sweep brings every Task current.
    rig.proxy.clear();
    await sweep();
    for (const one of opened) await expectCurrent(one.followUp.id);
  });

  it('a create answered with a redirect to a login page, an HTML or OperationOutcome 201, 404, 405, 408 or 413: never taken as a stored Task, never refused, sent once the server is back', async () => {
    const cases: { answer: RawAnswer; reason: string }[] = [
      { answer: { status: 302, headers: { location: rig.proxy.loginUrl } }, reason: 'redirect' },
      { answer: { status: 303, headers: { location: rig.proxy.loginUrl, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Task', id: 'login', status: 'ready', intent: 'order' }) }, reason: 'redirect' },
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
      rig.proxy.script({ method: 'POST', path: /^\/fhir\/R4\/Task$/, answer, times: 1 });
      const { handle, metrics } = writer();
      expect((await handle(followUpBatch(one), context())).batchItemFailures).toHaveLength(1);
      expect(metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
      expect(metrics.counts.get(FHIR_METRICS.refused)).toBeUndefined();
      // No confirmation of a Task the server never stored (the redirect's body is not one).
      expect((await readConfirmation(rig.shared.db, rig.shared.tableName, one.followUp.id, rig.base, true))?.taskId ?? null).toBeNull();
    }
    cases.forEach(({ reason }, index) => expect(unavailableLogged(opened[index]!.followUp.id)?.reason).toBe(reason));
    expect(rig.proxy.seen.filter((request) => request.path === '/login')).toEqual([]);
    expect(rig.proxy.seen.filter((request) => request.method === 'POST')).toHaveLength(cases.length);
    expect(await rig.standin.control.tasks()).toEqual([]);
    await sweep();
    for (const one of opened) await expectCurrent(one.followUp.id);
  });
});

describe('an update answered with what is not a Task (CONTRACT §13)', () => {
  it('a PUT answered with a redirect, an HTML 200, a JSON 200 that is not a Task, 405 or 413 leaves the Task pending, never refused; the sweep then sends it', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const cases: { answer: RawAnswer; reason: string }[] = [
      { answer: { status: 302, headers: { location: rig.proxy.loginUrl } }, reason: 'redirect' },
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
      rig.proxy.script({ method: 'PUT', path: /^\/fhir\/R4\/Task\/[^/?]+$/, answer, times: 1 });
      const acted = await act(one.followUp.id, bodies[index]!);
      const { handle, metrics } = writer();
      rig.logs.length = 0;
      expect((await handle(followUpBatch(acted), context())).batchItemFailures).toHaveLength(1);
      expect({ index, reason: unavailableLogged(one.followUp.id)?.reason }).toEqual({ index, reason });
      expect(metrics.counts.get(FHIR_METRICS.refused)).toBeUndefined();
      expect(await pendingItems(one.followUp.id)).toHaveLength(1);
    }
    expect(rig.proxy.seen.filter((request) => request.path === '/login')).toEqual([]);
    await sweep();
    await expectCurrent(one.followUp.id);
  });
});

describe('a Task read without a versionId (CONTRACT §13)', () => {
  it('is updated by a conditional update on the identifier, never a blind PUT by its id; a server that offers none leaves it pending', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const [task] = await tasksOf(one.followUp.id);
    const { versionId: _versionId, ...meta } = task!.meta!;
    const search = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...task, meta } }] });
    rig.proxy.script({ method: 'GET', path: new RegExp(`^/fhir/R4/Task\\?identifier=.*${one.followUp.id}$`), answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: search }, times: 1 });
    rig.proxy.seen.length = 0;
    const flagged = await trackerChange(one, true);
    const { handle, metrics } = writer();
    expect((await handle(followUpBatch(flagged), context())).batchItemFailures).toHaveLength(1);
    // The stand-in offers no conditional update (405): not allowed, never refused, and the Task untouched.
    expect(rig.proxy.seen.filter((request) => request.method === 'PUT').map((request) => request.path)).toEqual([`/fhir/R4/Task?identifier=${encodeURIComponent(`${systems.task}|${one.followUp.id}`)}`]);
    expect(unavailableLogged(one.followUp.id)).toEqual({ reason: 'not_allowed', status: 405 });
    expect(metrics.counts.get(FHIR_METRICS.refused)).toBeUndefined();
    expect((await tasksOf(one.followUp.id))[0]!.meta!.versionId).toBe(task!.meta!.versionId);
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
    await rig.standin.control.editTask(task!.id!, { identifier: [{ system: 'urn:ehr:archive', value: 'gone' }] });
    rig.proxy.script({ method: 'GET', path: new RegExp(`^/fhir/R4/Task/${task!.id}$`), answer: outcome(404, 'not-found') });
    rig.proxy.seen.length = 0;
    const flagged = await trackerChange(one, true);
    const first = writer();
    expect(await first.handle(followUpBatch(flagged), context())).toEqual({ batchItemFailures: [] });
    expect(rig.proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await tasksOf(one.followUp.id)).toEqual([]);
    expect(first.metrics.counts.get(FHIR_METRICS.deletedInEhr)).toBe(1);
    const view = () => readConfirmation(rig.shared.db, rig.shared.tableName, one.followUp.id, rig.base, true);
    expect(fhirViewOf(await view(), digestOf(flagged, systems), rig.base)?.state).toBe('deleted_in_ehr');
    expect(await pendingItems(one.followUp.id)).toEqual([]);
    // The tracker's next changes (the flag cleared: the content last confirmed, nothing to send; flagged again):
    // still not created, and the Task not even read by id again.
    const cleared = await trackerChange(flagged, false);
    await writer().handle(followUpBatch(cleared), context());
    const reflagged = await trackerChange(cleared, true);
    const second = writer();
    await second.handle(followUpBatch(reflagged), context());
    expect(second.metrics.counts.get(FHIR_METRICS.deletedInEhr)).toBe(1);
    expect(fhirViewOf(await view(), digestOf(reflagged, systems), rig.base)?.state).toBe('deleted_in_ehr');
    expect(rig.proxy.seen.filter((request) => request.path === `/fhir/R4/Task/${task!.id}`)).toHaveLength(1);
    expect(rig.proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await tasksOf(one.followUp.id)).toEqual([]);
    // A person's action: the Task is created again.
    const acted = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    await writer().handle(followUpBatch(acted), context());
    await expectCurrent(one.followUp.id);
    expect(fhirViewOf(await view(), digestOf(acted, systems), rig.base)?.state).toBe('current');
  });
});

describe('a throttle is never dead-lettered (CONTRACT §13)', () => {
  it('a Retry-After that fits the time left is waited for and sent again; one that does not, or none, leaves the Task to the sweep without a batch failure', async () => {
    const pauses: number[] = [];
    const pause = async (ms: number) => void pauses.push(ms);
    const one = await openOne();
    await rig.standin.control.injectFault({ kind: 'status', status: 429, retryAfter: 2, endpoint: 'search', times: 1 });
    expect(await writer({ pause }).handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [] });
    expect(pauses).toEqual([2_000]);
    await expectCurrent(one.followUp.id);

    const [two, three] = [await openOne(), await openOne()];
    await rig.standin.control.injectFault({ kind: 'status', status: 503, retryAfter: 3_600, times: 'always' });
    const late = writer({ pause });
    expect(await late.handle(followUpBatch(two), context())).toEqual({ batchItemFailures: [] });
    expect(late.metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
    await rig.standin.control.clearFaults();
    await rig.standin.control.injectFault({ kind: 'status', status: 429, times: 'always' });
    expect(await writer({ pause }).handle(followUpBatch(three), context())).toEqual({ batchItemFailures: [] });
    expect(pauses).toEqual([2_000]);
    expect(await pendingItems(two.followUp.id)).toHaveLength(1);
    expect(await pendingItems(three.followUp.id)).toHaveLength(1);
    await rig.standin.control.clearFaults();
    await sweep();
    await expectCurrent(two.followUp.id);
    await expectCurrent(three.followUp.id);
  });
});

describe('one bad pending record never holds up the rest; the sweep\'s other steps run whatever the FHIR step met (CONTRACT §13)', () => {
  it('runSweep with the FHIR step failing as a whole (DynamoDB under it) still builds the report units, and counts FhirCatchUpFailed', async () => {
    const one = await openOne(rig.own);
    await rig.standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    await writer({ table: rig.own }).handle(followUpBatch(one), context());
    await rig.standin.control.clearFaults();
    const order: string[] = [];
    const failing: TableClient = {
      ...rig.own.db,
      query: async (input) => {
        const pk = String(input.ExpressionAttributeValues?.[':pk'] ?? '');
        order.push(pk);
        if (pk === fhirKeys.pending('', '').pk) throw Object.assign(new Error('Throughput exceeds the current capacity of your table or index.'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
        return rig.own.db.query(input);
      },
    };
    const metrics = recordingMetrics();
    await runSweep({
      db: failing,
      tableName: rig.own.tableName,
      now: rig.clock,
      thresholds: DEFAULT_THRESHOLDS,
      notifier: createInMemoryNotifier(),
      logger: rig.logger,
      metrics,
      fhir: { http: http(), systems, baseUrl: rig.base, perSweep: 50 },
      wallClock: () => rig.clock.getTime(),
    });
    expect(metrics.counts.get(FHIR_METRICS.catchUpFailed)).toBe(1);
    const failedAt = order.indexOf(fhirKeys.pending('', '').pk);
    expect(failedAt).toBeGreaterThanOrEqual(0);
    // The report units' step ran after it (it reads its marks' partitions).
    expect(order.slice(failedAt + 1).some((pk) => pk.includes('unit-'))).toBe(true);
    expect(await pendingItems(one.followUp.id, rig.own)).toHaveLength(1);
  });

  it('three records that keep failing (a 500, a Task id `..`, a 403 for that Task alone) first in the partition: within a few sweeps the later ones are current, and the bad ones are tried again after their backoff', async () => {
    // The bad ones opened first, in this order: their pending records sort before the healthy ones'.
    const bad: StoredFollowUp[] = [];
    for (const hoursBefore of [3, 2, 1]) {
      rig.clock = new Date(START.getTime() - hoursBefore * 3_600_000);
      bad.push(await openOne(rig.own));
    }
    rig.clock = START;
    const healthy = [await openOne(rig.own), await openOne(rig.own), await openOne(rig.own)];
    await rig.standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    await writer({ table: rig.own }).handle(followUpBatch(...bad, ...healthy), context());
    await rig.standin.control.clearFaults();
    const search = (id: string) => new RegExp(`^/fhir/R4/Task\\?identifier=.*${id}$`);
    rig.proxy.script({ method: 'GET', path: search(bad[0]!.followUp.id), answer: html(500) });
    const dotDot = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Task', id: '..', meta: { versionId: '1' }, status: 'ready', intent: 'order', identifier: [{ system: systems.task, value: bad[1]!.followUp.id }] } }] };
    rig.proxy.script({ method: 'GET', path: search(bad[1]!.followUp.id), answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(dotDot) } });
    rig.proxy.script({ method: 'GET', path: search(bad[2]!.followUp.id), answer: outcome(403, 'forbidden') });
    let sweeps = 0;
    for (; sweeps < 8; sweeps++) {
      rig.clock = new Date(rig.clock.getTime() + 60_000);
      await sweep(rig.own);
      if ((await Promise.all(healthy.map((one) => pendingItems(one.followUp.id, rig.own)))).every((items) => items.length === 0)) break;
    }
    expect(sweeps).toBeLessThan(8);
    for (const one of healthy) await expectCurrent(one.followUp.id, rig.own);
    // The bad ones wait behind the rest, each with its next try to come.
    for (const one of bad) {
      const [item] = await pendingItems(one.followUp.id, rig.own);
      expect(String(item?.sk)).toMatch(/^~/);
    }
    // Not tried again before their backoff (an hour at least: the server took other Tasks in that run)...
    rig.proxy.seen.length = 0;
    rig.clock = new Date(rig.clock.getTime() + 30 * 60_000);
    await sweep(rig.own);
    expect(rig.proxy.seen.filter((request) => bad.some((one) => request.path.includes(one.followUp.id)))).toEqual([]);
    // ...and sent once it has passed and the server answers them.
    rig.proxy.clear();
    rig.clock = new Date(rig.clock.getTime() + 25 * 3_600_000);
    await sweep(rig.own);
    for (const one of bad) await expectCurrent(one.followUp.id, rig.own);
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
      ...rig.shared.db,
      get: async (input) => {
        if (String(input.Key?.pk).startsWith(fhirKeys.confirmation('').pk) && input.ConsistentRead !== true) return structuredClone(confirmedA);
        return rig.shared.db.get(input);
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
      expect(await writeBookkeeping(rig.shared.db, rig.shared.tableName, from, { ...rest, expiresAt }, { knownFrom: null, now: rig.clock })).toBe('written');
      return (await getFollowUp(rig.shared.db, rig.shared.tableName, from.followUp.id, rig.clock))!;
    };
    const confirmationTtl = async () => (await rawItem(fhirKeys.confirmation(one.followUp.id)))?.[ttl];
    const pendingTtls = async () => (await pendingItems(one.followUp.id)).map((item) => item[ttl]);
    // Set on a follow-up whose Task is current: the confirmation follows, and the server is not asked.
    const expiry = Math.floor(START.getTime() / 1000) + 90 * 86_400;
    rig.proxy.seen.length = 0;
    const set = await bookkeeping(one, expiry);
    await writer().handle(followUpBatch(set), context());
    expect(await confirmationTtl()).toBe(expiry);
    expect(rig.proxy.seen).toEqual([]);
    // A person's change while the server is down: the pending record carries the expiry too.
    await rig.standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
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
    await rig.standin.control.clearFaults();
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
    expect(await writeBookkeeping(rig.shared.db, rig.shared.tableName, one, { ...rest, remindedAt: rig.clock.toISOString() }, { knownFrom: null, now: rig.clock })).toBe('written');
    const reminded = (await rawItem(followUpKey))!;
    expect(reminded.rev).toBe(one.revision + 1);
    expect(reminded).not.toHaveProperty('fx');
    // The writer given its stream record (npm start's reader has no filter): no request, no read.
    const reads: unknown[] = [];
    const counting: TableClient = { ...rig.shared.db, get: async (input) => (reads.push(input), rig.shared.db.get(input)), query: async (input) => (reads.push(input), rig.shared.db.query(input)) };
    rig.proxy.seen.length = 0;
    const record = { eventName: 'MODIFY' as const, dynamodb: { SequenceNumber: '2000', NewImage: marshall(reminded, { removeUndefinedValues: true }) as never } };
    expect(await writer({ db: counting }).handle({ Records: [record] }, context())).toEqual({ batchItemFailures: [] });
    expect(rig.proxy.seen).toEqual([]);
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
    await rig.standin.control.editTask(task!.id!, ehr as never);
    // A change to the EHR's elements alone: the tracker's next look at the Task writes nothing.
    await rig.shared.db.put({ TableName: rig.shared.tableName, Item: { ...fhirKeys.pending(one.followUp.opened_at, one.followUp.id), fid: one.followUp.id, op: one.followUp.opened_at, rev: one.revision, since: rig.clock.toISOString(), tries: 0 } });
    rig.proxy.seen.length = 0;
    const looked = await sweep();
    expect(looked.metrics.counts.get(FHIR_METRICS.unchanged)).toBe(1);
    expect(rig.proxy.seen.filter((request) => request.method !== 'GET')).toEqual([]);
    // A person's actions, each written.
    const actions = [
      { action: 'acknowledge', owner: 'j.doe' },
      { action: 'record_contact', channel: 'phone', outcome: 'no_answer' },
      { action: 'assign', owner: 'a.smith' },
      { action: 'close', disposition: 'tested_elsewhere' },
    ];
    for (const body of actions) {
      rig.clock = new Date(rig.clock.getTime() + 3_600_000);
      const acted = await act(one.followUp.id, body);
      const { metrics } = await (async () => {
        const run = writer();
        await run.handle(followUpBatch(acted), context());
        return run;
      })();
      expect(metrics.counts.get(FHIR_METRICS.written)).toBe(1);
      await expectCurrent(one.followUp.id);
    }
    const written = (await rig.standin.control.versions()).filter((version) => version.id === task!.id && version.by === 'api').slice(1);
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

describe('a sync in flight keeps an expiry set meanwhile (issue 82, item 5)', () => {
  it('confirms with the follow-up’s expiry as read after its write, not the one it started from', async () => {
    const one = await openOne();
    const expiry = Math.floor(START.getTime() / 1000) + 90 * 86_400;
    // While the create is in flight, the follow-up's expiry is set (a close's retention: a write that adds no version).
    rig.proxy.script({
      method: 'POST',
      path: /^\/fhir\/R4\/Task$/,
      times: 1,
      before: async () => {
        // Conditional on the item's revision: a write of the stream's meanwhile is a lost race, read and tried again.
        for (let race = 0; race < 5; race++) {
          const stored = (await getFollowUp(rig.shared.db, rig.shared.tableName, one.followUp.id, rig.clock))!;
          const { revision: _revision, ...rest } = stored;
          if ((await writeBookkeeping(rig.shared.db, rig.shared.tableName, stored, { ...rest, expiresAt: expiry }, { knownFrom: null, now: rig.clock })) === 'written') return;
        }
        throw new Error('the expiry could not be set in five tries');
      },
    });
    await writer().handle(followUpBatch(one), context());
    expect((await getFollowUp(rig.shared.db, rig.shared.tableName, one.followUp.id, rig.clock))?.expiresAt).toBe(expiry);
    expect((await rawItem(fhirKeys.confirmation(one.followUp.id)))?.['expires_at']).toBe(expiry);
  });
});
