/**
 * The lease and claim rules (core/claims.ts): one sweep at a time, and each
 * message once (a crash may repeat it once, never lose it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAIM_STALE_AFTER_MS, claimVerdict, leaseEnd, leaseFree, staleClaimBefore } from '../../../functions/core/claims';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const MINUTE = 60_000;

describe('the lease', () => {
  it('is free when none is stored, when it was released, and once its end is reached', () => {
    expect(leaseFree(null, NOW)).toBe(true);
    expect(leaseFree({ holder: null, untilMs: NOW + 5 * MINUTE }, NOW)).toBe(true);
    expect(leaseFree({ holder: 'a', untilMs: NOW }, NOW)).toBe(true);
    expect(leaseFree({ holder: 'a', untilMs: NOW - 1 }, NOW)).toBe(true);
  });

  it('is held until its end, even by a holder that died', () => {
    expect(leaseFree({ holder: 'a', untilMs: NOW + 1 }, NOW)).toBe(false);
    expect(leaseFree({ holder: 'a', untilMs: NOW + 5 * MINUTE }, NOW)).toBe(false);
  });

  it("ends the sweep's timeout after it was taken (whole milliseconds, never early)", () => {
    expect(leaseEnd(NOW, 300)).toBe(NOW + 300_000);
    expect(leaseEnd(NOW, 0.0005)).toBe(NOW + 1);
  });
});

describe('a claim on a message', () => {
  it('may be taken when nothing is stored', () => {
    expect(claimVerdict(null, 'me', NOW)).toBe('take');
  });

  it('is never taken again once its message was marked sent, by anyone, however old', () => {
    for (const holder of ['me', 'other']) {
      expect(claimVerdict({ holder: 'other', claimedAtMs: NOW - 60 * MINUTE, sentAt: '2026-06-01T11:00:00.000000Z' }, holder, NOW)).toBe('sent');
    }
  });

  it("is left alone while another holder's unmarked claim is under 15 minutes old", () => {
    expect(claimVerdict({ holder: 'other', claimedAtMs: NOW, sentAt: null }, 'me', NOW)).toBe('held');
    expect(claimVerdict({ holder: 'other', claimedAtMs: NOW - CLAIM_STALE_AFTER_MS + 1, sentAt: null }, 'me', NOW)).toBe('held');
  });

  it('is taken again from a holder that did not mark it within 15 minutes (it died: sent again, once)', () => {
    expect(CLAIM_STALE_AFTER_MS).toBe(15 * MINUTE);
    expect(claimVerdict({ holder: 'other', claimedAtMs: NOW - CLAIM_STALE_AFTER_MS, sentAt: null }, 'me', NOW)).toBe('take');
    expect(claimVerdict({ holder: 'other', claimedAtMs: NOW - 60 * MINUTE, sentAt: null }, 'me', NOW)).toBe('take');
  });

  it("is its own holder's to take again at any age (a retry of the same invocation)", () => {
    expect(claimVerdict({ holder: 'me', claimedAtMs: NOW, sentAt: null }, 'me', NOW)).toBe('take');
  });

  it('allows at most one taker at a time: of two holders, at most one may take a claim the other could take', () => {
    fc.assert(
      fc.property(
        fc.option(fc.record({ holder: fc.constantFrom('a', 'b', 'c'), claimedAtMs: fc.integer({ min: NOW - 2 * CLAIM_STALE_AFTER_MS, max: NOW }), sentAt: fc.option(fc.constant('x'), { nil: null }) }), { nil: null }),
        (stored) => {
          const a = claimVerdict(stored, 'a', NOW);
          const b = claimVerdict(stored, 'b', NOW);
          // Both may take it only when nobody holds a fresh claim: nothing stored, or a stale one.
          if (a === 'take' && b === 'take') expect(stored === null || stored.claimedAtMs <= staleClaimBefore(NOW)).toBe(true);
          if (stored?.sentAt) expect([a, b]).toEqual(['sent', 'sent']);
        },
      ),
    );
  });
});
