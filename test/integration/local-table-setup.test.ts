/**
 * npm start's table kept from an older version (DATA_DIR, DYNAMODB_ENDPOINT):
 * local/table-setup.ts gives it the indexes the design added since and writes
 * the worklist index's keys onto the follow-ups written before it, so Mine and
 * the counts find them on the first start after an upgrade; a second start
 * changes nothing. On DynamoDB Local, the real engine.
 */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFollowUps, listFollowUps } from '../../functions/store/follow-ups/worklist';
import { createTableInput, TABLE } from '../../functions/store/table';
import { localTable } from '../../local/dynamodb-local';
import { ensureTable } from '../../local/table-setup';
import { batchWrite, itemOfSpec, type FollowUpSpec } from '../../bench/worklist-seed';
import { localEndpoint, testClient, testDocumentClient } from '../support/dynamodb';

const NOW = new Date();
const HOUR = 3_600_000;
let client: DynamoDBClient;
const tables: string[] = [];

beforeAll(() => {
  client = testClient();
});
afterAll(async () => {
  for (const TableName of tables) await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  client.destroy();
});

const indexesOf = async (TableName: string) => ((await client.send(new DescribeTableCommand({ TableName }))).Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();

/** A table as a version before the worklist index made it: the design without that index (and its sort key's definition). */
async function olderTable(): Promise<string> {
  const design = createTableInput(`table-setup-${randomUUID()}`);
  tables.push(design.TableName!);
  await client.send(
    new CreateTableCommand({
      ...design,
      AttributeDefinitions: design.AttributeDefinitions!.filter((definition) => definition.AttributeName !== TABLE.worklist.sortKey),
      GlobalSecondaryIndexes: design.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== TABLE.worklist.indexName),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: design.TableName! });
  return design.TableName!;
}

describe("npm start's table", () => {
  it('is created with every index of the design when there is none', async () => {
    const tableName = `table-setup-${randomUUID()}`;
    tables.push(tableName);
    await ensureTable(client, localTable(localEndpoint()), tableName);
    expect(await indexesOf(tableName)).toEqual(createTableInput(tableName).GlobalSecondaryIndexes!.map((index) => index.IndexName).sort());
  });

  it('kept from an older version, gets the worklist index and its keys on its follow-ups: Mine and the counts find them, and a second start changes nothing', async () => {
    const tableName = await olderTable();
    const db = localTable(localEndpoint());
    const specs: FollowUpSpec[] = Array.from({ length: 12 }, (_, index) => ({
      id: `ts-${index}-${randomUUID().slice(0, 8)}`,
      state: index % 3 === 0 ? 'new' : 'acknowledged',
      owner: index % 3 === 0 ? null : 'maria',
      openedAt: new Date(NOW.getTime() - index * 24 * HOUR),
      at: new Date(NOW.getTime() + index * HOUR),
      stale: false,
      expiresAt: null,
    }));
    await batchWrite(testDocumentClient(client), tableName, specs.map((spec) => itemOfSpec(spec, true)));
    const heard: string[] = [];

    await ensureTable(client, db, tableName, (line) => heard.push(line));

    expect(await indexesOf(tableName)).toContain(TABLE.worklist.indexName);
    expect(heard).toEqual([expect.stringContaining(`adding the ${TABLE.worklist.indexName} index`), "gave 12 follow-ups the worklist index's keys (0 had them, 0 expired)"]);
    const mine = await listFollowUps(db, tableName, { state: 'open', owner: null, queue: 'mine', actor: 'maria', limit: 100, from: null, now: NOW });
    expect(mine.items.map((one) => one.followUp.id).sort()).toEqual(specs.filter((spec) => spec.owner === 'maria').map((spec) => spec.id).sort());
    expect((await countFollowUps(db, tableName, 'maria', NOW)).counts).toMatchObject({ open: 12, mine: 8, unassigned: 4 });

    const again: string[] = [];
    await ensureTable(client, db, tableName, (line) => again.push(line));
    expect(again).toEqual([]);
  });
});
