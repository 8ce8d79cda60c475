/**
 * The tracker's versions without a transaction (issue 76). A person's action
 * writes the follow-up and its history entries in one TransactWriteItems
 * (write.ts): it must be applied once, whatever the network answers. The
 * tracker's own versions (opened, a redraw ordered, closed by Junction's facts)
 * are recomputed from facts, each applied once (`applied`), so they need no
 * token: the follow-up item is written alone, conditional as every write, and
 * carries the entries of the versions it adds (`ph`, A.pendingHistory); their
 * history items follow, each on the condition that it is absent. The item is
 * the commit. If the history items do not land after it (the function stopped,
 * DynamoDB failed), the transaction function writes them from the item's
 * stream record (transaction-status/steps/history.ts), and readHistory (history.ts)
 * reads the carried entries meanwhile: each version has one entry, written once,
 * and no reader sees a version without its entry. The item carries them until
 * its next write, which its own record and history items then follow.
 *
 * Why: a transaction bills every item, and every index entry it moves, twice
 * (AWS: two underlying writes per item); the tracker's versions are most of the
 * follow-ups' writes per webhook (bench section m, the cost guard).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FollowUpAction, LastEntry } from '../../core/follow-up/history';
import { keys } from '../keys';
import { TABLE } from '../table';
import type { TableClient } from '../table-client';
import { A, absentCondition, expired, expiredAt, parseStored } from './item';
import { decodePending, encodePending } from './pending-codec';

/** History entries a write added, to be kept as history items: whose, from which version, and until when. */
export interface PendingHistory {
  followUpId: string;
  transactionId: string | null;
  /** The version of the first entry (the next ones follow it). */
  firstVersion: number;
  entries: FollowUpAction[];
  /** The expiry the follow-up had with them (epoch seconds; null: kept). */
  expiresAt: number | null;
  /** When the follow-up they are of opened (its life: a follow-up that returns after an expiry opens again); absent: not known (parked work from before). */
  openedAt?: string;
}

/**
 * The attribute that carries `entries` on the follow-up item (pending-codec.ts: JSON text with short field
 * names, the last entry without its `at` and `action` when they are the item's newest entry's, `last`).
 */
export function pendingAttribute(entries: readonly FollowUpAction[], last: LastEntry | null = null): Record<string, string> {
  return { [A.pendingHistory]: encodePending(entries, last) };
}

/** The entries an item carries (a stream image, a read), or null. Throws on one it cannot read (a bug: the items are ours). */
export function pendingEntriesOf(item: Record<string, unknown>): FollowUpAction[] | null {
  return decodePending(item[A.pendingHistory], item[A.lastEntry] as Partial<LastEntry> | undefined);
}

/**
 * The pending history of a write from the item before it and the item after it
 * (their versions and the entries the new one carries): null when the write
 * added no version, or carries none (a person's transaction writes its own).
 * The entries may start before the new versions: those an earlier write added
 * whose items its writer did not find written (carried forward, write.ts).
 * A version below the one before is a follow-up that returned over its expired
 * item (CONTRACT §9): its entries are all new.
 */
export function pendingOfWrite(
  before: { version: number } | null,
  after: { followUpId: string; transactionId: string | null; version: number; expiresAt: number | null; entries: FollowUpAction[] | null; openedAt?: string },
): PendingHistory | null {
  const { entries } = after;
  if (entries === null || entries.length === 0 || after.version === before?.version) return null;
  return {
    followUpId: after.followUpId,
    transactionId: after.transactionId,
    firstVersion: after.version - entries.length + 1,
    entries,
    expiresAt: after.expiresAt,
    ...(after.openedAt === undefined ? {} : { openedAt: after.openedAt }),
  };
}

/** The history item of `version` (`extra`: a person's write's token). */
export function historyItemOf(
  history: Pick<PendingHistory, 'followUpId' | 'transactionId' | 'expiresAt'>,
  version: number,
  entry: FollowUpAction,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...keys.followUpHistory(history.followUpId, version),
    tx: history.transactionId,
    entry,
    ...extra,
    ...(history.expiresAt === null ? {} : { [TABLE.ttlAttribute]: history.expiresAt }),
  };
}

/** Each version of `pending` with its entry. */
export function pendingVersions(pending: PendingHistory): { version: number; entry: FollowUpAction }[] {
  return pending.entries.map((entry, index) => ({ version: pending.firstVersion + index, entry }));
}

/** What a history item found at a version says of the entry meant for it: none there (or an expired follow-up's), this entry, or another one. */
export type FoundEntry = 'absent' | 'same' | 'other';

