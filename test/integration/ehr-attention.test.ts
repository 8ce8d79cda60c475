/**
 * EHR work that needs a person, in the lists (CONTRACT §12 "Needs attention",
 * issue 84 item 1), on DynamoDB Local and the stand-in FHIR server: the writer's
 * delivery that ends on a refusal, a Task deleted or changed in the EHR flags
 * the follow-up item, so Needs attention, "EHR needs you" and the counts find
 * it from the worklist index alone; a person's next action drops the flag; a
 * write the server confirms moves the page's stamp; a throttled table fails
 * the delivery, whose retry writes the flag or the stamp (nothing lost);
 * `migrate` flags the follow-ups a release before this one left needing a person.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syncFollowUp } from '../../functions/fhir/sync/sync';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { keepEhrAttention, readPageStamp } from '../../functions/store/follow-ups/ehr-attention';
import { A } from '../../functions/store/follow-ups/item';
import { migrateWorklistIndex } from '../../functions/store/follow-ups/migrate-worklist';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { countFollowUps, listFollowUps } from '../../functions/store/follow-ups/worklist';
import { fhirKeys, keys } from '../../functions/store/keys';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { startFhirSyncRig, type FhirSyncRig } from '../support/fhir-sync-rig';
import { openFollowUpItem } from '../support/open-follow-up';

let rig: FhirSyncRig;

beforeAll(async () => {
  rig = await startFhirSyncRig('ehr-attention');
});
afterAll(async () => {
  await rig?.stop();
});
beforeEach(async () => {
  await rig.standin.control.reset();
});

const db = () => rig.table.db;
const tableName = () => rig.table.tableName;
const stored = async (id: string) => (await getFollowUp(db(), tableName(), id, new Date()))!;
const act = (id: string, body: Record<string, unknown>) => actOnFollowUp(db(), tableName(), { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
/** The ids "EHR needs you" lists (one page: the test's table holds a few), and those of Needs attention. */
async function listed(): Promise<{ ehr: string[]; attention: string[] }> {
  const page = (filters: { queue?: 'attention'; ehr?: boolean }) => listFollowUps(db(), tableName(), { state: 'open', owner: null, ...filters, limit: 50, from: null, now: new Date() });
  const ids = (found: Awaited<ReturnType<typeof page>>) => found.items.map((one) => one.followUp.id).sort();
  return { ehr: ids(await page({ ehr: true })), attention: ids(await page({ queue: 'attention' })) };
}

