/**
 * An EHR outage heals within 2 minutes of the server answering again (CONTRACT
 * §13, issue 84 item 4, friction 96), through the real code: the writer's
 * handlers (its stream batch, its retry tick, its poll), DynamoDB Local and the
 * stand-in FHIR server with an outage switched on and off. Time is the test's
 * clock (the server's, the writer's and the page's), never a 2-minute sleep:
 * what proves the promise is that the tick (every FHIR_RETRY_SECONDS) or any
 * answer of the server sends what waits, not the hourly sweep. The page's
 * `fhir.next_try_at` says when the next try is while the Task is behind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { FHIR_RETRY_SECONDS } from '../../functions/core/fhir/retry';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { digestOf } from '../../functions/fhir/sync/source';
import { createFhirWriterHandler, type FhirWriterDeps } from '../../functions/fhir-writer/app';
import { createFhirPollHandler } from '../../functions/fhir-writer/poll-entry';
import { createFhirRetryHandler } from '../../functions/fhir-writer/retry-entry';
import { fhirViewOfStored } from '../../functions/query/follow-up-fhir';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { readPending } from '../../functions/store/fhir-records';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { followUpBatch } from '../support/fhir-stream';
import { freshId } from '../support/junction';
import { jsonLogger, recordingMetrics } from '../support/recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
const TICK_MS = FHIR_RETRY_SECONDS * 1000;
let table: TestTable;
let standin: FhirStandin;
let clock = new Date('2026-11-27T20:40:00.000Z');
const { logger } = jsonLogger();

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-outage-heals'), startFhirStandin({ now: () => clock })]);
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
beforeEach(async () => {
  await standin.control.reset();
});

const context = { getRemainingTimeInMillis: () => 60_000 };
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

function deps(): FhirWriterDeps {
  return { db: table.db, tableName: table.tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null, timeoutMs: 2_000 }), systems, baseUrl: standin.url, logger, metrics: recordingMetrics(), now: () => clock };
}
const write = (...followUps: StoredFollowUp[]) => createFhirWriterHandler(deps())(followUpBatch(...followUps), context);
const tick = (db = table.db) => createFhirRetryHandler({ ...deps(), db })({}, context);

async function openOne(): Promise<StoredFollowUp> {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: clock.toISOString() });
  expect(await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, clock)], clock)).toBe('written');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

/** A follow-up already sent (its Task current on the server), then changed during the outage. */
async function sentThenChanged(): Promise<StoredFollowUp> {
  const one = await openOne();
  expect((await write(one)).batchItemFailures).toEqual([]);
  return one;
}
async function change(id: string): Promise<StoredFollowUp> {
  const result = await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }, actor: 'j.doe', now: clock, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
  return (await getFollowUp(table.db, table.tableName, id, clock))!;
}

/** The follow-up page's `fhir`, as the query answers it at the test's clock. */
async function page(id: string) {
  const stored = (await getFollowUp(table.db, table.tableName, id, clock))!;
  return fhirViewOfStored(table.db, table.tableName, stored, { baseUrl: standin.url, systems }, clock);
}
async function onServer(id: string): Promise<boolean> {
  const stored = (await getFollowUp(table.db, table.tableName, id, clock))!;
  const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
  return tasks.length === 1 && contentDigest(tasks[0] as never, systems) === digestOf(stored, systems);
}
const pendingOf = async (id: string) => (await readPending(table.db, table.tableName, 1000, new Date('9999-12-31T00:00:00.000Z'))).filter((pending) => pending.id === id);
const outage = () => standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });

