/**
 * The new order a `reordered` close may name (console/src/lib/reorder.ts,
 * CONTRACT §9): read from GET /transactions/{id}, suggested only when the
 * transaction has an order that is neither the follow-up's initial nor its
 * redraw order and was created after the follow-up opened.
 */
import { describe, expect, it } from 'vitest';
import { memberOrdersOf, reorderedReference } from '../../../console/src/lib/reorder';

const followUp = { initial_order_id: 'o-initial', redraw_order_id: 'o-redraw', opened_at: '2026-03-05T10:00:00.000000Z' };
const order = (id: string, created_at: string) => ({ id, created_at });

describe('the reference a reordered close is offered', () => {
  it('is the newest order of the transaction created after the follow-up opened, other than its initial and redraw orders', () => {
    const orders = [
      order('o-initial', '2026-03-01T09:00:00.000000Z'),
      order('o-redraw', '2026-03-06T09:00:00.000000Z'),
      order('o-new-1', '2026-03-07T09:00:00.000000Z'),
      order('o-new-2', '2026-03-08T09:00:00.000000Z'),
    ];
    expect(reorderedReference(followUp, orders)).toBe('o-new-2');
    expect(reorderedReference({ ...followUp, redraw_order_id: null }, orders.slice(0, 2))).toBe('o-redraw');
  });

  it('is nothing when no such order is known: only its own orders, or one created before it opened', () => {
    expect(reorderedReference(followUp, [])).toBeNull();
    expect(reorderedReference(followUp, [order('o-initial', '2026-03-01T09:00:00.000000Z'), order('o-redraw', '2026-03-06T09:00:00.000000Z')])).toBeNull();
    expect(reorderedReference(followUp, [order('o-before', '2026-03-05T09:59:59.000000Z'), order('o-same', '2026-03-05T10:00:00.000000Z')])).toBeNull();
  });

  it('never offers an id that could not be a reference', () => {
    expect(reorderedReference(followUp, [order('not an id', '2026-03-07T09:00:00.000000Z')])).toBeNull();
  });

  it("reads the transaction's orders from its answer, skipping what is not an order", () => {
    const body = { transaction: { id: 't-1', status: 'active', orders: [order('o-1', '2026-03-07T09:00:00.000000Z'), { id: 'o-2' }, 'o-3', null] } };
    expect(memberOrdersOf(body)).toEqual([order('o-1', '2026-03-07T09:00:00.000000Z')]);
    expect(memberOrdersOf({ transaction: { id: 't-1' } })).toEqual([]);
    expect(memberOrdersOf(null)).toEqual([]);
  });
});
