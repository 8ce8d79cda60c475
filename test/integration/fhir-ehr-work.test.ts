/**
 * Work done on a Task in the EHR comes back (CONTRACT §13): through the real
 * order-safe write (functions/fhir/sync/sync.ts) on DynamoDB Local and the stand-in
 * FHIR server, a Task an EHR user completed, snoozed, took or reassigned is
 * that person's action on the follow-up, once, with `source: "ehr"`; a change
 * §13 does not apply is held with why; a conflict with a person's action here
 * writes the tracker's content back; with FHIR_EHR_ACTIONS off it is held as before.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { readTask } from '../../functions/core/fhir/read-task';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { digestOf } from '../../functions/fhir/sync/source';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
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
  rig = await startFhirSyncRig('fhir-ehr-work');
  ({ table, standin, sync, host } = rig);
});
afterAll(async () => {
  await rig?.stop();
});
beforeEach(async () => {
  await standin.control.reset();
});

/** A follow-up opened as the tracker does, its Task written and confirmed: [follow-up id, Task id]. */
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

const act = (id: string, body: Record<string, unknown>) => actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });

describe('a Task worked in the EHR is the person\'s action on its follow-up', () => {
  it('completed there closes the follow-up once, as the EHR user, and the Task is brought to the tracker\'s mapping', async () => {
    const [id, taskId] = await openWithTask();
    const edited = await standin.control.editTask(taskId, { status: 'completed', statusReason: { coding: [{ system: `${systems.code}/disposition`, code: 'tested_elsewhere' }] } });

    const outcome = await syncFollowUp(sync, id);
    expect(outcome).toMatchObject({ kind: 'written', ehr: 'applied' });
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(stored.followUp).toMatchObject({ state: 'closed', disposition: 'tested_elsewhere', closed_by: `ehr:${host}` });
    const close = (await readHistory(table.db, table.tableName, id, new Date())).at(-1)!;
    expect(close).toMatchObject({ action: 'close', actor: `ehr:${host}`, source: 'ehr', fhir_version_id: edited.meta!.versionId, fhir_last_updated: edited.meta!.lastUpdated });

    // The Task is the tracker's again: its digest, the closing time, `completed` as the mapping says.
    const task = await taskOf(id);
    expect(readTask(task as unknown as Record<string, unknown>, systems)?.trackersContent).toBe(true);
    expect(task.status).toBe('completed');
    expect(task.executionPeriod?.end).toBeDefined();

    // Read again (a poll, a notification, a retry): applied at most once.
    for (let again = 0; again < 2; again++) expect((await syncFollowUp(sync, id)).kind).toBe('unchanged');
    expect(await readHistory(table.db, table.tableName, id, new Date())).toHaveLength(stored.followUp.version);
    expect(await fhirOf(id)).toMatchObject({ state: 'current', ehr_change: { actor: `ehr:${host}`, actions: ['close'], applied: true, why: null, fhir_version_id: edited.meta!.versionId } });
  });

  it('taken there by a Practitioner reference: assigned to the reference (no Practitioner to read), acknowledged, and written back as that reference', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, { status: 'in-progress', owner: { reference: 'Practitioner/123', display: 'Dr Canary Name' } });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(stored.followUp).toMatchObject({ state: 'acknowledged', owner: 'Practitioner/123' });
    // Assign acknowledges a new follow-up already: the acknowledge after it changes nothing, and adds no version.
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'assign']);
    expect((await fhirOf(id))?.ehr_change?.actions).toEqual(['assign', 'acknowledge']);
    const task = await taskOf(id);
    expect(task.owner).toEqual({ reference: 'Practitioner/123', identifier: { system: systems.owner, value: 'Practitioner/123' }, display: 'Practitioner/123' });
    // The EHR's display (a person's name) is never kept.
    expect(JSON.stringify(await readHistory(table.db, table.tableName, id, new Date()))).not.toContain('Canary');

    // A person reassigns in the tracker: the reference goes, the Task names the new owner by identifier only.
    await act(id, { action: 'assign', owner: 'a.lee' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await taskOf(id)).owner).toEqual({ identifier: { system: systems.owner, value: 'a.lee' }, display: 'a.lee' });
  });

  it('snoozed there until a day ahead: snoozed until then; set back to in-progress: unsnoozed', async () => {
    const [id, taskId] = await openWithTask();
    const until = new Date(Date.now() + 86_400_000).toISOString();
    await standin.control.editTask(taskId, { status: 'on-hold', restriction: { period: { end: until } }, statusReason: { coding: [{ system: `${systems.code}/snooze-reason`, code: 'appointment_booked' }] } });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    const snoozed = (await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp;
    expect(snoozed).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked' });
    expect(Date.parse(snoozed.snoozed_until!)).toBe(Date.parse(until));

    await standin.control.editTask((await taskOf(id)).id!, { status: 'in-progress', restriction: null, statusReason: null });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp).toMatchObject({ state: 'acknowledged', snoozed_until: null });
  });
});

