/**
 * A poll that no Task can stop (issue 82; CONTRACT §13 "Found within
 * FHIR_POLL_SECONDS"), through the writer's poll entry (functions/fhir-writer/poll-entry.ts
 * with the real order-safe write), the sweep's catch-up, DynamoDB Local, and
 * the stand-in FHIR server behind the scriptable proxy on a frozen clock:
 * - a Task whose sync keeps failing (a Practitioner read answering 503) stops
 *   the run twice, then is set aside: the changes saved after it come back, and
 *   it is applied by the catch-up once the fault clears;
 * - a Task whose sync throws (the table refusing its follow-up's write) is a
 *   failed try of its version, as a 5xx is, never a failed invocation;
 * - a `lastUpdated` a day in the future is counted and logged, never the
 *   cursor: a change saved after it with a correct clock comes back.
 */
import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { canonicalFromDate } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { createFhirPollHandler } from '../../functions/fhir-writer/poll-entry';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { fhirCatchUpStep } from '../../functions/stale-redraw-sweep/steps/fhir';
import type { SweepContext } from '../../functions/stale-redraw-sweep/steps/context';
import { readPending } from '../../functions/store/fhir-records';
import { readPollState } from '../../functions/store/fhir-poll';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { fhirKeys, followUpKeys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startMisbehavingServer, type MisbehavingServer } from '../support/fhir-misbehaving';
import { freshId } from '../support/junction';
import { jsonLogger, recordingMetrics } from '../support/recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
const T0 = new Date('2026-11-27T15:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let clock = T0;
let table: TestTable;
let standin: FhirStandin;
let proxy: MisbehavingServer;
let base: string;

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-poll-aside'), startFhirStandin({ now: () => clock })]);
  proxy = await startMisbehavingServer(standin.origin);
  base = `${proxy.origin}/fhir/R4`;
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop(), proxy?.stop()]);
});
beforeEach(async () => {
  clock = T0;
  proxy.clear();
  await standin.control.reset();
  await table.db.delete({ TableName: table.tableName, Key: fhirKeys.poll(base) });
});

const http = () => createFhirHttp({ baseUrl: base, tokens: null, timeoutMs: 2_000 });
const sync = (): SyncDeps => ({ db: table.db, tableName: table.tableName, http: http(), systems, baseUrl: base, now: () => clock, ehr: { thresholds: DEFAULT_THRESHOLDS } });

/** The writer's poll entry on a scheduled event, with its logs and metrics (on `db`: the file's table unless said). */
function poller(db: TableClient = table.db) {
  const metrics = recordingMetrics();
  const { logs, logger } = jsonLogger();
  const handler = createFhirPollHandler({ db, tableName: table.tableName, http: http(), systems, baseUrl: base, ehr: { thresholds: DEFAULT_THRESHOLDS }, pollMax: 1000, logger, metrics, now: () => clock });
  return { metrics: metrics.counts, logs, run: () => handler({ source: 'aws.events' }, { getRemainingTimeInMillis: () => 60_000 }) };
}

/** A follow-up opened at the clock, its Task written and confirmed: [follow-up id, Task id]. */
async function openWithTask(): Promise<[string, string]> {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: clock.toISOString() });
  await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, clock)], clock);
  expect((await syncFollowUp(sync(), id)).kind).toBe('written');
  const task = (await standin.control.tasks()).find((one) => one.identifier?.some((identifier) => identifier.value === id))!;
  return [id, task.id!];
}

const followUp = async (id: string) => (await getFollowUp(table.db, table.tableName, id, clock))!.followUp;

