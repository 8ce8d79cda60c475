/**
 * Work done in the EHR and in the tracker at once (CONTRACT §13, "Work done in
 * the EHR comes back"), as a property against the stand-in FHIR server and
 * DynamoDB Local: any interleaving of EHR users' edits (several between two
 * reads among them), people's actions in the tracker, the tracker's own
 * changes and deliveries of the order-safe write (duplicated, and two at
 * once), ending with a person's action. Then:
 * - the follow-up and its Task agree, and `fhir.state` is current;
 * - each EHR version is applied at most once (its entries are one write);
 * - no EHR user's change a delivery read is lost: the newest version it read
 *   is applied, held with its reason, recorded as a conflict, or no work
 *   (CONTRACT §13, each version read against the one before: its content is
 *   what the tracker had taken, the content confirmed or a version that read
 *   applied; or the same as the version before it, which is then accounted
 *   for in turn).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task, TaskRestriction } from '@medplum/fhirtypes';
import { contentOf, sameTaskContent, type ConfirmedContent } from '../../functions/core/fhir/ehr-change';
import { readTask } from '../../functions/core/fhir/read-task';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { digestOf } from '../../functions/fhir/sync/source';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import { readConfirmation } from '../../functions/store/fhir-records';
import type { FhirStandin } from '../../local/fhir-standin';
import type { FhirStandinVersion } from '../../local/fhir-standin/types';
import type { TestTable } from '../support/dynamodb';
import { startFhirSyncRig, type FhirSyncRig } from '../support/fhir-sync-rig';
import { openFollowUpItem } from '../support/open-follow-up';
import { propertyRuns } from '../support/property-runs';

const systems = DEFAULT_FHIR_SYSTEMS;
let table: TestTable;
let standin: FhirStandin;
let sync: SyncDeps;

let rig: FhirSyncRig | undefined;

beforeAll(async () => {
  rig = await startFhirSyncRig('fhir-ehr-property');
  ({ table, standin, sync } = rig);
});
afterAll(async () => {
  await rig?.stop();
});

const DAY = 86_400_000;
const reason = (kind: 'disposition' | 'snooze-reason', code: string) => ({ coding: [{ system: `${systems.code}/${kind}`, code }] });
const hold = (days: number): TaskRestriction => ({ period: { end: new Date(Date.now() + days * DAY).toISOString() } });

/** An EHR user's edit of the Task as it is: the fields it sets (null removes). */
type EhrEdit = Record<string, unknown>;
const ehrEdits: fc.Arbitrary<EhrEdit> = fc.constantFrom<EhrEdit>(
  { status: 'completed', statusReason: reason('disposition', 'tested_elsewhere'), restriction: null },
  { status: 'cancelled', statusReason: null, restriction: null },
  { status: 'in-progress', owner: { reference: 'Practitioner/77' } },
  { status: 'in-progress', statusReason: null, restriction: null },
  { status: 'ready', statusReason: null, restriction: null },
  { status: 'on-hold', restriction: 'ahead', statusReason: reason('snooze-reason', 'appointment_booked') },
  { status: 'on-hold', restriction: 'far', statusReason: null },
  { owner: { identifier: { system: systems.owner, value: 'ehr.owner' } } },
  { owner: null },
  { status: 'failed' },
  { priority: 'stat' },
  { note: [{ text: 'left a voicemail' }] },
);

type Step =
  | { kind: 'ehr'; edit: EhrEdit }
  | { kind: 'act'; body: Record<string, unknown> }
  | { kind: 'stale'; on: boolean }
  | { kind: 'deliver'; twice: boolean; together: boolean };

const steps: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: ehrEdits.map<Step>((edit) => ({ kind: 'ehr', edit })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Step>(
      { kind: 'act', body: { action: 'acknowledge' } },
      { kind: 'act', body: { action: 'assign', owner: 'a.lee' } },
      { kind: 'act', body: { action: 'record_contact', channel: 'phone', outcome: 'no_answer' } },
      { kind: 'act', body: { action: 'close', disposition: 'patient_unreachable' } },
      { kind: 'act', body: { action: 'reopen' } },
      { kind: 'act', body: { action: 'unsnooze' } },
    ),
  },
  { weight: 1, arbitrary: fc.boolean().map<Step>((on) => ({ kind: 'stale', on })) },
  { weight: 3, arbitrary: fc.record({ twice: fc.boolean(), together: fc.boolean() }).map<Step>((plan) => ({ kind: 'deliver', ...plan })) },
);

async function openWithTask(): Promise<string> {
  const id = await openFollowUpItem(table.db, table.tableName);
  await syncFollowUp(sync, id);
  return id;
}

