/**
 * Follow-up items (CONTRACT §9; issue 25). A follow-up lives in its own
 * partition, `FOLLOWUP#<id>`: the follow-up item (sort key `FOLLOWUP`) and its
 * append-only history, one item per version (`HIST#<version>`, zero-padded, so
 * a Query reads it oldest first; version 1 is the tracker's `open`). Readers of
 * orders and transactions never see them (other partitions), and the
 * transaction function publishes their history as `follow_up.changed`.
 *
 * Every write is one TransactWriteItems: the follow-up, on the condition that
 * its write revision (`rev`, bumped by every write) is still the one the change
 * was computed from, and the history entries of the new versions, each on the
 * condition that it does not exist. Two writers at once (two people, or a
 * person and the tracker): one transaction wins, the other is cancelled as a
 * whole and is a lost race (a value), recomputed from what is stored now; no
 * action is lost or applied twice, and the history has one entry per version.
 * An answer that does not say whether the transaction committed is followed by
 * the same request with the same ClientRequestToken, never by a recomputed one
 * (sendOnce): an action is applied once.
 *
 * The follow-up item carries the worklist's keys in the by-transaction index
 * (FOLLOW_UP_LISTING_PARTITIONS): open ones by due time, closed ones by close
 * time. Its history items carry none. Retention (CONTRACT §8): the item and its
 * history carry the transaction's `expires_at`; when it changes, the history
 * items are updated first, then the item, so that a failure in between leaves
 * the item's old expiry and the next recompute does it again.
 *
 * Expiry (CONTRACT §9): DynamoDB's TTL deletes an item up to days after its
 * `expires_at`. Until then an item whose `expires_at` has passed (at or before
 * `now`, the caller's clock) is absent to every read here, and a write that
 * creates the follow-up or a history entry succeeds over it: a follow-up that
 * returns after an expiry starts again at version 1 with a clean history.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import {
  applyAction,
  dueAt,
  MAX_OWNER_LENGTH,
  openFollowUp,
  openingEntry,
  parseAction,
  REDRAW_FACTS,
  snoozeEndedChange,
  stateAt,
  toFollowUpView,
  trackerUpdate,
  type FollowUp,
  type FollowUpAction,
  type FollowUpView,
  type LastEntry,
  type OpenRedrawTiming,
  type RedrawFact,
  type RedrawSituation,
} from '../core/follow-up';
import { compareKnowledge, type KnowledgeVersion } from '../core/knowledge-version';
import { AGE_BUCKETS, inAgeBucket, inQueue, QUEUES, queueCounts, type AgeBucket, type Queue, type QueueCounts, type QueueFacts } from '../core/queues';
import type { AppointmentTiming, StaleThresholds } from '../core/staleness';
import { getOrders } from './order-reads';
import { queryItems } from './query-pages';
import { getItems, type TableClient, type TransactWriteCommandInput } from './table-client';
import { FOLLOW_UP_LISTING_PARTITIONS, keys, TABLE } from './table';

/** The history items' sort key prefix (keys.followUpHistory). */
const HISTORY_PREFIX = 'HIST#';

/** Attribute names of a follow-up item. */
const A = {
  followUp: 'fu',
  redraw: 'rt',
  dueAt: 'due',
  applied: 'tf',
  revision: 'rev',
  reminded: 'ar',
  attentionNotified: 'an',
  redrawOrderedAt: 'ro',
  lastEntry: 'le',
  staleFlag: 'sf',
  knowledge: 'kv',
} as const;

/** A stored follow-up, with what its due time is computed from and the tracker's bookkeeping. */
export interface StoredFollowUp {
  followUp: FollowUp;
  /** The open redraw it is about (kept current by the tracker), or null when there is none. */
  redraw: OpenRedrawTiming | null;
  /** When the sweep flags it if nothing moves (CONTRACT §9), as stored with this version. */
  dueAt: string | null;
  /** Junction's facts the tracker has acted on, each once (a person's reopen is not undone by the same fact). */
  applied: RedrawFact[];
  /** DynamoDB's TTL (epoch seconds): the transaction's; null while it is kept. */
  expiresAt: number | null;
  /** When the sweep's not_acknowledged reminder went out (once per follow-up), or null. */
  remindedAt: string | null;
  /** When the sweep's redraw_failed notice went out (once per failed redraw: `attention`), or null. */
  attentionNotifiedAt?: string | null;
  /** When Junction created its redraw order, once known (reports' time to a redraw order, CONTRACT §11); null before. */
  redrawOrderedAt?: string | null;
  /** Its history's newest entry (when recorded, what): the history's clock never goes back; null before it was kept. */
  last?: LastEntry | null;
  /**
   * The stale flag of its open redraw's order as the sweep last saw it (CONTRACT §12: the
   * queues and their counts read it from the open partition alone), with the order and
   * its status time it was set for: the tracker drops it as soon as that order moves on.
   * Not a version. Absent or null: not flagged.
   */
  staleFlag?: StoredStaleFlag | null;
  /**
   * The version of the transaction knowledge the tracker last kept it from
   * (core/knowledge-version.ts; issue 43 item 2): the tracker's writes are
   * conditional on not knowing less than it. Not a version of the follow-up;
   * other writers keep it as it is. Absent or null: stored before it (the oldest).
   */
  knowledge?: KnowledgeVersion | null;
  /** Write revision: every write is conditional on it and bumps it. */
  revision: number;
}

