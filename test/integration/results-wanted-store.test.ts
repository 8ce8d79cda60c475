/**
 * The records of wanted results (functions/store/results-wanted.ts, CONTRACT §9) on
 * DynamoDB Local, want by want (issue 55): the same want delivered again keeps the
 * record, its day and attempts; a newer want replaces it (attempts from 0); an older
 * one (work redone late) does not; a sweep that read one want neither reschedules nor
 * deletes the record another want replaced meanwhile. A record written before wants
 * were keyed is replaced by any want, and read and deleted as its follow-up's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropReadResultsWanted, readDueResultsWanted, rescheduleResultsWanted, wantResults, type WantedFor } from '../../functions/store/results-wanted';
import { TABLE } from '../../functions/store/table';
import { keys, RESULTS_WANTED_PARTITION } from '../../functions/store/keys';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('results-wanted-store');
});
afterAll(async () => {
  await table?.drop();
});

const T0 = '2026-05-04T09:00:00.000000Z';
const T1 = '2026-05-04T10:00:00.000000Z';

function want(followUpId: string, orderId: string, status: string, wantedAt: string): WantedFor & { orderId: string } {
  return { orderId, followUpId, want: [followUpId, T0, orderId, status, ''].join('|'), state: { status, statusDetail: null }, wantedAt };
}

const stored = (orderId: string) => table.db.get({ TableName: table.tableName, Key: keys.resultsWanted(orderId), ConsistentRead: true });
const due = async (orderId: string) => (await readDueResultsWanted(table.db, table.tableName, '2026-05-06T00:00:00.000000Z', 100)).find((one) => one.orderId === orderId);

describe('a record of wanted results', () => {
  it('is kept by the same want, replaced by a newer one, never by an older one', async () => {
    const orderId = freshId();
    const completed = want(orderId, orderId, 'completed', T0);
    expect(await wantResults(table.db, table.tableName, { ...completed, at: T0 })).toBe('written');
    const read = await due(orderId);
    expect(read).toMatchObject({ want: completed.want, attempts: 0, state: { status: 'completed', statusDetail: null }, wantedAt: T0 });
    expect(await rescheduleResultsWanted(table.db, table.tableName, read!, Date.parse('2026-05-04T09:15:00Z'))).toBe('written');
    // Delivered again (a redelivered stream record): its day and attempts stay.
    expect(await wantResults(table.db, table.tableName, { ...completed, at: T1 })).toBe('exists');
    expect(await stored(orderId)).toMatchObject({ attempts: 1, first_wanted_at: T0 });

    // A correction: the newer want replaces it, attempts from 0, its own state.
    const corrected = want(orderId, orderId, 'corrected', T1);
    expect(await wantResults(table.db, table.tableName, { ...corrected, at: T1 })).toBe('written');
    expect(await stored(orderId)).toMatchObject({ attempts: 0, first_wanted_at: T1, want: corrected.want, missing_status: 'corrected' });
    // The older want redone late (parked work): it replaces nothing.
    expect(await wantResults(table.db, table.tableName, { ...completed, at: '2026-05-04T11:00:00.000000Z' })).toBe('exists');
    expect(await stored(orderId)).toMatchObject({ want: corrected.want });

    // A sweep that had read the older want: it neither reschedules nor deletes the newer one.
    expect(await rescheduleResultsWanted(table.db, table.tableName, { ...read!, attempts: 0 }, Date.parse('2026-05-04T12:00:00Z'))).toBe('lost');
    expect(await dropReadResultsWanted(table.db, table.tableName, read!)).toBe('replaced');
    expect(await stored(orderId)).toMatchObject({ want: corrected.want, attempts: 0 });
    // The sweep that reads the newer want deletes it.
    const newer = await due(orderId);
    expect(newer).toMatchObject({ want: corrected.want, followUpId: orderId });
    expect(await dropReadResultsWanted(table.db, table.tableName, newer!)).toBe('done');
    expect(await stored(orderId)).toBeUndefined();
  });

  it('written before wants were keyed, is replaced by any want, and read and deleted as its follow-up’s', async () => {
    const orderId = freshId();
    const legacy = (followUpId: string) => ({
      ...keys.resultsWanted(orderId),
      [TABLE.openRedraws.partitionKey]: RESULTS_WANTED_PARTITION,
      [TABLE.openRedraws.sortKey]: keys.resultsWantedSort(T0, orderId),
      order_id: orderId,
      follow_up_id: followUpId,
      first_wanted_at: T0,
      attempts: 2,
      next_attempt_at: T0,
    });
    await table.db.put({ TableName: table.tableName, Item: legacy(orderId) });
    const read = await due(orderId);
    expect(read).toMatchObject({ want: orderId, state: null, wantedAt: T0, attempts: 2 });
    expect(await rescheduleResultsWanted(table.db, table.tableName, read!, Date.parse('2026-05-04T09:00:00Z'))).toBe('written');
    expect(await dropReadResultsWanted(table.db, table.tableName, { ...read!, attempts: 3 })).toBe('done');
    expect(await stored(orderId)).toBeUndefined();

    await table.db.put({ TableName: table.tableName, Item: legacy(orderId) });
    expect(await wantResults(table.db, table.tableName, { ...want(orderId, orderId, 'completed', T0), at: T1 })).toBe('written');
    expect(await stored(orderId)).toMatchObject({ attempts: 0, want: want(orderId, orderId, 'completed', T0).want });
  });
});
