/**
 * Parked stream work (issue 24, item 1): what the transaction function must
 * redo for a stream record whose work kept failing for longer than its park
 * age, kept in the table so that the record can be acknowledged before the
 * stream's 24-hour limit drops it. Keys, not pointers: the transactions to
 * recompute (with the order ids whose records named them), a lone order's id
 * for retention, and the facts computed from the record's images (they cannot
 * be computed again: the images are gone). Ids, statuses and times only: the
 * facts carry no PHI (functions/core/events.ts), and neither does anything else
 * here.
 *
 * One item per stream record, keyed by the record's eventID (the same on every
 * redelivery), in one partition of the base table (PARKED_WORK_PARTITION):
 * parking the same record twice keeps one item. The item's own stream record is
 * what redoes the work (functions/transaction-status/app.ts); once done, the
 * item is marked redone and given an expiry in the past, and DynamoDB's TTL
 * removes it (the function has no DeleteItem grant, and needs none). Pending
 * items have no expiry: parked work must never vanish unredone.
 */
import * as z from 'zod/mini';
import { EVENT_TYPES, type TrackerEvent } from '../core/events';
import { queryItems } from './query-pages';
import { ReportWorkSchema, type ReportWork } from './report-work';
import { TABLE } from './table';
import { keys, PARKED_WORK_PARTITION, parseParkedWorkKey } from './keys';
import type { PendingHistory } from './follow-ups/pending-history';
import type { WantedFor } from './results-wanted';
import type { TableClient, UpdateCommandInput } from './table-client';

/** Attribute names of a parked-work item (besides the table keys). */
export const PARKED_WORK_ATTRIBUTES = {
  recordId: 'record_id',
  /** List of { id, orders }: transactions to recompute, with the order ids whose records named them. */
  transactions: 'transactions',
  loneOrderId: 'lone_order_id',
  /** The facts, as one JSON text (a list of events). */
  facts: 'facts',
  /** The report work (store/reports.ts ReportWork: row writes, an expiry's ledger), as one JSON text; absent: none. */
  tallies: 'tallies',
  /** When the original write happened (the record's ApproximateCreationDateTime), canonical. */
  recordedAt: 'recorded_at',
  parkedAt: 'parked_at',
  /** Times the work was parked: 1, then one more each time its redo kept failing past the park age. */
  attempts: 'attempts',
  redoRequestedAt: 'redo_requested_at',
  redoneAt: 'redone_at',
  /** The results a follow-up's write wanted read (CONTRACT §9 `missing`): { order, follow_up }; absent: none. */
  resultsWanted: 'results_wanted',
  /** The history entries its follow-up item carried (follow-ups/pending-history.ts), as one JSON text; absent: none. */
  history: 'history',
} as const;

/** What must be redone for one stream record. */
export interface ParkedWork {
  /** The stream record's eventID: the item's identity. */
  recordId: string;
  transactions: { transactionId: string; orderIds: string[] }[];
  loneOrderId: string | null;
  facts: TrackerEvent[];
  /** The report work its images gave (rows versioned: redone late, an older one is refused; an expiry's ledger end). */
  tallies?: ReportWork[];
  /** When the record's write happened (canonical instant). */
  recordedAt: string;
  /** The results its follow-up write wanted read (store/results-wanted.ts: the want), if any: the redo records them. */
  resultsWanted?: WantedFor & { orderId: string };
  /** The history entries its follow-up item carried, if any: the redo writes the items still missing. */
  history?: PendingHistory;
}

/** A parked-work item as stored. */
export interface ParkedItem extends ParkedWork {
  parkedAt: string;
  attempts: number;
  redoRequestedAt: string | null;
  /** Set once the work is done (the item then waits for the TTL). */
  redoneAt: string | null;
}

const A = PARKED_WORK_ATTRIBUTES;

const StoredFact = z.looseObject({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  order_id: z.nullable(z.string()),
  transaction_id: z.nullable(z.string()),
  status_time: z.string(),
});

/** Written by parkWork from TrackerEvent objects: checked for their common shape, then taken as they were. */
function isStoredFact(value: z.output<typeof StoredFact>): value is z.output<typeof StoredFact> & TrackerEvent {
  return StoredFact.safeParse(value).success;
}

