/**
 * The pure rules reconciliation adds to a transaction's members (CONTRACT §6):
 * transactions remember the newest status time any listing showed for each
 * member, and say since when a member is behind. The order's side (API reads,
 * listings of a transaction) is order-record.reconcile.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  behindSince,
  earliestBehind,
  memberOf,
  membersBehindBefore,
  mergeMembers,
  needsWrite,
  planRecompute,
  type KnownOrder,
  type MemberKnowledge,
} from '../../../functions/core/members';
import type { ListingSnapshot, OrderRecord } from '../../../functions/core/order-record';
import { listedAt, record } from '../../support/records';

function listing(members: OrderRecord[]): ListingSnapshot {
  const time = members.map((member) => member.status_time).reduce((a, b) => (b > a ? b : a));
  return { transaction_id: 'txn', reported_status: 'active', reported_status_time: time, members };
}

function known(...orders: OrderRecord[]): Map<string, KnownOrder> {
  return new Map(orders.map((order) => [order.id, { record: order, inOpenRedraws: false }]));
}

describe('listed status times and members behind', () => {
  const own = record({ id: 'a', status_time: '2026-03-02T09:00:00.000000Z', rank: '0001' });

  it('keeps the newest listed time even when the member has its own state, and never moves it back', () => {
    const later = listedAt('a', '2026-03-03T09:00:00.000000Z');
    const earlier = listedAt('a', '2026-03-02T12:00:00.000000Z');
    const merged = mergeMembers({}, [own, later, earlier]);
    expect(merged.a).toMatchObject({ source: 'webhook', rank: '0001', listed_status_time: '2026-03-03T09:00:00.000000Z' });
    expect(mergeMembers(merged, [earlier]).a?.listed_status_time).toBe('2026-03-03T09:00:00.000000Z');
  });

  it('gives the same members, listed times included, whatever the order of the candidates', () => {
    const candidate = fc.record({
      id: fc.constantFrom('a', 'b'),
      source: fc.constantFrom<OrderRecord['source']>('webhook', 'api', 'transaction_listing'),
      day: fc.integer({ min: 1, max: 9 }),
    });
    const lists = fc
      .uniqueArray(candidate, { selector: (c) => `${c.id}${c.source === 'transaction_listing' ? 'L' : 'O'}${c.day}` })
      .map((list) =>
        list.map((c) => {
          const time = `2026-03-0${c.day}T00:00:00.000000Z`;
          return c.source === 'transaction_listing' ? listedAt(c.id, time) : record({ id: c.id, source: c.source, status_time: time, rank: `000${c.day}` });
        }),
      )
      .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })));
    fc.assert(
      fc.property(lists, ([members, shuffled]) => {
        const a = mergeMembers({}, members);
        const b = mergeMembers({}, shuffled);
        // Which own source holds a tied event depends on which came first (as in the table); everything else must not.
        const withoutSource = (merged: Record<string, MemberKnowledge>) =>
          Object.fromEntries(Object.entries(merged).map(([id, member]) => [id, { ...member, source: member.source === 'transaction_listing' ? 'listing' : 'own' }]));
        expect(withoutSource(b)).toEqual(withoutSource(a));
      }),
    );
  });

  it('says a member is behind only when a listing showed a later status time than its own, or it has no own state', () => {
    const listedLater = memberOf({ ...own, listed_status_time: '2026-03-03T09:00:00.000000Z' });
    const listedSame = memberOf({ ...own, listed_status_time: own.status_time });
    const onlyListed = memberOf(listedAt('b', '2026-03-01T00:00:00.000000Z'));
    expect(behindSince(memberOf(own))).toBeNull();
    expect(behindSince(listedSame)).toBeNull();
    expect(behindSince(listedLater)).toBe('2026-03-03T09:00:00.000000Z');
    expect(behindSince({ ...listedLater, source: 'api' })).toBe('2026-03-03T09:00:00.000000Z');
    expect(behindSince(onlyListed)).toBe('2026-03-01T00:00:00.000000Z');
    expect(earliestBehind([listedLater, listedSame, onlyListed])).toBe('2026-03-01T00:00:00.000000Z');
    expect(earliestBehind([listedSame])).toBeNull();
    expect(membersBehindBefore([listedLater, listedSame, onlyListed], '2026-03-03T09:00:00.000000Z').map((member) => member.id)).toEqual(['b']);
    expect(membersBehindBefore([listedLater, listedSame, onlyListed], '2026-03-04T00:00:00.000000Z').map((member) => member.id)).toEqual(['b', 'a']);
  });
});

describe('planRecompute and catch-up', () => {
  const a = record({ id: 'a', status_time: '2026-03-02T09:00:00.000000Z', rank: '0001' });
  const b = record({ id: 'b', status_time: '2026-03-02T10:00:00.000000Z', rank: '0002' });

  it('marks the transaction behind since the listed time of a member whose webhook did not come', () => {
    const plan = planRecompute({ transactionId: 'txn', stored: null, known: known(a, b), listings: [listing([listedAt('a', '2026-03-03T09:00:00.000000Z'), listedAt('b', b.status_time)])] });
    expect(plan.transaction.behind_status_time).toBe('2026-03-03T09:00:00.000000Z');
    expect(plan.transaction.members.a?.source).toBe('webhook');
  });

  it('clears it once the member’s own state catches up (from its webhook or the API), and writes nothing more after', () => {
    const behind = planRecompute({ transactionId: 'txn', stored: null, known: known(a), listings: [listing([listedAt('a', '2026-03-03T09:00:00.000000Z')])] });
    const caughtUp = { ...a, source: 'api' as const, rank: '0005', status_time: '2026-03-03T09:00:00.000000Z' };
    const after = planRecompute({ transactionId: 'txn', stored: behind.transaction, known: known(caughtUp), listings: [] });
    expect(after.transaction.behind_status_time).toBeNull();
    expect(after.transactionChanged).toBe(true);
    expect(needsWrite(planRecompute({ transactionId: 'txn', stored: after.transaction, known: known(caughtUp), listings: [] }))).toBe(false);
  });

  it('counts a member known only from a listing as behind since its listed status time', () => {
    const plan = planRecompute({ transactionId: 'txn', stored: null, known: known(a), listings: [listing([listedAt('r', '2026-03-04T00:00:00.000000Z', 'ordered')])] });
    expect(plan.listingOrders.map((order) => order.id)).toEqual(['r']);
    expect(plan.transaction.behind_status_time).toBe('2026-03-04T00:00:00.000000Z');
  });

  it('writes when a stored transaction lacks what it now knows (items from before catch-up existed)', () => {
    const first = planRecompute({ transactionId: 'txn', stored: null, known: known(a), listings: [listing([listedAt('b', '2026-03-04T00:00:00.000000Z')])] });
    const legacy = { ...first.transaction, behind_status_time: null };
    expect(planRecompute({ transactionId: 'txn', stored: legacy, known: known(a), listings: [] }).transactionChanged).toBe(true);
  });
});
