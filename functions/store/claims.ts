/**
 * Leases and claims (core/claims.ts) in the table: the sweep's lease (one sweep
 * at a time, CONTRACT §4) and one claim item per message the tracker publishes
 * (the sweep's notifications, the weekly digest: CONTRACT §4, §9, §11).
 *
 * Every write is conditional, and a lost race is a value: a lease held by
 * another sweep (`taken: false`), a claim already sent or freshly held by
 * another (`sent`, `held`, read from the item the refused write returns:
 * ReturnValuesOnConditionCheckFailure ALL_OLD, no extra read). A claim's item
 * is small (keys, a holder id, two times, an expiry): one write unit per write.
 *
 * Items carry ids of messages (an order id and a flag's time, a follow-up id,
 * a week), never PHI, and no index key: no reader of the indexes sees them.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { canonicalFromDate } from '../core/instant';
import { leaseEnd, staleClaimBefore } from '../core/claims';
import { TABLE } from './table';
import { claimKey, leaseKey, type ClaimScope } from './keys';
import type { TableClient } from './table-client';

/** Attribute names of lease and claim items. */
const A = {
  holder: 'holder',
  /** Lease: its end (epoch ms). */
  until: 'until',
  /** Lease: when it was taken (canonical instant, for a reader). */
  takenAt: 'taken_at',
  /** Claim: when it was taken (epoch ms: compared with a number). */
  claimedAt: 'claimed_at',
  /** Claim: when its message was accepted (canonical instant); absent until then. */
  sentAt: 'sent_at',
} as const;

/** A lease this caller holds. */
export interface Lease {
  name: string;
  holder: string;
  /** When it ends (epoch ms). */
  untilMs: number;
}

export type LeaseOutcome = { taken: true; lease: Lease } | { taken: false; heldUntilMs: number | null };

/**
 * Takes lease `name` for `holder` from `now` for `seconds`, if it is free
 * (none stored, released, or ended: core/claims.ts leaseFree): one
 * conditional PutItem. `taken: false` names when the holder's lease ends.
 */
