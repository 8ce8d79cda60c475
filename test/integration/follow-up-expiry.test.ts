/**
 * Expired follow-ups count as absent (CONTRACT §9: "A follow-up or history item
 * whose `expires_at` has passed counts as absent on every read, before DynamoDB
 * deletes it"; issue 43, item 4), on DynamoDB Local, whose TTL deletes nothing:
 * exactly the days an expired item is still stored on AWS. Every read of the
 * store (by key, by keys, the history, the worklist, its counts, the sweep's
 * and the report's open partition) and every route that reads them (the query
 * function, the actions function) take an item whose `expires_at` is at or
 * before their clock as absent; a moment before, the same items are there. A
 * follow-up created where an expired one is stored is written over it and
 * starts again at version 1, with a history of its own: the expired entries,
 * those it overwrites and those beyond, never show in it, and the tracker's
 * retention never gives them a new expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { followUpSituation } from '../../functions/core/follow-up/situation';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { createQueryHandler, type QueryEvent } from '../../functions/query/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { parseStored } from '../../functions/store/follow-ups/item';
import { getFollowUp, getFollowUps, openFollowUps } from '../../functions/store/follow-ups/reads';
import { keepFollowUpCurrent } from '../../functions/store/follow-ups/tracker';
import { countFollowUps, type FollowUpListState, listFollowUps } from '../../functions/store/follow-ups/worklist';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { queryItems } from '../../functions/store/query-pages';
import { TABLE } from '../../functions/store/table';
import { keys } from '../../functions/store/keys';
import { freshId } from '../../local/junction/flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';

let table: TestTable;
const assertDocumented = openApiValidator();
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The clock of the reads: the expired items' `expires_at` is a minute before it. */
const NOW = new Date('2026-03-10T12:00:00Z');
const EXPIRED_AT = Math.floor(NOW.getTime() / 1000) - 60;
/** Two minutes earlier: the same items have not expired yet. */
const BEFORE = new Date(NOW.getTime() - 120_000);
const KEPT_UNTIL = Math.floor(NOW.getTime() / 1000) + 86_400;

