/**
 * The order-safe write of a follow-up's Task (CONTRACT §13), on DynamoDB Local
 * and the stand-in FHIR server (Medplum's engine): two or three writers
 * (the stream's, the sweep's) with deliveries duplicated and out of order,
 * while the follow-up keeps changing, end with exactly one Task at the
 * follow-up's newest content; the stand-in's append-only log of versions never
 * goes back to an older content, not even for a moment, and never stores one
 * digest twice in a row.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTask } from '../../functions/core/fhir/read-task';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { followUpChanges, markBehind } from '../../functions/fhir-writer/intake';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { digestOf } from '../../functions/fhir/sync/source';
import { syncFollowUp, type SyncDeps } from '../../functions/fhir/sync/sync';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import { readConfirmation, readPending } from '../../functions/store/fhir-records';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { followUpRecord } from '../support/fhir-stream';
import { openFollowUpItem } from '../support/open-follow-up';
import { propertyRuns } from '../support/property-runs';

const systems = DEFAULT_FHIR_SYSTEMS;
let table: TestTable;
let standin: FhirStandin;
let sync: SyncDeps;

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-sync'), startFhirStandin()]);
  sync = { db: table.db, tableName: table.tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, now: () => new Date() };
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
beforeEach(async () => {
  await standin.control.reset();
});

/** Opens a follow-up as the tracker does (version 1, its opening entry). */
const openOne = (): Promise<string> => openFollowUpItem(table.db, table.tableName);

/** A change to the follow-up: a person's action (a version), a stale flag set or dropped (no version), or bookkeeping that maps to nothing. */
type Change = { kind: 'act'; body: Record<string, unknown> } | { kind: 'stale'; on: boolean } | { kind: 'remind' };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constantFrom<Change>(
    { kind: 'act', body: { action: 'acknowledge', owner: 'j.doe' } },
    { kind: 'act', body: { action: 'assign', owner: 'a.lee' } },
    { kind: 'act', body: { action: 'assign', owner: null } },
    { kind: 'act', body: { action: 'record_contact', channel: 'phone', outcome: 'no_answer' } },
    { kind: 'act', body: { action: 'snooze', until: '2026-12-01T09:00:00.000Z', reason: 'appointment_booked' } },
    { kind: 'act', body: { action: 'close', disposition: 'patient_unreachable' } },
    { kind: 'act', body: { action: 'reopen' } },
    { kind: 'remind' },
  ),
  fc.boolean().map<Change>((on) => ({ kind: 'stale', on })),
);

async function apply(id: string, one: Change): Promise<void> {
  if (one.kind === 'act') {
    await actOnFollowUp(table.db, table.tableName, { id, body: one.body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
    return;
  }
  for (let race = 0; race < 5; race++) {
    const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    const next =
      one.kind === 'stale'
        ? { ...stored, staleFlag: one.on ? { since: '2026-11-22T00:00:00.000Z', reason: 'no_progress', orderId: stored.followUp.initial_order_id!, statusTime: stored.followUp.opened_at } : null }
        : { ...stored, remindedAt: new Date().toISOString() };
    if ((await writeBookkeeping(table.db, table.tableName, stored, next)) === 'written') return;
  }
}

/** One writer's delivery: mark behind, then send, as the writer's handler does. */
async function deliver(stored: StoredFollowUp, sequence: number): Promise<void> {
  const behind = await markBehind(sync, followUpChanges([followUpRecord(stored, sequence)]));
  for (const one of behind) await syncFollowUp(sync, one.stored.followUp.id, one.stored.followUp.opened_at);
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The stand-in's versions of the Task of `id`: [opening ms, revision, digest] each, oldest first. */
async function taskLog(id: string): Promise<{ order: [number, number]; digest: string | null }[]> {
  const versions = (await standin.control.versions()).filter((version) => version.resource.identifier?.some((identifier) => identifier.value === id));
  return versions.map((version) => {
    const found = readTask(version.resource as unknown as Record<string, unknown>, systems)!;
    return { order: [Date.parse(found.authoredOn ?? ''), found.revision ?? -1], digest: found.statedDigest };
  });
}

describe('the Task of a follow-up, written by several writers at once', () => {
  it('ends at the newest content, one Task, never moving back (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2, max: 3 }),
        // Each delivery: which writer takes it, a duplicate, and a delay (ms) that reorders it among the writer's others.
        fc.array(fc.record({ writer: fc.nat(), duplicate: fc.boolean(), delay: fc.integer({ min: 0, max: 15 }) }), { minLength: 7, maxLength: 7 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 6, maxLength: 6 }),
        async (changes, writers, plans, gaps) => {
          const id = await openOne();
          const queues: Promise<void>[][] = Array.from({ length: writers }, () => []);
          const deliveries: Promise<void>[] = [];
          const send = (stored: StoredFollowUp, index: number) => {
            const plan = plans[index % plans.length]!;
            const run = async () => {
              await pause(plan.delay);
              await deliver(stored, index);
              if (plan.duplicate) await deliver(stored, index);
            };
            const job = run();
            queues[plan.writer % writers]!.push(job);
            deliveries.push(job);
          };
          send((await getFollowUp(table.db, table.tableName, id, new Date()))!, 0);
          for (const [index, one] of changes.entries()) {
            await pause(gaps[index]!);
            await apply(id, one);
            send((await getFollowUp(table.db, table.tableName, id, new Date()))!, index + 1);
          }
          await Promise.all(deliveries);

          const current = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
          const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
          expect(tasks).toHaveLength(1);
          expect(contentDigest(tasks[0] as unknown as Record<string, unknown>, systems)).toBe(digestOf(current, systems));
          const log = await taskLog(id);
          for (let index = 1; index < log.length; index++) {
            const [before, after] = [log[index - 1]!, log[index]!];
            // Never back: a later version holds a content at least as new, and never the same digest again.
            expect(after.order[0] > before.order[0] || (after.order[0] === before.order[0] && after.order[1] >= before.order[1])).toBe(true);
            expect(after.digest).not.toBe(before.digest);
          }
          expect((await readPending(table.db, table.tableName, 1000, new Date('9999-12-31T00:00:00.000Z'))).filter((pending) => pending.id === id)).toEqual([]);
          expect((await readConfirmation(table.db, table.tableName, id, standin.url, true))?.digest).toBe(digestOf(current, systems));
        },
      ),
      { numRuns: propertyRuns(25) },
    );
  }, 120_000);
});