/**
 * The stale flag a write of a follow-up released (CONTRACT §9): the copy the
 * old image carried, when the new one is snoozed or closed (a person's action
 * drops the copy); null for any other write.
 */
export function releasedStaleFlag(old: StoredFollowUp | null, next: StoredFollowUp): (StoredStaleFlag & { by: 'snoozed' | 'closed' }) | null {
  const flag = old?.staleFlag ?? null;
  const { state } = next.followUp;
  if (flag === null || (next.staleFlag ?? null) !== null || (state !== 'snoozed' && state !== 'closed')) return null;
  return { ...flag, by: state };
}

/** The copy of a stale flag on a follow-up item: the flag, and the order (at its status time) it is on. */
export interface StoredStaleFlag {
  since: string;
  reason: string;
  orderId: string;
  statusTime: string;
}

const Timing = z.object({
  kind: z.enum(['awaiting_redraw', 'redraw_in_progress']),
  statusTime: z.string(),
  orderId: z.string(),
  // The redraw order's appointment, as much as its due time reads (CONTRACT §10); absent in items written before it.
  appointment: z.optional(z.nullable(z.object({ start_at: z.nullable(z.string()), status: z.string() }))),
});
const Stored = z.object({
  [A.followUp]: z.custom<FollowUp>((value) => typeof value === 'object' && value !== null && typeof (value as { version?: unknown }).version === 'number'),
  [A.redraw]: z.nullable(Timing),
  [A.dueAt]: z.nullable(z.string()),
  [A.applied]: z.optional(z.array(z.enum(REDRAW_FACTS))),
  [A.revision]: z.optional(z.int()),
  [A.reminded]: z.optional(z.nullable(z.string())),
  [A.attentionNotified]: z.optional(z.nullable(z.string())),
  [A.redrawOrderedAt]: z.optional(z.nullable(z.string())),
  [A.lastEntry]: z.optional(z.nullable(z.object({ at: z.string(), action: z.string() }))),
  [A.staleFlag]: z.optional(z.nullable(z.object({ since: z.string(), reason: z.string(), orderId: z.string(), statusTime: z.string() }))),
  [A.knowledge]: z.optional(z.nullable(z.record(z.string(), z.string()))),
  [TABLE.ttlAttribute]: z.optional(z.nullable(z.number())),
});

/** Whether an item (by its keys) is a follow-up item (not its history). */
export function isFollowUpItem(item: Record<string, unknown>): boolean {
  const { pk, sk } = item;
  return typeof pk === 'string' && pk.startsWith('FOLLOWUP#') && sk === keys.followUp('').sk;
}

/** A follow-up item as stored (a stream image, say). */
export function parseFollowUpItem(item: Record<string, unknown>): StoredFollowUp {
  if (!isFollowUpItem(item)) throw new Error('not a follow-up item');
  return parseStored(item);
}

function parseStored(item: Record<string, unknown>): StoredFollowUp {
  const parsed = Stored.parse(item);
  return {
    followUp: parsed[A.followUp],
    redraw: parsed[A.redraw],
    dueAt: parsed[A.dueAt],
    applied: parsed[A.applied] ?? [],
    expiresAt: parsed[TABLE.ttlAttribute] ?? null,
    remindedAt: parsed[A.reminded] ?? null,
    attentionNotifiedAt: parsed[A.attentionNotified] ?? null,
    redrawOrderedAt: parsed[A.redrawOrderedAt] ?? null,
    last: parsed[A.lastEntry] ?? null,
    staleFlag: parsed[A.staleFlag] ?? null,
    knowledge: parsed[A.knowledge] ?? null,
    revision: parsed[A.revision] ?? 0,
  };
}

function itemOf(stored: StoredFollowUp): Record<string, unknown> {
  const { followUp } = stored;
  const listing =
    followUp.state === 'closed'
      ? { [TABLE.byTransaction.partitionKey]: FOLLOW_UP_LISTING_PARTITIONS.closed, [TABLE.byTransaction.sortKey]: keys.closedFollowUpSort(followUp.closed_at ?? '', followUp.id) }
      : {
          [TABLE.byTransaction.partitionKey]: FOLLOW_UP_LISTING_PARTITIONS.open,
          [TABLE.byTransaction.sortKey]: keys.openFollowUpSort(stored.dueAt, followUp.id, followUp.attention !== null),
        };
  return {
    ...keys.followUp(followUp.id),
    ...listing,
    [A.followUp]: followUp,
    [A.redraw]: stored.redraw,
    [A.dueAt]: stored.dueAt,
    [A.applied]: stored.applied,
    [A.revision]: stored.revision,
    [A.reminded]: stored.remindedAt,
    ...(stored.attentionNotifiedAt == null ? {} : { [A.attentionNotified]: stored.attentionNotifiedAt }),
    ...(stored.redrawOrderedAt == null ? {} : { [A.redrawOrderedAt]: stored.redrawOrderedAt }),
    ...(stored.last == null ? {} : { [A.lastEntry]: stored.last }),
    ...(stored.staleFlag == null ? {} : { [A.staleFlag]: stored.staleFlag }),
    ...(stored.knowledge == null ? {} : { [A.knowledge]: stored.knowledge }),
    ...(stored.expiresAt === null ? {} : { [TABLE.ttlAttribute]: stored.expiresAt }),
  };
}

