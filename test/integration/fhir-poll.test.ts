/**
 * The FHIR writer's poll for work done in the EHR (CONTRACT §13, "Found within
 * FHIR_POLL_SECONDS"), through the real code: one run (functions/fhir-writer/poll-run.ts)
 * against the stand-in FHIR server on a frozen clock, paging as Medplum's
 * server does (or by `_offset`), its cursor in DynamoDB Local, and the
 * scriptable proxy where the stand-in cannot misbehave so. A Task changed in
 * the EHR is handed on once, the tracker's own versions never; Tasks moving
 * while the run pages, several at one instant, are none missed; a `next` link
 * is followed only for a whole page of one instant and only under the base
 * URL; a server down or throttling, a cut at FHIR_POLL_MAX, or a race with
 * another run loses nothing; a complete run's next starts 5 minutes before
 * the cursor.
 */
import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirPollHandler, isScheduledEvent } from '../../functions/fhir-writer/poll-entry';
import { createFhirHttp, type FhirHttp } from '../../functions/fhir/client/http';
import { pollOnce, type PollDeps } from '../../functions/fhir-writer/poll-run';
import { syncFollowUp, type SyncOutcome } from '../../functions/fhir/sync/sync';
import { notFinal } from '../../functions/fhir/client/failure';
import { ConfigError } from '../../functions/shared/config';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { readConfirmation, writeConfirmation } from '../../functions/store/fhir-records';
import { readPollState } from '../../functions/store/fhir-poll';
import { fhirKeys } from '../../functions/store/keys';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { startFhirPoller } from '../../local/runtime/fhir-poller';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import type { TableClient } from '../../functions/store/table-client';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startMisbehavingServer, type MisbehavingServer } from '../support/fhir-misbehaving';
import { freshId } from '../support/junction';

const systems = DEFAULT_FHIR_SYSTEMS;
const T0 = new Date('2026-11-27T15:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let clock = T0;
let table: TestTable;
let standin: FhirStandin;
let proxy: MisbehavingServer;

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-poll'), startFhirStandin({ now: () => clock })]);
  proxy = await startMisbehavingServer(standin.origin);
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop(), proxy?.stop()]);
});
beforeEach(async () => {
  clock = T0;
  proxy.clear();
  await standin.control.reset();
  await standin.control.setPaging({ by: 'lastUpdated', maxCount: 1000 });
  // Each test starts with no cursor, through the stand-in or the proxy.
  for (const base of [standin.url, proxyBase()]) await table.db.delete({ TableName: table.tableName, Key: fhirKeys.poll(base) });
});

const proxyBase = () => `${proxy.origin}/fhir/R4`;

/** A Task someone made in the EHR for follow-up `value` (a Task of the tracker's identifier system), at the clock's instant. */
async function ehrTask(value: string): Promise<Task> {
  return standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: systems.task, value }] });
}

/** A recording `handle`: each follow-up id handed on, in order; `then` runs after each (a test's doings mid-run). */
function recorder(then: (id: string, calls: number) => Promise<SyncOutcome | void> = async () => undefined) {
  const calls: string[] = [];
  const handle = async (id: string): Promise<SyncOutcome> => {
    calls.push(id);
    return (await then(id, calls.length)) ?? { kind: 'changed_in_ehr' };
  };
  return { calls, handle };
}

function poll(handle: PollDeps['handle'], options: { pollMax?: number; http?: FhirHttp; baseUrl?: string; timeLeftMs?: () => number } = {}) {
  return pollOnce(pollDeps(handle, options));
}

function pollDeps(handle: PollDeps['handle'], options: { pollMax?: number; http?: FhirHttp; baseUrl?: string; timeLeftMs?: () => number } = {}): PollDeps {
  const baseUrl = options.baseUrl ?? standin.url;
  return {
    db: table.db,
    tableName: table.tableName,
    http: options.http ?? createFhirHttp({ baseUrl, tokens: null, timeoutMs: 2_000 }),
    systems,
    baseUrl,
    pollMax: options.pollMax ?? 1000,
    handle,
    timeLeftMs: options.timeLeftMs ?? (() => 60_000),
    reserveMs: 25_000,
    now: () => clock,
  };
}

