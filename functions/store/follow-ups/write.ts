/**
 * How a follow-up is written (CONTRACT §9). A person's write is one
 * TransactWriteItems: the follow-up, on the condition that its write revision
 * (`rev`, bumped by every write) is still the one the change was computed
 * from, and the history entries of the new versions, each on the condition
 * that it does not exist. Two writers at once (two people, or a person and the
 * tracker): one transaction wins, the other is cancelled as a whole and is a
 * lost race (a value), recomputed from what is stored now; no action is lost
 * or applied twice, and the history has one entry per version. An answer that
 * does not say whether the transaction committed is followed by the same
 * request with the same ClientRequestToken, never by a recomputed one
 * (sendOnce): an action is applied once. The tracker's versions are one
 * conditional PutItem of the follow-up carrying their entries, then their
 * history items (writeTrackerVersion, pending-history.ts: half the units, and
 * its index entries billed once); its bookkeeping (no new version) is one
 * conditional PutItem (writeBookkeeping).
 */
import { randomUUID } from 'node:crypto';
import type { FollowUpAction } from '../../core/follow-up/history';
import { canonicalFromDate } from '../../core/instant';
import type { KnowledgeVersion } from '../../core/knowledge-version';
import { advanceBookingFacts } from '../../core/report-bookings';
import type { TableClient, TransactWriteCommandInput } from '../table-client';
import { keys } from '../keys';
import { A, absentCondition, itemOf, type StoredFollowUp } from './item';
import { changesFhirTask } from './fhir-marker';
import { historyItemOf, unwrittenOf, writePendingHistory, type PendingHistory } from './pending-history';

/**
 * Writes `next` and its new history entries (versions after `from`'s) as one
 * transaction, on the condition that the stored revision is still `from`'s
 * (`from` null: that none is stored, or only an expired one, as of `now`).
 * `lost` when another write got there first. `knownFrom`: the transaction knowledge the tracker computed `next` from; the
 * stored item must then know no member newer (writeCondition).
 */
export async function writeStoredFollowUp(
  db: TableClient,
  tableName: string,
  from: StoredFollowUp | null,
  next: Omit<StoredFollowUp, 'revision'>,
  entries: readonly FollowUpAction[],
  now: Date,
  options: { pause?: (ms: number) => Promise<void>; knownFrom?: KnowledgeVersion | null } = {},
): Promise<'written' | 'lost'> {
  const fromVersion = versionBefore(from, next, entries);
  const knownFrom = options.knownFrom ?? null;
  const revision = (from?.revision ?? 0) + 1;
  const id = next.followUp.id;
  if (entries.length === 0 && from !== null) return writeBookkeeping(db, tableName, from, next, { knownFrom, now });
  // The tracker's entries the item carries whose items are not written (issue 82): written with this transaction, so known written after it.
  const carried = from === null ? null : await unwrittenOf(db, tableName, from, now, true);
  // One token for this computed write, however often it is sent (see sendOnce).
  const token = randomUUID();
  return sendOnce(db, tableName, { id, version: fromVersion + 1, token, pause: options.pause ?? pause }, {
    ClientRequestToken: token,
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: itemOf({ ...withBookingFacts(from, next, now), pending: null, revision }, changesFhirTask(from, next)),
          ...writeCondition(from, knownFrom, now),
        },
      },
      ...(carried?.entries ?? []).map((entry, index) => ({
        Put: { TableName: tableName, Item: historyItemOf(historyOf(next), carried!.firstVersion + index, entry), ...absentCondition(now) },
      })),
      // A version an expired follow-up left is overwritten (its entry is not this follow-up's).
      ...entries.map((entry, index) => ({
        Put: {
          TableName: tableName,
          // The write's token on its first new version: how a re-send tells that its first attempt committed.
          Item: historyItemOf(historyOf(next), fromVersion + index + 1, entry, index === 0 ? { [HISTORY_TOKEN]: token } : {}),
          ...absentCondition(now),
        },
      })),
    ],
  });
}

/** The version `next`'s entries start after (`from`'s, 0 for none); throws unless every new version has one entry. */
function versionBefore(from: StoredFollowUp | null, next: Omit<StoredFollowUp, 'revision'>, entries: readonly FollowUpAction[]): number {
  const fromVersion = from?.followUp.version ?? 0;
  if (next.followUp.version !== fromVersion + entries.length) throw new RangeError('every new version has one history entry');
  return fromVersion;
}

/** Whose history `next`'s entries are, and until when they are kept. */
function historyOf(next: Omit<StoredFollowUp, 'revision'>): Pick<PendingHistory, 'followUpId' | 'transactionId' | 'expiresAt' | 'openedAt'> {
  return { followUpId: next.followUp.id, transactionId: next.followUp.transaction_id, expiresAt: next.expiresAt, openedAt: next.followUp.opened_at };
}

