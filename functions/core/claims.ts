/**
 * One sweep at a time, and each message once (CONTRACT §4, §9, §11), as plain
 * rules over plain data: when a lease may be taken, and what a claim on a
 * message allows. The store (store/claims.ts) writes them as DynamoDB
 * conditions; a test holds the two to the same answers.
 *
 * A lease names its holder and the time it ends: the sweep's timeout, so a
 * sweep that died holds it no longer than Lambda would have let it run.
 *
 * A claim is taken before a message is published and marked once the topic
 * accepted it. A marked claim is never sent again. An unmarked one is its
 * holder's while it is fresh (the holder may be sending it right now); once it
 * is CLAIM_STALE_AFTER_MS old, its holder is taken to have died between the
 * claim and the mark (perhaps after the topic accepted the message, which
 * nobody can know), and whoever comes next sends it again: a crash may repeat a
 * message once, never lose it.
 */

/** How long an unmarked claim stays its holder's (CONTRACT §4, §11: 15 minutes). */
export const CLAIM_STALE_AFTER_MS = 15 * 60_000;

/** A lease as stored: who holds it and until when (epoch ms); a released lease has no holder. */
export interface LeaseState {
  holder: string | null;
  untilMs: number;
}

/** Whether a lease may be taken at `nowMs`: none stored, released, or expired (its end is not after now). */
export function leaseFree(stored: LeaseState | null, nowMs: number): boolean {
  return stored === null || stored.holder === null || stored.untilMs <= nowMs;
}

/** When a lease taken at `nowMs` for `seconds` ends (epoch ms). */
export function leaseEnd(nowMs: number, seconds: number): number {
  return nowMs + Math.ceil(seconds * 1000);
}

/** A claim as stored: its holder, when it was taken (epoch ms), and when its message was marked sent (null: not yet). */
export interface ClaimState {
  holder: string;
  claimedAtMs: number;
  sentAt: string | null;
}

/**
 * What a claim allows a would-be sender at `nowMs`:
 * - `take`: nothing stored, or an unmarked claim of its own, or one older than
 *   CLAIM_STALE_AFTER_MS (its holder died before the mark): claim it and send;
 * - `sent`: the message went out (marked): never again;
 * - `held`: another holder claimed it less than CLAIM_STALE_AFTER_MS ago: leave it alone.
 */
export type ClaimVerdict = 'take' | 'sent' | 'held';

export function claimVerdict(stored: ClaimState | null, holder: string, nowMs: number): ClaimVerdict {
  if (stored === null) return 'take';
  if (stored.sentAt !== null) return 'sent';
  if (stored.holder === holder || stored.claimedAtMs <= staleClaimBefore(nowMs)) return 'take';
  return 'held';
}

/** Claims taken at or before this (epoch ms) are stale at `nowMs`. */
export function staleClaimBefore(nowMs: number): number {
  return nowMs - CLAIM_STALE_AFTER_MS;
}
