/**
 * Each Task the FHIR server gives is decoded once (issue 86), as each stream
 * image is (test/unit/stream-decode-once.test.ts): through the real code on
 * DynamoDB Local and the stand-in FHIR server, readTask
 * (functions/core/fhir/read-task.ts) is counted per resource, and the FHIR
 * client keeps every Task the server answered with. A sync round over work done
 * in the EHR (its searches, the Task's history, its write's answer), a poll run
 * that hands a version on to the sync, and a notice's read (a live Task, the
 * tracker's own write, a deleted Task's history) each decode every Task they
 * read exactly once, and nothing else. test/unit/code-shape-task.test.ts keeps a
 * Task's `meta` out of every other file.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FhirHttp } from '../../functions/fhir/client/http';
import type { SyncDeps } from '../../functions/fhir/sync/sync';

/** How often each resource was decoded. */
const decoded = vi.hoisted(() => new Map<object, number>());

vi.mock('../../functions/core/fhir/read-task', async (original) => {
  const module = await original<typeof import('../../functions/core/fhir/read-task')>();
  const readTask: typeof module.readTask = (resource, systems) => {
    decoded.set(resource, (decoded.get(resource) ?? 0) + 1);
    return module.readTask(resource, systems);
  };
  return { ...module, readTask };
});

// Loaded afresh after the mock (test/unit/shared-workers-hygiene.test.ts): files share a worker.
vi.resetModules();
const { DEFAULT_FHIR_SYSTEMS } = await import('../../functions/core/fhir/task');
const { DEFAULT_THRESHOLDS } = await import('../../functions/core/staleness');
const { createFhirHttp } = await import('../../functions/fhir/client/http');
const { syncFollowUp } = await import('../../functions/fhir/sync/sync');
const { pollOnce } = await import('../../functions/fhir-writer/poll-run');
const { readNoticedTask } = await import('../../functions/fhir-writer/notice-reads');
const { startFhirStandin } = await import('../../local/fhir-standin');
const { createTestTable } = await import('../support/dynamodb');
const { openFollowUpItem } = await import('../support/open-follow-up');

const systems = DEFAULT_FHIR_SYSTEMS;
let table: Awaited<ReturnType<typeof createTestTable>>;
let standin: Awaited<ReturnType<typeof startFhirStandin>>;
/** The Tasks the server answered with since the last reset, each as the client handed it on. */
const given: object[] = [];
let http: FhirHttp;
let sync: SyncDeps;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTask = (value: unknown): value is Record<string, unknown> => isObject(value) && value.resourceType === 'Task';

/** The Tasks of an answer's body: the body itself, or a Bundle's entries'. */
function tasksIn(body: unknown): object[] {
  if (isTask(body)) return [body];
  const entries = isObject(body) && Array.isArray(body.entry) ? body.entry : [];
  return entries.map((entry) => (isObject(entry) ? entry.resource : undefined)).filter(isTask);
}

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-read-once'), startFhirStandin()]);
  const client = createFhirHttp({ baseUrl: standin.url, tokens: null });
  http = {
    send: async (request) => {
      const answer = await client.send(request);
      if (answer.kind === 'answer') given.push(...tasksIn(answer.body));
      return answer;
    },
  };
  sync = { db: table.db, tableName: table.tableName, http, systems, baseUrl: standin.url, now: () => new Date(), ehr: { thresholds: DEFAULT_THRESHOLDS } };
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
beforeEach(async () => {
  await standin.control.reset();
});

/** Starts counting afresh. */
function counting(): void {
  given.length = 0;
  decoded.clear();
}

/** Every Task the server gave was decoded exactly once, and nothing else was; `least`: how many were given at least. */
function expectEachDecodedOnce(least: number): void {
  expect(given.length).toBeGreaterThanOrEqual(least);
  expect(new Set(given).size).toBe(given.length);
  expect(given.map((task) => decoded.get(task) ?? 0)).toEqual(given.map(() => 1));
  expect([...decoded.keys()].filter((resource) => !given.includes(resource))).toEqual([]);
}

/** A follow-up whose Task the tracker wrote, then edited twice in the EHR (acknowledged, then completed): [its id, the Task's id]. */
async function workedInTheEhr(): Promise<[string, string]> {
  const id = await openFollowUpItem(table.db, table.tableName);
  expect((await syncFollowUp(sync, id)).kind).toBe('written');
  const task = (await standin.control.tasks()).find((one) => one.identifier?.some((identifier) => identifier.value === id))!;
  await standin.control.editTask(task.id!, { status: 'in-progress' });
  await standin.control.editTask(task.id!, { status: 'completed' });
  return [id, task.id!];
}

describe('a Task read from the FHIR server, decoded once', () => {
  it('a sync round over work done in the EHR: its searches, the versions of its history and its write\'s answer', async () => {
    const [id] = await workedInTheEhr();
    counting();
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    // Two searches (before and after applying), the history's three versions, and the Task the update answered.
    expectEachDecodedOnce(6);
  });

  it('a poll run that hands a version on: its page, and the sync it hands the follow-up to', async () => {
    const [id] = await workedInTheEhr();
    await openFollowUpItem(table.db, table.tableName).then((other) => syncFollowUp(sync, other));
    counting();
    const handed: string[] = [];
    const handle = async (followUpId: string) => {
      handed.push(followUpId);
      return syncFollowUp(sync, followUpId);
    };
    const result = await pollOnce({ ...sync, pollMax: 100, handle, timeLeftMs: () => 60_000, reserveMs: 1_000 });
    // The two Tasks, and the version the sync wrote meanwhile (the tracker's own, not handed on).
    expect(result).toMatchObject({ kind: 'complete', read: 3 });
    expect(handed).toEqual([id]);
    expectEachDecodedOnce(3 + 6);
  });

  it('a notice\'s read: a Task worked in the EHR, the tracker\'s own write, a deleted Task\'s history', async () => {
    const [id, taskId] = await workedInTheEhr();
    counting();
    expect(await readNoticedTask({ http, systems }, taskId)).toEqual({ kind: 'follow_up', id });
    expectEachDecodedOnce(1);
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written' });
    counting();
    expect(await readNoticedTask({ http, systems }, taskId)).toEqual({ kind: 'none', why: 'own_write' });
    expectEachDecodedOnce(1);
    await standin.control.deleteTask(taskId);
    counting();
    expect(await readNoticedTask({ http, systems }, taskId)).toEqual({ kind: 'follow_up', id });
    // The history's newest two entries: the deletion (no resource) and the version before it.
    expectEachDecodedOnce(1);
  });
});