/** A follow-up opened at 2026-03-01 (version 1) with an owner, then as `actions` make it; its items then carry `expiresAt` (null: none), as the tracker's retention leaves them. */
async function seed(actions: unknown[], expiresAt: number | null): Promise<string> {
  const id = `tx-${freshId()}`;
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}`, redrawOrderId: null, openedAt: '2026-03-01T09:00:00.000000Z' });
  const redraw = { kind: 'awaiting_redraw' as const, statusTime: followUp.opened_at, orderId: `o-${id}` };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw, dueAt: '2026-03-02T09:00:00.000000Z', applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], BEFORE)).toBe('written');
  for (const body of [{ action: 'acknowledge', owner: 'team.west' }, ...actions]) {
    expect((await actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: BEFORE, thresholds: DEFAULT_THRESHOLDS })).kind).toBe('changed');
  }
  if (expiresAt !== null) await setExpiry(id, expiresAt);
  return id;
}

/** Every item of follow-up `id`'s partition (the follow-up and its history, expired or not), as stored. */
async function partition(id: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const item of queryItems(table.db, { TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.followUp(id).pk }, ConsistentRead: true })) items.push(item);
  return items;
}

/** Sets `expires_at` on every item of follow-up `id` (its history first, then the item, as the tracker does). */
async function setExpiry(id: string, expiresAt: number): Promise<void> {
  const items = await partition(id);
  for (const item of [...items.filter((one) => one.sk !== 'FOLLOWUP'), ...items.filter((one) => one.sk === 'FOLLOWUP')]) {
    await table.db.update({
      TableName: table.tableName,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: 'SET #ttl = :ttl',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':ttl': expiresAt },
    });
  }
}

/** The ids the worklist lists in `state`, as of `now`, page after page of 2 (an expired item between pages too). */
async function listed(state: FollowUpListState, now: Date): Promise<string[]> {
  const ids: string[] = [];
  let from = null;
  do {
    const page = await listFollowUps(table.db, table.tableName, { state, owner: null, limit: 2, from, now });
    ids.push(...page.items.map((stored) => stored.followUp.id));
    from = page.next;
  } while (from !== null);
  return ids;
}

let ids: { goneOpen: string; goneClosed: string; keptOpen: string; keptClosed: string };

beforeAll(async () => {
  table = await createTestTable('follow-up-expiry');
  // An open one can carry an expiry for a moment (reopened by a person before the tracker's next recompute); a closed one carries one for RETENTION_DAYS.
  ids = {
    goneOpen: await seed([{ action: 'record_contact', channel: 'phone', outcome: 'reached' }], EXPIRED_AT),
    goneClosed: await seed([{ action: 'close', disposition: 'patient_declined' }], EXPIRED_AT),
    keptOpen: await seed([], KEPT_UNTIL),
    keptClosed: await seed([{ action: 'close', disposition: 'tested_elsewhere' }], null),
  };
});
afterAll(async () => {
  await table?.drop();
});

describe('a follow-up whose expires_at has passed is absent to every read (CONTRACT §9)', () => {
  it('is absent to the store’s reads by key, by keys and of its history, and present a moment before its expiry', async () => {
    const { goneOpen, goneClosed, keptOpen } = ids;
    expect(await getFollowUp(table.db, table.tableName, goneOpen, NOW)).toBeNull();
    expect(await getFollowUp(table.db, table.tableName, goneClosed, NOW)).toBeNull();
    expect(await getFollowUp(table.db, table.tableName, keptOpen, NOW)).toMatchObject({ followUp: { id: keptOpen, version: 2 }, expiresAt: KEPT_UNTIL });
    expect(await getFollowUp(table.db, table.tableName, goneOpen, BEFORE)).toMatchObject({ followUp: { id: goneOpen, version: 3 }, expiresAt: EXPIRED_AT });
    // The boundary: expired at its own second.
    expect(await getFollowUp(table.db, table.tableName, goneOpen, new Date(EXPIRED_AT * 1000))).toBeNull();
    expect(await getFollowUp(table.db, table.tableName, goneOpen, new Date(EXPIRED_AT * 1000 - 1))).not.toBeNull();

    expect(await readHistory(table.db, table.tableName, goneOpen, NOW)).toEqual([]);
    expect((await readHistory(table.db, table.tableName, goneOpen, BEFORE)).map((entry) => entry.action)).toEqual(['open', 'acknowledge', 'record_contact']);
    expect([...(await getFollowUps(table.db, table.tableName, [goneOpen, goneClosed, keptOpen], NOW)).keys()]).toEqual([keptOpen]);
    expect([...(await getFollowUps(table.db, table.tableName, [goneOpen, goneClosed, keptOpen], BEFORE)).keys()].sort()).toEqual([goneOpen, goneClosed, keptOpen].sort());
    expect([...(await getFollowUps(table.db, table.tableName, [goneOpen, goneClosed, keptOpen, 'none'], NOW)).keys()]).toEqual([keptOpen]);
    // Still stored: DynamoDB Local's TTL deletes nothing, AWS's takes days.
    expect((await partition(goneOpen)).length).toBe(4);
  });

  it('is not listed, counted, swept or reported: the worklist, its counts and the open partition skip it', async () => {
    const { goneOpen, goneClosed, keptOpen, keptClosed } = ids;
    expect((await listed('open', NOW)).sort()).toEqual([keptOpen]);
    expect((await listed('closed', NOW)).sort()).toEqual([keptClosed]);
    expect((await listed('acknowledged', NOW)).sort()).toEqual([keptOpen]);
    expect((await listed('open', BEFORE)).sort()).toEqual([goneOpen, keptOpen].sort());
    expect((await listed('closed', BEFORE)).sort()).toEqual([goneClosed, keptClosed].sort());

    const counts = await countFollowUps(table.db, table.tableName, 'team.west', NOW);
    expect(counts.counts).toMatchObject({ open: 1, mine: 1, unassigned: 0 });
    expect(counts.owners).toEqual([{ owner: 'team.west', open: 1 }]);
    expect((await countFollowUps(table.db, table.tableName, 'team.west', BEFORE)).counts).toMatchObject({ open: 2, mine: 2 });

    expect((await openFollowUps(table.db, table.tableName, NOW)).map((stored) => stored.followUp.id)).toEqual([keptOpen]);
    expect((await openFollowUps(table.db, table.tableName, BEFORE)).map((stored) => stored.followUp.id).sort()).toEqual([goneOpen, keptOpen].sort());
  });

  it('answers 404 through the query and actions functions, and is missing from their lists and counts', async () => {
    const { goneOpen, goneClosed, keptOpen, keptClosed } = ids;
    const query = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, now: () => NOW, actorSource: 'header' });
    const get = async (path: string, template: string, params?: Record<string, string>) => {
      const event: QueryEvent = {
        routeKey: '$default',
        rawPath: path,
        headers: { 'x-redraw-actor': 'team.west' },
        requestContext: { http: { method: 'GET' } },
        ...(params ? { queryStringParameters: params } : {}),
      };
      const answer = await query(event);
      assertDocumented('GET', template, answer);
      return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
    };
    for (const id of [goneOpen, goneClosed]) expect(await get(`/follow-ups/${id}`, '/follow-ups/{follow_up_id}')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await get(`/follow-ups/${keptOpen}`, '/follow-ups/{follow_up_id}')).toMatchObject({ status: 200, body: { follow_up: { id: keptOpen }, history: [{ action: 'open' }, { action: 'acknowledge' }] } });
    const idsOf = (body: Record<string, unknown>) => (body.items as { id: string }[]).map((item) => item.id);
    expect(idsOf((await get('/follow-ups', '/follow-ups')).body)).toEqual([keptOpen]);
    expect(idsOf((await get('/follow-ups', '/follow-ups', { state: 'closed' })).body)).toEqual([keptClosed]);
    expect((await get('/follow-ups/counts', '/follow-ups/counts')).body).toMatchObject({ counts: { open: 1, mine: 1, unassigned: 0 }, owners: [{ owner: 'team.west', open: 1 }] });

    const actions = createFollowUpActionsHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'header', now: () => NOW });
    const answer = await actions({
      routeKey: '$default',
      rawPath: `/follow-ups/${goneClosed}/actions`,
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'j.doe' },
      body: JSON.stringify({ action: 'reopen' }),
      requestContext: { http: { method: 'POST' } },
    });
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([404, { error: { code: 'not_found', message: 'no follow-up with this id' } }]);
    // Still stored as it was (read through the item's codec: `fu` is compact, issue 76).
    const leftover = (await partition(goneClosed)).find((item) => item.sk === 'FOLLOWUP');
    expect(leftover && parseStored(leftover).followUp).toMatchObject({ state: 'closed', version: 3 });
  });
});

describe('a follow-up that returns over an expired one is never blocked by its leftovers', () => {
  it('opens over the expired items at version 1, with a history of its own through its later versions and its retention', async () => {
    // The expired one reached version 4: its history items 2 to 4 outlive what the new one writes at first.
    const id = await seed([{ action: 'record_contact', channel: 'phone', outcome: 'reached' }, { action: 'close', disposition: 'patient_declined' }], EXPIRED_AT);
    const fresh = openFollowUp({ id, transactionId: id, initialOrderId: `o2-${id}`, redrawOrderId: null, openedAt: '2026-03-10T09:00:00.000000Z' });
    const next = { followUp: fresh, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
    // Before the expiry, the stored one blocks an opening (a lost race); after it, the opening is written over it.
    expect(await writeStoredFollowUp(table.db, table.tableName, null, next, [openingEntry(fresh, NOW)], BEFORE)).toBe('lost');
    expect(await writeStoredFollowUp(table.db, table.tableName, null, next, [openingEntry(fresh, NOW)], NOW)).toBe('written');
    expect(await getFollowUp(table.db, table.tableName, id, NOW)).toMatchObject({ followUp: { version: 1, state: 'new', owner: null, initial_order_id: `o2-${id}` }, expiresAt: null, revision: 1 });
    expect((await readHistory(table.db, table.tableName, id, NOW)).map((entry) => [entry.action, entry.at])).toEqual([['open', '2026-03-10T12:00:00.000000Z']]);

    // Its second version is written over the expired one's second entry; the third and fourth never show.
    expect(await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'assign', owner: 'team.east' }, actor: 'j.doe', now: NOW, thresholds: DEFAULT_THRESHOLDS })).toMatchObject({ kind: 'changed', stored: { followUp: { version: 2 } } });
    expect((await readHistory(table.db, table.tableName, id, NOW)).map((entry) => entry.action)).toEqual(['open', 'assign']);

    // The tracker closes it with an expiry: its own history takes it, the expired entries keep theirs (never revived).
    const situation = followUpSituation(
      [
        { id: `o2-${id}`, origin: 'initial', low_level_status: 'completed', status_time: '2026-03-10T11:00:00.000000Z', created_at: '2026-03-01T08:00:00.000000Z', redraw_available_at: '2026-03-10T09:00:00.000000Z' },
      ],
      'completed',
    );
    const kept = await keepFollowUpCurrent(table.db, table.tableName, { id, transactionId: id, situation, expiresAt: KEPT_UNTIL, now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect(kept.outcome).toBe('changed');
    expect((await getFollowUp(table.db, table.tableName, id, NOW))?.followUp).toMatchObject({ version: 3, state: 'closed', disposition: 'results_received' });
    expect((await readHistory(table.db, table.tableName, id, NOW)).map((entry) => entry.action)).toEqual(['open', 'assign', 'close']);
    const expiries = new Map((await partition(id)).map((item) => [String(item.sk), item[TABLE.ttlAttribute]]));
    const sk = (version: number) => keys.followUpHistory(id, version).sk;
    expect(expiries).toEqual(new Map([[sk(1), KEPT_UNTIL], [sk(2), KEPT_UNTIL], [sk(3), KEPT_UNTIL], [sk(4), EXPIRED_AT], ['FOLLOWUP', KEPT_UNTIL]]));
  });
});
