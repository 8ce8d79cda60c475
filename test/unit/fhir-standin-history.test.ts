/**
 * The stand-in FHIR server's instance history (local/fhir-standin/history.ts),
 * as Medplum's server answers `GET [base]/Task/{id}/_history`: newest first,
 * `_count` honoured, a deleted Task's history kept (its deletion an entry with
 * no resource, 410), 404 for a Task never stored; and how the writer reads one
 * (fhir-writer/notice-reads.ts historyTasks). No DynamoDB: a unit file.
 */
import type { Bundle, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { historyTasks } from '../../functions/fhir-writer/notice-reads';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';

let standin: FhirStandin;
beforeAll(async () => {
  standin = await startFhirStandin();
});
afterAll(async () => {
  await standin?.stop();
});
beforeEach(async () => {
  await standin.control.reset();
});

const task = (value: string): Task => ({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: 'urn:redraw-tracker:follow-up', value }] });

async function history(id: string, query = ''): Promise<{ status: number; body: Bundle<Task> }> {
  const response = await fetch(`${standin.url}/Task/${id}/_history${query}`, { headers: { accept: 'application/fhir+json' } });
  return { status: response.status, body: (await response.json()) as Bundle<Task> };
}

/** Each entry as [response status, the version it carries, or null]. */
const steps = (bundle: Bundle<Task>) => (bundle.entry ?? []).map((entry) => [entry.response?.status, entry.resource?.meta?.versionId ?? null]);

describe('the stand-in\'s instance history', () => {
  it('lists a Task\'s versions newest first, as many as _count asks, every time in the same order', async () => {
    const created = await standin.control.createTask(task('a'));
    const edited = await standin.control.editTask(created.id!, { status: 'in-progress' });
    const all = await history(created.id!);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
    expect(steps(all.body)).toEqual([['200', edited.meta!.versionId], ['200', created.meta!.versionId]]);
    // The engine's own reverses its list at each read: this one never does.
    expect(steps((await history(created.id!)).body)).toEqual(steps(all.body));
    expect(steps((await history(created.id!, '?_count=1')).body)).toEqual([['200', edited.meta!.versionId]]);
  });

  it('keeps a deleted Task\'s history: the deletion first, without a resource (410), then the version before it', async () => {
    const created = await standin.control.createTask(task('b'));
    await standin.control.deleteTask(created.id!);
    expect((await fetch(`${standin.url}/Task/${created.id!}`)).status).toBe(404);
    const gone = await history(created.id!, '?_count=2');
    expect(gone.status).toBe(200);
    expect(steps(gone.body)).toEqual([['410', null], ['200', created.meta!.versionId]]);
    expect(gone.body.entry![0]!.response?.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'deleted' }] });
    // The writer reads the Task of the newest entry that has one.
    expect(historyTasks(gone.body)?.map((one) => one.id)).toEqual([created.id]);
  });

  it('answers 404 for a Task never stored; the writer reads no Task from what is not a history Bundle', async () => {
    expect((await history('never-there')).status).toBe(404);
    expect(historyTasks({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: task('c') }] })).toBeNull();
    expect(historyTasks({ resourceType: 'OperationOutcome' })).toBeNull();
    expect(historyTasks({ resourceType: 'Bundle', type: 'history' })).toEqual([]);
  });
});
