/**
 * What a worklist read costs, counted at the table (bench/meter.ts on the
 * client: requests by command, read units), through the query function's
 * handler on DynamoDB Local (issue 45, CONTRACT §9 and §12): an owner's
 * follow-ups (an owner filter, Mine, Unassigned, Closed by owner) are one range
 * of the worklist index, never a walk of the partition; a page of the open list
 * is one Query and one BatchGetItem, not one GetItem per row; the counts read the
 * index's slim entries in a few Queries and answer what the old full read did.
 */
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter, type Meter } from '../../bench/meter';
import { queueCounts, type QueueFacts } from '../../functions/core/queues';
import { createQueryHandler, type QueryEvent, type QueryResponse } from '../../functions/query/app';
import { documentTable } from '../../functions/store/document-table';
import { expired, parseStored } from '../../functions/store/follow-ups/item';
import { countFollowUps } from '../../functions/store/follow-ups/worklist';
import { queryItems } from '../../functions/store/query-pages';
import { TABLE } from '../../functions/store/table';
import { FOLLOW_UP_LISTING_PARTITIONS, keys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { freshId } from '../../local/junction/flows';
import { createTestTable, testClient, testDocumentClient, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';
import { batchWrite, itemOfSpec, type FollowUpSpec } from '../../bench/worklist-seed';

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
const OPEN = 1_000;
const CLOSED = 3_000;
/** An owner of 2,048 characters (an IAM ARN can be): its follow-ups page with cursors under the 1,024 cap. */
const LONG_OWNER = `arn:aws:sts::123456789012:assumed-role/${'r'.repeat(2048)}`.slice(0, 2048 - '/session.name'.length) + '/session.name';
const OWNERS = ['maria', 'tom', 'team.west', 'b@example.org'];

let table: TestTable;
let client: DynamoDBClient;
let meter: Meter;
let db: TableClient;
let handle: ReturnType<typeof createQueryHandler>;
const assertDocumented = openApiValidator();
const silent = { error: () => {} };
const specs: FollowUpSpec[] = [];

beforeAll(async () => {
  table = await createTestTable('worklist-reads');
  client = testClient();
  meter = attachMeter(client);
  db = documentTable(testDocumentClient(client));
  handle = createQueryHandler({ db, tableName: table.tableName, logger: silent, now: () => NOW, actorSource: 'header' });
  // 1,000 open: a fifth unassigned, the rest among four owners, some snoozed (ended or not), some flagged, some needing attention.
  for (let index = 0; index < OPEN; index++) {
    const state = (['new', 'acknowledged', 'snoozed'] as const)[index % 3]!;
    specs.push({
      id: `open-${index}-${freshId().slice(0, 8)}`,
      state,
      owner: index % 5 === 0 || state === 'new' ? null : OWNERS[index % OWNERS.length]!,
      openedAt: new Date(NOW.getTime() - (index % 45) * DAY),
      at: index % 7 === 0 ? null : new Date(NOW.getTime() + ((index * 37) % 500) * 3_600_000),
      snoozedUntil: new Date(NOW.getTime() + (index % 2 === 0 ? -1 : 1) * DAY),
      attention: index % 11 === 0,
      stale: index % 13 === 0,
      // A few have expired (absent to every read, CONTRACT §9), a few will expire later.
      expiresAt: index % 97 === 0 ? NOW.getTime() / 1000 - 60 : index % 89 === 0 ? NOW.getTime() / 1000 + DAY : null,
    });
  }
  // 3,000 closed: three of them the rare owner's, spread over the year; three the long owner's.
  for (let index = 0; index < CLOSED; index++) {
    const rare = index % 1000 === 500;
    const long = index % 1000 === 250;
    specs.push({
      id: `closed-${index}-${freshId().slice(0, 8)}`,
      state: 'closed',
      owner: rare ? 'rare.owner' : long ? LONG_OWNER : index % 4 === 0 ? null : OWNERS[index % OWNERS.length]!,
      openedAt: new Date(NOW.getTime() - 400 * DAY + index * 3_600_000),
      at: new Date(NOW.getTime() - 365 * DAY + index * 10_000_000),
    });
  }
  await batchWrite(table.doc, table.tableName, specs.map((spec) => itemOfSpec(spec)));
}, 120_000);
afterAll(async () => {
  meter?.detach();
  client?.destroy();
  await table?.drop();
});

async function get(path: string, query: Record<string, string>, actor = 'nobody.owns.this'): Promise<{ response: QueryResponse; requests: Record<string, number>; read: number }> {
  meter.reset();
  const event: QueryEvent = { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, queryStringParameters: query, headers: { 'x-redraw-actor': actor } };
  const response = await handle(event);
  const reading = meter.reading();
  assertDocumented('GET', path === '/follow-ups' ? '/follow-ups' : '/follow-ups/counts', response);
  expect(response.statusCode).toBe(200);
  return { response, requests: reading.byCommand, read: reading.read };
}
const body = (response: QueryResponse) => JSON.parse(response.body) as { items: { id: string; owner: string | null; closed_at: string | null }[]; next_cursor: string | null };
const live = (spec: FollowUpSpec) => spec.expiresAt == null || spec.expiresAt > NOW.getTime() / 1000;

describe('worklist reads at 1,000 open and 3,000 closed follow-ups', () => {
  it('reads Mine for someone who owns none of them in one Query of their range, and no item', async () => {
    const { response, requests } = await get('/follow-ups', { queue: 'mine' });
    expect(body(response)).toEqual({ items: [], next_cursor: null });
    expect(requests).toEqual({ QueryCommand: 1 });
  });

  it('reads a page of the open list in one Query and one BatchGetItem of its orders (no GetItem per row)', async () => {
    const { response, requests } = await get('/follow-ups', { limit: '50' });
    expect(body(response).items).toHaveLength(50);
    expect(requests).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  });

  it('reads a page of Unassigned and of Mine in one Query, one BatchGetItem of the follow-ups and one of their orders', async () => {
    for (const [query, actor, owner] of [[{ queue: 'unassigned' }, 'x', null], [{ queue: 'mine' }, 'maria', 'maria'], [{ owner: 'tom' }, 'x', 'tom']] as const) {
      const { response, requests } = await get('/follow-ups', { ...query, limit: '50' }, actor);
      const page = body(response);
      expect(page.items).toHaveLength(50);
      expect(page.items.every((item) => item.owner === owner)).toBe(true);
      expect(page.next_cursor).not.toBeNull();
      expect(requests).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
    }
  });

  it('reads Closed by owner newest first in one Query and one BatchGetItem, whatever the closed partition holds', async () => {
    const { response, requests } = await get('/follow-ups', { queue: 'closed', owner: 'rare.owner' });
    const expected = specs.filter((spec) => spec.owner === 'rare.owner').sort((a, b) => b.at!.getTime() - a.at!.getTime());
    expect(body(response).items.map((item) => item.id)).toEqual(expected.map((spec) => spec.id));
    expect(body(response).next_cursor).toBeNull();
    expect(requests).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  });

  it('never lists someone else’s follow-up whose owner key collides with the caller’s: the real owner is compared', async () => {
    // Two owners sharing a key (132 bits of SHA-256: not found in practice), made by hand: tom's follow-up in the range of `collide.person`.
    const spec: FollowUpSpec = { id: `collision-${freshId()}`, state: 'acknowledged', owner: 'tom', openedAt: NOW, at: NOW };
    const item = itemOfSpec(spec);
    await batchWrite(table.doc, table.tableName, [{ ...item, [TABLE.worklist.sortKey]: String(item[TABLE.worklist.sortKey]).replace(/^[^#]+#/, `${keys.ownerKey('collide.person')}#`) }]);
    try {
      expect(body((await get('/follow-ups', { queue: 'mine' }, 'collide.person')).response).items).toEqual([]);
      expect(body((await get('/follow-ups', { owner: 'collide.person' })).response).items).toEqual([]);
    } finally {
      await table.db.delete({ TableName: table.tableName, Key: keys.followUp(spec.id) });
    }
  });

  it('pages a 2,048-character owner’s follow-ups with cursors the API takes back', async () => {
    expect(LONG_OWNER).toHaveLength(2048);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const { response } = await get('/follow-ups', { state: 'closed', owner: LONG_OWNER, limit: '1', ...(cursor ? { cursor } : {}) });
      const page = body(response);
      ids.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
      if (cursor !== null) expect(cursor.length).toBeLessThanOrEqual(1024);
    } while (cursor !== null);
    expect(ids.sort()).toEqual(specs.filter((spec) => spec.owner === LONG_OWNER).map((spec) => spec.id).sort());
  });

  it('counts in one Query of the slim entries, the same answer as the full read of the open partition it replaces, expired ones left out', async () => {
    for (const actor of ['maria', 'tom', 'nobody']) {
      const { response, requests, read } = await get('/follow-ups/counts', {}, actor);
      const counts = JSON.parse(response.body) as Record<string, unknown>;
      expect(counts).toEqual(await fullReadCounts(table.db, table.tableName, actor));
      expect(counts).toEqual(await countFollowUps(table.db, table.tableName, actor, NOW));
      expect(requests).toEqual({ QueryCommand: 1 });
      // Under a third of the full read's units (the old count read whole items).
      expect(read).toBeLessThan((await fullReadUnits()) / 3);
    }
    const open = specs.filter((spec) => spec.state !== 'closed');
    const { response } = await get('/follow-ups/counts', {}, 'maria');
    expect((JSON.parse(response.body) as { counts: { open: number } }).counts.open).toBe(open.filter(live).length);
  });
});

/** GET /follow-ups/counts as it was before the worklist index: every whole item of the open partition, counted by core/queues.ts. */
async function fullReadCounts(reader: TableClient, tableName: string, actor: string) {
  const open: QueueFacts[] = [];
  for await (const item of queryItems(reader, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    if (expired(item, NOW)) continue;
    const stored = parseStored(item);
    open.push({ followUp: stored.followUp, stale: (stored.staleFlag ?? null) !== null, ehr: stored.ehrAttention?.kind ?? null });
  }
  return queueCounts(open, actor, NOW);
}

/** The read units of that full read (what the counts cost before). */
async function fullReadUnits(): Promise<number> {
  let units = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: TABLE.byTransaction.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: FOLLOW_UP_LISTING_PARTITIONS.open } },
        ReturnConsumedCapacity: 'TOTAL',
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    units += page.ConsumedCapacity?.CapacityUnits ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return units;
}
