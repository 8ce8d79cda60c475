/**
 * The records of orders whose missing results the sweep is to read from
 * Junction (CONTRACT §9 `missing`: markers and failure types): one item per
 * order, `RESULTS#<order id>`, written by the transaction function when a
 * follow-up's `missing` names another order, status or status detail than
 * before (or the follow-up returned), listed by due time through the
 * open-redraws index's `RESULTS#wanted` partition (never a Scan), the soonest
 * due first, and deleted once read, given up or not to be read. A pending
 * read names the follow-up and the want it is for: a newer want of the order
 * replaces it (its day and attempts start again), the same want delivered again
 * keeps it, and a read deletes only the want it read. No PHI: ids, an order's
 * status and status detail codes, times and a count of attempts.
 *
 * Each record expires (DynamoDB's TTL) two days after its results were first
 * wanted, twice the day they are tried for, so none outlives its purpose.
 */
import * as z from 'zod/mini';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { RESULTS_WANTED_FOR_MS } from '../core/missing-results';
import { queryPages } from './query-pages';
import { getItems, type TableClient } from './table-client';
import { TABLE } from './table';
import { keys, parseResultsWantedKey, RESULTS_WANTED_PARTITION } from './keys';

/** What a want is for: the follow-up, and the state of `missing` whose counts it reads (null: the causing order's, no `missing`). */
export interface WantedFor {
  followUpId: string;
  /** Identifies the want (transaction-status/steps/classify.ts resultsWantedOf): the same want delivered again has the same key. */
  want: string;
  state: { status: string; statusDetail: string | null } | null;
  /** When the follow-up write that wanted it was made (canonical instant): an older want never replaces a newer one. */
  wantedAt: string;
}

/** An order whose missing results are wanted, and how its reads went so far. */
export interface ResultsWanted extends WantedFor {
  orderId: string;
  /** Canonical instant: the day of reads runs from here. */
  firstWantedAt: string;
  /** Reads that failed in a way that may succeed later. */
  attempts: number;
  /** Canonical instant: not read before. */
  nextAttemptAt: string;
}

const ATTRIBUTES = {
  orderId: 'order_id',
  followUpId: 'follow_up_id',
  firstWantedAt: 'first_wanted_at',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  want: 'want',
  wantedAt: 'wanted_at',
  status: 'missing_status',
  statusDetail: 'missing_status_detail',
} as const;

const Stored = z.object({
  [ATTRIBUTES.orderId]: z.string(),
  [ATTRIBUTES.followUpId]: z.string(),
  [ATTRIBUTES.firstWantedAt]: z.string(),
  [ATTRIBUTES.attempts]: z.int(),
  [ATTRIBUTES.nextAttemptAt]: z.string(),
  // Absent on a record written before wants were keyed (issue 55): it is replaced by any want, and read as its follow-up's.
  [ATTRIBUTES.want]: z.optional(z.string()),
  [ATTRIBUTES.wantedAt]: z.optional(z.string()),
  [ATTRIBUTES.status]: z.optional(z.string()),
  [ATTRIBUTES.statusDetail]: z.optional(z.nullable(z.string())),
});

function itemOf(wanted: ResultsWanted): Record<string, unknown> {
  return {
    ...keys.resultsWanted(wanted.orderId),
    [TABLE.openRedraws.partitionKey]: RESULTS_WANTED_PARTITION,
    [TABLE.openRedraws.sortKey]: keys.resultsWantedSort(wanted.nextAttemptAt, wanted.orderId),
    [ATTRIBUTES.orderId]: wanted.orderId,
    [ATTRIBUTES.followUpId]: wanted.followUpId,
    [ATTRIBUTES.firstWantedAt]: wanted.firstWantedAt,
    [ATTRIBUTES.attempts]: wanted.attempts,
    [ATTRIBUTES.nextAttemptAt]: wanted.nextAttemptAt,
    [ATTRIBUTES.want]: wanted.want,
    [ATTRIBUTES.wantedAt]: wanted.wantedAt,
    ...(wanted.state === null ? {} : { [ATTRIBUTES.status]: wanted.state.status, [ATTRIBUTES.statusDetail]: wanted.state.statusDetail }),
    [TABLE.ttlAttribute]: Math.floor((instantMillis(wanted.firstWantedAt) + 2 * RESULTS_WANTED_FOR_MS) / 1000),
  };
}

function parseResultsWanted(item: Record<string, unknown>): ResultsWanted {
  const parsed = Stored.parse(item);
  const status = parsed[ATTRIBUTES.status];
  return {
    orderId: parsed[ATTRIBUTES.orderId],
    followUpId: parsed[ATTRIBUTES.followUpId],
    firstWantedAt: parsed[ATTRIBUTES.firstWantedAt],
    attempts: parsed[ATTRIBUTES.attempts],
    nextAttemptAt: parsed[ATTRIBUTES.nextAttemptAt],
    want: parsed[ATTRIBUTES.want] ?? parsed[ATTRIBUTES.followUpId],
    wantedAt: parsed[ATTRIBUTES.wantedAt] ?? parsed[ATTRIBUTES.firstWantedAt],
    state: status === undefined ? null : { status, statusDetail: parsed[ATTRIBUTES.statusDetail] ?? null },
  };
}

