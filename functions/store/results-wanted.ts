/**
 * The records of orders whose missing results the sweep is to read from
 * Junction (CONTRACT §9 `missing`: markers and failure types): one item per
 * order, `RESULTS#<order id>`, written by the transaction function when a
 * follow-up's `missing` names a new order, listed by due time through the
 * open-redraws index's `RESULTS#wanted` partition (never a Scan), the soonest
 * due first, and deleted once read, given up or not to be read. No PHI: ids,
 * times and a count of attempts.
 *
 * Each record expires (DynamoDB's TTL) two days after its results were first
 * wanted, twice the day they are tried for, so none outlives its purpose.
 */
import * as z from 'zod/mini';
import { canonicalFromDate, instantMillis } from '../core/instant';
import { RESULTS_WANTED_FOR_MS } from '../core/missing-results';
import { queryPages } from './query-pages';
import { getItems, type TableClient } from './table-client';
import { keys, RESULTS_WANTED_PARTITION, TABLE } from './table';

/** An order whose missing results are wanted, and how its reads went so far. */
export interface ResultsWanted {
  orderId: string;
  /** The follow-up whose `missing` named the order (its counts are written there). */
  followUpId: string;
  /** Canonical instant: the day of reads runs from here. */
  firstWantedAt: string;
  /** Reads that failed in a way that may succeed later. */
  attempts: number;
  /** Canonical instant: not read before. */
  nextAttemptAt: string;
}

const ATTRIBUTES = { orderId: 'order_id', followUpId: 'follow_up_id', firstWantedAt: 'first_wanted_at', attempts: 'attempts', nextAttemptAt: 'next_attempt_at' } as const;

const Stored = z.object({
  [ATTRIBUTES.orderId]: z.string(),
  [ATTRIBUTES.followUpId]: z.string(),
  [ATTRIBUTES.firstWantedAt]: z.string(),
  [ATTRIBUTES.attempts]: z.int(),
  [ATTRIBUTES.nextAttemptAt]: z.string(),
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
    [TABLE.ttlAttribute]: Math.floor((instantMillis(wanted.firstWantedAt) + 2 * RESULTS_WANTED_FOR_MS) / 1000),
  };
}

function parseResultsWanted(item: Record<string, unknown>): ResultsWanted {
  const parsed = Stored.parse(item);
  return {
    orderId: parsed[ATTRIBUTES.orderId],
    followUpId: parsed[ATTRIBUTES.followUpId],
    firstWantedAt: parsed[ATTRIBUTES.firstWantedAt],
    attempts: parsed[ATTRIBUTES.attempts],
    nextAttemptAt: parsed[ATTRIBUTES.nextAttemptAt],
  };
}

/**
 * Records that the results of `orderId` are wanted for follow-up `followUpId`
 * from `at` (a canonical instant), due at once. `exists`: a record of the order
 * is there already (a redelivered stream record): it keeps its day and attempts.
 */
export async function wantResults(db: TableClient, tableName: string, input: { orderId: string; followUpId: string; at: string }): Promise<'written' | 'exists'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: itemOf({ orderId: input.orderId, followUpId: input.followUpId, firstWantedAt: input.at, attempts: 0, nextAttemptAt: input.at }),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
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
  const prefix = keys.resultsWanted('').pk;
  for await (const page of queryPages(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :until',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':pk': RESULTS_WANTED_PARTITION, ':until': `${now}$` },
    Limit: limit,
  })) {
    for (const item of page.Items ?? []) if (orderIds.length < limit) orderIds.push(String(item[TABLE.partitionKey]).slice(prefix.length));
    if (orderIds.length >= limit) break;
  }
  return orderIds;
}

/**
 * After a read that may succeed later: one more attempt, the next at
 * `nextAttemptAtMs`. Only while the record is as read (`lost` otherwise: another
 * sweep moved it, or it was deleted).
 */
export async function rescheduleResultsWanted(db: TableClient, tableName: string, wanted: ResultsWanted, nextAttemptAtMs: number): Promise<'written' | 'lost'> {
  const nextAttemptAt = canonicalFromDate(new Date(nextAttemptAtMs));
  const outcome = await db.update({
    TableName: tableName,
    Key: keys.resultsWanted(wanted.orderId),
    ConditionExpression: '#attempts = :attempts',
    UpdateExpression: 'SET #attempts = :next, #at = :at, #sk = :sk',
    ExpressionAttributeNames: { '#attempts': ATTRIBUTES.attempts, '#at': ATTRIBUTES.nextAttemptAt, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':attempts': wanted.attempts, ':next': wanted.attempts + 1, ':at': nextAttemptAt, ':sk': keys.resultsWantedSort(nextAttemptAt, wanted.orderId) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'lost';
}

/** Deletes the record of `orderId` (read, given up, or not to be read); deleting one that is gone is no error. */
export async function dropResultsWanted(db: TableClient, tableName: string, orderId: string): Promise<void> {
  await db.delete({ TableName: tableName, Key: keys.resultsWanted(orderId) });
}
