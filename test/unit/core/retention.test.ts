/**
 * Retention (CONTRACT §8) as a pure rule: a transaction, its orders and its
 * follow-up expire RETENTION_DAYS after the later of the transaction's end and
 * the follow-up's close, and nothing of them expires while the follow-up is open.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expiryAfter, followUpIsOpen, loneOrderExpiry, OPENING_FOLLOW_UP, transactionExpiry, type RetainedFollowUp } from '../../../functions/core/retention';

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