/** A wanted read as parked: its want key and state absent on work parked before wants were keyed (issue 55), redone as a want of its follow-up. */
const StoredWanted = z.object({
  order: z.string(),
  follow_up: z.string(),
  want: z.optional(z.string()),
  state: z.optional(z.nullable(z.object({ s: z.string(), d: z.nullable(z.string()) }))),
  at: z.optional(z.string()),
});

function storedWanted(wanted: NonNullable<ParkedWork['resultsWanted']>): z.output<typeof StoredWanted> {
  return { order: wanted.orderId, follow_up: wanted.followUpId, want: wanted.want, state: wanted.state === null ? null : { s: wanted.state.status, d: wanted.state.statusDetail }, at: wanted.wantedAt };
}

const StoredParkedItem = z.object({
  [A.recordId]: z.string(),
  [A.transactions]: z.array(z.object({ id: z.string(), orders: z.array(z.string()) })),
  [A.loneOrderId]: z.optional(z.string()),
  [A.facts]: z.string(),
  [A.tallies]: z.optional(z.string()),
  [A.recordedAt]: z.string(),
  [A.parkedAt]: z.string(),
  [A.attempts]: z.int().check(z.positive()),
  [A.redoRequestedAt]: z.optional(z.string()),
  [A.redoneAt]: z.optional(z.string()),
  [A.resultsWanted]: z.optional(StoredWanted),
  [A.history]: z.optional(z.string()),
});

const StoredHistory = z.object({
  followUpId: z.string(),
  transactionId: z.nullable(z.string()),
  firstVersion: z.int().check(z.positive()),
  entries: z.array(z.looseObject({ action: z.string() })),
  expiresAt: z.nullable(z.number()),
});

/** Parked history entries (written by parkedWorkItem from a PendingHistory: its shape checked, the entries taken as they were). */
function historyOf(text: string | undefined): Pick<ParkedWork, 'history'> {
  return text === undefined ? {} : { history: StoredHistory.parse(JSON.parse(text)) as PendingHistory };
}

function parseTallies(text: string | undefined): ReportWork[] {
  return text === undefined ? [] : z.array(ReportWorkSchema).parse(JSON.parse(text));
}

/** The wanted read of parked work; one parked before wants were dated is dated by its record's write (`recordedAt`). */
function resultsWantedOf(stored: z.output<typeof StoredWanted> | undefined, recordedAt: string): Pick<ParkedWork, 'resultsWanted'> {
  if (stored === undefined) return {};
  const state = stored.state === undefined || stored.state === null ? null : { status: stored.state.s, statusDetail: stored.state.d };
  return { resultsWanted: { orderId: stored.order, followUpId: stored.follow_up, want: stored.want ?? stored.follow_up, state, wantedAt: stored.at ?? recordedAt } };
}

/** Whether an item (by its keys) is a parked-work item. */
export function isParkedWorkItem(item: Record<string, unknown>): boolean {
  return parseParkedWorkKey(item) !== null;
}

/** Reads a parked-work item back; throws on an item that is not one (a bug, not bad input). */
export function parseParkedItem(item: Record<string, unknown>): ParkedItem {
  if (!isParkedWorkItem(item)) throw new Error('not a parked-work item');
  const stored = StoredParkedItem.parse(item);
  const facts = z.array(StoredFact).parse(JSON.parse(stored[A.facts])).filter(isStoredFact);
  return {
    recordId: stored[A.recordId],
    transactions: stored[A.transactions].map((entry) => ({ transactionId: entry.id, orderIds: entry.orders })),
    loneOrderId: stored[A.loneOrderId] ?? null,
    facts,
    tallies: parseTallies(stored[A.tallies]),
    recordedAt: stored[A.recordedAt],
    parkedAt: stored[A.parkedAt],
    attempts: stored[A.attempts],
    redoRequestedAt: stored[A.redoRequestedAt] ?? null,
    redoneAt: stored[A.redoneAt] ?? null,
    ...resultsWantedOf(stored[A.resultsWanted], stored[A.recordedAt]),
    ...historyOf(stored[A.history]),
  };
}

/** The item that parks a record's work at `now` (its first attempt). */
export function parkedWorkItem(work: ParkedWork, now: string): Record<string, unknown> {
  return {
    ...keys.parkedWork(work.recordId),
    [A.recordId]: work.recordId,
    [A.transactions]: work.transactions.map((entry) => ({ id: entry.transactionId, orders: entry.orderIds })),
    ...(work.loneOrderId === null ? {} : { [A.loneOrderId]: work.loneOrderId }),
    [A.facts]: JSON.stringify(work.facts),
    ...(work.tallies === undefined || work.tallies.length === 0 ? {} : { [A.tallies]: JSON.stringify(work.tallies) }),
    [A.recordedAt]: work.recordedAt,
    ...(work.resultsWanted === undefined ? {} : { [A.resultsWanted]: storedWanted(work.resultsWanted) }),
    ...(work.history === undefined ? {} : { [A.history]: JSON.stringify(work.history) }),
    [A.parkedAt]: now,
    [A.attempts]: 1,
  };
}

