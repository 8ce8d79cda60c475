/**
 * Snoozed follow-ups in the worklist's order (CONTRACT §9, issue 72 item 5), on
 * DynamoDB Local through the store's own writes: "`attention` first, then
 * `due_at` ascending, nulls last; a snoozed follow-up after every one that is
 * not, by `snoozed_until`: its attention counts once it wakes". The keys put a
 * snoozed follow-up after every live one in the open listing and in its owner's
 * range of the worklist index; the write that ends the snooze (a person's
 * action, or the sweep's `snooze_ended`) moves it back, and the sweep still
 * finds a snooze that ended; `migrate follow-up-keys` re-keys the items written
 * under the old order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueAt } from '../../functions/core/follow-up/due';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp, type FollowUp } from '../../functions/core/follow-up/states';
import { canonicalFromDate } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { runSweep } from '../../functions/stale-redraw-sweep/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { A, parseStored } from '../../functions/store/follow-ups/item';
import { listFollowUps, type FollowUpFilters } from '../../functions/store/follow-ups/worklist';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { TABLE } from '../../functions/store/table';
import { keys } from '../../functions/store/keys';
import { freshId } from '../../local/junction/flows';
import { runCliOnTable } from '../support/cli-in-process';
import { createTestTable, type TestTable } from '../support/dynamodb';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const iso = (at: number) => canonicalFromDate(new Date(at));
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('snoozed-order');
});
afterAll(async () => {
  await table?.drop();
});

interface Seed {
  owner: string;
  attention?: boolean;
  /** Its redraw awaited since then (due 24 hours later); none: no due time. */
  awaitedSince?: number;
  /** Snoozed until then by its owner, at NOW. */
  snoozedUntil?: number;
}