/** Whether an item (by its keys) is a follow-up's history entry: its stream record is a `follow_up.changed`. */
export function isFollowUpHistoryItem(item: Record<string, unknown>): boolean {
  const { pk, sk } = item;
  return typeof pk === 'string' && pk.startsWith('FOLLOWUP#') && typeof sk === 'string' && sk.startsWith(HISTORY_PREFIX);
}

/** A history item's parts: the follow-up, its transaction, the version and the entry. */
export function parseHistoryItem(item: Record<string, unknown>): { followUpId: string; transactionId: string | null; version: number; entry: FollowUpAction } {
  const pk = String(item[TABLE.partitionKey]);
  const sk = String(item[TABLE.sortKey]);
  return {
    followUpId: pk.slice('FOLLOWUP#'.length),
    transactionId: typeof item.tx === 'string' ? item.tx : null,
    version: Number(sk.slice(HISTORY_PREFIX.length)),
    entry: item.entry as FollowUpAction,
  };
}

/** `now` as DynamoDB's TTL counts it: whole epoch seconds. An item whose `expires_at` is at or before it has expired. */
function ttlNow(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/** Whether an item (a follow-up or a history entry) read at `now` is absent (CONTRACT §9): its `expires_at` has passed, DynamoDB has yet to delete it. */
function expired(item: Record<string, unknown>, now: Date): boolean {
  const expiresAt = item[TABLE.ttlAttribute];
  return typeof expiresAt === 'number' && expiresAt <= ttlNow(now);
}

/** A write's condition that the item it creates is absent: none stored, or an expired one (CONTRACT §9). Its names and values. */
function absentCondition(now: Date) {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':now': ttlNow(now) },
  };
}

/** The follow-up `id` as of `now`, or null (strongly consistent). */
export async function getFollowUp(db: TableClient, tableName: string, id: string, now: Date): Promise<StoredFollowUp | null> {
  const item = await db.get({ TableName: tableName, Key: keys.followUp(id), ConsistentRead: true });
  return item === undefined || expired(item, now) ? null : parseStored(item);
}

/** The follow-ups of these ids that exist at `now`, by id (eventually consistent reads, READS_IN_FLIGHT at a time). */
export async function getFollowUps(db: TableClient, tableName: string, ids: readonly string[], now: Date): Promise<Map<string, StoredFollowUp>> {
  const unique = [...new Set(ids)];
  const items = await getItems(db, tableName, unique.map((id) => keys.followUp(id)), false);
  const found = new Map<string, StoredFollowUp>();
  for (const item of items) {
    if (item === undefined || expired(item, now)) continue;
    const stored = parseStored(item);
    found.set(stored.followUp.id, stored);
  }
  return found;
}

/** The history of follow-up `id` as of `now`, oldest first. */
export async function readHistory(db: TableClient, tableName: string, id: string, now: Date): Promise<FollowUpAction[]> {
  const history: FollowUpAction[] = [];
  for await (const item of historyItems(db, tableName, id, now)) history.push(item.entry as FollowUpAction);
  return history;
}

/** The history items of follow-up `id` as of `now` (entries an expired follow-up left are not its). */
async function* historyItems(db: TableClient, tableName: string, id: string, now: Date, projection?: string): AsyncGenerator<Record<string, unknown>> {
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :history)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, ...(projection === undefined ? {} : { '#ttl': TABLE.ttlAttribute }) },
    ExpressionAttributeValues: { ':pk': keys.followUp(id).pk, ':history': HISTORY_PREFIX },
    ConsistentRead: true,
    ...(projection === undefined ? {} : { ProjectionExpression: `${projection}, #ttl` }),
  })) {
    if (!expired(item, now)) yield item;
  }
}

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
  const fromVersion = from?.followUp.version ?? 0;
  if (next.followUp.version !== fromVersion + entries.length) throw new RangeError('every new version has one history entry');
  const knownFrom = options.knownFrom ?? null;
  const revision = (from?.revision ?? 0) + 1;
  const id = next.followUp.id;
  if (entries.length === 0 && from !== null) return writeBookkeeping(db, tableName, from, next, { knownFrom, now });
  // One token for this computed write, however often it is sent (see sendOnce).
  const token = randomUUID();
  return sendOnce(db, tableName, { id, version: fromVersion + 1, token, pause: options.pause ?? pause }, {
    ClientRequestToken: token,
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: itemOf({ ...next, revision }),
          ...writeCondition(from, knownFrom, now),
        },
      },
      // A version an expired follow-up left is overwritten (its entry is not this follow-up's).
      ...entries.map((entry, index) => ({
        Put: {
          TableName: tableName,
          Item: {
            ...keys.followUpHistory(id, fromVersion + index + 1),
            tx: next.followUp.transaction_id,
            entry,
            // The write's token on its first new version: how a re-send tells that its first attempt committed.
            ...(index === 0 ? { [HISTORY_TOKEN]: token } : {}),
            ...(next.expiresAt === null ? {} : { [TABLE.ttlAttribute]: next.expiresAt }),
          },
          ...absentCondition(now),
        },
      })),
    ],
  });
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
    names['#kv'] = A.knowledge;
    names[`#m${index}`] = orderId;
    values[`:m${index}`] = entry;
    conditions.push(`(attribute_not_exists(#kv.#m${index}) OR #kv.#m${index} <= :m${index})`);
  });
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/**
 * `next` over `from` without a new version (the tracker's own bookkeeping: a due
 * time, an expiry, an order id, a notice sent): one conditional PutItem, half a
 * transaction's cost. Applied twice it changes nothing more: after a first
 * attempt that committed, the SDK's retry is refused by the revision (`lost`,
 * and the caller reads what it wrote).
 */
