/**
 * Each EHR version by its own author (CONTRACT §13, issue 82), as a property
 * against the stand-in FHIR server and DynamoDB Local: any interleaving of EHR
 * saves by several authors (people and an automation, several between two
 * reads), the tracker's own changes, the writer's deliveries (duplicated, and
 * two at once) and poll runs. Then each EHR version is applied once, by its own
 * author, in the order saved, every move of the Task's status is in the
 * history, and the history has no gap.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { pollOnce } from '../../functions/fhir-writer/poll-run';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import type { FhirStandin } from '../../local/fhir-standin';
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
  rig = await startFhirSyncRig('fhir-ehr-authors-property');
  ({ table, standin, sync } = rig);
});
afterAll(async () => {
  await rig?.stop();
});

const AUTHORS = ['Practitioner/alice', 'Practitioner/bob', 'Device/task-bot'] as const;
/** A move of the Task's status (each a §9 action the follow-up takes in the order saved), an owner, or a note (no action). */
type Move = 'status' | 'assign' | 'note';
type Step = { kind: 'ehr'; author: (typeof AUTHORS)[number]; move: Move } | { kind: 'stale'; on: boolean } | { kind: 'deliver'; twice: boolean; together: boolean } | { kind: 'poll' };

const steps: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ author: fc.constantFrom(...AUTHORS), move: fc.constantFrom<Move>('status', 'status', 'assign', 'note') }).map<Step>((save) => ({ kind: 'ehr', ...save })) },
  { weight: 1, arbitrary: fc.boolean().map<Step>((on) => ({ kind: 'stale', on })) },
  { weight: 2, arbitrary: fc.record({ twice: fc.boolean(), together: fc.boolean() }).map<Step>((plan) => ({ kind: 'deliver', ...plan })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'poll' }) },
);

/** The next status from `status` (each a move §13's table maps): close, reopen, snooze and unsnooze in turn. */
function statusPatch(status: string): Record<string, unknown> {
  if (status === 'completed' || status === 'cancelled') return { status: 'ready', statusReason: null, restriction: null };
  if (status === 'on-hold') return { status: 'in-progress', statusReason: null, restriction: null };
  if (status === 'in-progress') return { status: 'completed', statusReason: { coding: [{ system: `${systems.code}/disposition`, code: 'tested_elsewhere' }] }, restriction: null };
  return { status: 'on-hold', restriction: { period: { end: new Date(Date.now() + 2 * 86_400_000).toISOString() } }, statusReason: { coding: [{ system: `${systems.code}/snooze-reason`, code: 'appointment_booked' }] } };
}

async function taskOf(id: string): Promise<Task> {
  const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

async function setStale(id: string, on: boolean): Promise<void> {
  for (let race = 0; race < 5; race++) {
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    const flag = on ? { since: '2026-11-22T00:00:00.000Z', reason: 'no_progress', orderId: stored.followUp.initial_order_id!, statusTime: stored.followUp.opened_at } : null;
    if ((await writeBookkeeping(table.db, table.tableName, stored, { ...stored, staleFlag: flag })) === 'written') return;
  }
}

const poll = () => pollOnce({ db: table.db, tableName: table.tableName, http: sync.http, systems, baseUrl: standin.url, pollMax: 100, handle: (id) => syncFollowUp(sync, id), timeLeftMs: () => 60_000, reserveMs: 0, now: () => new Date() });

/** A save: its version, author, and whether it moved the status (an action the follow-up must take). */
interface Saved {
  versionId: string;
  author: string;
  moved: boolean;
}

describe('each EHR version by its own author, whatever the interleaving', () => {
  it('applies each version once, by its author, in order, every status move recorded, the history without a gap (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('meta', 'provenance'), fc.array(steps, { minLength: 3, maxLength: 8 }), async (style, plan) => {
        await standin.control.setEhrAuthorStyle(style as 'meta' | 'provenance');
        const id = await openFollowUpItem(table.db, table.tableName);
        await syncFollowUp(sync, id);
        const saved: Saved[] = [];
        for (const [index, step] of plan.entries()) {
          if (step.kind === 'ehr') {
            const task = await taskOf(id);
            const closed = task.status === 'completed' || task.status === 'cancelled';
            const move: Move = step.move === 'assign' && closed ? 'note' : step.move;
            const patch = move === 'status' ? statusPatch(task.status) : move === 'assign' ? { owner: { identifier: { system: systems.owner, value: `owner.${index}` } } } : { note: [{ text: `note ${index}` }] };
            const edited = await standin.control.editTask(task.id!, patch as never, { author: step.author });
            saved.push({ versionId: edited.meta!.versionId!, author: step.author, moved: move === 'status' });
          } else if (step.kind === 'stale') await setStale(id, step.on);
          else if (step.kind === 'poll') await poll();
          else if (step.together && step.twice) await Promise.all([syncFollowUp(sync, id), syncFollowUp(sync, id)]);
          else for (let one = 0; one < (step.twice ? 2 : 1); one++) await syncFollowUp(sync, id);
        }
        await syncFollowUp(sync, id);

        const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
        const history = await readHistory(table.db, table.tableName, id, new Date());
        // No gap: one entry per version of the follow-up.
        expect(history).toHaveLength(stored.followUp.version);
        const ehr = history.filter((entry) => entry.source === 'ehr');
        const order = new Map(saved.map((save, at) => [save.versionId, at]));
        // By its own author, never a history that was not read.
        for (const entry of ehr) {
          const save = saved[order.get(String(entry.fhir_version_id))!];
          expect(save, String(entry.fhir_version_id)).toBeDefined();
          expect(entry.actor).toBe(`ehr:${save!.author}`);
          expect(entry.versions_between).toBeUndefined();
        }
        // Once, and in the order saved: the runs of entries by version.
        const runs = ehr.map((entry) => String(entry.fhir_version_id)).filter((value, at, all) => value !== all[at - 1]);
        expect(new Set(runs).size).toBe(runs.length);
        const positions = runs.map((versionId) => order.get(versionId)!);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        // Every move of the status is in the history, by its author.
        for (const save of saved.filter((one) => one.moved)) expect(runs, `${save.versionId} by ${save.author}`).toContain(save.versionId);
      }),
      { numRuns: propertyRuns(8) },
    );
  }, 120_000);
});