/** A follow-up opened two days before NOW by the tracker, taken by its owner, snoozed when asked: the store's own writes. */
async function seed(name: string, spec: Seed): Promise<string> {
  const id = `${name}-${freshId().slice(0, 8)}`;
  const openedAt = NOW - 2 * DAY;
  const opened = openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}`, redrawOrderId: null, openedAt: iso(openedAt) });
  const followUp: FollowUp = { ...opened, attention: spec.attention ? 'redraw_failed' : null };
  const redraw = spec.awaitedSince === undefined ? null : { kind: 'awaiting_redraw' as const, statusTime: iso(spec.awaitedSince), orderId: `o-${id}` };
  const stored = { followUp, redraw, dueAt: dueAt(followUp, redraw, DEFAULT_THRESHOLDS), applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(openedAt))], new Date(openedAt))).toBe('written');
  await act(id, { action: 'acknowledge', owner: spec.owner }, NOW - DAY);
  if (spec.snoozedUntil !== undefined) await act(id, { action: 'snooze', until: iso(spec.snoozedUntil), reason: 'awaiting_clinician' }, NOW);
  return id;
}

async function act(id: string, body: unknown, at: number): Promise<void> {
  const result = await actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: new Date(at), thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
}

/** The ids a worklist lists (page after page of 2, so the order holds across cursors), of those given. */
async function listed(filters: Pick<FollowUpFilters, 'owner' | 'queue' | 'actor'>, at: number, of: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  let from = null;
  do {
    const page: Awaited<ReturnType<typeof listFollowUps>> = await listFollowUps(table.db, table.tableName, { state: 'open', ...filters, limit: 2, from, now: new Date(at) });
    ids.push(...page.items.map((one) => one.followUp.id));
    from = page.next;
  } while (from !== null);
  return ids.filter((id) => of.includes(id));
}

/** Every way the worklist reads an owner's open follow-ups: the open listing, Mine (the worklist index's range), the owner filter. */
async function everyList(owner: string, at: number, of: readonly string[]): Promise<string[][]> {
  return [await listed({ owner: null }, at, of), await listed({ owner: null, queue: 'mine', actor: owner }, at, of), await listed({ owner }, at, of)];
}

async function sweep(at: number): Promise<void> {
  await runSweep({
    db: table.db,
    tableName: table.tableName,
    now: new Date(at),
    thresholds: DEFAULT_THRESHOLDS,
    notifier: createInMemoryNotifier(silent, undefined, () => new Date(at)),
    logger: silent,
    metrics: { addMetric: () => {} },
  });
}

describe('snoozed follow-ups in the worklist (CONTRACT §9)', () => {
  it('list after every live one, by snoozed_until, whatever their attention; the end of a snooze (a person\'s action, the sweep) moves one back', async () => {
    const owner = `maria-${freshId().slice(0, 6)}`;
    const urgent = await seed('urgent', { owner, attention: true, awaitedSince: NOW - 2 * DAY });
    const due = await seed('due', { owner, awaitedSince: NOW - 12 * HOUR });
    const noDue = await seed('nodue', { owner });
    // A decision snoozed until tomorrow: before issue 72 it sorted first of all ("!~"), red, without a due time.
    const decision = await seed('decision', { owner, attention: true, snoozedUntil: NOW + DAY });
    const soon = await seed('soon', { owner, awaitedSince: NOW - DAY, snoozedUntil: NOW + 3 * HOUR });
    const ids = [urgent, due, noDue, decision, soon];
    const order = [urgent, due, noDue, soon, decision];
    expect(await everyList(owner, NOW, ids)).toEqual([order, order, order]);

    // Its snooze ended, not recorded yet: a person's action records snooze_ended first and moves it back, by its due time.
    await act(soon, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }, NOW + 4 * HOUR);
    const afterAction = [urgent, soon, due, noDue, decision];
    expect(await everyList(owner, NOW + 4 * HOUR, ids)).toEqual([afterAction, afterAction, afterAction]);

    // The sweep after snoozed_until still finds the decision in the open listing, records snooze_ended, and its attention counts again.
    await sweep(NOW + DAY + HOUR);
    const history = await readHistory(table.db, table.tableName, decision, new Date(NOW + DAY + HOUR));
    expect(history.at(-1)).toMatchObject({ actor: 'tracker', action: 'snooze_ended', from_state: 'snoozed', to_state: 'acknowledged' });
    // Both with attention: the decision (no due time) after the overdue one, before every one without attention.
    const woken = [urgent, decision, soon, due, noDue];
    expect(await everyList(owner, NOW + DAY + HOUR, ids)).toEqual([woken, woken, woken]);
  });

  it('migrate follow-up-keys re-keys the snoozed follow-ups written under the old order, once', async () => {
    const owner = `tom-${freshId().slice(0, 6)}`;
    const live = await seed('live', { owner, awaitedSince: NOW - 12 * HOUR });
    const later = await seed('later', { owner, attention: true, snoozedUntil: NOW + 2 * DAY });
    const sooner = await seed('sooner', { owner, snoozedUntil: NOW + DAY, awaitedSince: NOW - 12 * HOUR });
    const ids = [live, later, sooner];
    // As written before issue 72: a snoozed one keyed by its attention and due time, like a live one.
    for (const id of [later, sooner]) {
      const item = (await table.db.get({ TableName: table.tableName, Key: keys.followUp(id), ConsistentRead: true }))!;
      const stored = parseStored(item);
      const attention = stored.followUp.attention !== null;
      await table.db.put({
        TableName: table.tableName,
        Item: {
          ...item,
          [TABLE.byTransaction.sortKey]: `${attention ? '!' : ''}${stored.dueAt ?? '~'}#${id}`,
          [TABLE.worklist.sortKey]: `${keys.ownerKey(owner)}#${attention ? '!' : ''}${stored.dueAt ?? '~'}`,
        },
      });
    }
    const before = await everyList(owner, NOW, ids);
    expect(before).toEqual([[later, live, sooner], [later, live, sooner], [later, live, sooner]]);

    const first = await cli(['migrate', 'follow-up-keys', '--json']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    // Every follow-up of the table is read once (those of the other test too), and only the two re-keyed are written.
    expect(JSON.parse(first.stdout)).toMatchObject({ written: 2, raced: 0, expired: 0 });
    expect(await everyList(owner, NOW, ids)).toEqual([[live, sooner, later], [live, sooner, later], [live, sooner, later]]);
    const migrated = (await table.db.get({ TableName: table.tableName, Key: keys.followUp(later), ConsistentRead: true }))!;
    expect(migrated[A.revision]).toBe(parseStored(migrated).revision);

    const again = JSON.parse((await cli(['migrate', 'worklist-index', '--json'])).stdout) as { read: number; written: number; current: number };
    expect(again).toMatchObject({ written: 0, current: again.read });
  });
});

const cli = (argv: string[]) => runCliOnTable(argv, table.tableName, () => new Date(NOW));