async function writeBookkeeping(
  db: TableClient,
  tableName: string,
  from: StoredFollowUp,
  next: Omit<StoredFollowUp, 'revision'>,
  versioned: { knownFrom: KnowledgeVersion | null; now: Date } = { knownFrom: null, now: new Date() },
): Promise<'written' | 'lost'> {
  try {
    const outcome = await db.put({
      TableName: tableName,
      Item: itemOf({ ...next, revision: from.revision + 1 }),
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
const MAX_RACES = 10;

// ---------------------------------------------------------------------------
// A person's action (POST /follow-ups/{id}/actions)

export type PersonActionResult =
  | { kind: 'changed'; stored: StoredFollowUp }
  | { kind: 'unchanged'; stored: StoredFollowUp }
  | { kind: 'not_found' }
  | { kind: 'invalid_request'; message: string }
  | { kind: 'conflict'; stored: StoredFollowUp }
  | { kind: 'invalid_transition'; stored: StoredFollowUp; message: string };

/**
 * A person's action on follow-up `id`: parsed, applied to what is stored now,
 * written as one conditional transaction; a lost race is computed again from
 * the newer version (an `expected_version` then answers conflict, as it should).
 */
export async function actOnFollowUp(
  db: TableClient,
  tableName: string,
  input: { id: string; body: unknown; actor: string; now: Date; thresholds: StaleThresholds },
): Promise<PersonActionResult> {
  const parsed = parseAction(input.body, input.now);
  if (parsed.kind === 'invalid') return { kind: 'invalid_request', message: parsed.message };
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id, input.now);
    if (stored === null) return { kind: 'not_found' };
    const outcome = applyAction(stored.followUp, parsed.action, input.actor, input.now, stored.last ?? null);
    if (outcome.kind === 'conflict' || outcome.kind === 'unchanged') return { kind: outcome.kind, stored };
    if (outcome.kind === 'invalid_transition') return { kind: 'invalid_transition', stored, message: outcome.message };
    // Snoozed or closed, its order's flag clears (the sweep's next pass, CONTRACT §9): so does the queues' copy, now.
    const held = outcome.followUp.state === 'snoozed' || outcome.followUp.state === 'closed';
    const next = {
      ...stored,
      followUp: outcome.followUp,
      dueAt: dueAt(outcome.followUp, stored.redraw, input.thresholds),
      last: outcome.last,
      staleFlag: held ? null : (stored.staleFlag ?? null),
    };
    if ((await writeStoredFollowUp(db, tableName, stored, next, outcome.entries, input.now)) === 'written') {
      return { kind: 'changed', stored: { ...next, revision: stored.revision + 1 } };
    }
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while an action was applied`);
}

// ---------------------------------------------------------------------------
// The tracker's side (the transaction function, after each recompute)

/**
 * What keeping a follow-up current did: `stale`, nothing, since the follow-up
 * was kept from newer knowledge of the transaction (an older recompute landing
 * late: issue 43 item 2); `diverged`, nothing either, since each knows one member
 * newer than the other (the caller reads every member again and keeps it from that).
 */
export type KeepCurrentOutcome = 'none' | 'opened' | 'changed' | 'unchanged' | 'stale' | 'diverged';

/**
 * Keeps the follow-up of a transaction (or of an order without one) current
 * with what its members say: opens it when the transaction has a redraw and
 * none is stored; acts once on each fact that holds (closing it, or marking it
 * `attention`); keeps the order ids, the open redraw, the due time and the
 * expiry current (these move no version: they are Junction's facts, not
 * actions). Idempotent: the same situation twice writes nothing the second time.
 *
 * `appointment`: the appointment of the situation's redraw order in progress
 * (CONTRACT §10), which moves its due time; kept with the open redraw (its
 * start and status only) so that a person's action computes the same due time.
 *
 * `knowledge`: the version of the transaction knowledge the situation was
 * computed from (core/knowledge-version.ts). The follow-up keeps the version it
 * was last kept from, and a situation computed from knowledge older than that
 * never touches it (`stale`), however late its recompute lands: no close,
 * reopen, close from two stream shards' recomputes out of order. Equal
 * knowledge writes only what else moved (an appointment, an expiry, a snooze
 * that ended); newer knowledge is recorded even when nothing else moved, so
 * that the stored version is always the newest any recompute landed with, and
 * the situations written follow one another as the knowledge grew. The write
 * is conditional on it too (writeCondition). A person's action in between only
 * moves the revision: the tracker reads again and keeps the action. Null: not
 * versioned (the version stored stays).
 */
export async function keepFollowUpCurrent(
  db: TableClient,
  tableName: string,
  input: {
    id: string;
    transactionId: string | null;
    situation: RedrawSituation;
    expiresAt: number | null;
    now: Date;
    thresholds: StaleThresholds;
    appointment?: AppointmentTiming | null;
    knowledge?: KnowledgeVersion | null;
  },
): Promise<{ outcome: KeepCurrentOutcome; writes: number }> {
  const situation = withAppointment(input.situation, input.appointment ?? null);
  const knowledge = input.knowledge ?? null;
  let writes = 0;
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id, input.now);
    if (stored === null && !situation.hasRedraw) return { outcome: 'none', writes };
    if (stored !== null && knowledge !== null) {
      // An item stored before versions knows nothing yet: the oldest version.
      const order = compareKnowledge(knowledge, stored.knowledge ?? {});
      if (order === 'older' || order === 'diverged') return { outcome: order === 'older' ? 'stale' : 'diverged', writes };
    }
    let base: FollowUp;
    let opening: FollowUpAction[] = [];
    let last = stored?.last ?? null;
    if (stored === null) {
      base = openFollowUp({
        id: input.id,
        transactionId: input.transactionId,
        initialOrderId: situation.initialOrderId,
        // Known at opening: its order joins no version of its own.
        redrawOrderId: situation.redrawOrderId,
        openedAt: situation.openedAt ?? '',
      });
      const entry = openingEntry(base, input.now);
      opening = [entry];
      last = { at: entry.at, action: entry.action };
    } else {
      base = stored.followUp;
    }
    const update = trackerUpdate(base, last, stored?.applied ?? [], situation, input.now);
    const entries = [...opening, ...update.entries];
    const redraw = situation.hasRedraw ? situation.redraw : (stored?.redraw ?? null);
    const next = {
      followUp: update.followUp,
      redraw,
      dueAt: dueAt(update.followUp, redraw, input.thresholds),
      applied: update.applied,
      expiresAt: input.expiresAt,
      remindedAt: stored?.remindedAt ?? null,
      redrawOrderedAt: situation.redrawOrderedAt ?? stored?.redrawOrderedAt ?? null,
      last: update.last ?? last,
      // The sweep's copy of a stale flag holds while its order has not moved (the webhook that moves it clears the order's flag).
      staleFlag: stored?.staleFlag != null && sameOpenRedraw(stored.staleFlag, redraw) ? stored.staleFlag : null,
      // A failed redraw's notice is once per attention episode: a cleared attention takes its marker with it.
      ...(update.followUp.attention === null ? { attentionNotifiedAt: null } : {}),
      knowledge: knowledge ?? stored?.knowledge ?? null,
    };
    if (stored !== null && entries.length === 0 && sameStored(stored, next)) return { outcome: 'unchanged', writes };
    if (stored !== null && stored.expiresAt !== next.expiresAt) writes += await expireHistory(db, tableName, input.id, next.expiresAt, input.now);
    const written = await writeStoredFollowUp(db, tableName, stored, { ...stored, ...next }, entries, input.now, { knownFrom: knowledge });
    writes += 1;
    if (written === 'written') return { outcome: stored === null ? 'opened' : 'changed', writes };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while the tracker kept it current`);
}

/** The situation with its redraw order's appointment (start and status only), when its open redraw is a redraw in progress. */
function withAppointment(situation: RedrawSituation, appointment: AppointmentTiming | null): RedrawSituation {
  // None: the open redraw as before appointments (no key), so that a follow-up without one is stored as it was.
  if (situation.redraw?.kind !== 'redraw_in_progress' || appointment === null) return situation;
  return { ...situation, redraw: { ...situation.redraw, appointment: { start_at: appointment.start_at, status: appointment.status } } };
}

function sameStored(stored: StoredFollowUp, next: Omit<StoredFollowUp, 'revision'>): boolean {
  return (
    JSON.stringify([stored.followUp, stored.redraw, stored.dueAt, [...stored.applied].sort(), stored.expiresAt, stored.redrawOrderedAt ?? null, stored.staleFlag ?? null]) ===
      JSON.stringify([next.followUp, next.redraw, next.dueAt, [...next.applied].sort(), next.expiresAt, next.redrawOrderedAt ?? null, next.staleFlag ?? null]) &&
    compareKnowledge(next.knowledge ?? {}, stored.knowledge ?? {}) === 'equal'
  );
}

/** Whether a stale flag's copy is about `redraw` as it stands: the same order at the same status time. */
function sameOpenRedraw(flag: StoredStaleFlag, redraw: OpenRedrawTiming | null): boolean {
  return redraw !== null && redraw.orderId === flag.orderId && redraw.statusTime === flag.statusTime;
}

/**
 * The stale flag's copy a follow-up should carry, given the flags of orders as
 * the sweep leaves them (`flags`: order id to its flag, null or absent when not
 * flagged): its open redraw's order's flag, or null. Closed follow-ups carry none.
 */
export function staleFlagCopy(stored: StoredFollowUp, flags: ReadonlyMap<string, { since: string; reason: string } | null>): StoredStaleFlag | null {
  if (stored.redraw === null || stored.followUp.state === 'closed') return null;
  const flag = flags.get(stored.redraw.orderId) ?? null;
  return flag === null ? null : { since: flag.since, reason: flag.reason, orderId: stored.redraw.orderId, statusTime: stored.redraw.statusTime };
}

/**
 * Keeps follow-up `stored`'s copy of its open redraw's stale flag as the sweep
 * leaves the flags (CONTRACT §12: the queues read it from the open partition):
 * one conditional write when it differs, read again after a lost race (at most
 * three times; the next sweep does it otherwise). True when it wrote.
 */
export async function keepStaleFlagCopy(
  db: TableClient,
  tableName: string,
  stored: StoredFollowUp,
  flags: ReadonlyMap<string, { since: string; reason: string } | null>,
  now: Date,
): Promise<boolean> {
  let current: StoredFollowUp | null = stored;
  for (let race = 0; race < 3 && current !== null; race++) {
    const wanted = staleFlagCopy(current, flags);
    if (JSON.stringify(wanted) === JSON.stringify(current.staleFlag ?? null)) return false;
    if ((await writeBookkeeping(db, tableName, current, { ...current, staleFlag: wanted })) === 'written') return true;
    current = await getFollowUp(db, tableName, current.followUp.id, now);
  }
  return false;
}

/** Sets (or clears) the expiry of every history item of follow-up `id` as of `now` (never of one an expired follow-up left); the writes made. */
async function expireHistory(db: TableClient, tableName: string, id: string, expiresAt: number | null, now: Date): Promise<number> {
  let writes = 0;
  for await (const item of historyItems(db, tableName, id, now, '#pk, #sk')) {
    await db.update({
      TableName: tableName,
      Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
      ...(expiresAt === null
        ? { UpdateExpression: 'REMOVE #ttl', ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute } }
        : { UpdateExpression: 'SET #ttl = :ttl', ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute }, ExpressionAttributeValues: { ':ttl': expiresAt } }),
    });
    writes++;
  }
  return writes;
}