describe('an EHR outage heals within 2 minutes of the server answering again (CONTRACT §13)', () => {
  it('a follow-up changed during the outage: the page says the next try; the retry tick sends it within a tick of the server answering, and the page is current', async () => {
    const one = await sentThenChanged();
    await outage();
    const changed = await change(one.followUp.id);
    expect((await write(changed)).batchItemFailures).toHaveLength(1);
    const behind = await page(one.followUp.id);
    expect(behind?.state).toBe('behind');
    expect(behind?.next_try_at).toBe(new Date(clock.getTime() + TICK_MS).toISOString());

    // Still down at the tick: one request, nothing sent, the next try a tick further.
    later(TICK_MS);
    await standin.control.clearRequests();
    expect(await tick()).toMatchObject({ sent: 0, stopped: 'unavailable' });
    expect(await standin.control.requests()).toHaveLength(1);
    expect((await page(one.followUp.id))?.next_try_at).toBe(new Date(clock.getTime() + TICK_MS).toISOString());
    // Read later without a try of its own, it shows the next tick, never a time gone by.
    later(150_000);
    expect(Date.parse((await page(one.followUp.id))!.next_try_at!)).toBeGreaterThan(clock.getTime());

    // The server answers again; the next tick comes within FHIR_RETRY_SECONDS: the Task is on the server.
    await standin.control.clearFaults();
    const back = clock.getTime();
    later(TICK_MS);
    expect(await tick()).toMatchObject({ sent: 1, stopped: null });
    expect(clock.getTime() - back).toBeLessThanOrEqual(2 * 60_000);
    expect(await onServer(one.followUp.id)).toBe(true);
    expect(await pendingOf(one.followUp.id)).toEqual([]);
    expect(await page(one.followUp.id)).toMatchObject({ state: 'current', next_try_at: null });
  });

  it('a write the server takes sends the Tasks waiting from the outage at once, those moved behind by it too', async () => {
    const [a, b] = [await sentThenChanged(), await sentThenChanged()];
    await outage();
    const changedA = await change(a.followUp.id);
    expect((await write(changedA)).batchItemFailures).toHaveLength(1);
    // Three ticks fail on it: it moves behind the others, due at the next tick (an outage, not its own failure).
    for (let tries = 0; tries < 3; tries++) {
      later(TICK_MS);
      await tick();
    }
    const [moved] = await pendingOf(a.followUp.id);
    expect(moved?.sk.startsWith('~')).toBe(true);
    await standin.control.clearFaults();
    later(10_000);
    const changedB = await change(b.followUp.id);
    expect((await write(changedB)).batchItemFailures).toEqual([]);
    expect(await onServer(b.followUp.id)).toBe(true);
    expect(await onServer(a.followUp.id)).toBe(true);
    expect(await pendingOf(a.followUp.id)).toEqual([]);
  });

  it('a tick whose read of the pending records DynamoDB refuses (throttled) fails, and loses nothing: the next tick sends them', async () => {
    const one = await sentThenChanged();
    await outage();
    expect((await write(await change(one.followUp.id))).batchItemFailures).toHaveLength(1);
    await standin.control.clearFaults();
    const throttled = { ...table.db, query: async () => Promise.reject(Object.assign(new Error('throughput exceeded'), { name: 'ProvisionedThroughputExceededException' })) };
    later(TICK_MS);
    await expect(tick(throttled as unknown as typeof table.db)).rejects.toThrow('throughput exceeded');
    expect(await pendingOf(one.followUp.id)).toHaveLength(1);
    later(TICK_MS);
    expect(await tick()).toMatchObject({ sent: 1, stopped: null });
    expect(await onServer(one.followUp.id)).toBe(true);
  });

  it("a poll the server answers sends them too", async () => {
    const one = await sentThenChanged();
    await outage();
    expect((await write(await change(one.followUp.id))).batchItemFailures).toHaveLength(1);
    await standin.control.clearFaults();
    later(5_000);
    const poll = createFhirPollHandler({ ...deps(), ehr: { thresholds: DEFAULT_THRESHOLDS, closesHeld: false }, pollMax: 50 });
    expect((await poll({ source: 'aws.events' }, context)).kind).toBe('complete');
    expect(await onServer(one.followUp.id)).toBe(true);
    expect((await page(one.followUp.id))?.state).toBe('current');
  });
});
