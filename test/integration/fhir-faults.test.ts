/**
 * The FHIR writer and the sweep's catch-up under the FHIR server's faults
 * (CONTRACT §13), through the real code: the writer's handler fed stream
 * records of follow-up items, the catch-up step, DynamoDB Local and the
 * stand-in FHIR server with its faults. Nothing is lost: what the server could
 * not take waits in a pending record and the sweep sends it; a refusal or a
 * Task changed in the EHR is counted, never looped on; a 401/403 stops the
 * catch-up's run; an outage of a simulated day ends with every Task current.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { fhirClientOf } from '../../functions/fhir/client/client';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { ConfigError } from '../../functions/shared/config';
import { digestOf } from '../../functions/fhir/sync/source';
import { createFhirWriterHandler, WRITER_RESERVE_MS } from '../../functions/fhir-writer/app';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { fhirCatchUpStep } from '../../functions/stale-redraw-sweep/steps/fhir';
import type { SweepContext } from '../../functions/stale-redraw-sweep/steps/context';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { countPending, markPending, readConfirmation, readPending } from '../../functions/store/fhir-records';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { followUpBatch } from '../support/fhir-stream';
import { freshId } from '../support/junction';
import { jsonLogger, recordingMetrics } from '../support/recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
let table: TestTable;
let standin: FhirStandin;
/** The clock of the FHIR server, the writer and the sweep: a test moves it through a day. */
let clock = new Date('2026-11-27T00:00:00.000Z');

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-faults'), startFhirStandin({ now: () => clock })]);
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
beforeEach(async () => {
  clock = new Date('2026-11-27T00:00:00.000Z');
  await standin.control.reset();
  // Pending records of earlier tests are theirs: each test counts only its own follow-ups.
});

const { logs, logger } = jsonLogger();

const http = (timeoutMs = 2_000) => createFhirHttp({ baseUrl: standin.url, tokens: null, timeoutMs });

function writer(metrics = recordingMetrics(), timeoutMs = 2_000) {
  return { metrics, handle: createFhirWriterHandler({ db: table.db, tableName: table.tableName, http: http(timeoutMs), systems, baseUrl: standin.url, logger, metrics, now: () => clock }) };
}

async function sweep(perSweep = 50, metrics = recordingMetrics(), mapping = systems) {
  const ctx = { db: table.db, tableName: table.tableName, now: clock, logger, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
  const result = await fhirCatchUpStep(ctx, { http: http(), systems: mapping, baseUrl: standin.url, perSweep }, metrics);
  return { result, metrics };
}

async function openOne(): Promise<StoredFollowUp> {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: clock.toISOString() });
  const stored: Omit<StoredFollowUp, 'revision'> = { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, clock)], clock)).toBe('written');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

