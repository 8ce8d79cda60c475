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
import type { FollowUpAction, LastEntry } from '../../core/follow-up/history';
import { keys } from '../keys';
import { TABLE } from '../table';
import type { TableClient } from '../table-client';
import { A, absentCondition, expired, expiredAt } from './item';

/** History entries a write added, to be kept as history items: whose, from which version, and until when. */
export interface PendingHistory {
  followUpId: string;
  transactionId: string | null;
  /** The version of the first entry (the next ones follow it). */
  firstVersion: number;
  entries: FollowUpAction[];
  /** The expiry the follow-up had with them (epoch seconds; null: kept). */
  expiresAt: number | null;
}

/**
 * The entries' fields as the item carries them: the common ones by a letter or two, any other
 * prefixed with `~` (so no field is read as another), the item under 1 KB as often as it can be.
 */
const SHORT: Readonly<Record<string, string>> = {
  at: 'a',
  actor: 'w',
  action: 'x',
  from_state: 'f',
  to_state: 't',
  fact_time: 'ft',
  fact: 'k',
  disposition: 'd',
  redraw_order_id: 'r',
  attention: 'n',
};
const LONG: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SHORT).map(([name, short]) => [short, name]));
const OTHER = '~';

/**
 * The attribute that carries `entries` on the follow-up item, as JSON text with short field names; the last
 * entry without its `at` and `action` when they are the item's newest entry's (`last`, A.lastEntry, which the
 * same item carries).
 */
export function pendingAttribute(entries: readonly FollowUpAction[], last: LastEntry | null = null): Record<string, string> {
  const encoded = entries.map((entry, index) => {
    const sameAsLast = index === entries.length - 1 && last !== null && entry.at === last.at && entry.action === last.action;
    return Object.fromEntries(
      Object.entries(entry)
        .filter(([name]) => !(sameAsLast && (name === 'at' || name === 'action')))
        .map(([name, value]) => [SHORT[name] ?? `${OTHER}${name}`, value]),
    );
  });
  return { [A.pendingHistory]: JSON.stringify(encoded) };
}

/** The entries an item carries (a stream image, a read), or null. Throws on one it cannot read (a bug: the items are ours). */
export function pendingEntriesOf(item: Record<string, unknown>): FollowUpAction[] | null {
  const text = item[A.pendingHistory];
  if (typeof text !== 'string') return null;
  const encoded: unknown = JSON.parse(text);
  if (!Array.isArray(encoded) || !encoded.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) throw new Error('pending history is not a list of entries');
  const last = item[A.lastEntry] as Partial<LastEntry> | undefined;
  const entries = (encoded as Record<string, unknown>[]).map((entry, index) => {
    const decoded = Object.fromEntries(Object.entries(entry).map(([name, value]) => [name.startsWith(OTHER) ? name.slice(OTHER.length) : (LONG[name] ?? name), value]));
    return index === encoded.length - 1 && decoded.action === undefined ? { ...decoded, at: last?.at, action: last?.action } : decoded;
  });
  if (!entries.every((entry) => typeof entry.action === 'string' && typeof entry.at === 'string')) throw new Error('pending history is not a list of entries');
  return entries as FollowUpAction[];
}

/**
 * The pending history of a write from the item before it and the item after it
 * (their versions and the entries the new one carries): null when the write
 * added no version, or carries none (a person's transaction writes its own).
 * A version below the one before is a follow-up that returned over its expired
 * item (CONTRACT §9): its entries are all new.
 */
export function pendingOfWrite(
  before: { version: number } | null,
  after: { followUpId: string; transactionId: string | null; version: number; expiresAt: number | null; entries: FollowUpAction[] | null },
): PendingHistory | null {
  const { entries } = after;
  if (entries === null || entries.length === 0 || after.version === before?.version) return null;
  return { followUpId: after.followUpId, transactionId: after.transactionId, firstVersion: after.version - entries.length + 1, entries, expiresAt: after.expiresAt };
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

/**
 * Writes the history items of `pending` that are not there yet, each on the
 * condition that it is absent (or an expired follow-up's), so that none is
 * written twice; `skip`: versions known to be written (the batch saw their
 * items). `check`: read each first (eventually consistent, half a unit): a
 * refused write costs a write unit. Entries of a follow-up that has expired at
 * `now` are its old life's: nothing is written. Resolves with the items written.
 */
export async function writePendingHistory(
  db: TableClient,
  tableName: string,
  pending: PendingHistory,
  now: Date,
  options: { skip?: ReadonlySet<number>; check?: boolean } = {},
): Promise<number> {
  if (expiredAt(pending.expiresAt, now)) return 0;
  let written = 0;
  for (const { version, entry } of pendingVersions(pending)) {
    if (options.skip?.has(version) === true) continue;
    if (options.check === true) {
      const stored = await db.get({ TableName: tableName, Key: keys.followUpHistory(pending.followUpId, version) });
      if (stored !== undefined && !expired(stored, now)) continue;
    }
    const outcome = await db.put({ TableName: tableName, Item: historyItemOf(pending, version, entry), ...absentCondition(now), ReturnValuesOnConditionCheckFailure: 'NONE' });
    if (outcome.written) written++;
  }
  return written;
}