/**
 * Records that the results of `orderId` are wanted for `wanted` from `at` (a
 * canonical instant), due at once. `exists`: a record of the same want is
 * there already (a redelivered stream record), or of a newer one (older work
 * redone late): it is kept, with its day and attempts. A record of an older want
 * (an older state of `missing`, another follow-up, a follow-up's earlier life) is
 * replaced: the newer want is the one read.
 */
export async function wantResults(db: TableClient, tableName: string, input: WantedFor & { orderId: string; at: string }): Promise<'written' | 'exists'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: itemOf({ orderId: input.orderId, followUpId: input.followUpId, want: input.want, state: input.state, wantedAt: input.wantedAt, firstWantedAt: input.at, attempts: 0, nextAttemptAt: input.at }),
    ConditionExpression: 'attribute_not_exists(#pk) OR attribute_not_exists(#want) OR (#want <> :want AND #wantedAt <= :wantedAt)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#want': ATTRIBUTES.want, '#wantedAt': ATTRIBUTES.wantedAt },
    ExpressionAttributeValues: { ':want': input.want, ':wantedAt': input.wantedAt },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'exists';
}

/**
 * Up to `limit` records due at `now` (a canonical instant), the soonest due
 * first: a key condition on the index (`<next attempt at>#<order id>` before
 * `<now>$`, `$` sorting right after `#`), then the items by key (the index holds
 * keys only), each checked as stored now (the index may lag behind the item).
 */
export async function readDueResultsWanted(db: TableClient, tableName: string, now: string, limit: number): Promise<ResultsWanted[]> {
  const orderIds = await dueResultsWantedIds(db, tableName, now, limit);
  const items = await getItems(db, tableName, orderIds.map((id) => keys.resultsWanted(id)), false);
  return items.flatMap((item) => {
    if (item === undefined) return [];
    const wanted = parseResultsWanted(item);
    return wanted.nextAttemptAt <= now ? [wanted] : [];
  });
}

/** The order ids of up to `limit` records due at `now`, from the index alone (keys only): enough to delete them unread. */
export async function dueResultsWantedIds(db: TableClient, tableName: string, now: string, limit: number): Promise<string[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const orderIds: string[] = [];
  for await (const page of queryPages(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :until',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':pk': RESULTS_WANTED_PARTITION, ':until': `${now}$` },
    Limit: limit,
  })) {
    for (const item of page.Items ?? []) {
      const wanted = parseResultsWantedKey(item);
      if (wanted !== null && orderIds.length < limit) orderIds.push(wanted.orderId);
    }
    if (orderIds.length >= limit) break;
  }
  return orderIds;
}

/**
 * After a read that may succeed later: one more attempt, the next at
 * `nextAttemptAtMs`. Only while the record is as read, the same want after as
 * many attempts (`lost` otherwise: another sweep moved it, a newer want replaced
 * it, or it was deleted).
 */
export async function rescheduleResultsWanted(db: TableClient, tableName: string, wanted: ResultsWanted, nextAttemptAtMs: number): Promise<'written' | 'lost'> {
  const nextAttemptAt = canonicalFromDate(new Date(nextAttemptAtMs));
  const outcome = await db.update({
    TableName: tableName,
    Key: keys.resultsWanted(wanted.orderId),
    ConditionExpression: `#attempts = :attempts AND ${sameWant(wanted)}`,
    UpdateExpression: 'SET #attempts = :next, #at = :at, #sk = :sk',
    ExpressionAttributeNames: { '#attempts': ATTRIBUTES.attempts, '#at': ATTRIBUTES.nextAttemptAt, '#sk': TABLE.openRedraws.sortKey, '#want': ATTRIBUTES.want },
    ExpressionAttributeValues: { ':attempts': wanted.attempts, ':next': wanted.attempts + 1, ':at': nextAttemptAt, ':sk': keys.resultsWantedSort(nextAttemptAt, wanted.orderId), ':want': wanted.want },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'lost';
}

/** The condition that the stored record is still the want read (`#want`, `:want`); one written before wants were keyed has none. */
function sameWant(wanted: ResultsWanted): string {
  return wanted.want === wanted.followUpId ? '(attribute_not_exists(#want) OR #want = :want)' : '#want = :want';
}

/** Deletes the record of `orderId` unread (no Junction key); deleting one that is gone is no error. */
export async function dropResultsWanted(db: TableClient, tableName: string, orderId: string): Promise<void> {
  await db.delete({ TableName: tableName, Key: keys.resultsWanted(orderId) });
}

/**
 * Deletes the record `wanted` was read from (its results read, never to be read, or
 * given up) if it is still that want: `replaced` when a newer want took its place
 * meanwhile (it stays for the next sweep) or the record is gone; `done` when deleted.
 */
export async function dropReadResultsWanted(db: TableClient, tableName: string, wanted: ResultsWanted): Promise<'done' | 'replaced'> {
  const outcome = await db.delete({
    TableName: tableName,
    Key: keys.resultsWanted(wanted.orderId),
    ConditionExpression: sameWant(wanted),
    ExpressionAttributeNames: { '#want': ATTRIBUTES.want },
    ExpressionAttributeValues: { ':want': wanted.want },
  });
  return outcome.written ? 'done' : 'replaced';
}
