import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeMembers,
  needsStoring,
  needsWrite,
  newestReportedStatus,
  planRecompute,
  type KnownOrder,
  type MemberKnowledge,
} from '../../../functions/core/members';
import type { ListingSnapshot, OrderRecord } from '../../../functions/core/order-record';
import { record } from '../../support/records';

function known(order: OrderRecord, inOpenRedraws = false): Map<string, KnownOrder> {
  return new Map([[order.id, { record: order, inOpenRedraws }]]);
}

function listing(members: OrderRecord[], reported: string | null = 'active', time = '2026-03-02T10:00:00.000000Z'): ListingSnapshot {
  return { transaction_id: 'txn', reported_status: reported, reported_status_time: time, members };
}

describe('mergeMembers', () => {
  const webhook = record({ id: 'a', rank: '0001', low_level_status: 'ordered' });
  const listed = record({ id: 'a', rank: '9999', source: 'transaction_listing', low_level_status: 'completed' });

  it("keeps the order's own webhook state over any listing, whatever the ranks", () => {
    expect(mergeMembers({ a: webhook }, [listed]).a?.source).toBe('webhook');
    expect(mergeMembers({ a: listed }, [webhook]).a?.source).toBe('webhook');
  });

  it('moves a member to a higher rank of the same source, never back', () => {
    const newer = { ...webhook, rank: '0002', low_level_status: 'completed' };
    expect(mergeMembers({ a: webhook }, [newer]).a?.low_level_status).toBe('completed');
    expect(mergeMembers({ a: newer }, [webhook]).a?.low_level_status).toBe('completed');
  });

  it('gives the same members whatever the order of the candidates', () => {
    const candidate = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      source: fc.constantFrom<MemberKnowledge['source']>('webhook', 'transaction_listing'),
      rank: fc.constantFrom('1', '2', '3'),
    });
    const candidates = fc
      .uniqueArray(candidate, { selector: (c) => `${c.id}${c.source}${c.rank}` })
      .map((list) => list.map((c) => ({ ...record({ id: c.id }), ...c, low_level_status: `${c.source}-${c.rank}` })))
      .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })));
    fc.assert(
      fc.property(candidates, ([members, shuffled]) => {
        expect(mergeMembers({}, shuffled)).toEqual(mergeMembers({}, members));
      }),
    );
  });
});

describe('newestReportedStatus', () => {
  it('takes the status of the listing with the newest status time, keeping the current one on ties', () => {
    const current = { status: 'active', time: '2026-03-02T10:00:00.000000Z' };
    expect(newestReportedStatus(current, [listing([], 'completed', '2026-03-02T10:00:00.000000Z')])).toEqual(current);
    expect(newestReportedStatus(current, [listing([], 'completed', '2026-03-02T11:00:00.000000Z')]).status).toBe('completed');
    expect(newestReportedStatus(current, [listing([], 'cancelled', '2026-03-01T11:00:00.000000Z')])).toEqual(current);
  });

  it('does not let a listing without a status erase a known one', () => {
    const current = { status: 'active', time: '2026-03-02T10:00:00.000000Z' };
    expect(newestReportedStatus(current, [listing([], null, '2026-03-03T00:00:00.000000Z')])).toEqual(current);
  });
});