async function act(id: string, body: Record<string, unknown>): Promise<StoredFollowUp> {
  const result = await actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: clock, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

const context = (left = 60_000) => ({ getRemainingTimeInMillis: () => left });

async function taskOf(id: string) {
  return (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
}
async function pendingOf(id: string) {
  return (await readPending(table.db, table.tableName, 1000, new Date('9999-12-31T00:00:00.000Z'))).filter((pending) => pending.id === id);
}
async function expectCurrent(id: string) {
  const current = (await getFollowUp(table.db, table.tableName, id, clock))!;
  const tasks = await taskOf(id);
  expect(tasks).toHaveLength(1);
  expect(contentDigest(tasks[0] as never, systems)).toBe(digestOf(current, systems));
  expect(await pendingOf(id)).toEqual([]);
}

describe('the FHIR writer and the catch-up, when the server fails', () => {
  it('a 5xx leaves the follow-up pending and the batch retried; the sweep sends it once the server is back', async () => {
    const one = await openOne();
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    const { handle, metrics } = writer();
    expect(await handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [{ itemIdentifier: '1000' }] });
    expect(metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
    expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    await standin.control.clearFaults();
    expect((await sweep()).result.stopped).toBeNull();
    await expectCurrent(one.followUp.id);
  });

  it('a 429 with Retry-After stops the catch-up for this run; the next sends', async () => {
    const [a, b] = [await openOne(), await openOne()];
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    expect((await writer().handle(followUpBatch(a, b), context())).batchItemFailures).toHaveLength(1);
    await standin.control.reset();
    await standin.control.injectFault({ kind: 'status', status: 429, retryAfter: 120, times: 1 });
    // Only its own pending records: another test's are not this one's to count.
    const first = await sweep();
    expect(first.result.stopped).toBe('unavailable');
    expect((await standin.control.requests()).filter((request) => request.status === 429)).toHaveLength(1);
    await sweep();
    await expectCurrent(a.followUp.id);
    await expectCurrent(b.followUp.id);
  });

  it('a server that hangs past the client\'s timeout is unavailable, and nothing is lost', async () => {
    const one = await openOne();
    await standin.control.injectFault({ kind: 'delay', delayMs: 1_500, times: 1 });
    const { handle } = writer(recordingMetrics(), 300);
    expect((await handle(followUpBatch(one), context())).batchItemFailures).toHaveLength(1);
    expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await sweep();
    await expectCurrent(one.followUp.id);
  });

  it('a 422 with an OperationOutcome is refused: counted, logged by its codes only, not sent again until the follow-up changes', async () => {
    const one = await openOne();
    await standin.control.injectFault({ kind: 'refuse', endpoint: 'create', status: 422, codes: ['business-rule'], times: 1 });
    const { handle, metrics } = writer();
    logs.length = 0;
    expect(await handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [] });
    expect(metrics.counts.get(FHIR_METRICS.refused)).toBe(1);
    expect(logs.join('\n')).toContain('business-rule');
    expect(await pendingOf(one.followUp.id)).toEqual([]);
    expect((await readConfirmation(table.db, table.tableName, one.followUp.id, standin.url, true))?.refusedDigest).toBe(digestOf(one, systems));
    // The same delivery again (a retry, a duplicate): no request at all.
    await standin.control.clearRequests();
    await handle(followUpBatch(one), context());
    expect(await standin.control.requests()).toEqual([]);
    // The follow-up changes: tried again, and written.
    const changed = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    await handle(followUpBatch(changed), context());
    await expectCurrent(one.followUp.id);
  });

  it('a 412 whose version keeps moving is read again and retried at most 3 times, then left pending', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    const changed = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    await standin.control.injectFault({ kind: 'status', status: 412, endpoint: 'update', times: 'always' });
    await standin.control.clearRequests();
    const { handle, metrics } = writer();
    expect((await handle(followUpBatch(changed), context())).batchItemFailures).toHaveLength(1);
    expect(metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
    const requests = await standin.control.requests();
    expect(requests.filter((request) => request.method === 'PUT')).toHaveLength(4);
    expect(requests.filter((request) => request.method === 'GET')).toHaveLength(4);
    expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    await standin.control.clearFaults();
    await sweep();
    await expectCurrent(one.followUp.id);
  });

  it('several Tasks for one identifier are refused (multiple-matches), never looped on', async () => {
    const one = await openOne();
    await standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: systems.task, value: one.followUp.id }] } as never);
    await standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: systems.task, value: one.followUp.id }] } as never);
    await standin.control.clearRequests();
    const { handle, metrics } = writer();
    expect(await handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [] });
    expect(metrics.counts.get(FHIR_METRICS.refused)).toBe(1);
    expect((await readConfirmation(table.db, table.tableName, one.followUp.id, standin.url, true))?.refusalCodes).toEqual(['multiple-matches']);
    expect((await standin.control.requests()).length).toBeLessThanOrEqual(2);
  });

  it('a 401 stops the catch-up: one request, the rest left pending and counted', async () => {
    const ids = [await openOne(), await openOne(), await openOne()];
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    await writer().handle(followUpBatch(...ids), context());
    await standin.control.reset();
    await standin.control.injectFault({ kind: 'status', status: 401, times: 'always' });
    const { result, metrics } = await sweep();
    expect(result.stopped).toBe('unauthorized');
    expect(metrics.counts.get(FHIR_METRICS.unauthorized)).toBe(1);
    expect(await standin.control.requests()).toHaveLength(1);
    for (const one of ids) expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    await standin.control.clearFaults();
    await sweep();
    for (const one of ids) await expectCurrent(one.followUp.id);
  });

  it('a Task changed in the EHR is not overwritten by the tracker, until a person acts on the follow-up', async () => {
    const one = await openOne();
    await writer().handle(followUpBatch(one), context());
    await expectCurrent(one.followUp.id);
    const [task] = await taskOf(one.followUp.id);
    await standin.control.editTask(task!.id!, { status: 'completed' });
    // The tracker's own change (a stale flag) does not replace it.
    const flagged = { ...one, revision: one.revision + 1, staleFlag: { since: clock.toISOString(), reason: 'no_progress', orderId: one.followUp.initial_order_id!, statusTime: clock.toISOString() } };
    await table.db.put({ TableName: table.tableName, Item: itemOf(flagged) });
    const { handle, metrics } = writer();
    await handle(followUpBatch(flagged), context());
    expect(metrics.counts.get(FHIR_METRICS.changedInEhr)).toBe(1);
    expect((await taskOf(one.followUp.id))[0]!.status).toBe('completed');
    // A person's action: its write replaces the Task.
    const acted = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
    await handle(followUpBatch(acted), context());
    await expectCurrent(one.followUp.id);
    expect((await taskOf(one.followUp.id))[0]!.status).toBe('in-progress');
  });

  it('the writer\'s time running out: what it did not send is reported for a retry and stays pending', async () => {
    const [a, b] = [await openOne(), await openOne()];
    const answer = await writer().handle(followUpBatch(a, b), context(WRITER_RESERVE_MS - 1));
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '1000' }] });
    expect(await pendingOf(a.followUp.id)).toHaveLength(1);
    expect(await pendingOf(b.followUp.id)).toHaveLength(1);
    await sweep();
    await expectCurrent(a.followUp.id);
    await expectCurrent(b.followUp.id);
  });

  it('a day-long outage on a controlled clock: hourly sweeps fail, changes go on; after it every Task is current and no digest was written twice', async () => {
    const followUps = [await openOne(), await openOne(), await openOne()];
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    const { handle } = writer();
    await handle(followUpBatch(...followUps), context());
    for (let hour = 1; hour <= 24; hour++) {
      clock = new Date(clock.getTime() + 3_600_000);
      if (hour % 6 === 0) {
        const changed = await act(followUps[hour % 3]!.followUp.id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
        expect((await handle(followUpBatch(changed), context())).batchItemFailures).toHaveLength(1);
      }
      expect((await sweep()).result.stopped).toBe('unavailable');
    }
    await standin.control.clearFaults();
    clock = new Date(clock.getTime() + 3_600_000);
    await sweep();
    for (const one of followUps) await expectCurrent(one.followUp.id);
    const digests = (await standin.control.versions()).map((version) => JSON.stringify(version.resource.extension?.find((extension) => extension.url.endsWith('/content-digest'))));
    expect(new Set(digests).size).toBe(digests.length);
  }, 60_000);
});