/**
 * Records that the not_acknowledged reminder of follow-up `id` went out (the
 * sweep, FOLLOW_UP_ACK_HOURS): conditional on the revision read, so that a
 * concurrent change is not overwritten; `lost` then (the sweep reads it again
 * next time). Not a version: nothing a person did.
 */
export async function markReminded(db: TableClient, tableName: string, stored: StoredFollowUp, at: string): Promise<'written' | 'lost'> {
  return writeBookkeeping(db, tableName, stored, { ...stored, remindedAt: at });
}

/**
 * Records the tracker's `snooze_ended` of follow-up `stored` when its snooze
 * ended by `now` and nothing recorded it yet (CONTRACT §9: the first write after
 * `snoozed_until`, the sweep's or an action's): one conditional transaction.
 * `none` when there is nothing to record, `lost` when another write got there
 * first (which records it itself).
 */
export async function recordSnoozeEnded(db: TableClient, tableName: string, stored: StoredFollowUp, now: Date, thresholds: StaleThresholds): Promise<'written' | 'lost' | 'none'> {
  const change = snoozeEndedChange(stored.followUp, stored.last ?? null, now);
  if (change === null) return 'none';
  const next = { ...stored, followUp: change.followUp, dueAt: dueAt(change.followUp, stored.redraw, thresholds), last: change.last };
  return writeStoredFollowUp(db, tableName, stored, next, change.entries, now);
}