describe('planRecompute', () => {
  const initial = record({ id: 'i', low_level_status: 'redraw_available', status_time: '2026-03-02T12:00:00.000000Z' });
  const redrawListed = record({
    id: 'r',
    origin: 'redraw',
    source: 'transaction_listing',
    low_level_status: 'ordered',
    status_time: '2026-03-03T09:00:00.000000Z',
    rank: 'L1',
  });

  it('stores a listing-only member and takes an awaiting order out of the open-redraws index once its redraw is known', () => {
    const plan = planRecompute({ transactionId: 'txn', stored: null, known: known(initial, true), listings: [listing([redrawListed])] });
    expect(plan.transaction.status).toBe('active');
    expect(plan.transaction.updated_at).toBe('2026-03-03T09:00:00.000000Z');
    expect(plan.listingOrders.map((order) => order.id)).toEqual(['r']);
    expect(plan.leavingOpenRedraws.map((order) => order.id)).toEqual(['i']);
  });

  it('plans no write when what it knows is already stored', () => {
    const first = planRecompute({ transactionId: 'txn', stored: null, known: known(initial), listings: [listing([initial])] });
    const again = planRecompute({ transactionId: 'txn', stored: first.transaction, known: known(initial), listings: [listing([initial])] });
    expect(needsWrite(first)).toBe(true);
    expect(needsWrite(again)).toBe(false);
  });

  it('does not store a listed record over an item from the order’s own webhook', () => {
    const redrawWebhook = { ...redrawListed, source: 'webhook' as const, rank: '0001' };
    const plan = planRecompute({ transactionId: 'txn', stored: null, known: known(redrawWebhook), listings: [listing([redrawListed])] });
    expect(plan.listingOrders).toEqual([]);
    expect(plan.transaction.members.r?.source).toBe('webhook');
  });

  it('completes the transaction when the redraw ends, even if only a listing says so', () => {
    const ended = { ...redrawListed, low_level_status: 'completed', rank: 'L2' };
    const plan = planRecompute({ transactionId: 'txn', stored: null, known: known(initial), listings: [listing([redrawListed]), listing([ended])] });
    expect(plan.transaction.status).toBe('completed');
    expect(plan.listingOrders).toEqual([ended]);
  });
});

describe('needsStoring', () => {
  const initial = record({ id: 'a', rank: '0001', low_level_status: 'ordered' });
  const stored = planRecompute({ transactionId: 'txn', stored: null, known: known(initial), listings: [listing([{ ...initial, source: 'transaction_listing' }])] }).transaction;
  const next = (orders: OrderRecord[], listings: ListingSnapshot[] = []) =>
    planRecompute({ transactionId: 'txn', stored, known: new Map(orders.map((order) => [order.id, { record: order, inOpenRedraws: false }])), listings }).transaction;

  it('stores a new transaction, and a new member', () => {
    expect(needsStoring(null, stored)).toBe(true);
    expect(needsStoring(stored, next([record({ id: 'b', origin: 'redraw', rank: '0002' })]))).toBe(true);
  });

  it('does not store a member’s own newer state: its order item holds it', () => {
    const later = next([{ ...initial, rank: '0003', low_level_status: 'completed', status_time: '2026-03-03T09:00:00.000000Z' }]);
    expect(later.status).not.toBe(stored.status);
    expect(needsStoring(stored, later)).toBe(false);
  });

  it('stores what only listings tell: a listed member’s newer state, and a member moving between listed and own', () => {
    const listedOnly = planRecompute({ transactionId: 'txn', stored: null, known: new Map(), listings: [listing([{ ...initial, source: 'transaction_listing' }])] }).transaction;
    const newerListing = planRecompute({ transactionId: 'txn', stored: listedOnly, known: new Map(), listings: [listing([{ ...initial, source: 'transaction_listing', rank: '0009' }])] }).transaction;
    expect(needsStoring(listedOnly, newerListing)).toBe(true);
    const ownNow = planRecompute({ transactionId: 'txn', stored: listedOnly, known: known(initial), listings: [] }).transaction;
    expect(needsStoring(listedOnly, ownNow)).toBe(true);
  });

  it('stores a member falling behind its listings, and catching up', () => {
    const ahead = { ...initial, source: 'transaction_listing' as const, rank: '0009', status_time: '2026-03-09T09:00:00.000000Z' };
    const behind = next([], [listing([ahead])]);
    expect(behind.behind_status_time).toBe('2026-03-09T09:00:00.000000Z');
    expect(needsStoring(stored, behind)).toBe(true);
    const caughtUp = planRecompute({
      transactionId: 'txn',
      stored: { ...behind },
      known: known({ ...initial, rank: '0010', status_time: '2026-03-09T09:00:00.000000Z' }),
      listings: [],
    }).transaction;
    expect(caughtUp.behind_status_time).toBeNull();
    expect(needsStoring(behind, caughtUp)).toBe(true);
  });

  it('stores Junction’s status for the transaction only when it came from a listing no order item carries', () => {
    const newer = listing([{ ...initial, source: 'transaction_listing' }], 'completed', '2026-03-05T09:00:00.000000Z');
    const fromItems = next([initial], [newer]);
    expect(fromItems.reported_status).toBe('completed');
    expect(needsStoring(stored, fromItems)).toBe(false);
    expect(needsStoring(stored, fromItems, [newer])).toBe(true);
  });
});