async function catchUp() {
  const { logger } = jsonLogger();
  const ctx = { db: table.db, tableName: table.tableName, now: clock, logger, thresholds: DEFAULT_THRESHOLDS, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
  return fhirCatchUpStep(ctx, { http: http(), systems, baseUrl: base, perSweep: 50, ehrActions: true }, recordingMetrics());
}

describe('a poll that no Task can stop', () => {
  it('a Task whose sync keeps failing stops two runs, then waits behind the others: the changes after it come back, and it is applied once the fault clears', async () => {
    const [stuck, stuckTask] = await openWithTask();
    const [later, laterTask] = await openWithTask();
    clock = at(1);
    const edited = await standin.control.editTask(stuckTask, { status: 'in-progress', owner: { reference: 'Practitioner/unreadable' } });
    clock = at(2);
    await standin.control.editTask(laterTask, { status: 'in-progress' });
    // Every read of that one Practitioner answers 503: the sync of that Task fails, the server answers the rest.
    proxy.script({ method: 'GET', path: /Practitioner\/unreadable/, answer: { status: 503, headers: { 'content-type': 'application/fhir+json' }, body: '{}' } });

    for (const minutes of [3, 4]) {
      clock = at(minutes);
      expect(await poller().run()).toMatchObject({ kind: 'not_final', reason: 'server', status: 503 });
    }
    expect((await followUp(later)).state).toBe('new');

    clock = at(5);
    const third = poller();
    expect(await third.run()).toMatchObject({ kind: 'complete', setAside: [{ taskId: stuckTask, versionId: edited.meta!.versionId, followUpId: stuck, why: 'server', status: 503 }] });
    expect((await followUp(later)).state).toBe('acknowledged');
    expect(await followUp(stuck)).toMatchObject({ state: 'new', owner: null });
    expect(third.metrics.get(FHIR_METRICS.pollSetAside)).toBe(1);
    expect(third.logs.join('\n')).toContain(stuckTask);
    // Set aside, never lost: its follow-up waits behind the other pending records, due to the catch-up after an hour.
    expect((await readPending(table.db, table.tableName, 50, clock)).map((one) => one.id)).not.toContain(stuck);
    expect((await readPending(table.db, table.tableName, 50, at(66))).find((one) => one.id === stuck)).toMatchObject({ tries: 3 });
    // The next runs go on past it.
    clock = at(6);
    expect(await poller().run()).toEqual({ kind: 'complete', read: expect.any(Number) });

    // The fault clears: the catch-up, once the pause is over, applies the EHR's change as it was made.
    proxy.clear();
    clock = at(70);
    expect((await catchUp()).stopped).toBeNull();
    expect(await followUp(stuck)).toMatchObject({ state: 'acknowledged', owner: 'Practitioner/unreadable' });
    expect((await readPending(table.db, table.tableName, 50, at(24 * 60))).map((one) => one.id)).not.toContain(stuck);
  });

  it('a Task whose sync throws (the table refusing its follow-up\'s transaction) fails two runs as a failed try, never the invocation, then waits behind the others', async () => {
    const [stuck, stuckTask] = await openWithTask();
    const [later, laterTask] = await openWithTask();
    clock = at(1);
    const edited = await standin.control.editTask(stuckTask, { status: 'in-progress' });
    clock = at(2);
    await standin.control.editTask(laterTask, { status: 'in-progress' });
    // Every transaction that names that follow-up's item throws, as a table failing under one write does.
    const pk = followUpKeys.followUp(stuck).pk;
    const refusing = new Proxy(table.db, {
      get: (target, name, receiver) =>
        name === 'transactWrite'
          ? async (input: Parameters<TableClient['transactWrite']>[0]) => {
              if (JSON.stringify(input).includes(pk)) throw new Error('transaction refused');
              return target.transactWrite(input);
            }
          : (Reflect.get(target, name, receiver) as unknown),
    });

    for (const minutes of [3, 4]) {
      clock = at(minutes);
      expect(await poller(refusing).run()).toMatchObject({ kind: 'failed', why: 'sync_error', status: null });
    }
    expect((await followUp(later)).state).toBe('new');
    clock = at(5);
    expect(await poller(refusing).run()).toMatchObject({ kind: 'complete', setAside: [{ taskId: stuckTask, versionId: edited.meta!.versionId, followUpId: stuck, why: 'sync_error', status: null }] });
    expect((await followUp(later)).state).toBe('acknowledged');
    expect((await followUp(stuck)).state).toBe('new');
    expect((await readPending(table.db, table.tableName, 50, at(66))).find((one) => one.id === stuck)).toMatchObject({ tries: 3 });

    // The table takes the write again: the catch-up applies the EHR's change once the pause is over.
    clock = at(70);
    expect((await catchUp()).stopped).toBeNull();
    expect((await followUp(stuck)).state).toBe('acknowledged');
  });

  it('a lastUpdated a day in the future is counted and logged, never the cursor: a change saved after it with a correct clock comes back', async () => {
    const [id, taskId] = await openWithTask();
    // A Task saved by a server whose clock was a day ahead (another follow-up's, none the tracker knows).
    clock = at(24 * 60);
    const ahead: Task = await standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: systems.task, value: freshId() }] });
    clock = at(1);
    const first = poller();
    const instant = canonicalFromDate(at(24 * 60));
    expect(await first.run()).toMatchObject({ kind: 'complete', ahead: [{ taskId: ahead.id, at: instant }] });
    expect(first.metrics.get(FHIR_METRICS.pollAhead)).toBe(1);
    expect(first.logs.find((line) => line.includes('ahead of the tracker'))).toContain(instant);
    // Bounded by the tracker's clock plus the window.
    expect((await readPollState(table.db, table.tableName, base)).cursor).toBe(canonicalFromDate(at(6)));

    clock = at(2);
    await standin.control.editTask(taskId, { status: 'in-progress' });
    clock = at(3);
    const second = poller();
    // The Task ahead was read already: not counted again.
    expect(await second.run()).toEqual({ kind: 'complete', read: expect.any(Number) });
    expect((await followUp(id)).state).toBe('acknowledged');
  });
});
