/**
 * Each EHR version by its own author (CONTRACT §13, issue 82): through the real
 * order-safe write (functions/fhir/sync/sync.ts) on DynamoDB Local and the
 * stand-in FHIR server, two people (or a person and an automation) saving the
 * Task before the tracker reads are each their own entry, read from the Task's
 * history; a history that will not be read names nobody (the host,
 * `versions_between`); a Patient is never an actor nor an owner; a close group
 * holds an EHR close. Each version is read against the one before: a save
 * after a close not applied (held, or met in a conflict) is never credited with
 * that close, and the newest version read is always the one recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
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
  rig = await startFhirSyncRig('fhir-ehr-authors');
  ({ table, standin, sync, host } = rig);
});
afterAll(async () => {
  await rig?.stop();
});
beforeEach(async () => {
  await standin.control.reset();
});

const ALICE = 'Practitioner/alice';
const BOB = 'Practitioner/bob';
const BOT = 'Device/task-bot';
const completed = { status: 'completed' as const, statusReason: { coding: [{ system: `${systems.code}/disposition`, code: 'tested_elsewhere' }] } };

async function openWithTask(): Promise<[string, string]> {
  const id = await openFollowUpItem(table.db, table.tableName);
  expect((await syncFollowUp(sync, id)).kind).toBe('written');
  const tasks = (await standin.control.tasks()).filter((task: Task) => task.identifier?.some((identifier) => identifier.value === id));
  return [id, tasks[0]!.id!];
}

const act = (id: string, body: Record<string, unknown>) => actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
const confirmationOf = (id: string) => readConfirmation(table.db, table.tableName, id, standin.url, true);
const followUpOf = async (id: string) => (await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp;
const ehrEntries = async (id: string) => (await readHistory(table.db, table.tableName, id, new Date())).filter((entry) => entry.source === 'ehr');

describe('each EHR version by its own author', () => {
  it('Alice completes, then Bob or an automation saves before the tracker reads: the close is Alice\'s', async () => {
    for (const [style, later] of [['meta', BOB], ['provenance', BOT]] as const) {
      await standin.control.setEhrAuthorStyle(style);
      const [id, taskId] = await openWithTask();
      const close = await standin.control.editTask(taskId, completed, { author: ALICE });
      await standin.control.editTask(taskId, { note: [{ text: 'called the lab' }] }, { author: later });
      expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
      expect(await followUpOf(id)).toMatchObject({ state: 'closed', closed_by: `ehr:${ALICE}` });
      const entries = await ehrEntries(id);
      expect(entries.map((entry) => [entry.action, entry.actor, entry.fhir_version_id])).toEqual([['close', `ehr:${ALICE}`, close.meta!.versionId]]);
      expect(JSON.stringify(entries)).not.toContain(later);
    }
  });

  it('two authors saving in a row are two entries, each naming its own author and version, in order, applied once', async () => {
    const [id, taskId] = await openWithTask();
    const close = await standin.control.editTask(taskId, completed, { author: ALICE });
    const reopen = await standin.control.editTask(taskId, { status: 'in-progress', statusReason: null }, { author: BOB });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    const entries = await ehrEntries(id);
    expect(entries.map((entry) => [entry.action, entry.actor, entry.fhir_version_id, entry.fhir_last_updated])).toEqual([
      ['close', `ehr:${ALICE}`, close.meta!.versionId, close.meta!.lastUpdated],
      ['reopen', `ehr:${BOB}`, reopen.meta!.versionId, reopen.meta!.lastUpdated],
    ]);
    expect(entries.some((entry) => 'versions_between' in entry)).toBe(false);
    // Read again (a poll, a notification, a retry): nothing applied twice.
    expect((await syncFollowUp(sync, id)).kind).toBe('unchanged');
    expect(await ehrEntries(id)).toHaveLength(2);
    expect((await followUpOf(id)).state).not.toBe('closed');
  });

  it('a history that will not be read (400, 403, 404, 410) applies the change as one, naming the host, marked versions_between; a 5xx leaves it to be read again', async () => {
    for (const status of [400, 403, 404, 410]) {
      const [id, taskId] = await openWithTask();
      await standin.control.editTask(taskId, completed, { author: ALICE });
      const last = await standin.control.editTask(taskId, { note: [{ text: 'filed' }] }, { author: BOB });
      await standin.control.injectFault({ kind: 'status', status, endpoint: 'read' });
      expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
      expect(await ehrEntries(id)).toEqual([expect.objectContaining({ action: 'close', actor: `ehr:${host}`, fhir_version_id: last.meta!.versionId, versions_between: true })]);
    }
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, completed, { author: ALICE });
    await standin.control.editTask(taskId, { note: [{ text: 'filed' }] }, { author: BOB });
    await standin.control.injectFault({ kind: 'status', status: 503, endpoint: 'read' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'not_final' });
    expect((await followUpOf(id)).state).toBe('new');
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect((await followUpOf(id)).closed_by).toBe(`ehr:${ALICE}`);
  });

  it('a Patient is never the actor (the host instead) nor the owner (held as invalid_owner)', async () => {
    await standin.control.setEhrAuthorStyle('meta');
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, completed, { author: 'Patient/mrn-12345' });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect((await followUpOf(id)).closed_by).toBe(`ehr:${host}`);

    const [other, otherTask] = await openWithTask();
    await standin.control.editTask(otherTask, { owner: { reference: 'Patient/mrn-12345' } }, { author: ALICE });
    expect(await syncFollowUp(sync, other)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    expect((await followUpOf(other)).owner).toBeNull();
    expect((await readConfirmation(table.db, table.tableName, other, standin.url, true))?.ehrChange).toMatchObject({ applied: false, why: 'invalid_owner', actor: `ehr:${ALICE}` });
    expect(JSON.stringify(await readHistory(table.db, table.tableName, other, new Date()))).not.toContain('mrn-12345');
  });

  it('with a close group set, an EHR close is held as forbidden unless FHIR_EHR_CLOSES=allow', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, completed, { author: ALICE });
    const grouped: SyncDeps = { ...sync, ehr: { thresholds: DEFAULT_THRESHOLDS, closesHeld: true } };
    expect(await syncFollowUp(grouped, id)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    expect((await followUpOf(id)).state).toBe('new');
    expect((await readConfirmation(table.db, table.tableName, id, standin.url, true))?.ehrChange).toMatchObject({ applied: false, why: 'forbidden', actions: ['close'] });

    const [allowed, allowedTask] = await openWithTask();
    await standin.control.editTask(allowedTask, completed, { author: ALICE });
    expect(await syncFollowUp({ ...sync, ehr: { thresholds: DEFAULT_THRESHOLDS, closesHeld: false } }, allowed)).toMatchObject({ kind: 'written', ehr: 'applied' });
    expect((await followUpOf(allowed)).state).toBe('closed');
  });

  it('a close met in a conflict, then Bob saves a field of the tracker\'s: Bob\'s version is recorded as his, the close never his, the Task written back', async () => {
    const [id, taskId] = await openWithTask();
    expect((await act(id, { action: 'acknowledge' })).kind).toBe('changed');
    await standin.control.editTask(taskId, completed, { author: ALICE });
    const priority = await standin.control.editTask(taskId, { priority: 'stat' }, { author: BOB });
    expect(await syncFollowUp(sync, id)).toMatchObject({ kind: 'written', ehr: 'conflict' });
    expect(await followUpOf(id)).toMatchObject({ state: 'acknowledged', closed_by: null });
    const confirmation = await confirmationOf(id);
    expect(confirmation?.ehrChange).toMatchObject({ at: priority.meta!.lastUpdated, actor: `ehr:${BOB}`, fhir_version_id: priority.meta!.versionId, actions: [], applied: false, why: 'tracker_only_field' });
    // The decision offered is Alice's close, the one that met the acknowledge (CONTRACT §13, "Nothing the EHR did goes unrecorded").
    expect(confirmation?.ehrChange?.decision).toEqual([{ action: 'close', disposition: 'tested_elsewhere' }]);
    expect(confirmation?.trackerChange).toMatchObject({ actor: 'j.doe', action: 'acknowledge' });
    // Nothing applied: the history records Alice's close as a conflict, once, and never as Bob's.
    expect((await ehrEntries(id)).map((entry) => [entry.action, entry.actor, entry.ehr_set])).toEqual([['ehr_conflict', `ehr:${ALICE}`, { status: 'completed', status_reason: 'tested_elsewhere' }]]);
    const task = (await standin.control.tasks()).find((one: Task) => one.id === taskId)!;
    expect([task.status, task.priority]).toEqual(['in-progress', 'routine']);
  });

  it('a close held, then Bob adds a note: the hold stays Alice\'s, read again it is not counted again, and a person\'s action here replaces it', async () => {
    const grouped: SyncDeps = { ...sync, ehr: { thresholds: DEFAULT_THRESHOLDS, closesHeld: true } };
    const [id, taskId] = await openWithTask();
    const close = await standin.control.editTask(taskId, completed, { author: ALICE });
    const note = await standin.control.editTask(taskId, { note: [{ text: 'called the lab' }] }, { author: BOB });
    expect(await syncFollowUp(grouped, id)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    const held = await confirmationOf(id);
    expect(held?.ehrChange).toMatchObject({ actor: `ehr:${ALICE}`, fhir_version_id: close.meta!.versionId, actions: ['close'], applied: false, why: 'forbidden' });
    expect(held?.heldVersionId).toBe(note.meta!.versionId);
    // Read again (a poll, a notification): held still, not counted again, no history read.
    await standin.control.clearRequests();
    expect(await syncFollowUp(grouped, id)).toEqual({ kind: 'changed_in_ehr' });
    expect((await standin.control.requests()).some((request) => request.path.includes('_history'))).toBe(false);
    expect(await act(id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' })).toMatchObject({ kind: 'changed' });
    expect(await syncFollowUp(grouped, id)).toEqual({ kind: 'written' });
    expect((await standin.control.tasks()).find((one: Task) => one.id === taskId)?.status).not.toBe('completed');
    // Not applied: recorded once as Alice's, with why, however often it was read.
    expect((await ehrEntries(id)).map((entry) => [entry.action, entry.actor, entry.why])).toEqual([['ehr_not_applied', `ehr:${ALICE}`, 'forbidden']]);
  });

  it('a status the tracker does not map, then Bob sets it back: no work, nothing held', async () => {
    const [id, taskId] = await openWithTask();
    await standin.control.editTask(taskId, { status: 'failed' }, { author: ALICE });
    await standin.control.editTask(taskId, { status: 'ready' }, { author: BOB });
    expect((await syncFollowUp(sync, id)).kind).toMatch(/^(unchanged|written)$/);
    expect((await confirmationOf(id))?.changedInEhrDigest).toBeNull();
    expect(await ehrEntries(id)).toEqual([]);
  });
});