describe('first switch-on (CONTRACT §13): the open follow-ups and those closed and still kept get their Tasks, FHIR_CATCH_UP_PER_SWEEP a sweep', () => {
  it('sends every one of them over a few sweeps, at most the setting a sweep, each once', async () => {
    const own = await createTestTable('fhir-switch-on');
    const previous = table;
    table = own;
    try {
      const open = [await openOne(), await openOne(), await openOne(), await openOne(), await openOne()];
      const closed = [await openOne(), await openOne()];
      for (const one of closed) await act(one.followUp.id, { action: 'close', disposition: 'tested_elsewhere' });
      await standin.control.clearRequests();
      const perSweep = 3;
      let sweeps = 0;
      for (; sweeps < 10; sweeps++) {
        const before = (await standin.control.requests()).filter((request) => request.method !== 'GET').length;
        const { result } = await sweep(perSweep);
        const writes = (await standin.control.requests()).filter((request) => request.method !== 'GET').length - before;
        expect(writes).toBeLessThanOrEqual(perSweep);
        if (result.sent === 0 && result.behind === 0) break;
      }
      expect(sweeps).toBeGreaterThanOrEqual(3);
      for (const one of [...open, ...closed]) await expectCurrent(one.followUp.id);
      // Each written once: one POST per follow-up, no PUT.
      const writes = (await standin.control.requests()).filter((request) => request.method !== 'GET');
      expect(writes.map((request) => request.method).sort()).toEqual(Array(7).fill('POST'));
      expect((await taskOf(closed[0]!.followUp.id))[0]!.status).toBe('completed');
      // A new mapping (here CONSOLE_URL set, as a new version of the words would): the walk goes again, each kept Task written once more, with its link.
      const linked = { ...systems, consoleUrl: 'https://console.example.org/' };
      await standin.control.clearRequests();
      for (let again = 0; again < 10; again++) {
        const { result } = await sweep(perSweep, recordingMetrics(), linked);
        expect(result.sent).toBeLessThanOrEqual(perSweep);
        if (result.sent === 0 && result.behind === 0) break;
      }
      const rewrites = (await standin.control.requests()).filter((request) => request.method !== 'GET');
      expect(rewrites.map((request) => request.method).sort()).toEqual(Array(7).fill('PUT'));
      for (const one of [...open, ...closed]) {
        const [task] = await taskOf(one.followUp.id);
        expect(task!.input?.map((input) => input.valueUrl).filter(Boolean)).toEqual([`https://console.example.org/#/follow-ups/${one.followUp.id}`]);
      }
    } finally {
      table = previous;
      await own.drop();
    }
  }, 60_000);
});