describe('only the tracker states the tracker\'s digest (CONTRACT §13 implementation notes)', () => {
  it('a hand-made Task restating the digest with a higher follow-up-revision is EHR work: applied as the person\'s close, then written over with the tracker\'s content', async () => {
    const [id, taskId] = await openWithTask();
    const current = (await taskOf(id)) as unknown as Record<string, unknown>;
    const { revision } = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    // Anyone who reads the contract can compute the digest: a close, its revision claimed above the tracker's own.
    const closed: Record<string, unknown> = { ...current, status: 'completed', statusReason: { coding: [{ system: `${systems.code}/disposition`, code: 'tested_elsewhere' }] } };
    const claimed = (closed.extension as { url: string }[]).map((extension) => (extension.url === `${systems.code}/follow-up-revision` ? { ...extension, valueInteger: revision + 50 } : extension));
    const digest = contentDigest({ ...closed, extension: claimed }, systems);
    const extension = claimed.map((extension) => (extension.url === `${systems.code}/content-digest` ? { ...extension, valueString: digest } : extension));
    const forged = await standin.control.editTask(taskId, { status: 'completed', statusReason: closed.statusReason as Task['statusReason'], extension: extension as Task['extension'] });
    expect(readTask(forged as unknown as Record<string, unknown>, systems)).toMatchObject({ trackersContent: true, revision: revision + 50 });

    expect(await syncFollowUp(sync, id)).toEqual({ kind: 'written', ehr: 'applied', restated: true });
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(stored.followUp).toMatchObject({ state: 'closed', disposition: 'tested_elsewhere' });
    expect((await readHistory(table.db, table.tableName, id, new Date())).at(-1)).toMatchObject({ action: 'close', source: 'ehr', fhir_version_id: forged.meta!.versionId });
    // The Task holds the tracker's own content again, at the revision it wrote; read again, nothing more to do.
    expect(readTask((await taskOf(id)) as unknown as Record<string, unknown>, systems)).toMatchObject({ trackersContent: true, revision: stored.revision });
    expect(await syncFollowUp(sync, id)).toEqual({ kind: 'unchanged' });
  });
});

describe('what is not applied, and conflicts', () => {
  it('a status §13 does not map is held with why, the Task not overwritten, until a person acts here', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, { status: 'failed' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    expect((await taskOf(id)).status).toBe('failed');
    expect(await fhirOf(id)).toMatchObject({ state: 'changed_in_ehr', ehr_change: { applied: false, why: 'status_not_mapped', actor: `ehr:${host}` } });
    // Read again: still held, without counting it again.
    expect(await syncFollowUp(sync, id)).toEqual({ kind: 'changed_in_ehr' });

    await act(id, { action: 'acknowledge' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await taskOf(id)).status).toBe('in-progress');
  });

  it('a change made over a version the EHR user did not see, after a person acted here, is a conflict: not applied, the tracker\'s content written back', async () => {
    const [id, taskId] = await openWithTask();
    await act(id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    // The EHR user closes the Task before the tracker's write of that contact reaches it.
    await standin.control.editTask(taskId, { status: 'cancelled' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'conflict' });
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(stored.followUp.state).toBe('acknowledged');
    expect((await taskOf(id)).status).toBe('in-progress');
    expect(await fhirOf(id)).toMatchObject({
      state: 'conflict',
      ehr_change: { applied: false, actions: ['close'] },
      tracker_change: { actor: 'j.doe', action: 'record_contact' },
    });
    // The conflict lasts until the follow-up's next version.
    await act(id, { action: 'assign', owner: 'a.lee' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await fhirOf(id))?.state).toBe('current');
  });

  it('with FHIR_EHR_ACTIONS off, nothing comes back: the Task is held as changed_in_ehr until a person acts', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, { status: 'completed' });
    expect(await syncFollowUp({ ...sync, ehr: null }, id)).toEqual({ kind: 'changed_in_ehr' });
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp.state).toBe('new');
    expect(await fhirOf(id)).toMatchObject({ state: 'changed_in_ehr', ehr_change: null });
  });
});

