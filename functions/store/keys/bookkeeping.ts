/**
 * The tracker's own bookkeeping, one item each: leases (`LEASE#<name>`), claims
 * on messages (`CLAIM#<scope>#<key>`), backfill checkpoints
 * (`BACKFILL#<since>#<until or open>`) and the continuous sync's state
 * (`SYNC#orders`). None carries an index key.
 */
import { after, type Key, type KeyedItem, keyOf, SEPARATOR, splitFirst } from './parts';

/**
 * Leases (store/claims.ts): one item each, `LEASE#<name>`; the sweep's is
 * `LEASE#sweep` (one sweep at a time, CONTRACT §4). No index key, no TTL.
 */
export const LEASE_PARTITION_PREFIX = 'LEASE#';

/**
 * Claims on messages (store/claims.ts): one item per message,
 * `CLAIM#<scope>#<key>`, so that each is published once (CONTRACT §4, §9, §11).
 * The scope names who claims: the sweep's notifications, the weekly digest;
 * the stack grants each writer its own scope's partitions only
 * (`dynamodb:LeadingKeys`). No index key; each expires after a while (TTL).
 */
export const CLAIM_PARTITION_PREFIX = 'CLAIM#';
export const CLAIM_SCOPES = { notification: 'notification', digest: 'digest' } as const;
export type ClaimScope = (typeof CLAIM_SCOPES)[keyof typeof CLAIM_SCOPES];

const SORT_KEY = { lease: 'LEASE', claim: 'CLAIM', backfill: 'BACKFILL', sync: 'SYNC' } as const;
const BACKFILL_PREFIX = 'BACKFILL#';
/** A backfill's window end when it has none. */
const OPEN_END = 'open';

/** The key of lease `name`. */
export function leaseKey(name: string): Key {
  return { pk: `${LEASE_PARTITION_PREFIX}${name}`, sk: SORT_KEY.lease };
}

/** The key of the claim on message `key` in `scope`. */
export function claimKey(scope: ClaimScope, key: string): Key {
  return { pk: `${CLAIM_PARTITION_PREFIX}${scope}${SEPARATOR}${key}`, sk: SORT_KEY.claim };
}

/** The scope and message key of a claim's key, or null for any other item. */
export function parseClaimKey(item: KeyedItem): { scope: ClaimScope; key: string } | null {
  const key = keyOf(item);
  const parts = key?.sk === SORT_KEY.claim ? splitFirst(after(CLAIM_PARTITION_PREFIX, key.pk)) : null;
  if (parts === null) return null;
  const scope = Object.values(CLAIM_SCOPES).find((known) => known === parts[0]);
  return scope === undefined ? null : { scope, key: parts[1] };
}

/** A backfill's window as its checkpoint is keyed: its start, and its end or null for none. */
export interface BackfillWindowKey {
  since: string;
  until: string | null;
}

/** The key of the checkpoint of a backfill over `key` (store/backfill-checkpoints.ts). */
export function backfillKeys(key: BackfillWindowKey): Key {
  return { pk: `${BACKFILL_PREFIX}${key.since}${SEPARATOR}${key.until ?? OPEN_END}`, sk: SORT_KEY.backfill };
}

/** The window of a backfill checkpoint's key, or null for any other item. */
export function parseBackfillKey(item: KeyedItem): BackfillWindowKey | null {
  const key = keyOf(item);
  const parts = key?.sk === SORT_KEY.backfill ? splitFirst(after(BACKFILL_PREFIX, key.pk)) : null;
  return parts === null ? null : { since: parts[0], until: parts[1] === OPEN_END ? null : parts[1] };
}

/** The continuous sync's one item (store/sync-state.ts). */
export const SYNC_STATE_KEY = { pk: 'SYNC#orders', sk: SORT_KEY.sync } as const;
