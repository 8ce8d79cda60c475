/**
 * GET /redraws?state=open while orders move between the open-redraws index's
 * partitions (issue 55 item 6): the sweep flags an order (awaiting or in
 * progress -> stale), a person's snooze or close clears the flag (stale -> back),
 * between any two pages of a walk. Through the real query function on DynamoDB
 * Local (its index is synchronous): an order that is open for the whole walk is
 * listed exactly once in it, whatever moved; an order that closes meanwhile is
 * listed at most once. Walked partition after partition (the listing before this
 * issue), a move back into a partition already walked dropped an order, and one
 * into a partition still ahead listed it twice.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../functions/core/order-record';
import { createQueryHandler, type QueryEvent } from '../../functions/query/app';
import { orderItem } from '../../functions/store/order-items';
import { getOrder } from '../../functions/store/order-reads';
import { flagStale, refileOpenRedraw } from '../../functions/store/redraws';
import { keys, OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';
import { record } from '../support/records';
import { propertyRuns } from '../support/property-runs';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('redraw-list-moves');
});
afterAll(async () => {
  await table?.drop();
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** An open redraw of each kind: an initial order awaiting its redraw, or a redraw order in progress, at a time of its own. */
function openRedraw(kind: 'awaiting' | 'in_progress', minute: number): OrderRecord {
  const at = new Date(Date.UTC(2026, 9, 1, 9, minute)).toISOString().replace('Z', '000Z');
  const id = freshId();
  return kind === 'awaiting'
    ? record({ id, transaction_id: freshId(), origin: 'initial', status: 'failed', low_level_status: 'redraw_available', status_time: at, created_at: at })
    : record({ id, transaction_id: freshId(), origin: 'redraw', status: 'collecting_sample', low_level_status: 'appointment_scheduled', status_time: at, created_at: at });
}

/** What happens to one order between two pages. */
type Move = { order: number; to: 'stale' | 'back' | 'closed' };

/** Applies a move as the sweep, a person or Junction makes it, conditional on what is stored now (a move that does not apply is skipped). */
async function move(order: OrderRecord, to: Move['to']): Promise<void> {
  const stored = await getOrder(table.db, table.tableName, order.id);
  if (stored?.openRedraw == null) return;
  const seen = { orderId: order.id, rank: stored.record.rank, partition: stored.openRedraw };
  if (to === 'stale' && stored.openRedraw !== OPEN_REDRAW_PARTITIONS.stale) {
    expect(await flagStale(table.db, table.tableName, seen, { since: '2026-10-09T09:00:00.000000Z', reason: order.origin === 'redraw' ? 'no_progress' : 'redraw_not_created' })).toBe('written');
  } else if (to === 'back' && stored.openRedraw === OPEN_REDRAW_PARTITIONS.stale) {
    expect(await refileOpenRedraw(table.db, table.tableName, seen, stored.record, false, { since: '2026-10-09T10:00:00.000000Z', by: 'snoozed' })).toBe('written');
  } else if (to === 'closed') {
    // Its redraw came and ended: out of the index, as a refile of an order that is no open redraw does.
    expect(await refileOpenRedraw(table.db, table.tableName, seen, { ...stored.record, low_level_status: 'completed', status: 'completed' }, false)).toBe('written');
  }
}

describe('GET /redraws?state=open while orders move between partitions (property)', () => {
  it('lists an order open for the whole walk exactly once, and one that closes meanwhile at most once', async () => {
    const handler = createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent });
    const page = async (limit: number, cursor: string | null): Promise<{ ids: string[]; next: string | null }> => {
      const event: QueryEvent = { routeKey: '$default', rawPath: '/redraws', requestContext: { http: { method: 'GET' } }, queryStringParameters: { state: 'open', limit: String(limit), ...(cursor === null ? {} : { cursor }) } };
      const response = await handler(event);
      expect(response.statusCode, response.body).toBe(200);
      const body = JSON.parse(response.body) as { items: { id: string }[]; next_cursor: string | null };
      return { ids: body.items.map((item) => item.id), next: body.next_cursor };
    };
    const scenario = fc.record({
      kinds: fc.array(fc.constantFrom('awaiting' as const, 'in_progress' as const), { minLength: 3, maxLength: 9 }),
      flaggedAtStart: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      limit: fc.integer({ min: 1, max: 3 }),
      // The moves made after each page (the walk's own length decides how many are used).
      moves: fc.array(fc.array(fc.record({ order: fc.nat(8), to: fc.constantFrom('stale' as const, 'back' as const, 'back' as const, 'closed' as const) }), { maxLength: 4 }), { minLength: 12, maxLength: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ kinds, flaggedAtStart, limit, moves }) => {
        const orders = kinds.map((kind, index) => openRedraw(kind, index));
        for (const order of orders) await table.db.put({ TableName: table.tableName, Item: orderItem(order, false) });
        for (const [index, order] of orders.entries()) if (flaggedAtStart[index]) await move(order, 'stale');
        const closed = new Set<string>();
        const listed: string[] = [];
        let cursor: string | null = null;
        for (let pageNumber = 0; ; pageNumber++) {
          expect(pageNumber).toBeLessThan(40);
          const { ids, next } = await page(limit, cursor);
          listed.push(...ids.filter((id) => orders.some((order) => order.id === id)));
          if (next === null) break;
          cursor = next;
          for (const { order, to } of moves[pageNumber % moves.length]!) {
            const target = orders[order % orders.length]!;
            if (closed.has(target.id)) continue;
            await move(target, to);
            if (to === 'closed') closed.add(target.id);
          }
        }
        const times = (id: string) => listed.filter((one) => one === id).length;
        for (const order of orders) {
          if (closed.has(order.id)) expect(times(order.id), `${order.id} closed during the walk`).toBeLessThanOrEqual(1);
          else expect(times(order.id), `${order.id} open for the whole walk`).toBe(1);
        }
        // Gone from the index, so the next run's walk lists only its own orders.
        for (const order of orders) await table.db.delete({ TableName: table.tableName, Key: keys.order(order.id) });
      }),
      { numRuns: propertyRuns(40) },
    );
  });
});
