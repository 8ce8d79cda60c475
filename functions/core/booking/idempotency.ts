/**
 * Never twice (CONTRACT §14): the booking key's hash, and the idempotency key
 * sent with each of a follow-up's Junction calls. `seq` counts the follow-up's
 * calls whose outcome is known, so a retry of an unknown one sends the same key
 * and a new call after a known answer sends a new one.
 */
import { createHash } from 'node:crypto';

/** The first 16 hex digits of the booking key's SHA-256: what `booking.key_hash` keeps (the key itself is never stored). */
export function bookingKeyHash(bookingKey: string): string {
  return createHash('sha256').update(bookingKey, 'utf8').digest('hex').slice(0, 16);
}

/** `<follow-up id>:<booking.seq>:<the booking key's hash>`; a cancel, which has no booking key, hashes its reason's id. */
export function idempotencyKey(followUpId: string, seq: number, bookingKey: string): string {
  if (!Number.isInteger(seq) || seq < 0) throw new RangeError('seq must be a whole number from 0');
  return `${followUpId}:${seq}:${bookingKeyHash(bookingKey)}`;
}