describe('EHR work that needs a person, in the lists (CONTRACT §12)', () => {
  it('flags a refused Task until a person acts, and moves the page stamp when a write is confirmed', async () => {
    const refused = await openFollowUpItem(db(), tableName());
    const calm = await openFollowUpItem(db(), tableName());
    expect(await syncFollowUp(rig.sync, calm)).toMatchObject({ kind: 'written' });
    await rig.standin.control.injectFault({ kind: 'refuse', status: 422, codes: ['invariant'], times: 'always', endpoint: 'create' });
    expect(await syncFollowUp(rig.sync, refused)).toMatchObject({ kind: 'refused' });
    expect((await stored(refused)).ehrAttention).toMatchObject({ kind: 'refused' });
    expect(await listed()).toEqual({ ehr: [refused], attention: [refused] });
    const counts = await countFollowUps(db(), tableName(), 'j.doe', new Date());
    expect(counts).toMatchObject({ ehr_needs_you: 1, counts: { attention: 1, open: 2 } });
    // A refusal read again changes nothing on the item (no write: the flag is the one it leaves).
    const revision = (await stored(refused)).revision;
    await syncFollowUp(rig.sync, refused);
    expect((await stored(refused)).revision).toBe(revision);

    // The person's next action drops it; the writer's next delivery, accepted, leaves none and stamps the page.
    await act(refused, { action: 'acknowledge', owner: 'j.doe' });
    expect((await stored(refused)).ehrAttention ?? null).toBeNull();
    expect(await listed()).toEqual({ ehr: [], attention: [] });
    await rig.standin.control.clearFaults();
    const before = await readPageStamp(db(), tableName(), refused, new Date());
    expect(await syncFollowUp(rig.sync, refused)).toMatchObject({ kind: 'written' });
    const after = await readPageStamp(db(), tableName(), refused, new Date());
    expect(after).not.toBe(before);
    // The stamp's write is no change of the Task's: it carries no FHIR marker (the writer is not fed it again).
    const item = await db().get({ TableName: tableName(), Key: keys.followUp(refused), ConsistentRead: true });
    expect(item?.[A.fhirMarker]).toBeUndefined();
    expect(await readPageStamp(db(), tableName(), 'no-such-follow-up', new Date())).toBeNull();
  });

  it('flags a Task deleted in the EHR and one changed there (held), each by its own kind', async () => {
    const deleted = await openFollowUpItem(db(), tableName());
    const changed = await openFollowUpItem(db(), tableName());
    for (const id of [deleted, changed]) expect(await syncFollowUp(rig.sync, id)).toMatchObject({ kind: 'written' });
    const taskOf = async (id: string) => (await rig.standin.control.versions()).findLast((version) => version.resource.identifier?.some((one) => one.value === id))!.resource;
    await rig.standin.control.deleteTask((await taskOf(deleted)).id!);
    await rig.standin.control.editTask((await taskOf(changed)).id!, { priority: 'stat' });
    // A person's change of each, delivered.
    await act(changed, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    await act(deleted, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    expect(await syncFollowUp(rig.sync, deleted)).toMatchObject({ kind: 'deleted_in_ehr' });
    // The EHR's edit of a field that is the tracker's alone is held, not overwritten (CONTRACT §13 "What is not applied").
    expect(await syncFollowUp(rig.sync, changed)).toMatchObject({ kind: 'changed_in_ehr', ehr: 'held' });
    expect((await stored(deleted)).ehrAttention?.kind).toBe('deleted_in_ehr');
    expect((await stored(changed)).ehrAttention?.kind).toBe('changed_in_ehr');
    expect((await listed()).ehr).toEqual([changed, deleted].sort());
  });

  it('loses nothing when DynamoDB refuses the flag or the stamp (throttled): the delivery fails, and its retry writes them', async () => {
    const throttle = () => Object.assign(new Error('throughput exceeded'), { name: 'ProvisionedThroughputExceededException' });
    const throttled = {
      ...db(),
      // The flag's bookkeeping put (the item with `ea`) and the stamp's update (`ec`), as a throttled table refuses them.
      put: async (input: Parameters<ReturnType<typeof db>['put']>[0]) => {
        if ((input.Item as Record<string, unknown>)[A.ehrAttention] !== undefined) throw throttle();
        return db().put(input);
      },
      update: async (input: Parameters<ReturnType<typeof db>['update']>[0]) => {
        if (Object.values(input.ExpressionAttributeNames ?? {}).includes(A.confirmedStamp)) throw throttle();
        return db().update(input);
      },
    };
    const refused = await openFollowUpItem(db(), tableName());
    await rig.standin.control.injectFault({ kind: 'refuse', status: 422, codes: ['invariant'], times: 'always', endpoint: 'create' });
    await expect(syncFollowUp({ ...rig.sync, db: throttled }, refused)).rejects.toThrow('throughput exceeded');
    expect((await stored(refused)).ehrAttention ?? null).toBeNull();
    // The stream delivers the record again (the writer's batch failed): the refusal is read as recorded, the flag written.
    expect(await syncFollowUp(rig.sync, refused)).toMatchObject({ kind: 'refused' });
    expect((await stored(refused)).ehrAttention?.kind).toBe('refused');

    await rig.standin.control.clearFaults();
    const written = await openFollowUpItem(db(), tableName());
    const before = await readPageStamp(db(), tableName(), written, new Date());
    await expect(syncFollowUp({ ...rig.sync, db: throttled }, written)).rejects.toThrow('throughput exceeded');
    expect(await readPageStamp(db(), tableName(), written, new Date())).toBe(before);
    // Delivered again: the Task is already current (no second write), and the stamp moves.
    expect(await syncFollowUp(rig.sync, written)).toMatchObject({ kind: 'unchanged' });
    expect(await readPageStamp(db(), tableName(), written, new Date())).not.toBe(before);
    expect((await rig.standin.control.tasks()).filter((task) => task.identifier?.some((one) => one.value === written))).toHaveLength(1);
  });

  it('leaves no flag when a person acted after the version the delivery decided on', async () => {
    const id = await openFollowUpItem(db(), tableName());
    const decided = (await stored(id)).followUp.version;
    await act(id, { action: 'acknowledge', owner: 'j.doe' });
    expect(await keepEhrAttention(db(), tableName(), id, { wanted: 'refused', version: decided, now: new Date() })).toBe('acted');
    expect((await stored(id)).ehrAttention ?? null).toBeNull();
    // Dropping one is always the delivery's to do, and a flag for the version as read is written.
    expect(await keepEhrAttention(db(), tableName(), id, { wanted: 'conflict', version: (await stored(id)).followUp.version, now: new Date() })).toBe('written');
    expect(await keepEhrAttention(db(), tableName(), id, { wanted: null, version: decided, now: new Date() })).toBe('written');
  });

  it('migrate flags the open follow-ups a confirmation record holds as needing a person, once', async () => {
    const held = await openFollowUpItem(db(), tableName());
    const clean = await openFollowUpItem(db(), tableName());
    for (const id of [held, clean]) await syncFollowUp(rig.sync, id);
    // As a release before this one left them: a hold recorded, no flag on the item.
    await db().update({
      TableName: tableName(),
      Key: fhirKeys.confirmation(held),
      UpdateExpression: 'SET cd = :digest',
      ExpressionAttributeValues: { ':digest': 'a-digest' },
    });
    const first = await migrateWorklistIndex(db(), tableName(), { now: new Date() });
    expect(first.written).toBeGreaterThanOrEqual(1);
    expect((await stored(held)).ehrAttention?.kind).toBe('changed_in_ehr');
    expect((await stored(clean)).ehrAttention ?? null).toBeNull();
    expect((await listed()).ehr).toContain(held);
    expect((await migrateWorklistIndex(db(), tableName(), { now: new Date() })).written).toBe(0);
  });
});