// ---------------------------------------------------------------------------
// The worklist (GET /follow-ups)

/** Which follow-ups a page lists: `open` (new, acknowledged, snoozed: most urgent first) or one state. */
export const FOLLOW_UP_LIST_STATES = ['open', 'new', 'acknowledged', 'snoozed', 'closed'] as const;
export type FollowUpListState = (typeof FOLLOW_UP_LIST_STATES)[number];

const ListingKey = z.strictObject({
  [TABLE.partitionKey]: z.string().check(z.minLength(1), z.maxLength(300)),
  [TABLE.sortKey]: z.string().check(z.minLength(1), z.maxLength(300)),
  [TABLE.byTransaction.partitionKey]: z.enum([FOLLOW_UP_LISTING_PARTITIONS.open, FOLLOW_UP_LISTING_PARTITIONS.closed]),
  [TABLE.byTransaction.sortKey]: z.string().check(z.minLength(1), z.maxLength(300)),
});

/**
 * Where a worklist page resumes: its filters and the index key of the last
 * follow-up returned. Validated strictly, since it comes back inside a cursor.
 */
export const FollowUpPagePosition = z
  .strictObject({
    list: z.literal('follow-ups'),
    state: z.enum(FOLLOW_UP_LIST_STATES),
    owner: z.nullable(z.string().check(z.maxLength(MAX_OWNER_LENGTH))),
    // The console's filters (CONTRACT §12); absent in cursors given before them. `actor`: whose Mine it is.
    queue: z.optional(z.nullable(z.enum(QUEUES))),
    age: z.optional(z.nullable(z.enum(AGE_BUCKETS))),
    actor: z.optional(z.nullable(z.string().check(z.maxLength(MAX_OWNER_LENGTH)))),
    after: ListingKey,
  })
  .check(z.refine((position) => position.after[TABLE.byTransaction.partitionKey] === listingPartition(position.state, position.queue ?? null), 'key outside its partition'));
