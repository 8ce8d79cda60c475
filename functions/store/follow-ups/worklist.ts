/**
 * The worklist (GET /follow-ups, its counts, CONTRACT §12) and the contract's
 * view of stored follow-ups: reads of the by-transaction index's open and
 * closed partitions, never a Scan.
 */
import * as z from 'zod/mini';
import { MAX_OWNER_LENGTH, stateAt, toFollowUpView, type FollowUpView } from '../../core/follow-up';
import { AGE_BUCKETS, inAgeBucket, inQueue, QUEUES, queueCounts, type AgeBucket, type Queue, type QueueCounts, type QueueFacts } from '../../core/queues';
import { getOrders } from '../order-reads';
import { queryItems } from '../query-pages';
import type { TableClient } from '../table-client';
import { FOLLOW_UP_LISTING_PARTITIONS, TABLE } from '../table';
import { A, expired, parseStored, Stored, type StoredFollowUp } from './item';

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

/** The contract's FollowUp for each stored one, as of `now`, with the stale flag of its open redraw order (read eventually consistently). */
export async function followUpViews(db: TableClient, tableName: string, stored: readonly StoredFollowUp[], now: Date): Promise<FollowUpView[]> {
  const orderIds = stored.flatMap((one) => (one.redraw === null || one.followUp.state === 'closed' ? [] : [one.redraw.orderId]));
  const orders = new Map((await getOrders(db, tableName, [...new Set(orderIds)], false)).map((order) => [order.record.id, order]));
  return stored.map((one) =>
    toFollowUpView(one.followUp, one.dueAt, one.redraw === null ? null : (orders.get(one.redraw.orderId)?.stale ?? null), now, one.redraw?.statusTime ?? null),
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