async function taskOf(id: string): Promise<Task> {
  const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

async function editInEhr(id: string, edit: EhrEdit): Promise<string> {
  const task = await taskOf(id);
  const patch: Record<string, unknown> = { ...edit };
  if (edit.restriction === 'ahead') patch.restriction = hold(2);
  if (edit.restriction === 'far') patch.restriction = hold(120);
  const edited = await standin.control.editTask(task.id!, patch);
  return edited.meta!.versionId!;
}

async function setStale(id: string, on: boolean): Promise<void> {
  for (let race = 0; race < 5; race++) {
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    const flag = on ? { since: '2026-11-22T00:00:00.000Z', reason: 'no_progress', orderId: stored.followUp.initial_order_id!, statusTime: stored.followUp.opened_at } : null;
    if ((await writeBookkeeping(table.db, table.tableName, stored, { ...stored, staleFlag: flag })) === 'written') return;
  }
}

/** What a delivery read: the Task's newest version, and the version and content the tracker had confirmed. */
interface Read {
  versionId: string;
  confirmedVersionId: string | null;
  confirmed: ConfirmedContent | null;
}

/** The Task's current version when it is the EHR's work (not the tracker's own) and not what the tracker confirmed. */
async function ehrVersionNow(id: string): Promise<Read | null> {
  const found = readTask((await taskOf(id)) as unknown as Record<string, unknown>, systems)!;
  const confirmation = await readConfirmation(table.db, table.tableName, id, standin.url, true);
  if (found.trackersContent || found.versionId === confirmation?.versionId) return null;
  return { versionId: found.versionId!, confirmedVersionId: confirmation?.versionId ?? null, confirmed: confirmation?.content ?? null };
}

/**
 * Whether version `at` of the Task (its `log`, oldest first), read by `read`, is accounted for (CONTRACT §13): applied
 * (its history entries: `applied`) or recorded (`fhir.ehr_change` after a delivery), both in `accountedFor`; else no work: back at
 * what the tracker had taken in that read (the content confirmed, or the newest version after it the tracker wrote or
 * applied), or no change against the version before it, which must then be accounted for itself. Compared as §13
 * compares (a record read back from DynamoDB keeps its map's keys in another order).
 */
function accounted(log: FhirStandinVersion[], at: number, read: Read, accountedFor: Set<string>, applied: Set<string>): boolean {
  const contentAt = (index: number) => contentOf(log[index]!.resource as unknown as Record<string, unknown>, systems);
  if (accountedFor.has(log[at]!.versionId)) return true;
  const from = log.findIndex((version) => version.versionId === read.confirmedVersionId);
  const taken = log.slice(from + 1, at).findLast((version) => version.by === 'api' || applied.has(version.versionId));
  const base = taken === undefined ? read.confirmed : contentOf(taken.resource as unknown as Record<string, unknown>, systems);
  if (base !== null && sameTaskContent(contentAt(at), base)) return true;
  return at - 1 > from && sameTaskContent(contentAt(at), contentAt(at - 1)) && accounted(log, at - 1, read, accountedFor, applied);
}

describe('work done in the EHR and in the tracker at once', () => {
  it('ends agreeing, each EHR version applied at most once, and no change a delivery read lost (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { minLength: 3, maxLength: 10 }), async (plan) => {
        const id = await openWithTask();
        const seen: Read[] = [];
        const accountedFor = new Set<string>();
        for (const step of plan) {
          if (step.kind === 'ehr') await editInEhr(id, step.edit);
          else if (step.kind === 'act') await actOnFollowUp(table.db, table.tableName, { id, body: step.body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
          else if (step.kind === 'stale') await setStale(id, step.on);
          else {
            const read = await ehrVersionNow(id);
            if (read !== null) seen.push(read);
            const deliveries = step.twice ? 2 : 1;
            if (step.together) await Promise.all(Array.from({ length: deliveries }, () => syncFollowUp(sync, id)));
            else for (let one = 0; one < deliveries; one++) await syncFollowUp(sync, id);
            const change = (await readConfirmation(table.db, table.tableName, id, standin.url, true))?.ehrChange;
            if (change?.fhir_version_id != null) accountedFor.add(change.fhir_version_id);
          }
        }
        // The end: what is left read (EHR work a delivery has not read yet may meet the last action as a conflict,
        // which lasts until the next version), then a person's action here, and the writer's deliveries.
        await syncFollowUp(sync, id);
        const closed = (await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp.state === 'closed';
        const last = closed ? { action: 'reopen' } : { action: 'record_contact', channel: 'sms', outcome: 'left_message' };
        expect((await actOnFollowUp(table.db, table.tableName, { id, body: last, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS })).kind).toBe('changed');
        for (let round = 0; round < 2; round++) await syncFollowUp(sync, id);

        const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
        const task = (await taskOf(id)) as unknown as Record<string, unknown>;
        expect(contentDigest(task, systems)).toBe(digestOf(stored, systems));
        const view = fhirViewOf(await readConfirmation(table.db, table.tableName, id, standin.url, true), digestOf(stored, systems), standin.url, stored.followUp.version);
        expect(view?.state).toBe('current');

        const history = await readHistory(table.db, table.tableName, id, new Date());
        // One write per EHR version: its entries are consecutive versions, never two runs of them.
        const runs = history.map((entry) => (entry.source === 'ehr' ? String(entry.fhir_version_id) : null)).filter((value, index, all) => value !== null && value !== all[index - 1]);
        expect(new Set(runs).size).toBe(runs.length);
        const applied = new Set(runs.map(String));
        for (const versionId of applied) accountedFor.add(versionId);
        const log = (await standin.control.versions()).filter((version) => version.id === (task.id as string));
        for (const read of seen) {
          const at = log.findIndex((version) => version.versionId === read.versionId);
          expect(accounted(log, at, read, accountedFor, applied), read.versionId).toBe(true);
        }
      }),
      { numRuns: propertyRuns(25) },
    );
  }, 120_000);
});