const count = (calls: readonly string[], id: string) => calls.filter((one) => one === id).length;
/** The searches the stand-in answered, as paths under its base URL, decoded. */
const searches = async () => (await standin.control.requests()).filter((request) => request.endpoint === 'search').map((request) => decodeURIComponent(request.path.replace('/fhir/R4/', '')));

describe('a poll run against the stand-in', () => {
  it('hands a Task changed in the EHR on once; the tracker\'s own versions, a version confirmed or held and an unusable id never', async () => {
    const id = freshId();
    const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: T0.toISOString() });
    await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, T0)], T0);
    const sync = { db: table.db, tableName: table.tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, now: () => clock };
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    await ehrTask('not/an-id');
    const confirmedElsewhere = freshId();
    const other = await ehrTask(confirmedElsewhere);
    const confirmation = (await readConfirmation(table.db, table.tableName, id, standin.url, true))!;
    await writeConfirmation(table.db, table.tableName, confirmedElsewhere, { ...confirmation, taskId: other.id!, versionId: other.meta!.versionId! }, null);
    // A version of the EHR's already held (not applied, with why): nothing new in it either.
    const heldElsewhere = freshId();
    const held = await ehrTask(heldElsewhere);
    const ehrChange = { at: T0.toISOString(), actor: 'ehr:Practitioner/123', fhir_version_id: held.meta!.versionId!, actions: [], applied: false, why: 'status_not_mapped' };
    await writeConfirmation(table.db, table.tableName, heldElsewhere, { ...confirmation, taskId: held.id!, versionId: 'an-older-one', ehrChange }, null);

    await standin.control.clearRequests();
    const first = recorder();
    expect(await poll(first.handle)).toEqual({ kind: 'complete', read: 4 });
    expect(first.calls).toEqual([]);

    clock = at(1);
    const task = (await standin.control.tasks()).find((one) => one.identifier?.some((identifier) => identifier.value === id))!;
    await standin.control.editTask(task.id!, { status: 'in-progress' });
    clock = at(2);
    const second = recorder();
    expect((await poll(second.handle)).kind).toBe('complete');
    clock = at(3);
    expect((await poll(second.handle)).kind).toBe('complete');
    expect(second.calls).toEqual([id]);
    const sent = await searches();
    // The first run ever has no bound; the next ones start 5 minutes before the cursor, in UTC.
    expect(sent[0]).toBe(`Task?identifier=${systems.task}|&_sort=_lastUpdated&_count=100`);
    expect(sent).toContain(`Task?identifier=${systems.task}|&_lastUpdated=ge2026-11-27T14:55:00.000Z&_sort=_lastUpdated&_count=100`);
    expect(sent).toContain(`Task?identifier=${systems.task}|&_lastUpdated=ge2026-11-27T14:56:00.000Z&_sort=_lastUpdated&_count=100`);
  });

  it('misses none of the Tasks that move between pages while it pages, several at one instant (Medplum\'s paging)', async () => {
    await standin.control.setPaging({ maxCount: 3 });
    const [a, b] = [await ehrTask('a'), await ehrTask('b')];
    clock = at(1);
    const [c] = [await ehrTask('c'), await ehrTask('d')];
    clock = at(2);
    await ehrTask('e');
    const edits: string[] = [];
    const run = recorder(async (id) => {
      if (id !== 'a' || edits.length > 0) return;
      // While the run pages: c changes at its own instant (a new version, the same lastUpdated), a and b move to the end.
      clock = at(1);
      await standin.control.editTask(c!.id!, { status: 'in-progress' });
      clock = at(3);
      await standin.control.editTask(a!.id!, { status: 'in-progress' });
      await standin.control.editTask(b!.id!, { status: 'in-progress' });
      edits.push('done');
    });
    expect(await poll(run.handle)).toEqual({ kind: 'complete', read: 8 });
    expect(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [id, count(run.calls, id)]))).toEqual({ a: 2, b: 2, c: 2, d: 1, e: 1 });
  });

  it('misses none by `_offset` paging either, a group of one instant larger than a page among them', async () => {
    await standin.control.setPaging({ by: 'offset', maxCount: 2 });
    const tasks: Task[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) tasks.push(await ehrTask(id));
    const run = recorder(async (id) => {
      if (id !== 'c' || count(run.calls, 'c') > 1) return;
      clock = at(1);
      await standin.control.editTask(tasks[0]!.id!, { status: 'in-progress' });
    });
    expect((await poll(run.handle)).kind).toBe('complete');
    expect(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [id, count(run.calls, id)]))).toEqual({ a: 2, b: 1, c: 1, d: 1, e: 1 });
    expect((await searches()).some((path) => path.includes('_offset=4'))).toBe(true);
  });

  it('follows the `next` link of a whole page of one instant (Medplum\'s cursor)', async () => {
    await standin.control.setPaging({ maxCount: 3 });
    for (const id of ['a', 'b', 'c']) await ehrTask(id);
    clock = at(1);
    await ehrTask('d');
    const run = recorder();
    expect(await poll(run.handle)).toEqual({ kind: 'complete', read: 4 });
    expect(run.calls).toEqual(['a', 'b', 'c', 'd']);
    expect((await searches()).filter((path) => path.includes('_cursor=2-'))).toHaveLength(1);
  });

  it('stops at a `next` link to another host, never requests it, and counts the run failed; the log names no query', async () => {
    const [a, b] = [await ehrTask('a'), await ehrTask('b')];
    const page = { resourceType: 'Bundle', type: 'searchset', entry: [a, b].map((resource) => ({ resource })), link: [{ relation: 'next', url: 'https://evil.example.org/fhir/R4/Task?_cursor=2-1&token=secret' }] };
    proxy.script({ method: 'GET', path: /_lastUpdated=ge/, answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(page) } });
    const logs: string[] = [];
    const counts = new Map<string, number>();
    const line = (...args: unknown[]) => void logs.push(JSON.stringify(args));
    const handler = createFhirPollHandler({
      db: table.db,
      tableName: table.tableName,
      http: createFhirHttp({ baseUrl: proxyBase(), tokens: null }),
      systems,
      baseUrl: proxyBase(),
      ehr: { thresholds: DEFAULT_THRESHOLDS },
      pollMax: 1000,
      logger: { debug: line, info: line, warn: line, error: line },
      metrics: { addMetric: (name: string, _unit: unknown, value: number) => void counts.set(name, (counts.get(name) ?? 0) + value), publishStoredMetrics: () => undefined },
      now: () => clock,
    });
    expect(isScheduledEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBe(true);
    expect(isScheduledEvent({ Records: [] })).toBe(false);
    // The first page reads a and b (through sync, which finds no follow-up for them); the fresh search is scripted.
    expect(await handler({ source: 'aws.events' }, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ kind: 'failed', why: 'next_off_base', status: null, read: 2 });
    expect(counts.get(FHIR_METRICS.pollFailed)).toBe(1);
    expect(counts.get(FHIR_METRICS.polled)).toBe(2);
    expect(proxy.seen.every((seen) => !seen.path.includes('token=secret'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/evil|secret|_lastUpdated|_cursor/);
    // FHIR_EHR_ACTIONS=off: no run, no request.
    const before = proxy.seen.length;
    const off = createFhirPollHandler({ db: table.db, tableName: table.tableName, http: createFhirHttp({ baseUrl: proxyBase(), tokens: null }), systems, baseUrl: proxyBase(), ehr: null, pollMax: 1000, logger: { debug: line, info: line, warn: line, error: line }, metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined } });
    expect(await off({ source: 'aws.events' }, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ kind: 'off' });
    expect(proxy.seen.length).toBe(before);
  });

  it('loses nothing when the server throttles or is down during a run, or a Task cannot be sent: the next run reads them', async () => {
    await standin.control.setPaging({ maxCount: 2 });
    for (const [index, id] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) {
      clock = at(index);
      await ehrTask(id);
    }
    const calls: string[] = [];
    const throttled = recorder(async (id) => {
      calls.push(id);
      if (id === 'b') await standin.control.injectFault({ kind: 'status', status: 429, retryAfter: 120, endpoint: 'search' });
    });
    const started = Date.now();
    expect(await poll(throttled.handle)).toEqual({ kind: 'retry_after', status: 429, retryAfterMs: 120_000, read: 2 });
    // Retry-After is the next run's: the run never waits for it.
    expect(Date.now() - started).toBeLessThan(10_000);
    await standin.control.injectFault({ kind: 'status', status: 503, times: 1, endpoint: 'search' });
    expect(await poll(recorder().handle)).toEqual({ kind: 'not_final', reason: 'server', status: 503, retryAfterMs: null, read: 0 });
    // A Task the server cannot take now (sync answers unavailable) stops the run before it.
    const down = recorder(async (id) => {
      calls.push(id);
      return id === 'd' ? notFinal('server', { status: 502, retryAfterMs: null }) : undefined;
    });
    expect(await poll(down.handle)).toEqual({ kind: 'not_final', reason: 'server', status: 502, retryAfterMs: null, read: 2 });
    expect(await poll(recorder(async (id) => void calls.push(id)).handle)).toEqual({ kind: 'complete', read: 3 });
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'd', 'e', 'f']);
  });

  it('loses nothing when DynamoDB fails under a run (the cursor\'s write throttled): the run fails, the next hands on what it had not kept', async () => {
    await standin.control.setPaging({ maxCount: 2 });
    for (const [index, id] of ['a', 'b', 'c', 'd'].entries()) {
      clock = at(index);
      await ehrTask(id);
    }
    // The second page's checkpoint is refused, as a throttled table would (ProvisionedThroughputExceeded).
    let puts = 0;
    const throttled: TableClient = {
      ...table.db,
      put: async (input) => {
        if (++puts === 2) throw Object.assign(new Error('throughput exceeded'), { name: 'ProvisionedThroughputExceededException' });
        return table.db.put(input);
      },
    };
    const first = recorder();
    await expect(pollOnce({ ...pollDeps(first.handle), db: throttled })).rejects.toThrow('throughput exceeded');
    const second = recorder();
    expect(await poll(second.handle)).toMatchObject({ kind: 'complete' });
    // Every Task was handed on; those after the last checkpoint again (a handing on is a read, never applied twice).
    expect(new Set([...first.calls, ...second.calls])).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(second.calls).toEqual(expect.arrayContaining(['c', 'd']));
  });

  it('stops at an answer that is no searchset, a timeout, a 401/403 or no credential (configuration), the cursor kept', async () => {
    await ehrTask('a');
    const viaProxy = (timeoutMs = 2_000) => ({ baseUrl: proxyBase(), http: createFhirHttp({ baseUrl: proxyBase(), tokens: null, timeoutMs }) });
    const run = recorder();
    proxy.script({ method: 'GET', path: /_sort=_lastUpdated/, times: 1, answer: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in</html>' } });
    expect(await poll(run.handle, viaProxy())).toEqual({ kind: 'not_final', reason: 'unreadable', status: 200, retryAfterMs: null, read: 0 });
    await standin.control.injectFault({ kind: 'delay', delayMs: 1_000, endpoint: 'search' });
    expect(await poll(run.handle, viaProxy(200))).toEqual({ kind: 'not_final', reason: 'timeout', status: null, retryAfterMs: null, read: 0 });
    await standin.control.injectFault({ kind: 'status', status: 403, endpoint: 'search' });
    expect(await poll(run.handle, viaProxy())).toEqual({ kind: 'unauthorized', where: 'server', read: 0 });
    // A credential that cannot be had (its secret unreadable): configuration too, never a throw.
    const noCredential: FhirHttp = { send: () => Promise.reject(new ConfigError('invalid configuration: FHIR_CLIENT_SECRET_ARN: the secret must hold a string')) };
    expect(await poll(run.handle, { baseUrl: proxyBase(), http: noCredential })).toEqual({ kind: 'unauthorized', where: 'credential', read: 0 });
    expect(run.calls).toEqual([]);
    expect(await poll(run.handle, viaProxy())).toEqual({ kind: 'complete', read: 1 });
    expect(run.calls).toEqual(['a']);
  });

  it('a run cut at FHIR_POLL_MAX resumes exactly where it stopped, within one instant too', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await ehrTask(id);
    clock = at(1);
    for (const id of ['f', 'g']) await ehrTask(id);
    const calls: string[] = [];
    const handle = async (id: string): Promise<SyncOutcome> => {
      calls.push(id);
      return { kind: 'changed_in_ehr' };
    };
    expect(await poll(handle, { pollMax: 3 })).toEqual({ kind: 'cut', by: 'max', read: 3 });
    expect((await readPollState(table.db, table.tableName, standin.url)).resumeFrom).toBe('2026-11-27T15:00:00.000000Z');
    expect(await poll(handle, { pollMax: 3 })).toEqual({ kind: 'cut', by: 'max', read: 3 });
    expect(await poll(handle, { pollMax: 3 })).toEqual({ kind: 'complete', read: 1 });
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('a run cut by the time left (the writer\'s reserve) resumes where it stopped', async () => {
    for (const id of ['a', 'b', 'c']) await ehrTask(id);
    const calls: string[] = [];
    const handle = async (id: string): Promise<SyncOutcome> => {
      calls.push(id);
      return { kind: 'changed_in_ehr' };
    };
    // Time for the search and one Task, then less than the reserve.
    let left = 60_000;
    expect(await poll(async (id) => ((left = 20_000), handle(id)), { timeLeftMs: () => left })).toEqual({ kind: 'cut', by: 'time', read: 1 });
    expect(await poll(handle)).toEqual({ kind: 'complete', read: 2 });
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('after a complete run the next starts 5 minutes before the cursor: a version committed late is found, those read are not handed again', async () => {
    await ehrTask('a');
    clock = at(10);
    await ehrTask('b');
    const calls: string[] = [];
    const handle = async (id: string): Promise<SyncOutcome> => {
      calls.push(id);
      return { kind: 'changed_in_ehr' };
    };
    expect((await poll(handle)).kind).toBe('complete');
    expect((await readPollState(table.db, table.tableName, standin.url)).cursor).toBe('2026-11-27T15:10:00.000000Z');
    // Stamped before the cursor, seen only now (a clock behind, a commit that landed late).
    clock = at(7);
    await ehrTask('late');
    clock = at(2);
    await ehrTask('too-late');
    // The tracker's clock is past the cursor (the server's clock stamped those late).
    clock = at(11);
    await standin.control.clearRequests();
    expect(await poll(handle)).toEqual({ kind: 'complete', read: 1 });
    expect(calls).toEqual(['a', 'b', 'late']);
    expect((await searches())[0]).toContain('_lastUpdated=ge2026-11-27T15:05:00.000Z&');
  });

  it('two runs at once never move the cursor back: the one that loses the race ends quietly', async () => {
    await ehrTask('a');
    clock = at(1);
    await ehrTask('b');
    let inner: Awaited<ReturnType<typeof poll>> | null = null;
    const outer = await poll(async (id) => {
      if (id === 'a' && inner === null) {
        inner = { kind: 'lost', read: 0 };
        inner = await poll(async () => ({ kind: 'changed_in_ehr' }));
      }
      return { kind: 'changed_in_ehr' };
    });
    expect(inner).toEqual({ kind: 'complete', read: 2 });
    expect(outer).toEqual({ kind: 'lost', read: 2 });
    expect((await readPollState(table.db, table.tableName, standin.url)).cursor).toBe('2026-11-27T15:01:00.000000Z');
  });
});

describe('npm start\'s poller', () => {
  it('runs the poll every FHIR_POLL_SECONDS, never two at once, and stops after the run in flight', async () => {
    await ehrTask(freshId());
    const config = { baseUrl: standin.url, systems, catchUpPerSweep: 200, ehrActions: true, pollSeconds: 1, pollMax: 1000, auth: null };
    const poller = startFhirPoller({ db: table.db, tableName: table.tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), config, thresholds: DEFAULT_THRESHOLDS });
    try {
      const [first, second] = [poller.runNow(), poller.runNow()];
      expect(await second).toBeNull();
      expect((await first)?.kind).toBe('complete');
      await standin.control.clearRequests();
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect((await searches()).length).toBeGreaterThan(0);
    } finally {
      await poller.stop();
    }
  });
});