/**
 * The tracker's write of `next` and its new history entries (versions after
 * `from`'s) without a transaction (pending-history.ts): the follow-up item,
 * conditional as writeStoredFollowUp's and carrying the entries, then their
 * history items. `lost` when another write got there first, or when the SDK's
 * retry of a first attempt that committed is refused by the revision: the
 * caller reads again and finds its change there (a fact is acted on once), and
 * the transaction function writes the history items from the item's record.
 * Throws when the history items cannot be written after the item (the record
 * writes them). No new version: writeBookkeeping.
 */
export async function writeTrackerVersion(
  db: TableClient,
  tableName: string,
  from: StoredFollowUp | null,
  next: Omit<StoredFollowUp, 'revision'>,
  entries: readonly FollowUpAction[],
  now: Date,
  options: { knownFrom?: KnowledgeVersion | null } = {},
): Promise<'written' | 'lost'> {
  const fromVersion = versionBefore(from, next, entries);
  const knownFrom = options.knownFrom ?? null;
  if (entries.length === 0 && from !== null) return writeBookkeeping(db, tableName, from, next, { knownFrom, now });
  // The entries the item carries whose items are not written (issue 82) ride on with the new ones, and are written with them.
  const carried = from === null ? null : await unwrittenOf(db, tableName, from, now);
  const pending = [...(carried?.entries ?? []), ...entries];
  if ((await putFollowUp(db, tableName, from, { ...next, pending }, { knownFrom, now })) === 'lost') return 'lost';
  await writePendingHistory(db, tableName, { ...historyOf(next), firstVersion: carried?.firstVersion ?? fromVersion + 1, entries: pending }, now);
  return 'written';
}

/** The attribute of a history item that names the write (its ClientRequestToken) that added it. */
const HISTORY_TOKEN = 'tk';
/** Re-sends of one computed write after an answer that does not say whether it committed. */
export const RESENDS = 3;
const RESEND_PAUSE_MS = 100;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends a follow-up's TransactWriteItems so that it is applied once (issue 43,
 * item 3). An answer that does not say whether it committed (DynamoDB's
 * TransactionInProgressException: the SDK's own retry met its first attempt,
 * which may have committed; a 5xx, a throttle, a timeout or a reset connection)
 * is followed by the same request with the same ClientRequestToken, which
 * DynamoDB applies at most once (a repeat of a committed one succeeds without
 * a change, for 10 minutes). The token is also kept on the write's first new
 * history item: a re-send refused by its conditions reads that item, and
 * finding its own token there means the first attempt committed ('written'),
 * not that another writer got there first. Never recomputed and written again
 * after an ambiguous answer: that would apply an action (`record_contact`)
 * twice. After RESENDS re-sends it throws, unless the token shows it committed.
 */
async function sendOnce(
  db: TableClient,
  tableName: string,
  write: { id: string; version: number; token: string; pause: (ms: number) => Promise<void> },
  input: TransactWriteCommandInput,
): Promise<'written' | 'lost'> {
  let ambiguous = false;
  for (let attempt = 0; ; attempt++) {
    try {
      await db.transactWrite(input);
      return 'written';
    } catch (error) {
      if (isLostRace(error)) return ambiguous && (await committed(db, tableName, write)) ? 'written' : 'lost';
      if (!isAmbiguous(error)) throw error;
      ambiguous = true;
      if (attempt >= RESENDS) {
        if (await committed(db, tableName, write)) return 'written';
        throw error;
      }
      await write.pause(RESEND_PAUSE_MS * 2 ** attempt);
    }
  }
}

/** Whether the write of `token` committed: its first new history item carries the token. */
async function committed(db: TableClient, tableName: string, write: { id: string; version: number; token: string }): Promise<boolean> {
  const item = await db.get({ TableName: tableName, Key: keys.followUpHistory(write.id, write.version), ConsistentRead: true });
  return item?.[HISTORY_TOKEN] === write.token;
}

