/**
 * Nothing the EHR did goes unrecorded (CONTRACT §13): through the real
 * order-safe write (functions/fhir/sync/sync.ts) on DynamoDB Local and the
 * stand-in FHIR server, a change not applied, a conflict and a deletion are
 * each one history entry of the tracker's (`ehr_not_applied`, `ehr_conflict`,
 * `ehr_deleted`) with what the EHR set in codes, once per EHR version however
 * often it is read; the hold, the conflict and the deletion behave as before
 * (nothing sent to the EHR by the entry, `conflict` until the next version
 * after it); the tracker's note on a write-back is added once and the nurse's
 * kept; the EHR person is named as the server gives the name, null when it
 * cannot be read; and no note text or patient name reaches the table.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Task } from '@medplum/fhirtypes';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { digestOf } from '../../functions/fhir/sync/source';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { isTrackerPersonEntry } from '../../functions/store/follow-ups/ehr-actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { readConfirmation } from '../../functions/store/fhir-records';
import type { FhirStandin } from '../../local/fhir-standin';
import type { TestTable } from '../support/dynamodb';
import { startFhirSyncRig, type FhirSyncRig } from '../support/fhir-sync-rig';
import { openFollowUpItem } from '../support/open-follow-up';

const systems = DEFAULT_FHIR_SYSTEMS;
let table: TestTable;
let standin: FhirStandin;
let sync: SyncDeps;
let host: string;
let rig: FhirSyncRig | undefined;

beforeAll(async () => {
  rig = await startFhirSyncRig('fhir-ehr-record');
  ({ table, standin, sync, host } = rig);
});
afterAll(async () => {
  await rig?.stop();
});
beforeEach(async () => {
  await standin.control.reset();
  await standin.control.setEhrAuthorStyle('meta');
  await standin.control.createPractitioner({ id: 'ann', name: [{ given: ['Ann'], family: 'Lee' }] });
  await standin.control.createPractitioner({ id: 'bo', name: [{ text: 'Bo Kim' }] });
  await standin.control.createPractitionerRole({ id: 'nurse-bo', practitioner: { reference: 'Practitioner/bo' } });
});

const NURSE_NOTE = { text: 'CANARY-NOTE called the patient', authorString: 'Nurse' };
const PATIENT = { reference: 'Patient/p-canary', display: 'CANARY-PATIENT Jane Roe' };
const testedElsewhere = { status: 'completed' as const, statusReason: { coding: [{ system: `${systems.code}/disposition`, code: 'tested_elsewhere' }] } };

async function openWithTask(): Promise<[string, string]> {
  const id = await openFollowUpItem(table.db, table.tableName);
  expect((await syncFollowUp(sync, id)).kind).toBe('written');
  return [id, (await taskOf(id)).id!];
}

async function taskOf(id: string): Promise<Task> {
  const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

async function fhirOf(id: string) {
  const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
  return fhirViewOf(await readConfirmation(table.db, table.tableName, id, standin.url, true), digestOf(stored, systems), standin.url, stored.followUp.version);
}

const history = (id: string) => readHistory(table.db, table.tableName, id, new Date());
const recorded = async (id: string, action: string) => (await history(id)).filter((entry) => entry.action === action);
const act = (id: string, body: Record<string, unknown>) => actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
const trackerNotes = (task: Task) => (task.note ?? []).filter((note) => note.authorString === 'redraw-tracker');

describe('a conflict is one ehr_conflict entry, by name, and the Task keeps every note', () => {
  it('recorded once with what the nurse set; conflict until the next version after it; her decision offered as one action; one note of the tracker\'s', async () => {
    const [id, taskId] = await openWithTask();
    expect((await act(id, { action: 'assign', owner: 'a.lee' })).kind).toBe('changed');
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await act(id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' })).kind).toBe('changed');
    // Ann closes the Task as tested elsewhere and clears the owner before the tracker's write of the contact reaches it.
    const edited = await standin.control.editTask(taskId, { ...testedElsewhere, owner: null, note: [NURSE_NOTE], for: PATIENT }, { author: 'Practitioner/ann' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'conflict' });

    const [entry, ...more] = await recorded(id, 'ehr_conflict');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'ehr:Practitioner/ann',
      actor_display: 'Ann Lee',
      source: 'ehr',
      fhir_version_id: edited.meta!.versionId,
      fhir_last_updated: edited.meta!.lastUpdated,
      why: 'conflict',
      ehr_set: { status: 'completed', status_reason: 'tested_elsewhere', owner: null },
      decision: [{ action: 'assign', owner: null }, { action: 'close', disposition: 'tested_elsewhere' }],
    });
    expect(isTrackerPersonEntry(entry!)).toBe(false);
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(stored.followUp).toMatchObject({ state: 'acknowledged', owner: 'a.lee' });
    expect(await fhirOf(id)).toMatchObject({
      state: 'conflict',
      ehr_change: { actor_display: 'Ann Lee', ehr_set: { status: 'completed', owner: null }, decision: [{ action: 'assign', owner: null }, { action: 'close', disposition: 'tested_elsewhere' }] },
    });

    // Written back at once: the tracker's content, the nurse's note kept, the tracker's note after it.
    const task = await taskOf(id);
    expect(task.status).toBe('in-progress');
    expect(task.note?.[0]).toEqual(NURSE_NOTE);
    expect(trackerNotes(task).map((note) => note.text)).toEqual([
      `Not applied in the tracker: status completed (Tested elsewhere), owner cleared, a person acted there at ${edited.meta!.lastUpdated!.slice(11, 16)} UTC; see the follow-up`,
    ]);

    // Read again and written again: no second entry, no second note, the conflict still shown.
    expect(await syncFollowUp(sync, id)).toEqual({ kind: 'unchanged' });
    expect(await recorded(id, 'ehr_conflict')).toHaveLength(1);
    expect((await fhirOf(id))?.state).toBe('conflict');

    // The decision taken here, as the person who clicks: closed, credited to them; the conflict over, one tracker note still.
    const decision = (await fhirOf(id))!.ehr_change!.decision!;
    for (const body of decision) expect((await act(id, body as Record<string, unknown>)).kind).toBe('changed');
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp).toMatchObject({ state: 'closed', disposition: 'tested_elsewhere', closed_by: 'j.doe', owner: null });
    expect(await syncFollowUp(sync, id)).toEqual({ kind: 'written' });
    expect((await fhirOf(id))?.state).toBe('current');
    const closed = await taskOf(id);
    expect([closed.status, closed.note?.[0], trackerNotes(closed).length]).toEqual(['completed', NURSE_NOTE, 1]);
  });
});

describe('a change not applied and a deletion are recorded once, and hold as before', () => {
  it('a status not mapped: one ehr_not_applied entry however often read, still held (the Task not overwritten) until a person acts, then one note', async () => {
    const [id, taskId] = await openWithTask();
    const edited = await standin.control.editTask(taskId, { status: 'failed', note: [NURSE_NOTE] }, { author: 'PractitionerRole/nurse-bo' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    for (let again = 0; again < 2; again++) expect(await syncFollowUp(sync, id)).toEqual({ kind: 'changed_in_ehr' });
    const entries = await recorded(id, 'ehr_not_applied');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'ehr:PractitionerRole/nurse-bo', actor_display: 'Bo Kim', why: 'status_not_mapped', fhir_version_id: edited.meta!.versionId, ehr_set: { status: 'failed', status_reason: null } });
    expect(await fhirOf(id)).toMatchObject({ state: 'changed_in_ehr', ehr_change: { actor_display: 'Bo Kim', why: 'status_not_mapped' } });
    expect((await taskOf(id)).status).toBe('failed');

    expect((await act(id, { action: 'acknowledge' })).kind).toBe('changed');
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    const task = await taskOf(id);
    expect([task.status, task.note?.[0]]).toEqual(['in-progress', NURSE_NOTE]);
    expect(trackerNotes(task).map((note) => note.text)).toEqual([expect.stringMatching(/^Not applied in the tracker: status failed, a person acted there at \d\d:\d\d UTC; see the follow-up$/)]);
    await act(id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect(trackerNotes(await taskOf(id))).toHaveLength(1);
  });

  it('a deletion: one ehr_deleted entry by the host, the Task not created again until a person acts', async () => {
    const [id, taskId] = await openWithTask();
    const confirmed = (await taskOf(id)).meta!.versionId;
    await standin.control.deleteTask(taskId);
    for (let read = 0; read < 3; read++) expect((await syncFollowUp(sync, id)).kind).toBe('deleted_in_ehr');
    const entries = await recorded(id, 'ehr_deleted');
    expect(entries.map((entry) => [entry.actor, entry.fhir_version_id, entry.why, entry.source])).toEqual([[`ehr:${host}`, confirmed, 'deleted_in_ehr', 'ehr']]);
    expect((await fhirOf(id))?.state).toBe('deleted_in_ehr');
    expect(await standin.control.tasks()).toEqual([]);
    await act(id, { action: 'acknowledge' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await taskOf(id)).status).toBe('in-progress');
  });
});

describe('the EHR person by name (CONTRACT §13)', () => {
  it('a Practitioner\'s name on the applied entries and ehr_change, read once a delivery; null when the read fails, the work applied all the same', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.clearRequests();
    await standin.control.editTask(taskId, { status: 'in-progress', owner: { reference: 'Practitioner/ann' } }, { author: 'Practitioner/ann' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect((await history(id)).at(-1)).toMatchObject({ action: 'assign', actor: 'ehr:Practitioner/ann', actor_display: 'Ann Lee' });
    expect((await fhirOf(id))?.ehr_change).toMatchObject({ actor_display: 'Ann Lee', applied: true });
    // Ann's Practitioner read once for her name, once more for the owner's identifier: never twice for one purpose.
    expect((await standin.control.requests()).filter((request) => request.path.endsWith('Practitioner/ann')).length).toBeLessThanOrEqual(2);

    const [other, otherTask] = await openWithTask();
    await standin.control.editTask(otherTask, testedElsewhere, { author: 'Practitioner/ann' });
    await standin.control.injectFault({ kind: 'status', status: 503, endpoint: 'practitioner', times: 'always' });
    expect(await syncFollowUp(sync, other)).toMatchObject({ kind: 'written', ehr: 'applied' });
    await standin.control.clearFaults();
    expect((await history(other)).at(-1)).toMatchObject({ action: 'close', actor: 'ehr:Practitioner/ann', actor_display: null });
  });

  it('a patient is never named: no note text, no patient name, no display in the table', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, { status: 'failed', note: [NURSE_NOTE], for: PATIENT, owner: PATIENT }, { author: 'Patient/p-canary' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'changed_in_ehr' });
    const [entry] = await recorded(id, 'ehr_not_applied');
    expect(entry).toMatchObject({ actor: `ehr:${host}`, actor_display: null, ehr_set: { owner: 'Patient' } });
    const scan = await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true }));
    expect(JSON.stringify(scan.Items)).not.toMatch(/CANARY|p-canary/);
  });
});