export async function takeLease(db: TableClient, tableName: string, input: { name: string; holder: string; now: Date; seconds: number }): Promise<LeaseOutcome> {
  const nowMs = input.now.getTime();
  const untilMs = leaseEnd(nowMs, input.seconds);
  const outcome = await db.put({
    TableName: tableName,
    Item: { ...leaseKey(input.name), [A.holder]: input.holder, [A.until]: untilMs, [A.takenAt]: canonicalFromDate(input.now) },
    // Free: never taken or released (no holder), or its end is not after now.
    ConditionExpression: 'attribute_not_exists(#holder) OR #until <= :now',
    ExpressionAttributeNames: { '#holder': A.holder, '#until': A.until },
    ExpressionAttributeValues: { ':now': nowMs },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  if (outcome.written) return { taken: true, lease: { name: input.name, holder: input.holder, untilMs } };
  const stored = outcome.stored === undefined ? undefined : unmarshall(outcome.stored);
  const until = stored?.[A.until];
  return { taken: false, heldUntilMs: typeof until === 'number' ? until : null };
}

/**
 * Releases a lease this caller holds (one conditional UpdateItem: the holder
 * is removed, so the next taker need not wait for its end, whatever its clock
 * says). `lost`: it had ended and another holder took it.
 */
export async function releaseLease(db: TableClient, tableName: string, lease: Lease): Promise<'released' | 'lost'> {
  const outcome = await db.update({
    TableName: tableName,
    Key: leaseKey(lease.name),
    ConditionExpression: '#holder = :holder',
    UpdateExpression: 'REMOVE #holder',
    ExpressionAttributeNames: { '#holder': A.holder },
    ExpressionAttributeValues: { ':holder': lease.holder },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'released' : 'lost';
}

/** A claim this caller took: mark it once the message was accepted. */
export interface Claim {
  scope: ClaimScope;
  key: string;
  holder: string;
  claimedAtMs: number;
}

export type ClaimOutcome =
  /** Claimed (first, or again after a stale claim: its holder died before the mark): send it, then mark it. */
  | { kind: 'claimed'; claim: Claim }
  /** The message went out already (marked): do not send it. */
  | { kind: 'sent'; sentAt: string | null }
  /** Another holder claimed it less than 15 minutes ago: leave it to that one (or to whoever comes after the 15 minutes). */
  | { kind: 'held'; claimedAtMs: number | null };

/**
 * Claims message `key` of `scope` for `holder` at `now` (core/claims.ts
 * claimVerdict): one conditional PutItem. The claim expires (TTL) `keepDays`
 * after `now`: long after any retry of its message.
 */
export async function claimMessage(
  db: TableClient,
  tableName: string,
  input: { scope: ClaimScope; key: string; holder: string; now: Date; keepDays: number },
): Promise<ClaimOutcome> {
  const nowMs = input.now.getTime();
  const outcome = await db.put({
    TableName: tableName,
    Item: {
      ...claimKey(input.scope, input.key),
      [A.holder]: input.holder,
      [A.claimedAt]: nowMs,
      [TABLE.ttlAttribute]: Math.floor(nowMs / 1000) + Math.ceil(input.keepDays * 86_400),
    },
    // Never claimed; or not sent and (its own, or its holder's claim is stale).
    ConditionExpression: ['attribute_not_exists(#pk)', '(attribute_not_exists(#sent) AND (#holder = :holder OR #at <= :stale))'].join(' OR '),
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sent': A.sentAt, '#holder': A.holder, '#at': A.claimedAt },
    ExpressionAttributeValues: { ':holder': input.holder, ':stale': staleClaimBefore(nowMs) },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  if (outcome.written) {
    return { kind: 'claimed', claim: { scope: input.scope, key: input.key, holder: input.holder, claimedAtMs: nowMs } };
  }
  const stored = outcome.stored === undefined ? undefined : unmarshall(outcome.stored);
  const sentAt = stored?.[A.sentAt];
  if (sentAt !== undefined) return { kind: 'sent', sentAt: typeof sentAt === 'string' ? sentAt : null };
  const claimedAt = stored?.[A.claimedAt];
  return { kind: 'held', claimedAtMs: typeof claimedAt === 'number' ? claimedAt : null };
}

/**
 * Marks a claim sent (the topic accepted its message): one conditional
 * UpdateItem, only while the claim is still this one (same holder and time,
 * not marked). `lost`: it went stale and another holder claimed it meanwhile
 * (that one sends it again: the one repeat a crash may cause).
 */
export async function markClaimSent(db: TableClient, tableName: string, claim: Claim, now: Date): Promise<'written' | 'lost'> {
  const outcome = await db.update({
    TableName: tableName,
    Key: claimKey(claim.scope, claim.key),
    ConditionExpression: '#holder = :holder AND #at = :at AND attribute_not_exists(#sent)',
    UpdateExpression: 'SET #sent = :sent',
    ExpressionAttributeNames: { '#holder': A.holder, '#at': A.claimedAt, '#sent': A.sentAt },
    ExpressionAttributeValues: { ':holder': claim.holder, ':at': claim.claimedAtMs, ':sent': canonicalFromDate(now) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'lost';
}

/** Claims of one scope bound to a table, for an entry that publishes (the weekly digest). */
export interface MessageClaims {
  claim(input: { key: string; holder: string; now: Date }): Promise<ClaimOutcome>;
  markSent(claim: Claim, now: Date): Promise<'written' | 'lost'>;
}

/** The claims of `scope` in `tableName`, kept `keepDays` (TTL). */
export function tableClaims(db: TableClient, tableName: string, scope: ClaimScope, keepDays: number): MessageClaims {
  return {
    claim: (input) => claimMessage(db, tableName, { ...input, scope, keepDays }),
    markSent: (claim, now) => markClaimSent(db, tableName, claim, now),
  };
}