/**
 * Parks a record's work, unless it is parked already (a redelivered record, or
 * a Lambda retry after an answer that was lost): 'parked', or 'already_parked'
 * (a lost race is a value). The work of one record is the same on every
 * delivery, so the item kept is the one that would be written.
 */
export async function parkWork(db: TableClient, tableName: string, work: ParkedWork, now: string): Promise<'parked' | 'already_parked'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: parkedWorkItem(work, now),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
  });
  return outcome.written ? 'parked' : 'already_parked';
}

/** The item is there and its work not redone yet. */
const PENDING = 'attribute_exists(#pk) AND attribute_not_exists(#redoneAt)';

/** One conditional update of a parked-work item (`#pk` and `#redoneAt` named): whether it was written. */
async function updateParked(
  db: TableClient,
  tableName: string,
  recordId: string,
  update: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>>,
): Promise<boolean> {
  const names = { '#pk': TABLE.partitionKey, '#redoneAt': A.redoneAt, ...update.ExpressionAttributeNames };
  const outcome = await db.update({ TableName: tableName, Key: keys.parkedWork(recordId), ...update, ExpressionAttributeNames: names });
  return outcome.written;
}

/**
 * Parks again work whose redo kept failing: one more attempt, a new stream
 * record to redo it. Only over the attempt the failing record showed, and only
 * while the work is pending: 'parked', or 'not_pending' when it was redone or
 * parked again since (that newer record carries it on).
 */
export async function parkAgain(db: TableClient, tableName: string, seen: Pick<ParkedItem, 'recordId' | 'attempts'>, now: string): Promise<'parked' | 'not_pending'> {
  const written = await updateParked(db, tableName, seen.recordId, {
    UpdateExpression: 'SET #attempts = :next, #parkedAt = :now',
    ConditionExpression: `${PENDING} AND #attempts = :seen`,
    ExpressionAttributeNames: { '#attempts': A.attempts, '#parkedAt': A.parkedAt },
    ExpressionAttributeValues: { ':seen': seen.attempts, ':next': seen.attempts + 1, ':now': now },
  });
  return written ? 'parked' : 'not_pending';
}

/**
 * Marks parked work redone and lets DynamoDB's TTL remove it (an expiry in the
 * past: TTL removes such items within days, and every reader here skips a
 * redone item meanwhile). Idempotent; 'gone' when the item no longer exists.
 */
export async function markRedone(db: TableClient, tableName: string, recordId: string, now: Date): Promise<'marked' | 'gone'> {
  const written = await updateParked(db, tableName, recordId, {
    UpdateExpression: 'SET #redoneAt = if_not_exists(#redoneAt, :now), #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#expiresAt': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':now': now.toISOString(), ':expiresAt': Math.floor(now.getTime() / 1000) },
  });
  return written ? 'marked' : 'gone';
}

/**
 * Asks for pending parked work to be redone now (the operator's command): a
 * write to its item, whose stream record the transaction function redoes.
 * 'requested', or 'not_pending' when it was redone (or removed) meanwhile.
 */
export async function requestRedo(db: TableClient, tableName: string, recordId: string, now: string): Promise<'requested' | 'not_pending'> {
  const written = await updateParked(db, tableName, recordId, {
    UpdateExpression: 'SET #requested = :now',
    ConditionExpression: PENDING,
    ExpressionAttributeNames: { '#requested': A.redoRequestedAt },
    ExpressionAttributeValues: { ':now': now },
  });
  return written ? 'requested' : 'not_pending';
}

/** Every pending parked-work item (redone ones left out), oldest write first: one strongly consistent Query of its partition. */
export async function listParkedWork(db: TableClient, tableName: string): Promise<ParkedItem[]> {
  const items: ParkedItem[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': PARKED_WORK_PARTITION },
    ConsistentRead: true,
  })) {
    const parked = parseParkedItem(item);
    if (parked.redoneAt === null) items.push(parked);
  }
  return items.sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
}
