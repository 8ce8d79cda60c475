/**
 * npm start's table. Created from the shared design (functions/store/table.ts)
 * when it is missing; a table kept from an older version (DATA_DIR, or
 * DYNAMODB_ENDPOINT's own) gets the indexes the design added since, each with
 * one UpdateTable (DynamoDB adds one at a time) and waited for until ACTIVE, and
 * then, at every start of a kept table, the one-off step that writes the keys a
 * follow-up's state says today onto those written before (the worklist index's,
 * issue 45; snoozed ones after the live ones, issue 72; on AWS docs/deploy.md
 * runs it with `redraw-tracker migrate follow-up-keys`): it reads the follow-ups
 * and writes only the items that differ. So an upgraded `npm start` never lists
 * Mine from a half-built index, nor in an older order.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { migrateWorklistIndex } from '../functions/store/follow-ups/migrate-worklist';
import { createTableInput, TABLE } from '../functions/store/table';
import type { TableClient } from '../functions/store/table-client';

/** How long one new index may take to become ACTIVE on DynamoDB Local (it backfills from the table). */
const INDEX_WAIT_MS = 120_000;
const INDEX_POLL_MS = 250;

/** Creates the table unless it exists; adds the indexes an existing one lacks, and writes their keys onto its items. */
export async function ensureTable(client: DynamoDBClient, db: TableClient, tableName: string, progress: (line: string) => void = () => undefined): Promise<void> {
  const design = createTableInput(tableName);
  const existing = await describe(client, tableName);
  if (existing === null) {
    await client.send(new CreateTableCommand(design));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    return;
  }
  const missing = (design.GlobalSecondaryIndexes ?? []).filter((index) => !existing.includes(index.IndexName ?? ''));
  for (const index of missing) {
    progress(`adding the ${index.IndexName} index to the table ${tableName} (kept from an older version)...`);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: design.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
    await waitForIndex(client, tableName, index.IndexName ?? '');
  }
  // The one-off step of each release that adds or changes the follow-ups' index keys (on AWS, `migrate follow-up-keys`):
  // on a kept table at every start, so an upgraded one lists as a new one would; it writes only what differs.
  const tally = await migrateWorklistIndex(db, tableName, { now: new Date() });
  if (missing.some((index) => index.IndexName === TABLE.worklist.indexName)) {
    progress(`gave ${tally.written} follow-ups the worklist index's keys (${tally.current} had them, ${tally.expired} expired)`);
  } else if (tally.written > 0) {
    progress(`re-keyed ${tally.written} follow-ups to today's worklist order (${tally.current} had their keys, ${tally.expired} expired)`);
  }
}

/** The table's index names, or null when there is no such table. */
async function describe(client: DynamoDBClient, tableName: string): Promise<string[] | null> {
  try {
    const answer = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return (answer.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw error;
  }
}

async function waitForIndex(client: DynamoDBClient, tableName: string, indexName: string): Promise<void> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const answer = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const index = answer.Table?.GlobalSecondaryIndexes?.find((one) => one.IndexName === indexName);
    if (index?.IndexStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`the ${indexName} index of ${tableName} is not ACTIVE after ${INDEX_WAIT_MS / 1000} s (${index?.IndexStatus ?? 'absent'})`);
    await new Promise((wake) => setTimeout(wake, INDEX_POLL_MS));
  }
}