export type FollowUpPagePosition = z.output<typeof FollowUpPagePosition>;

/** The partition a list reads: closed ones for state or queue `closed`, open ones otherwise. */
function listingPartition(state: FollowUpListState, queue: Queue | null): string {
  return state === 'closed' || queue === 'closed' ? FOLLOW_UP_LISTING_PARTITIONS.closed : FOLLOW_UP_LISTING_PARTITIONS.open;
}

export interface FollowUpPage {
  items: StoredFollowUp[];
  /** Where the next page starts, or null when nothing follows. */
  next: FollowUpPagePosition | null;
}

/** Items read per Query of the worklist while filtering (by state as of now, and owner). */
const LISTING_READ_PAGE = 100;

/**
 * One page of the worklist: open follow-ups by due time (nulls last), or closed
 * ones newest first, filtered by state (as of `now`: a snooze that has ended is
 * acknowledged) and owner. It reads until it has one more than the page holds,
 * so `next` is null exactly when nothing follows. The index is eventually
 * consistent: a follow-up that changes while a client pages may be listed twice
 * or not at all in that walk.
 */
export async function listFollowUps(
  db: TableClient,
  tableName: string,
  input: {
    state: FollowUpListState;
    owner: string | null;
    limit: number;
    from: FollowUpPagePosition | null;
    now: Date;
    /** A console queue (CONTRACT §12), and for `mine` whose; with state and owner, all apply. */
    queue?: Queue | null;
    actor?: string | null;
    /** The report's aging bucket (CONTRACT §11): whole days since opened. */
    age?: AgeBucket | null;
  },
): Promise<FollowUpPage> {
  const { state, owner, limit, from, now } = input;
  const queue = input.queue ?? null;
  const age = input.age ?? null;
  const actor = queue === 'mine' ? (input.actor ?? null) : null;
  if (queue === 'mine' && actor === null) throw new RangeError('the mine queue needs its actor');
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (from !== null && (from.state !== state || from.owner !== owner || (from.queue ?? null) !== queue || (from.age ?? null) !== age || (from.actor ?? null) !== actor)) {
    throw new RangeError('page position of other filters');
  }
  const wanted = (stored: StoredFollowUp): boolean => {
    const { followUp } = stored;
    const current = stateAt(followUp, now).state;
    const stateMatches = state === 'open' ? current !== 'closed' : current === state;
    return (
      stateMatches &&
      (owner === null || followUp.owner === owner) &&
      (queue === null || inQueue(queue, { followUp, stale: (stored.staleFlag ?? null) !== null }, actor ?? '', now)) &&
      (age === null || inAgeBucket(age, followUp, now))
    );
  };
  const found: { stored: StoredFollowUp; key: z.output<typeof ListingKey> }[] = [];
  // Every item of the partition matches (open or closed, anyone's): read no more than the page needs.
  const wholeQueue = queue === null || queue === state;
  const unfiltered = owner === null && age === null && wholeQueue && (state === 'open' || state === 'closed');
  let startKey: Record<string, unknown> | undefined = from?.after;
  do {
    const page = await db.query({
      TableName: tableName,
      IndexName: TABLE.byTransaction.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
      ExpressionAttributeValues: { ':pk': listingPartition(state, queue) },
      ScanIndexForward: listingPartition(state, queue) !== FOLLOW_UP_LISTING_PARTITIONS.closed,
      ExclusiveStartKey: startKey,
      Limit: unfiltered ? limit + 1 - found.length : LISTING_READ_PAGE,
    });
    for (const item of page.Items) {
      if (found.length > limit) break;
      if (expired(item, now)) continue;
      const stored = parseStored(item);
      if (wanted(stored)) found.push({ stored, key: listingKeyOf(item) });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && found.length <= limit);
  const last = found.length > limit ? found[limit - 1] : undefined;
  return {
    items: found.slice(0, limit).map(({ stored }) => stored),
    next: last ? { list: 'follow-ups', state, owner, ...(queue === null ? {} : { queue }), ...(age === null ? {} : { age }), ...(actor === null ? {} : { actor }), after: last.key } : null,
  };
}

function listingKeyOf(item: Record<string, unknown>): z.output<typeof ListingKey> {
  return ListingKey.parse({
    [TABLE.partitionKey]: item[TABLE.partitionKey],
    [TABLE.sortKey]: item[TABLE.sortKey],
    [TABLE.byTransaction.partitionKey]: item[TABLE.byTransaction.partitionKey],
    [TABLE.byTransaction.sortKey]: item[TABLE.byTransaction.sortKey],
  });
}

// ---------------------------------------------------------------------------
// Answers

/** The contract's FollowUp for each stored one, as of `now`, with the stale flag of its open redraw order (read eventually consistently). */
export async function followUpViews(db: TableClient, tableName: string, stored: readonly StoredFollowUp[], now: Date): Promise<FollowUpView[]> {
  const orderIds = stored.flatMap((one) => (one.redraw === null || one.followUp.state === 'closed' ? [] : [one.redraw.orderId]));
  const orders = new Map((await getOrders(db, tableName, [...new Set(orderIds)], false)).map((order) => [order.record.id, order]));
  return stored.map((one) =>
    toFollowUpView(one.followUp, one.dueAt, one.redraw === null ? null : (orders.get(one.redraw.orderId)?.stale ?? null), now, one.redraw?.statusTime ?? null),
  );
}

/** The ids among `ids` that have a follow-up at `now` (for `follow_up_id` on orders, transactions and /redraws items). */
export async function existingFollowUpIds(db: TableClient, tableName: string, ids: readonly string[], now: Date): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const items = await getItems(db, tableName, unique.map((id) => keys.followUp(id)), false);
  return new Set(
    unique.filter((_, index) => {
      const item = items[index];
      return item !== undefined && !expired(item, now);
    }),
  );
}

