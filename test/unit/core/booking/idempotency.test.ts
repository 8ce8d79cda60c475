import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bookingKeyHash, idempotencyKey } from '../../../../functions/core/booking/idempotency';

describe('the idempotency key (CONTRACT §14)', () => {
  it('is the follow-up id, booking.seq and the first 16 hex of the booking key\'s SHA-256', () => {
    const key = 'bk_2026-12-01T15:30:00Z_23070';
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    expect(bookingKeyHash(key)).toBe(hash);
    expect(idempotencyKey('0b1e7d4c-8a52-4f0e-9c11-00000000a001', 3, key)).toBe(`0b1e7d4c-8a52-4f0e-9c11-00000000a001:3:${hash}`);
  });

  it('is the same for a retry of the same call and differs once seq or the slot moves', () => {
    expect(idempotencyKey('f', 0, 'a')).toBe(idempotencyKey('f', 0, 'a'));
    expect(idempotencyKey('f', 1, 'a')).not.toBe(idempotencyKey('f', 0, 'a'));
    expect(idempotencyKey('f', 0, 'b')).not.toBe(idempotencyKey('f', 0, 'a'));
  });

  it('refuses a seq that is not a whole number from 0', () => {
    expect(() => idempotencyKey('f', -1, 'a')).toThrow(RangeError);
    expect(() => idempotencyKey('f', 1.5, 'a')).toThrow(RangeError);
  });
});
