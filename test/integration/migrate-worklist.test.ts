/**
 * The worklist index's one-off migration (issue 45) on DynamoDB Local:
 * follow-ups written the old way (no worklist sort key or entry) are absent
 * from owners' lists and the counts until `redraw-tracker migrate
 * worklist-index` runs; then they are listed and counted as if written today.
 * It writes each item once, a second run writes nothing, and a follow-up written
 * between its read and its write is left as that write made it (a lost race).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, parseStored, worklistAttributesOf } from '../../functions/store/follow-ups/item';
import { migrateWorklistIndex } from '../../functions/store/follow-ups/migrate-worklist';
import { countFollowUps, listFollowUps } from '../../functions/store/follow-ups/worklist';
import { TABLE } from '../../functions/store/table';
import { keys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { freshId } from '../../local/junction/flows';
import { runCliOnTable } from '../support/cli-in-process';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { batchWrite, itemOfSpec, type FollowUpSpec } from '../../bench/worklist-seed';

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
let table: TestTable;
const specs: FollowUpSpec[] = [];

beforeAll(async () => {
  table = await createTestTable('migrate-worklist');
  for (let index = 0; index < 60; index++) {
    const state = (['new', 'acknowledged', 'snoozed', 'closed'] as const)[index % 4]!;
    specs.push({
      id: `m-${index}-${freshId().slice(0, 8)}`,
      state,
      owner: state === 'new' ? null : index % 3 === 0 ? 'maria' : 'tom',
      openedAt: new Date(NOW.getTime() - index * DAY),
      at: new Date(NOW.getTime() + (state === 'closed' ? -index : index) * 3_600_000),
      stale: index % 5 === 0,
      expiresAt: index === 7 ? NOW.getTime() / 1000 - 10 : null,
    });
  }
  await batchWrite(table.doc, table.tableName, specs.map((spec) => itemOfSpec(spec, true)));
});
afterAll(async () => {
  await table?.drop();
});

const cli = (argv: string[]) => runCliOnTable(argv, table.tableName, () => NOW);

const mine = async (actor: string) => (await listFollowUps(table.db, table.tableName, { state: 'open', owner: null, queue: 'mine', actor, limit: 100, from: null, now: NOW })).items.map((one) => one.followUp.id).sort();
const live = () => specs.filter((spec) => spec.expiresAt == null);

describe('redraw-tracker migrate worklist-index', () => {
  it('gives follow-ups written before the index its keys: then Mine and the counts find them; a second run writes nothing', async () => {
    const maria = () => live().filter((spec) => spec.owner === 'maria' && spec.state !== 'closed').map((spec) => spec.id).sort();
    expect(await mine('maria')).toEqual([]);
    expect((await countFollowUps(table.db, table.tableName, 'maria', NOW)).counts.open).toBe(0);

    const first = await cli(['migrate', 'worklist-index', '--json']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toEqual({ read: 60, written: 59, current: 0, raced: 0, expired: 1 });
    expect(await mine('maria')).toEqual(maria());
    expect((await countFollowUps(table.db, table.tableName, 'maria', NOW)).counts).toMatchObject({ open: live().filter((spec) => spec.state !== 'closed').length, mine: maria().length });
    // Each migrated item holds what a write of today would have written.
    for (const spec of live().slice(0, 5)) {
      const item = (await table.db.get({ TableName: table.tableName, Key: keys.followUp(spec.id), ConsistentRead: true }))!;
      expect({ sk: item[TABLE.worklist.sortKey], wq: item[A.worklist] }).toEqual({ sk: itemOfSpec(spec)[TABLE.worklist.sortKey], wq: itemOfSpec(spec)[A.worklist] });
    }

    const again = await cli(['migrate', 'worklist-index']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('60 follow-ups read, 0 given the index\'s keys, 59 had them');
  });

  it('leaves a follow-up written between its read and its write as that write made it (a lost race, counted)', async () => {
    const spec: FollowUpSpec = { id: `race-${freshId()}`, state: 'acknowledged', owner: 'tom', openedAt: NOW, at: NOW };
    await batchWrite(table.doc, table.tableName, [itemOfSpec(spec, true)]);
    // Another writer's Put lands after the migration's read: a new revision, the worklist attributes from itemOf, another owner.
    let raced = false;
    const racing: TableClient = {
      ...table.db,
      update: async (input) => {
        if (!raced && (input.Key as { pk: string }).pk === keys.followUp(spec.id).pk) {
          raced = true;
          const stored = parseStored((await table.db.get({ TableName: table.tableName, Key: keys.followUp(spec.id), ConsistentRead: true }))!);
          const next = { ...stored, followUp: { ...stored.followUp, owner: 'maria' }, revision: stored.revision + 1 };
          const item = itemOfSpec({ ...spec, owner: 'maria' });
          await table.db.put({ TableName: table.tableName, Item: { ...item, [A.revision]: next.revision } });
        }
        return table.db.update(input);
      },
    };
    const tally = await migrateWorklistIndex(racing, table.tableName, { now: NOW });
    expect(tally).toMatchObject({ written: 0, raced: 1 });
    const item = (await table.db.get({ TableName: table.tableName, Key: keys.followUp(spec.id), ConsistentRead: true }))!;
    expect(item[TABLE.worklist.sortKey]).toBe(worklistAttributesOf(parseStored(item))[TABLE.worklist.sortKey]);
    expect(parseStored(item).followUp.owner).toBe('maria');
    expect(await mine('maria')).toContain(spec.id);
  });
});
