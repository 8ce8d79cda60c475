/**
 * Retention (CONTRACT §8) as a pure rule: a transaction, its orders and its
 * follow-up expire RETENTION_DAYS after the later of the transaction's end and
 * the follow-up's close, and nothing of them expires while the follow-up is open.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { followUpSituation } from '../../../functions/core/follow-up/situation';
import type { ListingSnapshot, OrderRecord } from '../../../functions/core/order-record';
import { expiryAfter, followUpIsOpen, loneOrderExpiry, OPENING_FOLLOW_UP, ownOrderExpiry, transactionExpiry, type RetainedFollowUp } from '../../../functions/core/retention';
import { transactionStatus } from '../../../functions/core/transaction-status';
import { record } from '../../support/records';
import { propertyRuns } from '../../support/property-runs';

const DAYS = 30;
const ended = { status: 'completed' as const, updated_at: '2026-03-02T09:00:00.000000Z' };
const closed = (at: string): RetainedFollowUp => ({ state: 'closed', closed_at: at });

describe('transactionExpiry', () => {
  it('expires a transaction without a follow-up RETENTION_DAYS after its end, and never an active one', () => {
    expect(transactionExpiry(ended, DAYS)).toBe(expiryAfter(ended.updated_at, DAYS));
    expect(transactionExpiry({ ...ended, status: 'cancelled' }, DAYS)).toBe(expiryAfter(ended.updated_at, DAYS));
    expect(transactionExpiry({ ...ended, status: 'active' }, DAYS)).toBeNull();
    expect(transactionExpiry({ ...ended, status: 'active' }, DAYS, closed('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('keeps everything while the follow-up is open, in any open state, or about to open', () => {
    for (const state of ['new', 'acknowledged', 'snoozed']) expect(transactionExpiry(ended, DAYS, { state, closed_at: null })).toBeNull();
    expect(transactionExpiry(ended, DAYS, OPENING_FOLLOW_UP)).toBeNull();
  });

  it('expires after the later of the end and the close', () => {
    const later = '2026-05-10T12:30:00.000000Z';
    expect(transactionExpiry(ended, DAYS, closed(later))).toBe(expiryAfter(later, DAYS));
    // Closed by the tracker at Junction's time of the fact, before the transaction's newest status time.
    expect(transactionExpiry(ended, DAYS, closed('2026-03-01T08:00:00.000000Z'))).toBe(expiryAfter(ended.updated_at, DAYS));
  });

  it('never expires a transaction before its end or its follow-up before its close (any times)', () => {
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 1, max: 3650 }), (end, close, days) => {
        const expiry = transactionExpiry({ status: 'completed', updated_at: end }, days, closed(close))!;
        expect(expiry).toBeGreaterThanOrEqual(expiryAfter(end, days));
        expect(expiry).toBeGreaterThanOrEqual(expiryAfter(close, days));
        expect([expiryAfter(end, days), expiryAfter(close, days)]).toContain(expiry);
      }),
    );
  });
});

describe('followUpIsOpen', () => {
  it('is open unless closed with a close time', () => {
    expect(followUpIsOpen(closed('2026-03-02T09:00:00Z'))).toBe(false);
    expect(followUpIsOpen({ state: 'acknowledged', closed_at: null })).toBe(true);
    expect(followUpIsOpen({ state: 'closed', closed_at: null })).toBe(true);
  });
});

describe('loneOrderExpiry', () => {
  const order = { id: 'order-1', created_at: '2026-03-01T09:00:00Z', transaction_id: null, low_level_status: 'completed', status_time: '2026-03-02T09:00:00.000000Z' };

  it('follows the same rule with the follow-up of its own id', () => {
    expect(loneOrderExpiry(order, DAYS)).toBe(expiryAfter(order.status_time, DAYS));
    expect(loneOrderExpiry(order, DAYS, { state: 'snoozed', closed_at: null })).toBeNull();
    expect(loneOrderExpiry(order, DAYS, closed('2026-04-02T09:00:00Z'))).toBe(expiryAfter('2026-04-02T09:00:00Z', DAYS));
    expect(loneOrderExpiry({ ...order, low_level_status: 'redraw_available' }, DAYS, closed('2026-04-02T09:00:00Z'))).toBeNull();
    expect(loneOrderExpiry({ ...order, transaction_id: 'tx' }, DAYS)).toBeNull();
  });
});

describe('ownOrderExpiry (issue 57: the expiry an order’s own write carries when the order alone decides it)', () => {
  const member = (overrides: Partial<OrderRecord> & Pick<OrderRecord, 'id'>) => record({ collection_method: 'walk_in_test', ...overrides });
  const completed = member({ id: 'ord-1', low_level_status: 'completed', status: 'completed', status_time: '2026-03-02T09:00:00.000000Z' });
  const listingOf = (...members: OrderRecord[]): ListingSnapshot => ({ transaction_id: 'txn', reported_status: null, reported_status_time: '2026-03-02T09:00:00.000000Z', members: members.map((one) => ({ ...one, source: 'transaction_listing' })) });

  it('is what the transaction function computes for the only order of its transaction, ended, with no follow-up', () => {
    const transaction = { status: transactionStatus([completed]), updated_at: completed.status_time };
    expect(ownOrderExpiry({ record: completed, listing: listingOf(completed) }, DAYS)).toBe(transactionExpiry(transaction, DAYS));
    expect(ownOrderExpiry({ record: completed, listing: listingOf(completed) }, DAYS)).toBe(expiryAfter(completed.status_time, DAYS));
    // An order without a transaction: its own rule.
    const lone = { ...completed, transaction_id: null };
    expect(ownOrderExpiry({ record: lone, listing: null }, DAYS)).toBe(loneOrderExpiry(lone, DAYS));
  });

  it('is null whenever more is to know: no retention, another order listed, not ended, a follow-up it could have', () => {
    expect(ownOrderExpiry({ record: completed, listing: listingOf(completed) }, null)).toBeNull();
    expect(ownOrderExpiry({ record: completed, listing: listingOf(completed, member({ id: 'ord-2', origin: 'redraw' })) }, DAYS)).toBeNull();
    // A transaction's order whose payload carries no listing: the transaction function decides.
    expect(ownOrderExpiry({ record: completed, listing: null }, DAYS)).toBeNull();
    const inProgress = { ...completed, low_level_status: 'sample_with_lab', status: 'received' };
    expect(ownOrderExpiry({ record: inProgress, listing: listingOf(inProgress) }, DAYS)).toBeNull();
    // Ended without all its results, or once in redraw_available: a follow-up holds it (FOLLOW_UP_MISSING_RESULTS as on).
    const missing = { ...completed, has_missing_results: true, missing_results_at: completed.status_time };
    expect(ownOrderExpiry({ record: missing, listing: listingOf(missing) }, DAYS)).toBeNull();
    const wasRedraw = { ...completed, redraw_available_at: '2026-03-01T09:00:00.000000Z' };
    expect(ownOrderExpiry({ record: wasRedraw, listing: listingOf(wasRedraw) }, DAYS)).toBeNull();
  });

  it('never gives an expiry the transaction function would not, for any single order (property)', () => {
    const statuses = ['ordered', 'sample_with_lab', 'completed', 'corrected', 'cancelled', 'redraw_available', 'sample_error', 'failed'];
    let decided = 0;
    fc.assert(
      fc.property(fc.constantFrom(...statuses), fc.boolean(), fc.boolean(), fc.constantFrom('walk_in_test', 'testkit', 'at_home_phlebotomy'), (low, missingResults, wasRedraw, method) => {
        const one = member({
          id: 'ord-1',
          low_level_status: low,
          collection_method: method,
          ...(missingResults ? { has_missing_results: true, missing_results_at: completed.status_time } : {}),
          ...(wasRedraw ? { redraw_available_at: '2026-03-01T09:00:00.000000Z' } : {}),
          status_time: completed.status_time,
        });
        const own = ownOrderExpiry({ record: one, listing: listingOf(one) }, DAYS);
        if (own === null) return;
        decided++;
        const status = transactionStatus([one]);
        const situation = followUpSituation([one], status, { missingResults: false });
        // With either setting, the transaction function's value for it is this one (no follow-up holds it).
        expect(situation.mayHaveFollowUp).toBe(false);
        expect(transactionExpiry({ status, updated_at: one.status_time }, DAYS)).toBe(own);
      }),
      { numRuns: propertyRuns(300) },
    );
    expect(decided).toBeGreaterThan(0);
  });
});