describe('who did it: the actor and the owner read from the server (CONTRACT §13)', () => {
  const close = { status: 'completed' as const };
  const closedBy = async (id: string) => (await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp.closed_by;

  it('is the version\'s meta.author where the server sets one, else its Provenance\'s agent, else the server\'s host', async () => {
    for (const [style, actor] of [
      ['meta', 'ehr:Practitioner/123'],
      ['provenance', 'ehr:Practitioner/123'],
      ['none', `ehr:${host}`],
    ] as const) {
      await standin.control.setEhrAuthorStyle(style);
      const [id, taskId] = await openWithTask();
      await standin.control.editTask(taskId, close, { author: 'Practitioner/123' });
      expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
      expect(await closedBy(id)).toBe(actor);
    }
  });

  it('a Provenance read answering 403 or 404 gives the host; a 5xx leaves the change to be read again, applied once the server answers', async () => {
    await standin.control.setEhrAuthorStyle('provenance');
    for (const status of [403, 404]) {
      const [id, taskId] = await openWithTask();
      await standin.control.editTask(taskId, close, { author: 'Practitioner/123' });
      await standin.control.injectFault({ kind: 'status', status, endpoint: 'provenance' });
      expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
      expect(await closedBy(id)).toBe(`ehr:${host}`);
    }
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, close, { author: 'Practitioner/123' });
    await standin.control.injectFault({ kind: 'status', status: 503, endpoint: 'provenance' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'not_final', reason: 'server' });
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp.state).toBe('new');
    expect((await taskOf(id)).status).toBe('completed');
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect(await closedBy(id)).toBe('ehr:Practitioner/123');
  });

  it('an owner\'s Practitioner or PractitionerRole is read for its identifier in FHIR_OWNER_SYSTEM; one that answers 403 or 404 gives the reference', async () => {
    await standin.control.createPractitioner({ id: 'dr-a', identifier: [{ system: 'urn:other', value: 'x' }, { system: systems.owner, value: 'a.lee' }] });
    await standin.control.createPractitionerRole({ id: 'role-b', identifier: [{ system: systems.owner, value: 'b.kim' }], practitioner: { reference: 'Practitioner/dr-a' } });
    const cases: [Record<string, unknown>, string, number | null][] = [
      [{ reference: 'Practitioner/dr-a' }, 'a.lee', null],
      [{ reference: 'PractitionerRole/role-b' }, 'b.kim', null],
      [{ reference: 'Practitioner/dr-a' }, 'Practitioner/dr-a', 403],
      [{ reference: 'Practitioner/nobody' }, 'Practitioner/nobody', null],
    ];
    for (const [owner, expected, fault] of cases) {
      const [id, taskId] = await openWithTask();
      await standin.control.editTask(taskId, { owner });
      if (fault !== null) await standin.control.injectFault({ kind: 'status', status: fault, endpoint: 'practitioner' });
      expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
      expect((await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp.owner).toBe(expected);
      // Written back as the reference the EHR set, with the identifier and display beside it.
      expect((await taskOf(id)).owner).toEqual({ ...owner, identifier: { system: systems.owner, value: expected }, display: expected });
    }
  });

  it('a Task deleted in the EHR is created again only by a person\'s next action', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.deleteTask(taskId);
    expect((await syncFollowUp(sync, id)).kind).toBe('deleted_in_ehr');
    expect((await fhirOf(id))?.state).toBe('deleted_in_ehr');
    await act(id, { action: 'acknowledge' });
    expect((await syncFollowUp(sync, id)).kind).toBe('written');
    expect((await taskOf(id)).status).toBe('in-progress');
  });
});