/** Error names after which a write may or may not have been applied (or was refused before it, and may be sent again). */
const AMBIGUOUS: ReadonlySet<string> = new Set([
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const AMBIGUOUS_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED']);

/** Whether a failed write may be sent again with its token: no answer, a 5xx, a throttle, or a transaction still in progress. */
export function isAmbiguous(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (AMBIGUOUS.has(error.name)) return true;
  const { code, $metadata } = error as { code?: string; $metadata?: { httpStatusCode?: number } };
  return (code !== undefined && AMBIGUOUS_CODES.has(code)) || ($metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * The condition of a follow-up item's write computed from `from` (null: that
 * none is stored, or only an expired one as of `now`): its revision is still `from`'s and, when the tracker wrote it
 * from transaction knowledge (`knownFrom`), the stored knowledge is no newer for
 * any member it names (core/knowledge-version.ts: the entries' text order extends
 * the knowledge's order). With the revision pinned that holds already, since the
 * tracker compared the two exactly before writing (compareKnowledge, which also
 * sees a member only the stored version names, something no condition can ask);
 * it stands in the condition so that the table itself refuses an older recompute's write.
 */
function writeCondition(
  from: StoredFollowUp | null,
  knownFrom: KnowledgeVersion | null,
  now: Date,
): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
  if (from === null) return absentCondition(now);
  const conditions = ['#rev = :rev'];
  const names: Record<string, string> = { '#rev': A.revision };
  const values: Record<string, unknown> = { ':rev': from.revision };
  Object.entries(knownFrom ?? {}).forEach(([orderId, entry], index) => {
    names['#kn'] = A.knowledge;
    names[`#m${index}`] = orderId;
    values[`:m${index}`] = entry;
    // An item that keeps only the legacy `kv` has no `kn` yet: the revision alone holds it (compareKnowledge read both).
    conditions.push(`(attribute_not_exists(#kn.#m${index}) OR #kn.#m${index} <= :m${index})`);
  });
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/**
 * `next` over `from` without a new version (the tracker's own bookkeeping: a due
 * time, an expiry, an order id, a notice sent): one conditional PutItem, half a
 * transaction's cost. Applied twice it changes nothing more: after a first
 * attempt that committed, the SDK's retry is refused by the revision (`lost`,
 * and the caller reads what it wrote). It carries the entries `from` carries, as
 * read (issue 82: no version added, nothing to check them against; the next
 * write that adds one checks them).
 */
export async function writeBookkeeping(
  db: TableClient,
  tableName: string,
  from: StoredFollowUp,
  next: Omit<StoredFollowUp, 'revision'>,
  versioned: { knownFrom: KnowledgeVersion | null; now: Date } = { knownFrom: null, now: new Date() },
): Promise<'written' | 'lost'> {
  return putFollowUp(db, tableName, from, { ...next, pending: from.pending ?? null }, versioned);
}

/**
 * One conditional PutItem of `next` over `from` (null: none stored, or an expired one), its revision bumped,
 * the entries `next` carries with it (StoredFollowUp.pending: kept as read by a write that adds no version): `lost` when another write got there first.
 */
async function putFollowUp(
  db: TableClient,
  tableName: string,
  from: StoredFollowUp | null,
  next: Omit<StoredFollowUp, 'revision'>,
  versioned: { knownFrom: KnowledgeVersion | null; now: Date },
): Promise<'written' | 'lost'> {
  try {
    const outcome = await db.put({
      TableName: tableName,
      Item: itemOf({ ...withBookingFacts(from, next, versioned.now), revision: (from?.revision ?? 0) + 1 }, changesFhirTask(from, next)),
      ...writeCondition(from, versioned.knownFrom, versioned.now),
      ReturnValuesOnConditionCheckFailure: 'NONE',
    });
    return outcome.written ? 'written' : 'lost';
  } catch (error) {
    // The item is part of another writer's transaction in flight: that writer changes it, a lost race.
    if (isLostRace(error)) return 'lost';
    throw error;
  }
}

/** Why DynamoDB cancels a transaction when another writer got to one of its items first. */
const RACE_CODES: ReadonlySet<string> = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/**
 * Whether a write failed only because another writer got there first: a
 * transaction cancelled by failed conditions or by a conflict with another
 * transaction in flight on the same item (DynamoDB's TransactionConflict), or a
 * single write refused for the same conflict (TransactionConflictException).
 * Either way the caller reads again and recomputes. Throttling, validation and
 * anything else are errors.
 */
export function isLostRace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => RACE_CODES.has(reason.Code ?? '')) && reasons.every((reason) => RACE_CODES.has(reason.Code ?? '') || reason.Code === 'None');
}

/** Lost races tolerated before giving up (each one means another change was written). */
export const MAX_RACES = 10;

/**
 * `next` with its booking facts as this write leaves them (CONTRACT §14 "The
 * report"; core/report-bookings.ts): its first booking once its booking counts,
 * and a missed appointment once a stale flag for it was on the item before or
 * after the write. Every write of the item passes here, so none misses them.
 */
function withBookingFacts<T extends Omit<StoredFollowUp, 'revision'>>(from: StoredFollowUp | null, next: T, now: Date): T {
  const facts = next.bookingFacts ?? null;
  const advanced = advanceBookingFacts(facts, { booking: next.followUp.booking, flags: [from?.staleFlag, next.staleFlag] }, canonicalFromDate(now));
  return advanced === facts ? next : { ...next, bookingFacts: advanced };
}