/** What `stored` (the history item at a version, or undefined) is to `entry` as of `now`. */
export function foundEntry(stored: Record<string, unknown> | undefined, entry: FollowUpAction, now: Date): FoundEntry {
  if (stored === undefined || expired(stored, now)) return 'absent';
  return isDeepStrictEqual(stored.entry, entry) ? 'same' : 'other';
}

/** What writing a pending history did: the items written, and the versions held by another entry (neither expired nor this one). */
export interface HistoryWriteOutcome {
  written: number;
  conflicts: number;
}

/**
 * Writes the history items of `pending` that are not there yet, each on the
 * condition that it is absent (or an expired follow-up's), so that none is
 * written twice; `skip`: versions known to be written (the batch saw their
 * items). `check`: read each first (eventually consistent, half a unit): a
 * refused write costs a write unit, and a version held by another entry is
 * counted (`conflicts`). `current`: a repair after the write (its stream record, the sweep): before
 * its first put it reads the follow-up item as it is now (strongly consistent) and writes with its
 * expiry, or writes nothing when it is gone, expired or another life's (issue 82: a repair
 * written late never outlives the follow-up). Entries of a follow-up that has expired at `now`
 * are its old life's: nothing is written.
 */
export async function writePendingHistory(
  db: TableClient,
  tableName: string,
  pending: PendingHistory,
  now: Date,
  options: { skip?: ReadonlySet<number>; check?: boolean; current?: boolean } = {},
): Promise<HistoryWriteOutcome> {
  const outcome: HistoryWriteOutcome = { written: 0, conflicts: 0 };
  if (expiredAt(pending.expiresAt, now)) return outcome;
  let expiry: { at: number | null } | null | undefined = options.current === true ? null : { at: pending.expiresAt };
  for (const { version, entry } of pendingVersions(pending)) {
    if (options.skip?.has(version) === true) continue;
    if (options.check === true) {
      const found = foundEntry(await db.get({ TableName: tableName, Key: keys.followUpHistory(pending.followUpId, version) }), entry, now);
      if (found === 'other') outcome.conflicts++;
      if (found !== 'absent') continue;
    }
    expiry ??= await currentExpiry(db, tableName, pending, now);
    if (expiry === undefined) return outcome;
    const put = await db.put({ TableName: tableName, Item: historyItemOf({ ...pending, expiresAt: expiry.at }, version, entry), ...absentCondition(now), ReturnValuesOnConditionCheckFailure: 'NONE' });
    if (put.written) outcome.written++;
  }
  return outcome;
}

/**
 * The expiry the follow-up of `pending` has now (strongly consistent), or undefined when its
 * entries are no longer any follow-up's to keep: the item is gone, expired, older than them, or
 * another life's (opened at another time).
 */
async function currentExpiry(db: TableClient, tableName: string, pending: PendingHistory, now: Date): Promise<{ at: number | null } | undefined> {
  const item = await db.get({ TableName: tableName, Key: keys.followUp(pending.followUpId), ConsistentRead: true });
  if (item === undefined || expired(item, now)) return undefined;
  const stored = parseStored(item);
  const lastVersion = pending.firstVersion + pending.entries.length - 1;
  if (stored.followUp.version < lastVersion) return undefined;
  if (pending.openedAt !== undefined && stored.followUp.opened_at !== pending.openedAt) return undefined;
  return { at: stored.expiresAt };
}

/**
 * The entries `stored` carries (StoredFollowUp.pending) from the first whose history item is not
 * written (read by key; `consistent`: strongly), to be carried forward by the next write of the
 * item: null when every one is written. Issue 82: each write carries them until they are known
 * written, so that an entry never rests on one stream record.
 */
export async function unwrittenOf(
  db: TableClient,
  tableName: string,
  stored: { followUp: { id: string; version: number }; pending?: FollowUpAction[] | null },
  now: Date,
  consistent = false,
): Promise<{ firstVersion: number; entries: FollowUpAction[] } | null> {
  const entries = stored.pending ?? [];
  const firstVersion = stored.followUp.version - entries.length + 1;
  for (const [index, entry] of entries.entries()) {
    const item = await db.get({ TableName: tableName, Key: keys.followUpHistory(stored.followUp.id, firstVersion + index), ...(consistent ? { ConsistentRead: true } : {}) });
    if (foundEntry(item, entry, now) === 'absent') return { firstVersion: firstVersion + index, entries: entries.slice(index) };
  }
  return null;
}