/**
 * GET /follow-ups/counts (CONTRACT §12): each open queue's count for `actor`
 * and the open follow-ups' owners, from one read of the open partition (a
 * Query of the worklist index, never a Scan; about 0.5 RU per 4 KB, a follow-up
 * item is under 1 KB). The stale flags are the copies the sweep keeps on the
 * items, so no order is read.
 */
export async function countFollowUps(db: TableClient, tableName: string, actor: string, now: Date): Promise<QueueCounts> {
  const open: QueueFacts[] = [];
  // Only the two attributes a queue is decided on, and the expiry: the same units, a fraction of the bytes to send and parse.
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression: '#fu, #sf, #ttl',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey, '#fu': A.followUp, '#sf': A.staleFlag, '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    if (expired(item, now)) continue;
    const parsed = QueueItem.parse(item);
    open.push({ followUp: parsed[A.followUp], stale: (parsed[A.staleFlag] ?? null) !== null });
  }
  return queueCounts(open, actor, now);
}

const QueueItem = z.object({ [A.followUp]: Stored.shape[A.followUp], [A.staleFlag]: Stored.shape[A.staleFlag] });

// ---------------------------------------------------------------------------
// The sweep's notices of open follow-ups (CONTRACT §9): one read of the worklist

/**
 * Every follow-up in the worklist's open partition (new, acknowledged,
 * snoozed), as stored, that has not expired at `now`: one Query of the by-transaction index (never a Scan),
 * eventually consistent. The sweep reads it once and finds both its notices
 * in it (awaitsReminder, awaitsRedrawFailedNotice).
 */
export async function openFollowUps(db: TableClient, tableName: string, now: Date): Promise<StoredFollowUp[]> {
  const found: StoredFollowUp[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    if (!expired(item, now)) found.push(parseStored(item));
  }
  return found;
}

/** Whether the not_acknowledged reminder is due: still new, opened before `openedBefore`, not reminded. */
export function awaitsReminder(stored: StoredFollowUp, openedBefore: string): boolean {
  return stored.followUp.state === 'new' && stored.remindedAt === null && stored.followUp.opened_at < openedBefore;
}

/**
 * Whether the redraw_failed notice is due (CONTRACT §9): the follow-up is
 * open at `now` (a snoozed one too: the failure is news to whoever snoozed
 * it), its `attention` is `redraw_failed`, and no notice went out for it.
 */
export function awaitsRedrawFailedNotice(stored: StoredFollowUp, now: Date): boolean {
  return stateAt(stored.followUp, now).state !== 'closed' && stored.followUp.attention === 'redraw_failed' && (stored.attentionNotifiedAt ?? null) === null;
}

/**
 * Records that the redraw_failed notice of this follow-up went out (the
 * sweep), as markReminded does for the reminder: conditional on the revision
 * read, `lost` when another write came first. Not a version: nothing a person did.
 */
export async function markAttentionNotified(db: TableClient, tableName: string, stored: StoredFollowUp, at: string): Promise<'written' | 'lost'> {
  return writeBookkeeping(db, tableName, stored, { ...stored, attentionNotifiedAt: at });
}