describe('the FhirTasksBehind gauge', () => {
  it('reads one page of keys, never walks the partition: past a page (1 MB, about 6,000 records) it is a floor, above 0 as the alarm needs', async () => {
    const own = await createTestTable('fhir-gauge');
    try {
      for (let index = 0; index < 12; index++) await markPending(own.db, own.tableName, { id: freshId(), openedAt: `2026-11-${String(10 + index).padStart(2, '0')}T00:00:00.000Z`, revision: 1, expiresAt: null }, clock);
      // The real table, its pages cut at 5 records as the 1 MB limit cuts them.
      const paged = { ...own.db, query: (input: Parameters<typeof own.db.query>[0]) => own.db.query({ ...input, Limit: Math.min(input.Limit ?? 5, 5) }) };
      const queries: unknown[] = [];
      const counted = { ...paged, query: (input: Parameters<typeof own.db.query>[0]) => (queries.push(input), paged.query(input)) };
      expect(await countPending(counted, own.tableName, 10_000)).toBe(5);
      expect(queries).toHaveLength(1);
      expect(await countPending(own.db, own.tableName, 10_000)).toBe(12);
      expect(await countPending(own.db, own.tableName, 7)).toBe(7);
    } finally {
      await own.drop();
    }
  });
});

describe('the dependencies behind the FHIR server: its token endpoint, the credential\'s secret, DynamoDB', () => {
  /** A server that wants a token, with a client secret, and a writer that asks it for one. */
  async function withToken(credential: () => Promise<string>) {
    const server = await startFhirStandin({ clients: [{ clientId: 'tracker', secret: 's3cret' }], now: () => clock });
    const http = fhirClientOf({ baseUrl: server.url, systems, catchUpPerSweep: 50, ehrActions: true, pollSeconds: 300, pollMax: 1000, auth: { tokenUrl: server.tokenUrl, clientId: 'tracker', scope: 'system/Task.rs system/Task.cu', credential: { kind: 'secret', read: credential } } }, { timeoutMs: 2_000 });
    const metrics = recordingMetrics();
    const handle = createFhirWriterHandler({ db: table.db, tableName: table.tableName, http, systems, baseUrl: server.url, logger, metrics, now: () => clock });
    return { server, handle, metrics };
  }

  it('the token endpoint failing (503) leaves the follow-up pending for a retry; refusing the client (401) is unauthorized, counted, not retried in a loop', async () => {
    const { server, handle, metrics } = await withToken(async () => 's3cret');
    try {
      const one = await openOne();
      await server.control.injectFault({ kind: 'status', status: 503, endpoint: 'token', times: 1 });
      expect((await handle(followUpBatch(one), context())).batchItemFailures).toHaveLength(1);
      expect(metrics.counts.get(FHIR_METRICS.unavailable)).toBe(1);
      expect(await pendingOf(one.followUp.id)).toHaveLength(1);
      await server.control.injectFault({ kind: 'status', status: 401, endpoint: 'token', times: 1 });
      const changed = await act(one.followUp.id, { action: 'acknowledge', owner: 'j.doe' });
      expect(await handle(followUpBatch(changed), context())).toEqual({ batchItemFailures: [] });
      expect(metrics.counts.get(FHIR_METRICS.unauthorized)).toBe(1);
      expect(await pendingOf(one.followUp.id)).toHaveLength(1);
      // The endpoint answers again: the same delivery gets its token and the Task.
      await handle(followUpBatch(changed), context());
      expect((await server.control.tasks()).filter((task) => task.identifier?.[0]?.value === one.followUp.id)).toHaveLength(1);
      expect(await pendingOf(one.followUp.id)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('a credential whose secret cannot be read is unauthorized (counted), never a crash, and the follow-up stays pending', async () => {
    const { server, handle, metrics } = await withToken(async () => {
      throw new ConfigError('FHIR_CLIENT_SECRET_ARN: GetSecretValue failed: AccessDeniedException (HTTP 400)');
    });
    try {
      const one = await openOne();
      expect(await handle(followUpBatch(one), context())).toEqual({ batchItemFailures: [] });
      expect(metrics.counts.get(FHIR_METRICS.unauthorized)).toBe(1);
      expect(await pendingOf(one.followUp.id)).toHaveLength(1);
      expect(await server.control.requests()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('DynamoDB throttling the confirmation\'s write fails the batch for a retry; the Task written stays, the pending record stays, and the retry confirms it', async () => {
    const one = await openOne();
    let throttle = true;
    // The real table; a throttle on the confirmation's put, which DynamoDB Local cannot be asked for.
    const throttled = {
      ...table.db,
      put: async (input: Parameters<typeof table.db.put>[0]) => {
        if (throttle && String((input.Item as { pk?: unknown }).pk).startsWith('FHIRTASK#')) {
          throttle = false;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
        }
        return table.db.put(input);
      },
    };
    const handle = createFhirWriterHandler({ db: throttled, tableName: table.tableName, http: http(), systems, baseUrl: standin.url, logger, metrics: recordingMetrics(), now: () => clock });
    await expect(handle(followUpBatch(one), context())).rejects.toThrow(/throughput/);
    expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    // Lambda delivers the batch again: the Task is found at its digest, confirmed, and nothing is written twice.
    await handle(followUpBatch(one), context());
    await expectCurrent(one.followUp.id);
    expect((await standin.control.versions()).filter((version) => version.resource.identifier?.[0]?.value === one.followUp.id)).toHaveLength(1);
  });
});
